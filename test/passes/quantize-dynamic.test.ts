/**
 * quantize_dynamic: MatMul/Gemm weights int8 per column with run-time activation quantization
 * (standard ops, or com.microsoft DynamicQuantizeMatMul with the bias folded in), embedding Gathers
 * over int8 tables; exclusions and small weights declined; and the generated BERT-style encoder
 * through optimize() -O2 --precision int8: ≤ 30% of the float32 -O2 size, cosine ≥ 0.99.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { encoderModelFile, TINY_ENCODER } from '../../fixtures/generate-encoder.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { tensorDims } from '../../src/ir/tensor-data.js';
import { DataType } from '../../src/onnx/data-type.js';
import { optimize } from '../../src/optimize/optimize.js';
import { passByName } from '../../src/passes/index.js';
import { createQuantizeDynamic } from '../../src/passes/quantize-dynamic.js';
import type { QuantizeOptions } from '../../src/quantize/quantize-options.js';
import { ort, type OrtTensor } from '../../src/runtime/ort-session.js';
import { accuracyOf, feedsFor } from '../quantize/precision-kit.js';
import { declinesOf, opCounts, runPasses, statsOf, type PassRun } from './pass-test-kit.js';
import { tempPath } from '../support/temp-files.js';

const PASS = 'quantize_dynamic';

function seq(n: number, scale = 0.05, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + offset) * scale * (1 + (i % 7) / 7));
}

/** x[batch,64] → MatMul(W[64,128]) → Add(b[128]) → Relu → Gemm(W2[32,128], transB) → y. */
function mlp() {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 64]);
  const h = b.node('Add', [b.node('MatMul', ['x', b.initializer('W1', 'float32', [64, 128], seq(64 * 128))], {}, { name: 'fc1' }), b.initializer('b1', 'float32', [128], seq(128, 0.1))], {}, { name: 'fc1_bias' });
  const r = b.node('Relu', [h], {}, { name: 'relu' });
  b.node('Gemm', [r, b.initializer('W2', 'float32', [32, 128], seq(32 * 128, 0.05, 1)), b.initializer('b2', 'float32', [32], seq(32, 0.1, 2))], { transB: 1, alpha: 0.5 }, { name: 'fc2', output: 'y' });
  b.output('y', 'float32', ['batch', 32]);
  return b.build();
}

function quantize(source: Parameters<typeof runPasses>[0], options: QuantizeOptions = {}, target: 'onnx' | 'onnxruntime' = 'onnx'): Promise<PassRun> {
  return runPasses(source, [createQuantizeDynamic(options)], { target });
}

