/**
 * fuse_transposes_through_elementwise: Transposes move through elementwise ops and keepdims
 * reductions so inverse pairs cancel (constants are transposed, Reshape targets re-laid, reduction
 * axes remapped); a region whose rewrite would not remove more Transposes than it adds stays.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { readTensorAsNumbers, tensorDims } from '../../src/ir/tensor-data.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';
import { optimizeCorpus, statsOf as reportStats } from './pass-test-kit.js';

const PASS = 'fuse_transposes_through_elementwise';
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const sin = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i + 1));

describe('fuse_transposes_through_elementwise', () => {
  test('Transpose → Relu → Add(per-channel constant) → Mul(scalar) → inverse Transpose: no Transpose left, the constant re-laid', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', 'float32', [1, 5, 6, 3]);
    b.node('Transpose', ['x'], { perm: TO_NCHW }, { output: 't' });
    b.node('Relu', ['t'], {}, { output: 'r' });
    b.node('Add', ['r', b.initializer('bias', 'float32', [3, 1, 1], [0.5, -1, 2])], {}, { output: 'a', name: 'add' });
    b.node('Mul', ['a', b.initializer('two', 'float32', [], [2])], {}, { output: 'm' });
    b.node('Transpose', ['m'], { perm: TO_NHWC }, { output: 'y' });
    b.output('y', 'float32', [1, 5, 6, 3]);
    const run = await runPasses(b.build(), [PASS]);
    assert.deepEqual(opCounts(run.model), { Relu: 1, Add: 1, Mul: 1 });
    const bias = run.model.graph.nodes.find((n) => n.name === 'add')!.inputs[1]!.initializer!;
    assert.deepEqual(tensorDims(bias), [1, 1, 1, 3]);
    assert.deepEqual(readTensorAsNumbers(bias), [0.5, -1, 2]);
    assert.equal(run.model.graph.lookup('y')!.producer!.opType, 'Mul', 'the output keeps its name');
    assert.deepEqual(statsOf(run, PASS), { applied: 1, declined: 0, removed: 2 });
    await assertEquivalent(run);
  });

  test('a keepdims reduction inside the region gets its axes remapped (instance-norm style Sub of the mean)', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', 'float32', [2, 3, 4, 5]);
    b.node('Transpose', ['x'], { perm: TO_NHWC }, { output: 't' });
    b.node('ReduceMean', ['t'], { axes: [1, 2], keepdims: 1 }, { output: 'mean', name: 'mean' });
    b.node('Sub', ['t', 'mean'], {}, { output: 'centred' });
    b.node('Transpose', ['centred'], { perm: TO_NCHW }, { output: 'y' });
    b.output('y', 'float32');
    const run = await runPasses(b.build(), [PASS]);
    assert.deepEqual(opCounts(run.model), { ReduceMean: 1, Sub: 1 });
    assert.deepEqual(run.model.graph.nodes.find((n) => n.name === 'mean')!.intsAttribute('axes'), [2, 3]);
    await assertEquivalent(run);
  });

  test('two entries meeting in an Add, and a Reshape feeding the region re-laid instead of transposed (the OSNet gate)', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('a', 'float32', [1, 3, 4, 5]);
    b.input('c', 'float32', [1, 3, 4, 5]);
    b.input('g', 'float32', [1, 3]);
    b.node('Transpose', ['a'], { perm: TO_NHWC }, { output: 'ta' });
    b.node('Transpose', ['c'], { perm: TO_NHWC }, { output: 'tc' });
    b.node('Reshape', ['g', b.initializer('gshape', 'int64', [4], [1, 1, 1, 3])], {}, { output: 'g4', name: 'gate_reshape' });
    b.node('Sigmoid', ['g4'], {}, { output: 'gate' });
    b.node('Mul', ['ta', 'gate'], {}, { output: 'gated' });
    b.node('Add', ['gated', 'tc'], {}, { output: 'sum' });
    b.node('Transpose', ['sum'], { perm: TO_NCHW }, { output: 'y' });
    b.output('y', 'float32');
    const run = await runPasses(b.build(), [PASS]);
    assert.deepEqual(opCounts(run.model), { Reshape: 1, Sigmoid: 1, Mul: 1, Add: 1 });
    const reshape = run.model.graph.nodes.find((n) => n.name === 'gate_reshape')!;
    assert.deepEqual(readTensorAsNumbers(reshape.inputs[1]!.initializer!), [1, 3, 1, 1]);
    assert.deepEqual(statsOf(run, PASS).removed, 3);
    await assertEquivalent(run);
  });

  test('a value also read outside the region is made again under its name, when that still removes Transposes', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', 'float32', [1, 2, 3, 4]);
    b.node('Transpose', ['x'], { perm: TO_NHWC }, { output: 't' });
    b.node('Relu', ['t'], {}, { output: 'r' });
    b.node('Neg', ['r'], {}, { output: 'n' });
    b.node('Transpose', ['n'], { perm: TO_NCHW }, { output: 'y' });
    b.output('y', 'float32');
    b.output('r', 'float32', [1, 3, 4, 2]);
    const run = await runPasses(b.build(), [PASS]);
    // The entry and the exit go (2); r is made again for the graph output (1).
    assert.deepEqual(opCounts(run.model), { Relu: 1, Neg: 1, Transpose: 1 });
    assert.equal(run.model.graph.lookup('r')!.producer!.opType, 'Transpose');
    await assertEquivalent(run);
  });

  test('declines when the rewrite would not remove more Transposes than it adds', async () => {
    // No inverse after the Relu: the entry goes, but the graph output needs it back.
    const toOutput = new ModelBuilder({ opset: 13 });
    toOutput.input('x', 'float32', [1, 2, 3, 4]);
    toOutput.node('Transpose', ['x'], { perm: TO_NHWC }, { output: 't', name: 'entry' });
    toOutput.node('Relu', ['t'], {}, { output: 'y' });
    toOutput.output('y', 'float32');
    let run = await runPasses(toOutput.build(), [PASS]);
    assert.equal(opCounts(run.model).Transpose, 1);
    assert.deepEqual(declinesOf(run, PASS), ['entry (Transpose): moving Transpose perm [0,2,3,1] through 1 node(s) would remove 1 Transpose(s) and add 1']);

    // The other operand is a plain input: it would need a Transpose of its own, and the output one back.
    const operand = new ModelBuilder({ opset: 13 });
    operand.input('x', 'float32', [1, 2, 3, 4]);
    operand.input('z', 'float32', [1, 3, 4, 2]);
    operand.node('Transpose', ['x'], { perm: TO_NHWC }, { output: 't', name: 'entry' });
    operand.node('Add', ['t', 'z'], {}, { output: 'y' });
    operand.output('y', 'float32');
    run = await runPasses(operand.build(), [PASS]);
    assert.equal(opCounts(run.model).Transpose, 1);
    assert.match(declinesOf(run, PASS).join(), /would remove 1 Transpose\(s\) and add 2$/);
  });

  test('real model: person re-identification (tf2onnx NHWC) — Transposes around the gates and norms cancel, outputs match', async (t) => {
    const { model, report } = await optimizeCorpus('person-reidentification-retail-0288', [PASS, 'fuse_consecutive_transposes']);
    const left = opCounts(model).Transpose ?? 0;
    // 19 in the file; onnxruntime's basic level leaves 12. Only the input's NHWC→NCHW has nothing to cancel against.
    assert.ok(left <= 2, `${left} Transposes left`);
    assert.ok(reportStats(report, PASS).removed! >= 17);
    assert.equal(report.check?.ok, true);
    t.diagnostic(`person re-id: Transposes 19 → ${left}, nodes ${report.nodesBefore} → ${report.nodesAfter}`);
  });
});
