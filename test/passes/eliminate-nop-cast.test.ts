/**
 * eliminate_nop_cast: Cast/CastLike to the type the input already has goes; real conversions stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus, runPasses } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_cast', 'eliminate_dead_code'];

test('Cast to the same type and CastLike of the same type go; a conversion and a graph output stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 3]);
  b.input('like', 'float32', [1]);
  b.node('Cast', ['x'], { to: 1 }, { output: 'same', name: 'same' });
  b.node('CastLike', ['same', 'like'], {}, { output: 'same_like', name: 'same_like' });
  b.node('Cast', ['same_like'], { to: 6 }, { output: 'ints', name: 'to_int' });
  b.node('Cast', ['ints'], { to: 6 }, { output: 'out', name: 'out_cast' });
  b.output('out', 'int32', ['n', 3]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model), ['Cast', 'Cast']);
  assert.equal(model.graph.nodes[0]!.inputs[0]!.name, 'x');
  const why = declines(report, 'eliminate_nop_cast');
  assert.equal(why.get('to_int (Cast)'), 'converts float32 to int32');
  assert.equal(why.get('out_cast (Cast)'), 'output is a graph output');
});

test('a Cast whose input type nobody knows stays', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [2]);
  b.node('Custom', ['x'], {}, { output: 'c', name: 'custom', domain: 'com.example' });
  b.node('Cast', ['c'], { to: 1 }, { output: 'cast', name: 'cast' });
  b.node('Relu', ['cast'], {}, { output: 'y', name: 'relu' });
  b.output('y', 'float32', [2]);
  b.opsetImport('com.example', 1);
  const { model, why } = await runPasses(b.build(), ['eliminate_nop_cast']);
  assert.deepEqual(opTypes(model), ['Custom', 'Cast', 'Relu']);
  assert.equal(why.get('cast (Cast)'), "element type of 'c' unknown");
});

test('real model: Silero VAD v5 casts int64 values to int64 in its branches; those go', async (t) => {
  const { model, report } = await optimizeCorpus('silero-vad-v5', PASSES);
  assert.equal(report.nodesBefore - report.nodesAfter >= 18, true);
  assert.ok((opCounts(model).Cast ?? 0) <= 2);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`silero v5: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
