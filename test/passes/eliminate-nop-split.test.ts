/**
 * eliminate_nop_split: Split into one output goes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_split', 'eliminate_dead_code'];

test('Split into one part (no split sizes, num_outputs=1) goes; into two stays', async () => {
  const b = new ModelBuilder({ opset: 18 });
  b.input('x', 'float32', [4, 3]);
  b.node('Split', ['x'], { axis: 0, num_outputs: 1 }, { outputs: ['whole'], name: 'one_part' });
  b.node('Split', ['whole'], { axis: 0, num_outputs: 2 }, { outputs: ['top', 'bottom'], name: 'two_parts' });
  b.node('Add', ['top', 'bottom'], {}, { output: 'y', name: 'add' });
  b.output('y', 'float32', [2, 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Split', 'Add']);
  assert.equal(model.graph.nodes[0]!.inputs[0]!.name, 'x');
  assert.equal(declines(report, 'eliminate_nop_split').get('two_parts (Split)'), '2 outputs');
});

test('opset 13 Split with one output and no split input goes', async () => {
  const b = new ModelBuilder({ opset: 13 });
  b.input('x', 'float32', [2, 3]);
  b.node('Split', ['x'], { axis: 1 }, { outputs: ['s'], name: 'one' });
  b.node('Relu', ['s'], {}, { output: 'y', name: 'relu' });
  b.output('y', 'float32', [2, 3]);
  const { model } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Relu']);
});

test('real model: person re-identification splits in three; it stays', async (t) => {
  const { report } = await optimizeCorpus('person-reidentification-retail-0288', PASSES);
  assert.equal(report.nodesAfter, report.nodesBefore);
  assert.deepEqual([...declines(report, 'eliminate_nop_split').values()], ['3 outputs']);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`person-reid: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
