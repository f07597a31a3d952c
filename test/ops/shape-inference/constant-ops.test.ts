import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { makeTensorProto } from '../../../src/ir/model-builder.js';
import { rules } from '../../../src/ops/shape-inference/constant-ops.js';
import type { InferredOutput, KnownValue } from '../../../src/ops/shape-inference/shape-rule.js';
import { assertMatchesOrt, runRule, type CaseInput, type OneNodeCase } from './fake-context.js';

const known = (value: KnownValue, shape: Dim[] = [value.length]): CaseInput => ({ dtype: 'int64', shape, known: value });
const ints = (values: number[], shape: number[] = [values.length]): CaseInput => ({ dtype: 'int64', shape, data: values });
const scalar = (dtype: string, v: number): CaseInput => ({ dtype, shape: [], data: [v] });
const op = (name: string, inputs: (CaseInput | null)[], attrs: OneNodeCase['attrs'] = {}): OneNodeCase => ({ op: name, inputs, attrs });
const summary = (o: InferredOutput | undefined) => ({ dtype: o?.dtype, shape: o?.shape, value: o?.value });

describe('Constant', () => {
  const table: [string, OneNodeCase, ReturnType<typeof summary>][] = [
    ['a small int64 tensor is known', op('Constant', [], { value: makeTensorProto(undefined, 'int64', [3], [1, -1, 64]) }),
      { dtype: 7, shape: [3], value: [1, -1, 64] }],
    ['a float scalar is known', op('Constant', [], { value: makeTensorProto(undefined, 'float32', [], [0.5]) }), { dtype: 1, shape: [], value: [0.5] }],
    ['a large tensor has no value', op('Constant', [], { value: makeTensorProto(undefined, 'float32', [8, 16], new Float32Array(128)) }),
      { dtype: 1, shape: [8, 16], value: undefined }],
    ['value_int', op('Constant', [], { value_int: 5 }), { dtype: 7, shape: [], value: [5] }],
    ['value_ints', op('Constant', [], { value_ints: [1, 2] }), { dtype: 7, shape: [2], value: [1, 2] }],
    ['value_floats', op('Constant', [], { value_floats: [0.5, 1.5] }), { dtype: 1, shape: [2], value: [0.5, 1.5] }],
    ['value_strings', op('Constant', [], { value_strings: ['a', 'b', 'c'] }), { dtype: 8, shape: [3], value: undefined }],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(summary(runRule(rules, c)[0]), expected));
});

describe('ConstantOfShape, Range, EyeLike, random generators', () => {
  const table: [string, OneNodeCase, ReturnType<typeof summary>][] = [
    ['ConstantOfShape defaults to float32 zeros', op('ConstantOfShape', [ints([2, 3])]), { dtype: 1, shape: [2, 3], value: [0, 0, 0, 0, 0, 0] }],
    ['ConstantOfShape ones, int64, shape with symbols', op('ConstantOfShape', [known(['B', 4])], { value: makeTensorProto(undefined, 'int64', [1], [1]) }),
      { dtype: 7, shape: ['B', 4], value: undefined }],
    ['ConstantOfShape of a small vector is known (torch Expand export)', op('ConstantOfShape', [ints([3])], { value: makeTensorProto(undefined, 'int64', [1], [1]) }),
      { dtype: 7, shape: [3], value: [1, 1, 1] }],
    ['ConstantOfShape of an empty shape is a scalar', op('ConstantOfShape', [ints([], [0])]), { dtype: 1, shape: [], value: [0] }],
    ['Range of numbers', op('Range', [scalar('int64', 2), scalar('int64', 11), scalar('int64', 3)]), { dtype: 7, shape: [3], value: [2, 5, 8] }],
    ['Range counting down', op('Range', [scalar('float32', 10), scalar('float32', 4), scalar('float32', -3)]), { dtype: 1, shape: [2], value: [10, 7] }],
    ['arange(S) has S elements', op('Range', [scalar('int64', 0), known(['S'], []), scalar('int64', 1)]), { dtype: 7, shape: ['S'], value: undefined }],
    ['EyeLike keeps the shape, dtype attribute', op('EyeLike', [{ dtype: 'float32', shape: [3, 4] }], { dtype: 7 }), { dtype: 7, shape: [3, 4], value: undefined }],
    ['RandomNormal from attributes', op('RandomNormal', [], { shape: [2, 5], dtype: 10 }), { dtype: 10, shape: [2, 5], value: undefined }],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(summary(runRule(rules, c)[0]), expected));

  it('Range over data gets a fresh symbol', () => {
    const [r] = runRule(rules, op('Range', [{ dtype: 'float32', shape: [] }, { dtype: 'float32', shape: [] }, { dtype: 'float32', shape: [] }]));
    assert.equal(r?.shape?.length, 1);
    assert.equal(typeof r?.shape?.[0], 'string');
  });
});

describe('constant rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    op('ConstantOfShape', [ints([2, 3])], { value: makeTensorProto(undefined, 'int32', [1], [4]) }),
    op('Range', [scalar('int64', 2), scalar('int64', 11), scalar('int64', 3)]),
    op('Range', [scalar('float32', 1), scalar('float32', 2), scalar('float32', 0.3)]),
    op('EyeLike', [{ dtype: 'float32', shape: [3, 4] }], { k: 1 }),
    op('Constant', [], { value_floats: [0.5, 1.5] }),
  ];
  for (const c of cases) it(`${c.op} ${JSON.stringify(c.inputs.map((i) => i?.data ?? null))}`, () => assertMatchesOrt(rules, c));
});
