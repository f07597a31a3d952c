/**
 * The runtime-support tables against the onnxruntime that is installed: every claim is re-checked by
 * creating sessions for one-node models, so an ORT upgrade that changes what runs fails here, naming
 * the op. Session creation only — schema, type and kernel checks happen there, nothing is run —
 * except for the legacy ops, which are run on the real model that uses them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder, type ModelBuilderOptions } from '../../src/ir/model-builder.js';
import { inspect } from '../../src/inspect/inspect.js';
import { ONNX_DEPRECATED_SINCE, ONNX_ML_OPERATOR_SINCE, ONNX_OPERATOR_SINCE } from '../../src/inspect/onnx-operators.js';
import { opSupport, opsetSupport, ORT_CHECKED_VERSION, ORT_DOMAIN_OPSETS } from '../../src/inspect/runtime-support.js';
import { encodeModel } from '../../src/onnx/codec.js';
import { createSession, ort } from '../../src/runtime/ort-session.js';
import { repoRoot } from '../support/corpus.js';

/** How ORT reacts to a model: 'ok', or which of its refusals it gave. */
type Verdict = 'ok' | 'no-schema' | 'deprecated' | 'not-registered' | 'no-kernel' | 'opset-refused' | 'other';

function irFor(opset: number): number {
  return opset >= 21 ? 10 : opset >= 11 ? 6 : opset >= 10 ? 5 : 3;
}

async function verdict(op: string, opset: number, domain = '', options: ModelBuilderOptions = {}): Promise<Verdict> {
  const b = new ModelBuilder({ opset, irVersion: irFor(opset), ...options });
  const x = b.input('x', 'float32', [1, 1, 2, 2]);
  b.output(b.node(op, [x], {}, domain ? { domain } : {}), 'float32');
  try {
    const session = await createSession(encodeModel(b.build()), { graphOptimizationLevel: 'disabled' });
    await session.release();
    return 'ok';
  } catch (e) {
    const m = (e as Error).message;
    if (/No Op registered for/.test(m)) return 'no-schema';
    if (/is deprecated in domain_version/.test(m)) return 'deprecated';
    if (/is not a registered function\/op/.test(m)) return 'not-registered';
    if (/Could not find an implementation/.test(m)) return 'no-kernel';
    if (/only \*guarantees\* support/.test(m)) return 'opset-refused';
    // The op is known; this one-input model just does not satisfy its schema. That is enough here.
    return 'other';
  }
}

test('the installed onnxruntime-node is the version the tables were checked against', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string };
  assert.equal(pkg.version, ORT_CHECKED_VERSION, 'onnxruntime-node changed: re-check runtime-support.ts and update ORT_CHECKED_VERSION');
});

describe('every ai.onnx operator is unknown one opset before the version listed, and known from it on', () => {
  for (const [op, since] of ONNX_OPERATOR_SINCE) {
    test(`${op} (opset ${since})`, async () => {
      const atSince = await verdict(op, Math.max(7, since));
      assert.notEqual(atSince, 'no-schema', `${op} should exist at opset ${Math.max(7, since)}`);
      // Below 7 ORT does not promise anything; the experimental forms of two ops exist below their standard version.
      // LayerNormalization is also one of ORT's own ops at every opset (see the test below).
      if (since > 7 && !['ThresholdedRelu', 'MeanVarianceNormalization', 'LayerNormalization'].includes(op)) {
        assert.equal(await verdict(op, since - 1), 'no-schema', `${op} should not exist at opset ${since - 1}`);
      }
      assert.equal(opSupport('', op, Math.max(7, since)).status === 'unsupported', atSince === 'no-kernel' || atSince === 'deprecated');
    });
  }
});

test('every ai.onnx.ml operator exists at its version; an unknown one does not', async () => {
  for (const [op, since] of ONNX_ML_OPERATOR_SINCE) {
    assert.notEqual(await verdict(op, 17, 'ai.onnx.ml', { opsetImports: { 'ai.onnx.ml': since } }), 'no-schema', op);
  }
  assert.equal(await verdict('NoSuchMlOp', 17, 'ai.onnx.ml', { opsetImports: { 'ai.onnx.ml': 5 } }), 'no-schema');
  assert.equal(opSupport('ai.onnx.ml', 'NoSuchMlOp', 5).status, 'unsupported');
});

test('an unknown name in ai.onnx has no schema at any opset', async () => {
  assert.equal(await verdict('NoSuchOp', 17), 'no-schema');
  assert.equal(opSupport('', 'NoSuchOp', 17).status, 'unsupported');
});

test('deprecated ops are refused from the listed opset and accepted just before', async () => {
  for (const [op, from] of ONNX_DEPRECATED_SINCE) {
    assert.equal(await verdict(op, from), 'deprecated', `${op} at ${from}`);
    assert.notEqual(await verdict(op, from - 1), 'deprecated', `${op} at ${from - 1}`);
    assert.equal(opSupport('', op, from).status, 'unsupported');
    assert.equal(opSupport('', op, from - 1).status, 'ok');
  }
});

