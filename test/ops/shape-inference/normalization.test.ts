import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../../src/ops/shape-inference/normalization.js';
import type { Dim } from '../../../src/ir/tensor-type.js';
import { DataType } from '../../../src/onnx/data-type.js';
import { assertMatchesOrt, runRule, ruleShapes, type OneNodeCase } from './fake-context.js';

const f32 = (shape?: Dim[]) => ({ dtype: 'float32', shape });
const bn = (x: Dim[], c: number, extra: Partial<OneNodeCase> = {}): OneNodeCase =>
  ({ op: 'BatchNormalization', inputs: [f32(x), f32([c]), f32([c]), f32([c]), f32([c])], ...extra });

describe('normalization shape rules', () => {
  it('BatchNormalization inference: Y like X', () => {
    assert.deepEqual(ruleShapes(rules, bn(['N', 3, 'H', 'W'], 3)), [['N', 3, 'H', 'W']]);
  });

  it('BatchNormalization training outputs are per-channel, typed like the mean (opset 15)', () => {
    const out = runRule(rules, {
      op: 'BatchNormalization', opset: 15, outputs: 3, attrs: { training_mode: 1 },
      inputs: [{ dtype: 'float16', shape: [2, 4, 5] }, { dtype: 'float16', shape: [4] }, { dtype: 'float16', shape: [4] }, f32([4]), f32([4])],
    });
    assert.deepEqual(out, [
      { dtype: DataType.FLOAT16, shape: [2, 4, 5] }, { dtype: DataType.FLOAT, shape: [4] }, { dtype: DataType.FLOAT, shape: [4] },
    ]);
  });

  it('BatchNormalization opset 7 declares mean, var, saved mean, saved var', () => {
    const shapes = ruleShapes(rules, bn([1, 8, 4, 4], 8, { opset: 7, outputs: 5 }));
    assert.deepEqual(shapes, [[1, 8, 4, 4], [8], [8], [8], [8]]);
  });

  it('LayerNormalization Mean/InvStdDev keep the dims before axis', () => {
    const c: OneNodeCase = { op: 'LayerNormalization', outputs: 3, attrs: { axis: -2 }, inputs: [f32(['B', 'S', 8, 16]), f32([8, 16]), f32([8, 16])] };
    assert.deepEqual(runRule(rules, c), [
      { dtype: DataType.FLOAT, shape: ['B', 'S', 8, 16] },
      { dtype: DataType.FLOAT, shape: ['B', 'S', 1, 1] },
      { dtype: DataType.FLOAT, shape: ['B', 'S', 1, 1] },
    ]);
  });

  it('LayerNormalization statistics use stash_type, Y keeps X\'s type', () => {
    const out = runRule(rules, { op: 'LayerNormalization', outputs: 2, attrs: { axis: 1 }, inputs: [{ dtype: 'float16', shape: [2, 3] }, { dtype: 'float16', shape: [3] }] });
    assert.deepEqual(out, [{ dtype: DataType.FLOAT16, shape: [2, 3] }, { dtype: DataType.FLOAT, shape: [2, 1] }]);
  });

  it('SkipLayerNormalization (com.microsoft)', () => {
    const out = runRule(rules, { op: 'SkipLayerNormalization', domain: 'com.microsoft', opset: 1, outputs: 4, inputs: [f32(['B', 'S', 8]), f32(['B', 'S', 8]), f32([8])] });
    assert.deepEqual(out.map((o) => o?.shape), [['B', 'S', 8], ['B', 'S', 1], ['B', 'S', 1], ['B', 'S', 8]]);
  });

  for (const op of ['InstanceNormalization', 'GroupNormalization', 'LRN', 'RMSNormalization']) {
    it(`${op} keeps the input shape`, () => {
      assert.deepEqual(ruleShapes(rules, { op, opset: 23, inputs: [f32(['N', 4, 'H', 7]), f32([4]), f32([4])] }), [['N', 4, 'H', 7]]);
    });
  }
});

describe('normalization rules agree with onnxruntime', () => {
  const cases: OneNodeCase[] = [
    bn([2, 3, 4, 5], 3, { opset: 15, outputs: 3, attrs: { training_mode: 1 } }),
    { op: 'LayerNormalization', outputs: 3, attrs: { axis: 1 }, inputs: [f32([2, 3, 4]), f32([3, 4]), f32([3, 4])] },
    { op: 'InstanceNormalization', inputs: [f32([2, 3, 4, 5]), f32([3]), f32([3])] },
    { op: 'LRN', attrs: { size: 3 }, inputs: [f32([1, 5, 4, 4])] },
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.attrs ?? {})}`, () => assertMatchesOrt(rules, c));
  }
});
