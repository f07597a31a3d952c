/**
 * The compute estimate against counts worked out by hand, one op family at a time, and on a real
 * model whose arithmetic is small enough to count on paper (CNTK's MNIST).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ModelBuilder, type Attributes } from '../../src/ir/model-builder.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import { estimateCompute } from '../../src/inspect/flops.js';
import { inspect } from '../../src/inspect/inspect.js';
import type { Dim } from '../../src/ir/tensor-type.js';
import { repoRoot } from '../support/corpus.js';

interface Weight { name: string; dims: number[] }

/** One node reading input `x` of `shape` and the given weights (zeros), with shapes inferred. */
function single(op: string, shape: Dim[], weights: Weight[], attrs: Attributes = {}, outputs = 1) {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', shape);
  const ws = weights.map((w) => b.initializer(w.name, 'float32', w.dims, new Float32Array(w.dims.reduce((a, c) => a * c, 1))));
  const out = b.node(op, [x, ...ws], attrs, { outputs });
  b.output(out[0]!, 'float32');
  const report = inspect(modelFromProto(b.build(), 'test.onnx'));
  return report.compute;
}

test('Conv: output elements × C/group × kernel MACs, plus one add per output for the bias', () => {
  const c = single('Conv', [1, 3, 32, 32], [{ name: 'w', dims: [16, 3, 3, 3] }, { name: 'b', dims: [16] }], { pads: [1, 1, 1, 1] });
  const outputs = 16 * 32 * 32;
  assert.equal(c.macs, outputs * 27);
  assert.equal(c.flops, 2 * outputs * 27 + outputs);
  assert.deepEqual(c.byOpType, { Conv: { nodes: 1, macs: outputs * 27, flops: 2 * outputs * 27 + outputs } });
  assert.equal(c.complete, true);
});

test('depthwise Conv: each output sums only its own channel', () => {
  const c = single('Conv', [1, 8, 16, 16], [{ name: 'w', dims: [8, 1, 3, 3] }], { group: 8, pads: [1, 1, 1, 1] });
  assert.equal(c.macs, 8 * 16 * 16 * 9);
});

test('ConvTranspose: every input element scatters into M/group × kernel outputs', () => {
  const c = single('ConvTranspose', [1, 4, 8, 8], [{ name: 'w', dims: [4, 2, 2, 2] }], { strides: [2, 2] });
  // Output [1,2,16,16]: 512 elements, each the sum of 4 input channels × one kernel tap = 2048 MACs, counted from the input side.
  assert.equal(c.macs, 4 * 8 * 8 * 2 * 2 * 2);
  assert.equal(c.macs, 512 * 4);
});

test('MatMul with batch dims, and Gemm with transA and a bias', () => {
  assert.equal(single('MatMul', [2, 5, 6], [{ name: 'b', dims: [6, 7] }]).macs, 2 * 5 * 7 * 6);
  const g = single('Gemm', [6, 5], [{ name: 'b', dims: [6, 7] }, { name: 'c', dims: [7] }], { transA: 1 });
  assert.equal(g.macs, 5 * 7 * 6);
  assert.equal(g.flops, 2 * 5 * 7 * 6 + 5 * 7);
});

test('LSTM: every step multiplies the input and the hidden state by all gate weights', () => {
  const hidden = 5;
  const c = single('LSTM', [4, 2, 3], [{ name: 'W', dims: [1, 4 * hidden, 3] }, { name: 'R', dims: [1, 4 * hidden, hidden] }], { hidden_size: hidden }, 3);
  assert.equal(c.macs, 4 * 2 * (4 * hidden * 3 + 4 * hidden * hidden));
});

