/**
 * convert_to_fp16: weights and computation to float16 with float32 graph I/O (or not), block lists
 * (default, --op-block-list, --node-block-list) honoured, shape arithmetic and Resize's scales kept
 * float32, clamping counted, BatchNormalization statistics rescaled, cancelling Casts removed,
 * subgraphs converted inside a float32 boundary, an onnxruntime crash pattern avoided, idempotent;
 * every result runs in onnxruntime close to the original.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Model } from '../../src/ir/model.js';
import { float, ModelBuilder } from '../../src/ir/model-builder.js';
import { readTensorAsFloat32 } from '../../src/ir/tensor-data.js';
import { DataType } from '../../src/onnx/data-type.js';
import { createConvertToFp16, type Fp16Options } from '../../src/passes/convert-to-fp16.js';
import { passByName } from '../../src/passes/index.js';
import { ort } from '../../src/runtime/ort-session.js';
import { REAL_MODELS } from '../support/corpus.js';
import { accuracyOf, feedsFor } from '../quantize/precision-kit.js';
import { declinesOf, fixture, opCounts, runPasses, statsOf, type PassRun } from './pass-test-kit.js';

const PASS = 'convert_to_fp16';
const FLOAT = DataType.FLOAT!;
const FLOAT16 = DataType.FLOAT16!;

function convert(source: Parameters<typeof runPasses>[0], options: Fp16Options = {}, rounds?: number): Promise<PassRun> {
  return runPasses(source, [createConvertToFp16(options)], {}, rounds);
}

function seq(n: number, scale = 0.1, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + offset) * scale);
}

/** x[batch,16] → MatMul(W[16,8]) → Add(b) → Relu (named 'relu1') → Sigmoid → y. */
function mlp(weights = seq(128)) {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 16]);
  const w = b.initializer('W', 'float32', [16, 8], weights);
  const bias = b.initializer('b', 'float32', [8], seq(8, 0.05));
  const h = b.node('Add', [b.node('MatMul', ['x', w], {}, { name: 'matmul' }), bias], {}, { name: 'add' });
  const r = b.node('Relu', [h], {}, { name: 'relu1' });
  b.node('Sigmoid', [r], {}, { name: 'sigmoid', output: 'y' });
  b.output('y', 'float32', ['batch', 8]);
  return b.build();
}

function valueType(model: Model, name: string): number | undefined {
  for (const g of model.graph.allGraphs()) {
    const v = g.values.get(name);
    if (v) return v.initializer?.data_type ?? v.declaredType?.tensor_type?.elem_type;
  }
  return undefined;
}

/** The op type feeding input `index` of the node called `name`. */
function producerOf(model: Model, name: string, index = 0): string | undefined {
  const node = model.graph.nodes.find((n) => n.name === name);
  const p = node?.inputs[index]?.producer;
  return p ? `${p.opType}${p.opType === 'Cast' ? `(to ${p.intAttribute('to')})` : ''}` : undefined;
}

