/**
 * eliminate_nop_concat: Concat of a single input goes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_concat', 'eliminate_dead_code'];

test('a one-input Concat goes; two inputs and a graph output stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2, 3]);
  b.node('Concat', ['x'], { axis: 1 }, { output: 'c1', name: 'single' });
  b.node('Concat', ['c1', 'x'], { axis: 0 }, { output: 'c2', name: 'pair' });
  b.node('Concat', ['c2'], { axis: 0 }, { output: 'y', name: 'graph_output' });
  b.output('y', 'float32', [4, 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Concat', 'Concat']);
  assert.deepEqual(model.graph.nodes.find((n) => n.name === 'pair')!.inputs.map((v) => v!.name), ['x', 'x']);
  const why = declines(report, 'eliminate_nop_concat');
  assert.equal(why.get('pair (Concat)'), '2 inputs');
  assert.equal(why.get('graph_output (Concat)'), 'output is a graph output');
});

test('real model: the speech-recognition SqueezeNet concatenates pairs; nothing changes', async (t) => {
  const { report } = await optimizeCorpus('winml_speech_recog', PASSES);
  assert.equal(report.nodesAfter, report.nodesBefore);
  assert.ok([...declines(report, 'eliminate_nop_concat').values()].every((r) => r === '2 inputs'));
  assert.equal(report.check?.ok, true);
  t.diagnostic(`speech_recog: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
