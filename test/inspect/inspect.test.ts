/**
 * inspect() on models built for each question: header fields, op histograms with custom domains and
 * subgraphs, initializer-inputs, parameters and external data, warnings, --input-shape, --nodes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import { saveModel } from '../../src/ir/model-file.js';
import { inspect } from '../../src/inspect/inspect.js';
import type { InspectWarning } from '../../src/inspect/report-types.js';
import { repoRoot } from '../support/corpus.js';
import { createMessage } from '../../src/onnx/codec.js';
import type { ModelProto, ValueInfoProto } from '../../src/onnx/proto-types.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-inspect-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const inMemory = (proto: ModelProto) => modelFromProto(proto, 'test.onnx');
const warning = (warnings: InspectWarning[], code: InspectWarning['code']) => warnings.find((w) => w.code === code);

test('the header: IR version, opsets (ai.onnx named), producer, domain, model version, doc string, metadata', () => {
  const b = new ModelBuilder({
    opset: 17, irVersion: 8, producer: 'unit-test', producerVersion: '1.2.3', domain: 'org.example',
    modelVersion: 42, docString: 'A model.\nSecond line.', graphName: 'g', opsetImports: { 'com.microsoft': 1 },
  });
  b.metadata('author', 'someone');
  const x = b.input('x', 'float32', ['batch', 4]);
  b.output(b.node('Relu', [x], {}, { output: 'y' }), 'float32', ['batch', 4]);
  const r = inspect(inMemory(b.build()));
  assert.equal(r.schemaVersion, 1);
  assert.equal(r.file, null);
  assert.equal(r.irVersion, 8);
  assert.deepEqual(r.opsetImport, { 'ai.onnx': 17, 'com.microsoft': 1 });
  assert.deepEqual(r.producer, { name: 'unit-test', version: '1.2.3' });
  assert.equal(r.domain, 'org.example');
  assert.equal(r.modelVersion, 42);
  assert.equal(r.docString, 'A model.\nSecond line.');
  assert.equal(r.graphName, 'g');
  assert.deepEqual(r.metadata, { author: 'someone' });
  assert.deepEqual(r.inputs, [{ name: 'x', dtype: 'float32', shape: ['batch', 4] }]);
  assert.deepEqual(r.outputs, [{ name: 'y', dtype: 'float32', shape: ['batch', 4] }]);
  assert.equal(r.parameters.externalData, null);
});

test('absent header fields are null, not empty strings or zeros', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [1]);
  b.output(b.node('Relu', [x]), 'float32', [1]);
  const r = inspect(inMemory(b.build()));
  assert.deepEqual(r.producer, { name: null, version: null });
  assert.equal(r.domain, null);
  assert.equal(r.modelVersion, null);
  assert.equal(r.docString, null);
  assert.deepEqual(r.metadata, {});
});

test('opCounts: custom domains keyed domain::Op, summing to nodeCount; subgraph nodes counted apart', () => {
  const b = new ModelBuilder({ opset: 17, opsetImports: { 'com.microsoft': 1, 'com.acme': 1 } });
  const x = b.input('x', 'float32', [2]);
  const c = b.input('c', 'bool', []);
  const g = b.node('Gelu', [x], {}, { domain: 'com.microsoft' });
  const a = b.node('Thing', [g], {}, { domain: 'com.acme' });
  const then = b.subgraph('then');
  const t1 = then.node('Relu', [a]);
  then.output(then.node('Neg', [t1]), 'float32', [2]);
  const els = b.subgraph('else');
  els.output(els.node('Sigmoid', [a]), 'float32', [2]);
  const y = b.node('If', [c], { then_branch: then, else_branch: els }, { output: 'y' });
  const z = b.node('Add', [y, x], {}, { output: 'z' });
  b.output(z, 'float32', [2]);
  const r = inspect(inMemory(b.build()));

  assert.equal(r.nodeCount, 4);
  assert.deepEqual(r.opCounts, { Add: 1, 'com.acme::Thing': 1, 'com.microsoft::Gelu': 1, If: 1 });
  assert.equal(r.subgraphs.count, 2);
  assert.equal(r.subgraphs.nodeCount, 3);
  assert.deepEqual(r.subgraphs.opCounts, { Neg: 1, Relu: 1, Sigmoid: 1 });
  assert.deepEqual(r.subgraphs.owners.map((o) => [o.opType, o.attribute, o.depth, o.nodeCount]), [['If', 'then_branch', 1, 2], ['If', 'else_branch', 1, 1]]);
  assert.deepEqual(r.customOps, [
    { domain: 'com.acme', opType: 'Thing', count: 1, implementedBy: 'unknown' },
    { domain: 'com.microsoft', opType: 'Gelu', count: 1, implementedBy: 'onnxruntime' },
  ]);
  const unsupported = warning(r.warnings, 'unsupported-op');
  assert.deepEqual(unsupported?.items, ["com.acme::Thing ×1: domain 'com.acme' is not registered in onnxruntime (it needs a custom-op library)"]);
  // The If's compute lives in its branches, which run data-dependently: reported, not counted.
  assert.equal(r.compute.subgraphNodesExcluded, 3);
  assert.equal(r.compute.complete, false);
});

test('a model-local function implements its custom op', () => {
  const b = new ModelBuilder({ opset: 17 });
  const fn = b.function('com.local', 'Twice');
  const i = fn.input('i');
  fn.output(fn.node('Add', [i, i], {}, { output: 'o' }));
  const x = b.input('x', 'float32', [3]);
  b.output(b.node('Twice', [x], {}, { domain: 'com.local', output: 'y' }), 'float32', [3]);
  const r = inspect(inMemory(b.build()));
  assert.deepEqual(r.functions.names, ['com.local::Twice']);
  assert.deepEqual(r.customOps, [{ domain: 'com.local', opType: 'Twice', count: 1, implementedBy: 'model-function' }]);
  assert.equal(warning(r.warnings, 'unsupported-op'), undefined);
});

test('initializers an IR 3 file also lists as graph inputs are reported apart from the real inputs', () => {
  const b = new ModelBuilder({ opset: 7, irVersion: 3 });
  const x = b.input('x', 'float32', [1, 4]);
  const w = b.initializer('w', 'float32', [4, 2], new Float32Array(8));
  b.output(b.node('MatMul', [x, w], {}, { output: 'y' }), 'float32', [1, 2]);
  const proto = b.build();
  // What IR 3 exporters wrote: the initializer once more, as a graph input.
  proto.graph!.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name: 'w', type: tensorTypeToProto({ dtype: 1, shape: [4, 2] }) }));
  const r = inspect(inMemory(proto));
  assert.deepEqual(r.inputs, [{ name: 'x', dtype: 'float32', shape: [1, 4] }]);
  assert.deepEqual(r.initializerInputs, [{ name: 'w', dtype: 'float32', shape: [4, 2] }]);
  assert.deepEqual(warning(r.warnings, 'initializer-input')?.items, ['w']);
});

test('parameters by dtype (largest first), Constant nodes apart, and external data files from the file', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 64]);
  const w = b.initializer('w', 'float32', [64, 10], new Float32Array(640));
  const shape = b.initializer('shape', 'int64', [2], [1, 10]);
  const k = b.constant('float16', [3], new Uint16Array(3));
  const y = b.node('MatMul', [x, w]);
  const r1 = b.node('Reshape', [y, shape]);
  b.output(b.node('Add', [r1, b.node('Cast', [k], { to: 1 })], {}, { output: 'out' }), 'float32', [1, 10]);
  const file = path.join(tmp, 'params.onnx');
  saveModel(b.build(), file, { externalData: { thresholdBytes: 1000, location: 'params.bin' } });

  const r = inspect(file);
  assert.deepEqual(r.file, { path: file, bytes: fs.statSync(file).size });
  assert.deepEqual(r.parameters.byDtype, {
    float32: { tensors: 1, count: 640, bytes: 2560 },
    int64: { tensors: 1, count: 2, bytes: 16 },
  });
  assert.deepEqual(Object.keys(r.parameters.byDtype), ['float32', 'int64']);
  assert.equal(r.parameters.count, 642);
  assert.equal(r.parameters.bytes, 2576);
  assert.equal(r.parameters.tensors, 2);
  assert.deepEqual(r.parameters.constants, { tensors: 1, count: 3, bytes: 6 });
  assert.deepEqual(r.parameters.externalData, { tensors: 1, bytes: 2560, files: [{ location: 'params.bin', tensors: 1, bytes: 2560 }] });
  // The same model in memory knows nothing of files.
  assert.equal(inspect(inMemory(b.build())).parameters.externalData, null);
});

test('warnings: unused initializer, unused input, dangling output; a clean model has none', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2]);
  b.input('spare', 'float32', [2]);
  b.initializer('unused_w', 'float32', [2], [1, 2]);
  const [kept] = b.node('Split', [x], { axis: 0, num_outputs: 2 }, { outputs: ['kept', 'dropped'] });
  b.output(b.node('Relu', [kept!], {}, { output: 'y' }), 'float32', [1]);
  const r = inspect(inMemory(b.build()));
  assert.deepEqual(warning(r.warnings, 'unused-initializer')?.items, ['unused_w']);
  assert.deepEqual(warning(r.warnings, 'unused-input')?.items, ['spare']);
  assert.deepEqual(warning(r.warnings, 'dangling-value')?.items, ['dropped (output of Split_0 (Split))']);
  assert.equal(warning(r.warnings, 'dangling-value')?.severity, 'info');
  assert.match(warning(r.warnings, 'unused-initializer')!.message, /^1 initializer no node reads$/);

  const clean = new ModelBuilder({ opset: 17 });
  const cx = clean.input('x', 'float32', [2]);
  clean.output(clean.node('Relu', [cx]), 'float32', [2]);
  assert.deepEqual(inspect(inMemory(clean.build())).warnings, []);
});

test('warnings: what onnxruntime cannot run — too new an opset, an op newer than the opset, deprecated ops, retired experimental ones', () => {
  const r = (build: (b: ModelBuilder, x: string) => string, opts: ConstructorParameters<typeof ModelBuilder>[0]) => {
    const b = new ModelBuilder(opts);
    const x = b.input('x', 'float32', [1, 1, 2, 2]);
    b.output(build(b, x), 'float32');
    return inspect(inMemory(b.build())).warnings;
  };
  const opset27 = r((b, x) => b.node('Relu', [x]), { opset: 27, irVersion: 10 });
  assert.deepEqual(warning(opset27, 'unsupported-opset')?.items, ['ai.onnx opset 27 is newer than onnxruntime 1.30.0 supports (up to 26)']);

  const gelu = r((b, x) => b.node('Gelu', [x]), { opset: 17 });
  assert.deepEqual(warning(gelu, 'unsupported-op')?.items, ['Gelu ×1: first defined at opset 20; the model imports 17']);
  assert.equal(warning(r((b, x) => b.node('Gelu', [x]), { opset: 20 }), 'unsupported-op'), undefined);

  const upsample = r((b, x) => b.node('Upsample', [x, b.initializer('s', 'float32', [4], [1, 1, 2, 2])]), { opset: 10, irVersion: 5 });
  assert.deepEqual(warning(upsample, 'unsupported-op')?.items, ['Upsample ×1: deprecated from opset 10']);

  const crop7 = r((b, x) => b.node('Crop', [x], { border: [0, 0, 0, 0] }), { opset: 7, irVersion: 3 });
  assert.equal(warning(crop7, 'unsupported-op'), undefined);
  assert.deepEqual(warning(crop7, 'legacy-op')?.items, ['Crop ×1: experimental op, dropped from ONNX at opset 10']);
  const crop11 = r((b, x) => b.node('Crop', [x], { border: [0, 0, 0, 0] }), { opset: 11, irVersion: 6 });
  assert.deepEqual(warning(crop11, 'unsupported-op')?.items, ['Crop ×1: experimental op removed from ONNX at opset 10; onnxruntime runs it only in models of opset < 10']);

  const unknown = r((b, x) => b.node('NoSuchOp', [x]), { opset: 17 });
  assert.deepEqual(warning(unknown, 'unsupported-op')?.items, ['NoSuchOp ×1: not an ai.onnx operator']);
});

test('--input-shape pins symbolic dims: shapes and FLOPs become known; a bad pin is an MlserveError', () => {
  const build = () => {
    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['batch', 8]);
    const w = b.initializer('w', 'float32', [8, 4], new Float32Array(32));
    b.output(b.node('MatMul', [x, w], {}, { output: 'y' }), 'float32', ['batch', 4]);
    return inMemory(b.build());
  };
  const free = inspect(build());
  assert.deepEqual(free.outputs, [{ name: 'y', dtype: 'float32', shape: ['batch', 4] }]);
  assert.equal(free.compute.macs, 8 * 4, 'counted per sample');
  assert.deepEqual(free.compute.assumedInputShapes, { x: [1, 8] });

  const pinned = inspect(build(), { inputShapes: { x: [3, 8] } });
  assert.deepEqual(pinned.inputs, [{ name: 'x', dtype: 'float32', shape: [3, 8] }]);
  assert.deepEqual(pinned.outputs, [{ name: 'y', dtype: 'float32', shape: [3, 4] }]);
  assert.equal(pinned.compute.macs, 3 * 8 * 4);
  assert.equal(pinned.compute.complete, true);
  assert.deepEqual(pinned.shapeInference.inputShapes, { x: [3, 8] });
  assert.equal(pinned.shapeCoverage, 1);

  const invalid = (shapes: Record<string, number[]>, pattern: RegExp) => assert.throws(() => inspect(build(), { inputShapes: shapes }), (e: unknown) => {
    assert.ok(e instanceof MlserveError);
    assert.equal(e.code, 'MLS_ERR_INVALID_ARGUMENT');
    assert.match(e.message, pattern);
    return true;
  });
  invalid({ nope: [1, 8] }, /no input of that name \(inputs: x\)/);
  invalid({ x: [1, 8, 1] }, /rank 2/);
  invalid({ x: [1, 9] }, /dim 1 of the input is fixed at 8/);
});

test('--nodes lists every node with typed inputs, outputs and attributes; --op keeps one op type', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const w = b.initializer('w', 'float32', [4, 3, 3, 3], new Float32Array(108));
  const c = b.node('Conv', [x, w], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, { name: 'conv', output: 'c' });
  const r1 = b.node('Relu', [c], {}, { name: 'relu', output: 'r' });
  b.output(b.node('Flatten', [r1], { axis: 1 }, { name: 'flat', output: 'y' }), 'float32');
  const model = inMemory(b.build());

  assert.equal(inspect(model).nodes, undefined);
  const all = inspect(model, { nodes: true }).nodes!;
  assert.deepEqual(all.map((n) => n.name), ['conv', 'relu', 'flat']);
  const conv = all[0]!;
  assert.deepEqual(conv, {
    name: 'conv', opType: 'Conv', domain: 'ai.onnx', graph: 'main',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }, { name: 'w', dtype: 'float32', shape: [4, 3, 3, 3] }],
    outputs: [{ name: 'c', dtype: 'float32', shape: [1, 4, 8, 8] }],
    attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
  });
  assert.deepEqual(all[2]!.outputs, [{ name: 'y', dtype: 'float32', shape: [1, 256] }]);
  assert.deepEqual(inspect(model, { op: 'Relu' }).nodes!.map((n) => n.name), ['relu']);
});

test('the README documents every field of the --json document', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('### inspect --json schema');
  assert.ok(start >= 0, 'README has the schema section');
  const section = readme.slice(start, readme.indexOf('\n### ', start + 1));

  // A model that fills every optional part: subgraphs, custom ops, external data, warnings, nodes.
  const b = new ModelBuilder({ opset: 17, opsetImports: { 'com.acme': 1 } });
  const x = b.input('x', 'float32', [2]);
  const c = b.input('c', 'bool', []);
  const w = b.initializer('w', 'float32', [2], [1, 2]);
  b.initializer('unused', 'float32', [2], [1, 2]);
  const then = b.subgraph('then');
  then.output(then.node('Relu', [x]), 'float32', [2]);
  const els = b.subgraph('else');
  els.output(els.node('Neg', [x]), 'float32', [2]);
  const y = b.node('If', [c], { then_branch: then, else_branch: els });
  b.output(b.node('Thing', [y, w], {}, { domain: 'com.acme' }), 'float32', [2]);
  const file = path.join(tmp, 'schema.onnx');
  saveModel(b.build(), file, { externalData: { thresholdBytes: 0 } });
  const report = JSON.parse(JSON.stringify(inspect(file, { nodes: true }))) as Record<string, unknown>;

  const documented = (key: string, parent?: string) =>
    section.includes(`\`${key}\``) || section.includes(`\`${key}.`) || section.includes(`\`${key}[]\``) || section.includes(`.${key}\``) || (parent !== undefined && section.includes(`\`${parent}.${key}`))
    || new RegExp(`[{,] ${key}[,}: ]`).test(section);
  // Maps keyed by data (op types, dtypes, domains, names) are documented as maps, not key by key.
  const maps = new Set(['opsetImport', 'metadata', 'opCounts', 'byDtype', 'byOpType', 'uncountedOpTypes', 'inputShapes', 'attributes']);
  const walk = (value: unknown, parent: string | undefined) => {
    if (Array.isArray(value)) { if (value[0] !== undefined) walk(value[0], parent); return; }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      assert.ok(documented(key, parent), `README documents '${parent ? `${parent}.` : ''}${key}'`);
      if (!maps.has(key)) walk(child, key);
    }
  };
  walk(report, undefined);
});
