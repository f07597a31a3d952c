import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/detection.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type CaseInput, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]): CaseInput => ({ dtype: 'float32', shape });
const k = (value: number): CaseInput => ({ dtype: 'int64', shape: [1], data: [value] });
const isNewSymbol = (d: Dim | undefined) => typeof d === 'string' && d.length > 0;

describe('detection / data-dependent shape rules', () => {
  it('NonMaxSuppression: [new symbol, 3] int64', () => {
    const [out] = runRule(rules, { op: 'NonMaxSuppression', opset: 11, inputs: [f32([1, 3549, 4]), f32([1, 80, 3549])] });
    assert.equal(out?.dtype, DataType.INT64);
    assert.ok(isNewSymbol(out?.shape?.[0]));
    assert.equal(out?.shape?.[1], 3);
  });

  it('NonZero: [rank, new symbol] int64', () => {
    const [out] = runRule(rules, { op: 'NonZero', inputs: [f32(['N', 4, 5])] });
    assert.equal(out?.dtype, DataType.INT64);
    assert.equal(out?.shape?.[0], 3);
    assert.ok(isNewSymbol(out?.shape?.[1]));
  });

  const topK: [string, OneNodeCase, (Dim[] | undefined)[]][] = [
    ['TopK opset 1: k attribute, last axis', { op: 'TopK', opset: 1, outputs: 2, inputs: [f32(['N', 100])], attrs: { k: 5 } }, [['N', 5], ['N', 5]]],
    ['TopK opset 11: K input, axis 1', { op: 'TopK', opset: 11, outputs: 2, inputs: [f32([3, 10, 4]), k(3)], attrs: { axis: 1 } }, [[3, 3, 4], [3, 3, 4]]],
    ['TopK with a symbolic K value', { op: 'TopK', opset: 11, outputs: 2, inputs: [f32([3, 10]), { dtype: 'int64', shape: [1], known: ['K'] }] }, [[3, 'K'], [3, 'K']]],
  ];
  for (const [name, c, expected] of topK) {
    it(name, () => assert.deepEqual(ruleShapes(rules, c), expected));
  }

  it('TopK with an unknown K shares one new symbol between both outputs; Indices are int64', () => {
    const out = runRule(rules, { op: 'TopK', opset: 11, outputs: 2, inputs: [f32([3, 10]), { dtype: 'int64', shape: [1] }] });
    assert.ok(isNewSymbol(out[0]?.shape?.[1]));
    assert.deepEqual(out[1], { dtype: DataType.INT64, shape: out[0]?.shape });
  });

  it('RoiAlign: [num_rois, C, output_height, output_width]', () => {
    const c: OneNodeCase = { op: 'RoiAlign', opset: 16, inputs: [f32([1, 256, 50, 50]), f32(['R', 4]), { dtype: 'int64', shape: ['R'] }], attrs: { output_height: 7, output_width: 5 } };
    assert.deepEqual(ruleShapes(rules, c)[0], ['R', 256, 7, 5]);
  });

  it('Unique without axis: flattened, inverse indices one per element', () => {
    const out = runRule(rules, { op: 'Unique', opset: 11, outputs: 4, inputs: [f32([2, 3])] });
    const u = out[0]?.shape?.[0];
    assert.ok(isNewSymbol(u));
    assert.deepEqual(out.map((o) => o?.shape), [[u], [u], [6], [u]]);
    assert.deepEqual(out.map((o) => o?.dtype), [DataType.FLOAT, DataType.INT64, DataType.INT64, DataType.INT64]);
  });

  it('Unique with axis: slices along the axis', () => {
    const out = runRule(rules, { op: 'Unique', opset: 11, outputs: 3, inputs: [f32(['N', 3, 4])], attrs: { axis: -2 } });
    const u = out[1]?.shape?.[0];
    assert.deepEqual(out.map((o) => o?.shape), [['N', u, 4], [u], [3]]);
  });
});

describe('TopK agrees with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    { op: 'TopK', opset: 11, outputs: 2, inputs: [f32([3, 10, 4]), k(3)], attrs: { axis: 1 } },
    { op: 'TopK', opset: 11, outputs: 2, inputs: [f32([3, 10, 4]), k(2)], attrs: { axis: -1, largest: 0 } },
    { op: 'TopK', opset: 9, outputs: 2, inputs: [f32([6, 5])], attrs: { k: 4, axis: 0 } },
  ];
  for (const c of cases) {
    it(`TopK@${c.opset} ${JSON.stringify(c.attrs)}`, () => assertMatchesOrt(rules, c));
  }
  it('RoiAlign agrees with onnxruntime', () => assertMatchesOrt(rules, {
    op: 'RoiAlign', opset: 16, attrs: { output_height: 3, output_width: 2 },
    inputs: [f32([1, 4, 10, 10]), { dtype: 'float32', shape: [2, 4], data: [0, 0, 5, 5, 1, 1, 8, 9] }, { dtype: 'int64', shape: [2], data: [0, 0] }],
  }));
});