describe('quantize_dynamic on built graphs', () => {
  test('standard ops: DynamicQuantizeLinear + MatMulInteger, int8 weights with a scale per column', async () => {
    const run = await quantize(mlp());
    const ops = opCounts(run.model);
    assert.equal(ops.MatMulInteger, 2);
    assert.equal(ops.DynamicQuantizeLinear, 2);
    assert.equal(ops.MatMul, undefined);
    assert.equal(ops.Gemm, undefined);
    assert.deepEqual(statsOf(run, PASS), { matmul: 1, gemm: 1, gather: 0, declined: 0 });
    const w1 = run.model.graph.values.get('W1_quantized')!.initializer!;
    assert.equal(w1.data_type, DataType.INT8);
    assert.deepEqual(tensorDims(run.model.graph.values.get('W1_scale')!.initializer!), [128]);
    // Gemm's [32,128] weight with transB is stored transposed, [128, 32], for MatMulInteger.
    assert.deepEqual(tensorDims(run.model.graph.values.get('W2_quantized')!.initializer!), [128, 32]);
    assert.equal(run.model.graph.values.has('W1'), false, 'the float32 weight is gone');
    const [acc] = await accuracyOf(run, feedsFor(run.original, 3, { defaultDim: 4 }));
    assert.ok(acc!.cosine > 0.999, `cosine ${acc!.cosine}`);
  });

  test('--target onnxruntime: com.microsoft DynamicQuantizeMatMul with the bias Add folded in', async () => {
    const run = await quantize(mlp(), {}, 'onnxruntime');
    const ops = opCounts(run.model);
    assert.equal(ops['com.microsoft::DynamicQuantizeMatMul'], 2);
    assert.equal(ops.Add, undefined, 'fc1\'s bias Add went into the op');
    assert.equal(run.model.opsetVersion('com.microsoft'), 1);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 3, { defaultDim: 4 }));
    assert.ok(acc!.cosine > 0.999, `cosine ${acc!.cosine}`);
  });

  test('--no-per-channel: one scale per weight', async () => {
    const run = await quantize(mlp(), { perChannel: false });
    assert.deepEqual(tensorDims(run.model.graph.values.get('W1_scale')!.initializer!), []);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 2));
    assert.ok(acc!.cosine > 0.99);
  });

  test('excluded nodes and ops stay float32, and say why', async () => {
    const byNode = await quantize(mlp(), { excludeNodes: ['fc1'] });
    assert.equal(opCounts(byNode.model).MatMul, 1);
    assert.match(declinesOf(byNode, PASS).join(), /fc1 \(MatMul\): excluded/);
    const byOp = await quantize(mlp(), { excludeOps: ['Gemm'] });
    assert.equal(opCounts(byOp.model).Gemm, 1);
    assert.equal(opCounts(byOp.model).MatMulInteger, 1);
  });

  test('small weights and activation×activation MatMuls are declined with the reason', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [2, 16]);
    b.input('z', 'float32', [8, 3]);
    const small = b.node('MatMul', ['x', b.initializer('w', 'float32', [16, 8], seq(128))], {}, { name: 'small' });
    b.node('MatMul', [small, 'z'], {}, { name: 'activations', output: 'y' });
    b.output('y', 'float32', [2, 3]);
    const run = await quantize(b.build());
    const declines = declinesOf(run, PASS).join('\n');
    assert.match(declines, /small \(MatMul\): weight 'w' has 128 elements \(< 4096\): too small for int8 to pay off/);
    assert.match(declines, /activations \(MatMul\): weight 'z' is not a constant/);
    assert.equal(run.result.passes[0]!.roundsModified, 0);
  });

  test('an embedding Gather reads an int8 table and dequantizes per hidden unit after the Gather', async () => {
    const b = new ModelBuilder({ opset: 17 });
    b.input('ids', 'int64', [1, 5]);
    b.node('Gather', [b.initializer('table', 'float32', [100, 64], seq(6400, 0.1)), 'ids'], {}, { name: 'embed', output: 'y' });
    b.output('y', 'float32', [1, 5, 64]);
    const run = await quantize(b.build());
    const ops = opCounts(run.model);
    assert.equal(ops.DequantizeLinear, 1);
    const dq = run.model.graph.nodes.find((n) => n.opType === 'DequantizeLinear')!;
    assert.equal(dq.inputs[0]!.producer?.opType, 'Gather');
    assert.equal(dq.intAttribute('axis'), -1);
    assert.equal(run.model.graph.values.get('table_quantized')!.initializer!.data_type, DataType.INT8);
    const feeds = [{ ids: new ort.Tensor('int64', BigInt64Array.from([0n, 7n, 42n, 99n, 7n]), [1, 5]) }];
    const [acc] = await accuracyOf(run, feeds);
    assert.ok(acc!.cosine > 0.999, `cosine ${acc!.cosine}`);
  });

  test('registered as a quantize pass that no preset runs', () => {
    assert.equal(passByName(PASS)?.kind, 'quantize');
  });
});

/** Token ids and a full attention mask: what an encoder is fed. */
function encoderFeeds(vocab: number, seqLen: number, sets: number): Record<string, OrtTensor>[] {
  return Array.from({ length: sets }, (_, s) => ({
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: seqLen }, (_, i) => BigInt((i * 7919 + s * 104729 + 101) % vocab)), [1, seqLen]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from({ length: seqLen }, (_, i) => (i < seqLen - s ? 1n : 0n)), [1, seqLen]),
  }));
}

describe('quantize_dynamic on the generated BERT-style encoder (2 layers, hidden 64)', () => {
  test('-O2 then int8 dynamic: ≤ 30% of the float32 -O2 model, cosine ≥ 0.99 on token inputs', async () => {
    const file = encoderModelFile(TINY_ENCODER);
    const feeds = encoderFeeds(TINY_ENCODER.vocab, 16, 3);
    const fp32 = tempPath('encoder-o2.onnx');
    const int8 = tempPath('encoder-int8.onnx');
    await optimize(file, { passes: 'O2', check: 0, output: fp32 });
    const { report } = await optimize(file, { passes: 'O2', feeds, output: int8, precision: { precision: 'int8' } });
    const stats = report.precision!.passes[0]!.stats;
    assert.equal(stats.matmul, 12, '6 Linear layers per block, 2 blocks');
    assert.equal(stats.gather, 2, 'word and position tables (token types: too small)');
    const ratio = fs.statSync(int8).size / fs.statSync(fp32).size;
    assert.ok(ratio <= 0.3, `int8 is ${(ratio * 100).toFixed(1)}% of the float32 -O2 model`);
    const out = report.precision!.accuracy.outputs[0]!;
    assert.equal(report.precision!.accuracy.inputs, 'inputs');
    assert.ok(out.cosine >= 0.99, `cosine ${out.cosine}`);
    assert.equal(report.precision!.gate.ok, true);
    assert.equal(report.check?.ok, true, 'the float32 stage (-O2) was checked for equivalence');
  });
});
