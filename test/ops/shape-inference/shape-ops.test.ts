import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { rules } from '../../../src/ops/shape-inference/shape-ops.js';
import type { KnownValue } from '../../../src/ops/shape-inference/shape-rule.js';
import { assertMatchesOrt, runRule, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
/** An int64 input whose content the rule knows (symbols allowed); not runnable in ORT. */
const known = (value: KnownValue, shape: Dim[] = [value.length]): CaseInput => ({ dtype: 'int64', shape, known: value });
/** An int64 constant (initializer in the ORT model). */
const ints = (values: number[], shape: number[] = [values.length]): CaseInput => ({ dtype: 'int64', shape, data: values });
const op = (name: string, inputs: (CaseInput | null)[], attrs: OneNodeCase['attrs'] = {}, extra: Partial<OneNodeCase> = {}): OneNodeCase =>
  ({ op: name, inputs, attrs, ...extra });
/** INT64_MAX as a JS number reads it (torch's "to the end"); rule-only, since it does not fit an int64 initializer. */
const INT64_MAX = 2 ** 63;
/** A "to the end" bound an int64 initializer can hold, for the onnxruntime cases. */
const BIG = 2 ** 62;

describe('shape-op output shapes', () => {
  const table: [string, OneNodeCase, (Dim[] | undefined)[]][] = [
    ['Shape is a vector of the rank', op('Shape', [f32(['N', 3, 'H', 'W'])]), [[4]]],
    ['Shape start/end (opset 15)', op('Shape', [f32(['N', 3, 'H', 'W'])], { start: 1, end: -1 }, { opset: 15 }), [[2]]],
    ['Size is a scalar', op('Size', [f32(['N', 3])]), [[]]],
    ['Reshape with 0 and -1', op('Reshape', [f32([2, 3, 4]), ints([0, -1])]), [[2, 12]]],
    ['Reshape -1 over symbols', op('Reshape', [f32(['B', 'S', 512]), known(['B', 'S', 8, -1])]), [['B', 'S', 8, 64]]],
    ['Reshape -1 keeps the leftover symbol', op('Reshape', [f32(['B', 'S', 512]), known([-1, 512])]), [['B*S', 512]]],
    ['Reshape allowzero keeps a literal 0', op('Reshape', [f32([0, 4]), ints([0, 4])], { allowzero: 1 }, { opset: 14 }), [[0, 4]]],
    ['Reshape with an unknown target of known length', op('Reshape', [f32([2, 6]), { dtype: 'int64', shape: [3] }]), [[null, null, null]]],
    ['Reshape opset 1 shape attribute', op('Reshape', [f32([2, 6])], { shape: [3, 4] }, { opset: 4 }), [[3, 4]]],
    ['Transpose reverses by default', op('Transpose', [f32(['N', 3, 5])]), [[5, 3, 'N']]],
    ['Transpose perm', op('Transpose', [f32(['N', 'H', 'W', 3])], { perm: [0, 3, 1, 2] }), [['N', 3, 'H', 'W']]],
    ['Concat sums the axis', op('Concat', [f32(['N', 2]), f32(['N', 3]), f32(['N', 'K'])], { axis: 1 }), [['N', 'K+5']]],
    ['Concat: a 1 elsewhere fixes the other inputs\' dim', op('Concat', [f32(['N', 2]), f32([1, 3])], { axis: 1 }), [[1, 5]]],
    ['Concat prefers numbers for the other dims', op('Concat', [f32(['N', 2]), f32([4, 2])], { axis: -1 }), [[4, 4]]],
    ['Split equal parts', op('Split', [f32([6, 'N'])], {}, { outputs: 3 }), [[2, 'N'], [2, 'N'], [2, 'N']]],
    ['Split sizes attribute (opset 11)', op('Split', [f32(['N', 10])], { axis: 1, split: [3, 7] }, { outputs: 2, opset: 11 }), [['N', 3], ['N', 7]]],
    ['Split sizes input (opset 13)', op('Split', [f32(['N', 10]), ints([4, 6])], { axis: -1 }, { outputs: 2, opset: 13 }), [['N', 4], ['N', 6]]],
    ['Split num_outputs with a remainder (opset 18)', op('Split', [f32([10])], { num_outputs: 3 }, { outputs: 3, opset: 18 }), [[4], [4], [2]]],
    ['Slice attributes (opset 9)', op('Slice', [f32([10, 'N'])], { starts: [2], ends: [-1], axes: [0] }, { opset: 9 }), [[7, 'N']]],
    ['Slice inputs with steps', op('Slice', [f32([10, 20]), ints([0, 1]), ints([10, 20]), ints([0, 1]), ints([3, 2])]), [[4, 10]]],
    ['Slice reversed', op('Slice', [f32([5, 3]), ints([-1]), known([-INT64_MAX]), ints([0]), ints([-1])]), [[5, 3]]],
    ['Slice reversed over a symbolic dim', op('Slice', [f32(['S']), ints([-1]), known([-INT64_MAX]), ints([0]), ints([-1])]), [['S']]],
    ['Slice to the end of a symbolic dim', op('Slice', [f32(['B', 'S']), ints([1]), known([INT64_MAX]), ints([1])]), [['B', 'S-1']]],
    ['Slice to 1e9 (tf2onnx\'s end) of a symbolic dim', op('Slice', [f32(['B', 'S']), ints([0]), ints([1e9]), ints([0])]), [['B', 'S']]],
    ['Slice x[-k:] of a symbolic dim keeps k', op('Slice', [f32(['S', 4]), ints([-3]), known([INT64_MAX]), ints([0])]), [[3, 4]]],
    ['Slice with a symbolic end', op('Slice', [f32([512, 64]), ints([0]), known(['S']), ints([0])]), [['S', 64]]],
    ['Slice bounds past the dim clamp', op('Slice', [f32([4]), ints([-10]), ints([100])]), [[4]]],
    ['Squeeze axes attribute (opset 11)', op('Squeeze', [f32([1, 'N', 1, 3])], { axes: [0, -2] }, { opset: 11 }), [['N', 3]]],
    ['Squeeze axes input (opset 13)', op('Squeeze', [f32([1, 'N', 1]), ints([2])]), [[1, 'N']]],
    ['Squeeze all ones', op('Squeeze', [f32([1, 4, 1])]), [[4]]],
    ['Squeeze without axes over a symbol: rank unknown', op('Squeeze', [f32([1, 'N'])]), [undefined]],
    ['Unsqueeze axes attribute (opset 11)', op('Unsqueeze', [f32(['N', 3])], { axes: [0, 3] }, { opset: 11 }), [[1, 'N', 3, 1]]],
    ['Unsqueeze axes input (opset 13)', op('Unsqueeze', [f32(['N']), ints([-1])]), [['N', 1]]],
    ['Expand to a known shape', op('Expand', [f32([3, 1]), ints([2, 1, 6])]), [[2, 3, 6]]],
    ['Expand to a shape with symbols', op('Expand', [f32([1, 1, 64]), known(['B', 'S', 1])]), [['B', 'S', 64]]],
    ['Tile multiplies', op('Tile', [f32(['N', 3]), ints([2, 2])]), [['2*N', 6]]],
    ['DepthToSpace', op('DepthToSpace', [f32(['N', 16, 'H', 5])], { blocksize: 2 }), [['N', 4, '2*H', 10]]],
    ['SpaceToDepth', op('SpaceToDepth', [f32([1, 3, 8, 6])], { blocksize: 2 }), [[1, 12, 4, 3]]],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c).map((o) => o?.shape), expected));

  it('impossible inputs are errors, not silent guesses', () => {
    assert.throws(() => runRule(rules, op('Squeeze', [f32([2, 3]), ints([0])])), /cannot squeeze axis 0 of length 2/);
    assert.throws(() => runRule(rules, op('Concat', [f32([2, 3]), f32([3])], { axis: 0 })), /ranks/);
    assert.throws(() => runRule(rules, op('Transpose', [f32([2, 3])], { perm: [0, 2] })), /out of range/);
  });
});

