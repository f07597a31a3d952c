import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim, Shape } from '../../../src/ir/tensor-type.js';
import {
  addDims, BroadcastError, broadcastDim, broadcastShapes, ceilDivDims, divDims, inferredReshapeDim, mulDims, subDims,
} from '../../../src/ops/shape-inference/dim-math.js';

describe('dim arithmetic', () => {
  const table: [string, (a: Dim, b: Dim) => Dim, Dim, Dim, Dim][] = [
    ['numbers multiply', mulDims, 6, 7, 42],
    ['x*1 is x', mulDims, 'N', 1, 'N'],
    ['x*0 is 0', mulDims, 0, 'N', 0],
    ['a factor leads', mulDims, 'N', 2, '2*N'],
    ['factors fold', mulDims, '2*N', 3, '6*N'],
    ['symbol products are ordered', mulDims, 'S', 'B', 'B*S'],
    ['a sum is parenthesised as a factor', mulDims, 'N+1', 2, '2*(N+1)'],
    ['unknown stays unknown', mulDims, null, 2, null],
    ['floor division of numbers', divDims, 7, 2, 3],
    ['a coefficient divides exactly', divDims, '6*N', 3, '2*N'],
    ['x/x is 1', divDims, 'N', 'N', 1],
    ['otherwise floor(...)', divDims, 'N', 2, 'floor(N/2)'],
    ['ceil division', ceilDivDims, 7, 2, 4],
    ['ceil of a symbol', ceilDivDims, 'N', 4, 'ceil(N/4)'],
    ['offsets add up', addDims, 'N+1', 2, 'N+3'],
    ['x+0 is x', addDims, 0, 'N', 'N'],
    ['symbol sums are written out', addDims, 'N', 'M', 'N+M'],
    ['x-x is 0', subDims, 'N', 'N', 0],
    ['offsets cancel', subDims, 'N+1', 1, 'N'],
    ['negative offsets', subDims, 'N', 2, 'N-2'],
  ];
  for (const [name, f, a, b, expected] of table) it(name, () => assert.equal(f(a, b), expected));
});

describe('broadcasting with symbols', () => {
  const table: [string, Dim, Dim, Dim][] = [
    ['equal numbers', 3, 3, 3],
    ['1 stretches to a number', 1, 5, 5],
    ['1 stretches to a symbol', 'N', 1, 'N'],
    ['a number beats a symbol (the symbol must equal it)', 'N', 4, 4],
    ['equal symbols', 'N', 'N', 'N'],
    ['different symbols: the left one', 'N', 'M', 'N'],
    ['a name is preferred over an expression', '2*N', 'M', 'M'],
    ['unknown vs known: the known one', null, 'N', 'N'],
    ['unknown vs 1 stays unknown', null, 1, null],
  ];
  for (const [name, a, b, expected] of table) it(name, () => assert.equal(broadcastDim(a, b), expected));

  it('numbers that differ and are not 1 are an error', () => {
    assert.throws(() => broadcastDim(3, 4), BroadcastError);
  });

  it('shapes align on the right', () => {
    assert.deepEqual(broadcastShapes([[2, 1, 4], [3, 1], []]), [2, 3, 4]);
    assert.deepEqual(broadcastShapes([['B', 'S', 64], [64]]), ['B', 'S', 64]);
    assert.equal(broadcastShapes([[2], undefined]), undefined);
  });
});

describe('the -1 of a Reshape', () => {
  const table: [string, Shape, Shape, Dim | undefined][] = [
    ['numbers', [2, 3, 4], [4], 6],
    ['a symbol cancels', ['B', 'S', 512], ['B', 'S', 8], 64],
    ['a symbol stays', ['B', 3, 4], [4], '3*B'],
    ['a coefficient cancels against its symbol', ['B', 'S', 64], ['2*B'], '32*S'],
    ['an unknown input dim', [null, 4], [2], undefined],
    ['a target symbol the input lacks', ['B', 4], ['S'], undefined],
    ['a non-integer numeric quotient', [3, 5], [2], undefined],
  ];
  for (const [name, input, others, expected] of table) it(name, () => assert.equal(inferredReshapeDim(input, others), expected));
});
