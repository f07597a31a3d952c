/**
 * planOpset / raiseOpset: when a fusion may raise the default-domain opset, and what blocks it
 * (nodes whose meaning changes on the way, model-local functions, pre-7 opsets).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import type { Model } from '../../src/ir/model.js';
import { inferShapes } from '../../src/ops/shape-inference/infer-shapes.js';
import { planOpset, raiseOpset } from '../../src/passes/raise-opset.js';

function model(opset: number, build: (b: ModelBuilder) => string, irVersion = 7): Model {
  const b = new ModelBuilder({ opset, irVersion, opsetImports: { 'ai.onnx.ml': 2 } });
  b.input('x', 'float32', [2, 3, 4]);
  b.output(build(b), 'float32');
  const m = modelFromProto(b.build(), 'test');
  inferShapes(m);
  return m;
}

describe('planOpset', () => {
  const relu = (b: ModelBuilder) => b.node('Relu', ['x']);

  test('already there: nothing to raise', () => {
    assert.deepEqual(planOpset(model(17, relu), 17, { targetOpset: undefined }, 'X'), { ok: true, raiseTo: undefined });
  });

  test('below, without --target-opset or with a lower one: the reason says what to allow', () => {
    const m = model(16, relu);
    assert.deepEqual(planOpset(m, 17, { targetOpset: undefined }, 'X'),
      { ok: false, reason: 'X needs opset 17 and the model is at opset 16 (raising it needs --target-opset 17 or higher)' });
    assert.deepEqual(planOpset(m, 17, { targetOpset: 16 }, 'X'), { ok: false, reason: 'X needs opset 17, above --target-opset 16' });
    assert.deepEqual(planOpset(m, 17, { targetOpset: 20 }, 'X'), { ok: true, raiseTo: 17 });
  });

  test('Softmax-13 changed its axis meaning: blocks unless the axis is the last one', () => {
    const middle = model(12, (b) => b.node('Softmax', ['x'], { axis: 1 }));
    const plan = planOpset(middle, 17, { targetOpset: 17 }, 'X');
    assert.ok(!plan.ok && /Softmax-13: axis semantics changed \(axis 1 is not the last of rank 3\)/.test(plan.reason), JSON.stringify(plan));
    const last = model(12, (b) => b.node('Softmax', ['x'], { axis: -1 }));
    assert.deepEqual(planOpset(last, 17, { targetOpset: 17 }, 'X'), { ok: true, raiseTo: 17 });
  });

  test('attributes that became inputs block only when used', () => {
    const withAttr = model(12, (b) => b.node('ReduceSum', ['x'], { axes: [1] }));
    const plan = planOpset(withAttr, 17, { targetOpset: 17 }, 'X');
    assert.ok(!plan.ok && /ReduceSum-13: its 'axes' attribute became an input/.test(plan.reason));
    const without = model(12, (b) => b.node('ReduceSum', ['x']));
    assert.ok(planOpset(without, 17, { targetOpset: 17 }, 'X').ok);
    // ReduceMean's axes moved at 18: fine for 17, blocking for 20.
    const mean = model(17, (b) => b.node('ReduceMean', ['x'], { axes: [1] }));
    assert.ok(planOpset(mean, 18, { targetOpset: 18 }, 'X').ok === false);
    assert.ok(planOpset(model(16, (b) => b.node('ReduceMean', ['x'], { axes: [1] })), 17, { targetOpset: 17 }, 'X').ok);
  });

  test('a node inside a subgraph blocks too', () => {
    const m = model(12, (b) => {
      b.input('flag', 'bool', []);
      const branch = (name: string) => {
        const g = b.subgraph(name);
        g.node('Squeeze', [g.node('Unsqueeze', ['x'], { axes: [0] })], { axes: [0] }, { output: `${name}_out` });
        g.output(`${name}_out`, 'float32');
        return g;
      };
      return b.node('If', ['flag'], { then_branch: branch('then'), else_branch: branch('else') });
    });
    const plan = planOpset(m, 17, { targetOpset: 17 }, 'X');
    assert.ok(!plan.ok && /Unsqueeze-13/.test(plan.reason));
  });

  test('opsets below 7 are never raised', () => {
    const plan = planOpset(model(6, relu, 3), 17, { targetOpset: 17 }, 'X');
    assert.ok(!plan.ok && /legacy broadcasting/.test(plan.reason));
  });
});

describe('raiseOpset', () => {
  test('sets the ai.onnx version, keeps other domains, and raises the IR version to what the opset needs', () => {
    const m = model(16, (b) => b.node('Relu', ['x']));
    raiseOpset(m, 20);
    assert.equal(m.opsetVersion(''), 20);
    assert.equal(m.opsetVersion('ai.onnx.ml'), 2);
    assert.equal(m.irVersion, 9);
    assert.equal(m.toProto().opset_import.length, 2);
  });
});
