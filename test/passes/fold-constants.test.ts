/**
 * fold_constants: constant subgraphs computed by onnxruntime and stored as initializers — on graphs
 * built for each rule (names kept, subgraph bodies, the size limit before and after computing,
 * onnxruntime failures isolated, initializers that are graph inputs) and on real models.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { readTensorAsNumbers } from '../../src/ir/tensor-data.js';
import { createMessage } from '../../src/onnx/codec.js';
import type { ModelProto, ValueInfoProto } from '../../src/onnx/proto-types.js';
import { DEFAULT_PASS_OPTIONS, type PassOptions } from '../../src/passes/pass.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';
import { ort } from '../../src/runtime/ort-session.js';
import { checkModels, onnxCheckerAvailable } from '../support/onnx-checker.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus, runPasses, sileroFeeds, statsOf } from './pass-test-kit.js';
import { writeTemp } from '../support/temp-files.js';

const PASSES = ['fold_constants', 'eliminate_dead_code'];

async function pipeline(proto: ModelProto, options: Partial<PassOptions> = {}) {
  return runPasses(proto, PASSES, options);
}

test('a constant subgraph is computed once and becomes initializers under the same names; a folded graph output stays an output', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 3]);
  b.initializer('w', 'float32', [3], [1, 2, 3]);
  b.constant('float32', [], [2], { output: 'two', name: 'two' });
  b.node('Mul', ['w', 'two'], {}, { output: 'w2', name: 'scale' });
  b.node('Sqrt', ['w2'], {}, { output: 'w3', name: 'root' });
  b.node('Add', ['x', 'w3'], {}, { output: 'y', name: 'add' });
  b.output('y', 'float32', ['batch', 3]);
  b.output('w2', 'float32', [3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Add']);
  assert.equal(statsOf(report, 'fold_constants').folded, 3);
  const w3 = model.graph.values.get('w3')!;
  assert.ok(w3.initializer, 'w3 keeps its name, now as an initializer');
  assert.deepEqual([...readTensorAsNumbers(w3.initializer)].map((v) => +v.toFixed(5)), [1.41421, 2, 2.44949]);
  assert.ok(model.graph.values.get('w2')!.initializer && model.graph.outputs.some((v) => v.name === 'w2'));
  assert.equal(report.check?.ok, true);
});

test('nondeterministic ops, subgraph owners and DequantizeLinear stay, each with its reason', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.initializer('cond', 'bool', [], [true]);
  b.initializer('w', 'float32', [4], [1, 2, 3, 4]);
  b.node('RandomUniformLike', ['w'], { seed: 1 }, { output: 'noise', name: 'noise' });
  b.initializer('q', 'int8', [4], [1, -2, 3, -4]);
  b.initializer('scale', 'float32', [], [0.5]);
  b.node('DequantizeLinear', ['q', 'scale'], {}, { output: 'dq', name: 'dq' });
  const then = b.subgraph('then');
  then.node('Neg', ['w'], {}, { output: 'then_out', name: 'then_neg' });
  then.output('then_out', 'float32', [4]);
  const otherwise = b.subgraph('else');
  otherwise.node('Abs', ['w'], {}, { output: 'else_out', name: 'else_abs' });
  otherwise.output('else_out', 'float32', [4]);
  b.node('If', ['cond'], { then_branch: then, else_branch: otherwise }, { output: 'branch', name: 'if' });
  b.node('Sum', ['noise', 'dq', 'branch'], {}, { output: 'y', name: 'sum' });
  b.output('y', 'float32', [4]);
  const { model, result } = await pipeline(b.build());
  assert.deepEqual(opCounts(model), { RandomUniformLike: 1, DequantizeLinear: 1, If: 1, Sum: 1 }, 'the constant nodes inside both branches folded');
  const reasons = new Map(result.declines.filter((d) => d.pass === 'fold_constants').map((d) => [d.node, d.reason]));
  assert.equal(reasons.get('noise (RandomUniformLike)'), 'RandomUniformLike is nondeterministic');
  assert.match(reasons.get('dq (DequantizeLinear)')!, /keeps quantized weights quantized/);
  assert.match(reasons.get('if (If)')!, /has subgraphs/);
  const ifNode = model.graph.nodes.find((n) => n.opType === 'If')!;
  for (const sub of ifNode.subgraphs) {
    assert.equal(sub.graph.nodes.length, 0);
    assert.ok(sub.graph.outputs[0]!.initializer, `${sub.attribute}'s output is now an initializer of the body`);
  }
});

test('constants inside If branches fold, and both branches still compute what they did', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('cond', 'bool', []);
  b.input('x', 'float32', [3]);
  b.initializer('w', 'float32', [3], [1, 4, 9]);
  const then = b.subgraph('then');
  then.constant('float32', [3], [1, 1, 1], { output: 'ones', name: 'ones' });
  then.node('Add', ['w', 'ones'], {}, { output: 'w1', name: 'w_plus_1' });
  then.node('Mul', ['x', 'w1'], {}, { output: 'then_out', name: 'then_mul' });
  then.output('then_out', 'float32', [3]);
  const otherwise = b.subgraph('else');
  otherwise.node('Sqrt', ['w'], {}, { output: 'root', name: 'root' });
  otherwise.node('Sub', ['x', 'root'], {}, { output: 'else_out', name: 'else_sub' });
  otherwise.output('else_out', 'float32', [3]);
  b.node('If', ['cond'], { then_branch: then, else_branch: otherwise }, { output: 'y', name: 'if' });
  b.output('y', 'float32', [3]);
  const x = new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]);
  const feeds = [true, false].map((c) => ({ cond: new ort.Tensor('bool', Uint8Array.of(c ? 1 : 0), []), x }));
  const { model, report } = await optimizeBuilt(b.build(), PASSES, { feeds });
  assert.equal(report.check?.runs, 2);
  assert.deepEqual(opCounts(model), { If: 1, Mul: 1, Sub: 1 });
});

test('a result over the size limit and over its inputs stays unfolded (ConstantOfShape); a higher limit folds it', async () => {
  const build = () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [1, 1024]);
    b.initializer('shape', 'int64', [2], [1024, 1024]);
    b.node('ConstantOfShape', ['shape'], { value: b.tensor('float32', [1], [0.5]) }, { output: 'big', name: 'big' });
    b.node('Add', ['x', 'big'], {}, { output: 'y', name: 'add' });
    b.output('y', 'float32', [1024, 1024]);
    return b.build();
  };
  const kept = await optimizeBuilt(build(), PASSES, { check: 1 });
  assert.deepEqual(opTypes(kept.model), ['ConstantOfShape', 'Add']);
  assert.equal(declines(kept.report, 'fold_constants').get('big (ConstantOfShape)'),
    "result 'big' would be 4194304 bytes, over the fold size limit (1048576) and its inputs' 16");
  const folded = await optimizeBuilt(build(), PASSES, { check: 1, passOptions: { foldSizeLimitBytes: 8 << 20 } });
  assert.deepEqual(opTypes(folded.model), ['Add']);
  assert.equal(folded.report.bytesAfter, 4 << 20);
});

test('a result shape inference could not size is measured after computing: too big, it is discarded, and what it reads stays available', async () => {
  // Range's length depends on ReduceSum's value, which inference does not follow.
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'int64', [1]);
  b.initializer('parts', 'int64', [3], [100000, 100000, 100000]);
  b.node('ReduceSum', ['parts'], { keepdims: 0 }, { output: 'limit', name: 'limit' });
  b.initializer('zero', 'int64', [], [0]);
  b.initializer('one', 'int64', [], [1]);
  b.node('Range', ['zero', 'limit', 'one'], {}, { output: 'r', name: 'range' });
  b.node('Add', ['r', 'x'], {}, { output: 'y', name: 'add' });
  b.output('y', 'int64', [null]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES, { check: 1 });
  assert.deepEqual(opTypes(model), ['Range', 'Add']);
  assert.deepEqual(readTensorAsNumbers(model.graph.values.get('limit')!.initializer!), [300000]);
  assert.equal(declines(report, 'fold_constants').get('range (Range)'),
    "result 'r' would be 2400000 bytes, over the fold size limit (1048576) and its inputs' 24");
});

test('a node onnxruntime fails on is isolated and named; the rest of the batch folds', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [4]);
  b.initializer('six', 'float32', [6], [1, 2, 3, 4, 5, 6]);
  b.initializer('bad_shape', 'int64', [1], [4]);
  b.node('Reshape', ['six', 'bad_shape'], {}, { output: 'bad', name: 'bad_reshape' });
  b.initializer('w', 'float32', [4], [1, 2, 3, 4]);
  b.node('Neg', ['w'], {}, { output: 'neg', name: 'neg' });
  b.node('Exp', ['neg'], {}, { output: 'good', name: 'exp' });
  b.node('Sum', ['x', 'bad', 'good'], {}, { output: 'y', name: 'sum' });
  b.output('y', 'float32', [4]);
  const { model, result } = await pipeline(b.build());
  assert.deepEqual(opTypes(model), ['Reshape', 'Sum']);
  const reason = result.declines.find((d) => d.node === 'bad_reshape (Reshape)')?.reason ?? '';
  assert.match(reason, /^onnxruntime could not compute it: .+/);
});

/** w is an initializer AND a graph input: callers may feed their own. */
function initializerInput(irVersion: number, opset: number): ModelProto {
  const b = new ModelBuilder({ opset, irVersion });
  b.input('x', 'float32', [2]);
  b.initializer('w', 'float32', [2], [1, 4]);
  b.node('Sqrt', ['w'], {}, { output: 'root', name: 'root' });
  b.node('Mul', ['x', 'root'], {}, { output: 'y', name: 'mul' });
  b.output('y', 'float32', [2]);
  const proto = b.build();
  const graph = proto.graph!;
  graph.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name: 'w', type: tensorTypeToProto({ dtype: 1, shape: [2] }) }));
  return proto;
}

