/**
 * fuse_consecutive_transposes: Transpose(Transpose(x)) becomes one Transpose with the composed perm,
 * or none when the two cancel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus } from './pass-test-kit.js';

const PASSES = ['fuse_consecutive_transposes', 'eliminate_dead_code'];

test('two Transposes that cancel go; a chain of three composes into one, with the composed perm', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3, 4]);
  b.node('Transpose', ['x'], { perm: [0, 2, 1] }, { output: 'a', name: 'a' });
  b.node('Transpose', ['a'], { perm: [0, 2, 1] }, { output: 'b', name: 'b' });
  b.node('Relu', ['b'], {}, { output: 'r', name: 'relu' });
  b.node('Transpose', ['r'], { perm: [1, 0, 2] }, { output: 'c', name: 'c' });
  b.node('Transpose', ['c'], { perm: [0, 2, 1] }, { output: 'd', name: 'd' });
  b.node('Transpose', ['d'], {}, { output: 'y', name: 'e' });
  b.output('y', 'float32', [3, 4, 2]);
  const { model } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Relu', 'Transpose']);
  const t = model.graph.nodes.find((n) => n.opType === 'Transpose')!;
  assert.equal(t.inputs[0]!.name, 'r');
  // d∘c = [1,2,0]; the perm-less e reverses that: y axis j = r axis [1,2,0][2-j], i.e. [0,2,1].
  assert.deepEqual(t.intsAttribute('perm'), [0, 2, 1]);
});

test('a first Transpose read elsewhere stays for that reader; cancelling into a graph output declines', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3]);
  b.node('Transpose', ['x'], { perm: [1, 0] }, { output: 'a', name: 'shared' });
  b.node('Transpose', ['a'], { perm: [1, 0] }, { output: 'y', name: 'back' });
  b.node('Relu', ['a'], {}, { output: 'z', name: 'relu' });
  b.output('y', 'float32', [2, 3]);
  b.output('z', 'float32', [3, 2]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Transpose', 'Transpose', 'Relu']);
  assert.equal(declines(report, 'fuse_consecutive_transposes').get('back (Transpose)'), 'the Transposes cancel but the output is a graph output');
});

test('real model: person re-identification has no Transpose chain; nothing changes and it still computes the same', async (t) => {
  const { report } = await optimizeCorpus('person-reidentification-retail-0288', PASSES);
  assert.equal(report.nodesAfter, report.nodesBefore);
  assert.ok([...declines(report, 'fuse_consecutive_transposes').values()].every((r) => r === 'input is not produced by a Transpose'));
  assert.equal(report.check?.ok, true);
  t.diagnostic(`person-reid: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
