/**
 * eliminate_nop_transpose: Transpose with the identity permutation goes; real permutations stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus, statsOf } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_transpose', 'eliminate_dead_code'];

test('identity perms and a perm-less Transpose of a vector go; a swap, a perm-less matrix and a graph output stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 3, 4]);
  b.input('v', 'float32', [5]);
  b.node('Transpose', ['x'], { perm: [0, 1, 2] }, { output: 't1', name: 'identity' });
  b.node('Transpose', ['t1'], { perm: [0, 2, 1] }, { output: 't2', name: 'swap' });
  b.node('Transpose', ['v'], {}, { output: 'tv', name: 'vector' });
  b.node('Transpose', ['t2'], {}, { output: 'rev', name: 'reverse' });
  b.node('Transpose', ['tv'], { perm: [0] }, { output: 'o', name: 'graph_output' });
  b.output('rev', 'float32', [3, 4, 'n']);
  b.output('o', 'float32', [5]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Transpose', 'Transpose', 'Transpose']);
  assert.equal(statsOf(report, 'eliminate_nop_transpose').applied, 2);
  const why = declines(report, 'eliminate_nop_transpose');
  assert.equal(why.get('swap (Transpose)'), 'perm [0,2,1] is not the identity');
  assert.equal(why.get('reverse (Transpose)'), 'no perm: reverses the axes');
  assert.equal(why.get('graph_output (Transpose)'), 'output is a graph output');
});

test('real model: the person re-identification net\'s 19 Transposes all permute, and stay', async (t) => {
  const { report } = await optimizeCorpus('person-reidentification-retail-0288', PASSES);
  assert.equal(report.nodesAfter, report.nodesBefore);
  assert.ok([...declines(report, 'eliminate_nop_transpose').values()].every((r) => / is not the identity$/.test(r)));
  assert.equal(report.check?.ok, true);
  t.diagnostic(`person-reid: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
