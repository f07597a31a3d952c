import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { dataTypeName as dtypeName } from '../../../src/onnx/data-type.js';
import { rules } from '../../../src/ops/shape-inference/elementwise.js';
import type { KnownValue } from '../../../src/ops/shape-inference/shape-rule.js';
import { assertMatchesOrt, runRule, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const i64 = (shape: Dim[], known?: KnownValue): CaseInput => ({ dtype: 'int64', shape, known });
const data = (dtype: string, values: number[], shape: number[] = [values.length]): CaseInput => ({ dtype, shape, data: values });
const op = (name: string, inputs: (CaseInput | null)[], attrs: OneNodeCase['attrs'] = {}, extra: Partial<OneNodeCase> = {}): OneNodeCase =>
  ({ op: name, inputs, attrs, ...extra });

describe('elementwise shapes and types', () => {
  const table: [string, OneNodeCase, { dtype: string; shape: Dim[] | undefined }[]][] = [
    ['unary keeps the shape', op('Relu', [f32(['N', 3])]), [{ dtype: 'float32', shape: ['N', 3] }]],
    ['unknown rank stays unknown', op('Sigmoid', [f32()]), [{ dtype: 'float32', shape: undefined }]],
    ['Cast takes its type from `to`', op('Cast', [f32([2, 'S'])], { to: 7 }), [{ dtype: 'int64', shape: [2, 'S'] }]],
    ['CastLike takes input 1\'s type', op('CastLike', [f32([4]), { dtype: 'float16', shape: [] }]), [{ dtype: 'float16', shape: [4] }]],
    ['IsNaN is bool', op('IsNaN', [f32([2, 2])]), [{ dtype: 'bool', shape: [2, 2] }]],
    ['Dropout mask is bool from opset 10', op('Dropout', [f32(['N', 8])], {}, { outputs: 2 }),
      [{ dtype: 'float32', shape: ['N', 8] }, { dtype: 'bool', shape: ['N', 8] }]],
    ['Dropout mask has the data type before opset 10', op('Dropout', [f32([1, 8])], {}, { outputs: 2, opset: 7 }),
      [{ dtype: 'float32', shape: [1, 8] }, { dtype: 'float32', shape: [1, 8] }]],
    ['numpy broadcasting', op('Add', [f32([2, 1, 4]), f32([3, 1])]), [{ dtype: 'float32', shape: [2, 3, 4] }]],
    ['broadcasting with symbols', op('Mul', [f32(['B', 1, 'S']), f32([1, 'H', 1])]), [{ dtype: 'float32', shape: ['B', 'H', 'S'] }]],
    ['a number fixes a symbol', op('Sub', [f32(['N']), f32([5])]), [{ dtype: 'float32', shape: [5] }]],
    ['variadic Sum', op('Sum', [f32([3]), f32([2, 1]), f32([])]), [{ dtype: 'float32', shape: [2, 3] }]],
    ['comparisons are bool', op('Less', [f32([2, 3]), f32([3])]), [{ dtype: 'bool', shape: [2, 3] }]],
    ['Where broadcasts all three, X\'s type', op('Where', [{ dtype: 'bool', shape: [2, 1] }, f32([3]), f32([1])]),
      [{ dtype: 'float32', shape: [2, 3] }]],
    ['opset 6 Add with broadcast=1 is A\'s shape', op('Add', [f32([2, 3, 4]), f32([3])], { broadcast: 1, axis: 1 }, { opset: 6 }),
      [{ dtype: 'float32', shape: [2, 3, 4] }]],
    ['QuantizeLinear is the zero point\'s type', op('QuantizeLinear', [f32(['N', 4]), f32([]), { dtype: 'int8', shape: [] }]),
      [{ dtype: 'int8', shape: ['N', 4] }]],
    ['DequantizeLinear is the scale\'s type', op('DequantizeLinear', [{ dtype: 'uint8', shape: [4] }, f32([])]), [{ dtype: 'float32', shape: [4] }]],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => {
      const got = runRule(rules, c).map((o) => ({ dtype: o ? dtypeName(o.dtype) : '?', shape: o?.shape }));
      assert.deepEqual(got, expected);
    });
  }

  it('dims that cannot broadcast are an error the engine records', () => {
    assert.throws(() => runRule(rules, op('Add', [f32([2]), f32([3])])), /do not broadcast/);
  });
});