describe('convert_to_fp16 on built graphs', () => {
  test('weights become float16, graph I/O stays float32 behind Casts, outputs within the default gate', async () => {
    const run = await convert(mlp());
    assert.equal(valueType(run.model, 'W'), FLOAT16);
    assert.equal(valueType(run.model, 'b'), FLOAT16);
    const g = run.model.graph;
    assert.equal(g.inputs[0]!.declaredType?.tensor_type?.elem_type, FLOAT);
    assert.equal(g.outputs[0]!.declaredType?.tensor_type?.elem_type, FLOAT);
    assert.equal(g.outputs[0]!.name, 'y', 'the output keeps its name');
    assert.equal(opCounts(run.model).Cast, 2);
    assert.deepEqual(statsOf(run, PASS).converted, 4);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 2, { defaultDim: 3 }));
    assert.ok(acc!.cosine > 0.9999, `cosine ${acc!.cosine}`);
    assert.ok(acc!.maxAbsError < 2e-3, `max abs error ${acc!.maxAbsError}`);
  });

  test('--no-keep-io-types: inputs and outputs are float16 too, no Casts', async () => {
    const run = await convert(mlp(), { keepIoTypes: false });
    assert.equal(run.model.graph.inputs[0]!.declaredType?.tensor_type?.elem_type, FLOAT16);
    assert.equal(run.model.graph.outputs[0]!.declaredType?.tensor_type?.elem_type, FLOAT16);
    assert.equal(opCounts(run.model).Cast, undefined);
    const session = await ort.InferenceSession.create(run.bytes());
    const out = await session.run({ x: new ort.Tensor('float16', new Uint16Array(32).fill(0x3c00), [2, 16]) });
    assert.equal(out.y!.type, 'float16');
    await session.release();
  });

  test('weights beyond ±65504 are clamped, weights float16 would flush to 0 set to 2^-24, both counted', async () => {
    const weights = seq(128);
    weights[0] = 1e6;
    weights[1] = -7e4;
    weights[2] = 1e-9;
    weights[3] = 65510; // rounds to 65504 anyway: not a clamp
    const run = await convert(mlp(weights));
    assert.equal(statsOf(run, PASS).clampedOverflow, 2);
    assert.equal(statsOf(run, PASS).clampedUnderflow, 1);
    const stored = readTensorAsFloat32(run.model.graph.values.get('W')!.initializer!);
    assert.deepEqual([stored[0], stored[1], stored[2], stored[3]], [65504, -65504, 2 ** -24, 65504]);
  });

  test('--op-block-list and --node-block-list keep those nodes float32, with Casts around them', async () => {
    for (const options of [{ opBlockList: ['Relu'] }, { nodeBlockList: ['relu1'] }] as Fp16Options[]) {
      const run = await convert(mlp(), options);
      assert.equal(producerOf(run.model, 'relu1'), `Cast(to ${FLOAT})`);
      assert.equal(producerOf(run.model, 'sigmoid'), `Cast(to ${FLOAT16})`);
      assert.match(declinesOf(run, PASS).join(), /relu1 \(Relu\): kept float32: in --(op|node)-block-list/);
      const [acc] = await accuracyOf(run, feedsFor(run.original, 1));
      assert.ok(acc!.cosine > 0.9999);
    }
  });

  test('default block list and shape arithmetic: TopK and the float math on Shape stay float32', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2, 40]);
    const h = b.node('Relu', [b.node('Mul', ['x', b.initializer('s', 'float32', [40], seq(40, 1, 0.3))], {}, { name: 'scale' })], {}, { name: 'relu' });
    // k = int64(float(x.shape[1]) / 8): exporters write shape arithmetic in float like this.
    const n = b.node('Cast', [b.node('Gather', [b.node('Shape', ['x']), b.constant('int64', [], [1])], { axis: 0 })], { to: FLOAT }, { name: 'size_as_float' });
    const k = b.node('Cast', [b.node('Div', [n, b.constant('float32', [], [8])], {}, { name: 'size_div' })], { to: DataType.INT64 });
    const [values, indices] = b.node('TopK', [h, b.node('Unsqueeze', [k, b.constant('int64', [1], [0])])], { axis: 1 }, { name: 'topk', outputs: ['values', 'indices'] });
    b.output(values!, 'float32');
    b.output(indices!, 'int64');
    const run = await convert(b.build());
    const declines = declinesOf(run, PASS).join('\n');
    assert.match(declines, /topk \(TopK\): kept float32: ties after float16 rounding/);
    assert.match(declines, /size_div \(Div\): kept float32: computed only from Shape\/Size results and constants/);
    assert.equal(producerOf(run.model, 'topk'), `Cast(to ${FLOAT})`);
    assert.equal(valueType(run.model, 's'), FLOAT16);
    const accuracy = await accuracyOf(run, feedsFor(run.original, 2));
    assert.ok(accuracy.every((o) => !o.problem && o.cosine > 0.9999), JSON.stringify(accuracy));
  });

  test("Resize's scales stay float32 (its tensor(float) input); the data goes float16", async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', 'float32', [1, 2, 4, 4]);
    const c = b.node('Conv', ['x', b.initializer('w', 'float32', [2, 2, 1, 1], [0.5, 0.1, -0.2, 0.7])], {}, { name: 'conv' });
    b.node('Resize', [c, '', b.initializer('scales', 'float32', [4], [1, 1, 2, 2])], { mode: 'nearest' }, { name: 'resize', output: 'y' });
    b.output('y', 'float32', [1, 2, 8, 8]);
    const run = await convert(b.build());
    assert.equal(valueType(run.model, 'scales'), FLOAT);
    assert.equal(valueType(run.model, 'w'), FLOAT16);
    assert.equal(producerOf(run.model, 'resize'), 'Conv');
    const [acc] = await accuracyOf(run, feedsFor(run.original, 1));
    assert.ok(acc!.cosine > 0.9999);
  });

  test('a Cast pair that cancels (float16 → float32 → float16) is removed', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [3, 4]);
    const half = b.node('Cast', ['x'], { to: FLOAT16 }, { name: 'to_half' });
    const back = b.node('Cast', [half], { to: FLOAT }, { name: 'to_float' });
    b.node('Relu', [back], {}, { name: 'relu', output: 'y' });
    b.output('y', 'float32', [3, 4]);
    const run = await convert(b.build());
    assert.ok(statsOf(run, PASS).castsRemoved! >= 1);
    assert.equal(producerOf(run.model, 'relu'), `Cast(to ${FLOAT16})`, 'Relu reads the first Cast directly');
    assert.equal(run.model.graph.nodes.some((n) => n.name === 'to_float'), false);
    assert.equal(opCounts(run.model).Cast, 2, 'the model\'s own down-cast and the output Cast');
    // onnxruntime drops the original's own round trip at load, so the reference is not rounded: float16 rounding apart, the same.
    const [acc] = await accuracyOf(run, feedsFor(run.original, 1));
    assert.ok(acc!.maxAbsError < 1e-3, `max abs error ${acc!.maxAbsError}`);
  });

  test('BatchNormalization statistics beyond float16 are rescaled, not clamped', async () => {
    const b = new ModelBuilder({ opset: 11 });
    b.input('x', 'float32', [1, 2, 3, 3]);
    const c = b.node('Conv', ['x', b.initializer('w', 'float32', [2, 2, 1, 1], [300, 10, -20, 500])]);
    b.node('BatchNormalization', [c,
      b.initializer('gamma', 'float32', [2], [1.5, 0.5]), b.initializer('beta', 'float32', [2], [0.1, -0.2]),
      b.initializer('mean', 'float32', [2], [70000, -120]), b.initializer('var', 'float32', [2], [9.8e7, 2.5e5])],
    { epsilon: float(1e-5) }, { name: 'bn', output: 'y' });
    b.output('y', 'float32', [1, 2, 3, 3]);
    const run = await convert(b.build());
    const stats = statsOf(run, PASS);
    assert.equal(stats.batchNormsRescaled, 1);
    assert.equal(stats.clampedOverflow, 0);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 2));
    assert.ok(acc!.cosine > 0.9999, `cosine ${acc!.cosine}`);
  });

  test('a rank-3 Transpose feeding MatMul stays float32: onnxruntime (level all) would crash on it', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2, 3, 8]);
    const t = b.node('Transpose', ['x'], { perm: [1, 0, 2] }, { name: 'transpose' });
    b.node('MatMul', [t, b.initializer('w', 'float32', [8, 4], seq(32))], {}, { name: 'matmul', output: 'y' });
    b.output('y', 'float32', [3, 2, 4]);
    const run = await convert(b.build());
    assert.match(declinesOf(run, PASS).join(), /transpose \(Transpose\): kept float32: onnxruntime 1\.30/);
    // measureAccuracy opens sessions at the default level ('all'), where the crash was.
    const [acc] = await accuracyOf(run, feedsFor(run.original, 1));
    assert.ok(acc!.cosine > 0.9999);
  });

  test('running it again changes nothing', async () => {
    for (const source of [mlp(), fixture('control_flow'), fixture('transformer_block')]) {
      const run = await convert(source, {}, 3);
      const record = run.result.passes[0]!;
      assert.equal(record.roundsModified, 1, `${typeof source === 'string' ? source : 'mlp'}: modified in round 1 only`);
      assert.equal(run.result.rounds, 2);
    }
  });

  test('registered as a convert pass that no preset runs', async () => {
    const pass = passByName(PASS);
    assert.equal(pass?.kind, 'convert');
    const { presetPasses } = await import('../../src/passes/index.js');
    assert.equal(presetPasses('O2').some((p) => p.name === PASS), false);
  });
});

