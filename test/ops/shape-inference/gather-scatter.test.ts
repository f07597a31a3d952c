import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { rules } from '../../../src/ops/shape-inference/gather-scatter.js';
import type { KnownValue } from '../../../src/ops/shape-inference/shape-rule.js';
import { assertMatchesOrt, runRule, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const i64 = (shape: Dim[]): CaseInput => ({ dtype: 'int64', shape });
const known = (value: KnownValue, shape: Dim[] = [value.length]): CaseInput => ({ dtype: 'int64', shape, known: value });
const ints = (values: number[], shape: number[] = [values.length]): CaseInput => ({ dtype: 'int64', shape, data: values });
const op = (name: string, inputs: (CaseInput | null)[], attrs: OneNodeCase['attrs'] = {}): OneNodeCase => ({ op: name, inputs, attrs });

describe('indexing shapes', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['Gather axis 0 (embedding lookup)', op('Gather', [f32([1000, 64]), i64(['B', 'S'])]), ['B', 'S', 64]],
    ['Gather with a scalar index drops the axis', op('Gather', [f32(['N', 5, 7]), ints([2], [])], { axis: 1 }), ['N', 7]],
    ['Gather negative axis', op('Gather', [f32([2, 3, 4]), i64([5])], { axis: -1 }), [2, 3, 5]],
    ['GatherElements has the indices\' shape', op('GatherElements', [f32([3, 4]), i64([3, 2])], { axis: 1 }), [3, 2]],
    ['GatherND', op('GatherND', [f32([5, 6, 7]), i64(['K', 2])]), ['K', 7]],
    ['GatherND with batch_dims', op('GatherND', [f32(['B', 6, 7]), i64(['B', 3, 1])], { batch_dims: 1 }), ['B', 3, 7]],
    ['ScatterND keeps the data shape', op('ScatterND', [f32(['N', 7]), i64([2, 1]), f32([2, 7])]), ['N', 7]],
    ['ScatterElements keeps the data shape', op('ScatterElements', [f32([3, 3]), i64([1, 2]), f32([1, 2])]), [3, 3]],
    ['OneHot inserts the depth at the last axis', op('OneHot', [i64(['B', 'S']), ints([10], []), { dtype: 'float32', shape: [2], data: [0, 1] }]), ['B', 'S', 10]],
    ['OneHot at axis 0', { ...op('OneHot', [i64([4]), ints([3], []), { dtype: 'float32', shape: [2], data: [0, 1] }]), attrs: { axis: 0 } }, [3, 4]],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c)[0]?.shape, expected));

  it('data-dependent lengths get fresh symbols', () => {
    const [compressed] = runRule(rules, op('Compress', [f32([5, 3]), { dtype: 'bool', shape: [5] }], { axis: 0 }));
    assert.equal(typeof compressed?.shape?.[0], 'string');
    assert.equal(compressed?.shape?.[1], 3);
    const [hot] = runRule(rules, op('OneHot', [i64([4]), i64([]), f32([2])]));
    assert.deepEqual(hot?.shape?.[0], 4);
    assert.equal(typeof hot?.shape?.[1], 'string');
  });
});

describe('Gather of known values (reading one dim of a Shape)', () => {
  const table: [string, OneNodeCase, KnownValue | undefined][] = [
    ['a scalar index picks one dim', op('Gather', [known(['B', 3, 'S']), ints([2], [])]), ['S']],
    ['negative indices count from the end', op('Gather', [known(['B', 3, 'S']), ints([-3, 1])]), ['B', 3]],
    ['rows of a 2-d value', { ...op('Gather', [known([1, 2, 3, 4], [2, 2]), ints([1])]) }, [3, 4]],
    ['unknown indices give no value', op('Gather', [known(['B', 3]), i64([1])]), undefined],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c)[0]?.value, expected));

  it('an out-of-range index is an error', () => {
    assert.throws(() => runRule(rules, op('Gather', [known(['B', 3]), ints([2], [])])), /out of range/);
  });
});

describe('indexing rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    op('Gather', [f32([10, 4]), ints([1, 2, 3, 0, 0, 1], [2, 3])]),
    { ...op('Gather', [f32([2, 5, 3]), ints([4], [])]), attrs: { axis: 1 } },
    op('GatherElements', [f32([3, 4]), ints([0, 1, 2, 0, 1, 2], [3, 2])]),
    op('GatherND', [f32([5, 6, 7]), ints([0, 1, 2, 3, 4, 5], [3, 2])]),
    { ...op('GatherND', [f32([2, 6, 7]), ints([0, 1, 2, 3, 4, 5], [2, 3, 1])]), attrs: { batch_dims: 1 } },
    op('ScatterND', [f32([4, 7]), ints([1, 3], [2, 1]), f32([2, 7])]),
    op('OneHot', [ints([0, 2, 1, 1], [2, 2]), ints([5], []), { dtype: 'float32', shape: [2], data: [0, 1] }]),
  ];
  for (const c of cases) it(`${c.op} ${JSON.stringify(c.inputs.map((i) => i?.shape ?? null))}`, () => assertMatchesOrt(rules, c));
});
