/**
 * eliminate_nop_reshape: Reshape/Flatten/Squeeze/Unsqueeze that provably keep the shape go; shape
 * changes and unknown shapes stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { opCounts, opTypes, optimizeBuilt, optimizeCorpus, runPasses, statsOf } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_reshape', 'eliminate_dead_code'];

test('Reshape to its own shape, Flatten of a matrix and Squeeze without unit dims go', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3]);
  b.initializer('same', 'int64', [2], [2, 3]);
  b.node('Reshape', ['x', 'same'], {}, { output: 'r', name: 'reshape_same' });
  b.node('Flatten', ['r'], { axis: 1 }, { output: 'f', name: 'flatten_2d' });
  b.node('Squeeze', ['f'], {}, { output: 's', name: 'squeeze_none' });
  b.node('Relu', ['s'], {}, { output: 'y', name: 'relu' });
  b.output('y', 'float32', [2, 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Relu']);
  assert.equal(statsOf(report, 'eliminate_nop_reshape').applied, 3);
});

test('a real shape change, a target known only at run time, and a graph output stay, with the shapes in the reason', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3]);
  b.input('target', 'int64', [2]);
  b.initializer('t32', 'int64', [2], [3, 2]);
  b.node('Reshape', ['x', 't32'], {}, { output: 'r', name: 'other_shape' });
  b.node('Reshape', ['x', 'target'], {}, { output: 'u', name: 'fed_shape' });
  b.initializer('same', 'int64', [2], [2, 3]);
  b.node('Reshape', ['x', 'same'], {}, { output: 'o', name: 'graph_output' });
  b.node('Relu', ['u'], {}, { output: 'ru', name: 'relu' });
  b.output('r', 'float32', [3, 2]);
  b.output('ru', 'float32', undefined);
  b.output('o', 'float32', [2, 3]);
  const { model, why } = await runPasses(b.build(), PASSES);
  assert.equal(opCounts(model).Reshape, 3);
  assert.equal(why.get('other_shape (Reshape)'), 'shape not provably kept: [2,3] → [3,2]');
  assert.match(why.get('fed_shape (Reshape)')!, /^shape not provably kept: \[2,3\] → \[.*\]$/);
  assert.equal(why.get('graph_output (Reshape)'), 'output is a graph output');
});

test('real model: the person re-identification net has one Reshape to its input shape', async (t) => {
  const { report } = await optimizeCorpus('person-reidentification-retail-0288', PASSES);
  assert.equal(statsOf(report, 'eliminate_nop_reshape').applied, 1);
  assert.equal(report.nodesAfter, report.nodesBefore - 1);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`person-reid: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
