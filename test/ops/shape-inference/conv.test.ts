import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/conv.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]) => ({ dtype: 'float32', shape });
const conv = (x: Dim[] | undefined, w: Dim[] | undefined, attrs: OneNodeCase['attrs'] = {}): OneNodeCase =>
  ({ op: 'Conv', inputs: [f32(x), f32(w)], attrs });
const convT = (x: Dim[], w: Dim[], attrs: OneNodeCase['attrs'] = {}): OneNodeCase =>
  ({ op: 'ConvTranspose', inputs: [f32(x), f32(w)], attrs });

describe('Conv shape rule', () => {
  const table: [string, OneNodeCase, Dim[]][] = [
    // The ONNX spec's conv examples: 5x5 input, 3x3 kernel.
    ['pads 1 keeps 5x5', conv([1, 1, 5, 5], [1, 1, 3, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }), [1, 1, 5, 5]],
    ['no padding gives 3x3', conv([1, 1, 5, 5], [1, 1, 3, 3], { kernel_shape: [3, 3] }), [1, 1, 3, 3]],
    ['strides 2 with pads 1', conv([1, 1, 7, 5], [1, 1, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }), [1, 1, 4, 3]],
    ['strides 2, no padding', conv([1, 1, 7, 5], [1, 1, 3, 3], { strides: [2, 2] }), [1, 1, 3, 2]],
    ['asymmetric pads', conv([1, 1, 7, 5], [1, 1, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 0] }), [1, 1, 4, 2]],
    ['SAME_LOWER stride 2', conv([1, 1, 5, 5], [1, 1, 3, 3], { auto_pad: 'SAME_LOWER', strides: [2, 2] }), [1, 1, 3, 3]],
    ['VALID', conv([1, 1, 5, 5], [1, 1, 3, 3], { auto_pad: 'VALID', strides: [2, 2] }), [1, 1, 2, 2]],
    ['dilations 2', conv([1, 1, 7, 7], [1, 1, 3, 3], { dilations: [2, 2] }), [1, 1, 3, 3]],
    ['group (depthwise)', conv([2, 8, 10, 10], [8, 1, 3, 3], { group: 8, pads: [1, 1, 1, 1] }), [2, 8, 10, 10]],
    ['kernel from the weight, 1-D', conv([1, 4, 100], [16, 4, 5], { strides: [2] }), [1, 16, 48]],
    ['3-D', conv([1, 1, 48, 32, 32], [4, 1, 3, 3, 3], { pads: [1, 1, 1, 1, 1, 1], strides: [2, 2, 2] }), [1, 4, 24, 16, 16]],
    ['symbolic batch and same-padded symbolic spatial dims flow through',
      conv(['N', 3, 'H', 'W'], [16, 3, 3, 3], { pads: [1, 1, 1, 1] }), ['N', 16, 'H', 'W']],
    ['1x1 conv keeps symbols', conv(['N', 3, 'H', 'W'], [16, 3, 1, 1]), ['N', 16, 'H', 'W']],
    ['SAME_UPPER stride 1 keeps symbols', conv(['N', 3, 'H', 'W'], [16, 3, 5, 5], { auto_pad: 'SAME_UPPER' }), ['N', 16, 'H', 'W']],
    ['unknown spatial dims stay unknown', conv([1, 3, null, 8], [16, 3, 3, 3]), [1, 16, null, 6]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('a strided conv on a symbolic dim gives new symbols, distinct per axis', () => {
    const [shape] = ruleShapes(rules, conv(['N', 3, 'H', 'W'], [16, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }));
    assert.equal(shape?.[0], 'N');
    assert.equal(shape?.[1], 16);
    assert.equal(typeof shape?.[2], 'string');
    assert.equal(typeof shape?.[3], 'string');
    assert.notEqual(shape?.[2], 'H');
    assert.notEqual(shape?.[2], shape?.[3]);
  });

  it('keeps the rank from the weight when X has no shape', () => {
    assert.deepEqual(ruleShapes(rules, conv(undefined, [16, 3, 3, 3]))[0], [null, 16, null, null]);
    assert.deepEqual(runRule(rules, conv(undefined, undefined))[0], { dtype: DataType.FLOAT, shape: undefined });
  });

  it('DeformConv is sized like Conv', () => {
    const c: OneNodeCase = { op: 'DeformConv', opset: 19, inputs: [f32([1, 4, 9, 9]), f32([8, 4, 3, 3]), f32([1, 18, 4, 4])], attrs: { strides: [2, 2] } };
    assert.deepEqual(ruleShapes(rules, c)[0], [1, 8, 4, 4]);
  });

  it('ConvInteger gives int32, QLinearConv takes y_zero_point\'s type', () => {
    const ci = runRule(rules, { op: 'ConvInteger', opset: 10, inputs: [{ dtype: 'uint8', shape: [1, 1, 5, 5] }, { dtype: 'uint8', shape: [1, 1, 3, 3] }] });
    assert.deepEqual(ci[0], { dtype: DataType.INT32, shape: [1, 1, 3, 3] });
    const q = runRule(rules, {
      op: 'QLinearConv', opset: 10,
      inputs: [{ dtype: 'int8', shape: [1, 1, 5, 5] }, f32([]), { dtype: 'int8', shape: [] }, { dtype: 'int8', shape: [2, 1, 3, 3] },
        f32([]), { dtype: 'int8', shape: [] }, f32([]), { dtype: 'int8', shape: [] }],
      attrs: { pads: [1, 1, 1, 1] },
    });
    assert.deepEqual(q[0], { dtype: DataType.INT8, shape: [1, 2, 5, 5] });
  });
});

describe('ConvTranspose shape rule', () => {
  const table: [string, OneNodeCase, Dim[]][] = [
    ['spec example: 3x3 input, 3x3 kernel', convT([1, 1, 3, 3], [1, 2, 3, 3]), [1, 2, 5, 5]],
    ['strides and output_padding', convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_padding: [1, 1] }), [1, 2, 10, 8]],
    ['output_shape wins', convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_shape: [10, 8] }), [1, 2, 10, 8]],
    ['output_shape with N and C', convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_shape: [1, 2, 10, 8] }), [1, 2, 10, 8]],
    ['pads', convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], pads: [1, 2, 1, 2] }), [1, 2, 7, 3]],
    ['SAME_UPPER doubles with stride 2', convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }), [1, 2, 6, 6]],
    ['dilations', convT([1, 1, 3, 3], [1, 1, 2, 2], { dilations: [2, 2] }), [1, 1, 5, 5]],
    ['group multiplies the channels', convT([1, 4, 3, 3], [4, 3, 2, 2], { group: 2, strides: [2, 2] }), [1, 6, 6, 6]],
    ['3-D with output_padding (as in vit_medsegm)',
      convT([1, 8, 6, 10, 10], [8, 4, 3, 3, 3], { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], output_padding: [1, 1, 1] }), [1, 4, 12, 20, 20]],
    ['symbol kept by a stride-1 same transpose', convT(['N', 4, 'H', 7], [4, 2, 3, 3], { pads: [1, 1, 1, 1] }), ['N', 2, 'H', 7]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('a strided transpose on a symbol gives a new symbol', () => {
    const [shape] = ruleShapes(rules, convT(['N', 4, 'H', 7], [4, 2, 2, 2], { strides: [2, 2] }));
    assert.deepEqual([shape?.[0], shape?.[1], shape?.[3]], ['N', 2, 14]);
    assert.ok(typeof shape?.[2] === 'string' && shape[2] !== 'H');
  });
});