test('initializers that are graph inputs are not constants at IR 4+ unless foldInitializerInputs; at IR 3 they are, and results are listed as inputs too', async () => {
  const kept = await optimizeBuilt(initializerInput(4, 11), PASSES);
  assert.deepEqual(opTypes(kept.model), ['Sqrt', 'Mul']);

  const folded = await optimizeBuilt(initializerInput(4, 11), PASSES, { passOptions: { foldInitializerInputs: true } });
  assert.deepEqual(opTypes(folded.model), ['Mul']);
  assert.equal(folded.model.graph.values.get('root')!.isGraphInput, false);

  const ir3 = await optimizeBuilt(initializerInput(3, 9), PASSES);
  assert.deepEqual(opTypes(ir3.model), ['Mul']);
  const root = ir3.model.graph.values.get('root')!;
  assert.ok(root.initializer && root.isGraphInput, 'IR 3 requires every initializer to be a graph input');
  if (onnxCheckerAvailable()) {
    const file = writeTemp(ir3.model.toProto(), 'ir3-folded');
    assert.deepEqual(checkModels([file]), { [file]: null });
  }
});

test('real models: PP-OCRv4 rec, yolox_nano and ultraface fold, check equal in onnxruntime', async (t) => {
  const rec = await optimizeCorpus('ppocr-v4-rec', PASSES);
  assert.equal(opCounts(rec.model).Constant, undefined, 'every Constant node became an initializer');
  assert.ok(rec.report.nodesAfter <= rec.report.nodesBefore - 340, `${rec.report.nodesBefore} → ${rec.report.nodesAfter}`);

  // yolox_nano: every initializer feeds a node that also reads the image; nothing is constant.
  const yolox = await optimizeCorpus('yolox_nano', PASSES);
  assert.equal(yolox.report.nodesAfter, yolox.report.nodesBefore);

  // ultraface (IR 4): its 244 weights are graph inputs too and stay that way; its Constant nodes
  // and the shape arithmetic on them fold.
  const face = await optimizeCorpus('ultraface_version-RFB-320', PASSES);
  assert.equal(opCounts(face.model).Constant, undefined);
  assert.equal(face.model.graph.inputs.filter((v) => v.initializer).length, 244);
  assert.equal(statsOf(face.report, 'fold_constants').folded, 47);
  for (const run of [rec, yolox, face]) {
    assert.equal(run.report.check?.ok, true);
    t.diagnostic(`${run.report.input.split('/').pop()}: nodes ${run.report.nodesBefore} → ${run.report.nodesAfter}`);
  }
});

