/**
 * Scale and zero-point maths: ranges widened to include 0, asymmetric uint8 and symmetric int8 grids,
 * round half to even, saturation, per-channel weights along an axis, int32 biases at input·weight scale.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeQuantParams, quantizeBias, quantizeValue, quantizeWeights, roundHalfEven } from '../../src/quantize/quant-params.js';

const dequantize = (q: number, p: { scale: number; zeroPoint: number }) => (q - p.zeroPoint) * p.scale;

describe('quantization parameters', () => {
  test('uint8 asymmetric: [rmin, rmax] maps onto 0..255 with 0 exactly representable', () => {
    const p = computeQuantParams(-1, 3, 'uint8', false);
    assert.equal(p.scale, Math.fround(4 / 255));
    assert.equal(p.zeroPoint, 64);
    assert.equal(dequantize(quantizeValue(0, p, 'uint8'), p), 0);
    assert.equal(quantizeValue(-1, p, 'uint8'), 0);
    assert.equal(quantizeValue(3, p, 'uint8'), 255);
  });

  test('a range that excludes 0 is widened to include it (post-ReLU tensors start at 0)', () => {
    assert.deepEqual(computeQuantParams(2, 6, 'uint8', false), { scale: Math.fround(6 / 255), zeroPoint: 0 });
    assert.equal(computeQuantParams(-6, -2, 'uint8', false).zeroPoint, 255);
  });

  test('int8 symmetric: zero point 0 and the grid −127..127', () => {
    const p = computeQuantParams(-0.5, 2, 'int8', true);
    assert.deepEqual(p, { scale: Math.fround(2 / 127), zeroPoint: 0 });
    assert.equal(quantizeValue(2, p, 'int8'), 127);
    assert.equal(quantizeValue(-2, p, 'int8'), -127);
  });

  test('int8 asymmetric activations use −128..127', () => {
    const p = computeQuantParams(-1, 3, 'int8', false);
    assert.equal(p.zeroPoint, -64);
    assert.equal(quantizeValue(-1, p, 'int8'), -128);
  });

  test('an all-zero tensor gets scale 1', () => {
    assert.deepEqual(computeQuantParams(0, 0, 'uint8', false), { scale: 1, zeroPoint: 0 });
  });

  test('rounding is half to even, as QuantizeLinear rounds; values beyond the range saturate', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(roundHalfEven), [0, 2, 2, 0, -2, 2]);
    const p = { scale: 1, zeroPoint: 0 };
    assert.equal(quantizeValue(1000, p, 'int8'), 127);
    assert.equal(quantizeValue(-1000, p, 'uint8'), 0);
  });

  test('per-channel weights: each slice along the axis gets its own scale', () => {
    // [2, 3]: channel 0 of axis 1 spans column 0, and so on.
    const values = Float32Array.from([1, -20, 0.5, -1, 10, 0.25]);
    const perColumn = quantizeWeights(values, [2, 3], 1, 'int8', true);
    assert.deepEqual([...perColumn.scales], [1 / 127, 20 / 127, 0.5 / 127].map(Math.fround));
    assert.deepEqual([...perColumn.data], [127, -127, 127, -127, 64, 64]);
    const perRow = quantizeWeights(values, [2, 3], 0, 'int8', true);
    assert.deepEqual([...perRow.scales], [20 / 127, 10 / 127].map(Math.fround));
    const perTensor = quantizeWeights(values, [2, 3], undefined, 'int8', true);
    assert.equal(perTensor.scales.length, 1);
    assert.deepEqual(perTensor.zeroPoints, [0]);
  });

  test('biases are int32 at scale input_scale · weight_scale[c], zero point 0', () => {
    const { data, scales } = quantizeBias(Float32Array.from([0.5, -0.25]), 0.01, Float32Array.from([0.1, 0.2]));
    assert.deepEqual([...scales], [Math.fround(0.001), Math.fround(0.002)]);
    assert.deepEqual([...data], [500, -125]);
  });
});