test('pooling costs kernel-size per output, global pooling and reductions one per input, elementwise one per output', () => {
  assert.equal(single('MaxPool', [1, 1, 4, 4], [], { kernel_shape: [2, 2], strides: [2, 2] }).flops, 4 * 4);
  assert.equal(single('GlobalAveragePool', [1, 3, 5, 5], []).flops, 75);
  assert.equal(single('ReduceMean', [2, 10], [], { axes: [1] }).flops, 20);
  assert.equal(single('Relu', [1, 16, 32, 32], []).flops, 16 * 32 * 32);
  const data = single('Transpose', [2, 3], [], { perm: [1, 0] });
  assert.deepEqual([data.macs, data.flops, data.byOpType], [0, 0, {}]);
  assert.equal(data.complete, true);
});

test('unknown shapes and ops without a formula are reported, and the estimate says it is incomplete', () => {
  const symbolic = single('Relu', [4, 'n'], []); // a symbolic dim that is not a batch dim: no per-sample count
  assert.equal(symbolic.flops, 0);
  assert.equal(symbolic.assumedInputShapes, undefined);
  assert.equal(symbolic.nodesWithUnknownShapes, 1);
  assert.equal(symbolic.complete, false);
  const einsum = single('Einsum', [3, 4], [{ name: 'b', dims: [4, 5] }], { equation: 'ij,jk->ik' });
  assert.deepEqual(einsum.uncountedOpTypes, { Einsum: 1 });
  assert.equal(einsum.complete, false);
});

test('CNTK MNIST: 784,000 conv MACs and a 256×10 MatMul, exactly', { skip: !fs.existsSync(path.join(repoRoot, '../shared/models/real/winml_mnist.onnx')) }, () => {
  const report = inspect(path.join(repoRoot, '../shared/models/real/winml_mnist.onnx'));
  const c = report.compute;
  // conv1: 8 maps of 28×28, 5×5×1 each; conv2: 16 maps of 14×14, 5×5×8 each; then 256 → 10.
  assert.equal(c.byOpType['Conv']!.macs, 8 * 28 * 28 * 25 + 16 * 14 * 14 * 200);
  assert.equal(c.byOpType['MatMul']!.macs, 256 * 10);
  assert.equal(c.macs, 784_000 + 2_560);
  assert.equal(c.complete, true);
  // The same total straight from the IR the report was made from.
  assert.equal(estimateCompute(inspectModel()).macs, c.macs);
});

function inspectModel() {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 1, 28, 28]);
  const w1 = b.initializer('w1', 'float32', [8, 1, 5, 5], new Float32Array(200));
  const c1 = b.node('Conv', [x, w1], { pads: [2, 2, 2, 2] });
  const p1 = b.node('MaxPool', [c1], { kernel_shape: [2, 2], strides: [2, 2] });
  const w2 = b.initializer('w2', 'float32', [16, 8, 5, 5], new Float32Array(3200));
  const c2 = b.node('Conv', [p1, w2], { pads: [2, 2, 2, 2] });
  const p2 = b.node('MaxPool', [c2], { kernel_shape: [3, 3], strides: [3, 3] });
  const f = b.node('Reshape', [p2, b.initializer('s', 'int64', [2], [1, 256])]);
  const w3 = b.initializer('w3', 'float32', [256, 10], new Float32Array(2560));
  b.output(b.node('MatMul', [f, w3]), 'float32');
  const model = modelFromProto(b.build(), 'mnist-like.onnx');
  inspect(model); // runs shape inference on it
  return model;
}

test('a dynamic batch dim is counted per sample, and the report says which shapes it assumed', () => {
  const file = path.join(repoRoot, 'fixtures', 'models', 'default.onnx');
  const perSample = inspect(file).compute;
  assert.deepEqual(perSample.assumedInputShapes, { input: [1, 3, 32, 32] });
  assert.equal(perSample.nodesWithUnknownShapes, 0);
  assert.ok(perSample.macs > 0);
  const four = inspect(file, { inputShapes: { input: [4, 3, 32, 32] } }).compute;
  assert.equal(four.assumedInputShapes, undefined, 'pinned by the user: nothing assumed');
  assert.equal(four.macs, 4 * perSample.macs);
  // The report's own shapes stay symbolic: the per-sample count does not leak into them.
  assert.deepEqual(inspect(file).outputs[0]!.shape, ['batch', 10]);
});