describe('elementwise known values (exported shape arithmetic)', () => {
  const table: [string, OneNodeCase, KnownValue | undefined][] = [
    ['Add of small vectors', op('Add', [i64([2], [2, 3]), i64([1], [1])]), [3, 4]],
    ['Mul keeps symbols as expressions', op('Mul', [i64([2], ['N', 64]), i64([], [2])]), ['2*N', 128]],
    ['integer Div truncates like onnxruntime', op('Div', [i64([2], [-7, 7]), i64([], [2])]), [-3, 3]],
    ['float Div is exact', op('Div', [data('float32', [7]), data('float32', [2])]), [3.5]],
    ['integer Div of a symbol is floor division', op('Div', [i64([1], ['S']), i64([], [2])]), ['floor(S/2)']],
    ['a dim never equals -1 (torch Expand export)', op('Equal', [i64([3], ['N', 3, -1]), i64([], [-1])]), [0, 0, 1]],
    ['a symbol vs an unknown number is unknown', op('Equal', [i64([1], ['N']), i64([1], [4])]), [null]],
    ['Where picks known elements', op('Where', [{ dtype: 'bool', shape: [3], data: [1, 0, 1] }, i64([3], ['N', 5, 6]), i64([3], [1, 2, 3])]), ['N', 2, 6]],
    ['max(dim, 0) is the dim', op('Max', [i64([1], ['N']), i64([1], [0])]), ['N']],
    ['min(dim, INT64_MAX) is the dim', op('Min', [i64([1], ['N']), i64([1], [2 ** 63])]), ['N']],
    ['Cast to int truncates', op('Cast', [data('float32', [2.7, -2.7])], { to: 7 }), [2, -2]],
    ['Cast keeps symbols', op('Cast', [i64([1], ['N'])], { to: 1 }), ['N']],
    ['Neg of a symbol is unknown', op('Neg', [i64([2], ['N', 2])]), [null, -2]],
    ['values of 2-d inputs broadcast too', op('Add', [i64([2, 2], [1, 2, 3, 4]), i64([2], [10, 20])]), [11, 22, 13, 24]],
    ['no value without every input known', op('Add', [i64([2]), i64([1], [1])]), undefined],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c)[0]?.value, expected));
});

describe('elementwise rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    op('Add', [f32([2, 1, 4]), f32([3, 1])]),
    op('Where', [{ dtype: 'bool', shape: [2, 1] }, f32([3]), f32([1])]),
    op('Equal', [{ dtype: 'int64', shape: [4] }, { dtype: 'int64', shape: [1, 1] }]),
    op('Cast', [f32([2, 3])], { to: 6 }),
    op('Dropout', [f32([1, 8])], {}, { outputs: 2, opset: 12 }),
    op('Pow', [f32([2, 3]), { dtype: 'int64', shape: [] }]),
    op('Max', [f32([4, 1]), f32([1, 5]), f32([5])]),
    op('PRelu', [f32([1, 3, 4, 4]), data('float32', [0.1, 0.2, 0.3], [3, 1, 1])]),
    op('QuantizeLinear', [f32([2, 4]), data('float32', [0.5], []), { dtype: 'uint8', shape: [], data: [3] }]),
  ];
  for (const c of cases) it(`${c.op} on ${JSON.stringify(c.inputs.map((i) => i?.shape ?? null))}`, () => assertMatchesOrt(rules, c));
});
