/**
 * fold_shapes: Shape/Size of statically known dims, and Gather/Slice picking known dims out of a
 * partly dynamic shape, become initializers; symbolic dims stay computed at run time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';
import { createMessage } from '../../src/onnx/codec.js';
import type { ValueInfoProto } from '../../src/onnx/proto-types.js';
import { readTensorAsNumbers } from '../../src/ir/tensor-data.js';
import { declines, fixture, opCounts, optimizeBuilt, optimizeCorpus, sileroFeeds, statsOf } from './pass-test-kit.js';
import { optimize } from '../../src/optimize/optimize.js';

test('Shape, and Gather/Slice/Cast picking static dims out of a partly dynamic shape, fold; what reads a symbolic dim declines', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 3, 8, 8]);
  b.node('Shape', ['x'], { start: 1, end: -1 }, { output: 'ch', name: 'shape_mid' });
  b.node('Shape', ['x'], {}, { output: 'full', name: 'shape_full' });
  b.initializer('i1', 'int64', [], [1]);
  b.node('Gather', ['full', 'i1'], { axis: 0 }, { output: 'c', name: 'gather_c' });
  b.initializer('i0', 'int64', [], [0]);
  b.node('Gather', ['full', 'i0'], { axis: 0 }, { output: 'batch', name: 'gather_batch' });
  b.node('Cast', ['full'], { to: 6 }, { output: 'full32', name: 'cast32' });
  b.initializer('s', 'int64', [1], [-2]);
  b.initializer('e', 'int64', [1], [9223372036854775807n]);
  b.node('Slice', ['full32', 's', 'e'], {}, { output: 'hw32', name: 'slice_hw' });
  b.initializer('w', 'float32', [2, 5], new Array(10).fill(1));
  b.node('Size', ['w'], {}, { output: 'n', name: 'size' });
  b.node('Size', ['x'], {}, { output: 'nx', name: 'size_x' });
  b.output('ch', 'int64', [2]);
  b.output('c', 'int64', []);
  b.output('batch', 'int64', []);
  b.output('hw32', 'int32', [2]);
  b.output('n', 'int64', []);
  b.output('nx', 'int64', []);
  const { model, report } = await optimizeBuilt(b.build(), ['fold_shapes', 'eliminate_dead_code']);
  const value = (name: string) => readTensorAsNumbers(model.graph.values.get(name)!.initializer!);
  assert.deepEqual(value('ch'), [3, 8]);
  assert.deepEqual(value('c'), [3]);
  assert.deepEqual(value('hw32'), [8, 8]);
  assert.equal(model.graph.values.get('hw32')!.initializer!.data_type, 6, 'the Cast\'s type');
  // What reads the batch dim stays (the Cast went with its Slice); Size of an initializer is fold_constants' to compute.
  assert.deepEqual(opCounts(model), { Shape: 1, Gather: 1, Size: 2 });
  const why = declines(report, 'fold_shapes');
  assert.equal(why.get('gather_batch (Gather)'), 'value only partly known: [batch]');
  assert.equal(why.get('shape_full (Shape)'), 'value only partly known: [batch,3,8,8]');
  assert.equal(why.get('cast32 (Cast)'), 'value only partly known: [batch,3,8,8]');
  assert.equal(why.get('size_x (Size)'), 'value only partly known: [192*batch]');
  assert.equal(statsOf(report, 'fold_shapes').folded, 3);
});

test('with the input shape fixed, the transformer block\'s Shape → Gather → Unsqueeze → Concat chains become the Reshapes\' constant shapes', async (t) => {
  const passes = ['fold_shapes', 'fold_constants', 'eliminate_dead_code'];
  const dynamic = await optimize(fixture('transformer_block'), { passes, check: 1 });
  assert.equal(opCounts(dynamic.model).Shape, 4, 'batch and sequence are symbolic: the shapes stay run-time values');

  const fixed = await optimize(fixture('transformer_block'), { passes, check: 1, inputShapes: new Map([['hidden_states', [1, 16, 64]]]) });
  const reshapes = fixed.model.graph.nodes.filter((n) => n.opType === 'Reshape');
  assert.equal(reshapes.length, 4);
  for (const r of reshapes) assert.ok(r.inputs[1]!.initializer, `${r.label} reads a constant shape`);
  const counts = opCounts(fixed.model);
  for (const op of ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant']) assert.equal(counts[op], undefined, `no ${op} left`);
  assert.equal(fixed.report.check?.ok, true);
  t.diagnostic(`transformer_block: nodes ${dynamic.report.nodesBefore} → ${dynamic.report.nodesAfter} dynamic, → ${fixed.report.nodesAfter} at 1x16x64`);
});

test('real model: Silero VAD v4 (dynamic batch and length) folds the static dims its shape arithmetic reads, in both sample-rate branches', async (t) => {
  const { model, report } = await optimizeCorpus('silero-vad-v4', ['fold_shapes', 'fold_constants', 'eliminate_dead_code'], { feeds: sileroFeeds('silero-vad-v4') });
  assert.ok((statsOf(report, 'fold_shapes').folded ?? 0) >= 8);
  assert.ok(report.nodesAfter < report.nodesBefore);
  assert.equal(opCounts(model).If, 9);
  assert.equal(report.check?.ok, true);
  assert.equal(report.check?.runs, 4);
  t.diagnostic(`silero v4: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});

test('values computed from an initializer callers may override stay unless foldInitializerInputs; Shape of anything still folds', async () => {
  const build = () => {
    const b = new ModelBuilder({ opset: 13, irVersion: 4 });
    b.input('x', 'float32', ['n', 6]);
    b.initializer('tail', 'int64', [1], [-1]);
    b.node('Shape', ['x'], {}, { output: 's', name: 'shape' });
    b.initializer('i1', 'int64', [1], [1]);
    b.node('Gather', ['s', 'i1'], { axis: 0 }, { output: 'six', name: 'gather' });
    b.node('Concat', ['tail', 'six'], { axis: 0 }, { output: 'target', name: 'concat' });
    b.node('Reshape', ['x', 'target'], {}, { output: 'y', name: 'reshape' });
    b.output('y', 'float32', ['n', 6]);
    const proto = b.build();
    proto.graph!.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name: 'tail', type: tensorTypeToProto({ dtype: 7, shape: [1] }) }));
    return proto;
  };
  const passes = ['fold_shapes', 'fold_constants', 'eliminate_dead_code'];
  const kept = await optimizeBuilt(build(), passes);
  assert.deepEqual(opCounts(kept.model), { Concat: 1, Reshape: 1 }, 'Shape → Gather folded; the Concat reads the overridable tail');
  assert.equal(declines(kept.report, 'fold_shapes').get('concat (Concat)'), 'reads a value computed from an initializer callers may override (a graph input)');
  const folded = await optimizeBuilt(build(), passes, { passOptions: { foldInitializerInputs: true } });
  assert.deepEqual(opCounts(folded.model), { Reshape: 1 });
});

test('real model: ultraface (IR 4, weights are graph inputs) loses its Shape → Gather → Unsqueeze → Concat chains', async (t) => {
  const { model, report } = await optimizeCorpus('ultraface_version-RFB-320', ['fold_shapes', 'fold_constants', 'eliminate_dead_code']);
  const counts = opCounts(model);
  for (const op of ['Shape', 'Gather', 'Unsqueeze', 'Constant']) assert.equal(counts[op], undefined, `no ${op} left`);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`ultraface: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
