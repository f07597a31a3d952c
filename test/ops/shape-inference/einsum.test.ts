import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { rules } from '../../../src/ops/shape-inference/einsum.js';
import { assertMatchesOrt, runRule, type OneNodeCase } from './fake-context.js';

const einsum = (equation: string, ...shapes: Dim[][]): OneNodeCase =>
  ({ op: 'Einsum', opset: 12, inputs: shapes.map((shape) => ({ dtype: 'float32', shape })), attrs: { equation } });

describe('Einsum shape rule', () => {
  const table: [string, OneNodeCase, Dim[]][] = [
    ['batched matmul', einsum('bij,bjk->bik', ['B', 3, 4], ['B', 4, 5]), ['B', 3, 5]],
    ['attention scores', einsum('bhqd,bhkd->bhqk', ['B', 8, 'S', 64], ['B', 8, 'S', 64]), ['B', 8, 'S', 'S']],
    ['implicit output: letters used once, sorted', einsum('ij,jk', [2, 3], [3, 4]), [2, 4]],
    ['implicit output is alphabetical: a transpose', einsum('ji', [2, 3]), [3, 2]],
    ['ellipsis broadcasts', einsum('...ij,...jk->...ik', [5, 1, 2, 3], [4, 3, 6]), [5, 4, 2, 6]],
    ['a 1 broadcasts against the same letter', einsum('ij,ij->ij', [1, 3], [4, 3]), [4, 3]],
    ['reduction to a scalar', einsum('ii->', [4, 4]), []],
    ['spaces are allowed', einsum('b i j , b j k -> b i k', [2, 3, 4], [2, 4, 5]), [2, 3, 5]],
  ];
  for (const [name, c, expected] of table) it(name, () => assert.deepEqual(runRule(rules, c)[0]?.shape, expected));

  it('a term that does not fit its input is an error', () => {
    assert.throws(() => runRule(rules, einsum('ij->i', [2, 3, 4])), /does not fit/);
  });
});

describe('Einsum agrees with onnxruntime', () => {
  const cases = [
    einsum('bij,bjk->bik', [2, 3, 4], [2, 4, 5]),
    einsum('ij,jk', [2, 3], [3, 4]),
    einsum('...ij,...jk->...ik', [5, 2, 3], [5, 3, 6]),
    einsum('ji', [2, 3]),
    einsum('ii->i', [4, 4]),
  ];
  for (const c of cases) it(String(c.attrs?.equation), () => assertMatchesOrt(rules, c));
});
