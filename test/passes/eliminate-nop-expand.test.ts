/**
 * eliminate_nop_expand: Expand to the shape the input already has goes; a real broadcast stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_expand', 'eliminate_dead_code'];

test('Expand to the input\'s own shape (or to ones) goes; a broadcast that grows the tensor and a graph output stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3]);
  b.initializer('ones', 'int64', [2], [1, 1]);
  b.node('Expand', ['x', 'ones'], {}, { output: 'e1', name: 'to_ones' });
  b.initializer('own', 'int64', [1], [3]);
  b.node('Expand', ['e1', 'own'], {}, { output: 'e2', name: 'to_own' });
  b.initializer('bigger', 'int64', [3], [4, 2, 3]);
  b.node('Expand', ['e2', 'bigger'], {}, { output: 'e3', name: 'grows' });
  b.node('Expand', ['x', 'ones'], {}, { output: 'o', name: 'graph_output' });
  b.output('e3', 'float32', [4, 2, 3]);
  b.output('o', 'float32', [2, 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Expand', 'Expand']);
  assert.equal(model.graph.nodes.find((n) => n.name === 'grows')!.inputs[0]!.name, 'x');
  const why = declines(report, 'eliminate_nop_expand');
  assert.equal(why.get('grows (Expand)'), 'shape not provably kept: [2,3] → [4,2,3]');
  assert.equal(why.get('graph_output (Expand)'), 'output is a graph output');
});

test('real model: Magika\'s one-hot Expands broadcast to the shape they already have', async (t) => {
  const { model, report } = await optimizeCorpus('magika_standard_v3_3', PASSES);
  assert.equal(opCounts(model).Expand, undefined);
  assert.ok(report.nodesAfter <= report.nodesBefore - 7);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`magika: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
