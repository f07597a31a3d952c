import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/flatten.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { assertMatchesOrt, ruleShapes, type OneNodeCase } from './fake-context.js';

const flatten = (shape: Dim[] | undefined, axis?: number): OneNodeCase =>
  ({ op: 'Flatten', inputs: [{ dtype: 'float32', shape }], attrs: axis === undefined ? {} : { axis } });

describe('Flatten shape rule', () => {
  const table: [string, OneNodeCase, Dim[]][] = [
    ['default axis 1', flatten([2, 3, 4, 5]), [2, 60]],
    ['axis 0', flatten([2, 3, 4, 5], 0), [1, 120]],
    ['axis = rank', flatten([2, 3, 4], 3), [24, 1]],
    ['negative axis', flatten([2, 3, 4, 5], -1), [24, 5]],
    ['symbolic batch with a static rest (classifier head)', flatten(['N', 512, 1, 1]), ['N', 512]],
    ['a lone symbol among 1s stays', flatten([1, 'T', 1, 4], 3), ['T', 4]],
    ['unknown dims make that side unknown', flatten([2, null, 4], 2), [null, 4]],
    ['unknown rank: still 2-D', flatten(undefined), [null, null]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('a product involving a symbol is a symbolic expression of it (dim-math)', () => {
    const [shape] = ruleShapes(rules, flatten(['N', 'C', 7, 7]));
    assert.equal(shape?.[0], 'N');
    assert.ok(typeof shape?.[1] === 'string' && shape[1] !== 'C');
    assert.equal(shape?.[1], '49*C');
  });

  for (const c of [flatten([2, 3, 4, 5], -2), flatten([2, 3, 4], 0)]) {
    it(`agrees with onnxruntime: ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
});
