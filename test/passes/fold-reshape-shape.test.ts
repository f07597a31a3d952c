/**
 * fold_reshape_shape: a Reshape target computed from symbolic dims becomes a constant — 0 where the
 * element is the input's dim at the same position, the number where it is one, -1 for a single
 * element the element count fixes — and the shape arithmetic goes; targets that cannot be written so
 * stay computed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import type { Model } from '../../src/ir/model.js';
import { readTensorAsNumbers } from '../../src/ir/tensor-data.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';
import { fixture } from './pass-test-kit.js';

const PASSES = ['fold_reshape_shape', 'eliminate_dead_code'];

/** The constant targets of the model's Reshapes, in node order (undefined where still computed). */
function targets(model: Model): (number[] | undefined)[] {
  return model.graph.topologicalOrder().filter((n) => n.opType === 'Reshape').map((n) => {
    const init = n.inputs[1]!.initializer;
    return init ? readTensorAsNumbers(init) : undefined;
  });
}

/**
 * x[dims] → Reshape(x, Concat(pieces)), each piece either a dim of x picked by Shape → Gather →
 * Unsqueeze (`{ dim: i }`), that dim times a number (`{ dim: i, times: k }`), or a constant.
 */
function computedReshape(dims: (number | string)[], pieces: ({ dim: number; times?: number } | number)[], opset = 13, allowzero?: number) {
  const b = new ModelBuilder({ opset });
  b.input('x', 'float32', dims);
  const shape = b.node('Shape', ['x'], {}, { output: 'shape' });
  const axes = b.initializer('axes', 'int64', [1], [0]);
  const parts = pieces.map((p, k) => {
    if (typeof p === 'number') return b.initializer(`c${k}`, 'int64', [1], [p]);
    const i = b.initializer(`i${k}`, 'int64', [], [p.dim]);
    let d = b.node('Gather', [shape, i], { axis: 0 });
    if (p.times !== undefined) d = b.node('Mul', [d, b.initializer(`k${k}`, 'int64', [], [p.times])]);
    return b.node('Unsqueeze', [d, axes]);
  });
  const target = b.node('Concat', parts, { axis: 0 }, { output: 'target' });
  b.node('Reshape', ['x', target], { allowzero }, { output: 'y', name: 'reshape' });
  b.output('y', 'float32');
  return b.build();
}

describe('fold_reshape_shape', () => {
  test('dims copied from the same position become 0, numbers stay; the shape arithmetic goes; outputs match', async () => {
    const run = await runPasses(computedReshape(['batch', 'seq', 64], [{ dim: 0 }, { dim: 1 }, 4, 16]), PASSES);
    assert.deepEqual(targets(run.model), [[0, 0, 4, 16]]);
    assert.deepEqual(opCounts(run.model), { Reshape: 1 });
    assert.equal(statsOf(run, 'fold_reshape_shape').folded, 1);
    await assertEquivalent(run, { shapes: { x: [2, 3, 64] } });
  });

  test('one element only the element count fixes becomes -1 when the others are positive numbers', async () => {
    const run = await runPasses(computedReshape(['n', 4], [2, { dim: 0, times: 2 }]), PASSES);
    assert.deepEqual(targets(run.model), [[2, -1]]);
    await assertEquivalent(run, { shapes: { x: [3, 4] } });
  });

  test('declines what a constant cannot say, with the reason', async () => {
    const cases: [Parameters<typeof computedReshape>, RegExp][] = [
      [[['a', 'b'], [{ dim: 1 }, { dim: 0 }]], /elements 0, 1 are neither numbers nor dims copied from the same position$/],
      [[['a', 'b', 'c'], [{ dim: 0 }, { dim: 1, times: 2 }, 3]], /element 1 would need -1, which is exact only when every other element is a positive number$/],
      [[['a', 'b'], [{ dim: 0 }, { dim: 1 }], 14, 1], /elements 0, 1 are neither numbers nor dims copied/],
    ];
    for (const [args, reason] of cases) {
      const run = await runPasses(computedReshape(...args), PASSES);
      assert.deepEqual(targets(run.model), [undefined]);
      assert.equal(opCounts(run.model).Shape, 1);
      assert.match(declinesOf(run, 'fold_reshape_shape').join('\n'), reason);
    }
  });

  test('transformer fixture with symbolic batch and sequence: its 4 Reshapes get constant targets, -O2 reaches onnxruntime\'s 33 nodes', async () => {
    const run = await runPasses(fixture('transformer_block'), PASSES);
    assert.deepEqual(targets(run.model), [[0, 0, 4, 16], [0, 0, 4, 16], [0, 0, 4, 16], [0, 0, 64]]);
    for (const op of ['Shape', 'Gather', 'Unsqueeze', 'Concat']) assert.equal(opCounts(run.model)[op], undefined, `no ${op} left`);
    await assertEquivalent(run, { shapes: { hidden_states: [2, 5, 64] } });
    const o2 = await optimize(fixture('transformer_block'), { passes: 'O2', check: 1 });
    assert.equal(o2.report.nodesAfter, 33);
  });

  test('real model: PP-OCR cls (Paddle, symbolic batch and image size): Shape → Slice → Cast → Concat becomes [0, 200]', async () => {
    const file = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const run = await runPasses(file, PASSES);
    assert.deepEqual(targets(run.model), [[0, 200]]);
    assert.equal(opCounts(run.model).Shape, undefined);
    await assertEquivalent(run, { shapes: { x: [2, 3, 48, 192] }, runs: 1 });
  });
});
