import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/legacy.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { assertMatchesOrt, ruleShapes, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });

describe('legacy / experimental op shape rules', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['Crop with borders (fns-candy)', { op: 'Crop', opset: 7, inputs: [f32(['None', 3, 724, 724])], attrs: { border: [2, 2, 2, 2] } }, ['None', 3, 720, 720]],
    ['Crop with uneven borders', { op: 'Crop', opset: 7, inputs: [f32([1, 3, 10, 12])], attrs: { border: [1, 2, 3, 4] } }, [1, 3, 4, 8]],
    ['Crop with scale', { op: 'Crop', opset: 7, inputs: [f32([1, 3, 10, 12])], attrs: { border: [1, 2, 3, 4], scale: [5, 6] } }, [1, 3, 5, 6]],
    ['ImageScaler', { op: 'ImageScaler', opset: 7, inputs: [f32(['None', 3, 720, 720])], attrs: { scale: 1, bias: [-1, -2, -3] } }, ['None', 3, 720, 720]],
    ['Affine', { op: 'Affine', opset: 7, inputs: [f32(['None', 3, 720, 720])], attrs: { alpha: 150, beta: 0 } }, ['None', 3, 720, 720]],
    ['ScaledTanh', { op: 'ScaledTanh', opset: 7, inputs: [f32([2, 3])] }, [2, 3]],
    ['ParametricSoftplus', { op: 'ParametricSoftplus', opset: 7, inputs: [f32([2, 3])] }, [2, 3]],
    ['Scale', { op: 'Scale', opset: 7, inputs: [f32(['N', 3])], attrs: { scale: 2 } }, ['N', 3]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('Crop on a symbolic height gives a new symbol; an uncropped one stays', () => {
    const [shape] = ruleShapes(rules, { op: 'Crop', opset: 7, inputs: [f32([1, 3, 'H', 'W'])], attrs: { border: [0, 2, 0, 2] } });
    assert.ok(typeof shape?.[2] === 'string' && shape[2] !== 'H');
    assert.equal(shape?.[3], 'W');
  });
});

describe('legacy rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    { op: 'Crop', opset: 7, inputs: [f32([1, 3, 10, 12])], attrs: { border: [1, 2, 3, 4] } },
    { op: 'ImageScaler', opset: 7, inputs: [f32([1, 3, 4, 4])], attrs: { scale: 2, bias: [1, 2, 3] } },
  ];
  for (const c of cases) {
    it(`${c.op}@${c.opset}`, () => assertMatchesOrt(rules, c));
  }
});
