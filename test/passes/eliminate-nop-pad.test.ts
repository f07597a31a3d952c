/**
 * eliminate_nop_pad: Pad by zero everywhere goes (pads as input from opset 11, as attribute before);
 * any real padding or crop stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float, ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opTypes, optimizeBuilt, optimizeCorpus, runPasses } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_pad', 'eliminate_dead_code'];

test('zero pads go whatever the mode; real pads, crops and pads known only at run time stay', async () => {
  const b = new ModelBuilder({ opset: 18 });
  b.input('x', 'float32', [1, 2, 3]);
  b.input('fed', 'int64', [6]);
  b.initializer('zeros', 'int64', [6], [0, 0, 0, 0, 0, 0]);
  b.initializer('fill', 'float32', [], [7]);
  b.node('Pad', ['x', 'zeros', 'fill'], { mode: 'constant' }, { output: 'p1', name: 'zero_constant' });
  b.node('Pad', ['p1', 'zeros'], { mode: 'reflect' }, { output: 'p2', name: 'zero_reflect' });
  b.initializer('one', 'int64', [6], [0, 0, 1, 0, 0, 1]);
  b.node('Pad', ['p2', 'one'], {}, { output: 'p3', name: 'pads' });
  b.initializer('crop', 'int64', [6], [0, 0, 0, 0, 0, -1]);
  b.node('Pad', ['p3', 'crop'], {}, { output: 'p4', name: 'crops' });
  b.node('Pad', ['p4', 'fed'], {}, { output: 'y', name: 'fed_pads' });
  b.output('y', 'float32', undefined);
  const { model, why } = await runPasses(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Pad', 'Pad', 'Pad']);
  assert.equal(model.graph.nodes.find((n) => n.name === 'pads')!.inputs[0]!.name, 'x');
  assert.equal(why.get('pads (Pad)'), 'pads [0,0,1,0,0,1] are not all zero');
  assert.equal(why.get('crops (Pad)'), 'pads [0,0,0,0,0,-1] are not all zero');
  assert.equal(why.get('fed_pads (Pad)'), 'pads is not a constant');
});

test('zero pads as an attribute (opset 2) go, and the model computes the same', async () => {
  const b = new ModelBuilder({ opset: 10 });
  b.input('x', 'float32', [2, 3]);
  b.node('Pad', ['x'], { pads: [0, 0, 0, 0], value: float(1) }, { output: 'p', name: 'zero' });
  b.node('Pad', ['p'], { pads: [1, 0, 0, 0] }, { output: 'y', name: 'one_row' });
  b.output('y', 'float32', [3, 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Pad']);
  assert.equal(declines(report, 'eliminate_nop_pad').get('one_row (Pad)'), 'pads [1,0,0,0] are not all zero');
});

test('real model: Silero VAD v4 pads its audio for real; the Pads stay', async (t) => {
  const { report } = await optimizeCorpus('silero-vad-v4', PASSES);
  assert.ok([...declines(report, 'eliminate_nop_pad').values()].every((r) => /are not all zero$/.test(r)));
  assert.equal(report.check?.ok, true);
  t.diagnostic(`silero v4: nodes ${report.nodesBefore} → ${report.nodesAfter} (dead code only)`);
});
