/**
 * eliminate_nop_dropout: Dropout at inference is the identity; training mode, a read mask or a graph
 * output keep it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus, statsOf } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_dropout', 'eliminate_dead_code'];

test('Dropout without training mode (absent, or a constant false) goes; its unused mask with it', async () => {
  const b = new ModelBuilder({ opset: 13 });
  b.input('x', 'float32', ['batch', 4]);
  b.node('Dropout', ['x'], {}, { outputs: ['d1', 'unused_mask'], name: 'plain' });
  b.initializer('ratio', 'float32', [], [0.3]);
  b.initializer('training', 'bool', [], [false]);
  b.node('Dropout', ['d1', 'ratio', 'training'], {}, { output: 'd2', name: 'not_training' });
  b.node('Relu', ['d2'], {}, { output: 'y', name: 'relu' });
  b.output('y', 'float32', ['batch', 4]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Relu']);
  assert.equal(model.graph.nodes[0]!.inputs[0]!.name, 'x');
  assert.equal(statsOf(report, 'eliminate_nop_dropout').applied, 2);
});

test('training mode, a used mask, a graph output and opset < 7 with is_test=0 keep Dropout', async () => {
  const b = new ModelBuilder({ opset: 13 });
  b.input('x', 'float32', [4]);
  b.input('train', 'bool', []);
  b.initializer('yes', 'bool', [], [true]);
  b.node('Dropout', ['x', '', 'yes'], {}, { output: 'a', name: 'training' });
  b.node('Dropout', ['x', '', 'train'], {}, { output: 'b', name: 'fed_mode' });
  const [, mask] = b.node('Dropout', ['x'], {}, { outputs: ['c', 'mask'], name: 'mask_read' });
  b.node('Dropout', ['x'], {}, { output: 'd', name: 'graph_output' });
  b.node('Sum', ['a', 'b', 'c'], {}, { output: 'y', name: 'sum' });
  b.output('y', 'float32', [4]);
  b.output(mask!, 'bool', [4]);
  b.output('d', 'float32', [4]);
  // Training-mode Dropout is random: compare structure, not outputs.
  const { model, report } = await optimizeBuilt(b.build(), PASSES, { check: 0 });
  assert.equal(opCounts(model).Dropout, 4);
  const why = declines(report, 'eliminate_nop_dropout');
  assert.equal(why.get('training (Dropout)'), 'training_mode is true');
  assert.equal(why.get('fed_mode (Dropout)'), 'training_mode is not a constant');
  assert.equal(why.get('mask_read (Dropout)'), 'the mask output is used');
  assert.equal(why.get('graph_output (Dropout)'), 'output is a graph output');

  const old = new ModelBuilder({ opset: 6, irVersion: 3 });
  old.input('x', 'float32', [4]);
  old.node('Dropout', ['x'], {}, { output: 'd', name: 'default_training' });
  old.node('Relu', ['d'], {}, { output: 'y', name: 'relu' });
  old.output('y', 'float32', [4]);
  const opset6 = await optimizeBuilt(old.build(), PASSES, { check: 0 });
  assert.equal(declines(opset6.report, 'eliminate_nop_dropout').get('default_training (Dropout)'), 'is_test=0: training mode (opset < 7)');
});

test('real models: the Dropouts of SqueezeNet (light, IR 3) and WinML SqueezeNet fp16 (opset 7) go', async (t) => {
  for (const name of ['light_squeezenet', 'winml_squeezenet_fp16']) {
    const { model, report } = await optimizeCorpus(name, PASSES);
    assert.equal(opCounts(model).Dropout, undefined);
    assert.equal(report.nodesAfter, report.nodesBefore - 1);
    assert.equal(report.check?.ok, true);
    t.diagnostic(`${name}: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
  }
});