test('real models: Silero VAD v5 folds the constants inside its If branches; the If nodes stay; both sample rates compute the same', async (t) => {
  const { model, report } = await optimizeCorpus('silero-vad-v5', PASSES, { feeds: sileroFeeds('silero-vad-v5') });
  assert.equal(opCounts(model).Constant, undefined);
  assert.equal(opCounts(model).If, 25);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`silero v5: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});

test('real models: light ResNet-50 (IR 3, weights made by ConstantOfShape) folds only what stays under the size limit', async (t) => {
  const { model, report } = await optimizeCorpus('light_resnet50', PASSES);
  const left = model.graph.nodes.filter((n) => n.opType === 'ConstantOfShape');
  assert.equal(left.length, 18, 'the weights over 1 MiB are still made at load time');
  for (const n of left) {
    const dims = readTensorAsNumbers(n.inputs[0]!.initializer!);
    assert.ok(dims.reduce((a, b) => a * b, 4) > DEFAULT_PASS_OPTIONS.foldSizeLimitBytes);
  }
  assert.ok(report.bytesAfter < 20e6, `materialised ${report.bytesAfter} bytes, not the ~100 MB of all weights`);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`light_resnet50: nodes ${report.nodesBefore} → ${report.nodesAfter}, initializer bytes ${report.bytesBefore} → ${report.bytesAfter}`);
});
