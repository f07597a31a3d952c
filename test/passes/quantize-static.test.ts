/**
 * quantize_static: QDQ around the quantizable ops with calibrated ranges (the CNN fixture after -O2:
 * Conv+BN fused, Relu folded into the quantization, per-channel int8 weights, int32 biases), which
 * onnxruntime fuses into QLinearConv; exclusions; a model that cannot reach opset 13 (per-tensor
 * weights, or com.microsoft DequantizeLinear with --target onnxruntime); a quantized model is left
 * alone; no calibration inputs is an error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { loadModel } from '../../src/ir/model-file.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { tensorDims } from '../../src/ir/tensor-data.js';
import { decodeModel } from '../../src/onnx/codec.js';
import { DataType } from '../../src/onnx/data-type.js';
import { optimize } from '../../src/optimize/optimize.js';
import { presetPasses } from '../../src/passes/index.js';
import { createQuantizeStatic } from '../../src/passes/quantize-static.js';
import type { CalibrationSet } from '../../src/quantize/calibration-inputs.js';
import type { QuantizeOptions } from '../../src/quantize/quantize-options.js';
import { createSession } from '../../src/runtime/ort-session.js';
import { accuracyOf, feedsFor } from '../quantize/precision-kit.js';
import { declinesOf, fixture, opCounts, runPasses, statsOf } from './pass-test-kit.js';
import { tempPath, writeTemp } from '../support/temp-files.js';

const PASS = 'quantize_static';

function calibration(model: Parameters<typeof feedsFor>[0], n = 4, shapes?: Map<string, number[]>): CalibrationSet[] {
  return feedsFor(model, n, { defaultDim: 1, ...(shapes ? { shapes } : {}) }).map((feeds, i) => ({ source: `set ${i}`, feeds }));
}

async function quantizeCnn(options: QuantizeOptions = {}) {
  // -O2 first (Conv+BN fused), as the CLI runs it: fusion before quantization.
  const { runPipeline } = await import('../../src/passes/pass-manager.js');
  const { DEFAULT_PASS_OPTIONS } = await import('../../src/passes/pass.js');
  const model = loadModel(fixture('cnn'));
  await runPipeline(model, presetPasses('O2'), DEFAULT_PASS_OPTIONS);
  const { encodeModel } = await import('../../src/onnx/codec.js');
  const optimized = decodeModel(encodeModel(model.toProto()));
  return runPasses(optimized, [createQuantizeStatic({ calibration: calibration(encodeModel(optimized)), method: 'minmax', percentile: 99.99, ...options })], {}, 1);
}

describe('quantize_static on the CNN fixture', () => {
  test('QDQ around Conv, pooling and Gemm; int8 per-channel weights, int32 biases, Relu folded; onnxruntime fuses QLinearConv', async () => {
    const run = await quantizeCnn();
    const stats = statsOf(run, PASS);
    assert.equal(stats.activationsFolded, 2, 'both Relus');
    assert.equal(stats.weights, 3);
    assert.equal(stats.biases, 3);
    const ops = opCounts(run.model);
    assert.equal(ops.Relu, undefined);
    assert.ok(ops.QuantizeLinear! >= 4 && ops.DequantizeLinear! >= ops.QuantizeLinear!, JSON.stringify(ops));
    const conv = run.model.graph.nodes.find((n) => n.opType === 'Conv')!;
    const [x, w, bias] = conv.inputs.map((v) => v!.producer!);
    assert.equal(x!.opType, 'DequantizeLinear');
    assert.equal(w!.opType, 'DequantizeLinear');
    assert.equal(w!.intAttribute('axis'), 0);
    assert.equal(w!.inputs[0]!.initializer!.data_type, DataType.INT8);
    assert.equal(tensorDims(w!.inputs[1]!.initializer!).length, 1, 'a scale per output channel');
    assert.equal(bias!.inputs[0]!.initializer!.data_type, DataType.INT32);
    assert.equal(x!.inputs[0]!.producer!.opType, 'QuantizeLinear');
    assert.equal(x!.inputs[2]!.initializer!.data_type, DataType.UINT8, 'uint8 activations');

    // What onnxruntime makes of it at load: the DQ → Conv → Q groups become QLinearConv.
    const out = tempPath('ort-optimized.onnx');
    const session = await createSession(run.bytes(), { graphOptimizationLevel: 'extended', optimizedModelFilePath: out });
    await session.release();
    const fused = decodeModel(fs.readFileSync(out)).graph!.node.map((n) => n.op_type);
    assert.equal(fused.filter((op) => op === 'QLinearConv').length, 2, fused.join(', '));

    const [acc] = await accuracyOf(run, feedsFor(run.original, 3, { defaultDim: 1 }));
    assert.ok(acc!.cosine > 0.99, `cosine ${acc!.cosine}`);
  });

  test('--exclude-ops Conv and --exclude-nodes leave those nodes float32', async () => {
    const byOp = await quantizeCnn({ excludeOps: ['Conv'] });
    for (const conv of byOp.model.graph.nodes.filter((n) => n.opType === 'Conv')) {
      assert.notEqual(conv.inputs[1]!.producer?.opType, 'DequantizeLinear');
    }
    assert.match(declinesOf(byOp, PASS).join(), /Conv\): excluded/);
    const byNode = await quantizeCnn({ excludeNodes: ['/classifier/Gemm'] });
    const gemm = byNode.model.graph.nodes.find((n) => n.opType === 'Gemm')!;
    assert.notEqual(gemm.inputs[1]!.producer?.opType, 'DequantizeLinear');
  });

  test('a quantized model is left alone', async () => {
    const once = await quantizeCnn();
    const again = await runPasses(decodeModel(once.bytes()), [createQuantizeStatic({ calibration: calibration(once.bytes()), method: 'minmax', percentile: 99.99 })], {}, 1);
    assert.equal(again.result.passes[0]!.roundsModified, 0);
    assert.match(declinesOf(again, PASS).join(), /already quantized/);
  });
});

describe('quantize_static below opset 13', () => {
  // Resize-11 blocks raising to 13 (its meaning changed), so per-channel DequantizeLinear is not available.
  function opset11() {
    const b = new ModelBuilder({ opset: 11 });
    b.input('x', 'float32', [1, 4, 8, 8]);
    const w = Array.from({ length: 4 * 4 * 9 }, (_, i) => Math.cos(i) * (1 + (i % 4)) * 0.1);
    const c = b.node('Conv', ['x', b.initializer('w', 'float32', [4, 4, 3, 3], w), b.initializer('b', 'float32', [4], [0.1, -0.1, 0.2, 0])], { pads: [1, 1, 1, 1] }, { name: 'conv' });
    b.node('Resize', [b.node('Relu', [c]), b.initializer('roi', 'float32', [0], []), b.initializer('scales', 'float32', [4], [1, 1, 2, 2])], { mode: 'nearest' }, { name: 'resize', output: 'y' });
    b.output('y', 'float32', [1, 4, 16, 16]);
    return b.build();
  }

  test('target onnx: weights get one scale each, and the decline says how to keep them per channel', async () => {
    const proto = opset11();
    const run = await runPasses(proto, [createQuantizeStatic({ calibration: calibration(writeAndRead(proto)), method: 'minmax', percentile: 99.99 })], {}, 1);
    assert.equal(statsOf(run, PASS).perTensorWeights, 1);
    assert.match(declinesOf(run, PASS).join(), /weights get one scale each .*Resize-13.*--target onnxruntime/);
    assert.equal(run.model.opsetVersion(''), 11);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 2, { defaultDim: 1 }));
    assert.ok(acc!.cosine > 0.98, `cosine ${acc!.cosine}`);
  });

  test('target onnxruntime: per-channel weights through com.microsoft DequantizeLinear', async () => {
    const proto = opset11();
    const run = await runPasses(proto, [createQuantizeStatic({ calibration: calibration(writeAndRead(proto)), method: 'minmax', percentile: 99.99 })], { target: 'onnxruntime' }, 1);
    assert.equal(statsOf(run, PASS).perTensorWeights, 0);
    const conv = run.model.graph.nodes.find((n) => n.opType === 'Conv')!;
    const dq = conv.inputs[1]!.producer!;
    assert.equal(dq.domain, 'com.microsoft');
    assert.equal(dq.intAttribute('axis'), 0);
    const [acc] = await accuracyOf(run, feedsFor(run.original, 2, { defaultDim: 1 }));
    assert.ok(acc!.cosine > 0.99, `cosine ${acc!.cosine}`);
  });
});

describe('quantize_static through optimize()', () => {
  test('static mode without calibration inputs: MLS_ERR_CALIBRATION_REQUIRED, nothing written', async () => {
    const out = tempPath('never.onnx');
    await assert.rejects(
      optimize(fixture('cnn'), { output: out, precision: { precision: 'int8', quantMode: 'static' } }),
      (e: Error & { code?: string; exitCode?: number }) => e.code === 'MLS_ERR_CALIBRATION_REQUIRED' && e.exitCode === 50 && /--calibration DIR/.test((e as { hint?: string }).hint ?? ''),
    );
    assert.equal(fs.existsSync(out), false);
  });

  test('--passes quantize_static alone (no calibration): the same error, not a pass failure', async () => {
    await assert.rejects(optimize(fixture('cnn'), { passes: ['quantize_static'], check: 0 }), (e: Error & { code?: string }) => e.code === 'MLS_ERR_CALIBRATION_REQUIRED');
  });
});

function writeAndRead(proto: Parameters<typeof writeTemp>[0]): Uint8Array {
  return fs.readFileSync(writeTemp(proto));
}
