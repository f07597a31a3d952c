import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/resize.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { assertMatchesOrt, ruleShapes, type CaseInput, type OneNodeCase } from './fake-context.js';

const x = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const floats = (data: number[]): CaseInput => ({ dtype: 'float32', shape: [data.length], data });
const int64s = (data: number[]): CaseInput => ({ dtype: 'int64', shape: [data.length], data });
const empty: CaseInput = { dtype: 'float32', shape: [0], data: [] };

/** Resize 13+: X, roi (omitted), scales, sizes. */
const byScales = (shape: Dim[] | undefined, scales: number[], attrs: OneNodeCase['attrs'] = {}, opset = 13): OneNodeCase =>
  ({ op: 'Resize', opset, inputs: [x(shape), null, floats(scales)], attrs });
const bySizes = (shape: Dim[] | undefined, sizes: CaseInput, attrs: OneNodeCase['attrs'] = {}, opset = 13): OneNodeCase =>
  ({ op: 'Resize', opset, inputs: [x(shape), null, null, sizes], attrs });

describe('Resize / Upsample shape rules', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['scales 2 on a static dim', byScales([1, 3, 4, 8], [1, 1, 2, 2]), [1, 3, 8, 16]],
    ['scale 1 keeps a symbol', byScales(['N', 3, 'H', 8], [1, 1, 1, 2]), ['N', 3, 'H', 16]],
    ['fractional scales round down in float32', byScales([1, 3, 257, 10], [1, 1, 0.5, 0.35]), [1, 3, 128, 3]],
    ['sizes', bySizes(['N', 3, 'H', 'W'], int64s([1, 3, 20, 30])), [1, 3, 20, 30]],
    ['sizes holding symbols (from Shape)', bySizes([1, 3, 'H', 'W'], { dtype: 'int64', shape: [4], known: [1, 3, 'H2', 'W2'] }), [1, 3, 'H2', 'W2']],
    ['opset 11: empty scales with sizes',
      { op: 'Resize', opset: 11, inputs: [x([1, 3, 4, 4]), empty, empty, int64s([1, 3, 7, 9])] }, [1, 3, 7, 9]],
    ['opset 10: scales is input 1', { op: 'Resize', opset: 10, inputs: [x([1, 3, 4, 4]), floats([1, 1, 2, 3])] }, [1, 3, 8, 12]],
    ['opset 18 axes with sizes', bySizes([1, 3, 4, 6], int64s([20, 30]), { axes: [2, 3] }, 18), [1, 3, 20, 30]],
    ['opset 18 axes with scales, negative axis', byScales([1, 3, 4, 6], [2], { axes: [-1] }, 18), [1, 3, 4, 12]],
    ['keep_aspect_ratio_policy not_larger', bySizes([1, 3, 4, 6], int64s([8, 8]), { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, 18), [1, 3, 5, 8]],
    ['keep_aspect_ratio_policy not_smaller', bySizes([1, 3, 4, 6], int64s([8, 8]), { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, 18), [1, 3, 8, 12]],
    ['unknown scales value: rank kept, resized dims unknown',
      { op: 'Resize', opset: 13, inputs: [x([1, 3, 4, 4]), null, { dtype: 'float32', shape: [4] }] }, [null, null, null, null]],
    ['rank from the scales when X has none', byScales(undefined, [1, 1, 2, 2]), [null, null, null, null]],
    ['Upsample opset 7: scales attribute', { op: 'Upsample', opset: 7, inputs: [x([1, 3, 4, 5])], attrs: { scales: [1, 1, 2, 2] } }, [1, 3, 8, 10]],
    ['Upsample opset 9: scales input', { op: 'Upsample', opset: 9, inputs: [x(['N', 21, 33, 33]), floats([1, 1, 7.8, 7.8])] }, ['N', 21, 257, 257]],
    ['Upsample opset 1: height/width scale', { op: 'Upsample', opset: 1, inputs: [x([1, 3, 4, 5])], attrs: { height_scale: 2, width_scale: 3 } }, [1, 3, 8, 15]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('scales 2 on [1, 3, \'H\', 8] gives a new symbol for H', () => {
    const [shape] = ruleShapes(rules, byScales([1, 3, 'H', 8], [1, 1, 2, 2]));
    assert.deepEqual([shape?.[0], shape?.[1], shape?.[3]], [1, 3, 16]);
    assert.ok(typeof shape?.[2] === 'string' && shape[2] !== 'H');
  });
});

describe('Resize / Upsample rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    byScales([1, 3, 4, 8], [1, 1, 2, 2]),
    byScales([1, 2, 257, 10], [1, 1, 0.5, 0.35], { mode: 'linear' }),
    { op: 'Resize', opset: 11, inputs: [x([1, 3, 4, 4]), empty, empty, int64s([1, 3, 7, 9])] },
    { op: 'Resize', opset: 10, inputs: [x([1, 3, 5, 4]), floats([1, 1, 1.5, 3])] },
    bySizes([1, 3, 4, 6], int64s([8, 8]), { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, 18),
    bySizes([1, 3, 5, 7], int64s([9, 8]), { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, 18),
    { op: 'Upsample', opset: 9, inputs: [x([1, 2, 33, 33]), floats([1, 1, 7.8, 7.8])] },
  ];
  for (const c of cases) {
    it(`${c.op}@${c.opset} ${JSON.stringify(c.inputs.map((i) => i?.data ?? i?.shape ?? null))} ${JSON.stringify(c.attrs ?? {})}`, () => assertMatchesOrt(rules, c));
  }
});
