import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/matmul.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]) => ({ dtype: 'float32', shape });
const mm = (a: Dim[] | undefined, b: Dim[] | undefined): OneNodeCase => ({ op: 'MatMul', inputs: [f32(a), f32(b)] });
const gemm = (a: Dim[], b: Dim[], attrs: OneNodeCase['attrs'] = {}): OneNodeCase => ({ op: 'Gemm', inputs: [f32(a), f32(b)], attrs });

describe('matrix product shape rules', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['2-D', mm([3, 4], [4, 5]), [3, 5]],
    ['vector · vector is a scalar', mm([4], [4]), []],
    ['vector · batched matrix', mm([4], [2, 4, 5]), [2, 5]],
    ['batched matrix · vector', mm([2, 3, 4], [4]), [2, 3]],
    ['batch dims broadcast, a symbol meets 1 and a missing dim', mm(['B', 1, 3, 4], [5, 4, 6]), ['B', 5, 3, 6]],
    ['a number beats a symbol in the batch', mm(['B', 3, 4], [7, 4, 5]), [7, 3, 5]],
    ['transformer projection', mm(['batch', 'seq', 64], [64, 128]), ['batch', 'seq', 128]],
    ['equal symbols stay', mm(['B', 'H', 'S', 64], ['B', 'H', 64, 'S']), ['B', 'H', 'S', 'S']],
    ['unknown rank', mm(undefined, [4, 5]), undefined],
    ['Gemm', gemm([3, 4], [4, 5]), [3, 5]],
    ['Gemm transA/transB', gemm([4, 'M'], [10, 4], { transA: 1, transB: 1 }), ['M', 10]],
    ['Gemm with a symbolic batch', gemm(['N', 9216], [4096, 9216], { transB: 1 }), ['N', 4096]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('two different batch symbols broadcast to a new symbol', () => {
    const [shape] = ruleShapes(rules, mm(['B', 3, 4], ['C', 4, 5]));
    assert.ok(typeof shape?.[0] === 'string' && shape[0] !== 'B' && shape[0] !== 'C');
    assert.deepEqual(shape?.slice(1), [3, 5]);
  });

  it('MatMulInteger gives int32, QLinearMatMul y_zero_point\'s type', () => {
    assert.deepEqual(runRule(rules, { op: 'MatMulInteger', inputs: [{ dtype: 'uint8', shape: [2, 3] }, { dtype: 'int8', shape: [3, 4] }] })[0],
      { dtype: DataType.INT32, shape: [2, 4] });
    const q = runRule(rules, {
      op: 'QLinearMatMul',
      inputs: [{ dtype: 'uint8', shape: ['N', 3] }, f32([]), { dtype: 'uint8', shape: [] }, { dtype: 'uint8', shape: [3, 4] }, f32([]),
        { dtype: 'uint8', shape: [] }, f32([]), { dtype: 'uint8', shape: [] }],
    });
    assert.deepEqual(q[0], { dtype: DataType.UINT8, shape: ['N', 4] });
  });

  it('com.microsoft FusedMatMul and MatMulNBits', () => {
    const fused: OneNodeCase = { op: 'FusedMatMul', domain: 'com.microsoft', opset: 1, attrs: { transB: 1, alpha: 0.5 }, inputs: [f32(['B', 3, 4]), f32(['B', 5, 4])] };
    assert.deepEqual(ruleShapes(rules, fused)[0], ['B', 3, 5]);
    const nbits: OneNodeCase = { op: 'MatMulNBits', domain: 'com.microsoft', opset: 1, attrs: { K: 64, N: 32, bits: 4, block_size: 32 }, inputs: [f32(['B', 'S', 64]), { dtype: 'uint8', shape: [32, 2, 16] }] };
    assert.deepEqual(ruleShapes(rules, nbits)[0], ['B', 'S', 32]);
  });
});

describe('matrix product rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    mm([2, 1, 3, 4], [5, 4, 6]),
    mm([4], [2, 4, 5]),
    mm([2, 3, 4], [4]),
    mm([4], [4]),
    gemm([4, 3], [5, 4], { transA: 1, transB: 1 }),
    { op: 'MatMulInteger', inputs: [{ dtype: 'uint8', shape: [2, 2, 3] }, { dtype: 'uint8', shape: [3, 4] }] },
    { op: 'FusedMatMul', domain: 'com.microsoft', opset: 1, attrs: { transA: 1, transB: 1 }, inputs: [f32([2, 4, 3]), f32([1, 5, 4])] },
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.inputs.map((i) => i?.shape))}`, () => assertMatchesOrt(rules, c));
  }
});