describe('shape-op known values (Shape → Gather → Concat → Reshape arithmetic)', () => {
  const table: [string, OneNodeCase, KnownValue | undefined][] = [
    ['Shape gives the dims, symbols included', op('Shape', [f32(['B', 3, 'S'])]), ['B', 3, 'S']],
    ['Shape start/end', op('Shape', [f32(['B', 3, 'S'])], { start: -2 }, { opset: 15 }), [3, 'S']],
    ['Size multiplies', op('Size', [f32(['B', 3, 4])]), ['12*B']],
    ['Concat joins vectors', op('Concat', [known(['B']), ints([-1, 64])], { axis: 0 }), ['B', -1, 64]],
    ['Concat keeps the length of a part it cannot read', op('Concat', [{ dtype: 'int64', shape: [1] }, ints([64])], { axis: 0 }), [null, 64]],
    ['Slice of a shape vector', op('Slice', [known(['B', 3, 'H', 'W']), ints([2]), known([INT64_MAX])]), ['H', 'W']],
    ['Slice with step -1 reverses', op('Slice', [known([1, 2, 3, 4]), ints([-1]), known([-INT64_MAX]), ints([0]), ints([-1])]), [4, 3, 2, 1]],
    ['Squeeze passes the value', op('Squeeze', [known(['S'], [1]), ints([0])]), ['S']],
    ['Unsqueeze passes the value', op('Unsqueeze', [known(['S'], []), ints([0])]), ['S']],
    ['Reshape passes the value', op('Reshape', [known([1, 2, 3, 4], [4]), ints([2, 2])]), [1, 2, 3, 4]],
    ['Transpose of a 2-d value (torch F.pad pads)', op('Transpose', [known([1, 2, 3, 4, 5, 6], [3, 2])], { perm: [1, 0] }), [1, 3, 5, 2, 4, 6]],
    ['Slice of a 2-d value', op('Slice', [known([0, 0, 1, 2, 3, 4], [3, 2]), ints([-1]), known([-INT64_MAX]), ints([0]), ints([-1])]), [3, 4, 1, 2, 0, 0]],
    ['Split of a vector', op('Split', [known(['B', 'S', 8, 64]), ints([1, 3])], {}, { outputs: 2 }), ['B']],
    ['Expand of a scalar value', op('Expand', [known([7], []), ints([3])]), [7, 7, 7]],
    ['Tile of a vector', op('Tile', [known([1, 2]), ints([2])]), [1, 2, 1, 2]],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c)[0]?.value, expected));

  it('Split hands each part its values', () => {
    const parts = runRule(rules, op('Split', [known(['B', 'S', 8, 64]), ints([1, 3])], {}, { outputs: 2 }));
    assert.deepEqual(parts.map((p) => p?.value), [['B'], ['S', 8, 64]]);
  });
});

