/**
 * fuse_matmul_add_into_gemm: MatMul + Add becomes Gemm for rank-2 activations (symbolic batch
 * included) when the added tensor broadcasts into the product; rank-3 activations, growing
 * broadcasts and shared products are left alone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { repoRoot } from '../support/corpus.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_matmul_add_into_gemm';

interface Variant {
  aShape?: (number | string)[];
  cShape?: (number | string)[];
  cFirst?: boolean;
  /** C is a graph input rather than an initializer. */
  cInput?: boolean;
  productAlsoOutput?: boolean;
}

/** a[batch,8] · w[8,5] + c → y. */
function matmulAdd(v: Variant = {}) {
  const { aShape = ['batch', 8], cShape = [5] } = v;
  const b = new ModelBuilder({ opset: 17 });
  b.input('a', 'float32', aShape);
  const w = b.initializer('w', 'float32', [8, 5], Array.from({ length: 40 }, (_, i) => Math.cos(i)));
  const count = cShape.reduce<number>((x, d) => x * (typeof d === 'number' ? d : 1), 1);
  const c = v.cInput ? b.input('c', 'float32', cShape) : b.initializer('c', 'float32', cShape as number[], Array.from({ length: count }, (_, i) => i / 10));
  const mm = b.node('MatMul', ['a', w], {}, { output: 'product' });
  b.node('Add', v.cFirst ? [c, mm] : [mm, c], {}, { output: 'y' });
  b.output('y', 'float32');
  if (v.productAlsoOutput) b.output(mm, 'float32');
  return b.build();
}

describe('fuse_matmul_add_into_gemm', () => {
  for (const [name, v, shapes] of [
    ['bias [N], symbolic batch', {}, { a: [3, 8] }],
    ['bias first, [1,N]', { cFirst: true, cShape: [1, 5] }, { a: [3, 8] }],
    ['bias [M,N] from a graph input with the same symbolic M', { cInput: true, cShape: ['batch', 5] }, { a: [3, 8], c: [3, 5] }],
  ] as [string, Variant, Record<string, number[]>][]) {
    test(`${name}: one Gemm, outputs match`, async () => {
      const run = await runPasses(matmulAdd(v), [PASS]);
      assert.deepEqual(opCounts(run.model), { Gemm: 1 });
      assert.equal(run.model.graph.lookup('y')?.producer?.opType, 'Gemm');
      await assertEquivalent(run, { shapes });
    });
  }

  test('declines a rank-3 activation', async () => {
    const run = await runPasses(matmulAdd({ aShape: [2, 'seq', 8] }), [PASS]);
    assert.deepEqual(opCounts(run.model), { MatMul: 1, Add: 1 });
    assert.match(declinesOf(run, PASS).join(), /MatMul input A has rank 3 \[2,seq,8\]; Gemm needs rank 2/);
  });

  test('declines an added tensor that would grow the result', async () => {
    const run = await runPasses(matmulAdd({ cShape: [4, 5] }), [PASS]);
    assert.deepEqual(opCounts(run.model), { MatMul: 1, Add: 1 });
    assert.match(declinesOf(run, PASS).join(), /\[4,5\] does not broadcast to the product's \[batch,5\]/);
  });

  test('declines a rank-3 added tensor', async () => {
    const run = await runPasses(matmulAdd({ cShape: [1, 1, 5] }), [PASS]);
    assert.match(declinesOf(run, PASS).join(), /has rank 3; it would raise the result's rank/);
  });

  test('declines when the product is also a graph output', async () => {
    const run = await runPasses(matmulAdd({ productAlsoOutput: true }), [PASS]);
    assert.deepEqual(opCounts(run.model), { MatMul: 1, Add: 1 });
    assert.match(declinesOf(run, PASS).join(), /'product' \(the MatMul output\) is a graph output/);
  });

  test('transformer fixture: every MatMul + Add is on [batch, seq, hidden] and stays', async () => {
    const run = await runPasses(path.join(repoRoot, 'fixtures', 'models', 'transformer_block.onnx'), [PASS]);
    assert.equal(opCounts(run.model).Gemm, undefined);
    assert.equal(statsOf(run, PASS).declined, 6);
  });

  test('mlp fixture and the CNTK MNIST model: fused, outputs match', async () => {
    const mlp = await runPasses(path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx'), [PASS]);
    assert.equal(statsOf(mlp, PASS).applied, 1);
    assert.equal(opCounts(mlp.model).MatMul, undefined);
    await assertEquivalent(mlp, { shapes: {} });
    const mnist = await runPasses(path.resolve(repoRoot, '..', 'shared', 'models', 'real', 'winml_mnist.onnx'), [PASS]);
    assert.equal(statsOf(mnist, PASS).applied, 1);
    await assertEquivalent(mnist);
  });
});
