/**
 * fuse_bn_into_conv: BatchNormalization folded into Conv and ConvTranspose (grouped too) weights,
 * float32 and float16; declined when the Conv output has other readers, when parameters are not
 * constant or are overridable graph inputs; the CNN fixtures and real models.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { saveModel } from '../../src/ir/model-file.js';
import { tensorTypeToProto } from '../../src/ir/tensor-type.js';
import { createMessage } from '../../src/onnx/codec.js';
import type { AttributeProto, ModelProto, OperatorSetIdProto, ValueInfoProto } from '../../src/onnx/proto-types.js';
import { repoRoot } from '../support/corpus.js';
import { checkModels, onnxCheckerAvailable } from '../support/onnx-checker.js';
import { assertEquivalent, declinesOf, opCounts, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_bn_into_conv';
const shared = path.resolve(repoRoot, '..', 'shared', 'models', 'real');
const ocr = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets');

function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + ((hi - lo) * s) / 2147483648;
  });
}

interface ConvBnOptions {
  op?: 'Conv' | 'ConvTranspose';
  group?: number;
  bias?: boolean;
  dtype?: 'float32' | 'float16';
  /** The Conv output is also read by another node, or is also a graph output. */
  convAlsoRead?: 'node' | 'output';
  /** BatchNormalization scale comes from a graph input. */
  scaleInput?: boolean;
}

/** x[1,4,6,6] → Conv/ConvTranspose (4 → 6 channels) → BatchNormalization → Relu → y. */
function convBn(o: ConvBnOptions = {}) {
  const { op = 'Conv', group = 1, bias = true, dtype = 'float32' } = o;
  const inC = 4;
  const outC = 6;
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', dtype, [1, inC, 6, 6]);
  const wDims = op === 'Conv' ? [outC, inC / group, 3, 3] : [inC, outC / group, 3, 3];
  const w = b.initializer('w', dtype, wDims, values(wDims.reduce((a, c) => a * c, 1), 1));
  const inputs = [ 'x', w ];
  if (bias) inputs.push(b.initializer('b', dtype, [outC], values(outC, 2)));
  const conv = b.node(op, inputs, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group }, { output: 'conv_out' });
  const scale = o.scaleInput ? b.input('scale', dtype, [outC]) : b.initializer('scale', dtype, [outC], values(outC, 3, 0.5, 1.5));
  const shift = b.initializer('shift', dtype, [outC], values(outC, 4));
  const mean = b.initializer('mean', dtype, [outC], values(outC, 5));
  const variance = b.initializer('var', dtype, [outC], values(outC, 6, 0.2, 2));
  const bn = b.node('BatchNormalization', [conv, scale, shift, mean, variance], { epsilon: 1e-3 }, { output: 'bn_out' });
  b.node('Relu', [bn], {}, { output: 'y' });
  b.output('y', dtype);
  if (o.convAlsoRead === 'node') {
    b.node('Sigmoid', [conv], {}, { output: 'side' });
    b.output('side', dtype);
  }
  if (o.convAlsoRead === 'output') b.output(conv, dtype);
  return b.build();
}

