import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/softmax.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule } from './fake-context.js';

describe('Softmax-family shape rules', () => {
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    it(`${op} keeps the input's shape and type`, () => {
      assert.deepEqual(runRule(rules, { op, inputs: [{ dtype: 'float16', shape: ['B', 'H', 'S', 'S'] }], attrs: { axis: -1 } })[0],
        { dtype: DataType.FLOAT16, shape: ['B', 'H', 'S', 'S'] });
      assert.deepEqual(runRule(rules, { op, inputs: [{ dtype: 'float32' }] })[0], { dtype: DataType.FLOAT, shape: undefined });
    });
  }
  it('agrees with onnxruntime (opset 11 axis semantics)', () =>
    assertMatchesOrt(rules, { op: 'Softmax', opset: 11, inputs: [{ dtype: 'float32', shape: [2, 3, 4] }], attrs: { axis: 1 } }));
});
