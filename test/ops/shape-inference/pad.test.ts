import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/pad.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { assertMatchesOrt, ruleShapes, type CaseInput, type OneNodeCase } from './fake-context.js';

const x = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const int64s = (data: number[]): CaseInput => ({ dtype: 'int64', shape: [data.length], data });
const pad = (shape: Dim[] | undefined, pads: number[], attrs: OneNodeCase['attrs'] = {}, axes?: number[]): OneNodeCase =>
  ({ op: 'Pad', opset: axes ? 18 : 13, inputs: axes ? [x(shape), int64s(pads), null, int64s(axes)] : [x(shape), int64s(pads)], attrs });

describe('Pad shape rule', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['constant pads (spec example)', pad([3, 2], [0, 2, 0, 0]), [3, 4]],
    ['begin and end per axis', pad([1, 3, 4, 5], [0, 0, 1, 2, 0, 0, 3, 4]), [1, 3, 8, 11]],
    ['negative pads crop', pad([1, 3, 10, 10], [0, 0, -1, -2, 0, 0, -1, 0], { mode: 'constant' }), [1, 3, 8, 8]],
    ['unpadded symbols stay', pad(['N', 'C', 'H', 'W'], [0, 0, 0, 0, 0, 0, 0, 0]), ['N', 'C', 'H', 'W']],
    ['opset 2 pads attribute (fns-candy reflect pad)',
      { op: 'Pad', opset: 7, inputs: [x([1, 3, 720, 720])], attrs: { mode: 'reflect', pads: [0, 0, 40, 40, 0, 0, 40, 40] } }, [1, 3, 800, 800]],
    ['opset 1 paddings attribute', { op: 'Pad', opset: 1, inputs: [x([2, 2])], attrs: { paddings: [1, 0, 1, 0] } }, [4, 2]],
    ['opset 18 axes', pad([1, 3, 4, 5], [1, 2, 3, 4], {}, [-2, 3]), [1, 3, 8, 11]],
    ['unknown pads: rank only', { op: 'Pad', opset: 13, inputs: [x(['N', 3, 4]), { dtype: 'int64', shape: [6] }] }, [null, null, null]],
    ['unknown pads, known axes: the other dims stay',
      { op: 'Pad', opset: 18, inputs: [x(['N', 3, 4]), { dtype: 'int64', shape: [2] }, null, int64s([2])] }, ['N', 3, null]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('a padded symbol becomes a new symbol', () => {
    const [shape] = ruleShapes(rules, pad(['N', 'T'], [0, 1, 0, 1]));
    assert.equal(shape?.[0], 'N');
    assert.ok(typeof shape?.[1] === 'string' && shape[1] !== 'T');
  });
});

describe('Pad rule agrees with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    pad([1, 3, 4, 5], [0, 0, 1, 2, 0, 0, 3, 4]),
    pad([1, 3, 10, 10], [0, 0, -1, -2, 0, 0, -1, 0]),
    pad([2, 4, 6], [2, 1, 0, 1], { mode: 'reflect' }, [-1, 0]),
    { op: 'Pad', opset: 7, inputs: [x([1, 3, 20, 20])], attrs: { mode: 'reflect', pads: [0, 0, 4, 4, 0, 0, 4, 4] } },
  ];
  for (const c of cases) {
    it(`Pad@${c.opset} ${JSON.stringify(c.inputs.map((i) => i?.data ?? i?.shape ?? null))} ${JSON.stringify(c.attrs ?? {})}`, () => assertMatchesOrt(rules, c));
  }
});
