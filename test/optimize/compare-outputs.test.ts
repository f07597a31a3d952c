/**
 * Output comparison: numpy.allclose semantics for floats, exactness for integers, and shapes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareOutputs } from '../../src/optimize/compare-outputs.js';

const tol = { atol: 1e-4, rtol: 1e-3 };
const f32 = (dims: number[], values: number[]) => ({ dtype: 'float32', dims, data: Float32Array.from(values) });

test('floats within atol + rtol·|expected| match; beyond it they count as mismatches with the worst errors', () => {
  const [close] = compareOutputs({ y: f32([3], [1, 100, Number.NaN]) }, { y: f32([3], [1.00005, 100.05, Number.NaN]) }, tol);
  assert.equal(close!.mismatches, 0);
  const [far] = compareOutputs({ y: f32([2], [1, 2]) }, { y: f32([2], [1.01, 2]) }, tol);
  assert.equal(far!.mismatches, 1);
  assert.ok(Math.abs(far!.maxAbsError - 0.01) < 1e-6);
});

test('integers must be equal exactly', () => {
  const i64 = (v: bigint[]) => ({ dtype: 'int64', dims: [v.length], data: BigInt64Array.from(v) });
  assert.equal(compareOutputs({ k: i64([1n, 2n]) }, { k: i64([1n, 3n]) }, { atol: 10, rtol: 10 })[0]!.mismatches, 1);
});

test('a different shape is a problem, except between empty tensors of one rank', () => {
  assert.match(compareOutputs({ y: f32([2, 1], [1, 2]) }, { y: f32([1, 2], [1, 2]) }, tol)[0]!.problem!, /shape/);
  assert.equal(compareOutputs({ y: f32([0, 0], []) }, { y: f32([0, 1], []) }, tol)[0]!.problem, undefined);
  assert.match(compareOutputs({ y: f32([0], []) }, { y: f32([0, 1], []) }, tol)[0]!.problem!, /shape/);
});
