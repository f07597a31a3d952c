import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/reduce.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]) => ({ dtype: 'float32', shape });
const axesInput = (axes: number[]) => ({ dtype: 'int64', shape: [axes.length], data: axes });
/** Reduction with axes as an attribute (old opsets). */
const byAttr = (op: string, x: Dim[], attrs: OneNodeCase['attrs'], opset = 11): OneNodeCase => ({ op, opset, inputs: [f32(x)], attrs });
/** Reduction with axes as input 1 (ReduceSum 13+, the rest 18+); null axes = input left out. */
const byInput = (op: string, x: Dim[], axes: number[] | null, attrs: OneNodeCase['attrs'] = {}, opset = 18): OneNodeCase =>
  ({ op, opset, inputs: axes ? [f32(x), axesInput(axes)] : [f32(x)], attrs });

describe('reduction shape rules', () => {
  const table: [string, OneNodeCase, Dim[] | undefined][] = [
    ['axes attribute, keepdims default 1', byAttr('ReduceMean', ['N', 3, 'H', 'W'], { axes: [2, 3] }), ['N', 3, 1, 1]],
    ['negative axis, keepdims 0', byAttr('ReduceMax', ['N', 'S', 64], { axes: [-1], keepdims: 0 }), ['N', 'S']],
    ['no axes reduces everything', byAttr('ReduceL2', [2, 3, 4], {}), [1, 1, 1]],
    ['no axes, keepdims 0: a scalar', byAttr('ReduceProd', [2, 3, 4], { keepdims: 0 }), []],
    ['ReduceSum 13 takes axes as input', byInput('ReduceSum', ['N', 5, 7], [1], { keepdims: 0 }, 13), ['N', 7]],
    ['ReduceMean 18 takes axes as input', byInput('ReduceMean', [2, 5, 7], [0, -1]), [1, 5, 1]],
    ['noop_with_empty_axes and no axes: identity', byInput('ReduceSum', ['N', 5], null, { noop_with_empty_axes: 1, keepdims: 0 }, 13), ['N', 5]],
    ['noop_with_empty_axes and empty axes: identity', byInput('ReduceSum', ['N', 5], [], { noop_with_empty_axes: 1 }, 13), ['N', 5]],
    ['empty axes without noop: all', byInput('ReduceSumSquare', [3, 5], [], { keepdims: 0 }), []],
    ['axes input of unknown value, keepdims 1: only 1s are sure',
      { op: 'ReduceLogSumExp', opset: 18, inputs: [f32([1, 5, 'S']), { dtype: 'int64', shape: [1] }] }, [1, null, null]],
    ['axes input of unknown value, keepdims 0: rank drops by its length',
      { op: 'ReduceMin', opset: 18, attrs: { keepdims: 0 }, inputs: [f32([1, 5, 'S']), { dtype: 'int64', shape: [2] }] }, [null]],
    ['out-of-range axis: nothing claimed', byAttr('ReduceL1', [2, 3], { axes: [2] }), undefined],
  ];
  for (const [name, c, expected] of table) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c)[0], expected));
  }

  it('every reduction keeps the input type; ArgMax/ArgMin give int64', () => {
    for (const op of ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) {
      assert.deepEqual(runRule(rules, { op, opset: 11, inputs: [{ dtype: 'float16', shape: [2, 3] }], attrs: { axes: [0] } })[0],
        { dtype: DataType.FLOAT16, shape: [1, 3] }, op);
    }
    assert.deepEqual(runRule(rules, { op: 'ArgMax', inputs: [f32(['N', 10])], attrs: { axis: -1, keepdims: 0 } })[0], { dtype: DataType.INT64, shape: ['N'] });
    assert.deepEqual(runRule(rules, { op: 'ArgMin', inputs: [f32(['N', 10])] })[0], { dtype: DataType.INT64, shape: [1, 10] });
  });
});

describe('reduction rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    byAttr('ReduceMean', [2, 3, 4, 5], { axes: [1, -1] }),
    byAttr('ReduceMax', [2, 3, 4], { axes: [1], keepdims: 0 }),
    byInput('ReduceSum', [2, 3, 4], [0, 2], { keepdims: 0 }, 13),
    byInput('ReduceSum', [2, 3, 4], null, { noop_with_empty_axes: 1 }, 13),
    byInput('ReduceSum', [2, 3, 4], null, {}, 13),
    byInput('ReduceLogSumExp', [2, 3, 4], [-2]),
    { op: 'ArgMax', inputs: [f32([2, 3, 4])], attrs: { axis: 1, keepdims: 0 } },
  ];
  for (const c of cases) {
    it(`${c.op}@${c.opset} ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
});
