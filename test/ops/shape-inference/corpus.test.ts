/**
 * Shape inference on every corpus model (real models and fixtures), held against onnxruntime:
 *  1. coverage ≥ 0.95 with the model's own (symbolic) input shapes — also counting only what the
 *     rules found, without the file's value_info — and with concrete input shapes;
 *  2. with concrete input shapes, every dim inference claims as a number — on the graph outputs, and
 *     on every main-graph value of the models cheap enough to run with all values exposed — equals
 *     what onnxruntime produces, and so does the element type;
 *  3. with symbolic shapes, the numbers still match, and each symbol stands for one length: a symbol
 *     that takes two different lengths in one run would be a wrong "same as" claim.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../../src/ir/model-file.js';
import type { Model } from '../../../src/ir/model.js';
import type { Dim, TensorType } from '../../../src/ir/tensor-type.js';
import { createMessage, encodeModel } from '../../../src/onnx/codec.js';
import { dataTypeName } from '../../../src/onnx/data-type.js';
import type { ValueInfoProto } from '../../../src/onnx/proto-types.js';
import { inferShapes, isFullyKnown } from '../../../src/ops/shape-inference/infer-shapes.js';
import { modelInputSpecs } from '../../../src/runtime/model-inputs.js';
import { createSession } from '../../../src/runtime/ort-session.js';
import { concreteShape, randomFeeds } from '../../../src/runtime/random-inputs.js';
import { runSession, type OutputTensor } from '../../../src/runtime/run-session.js';
import { corpus, type CorpusModel } from '../../support/corpus.js';

/**
 * Coverage floors below 0.95 for symbolic shapes, each with its reason. Silero VAD v5 was exported
 * from torch with `squeeze(dim)` on dynamic dims, which becomes If(dim == 1, Squeeze, Identity): the
 * rank of the result depends on a length known only at run time, so no static inference can type
 * what follows. With concrete shapes (below) every value is typed.
 */
const SYMBOLIC_COVERAGE_FLOOR: Record<string, number> = { 'silero-vad-v5': 0.8 };

/**
 * Where inference uses other concrete shapes or values than the corpus runs with:
 * Silero v5 holds a 16 kHz and an 8 kHz model in the two branches of an If on the sample rate; 256
 * samples are valid input for both (512 are not for the 8 kHz one, whose LSTM then gets a rank-5
 * input: onnxruntime refuses it too), so both branches can be typed. The control-flow fixture's loop
 * count is pinned so onnxruntime never runs zero iterations (it then reports trailing dims of 0).
 */
const OVERRIDES: Record<string, Pick<CorpusModel, 'shapes' | 'fill'>> = {
  'silero-vad-v5': { shapes: { input: [1, 256], state: [2, 1, 128] } },
  'fixture:control_flow': { fill: { steps: 3 } },
};

/** Models small enough to run with every main-graph value exposed as an output (well under a second each). */
const ALL_VALUES = new Set([
  'ppocr-v4-det', 'ppocr-v4-rec', 'ppocr-cls', 'silero-vad-v4', 'silero-vad-v5', 'yolox_nano', 'nanodet_m_320',
  'naruto_yolox_nano_with_post', 'ultraface_version-RFB-320', 'face_detection_yunet_120x160',
  'person-reidentification-retail-0288', 'magika_standard_v3_3', 'hinglish_parser/model', 'deeplab_v3_mnv2_257',
  'winml_mnist', 'winml_speech_recog', 'winml_squeezenet_fp16', 'light_shufflenet', 'light_squeezenet', 'light_inception_v1',
]);

interface Run { outputs: Record<string, OutputTensor>; shapes: Map<string, number[]>; values: Map<string, number[]> }

async function runOrt(model: Model, entry: CorpusModel, allValues: boolean): Promise<Run> {
  const specs = modelInputSpecs(model);
  const shapes = new Map<string, number[]>();
  for (const spec of specs) shapes.set(spec.name, concreteShape(spec, { shapes: new Map(Object.entries(entry.shapes ?? {})), defaultDim: 1 }));
  const fill = entry.fill ?? {};
  const values = new Map(Object.entries(fill).map(([name, v]) => [name, [v]]));
  const proto = model.toProto();
  if (allValues) {
    const extra = model.graph.nodes.flatMap((n) => n.outputs).filter((v) => v !== undefined && !v.isGraphOutput);
    proto.graph = { ...proto.graph!, output: [...proto.graph!.output, ...extra.map((v) => createMessage<ValueInfoProto>('ValueInfoProto', { name: v!.name }))] };
  }
  const session = await createSession(encodeModel(proto), { graphOptimizationLevel: allValues ? 'disabled' : 'all' });
  try {
    return { outputs: await runSession(session, randomFeeds(specs, { shapes, fill, seed: 7 })), shapes, values };
  } finally {
    await session.release();
  }
}

