/**
 * fuse_consecutive_mul_add: chains of Mul/Add/Sub/Div by constants collapse into at most one Mul and
 * one Add with constants combined under broadcasting; chains that would not shrink, shared
 * intermediates and growing constants are left alone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_consecutive_mul_add';

type Step = [op: 'Mul' | 'Add' | 'Sub' | 'Div', dims: number[], constantFirst?: boolean];

/** x[2,3,4] through the steps, each with a constant of the given dims; the intermediates optionally also read. */
function chain(steps: Step[], opts: { alsoRead?: number } = {}) {
  const b = new ModelBuilder({ opset: 17 });
  let v = b.input('x', 'float32', [2, 3, 4]);
  steps.forEach(([op, dims, first], i) => {
    const n = dims.reduce((a, c) => a * c, 1);
    const c = b.initializer(`c${i}`, 'float32', dims, Array.from({ length: n }, (_, k) => 0.5 + 0.25 * ((k + i) % 5)));
    v = b.node(op, first ? [c, v] : [v, c], {}, { output: `v${i}` });
    if (opts.alsoRead === i) {
      b.node('Relu', [v], {}, { output: 'side' });
      b.output('side', 'float32');
    }
  });
  b.output(v, 'float32');
  return b.build();
}

describe('fuse_consecutive_mul_add', () => {
  for (const [name, steps, expected] of [
    ['x·a·b (scalar, per-channel)', [['Mul', []], ['Mul', [3, 1]]], { Mul: 1 }],
    ['(x + a) + b', [['Add', [4]], ['Add', []]], { Add: 1 }],
    ['((x·a + b)·c + d)', [['Mul', [4]], ['Add', [1, 1, 4]], ['Mul', []], ['Add', [4]]], { Mul: 1, Add: 1 }],
    ['x / a · w + b (PP-LCNet learnable hardswish tail)', [['Div', []], ['Mul', [3, 1]], ['Add', [3, 1]]], { Mul: 1, Add: 1 }],
    ['a − (x − b) − c', [['Sub', [3, 1]], ['Sub', [], true], ['Sub', [1, 3, 1]]], { Mul: 1, Add: 1 }],
    ['a·x + b + c with the constants first', [['Mul', [], true], ['Add', [4], true], ['Add', []]], { Mul: 1, Add: 1 }],
  ] as [string, Step[], Record<string, number>][]) {
    test(`${name} → ${Object.keys(expected).join(' + ')}, outputs match`, async () => {
      const run = await runPasses(chain(steps), [PASS]);
      assert.deepEqual(opCounts(run.model), expected);
      assert.equal(statsOf(run, PASS).applied, 1);
      // Only the two combined constants are left.
      assert.equal(run.model.graph.initializers.length, Object.keys(expected).length);
      await assertEquivalent(run);
    });
  }

  test('(x + a)·b is two ops either way and stays as it is', async () => {
    const run = await runPasses(chain([['Add', []], ['Mul', []]]), [PASS]);
    assert.deepEqual(opCounts(run.model), { Add: 1, Mul: 1 });
    assert.equal(statsOf(run, PASS).applied, 0);
  });

  test('a chain stops at an intermediate that something else reads', async () => {
    const run = await runPasses(chain([['Mul', []], ['Mul', []], ['Mul', []]], { alsoRead: 0 }), [PASS]);
    // x·c0 is read by Relu too, so only its two successors combine.
    assert.deepEqual(opCounts(run.model), { Mul: 2, Relu: 1 });
    assert.ok(run.model.graph.lookup('v0'), 'the shared intermediate is kept');
    await assertEquivalent(run);
  });

  test('declines when the combined constant would be bigger than every original', async () => {
    const run = await runPasses(chain([['Mul', [3, 1]], ['Mul', [4]]]), [PASS]);
    assert.deepEqual(opCounts(run.model), { Mul: 2 });
    assert.match(declinesOf(run, PASS).join(), /combined constant would have 12 elements, more than any of the chain's \(4\)/);
  });

  test('PP-OCRv4 det: hardswish tails (Div, Mul, Add) combined, outputs match', async () => {
    const file = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_det_infer.onnx');
    const run = await runPasses(file, [PASS]);
    assert.equal(statsOf(run, PASS).applied, 24);
    await assertEquivalent(run, { shapes: { x: [1, 3, 64, 64] }, runs: 1 });
  });
});