describe('Conv / ConvTranspose rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    conv([1, 2, 7, 9], [4, 2, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 1] }),
    conv([1, 2, 7, 9], [4, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 3] }),
    // (onnxruntime rejects dilations with SAME_*, so none here.)
    conv([1, 2, 7, 9], [4, 2, 3, 2], { auto_pad: 'SAME_LOWER', strides: [2, 2] }),
    conv([1, 2, 8, 9], [4, 2, 3, 3], { auto_pad: 'VALID', strides: [3, 2] }),
    conv([2, 4, 11], [6, 2, 4], { group: 2, strides: [3], dilations: [2] }),
    conv([1, 1, 6, 7, 8], [2, 1, 3, 3, 3], { strides: [2, 2, 2], pads: [1, 1, 1, 0, 0, 0] }),
    convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_padding: [1, 1] }),
    convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], pads: [1, 2, 1, 2] }),
    convT([1, 1, 3, 4], [1, 2, 3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
    convT([1, 1, 3, 4], [1, 2, 3, 3], { strides: [2, 2], auto_pad: 'VALID', output_padding: [1, 0] }),
    convT([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_shape: [10, 8] }),
    convT([1, 4, 3, 3], [4, 3, 2, 2], { group: 2, strides: [2, 2], dilations: [2, 1] }),
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
});