/**
 * Differences between the types and onnxruntime's outputs; fills `symbols` with what each symbol took.
 * Both what inference found (`inferred`) and what users see (`type`, declared dims merged in) are
 * checked: many exporters declare every value, and a declared dim would hide an inference error.
 */
function compare(model: Model, outputs: Record<string, OutputTensor>, symbols: Map<string, Set<number>>): string[] {
  const problems: string[] = [];
  for (const [name, got] of Object.entries(outputs)) {
    const value = model.graph.values.get(name);
    problems.push(...compareOne(value?.inferred, got, `${name} (${value?.producer?.opType ?? 'input'}, inferred)`, symbols));
    problems.push(...compareOne(value?.type, got, `${name} (${value?.producer?.opType ?? 'input'})`, symbols));
  }
  return [...new Set(problems)];
}

function compareOne(type: TensorType | undefined, got: OutputTensor, label: string, symbols: Map<string, Set<number>>): string[] {
  const problems: string[] = [];
  {
    if (!type?.shape) return problems;
    if (type.dtype !== 0 && dataTypeName(type.dtype) !== got.dtype) problems.push(`${label}: ${dataTypeName(type.dtype)} vs ${got.dtype}`);
    if (type.shape.length !== got.dims.length) return [...problems, `${label}: rank of ${fmt(type.shape)} vs [${got.dims}]`];
    type.shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== got.dims[i]) problems.push(`${label}: ${fmt(type.shape!)} vs [${got.dims}]`);
      if (typeof d === 'string') symbols.set(d, (symbols.get(d) ?? new Set()).add(got.dims[i]!));
    });
  }
  return problems;
}

/** Share of node outputs (all graphs) whose `inferred` type — the rules' own result — is full. */
function inferredCoverage(model: Model): number {
  let total = 0;
  let covered = 0;
  for (const graph of model.graph.allGraphs()) {
    for (const v of graph.nodes.flatMap((n) => n.outputs)) {
      if (!v) continue;
      total++;
      if (isFullyKnown(v.inferred)) covered++;
    }
  }
  return total === 0 ? 1 : covered / total;
}

const fmt = (shape: Dim[]) => `[${shape.map((d) => d ?? '?').join(',')}]`;

describe('shape inference on the corpus', () => {
  for (const base of corpus()) {
    const entry: CorpusModel = { ...base, ...OVERRIDES[base.name] };
    it(entry.name, { skip: entry.notRunnable }, async () => {
      const model = loadModel(entry.file);

      const symbolic = inferShapes(model);
      const floor = SYMBOLIC_COVERAGE_FLOOR[entry.name] ?? 0.95;
      assert.ok(symbolic.coverage >= floor, `symbolic coverage ${symbolic.coverage.toFixed(3)} < ${floor}: ${symbolic.unknown.filter((u) => u.rootCause).slice(0, 5).map((u) => `${u.value}: ${u.reason}`).join('; ')}`);

      // Many exporters declare every value: the rules themselves must type them too.
      const own = inferredCoverage(model);
      assert.ok(own >= floor, `coverage by inference alone ${own.toFixed(3)} < ${floor}`);

      const run = await runOrt(model, entry, ALL_VALUES.has(entry.name));
      // Symbolic types, against this run: numbers must match, and each symbol must be one length.
      const symbols = new Map<string, Set<number>>();
      assert.deepEqual(compare(model, run.outputs, symbols), [], 'symbolic inference vs onnxruntime');
      const ambiguous = [...symbols].filter(([, lengths]) => lengths.size > 1).map(([s, lengths]) => `${s} = ${[...lengths]}`);
      assert.deepEqual(ambiguous, [], 'a symbol took two lengths');

      const concrete = inferShapes(model, { inputShapes: run.shapes, inputValues: run.values });
      assert.ok(concrete.coverage >= 0.95, `coverage with concrete shapes ${concrete.coverage.toFixed(3)} < 0.95`);
      assert.deepEqual(compare(model, run.outputs, new Map()), [], 'inference with concrete shapes vs onnxruntime');
      // With every input shape concrete, the graph outputs should be fully numeric wherever ORT's are not data-dependent.
      const outputsTyped = model.graph.outputs.filter((v) => v.type?.shape?.every((d) => d !== null)).length;
      assert.equal(outputsTyped, model.graph.outputs.length, 'every graph output has a full shape');
    });
  }
});
