/**
 * eliminate_nop_slice: a Slice that takes every element goes; any cut, stride or bound that needs an
 * unknown dim stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus, statsOf } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_slice', 'eliminate_dead_code'];
const INT64_MAX = 9223372036854775807n;

test('full-range Slices go: to INT64_MAX, to exactly the dim, from -dim; cuts, strides and unknown dims stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 5]);
  b.initializer('zero', 'int64', [1], [0]);
  b.initializer('max', 'int64', [1], [INT64_MAX]);
  b.initializer('five', 'int64', [1], [5]);
  b.initializer('minus5', 'int64', [1], [-5]);
  b.initializer('ax1', 'int64', [1], [1]);
  b.initializer('ax0', 'int64', [1], [0]);
  b.initializer('two', 'int64', [1], [2]);
  b.initializer('four', 'int64', [1], [4]);
  b.node('Slice', ['x', 'zero', 'max', 'ax1'], {}, { output: 's1', name: 'to_max' });
  b.node('Slice', ['s1', 'minus5', 'five', 'ax1'], {}, { output: 's2', name: 'from_minus_dim' });
  b.node('Slice', ['s2', 'zero', 'max'], {}, { output: 's3', name: 'batch_to_max' });
  b.node('Slice', ['s3', 'zero', 'four', 'ax1'], {}, { output: 's4', name: 'cut' });
  b.node('Slice', ['s4', 'zero', 'max', 'ax1', 'two'], {}, { output: 's5', name: 'strided' });
  b.node('Slice', ['s5', 'zero', 'five', 'ax0'], {}, { output: 'y', name: 'batch_to_5' });
  b.output('y', 'float32', [null, 2]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Slice', 'Slice', 'Slice']);
  assert.equal(statsOf(report, 'eliminate_nop_slice').applied, 3);
  assert.equal(model.graph.nodes[0]!.inputs[0]!.name, 'x');
  const why = declines(report, 'eliminate_nop_slice');
  assert.equal(why.get('cut (Slice)'), 'axis 1 ends at 4 of 5');
  assert.equal(why.get('strided (Slice)'), 'step 2 on axis 1');
  assert.equal(why.get('batch_to_5 (Slice)'), 'axis 0 ends at 5 (dim unknown)');
});

test('opset 9 Slice bounds come from attributes', async () => {
  const b = new ModelBuilder({ opset: 9 });
  b.input('x', 'float32', [2, 3]);
  b.node('Slice', ['x'], { starts: [0, 0], ends: [2, 2147483647] }, { output: 's', name: 'whole' });
  b.node('Slice', ['s'], { starts: [1], ends: [3], axes: [1] }, { output: 'y', name: 'part' });
  b.output('y', 'float32', [2, 2]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Slice']);
  assert.equal(declines(report, 'eliminate_nop_slice').get('part (Slice)'), 'axis 1 starts at 1');
});

test('real models: Silero VAD v5 and the Hinglish parser slice whole tensors', async (t) => {
  for (const name of ['silero-vad-v5', 'hinglish_parser/model']) {
    const { model, report } = await optimizeCorpus(name, PASSES);
    assert.ok((statsOf(report, 'eliminate_nop_slice').applied ?? 0) >= 1);
    assert.ok(report.nodesAfter < report.nodesBefore);
    assert.equal(report.check?.ok, true);
    t.diagnostic(`${name}: nodes ${report.nodesBefore} → ${report.nodesAfter}, Slices left ${opCounts(model).Slice ?? 0}`);
  }
});