describe('convert_to_fp16 on fixtures and real models', () => {
  test('control flow: If and Loop keep float32 at their boundary, their bodies are converted', async () => {
    const run = await convert(fixture('control_flow'));
    const declines = declinesOf(run, PASS).join('\n');
    assert.match(declines, /choose \(If\): kept float32: control flow/);
    assert.match(declines, /accumulate_loop \(Loop\): kept float32: control flow/);
    const loop = run.model.graph.nodes.find((n) => n.opType === 'Loop')!;
    const body = loop.subgraphs[0]!.graph;
    const step = body.nodes.find((n) => n.name === 'step')!;
    assert.equal(step.inputs.every((v) => v?.producer?.opType === 'Cast'), true, 'the body converts its Mul behind Casts');
    for (const flag of [true, false]) {
      const feeds = feedsFor(run.original, 1, { shapes: new Map([['x', [2, 4]]]) }).map((f) => ({
        ...f, flag: new ort.Tensor('bool', Uint8Array.of(flag ? 1 : 0), []), steps: new ort.Tensor('int64', BigInt64Array.of(3n), []),
      }));
      const accuracy = await accuracyOf(run, feeds);
      assert.ok(accuracy.every((o) => o.cosine > 0.9999), JSON.stringify(accuracy));
    }
  });

  test('PP-OCR direction classifier (weights in Constant nodes): half the weight bytes, same class', async () => {
    const run = await convert(corpusFile('ppocr-cls'));
    assert.ok(run.bytes().length < run.original.length * 0.54, `${run.bytes().length} of ${run.original.length} bytes`);
    const accuracy = await accuracyOf(run, feedsFor(run.original, 2, { shapes: new Map([['x', [1, 3, 48, 192]]]) }));
    assert.ok(accuracy[0]!.cosine > 0.999, JSON.stringify(accuracy));
    assert.equal(accuracy[0]!.top1, 1, 'softmax output: the class agrees');
  });
});

function corpusFile(name: string): string {
  const entry = REAL_MODELS.find((m) => m.name === name);
  if (!entry) throw new Error(`no corpus model ${name}`);
  return entry.file;
}