test('ops without a CPU kernel from some opset on', async () => {
  for (const [op, from] of [['GlobalLpPool', 22], ['RandomNormalLike', 22], ['RandomUniformLike', 22], ['Bernoulli', 22], ['Swish', 25]] as const) {
    assert.equal(await verdict(op, from), 'no-kernel', `${op} at ${from}`);
    assert.notEqual(await verdict(op, from - 1), 'no-kernel', `${op} at ${from - 1}`);
    assert.equal(opSupport('', op, from).status, 'unsupported');
    assert.equal(opSupport('', op, from - 1).status, 'ok');
  }
});

test('retired experimental ops: ORT keeps kernels below opset 10 for most, none for some, and refuses all from 10', async () => {
  for (const op of ['Affine', 'Crop', 'DynamicSlice', 'ImageScaler', 'ParametricSoftplus', 'Scale', 'ScaledTanh']) {
    // 'other' at 9: the kernel exists and only complains about this model's missing attributes.
    assert.ok(['ok', 'other'].includes(await verdict(op, 9)), `${op} at 9`);
    assert.equal(await verdict(op, 10), 'not-registered', `${op} at 10`);
    assert.equal(opSupport('', op, 9).status, 'legacy');
    assert.equal(opSupport('', op, 10).status, 'unsupported');
  }
  for (const op of ['GivenTensorFill', 'GRUUnit']) {
    assert.equal(await verdict(op, 7), 'no-kernel', op);
    assert.equal(opSupport('', op, 7).status, 'unsupported');
  }
  for (const op of ['ConstantFill', 'ATen']) {
    assert.equal(await verdict(op, 7), 'not-registered', op);
    assert.equal(opSupport('', op, 7).status, 'unsupported');
  }
  // ThresholdedRelu and MeanVarianceNormalization run in their experimental form below their standard opset.
  assert.equal(await verdict('ThresholdedRelu', 7), 'ok');
  assert.equal(opSupport('', 'ThresholdedRelu', 7).status, 'legacy');
  assert.equal(opSupport('', 'ThresholdedRelu', 10).status, 'ok');
});

test("onnxruntime's own ops in the ai.onnx domain: LayerNormalization before opset 17", async () => {
  assert.equal(await verdict('LayerNormalization', 16), 'other', 'known to ORT at 16 (this one-input model just misses its scale)');
  assert.equal(opSupport('', 'LayerNormalization', 16).status, 'legacy');
  assert.equal(opSupport('', 'LayerNormalization', 17).status, 'ok');
  assert.notEqual(await verdict('SimplifiedLayerNormalization', 17), 'no-schema');
  assert.equal(opSupport('', 'SimplifiedLayerNormalization', 17).status, 'legacy');
});

const candy = path.join(repoRoot, '../shared/models/real/winml_fns_candy.onnx');

test('winml_fns_candy (opset 7: Crop, ImageScaler, Affine) runs in onnxruntime; inspect calls the ops legacy, not unsupported', { skip: !fs.existsSync(candy) }, async () => {
  const session = await createSession(candy);
  try {
    const out = await session.run({ inputImage: new ort.Tensor('float32', new Float32Array(3 * 720 * 720).fill(0.5), [1, 3, 720, 720]) });
    assert.deepEqual(out['outputImage']!.dims, [1, 3, 720, 720]);
  } finally {
    await session.release();
  }
  const report = inspect(candy);
  assert.equal(report.warnings.find((w) => w.code === 'unsupported-op'), undefined);
  const legacy = report.warnings.find((w) => w.code === 'legacy-op');
  assert.deepEqual(legacy?.items.map((i) => i.split(':')[0]).sort(), ['Affine ×1', 'Crop ×7', 'ImageScaler ×1']);
});

describe('opset ranges per domain', () => {
  async function importVerdict(domain: string, version: number): Promise<Verdict> {
    return verdict('Relu', domain === '' ? version : 17, '', domain === '' ? {} : { opsetImports: { [domain]: version } });
  }
  for (const [domain, range] of ORT_DOMAIN_OPSETS) {
    test(domain || 'ai.onnx', async () => {
      assert.notEqual(await importVerdict(domain, range.max), 'opset-refused');
      assert.equal(await importVerdict(domain, range.max + 1), 'opset-refused');
      assert.equal(opsetSupport(domain, range.max), undefined);
      assert.match(opsetSupport(domain, range.max + 1) ?? '', /newer than onnxruntime/);
    });
  }
  test('any version of a domain ORT does not know is accepted as an import; a node in it is not', async () => {
    assert.equal(await importVerdict('com.acme', 100), 'ok');
    assert.equal(opsetSupport('com.acme', 100), undefined);
    assert.equal(await verdict('Thing', 17, 'com.acme', { opsetImports: { 'com.acme': 1 } }), 'not-registered');
    assert.equal(opSupport('com.acme', 'Thing', 1).status, 'unsupported');
  });
});