describe('fuse_bn_into_conv on built graphs', () => {
  for (const variant of [
    { name: 'Conv with bias', o: {} },
    { name: 'Conv without bias', o: { bias: false } },
    { name: 'grouped Conv', o: { group: 2 } },
    { name: 'ConvTranspose', o: { op: 'ConvTranspose' as const } },
    { name: 'grouped ConvTranspose', o: { op: 'ConvTranspose' as const, group: 2 } },
    { name: 'float16 Conv', o: { dtype: 'float16' as const } },
  ]) {
    test(`${variant.name}: the BatchNormalization is gone and outputs match`, async () => {
      const run = await runPasses(convBn(variant.o), [PASS]);
      const ops = opCounts(run.model);
      assert.equal(ops.BatchNormalization, undefined);
      assert.equal(ops[variant.o.op ?? 'Conv'], 1);
      assert.equal(statsOf(run, PASS).applied, 1);
      // The old weight, bias and BN parameters left with the BatchNormalization.
      assert.equal(run.model.graph.initializers.length, 2);
      // The fused Conv produces the BatchNormalization's output under its name.
      assert.equal(run.model.graph.lookup('bn_out')?.producer?.opType, variant.o.op ?? 'Conv');
      await assertEquivalent(run, variant.o.dtype === 'float16' ? { atol: 2e-2, rtol: 1e-2 } : {});
    });
  }

  test('declines when the Conv output is read by another node too', async () => {
    const run = await runPasses(convBn({ convAlsoRead: 'node' }), [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, 1);
    assert.match(declinesOf(run, PASS).join('\n'), /'conv_out' \(the Conv output\) is also read by Sigmoid/);
  });

  test('declines when the Conv output is also a graph output', async () => {
    const run = await runPasses(convBn({ convAlsoRead: 'output' }), [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, 1);
    assert.match(declinesOf(run, PASS).join('\n'), /'conv_out' \(the Conv output\) is a graph output/);
  });

  test('declines a BatchNormalization in training mode (running statistics as outputs)', async () => {
    const proto = convBn();
    const bn = proto.graph!.node.find((n) => n.op_type === 'BatchNormalization')!;
    bn.output.push('running_mean', 'running_var');
    bn.attribute.push(createMessage<AttributeProto>('AttributeProto', { name: 'training_mode', type: 2, i: 1 }));
    const run = await runPasses(proto, [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, 1);
    assert.match(declinesOf(run, PASS).join(), /BatchNormalization has training-mode outputs/);
  });

  test('declines when a BatchNormalization parameter is a graph input', async () => {
    const run = await runPasses(convBn({ scaleInput: true }), [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, 1);
    assert.match(declinesOf(run, PASS).join('\n'), /scale: 'scale' is not a constant/);
  });
});

describe('fuse_bn_into_conv when every initializer is also a graph input', () => {
  /** The convBn graph with every initializer listed as an input, as IR 3 / opset 9 exporters (and some IR 4 ones) wrote it. */
  function ir3(irVersion = 3): ModelProto {
    const proto = convBn();
    proto.ir_version = irVersion;
    proto.opset_import = [createMessage<OperatorSetIdProto>('OperatorSetIdProto', { domain: '', version: 9 })];
    for (const t of proto.graph!.initializer) {
      proto.graph!.input.push(createMessage<ValueInfoProto>('ValueInfoProto', { name: t.name, type: tensorTypeToProto({ dtype: t.data_type!, shape: t.dims!.map(Number) }) }));
    }
    proto.graph!.output[0]!.type = tensorTypeToProto({ dtype: 1, shape: [1, 6, 6, 6] });
    return proto;
  }

  test('at IR 4 (overridable) declined by default; at IR 3 (listing obligatory) fused, the new weights listed as inputs too', async () => {
    const declined = await runPasses(ir3(4), [PASS]);
    assert.equal(opCounts(declined.model).BatchNormalization, 1);
    const overridden = await runPasses(ir3(4), [PASS], { foldInitializerInputs: true });
    assert.equal(opCounts(overridden.model).BatchNormalization, undefined);
    const run = await runPasses(ir3(), [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, undefined);
    const inputs = run.model.graph.inputs.map((v) => v.name);
    assert.deepEqual(inputs, ['x', 'w_bn', 'b_bn']);
    await assertEquivalent(run);
    if (onnxCheckerAvailable()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bn-'));
      const file = path.join(dir, 'ir3.onnx');
      saveModel(run.model, file);
      assert.deepEqual(checkModels([file]), { [file]: null });
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('fuse_bn_into_conv on the CNN fixtures', () => {
  for (const file of ['cnn.onnx', 'default.onnx']) {
    test(`${file}: no BatchNormalization left, outputs match`, async () => {
      const run = await runPasses(path.join(repoRoot, 'fixtures', 'models', file), [PASS]);
      const ops = opCounts(run.model);
      assert.equal(ops.BatchNormalization, undefined);
      assert.equal(ops.Conv, 2);
      assert.equal(statsOf(run, PASS).applied, 2);
      await assertEquivalent(run, { shapes: { input: [2, 3, 32, 32] } });
    });
  }
});

describe('fuse_bn_into_conv on real models', () => {
  const ultraface = path.join(shared, 'ultraface_version-RFB-320.onnx');

  test('ultraface (IR 4, every initializer also a graph input): declined by default', async () => {
    const run = await runPasses(ultraface, [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, 35);
    assert.match(declinesOf(run, PASS)[0]!, /also a graph input/);
  });

  test('ultraface with --fold-initializer-inputs: all 35 fused, outputs match', async () => {
    const run = await runPasses(ultraface, [PASS], { foldInitializerInputs: true });
    assert.equal(opCounts(run.model).BatchNormalization, undefined);
    assert.equal(statsOf(run, PASS).applied, 35);
    await assertEquivalent(run, { runs: 1 });
  });

  test('PP-OCR direction classifier (BN parameters are Constant nodes): fused, outputs match', async () => {
    const run = await runPasses(path.join(ocr, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), [PASS]);
    assert.equal(opCounts(run.model).BatchNormalization, undefined);
    assert.equal(statsOf(run, PASS).applied, 35);
    await assertEquivalent(run, { shapes: { x: [1, 3, 48, 192] }, runs: 1 });
  });
});