describe('shape-op rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    op('Shape', [f32([2, 3, 4])], { start: 1 }, { opset: 15 }),
    op('Reshape', [f32([2, 3, 4]), ints([0, -1])]),
    op('Reshape', [f32([2, 3, 4]), ints([-1, 2, 0])]),
    op('Transpose', [f32([1, 4, 5, 3])], { perm: [0, 3, 1, 2] }),
    op('Concat', [f32([2, 2]), f32([2, 3])], { axis: 1 }),
    op('Split', [f32([10, 2])], { num_outputs: 3 }, { outputs: 3, opset: 18 }),
    op('Split', [f32([2, 9])], { axis: 1 }, { outputs: 3, opset: 13 }),
    op('Slice', [f32([10, 20]), ints([0, 1]), ints([10, 20]), ints([0, 1]), ints([3, 2])]),
    op('Slice', [f32([5, 3]), ints([-1]), ints([-BIG]), ints([0]), ints([-2])]),
    op('Slice', [f32([7, 3]), ints([2]), ints([BIG]), ints([0])]),
    op('Slice', [f32([4, 6]), ints([-10, 7]), ints([100, 1]), ints([0, 1]), ints([1, -3])]),
    op('Slice', [f32([10, 4])], { starts: [2], ends: [-1], axes: [0] }, { opset: 9 }),
    op('Squeeze', [f32([1, 4, 1]), ints([-1])]),
    op('Unsqueeze', [f32([3, 4]), ints([0, 3])]),
    op('Expand', [f32([3, 1]), ints([2, 1, 6])]),
    op('Tile', [f32([2, 3]), ints([3, 2])]),
    op('DepthToSpace', [f32([1, 8, 2, 3])], { blocksize: 2, mode: 'CRD' }),
    op('SpaceToDepth', [f32([1, 3, 8, 6])], { blocksize: 2 }),
  ];
  for (const c of cases) {
    it(`${c.op}@${c.opset ?? 17} ${JSON.stringify(c.inputs.map((i) => i?.data ?? i?.shape ?? null))} ${JSON.stringify(c.attrs ?? {})}`,
      () => assertMatchesOrt(rules, c));
  }
});
