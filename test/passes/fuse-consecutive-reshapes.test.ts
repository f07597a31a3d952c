/**
 * fuse_consecutive_reshapes: Reshape(R(x), s) reads x directly when s is constant and has no 0 that
 * would copy a dim of the intermediate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { ort } from '../../src/runtime/ort-session.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus, statsOf } from './pass-test-kit.js';

const PASSES = ['fuse_consecutive_reshapes', 'eliminate_dead_code'];

test('Reshape after Reshape, Flatten or Unsqueeze reshapes the original input (-1 allowed); the first goes when nothing else reads it', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 2, 3]);
  b.node('Flatten', ['x'], { axis: 1 }, { output: 'f', name: 'flatten' });
  b.initializer('s1', 'int64', [3], [-1, 3, 2]);
  b.node('Reshape', ['f', 's1'], {}, { output: 'r1', name: 'r1' });
  b.initializer('axes', 'int64', [1], [0]);
  b.node('Unsqueeze', ['r1', 'axes'], {}, { output: 'u', name: 'unsqueeze' });
  b.initializer('s2', 'int64', [2], [-1, 6]);
  b.node('Reshape', ['u', 's2'], {}, { output: 'y', name: 'r2' });
  b.output('y', 'float32', ['n', 6]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Reshape']);
  assert.equal(model.graph.nodes[0]!.inputs[0]!.name, 'x');
  assert.equal(model.graph.nodes[0]!.inputs[1]!.name, 's2');
  // r1 skips the Flatten, r2 the Unsqueeze, then (next round) r1 itself.
  assert.equal(statsOf(report, 'fuse_consecutive_reshapes').applied, 3);
});

test('a 0 in the final shape (copying the intermediate\'s dim) and a shape known only at run time keep the chain', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 6]);
  b.input('target', 'int64', [2]);
  b.initializer('s1', 'int64', [2], [3, 4]);
  b.node('Reshape', ['x', 's1'], {}, { output: 'r1', name: 'r1' });
  b.initializer('zero', 'int64', [2], [0, -1]);
  b.node('Reshape', ['r1', 'zero'], {}, { output: 'y', name: 'copies_dim' });
  b.node('Reshape', ['r1', 'target'], {}, { output: 'z', name: 'fed' });
  b.output('y', 'float32', [3, 4]);
  b.output('z', 'float32', undefined);
  const feeds = [{ x: new ort.Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i), [2, 6]), target: new ort.Tensor('int64', BigInt64Array.of(4n, 3n), [2]) }];
  const { model, report } = await optimizeBuilt(b.build(), PASSES, { feeds });
  assert.deepEqual(opTypes(model), ['Reshape', 'Reshape', 'Reshape']);
  const why = declines(report, 'fuse_consecutive_reshapes');
  assert.equal(why.get('copies_dim (Reshape)'), 'target shape has a 0 entry, which copies a dim of the intermediate');
  assert.equal(why.get('fed (Reshape)'), 'target shape is not a constant');
});

test('real model: person re-identification\'s Reshape pairs collapse', async (t) => {
  const { report } = await optimizeCorpus('person-reidentification-retail-0288', PASSES);
  assert.equal(statsOf(report, 'fuse_consecutive_reshapes').applied, 9);
  assert.equal(report.nodesAfter, report.nodesBefore - 9);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`person-reid: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
