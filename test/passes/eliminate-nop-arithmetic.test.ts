/**
 * eliminate_nop_arithmetic: x+0, 0+x, x-0, x*1, 1*x, x/1 go when broadcasting the constant keeps x's
 * shape; everything else stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { ort } from '../../src/runtime/ort-session.js';
import { declines, opCounts, opTypes, optimizeBuilt, optimizeCorpus, statsOf } from './pass-test-kit.js';

const PASSES = ['eliminate_nop_arithmetic', 'eliminate_dead_code'];

test('adding zeros, subtracting 0, multiplying by ones (either side) and dividing by 1 go', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['n', 3]);
  b.input('i', 'int64', [4]);
  b.initializer('zeros', 'float32', [3], [0, 0, 0]);
  b.initializer('zero', 'float32', [], [0]);
  b.initializer('ones', 'float32', [1, 3], [1, 1, 1]);
  b.initializer('one', 'float32', [1], [1]);
  b.initializer('izero', 'int64', [1], [0]);
  b.node('Add', ['x', 'zeros'], {}, { output: 'a', name: 'add_zeros' });
  b.node('Sub', ['a', 'zero'], {}, { output: 's', name: 'sub_zero' });
  b.node('Mul', ['ones', 's'], {}, { output: 'm', name: 'ones_times' });
  b.node('Div', ['m', 'one'], {}, { output: 'd', name: 'div_one' });
  b.node('Relu', ['d'], {}, { output: 'y', name: 'relu' });
  b.node('Add', ['izero', 'i'], {}, { output: 'j', name: 'int_zero_plus' });
  b.node('Neg', ['j'], {}, { output: 'k', name: 'neg' });
  b.output('y', 'float32', ['n', 3]);
  b.output('k', 'int64', [4]);
  const { model, report } = await optimizeBuilt(b.build(), PASSES);
  assert.deepEqual(opTypes(model).sort(), ['Neg', 'Relu']);
  assert.equal(statsOf(report, 'eliminate_nop_arithmetic').applied, 5);
});

test('a constant that would broadcast x up, one that is not the identity, 0 - x, and a graph output stay', async () => {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [3]);
  b.input('v', 'float32', ['n']);
  b.initializer('zeros23', 'float32', [2, 3], new Array(6).fill(0));
  b.initializer('twos', 'float32', [3], [2, 2, 2]);
  b.initializer('zero', 'float32', [], [0]);
  b.initializer('ones3', 'float32', [3], [1, 1, 1]);
  b.node('Add', ['x', 'zeros23'], {}, { output: 'up', name: 'broadcasts_up' });
  b.node('Mul', ['x', 'twos'], {}, { output: 'dbl', name: 'times_two' });
  b.node('Sub', ['zero', 'x'], {}, { output: 'neg', name: 'zero_minus' });
  b.node('Mul', ['v', 'ones3'], {}, { output: 'vv', name: 'symbolic_dim' });
  b.node('Mul', ['x', 'ones3'], {}, { output: 'out', name: 'graph_output' });
  b.node('Sum', ['up', 'dbl', 'neg'], {}, { output: 'y', name: 'sum' });
  b.output('y', 'float32', [2, 3]);
  b.output('vv', 'float32', [3]);
  b.output('out', 'float32', [3]);
  const feeds = [{ x: new ort.Tensor('float32', Float32Array.of(1, -2, 3), [3]), v: new ort.Tensor('float32', Float32Array.of(4), [1]) }];
  const { model, report } = await optimizeBuilt(b.build(), PASSES, { feeds });
  assert.deepEqual(opCounts(model), { Add: 1, Mul: 3, Sub: 1, Sum: 1 });
  const why = declines(report, 'eliminate_nop_arithmetic');
  assert.equal(why.get('broadcasts_up (Add)'), "the constant's rank 2 would broadcast 'x' (rank 1) up");
  assert.equal(why.get('times_two (Mul)'), 'constant is not all 1');
  assert.equal(why.get('zero_minus (Sub)'), 'input 1 is not a constant');
  assert.equal(why.get('symbolic_dim (Mul)'), "the constant's dim 3 may broadcast 'v' dim n");
  assert.equal(why.get('graph_output (Mul)'), 'output is a graph output');
});

test('real model: PP-OCRv4 rec multiplies by 1 and adds 0 (Constant nodes) in places', async (t) => {
  const { report } = await optimizeCorpus('ppocr-v4-rec', PASSES);
  assert.equal(statsOf(report, 'eliminate_nop_arithmetic').applied, 7);
  assert.ok(report.nodesAfter <= report.nodesBefore - 7);
  assert.equal(report.check?.ok, true);
  t.diagnostic(`ppocr-v4-rec: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
});
