import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/pool.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type OneNodeCase } from './fake-context.js';

const pool = (op: string, x: Dim[] | undefined, attrs: OneNodeCase['attrs'], extra: Partial<OneNodeCase> = {}): OneNodeCase =>
  ({ op, inputs: [{ dtype: 'float32', shape: x }], attrs, ...extra });

describe('pooling shape rules', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    // ONNX spec examples.
    ['maxpool_2d_ceil', pool('MaxPool', [1, 1, 4, 4], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }), [1, 1, 2, 2]],
    ['maxpool_2d_pads', pool('MaxPool', [1, 3, 28, 28], { kernel_shape: [3, 3], pads: [2, 2, 2, 2] }), [1, 3, 30, 30]],
    ['maxpool_2d_same_upper', pool('MaxPool', [1, 3, 32, 32], { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' }), [1, 3, 32, 32]],
    ['maxpool_2d_strides', pool('MaxPool', [1, 3, 32, 32], { kernel_shape: [5, 5], strides: [3, 3] }), [1, 3, 10, 10]],
    ['maxpool_2d_dilations', pool('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2], dilations: [2, 2] }), [1, 1, 2, 2]],
    ['averagepool_2d_precomputed_same_upper',
      pool('AveragePool', [1, 1, 5, 5], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }), [1, 1, 3, 3]],
    ['averagepool VALID', pool('AveragePool', [1, 3, 32, 32], { kernel_shape: [2, 2], auto_pad: 'VALID', strides: [2, 2] }), [1, 3, 16, 16]],
    ['ceil_mode: a last window starting in the trailing padding is dropped',
      pool('MaxPool', [1, 1, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }), [1, 1, 3, 3]],
    ['ceil_mode rounds up', pool('AveragePool', [1, 1, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }), [1, 1, 3, 3]],
    ['floor without ceil_mode', pool('AveragePool', [1, 1, 6, 7], { kernel_shape: [3, 3], strides: [2, 2] }), [1, 1, 2, 3]],
    ['1-D', pool('MaxPool', [2, 4, 9], { kernel_shape: [3], strides: [2] }), [2, 4, 4]],
    ['LpPool', pool('LpPool', [1, 3, 8, 8], { kernel_shape: [2, 2], strides: [2, 2], p: 2 }), [1, 3, 4, 4]],
    ['kernel 1 keeps symbols', pool('MaxPool', ['N', 'C', 'H', 'W'], { kernel_shape: [1, 1] }), ['N', 'C', 'H', 'W']],
    ['stride-1 same-padded 3x3 keeps symbols', pool('MaxPool', ['N', 16, 'H', 'W'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }), ['N', 16, 'H', 'W']],
    ['rank from kernel_shape when X is unknown', pool('MaxPool', undefined, { kernel_shape: [3, 3] }), [null, null, null, null]],
    ['GlobalAveragePool', pool('GlobalAveragePool', ['N', 64, 'H', 'W'], {}), ['N', 64, 1, 1]],
    ['GlobalMaxPool 1-D', pool('GlobalMaxPool', [2, 8, 100], {}), [2, 8, 1]],
    ['GlobalLpPool 3-D', pool('GlobalLpPool', [1, 3, 4, 5, 6], {}), [1, 3, 1, 1, 1]],
    ['MaxRoiPool', { op: 'MaxRoiPool', inputs: [{ dtype: 'float32', shape: [1, 3, 32, 32] }, { dtype: 'float32', shape: ['R', 5] }], attrs: { pooled_shape: [7, 7] } }, ['R', 3, 7, 7]],
    ['MaxUnpool from the kernel', { op: 'MaxUnpool', opset: 11, inputs: [{ dtype: 'float32', shape: [1, 1, 2, 2] }, { dtype: 'int64', shape: [1, 1, 2, 2] }], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }, [1, 1, 4, 4]],
    ['MaxUnpool with a known output_shape', { op: 'MaxUnpool', opset: 11, inputs: [{ dtype: 'float32', shape: [1, 1, 2, 2] }, { dtype: 'int64', shape: [1, 1, 2, 2] }, { dtype: 'int64', shape: [4], data: [1, 1, 5, 5] }], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }, [1, 1, 5, 5]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('a strided pool on a symbol gives a new symbol', () => {
    const [shape] = ruleShapes(rules, pool('MaxPool', ['N', 16, 'H', 8], { kernel_shape: [2, 2], strides: [2, 2] }));
    assert.deepEqual([shape?.[0], shape?.[1], shape?.[3]], ['N', 16, 4]);
    assert.ok(typeof shape?.[2] === 'string' && shape[2] !== 'H');
  });

  it('MaxPool Indices are int64 with Y\'s shape', () => {
    const out = runRule(rules, pool('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: 2 }));
    assert.deepEqual(out[1], { dtype: DataType.INT64, shape: [1, 1, 2, 2] });
  });
});

describe('pooling rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    pool('MaxPool', [1, 1, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }),
    pool('MaxPool', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, { outputs: 2 }),
    pool('MaxPool', [1, 2, 9, 10], { kernel_shape: [3, 2], strides: [2, 3], dilations: [2, 1], ceil_mode: 1 }),
    pool('MaxPool', [1, 2, 9, 10], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }),
    pool('AveragePool', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1, pads: [0, 1, 1, 0] }),
    pool('AveragePool', [1, 2, 9, 10], { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'VALID' }),
    pool('AveragePool', [1, 2, 11], { kernel_shape: [4], strides: [3], auto_pad: 'SAME_UPPER' }),
    pool('LpPool', [1, 2, 7, 7], { kernel_shape: [2, 2], strides: [2, 2] }),
    pool('GlobalAveragePool', [2, 3, 5, 4], {}),
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
});
