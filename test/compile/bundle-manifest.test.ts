/**
 * The manifest schema (every field readers rely on, with the first wrong one named) and hash
 * verification of a real compiled bundle: intact, then with a variant tampered with, truncated,
 * or removed — each reported against its file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isSafeBundlePath, parseManifest, readManifest, writeManifest, type BundleManifest } from '../../src/compile/bundle-manifest.js';
import { compile } from '../../src/compile/compile.js';
import { assertBundleIntact, sha256File, verifyBundle } from '../../src/compile/verify-bundle.js';
import { MlserveError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MLP = path.join(root, 'fixtures/models/mlp.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-manifest-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let bundle: string;
let manifest: BundleManifest;
before(async () => {
  bundle = path.join(tmp, 'mlp.bundle');
  manifest = (await compile(MLP, { output: bundle, batchSizes: [1, 2], check: 1 })).manifest;
});

function invalid(json: unknown): string {
  try {
    parseManifest(json, 'manifest.json');
    return 'valid';
  } catch (e) {
    assert.ok(e instanceof MlserveError && e.code === 'MLS_ERR_BUNDLE_MANIFEST_INVALID', String(e));
    return (e as MlserveError<'MLS_ERR_BUNDLE_MANIFEST_INVALID'>).details.reason;
  }
}

const clone = (): Record<string, unknown> & { variants: Array<Record<string, unknown>> } => JSON.parse(JSON.stringify(manifest));

describe('bundle manifest', () => {
  test('compile writes every field the issue asks for, and it reads back as written', () => {
    assert.deepEqual(readManifest(bundle), manifest);
    assert.equal(manifest.kind, 'mlserve-bundle');
    assert.deepEqual(manifest.source, { file: 'mlp.onnx', sha256: sha256File(MLP), bytes: fs.statSync(MLP).size });
    assert.match(manifest.mlserve, /^\d+\.\d+\.\d+/);
    assert.match(manifest.onnxruntime.node, /^1\.\d+\.\d+$/);
    assert.equal(manifest.variants.length, 2);
    for (const v of manifest.variants) {
      assert.match(v.sha256, /^[0-9a-f]{64}$/);
      assert.equal(v.sha256, sha256File(path.join(bundle, v.file)));
      assert.equal(v.provider, 'cpu');
      assert.equal(v.precision, 'fp32');
      assert.deepEqual(v.inputs, { input: [v.batchSize, 64] });
      assert.deepEqual(v.outputs, { logits: [v.batchSize, 10] });
      assert.equal(v.optimizationLevel, 'extended');
      assert.equal(v.opset['ai.onnx'], 17);
      assert.ok(Array.isArray(v.passes) && v.passes.length > 0, 'O2 changes the MLP (MatMul+Add → Gemm)');
      assert.ok(!Number.isNaN(Date.parse(v.createdAt)));
    }
  });

  test('the README documents every field of the manifest and of its variants', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### compile'), readme.indexOf('### bench'));
    for (const key of [...Object.keys(manifest), ...Object.keys(manifest.variants[0]!), ...Object.keys(manifest.compile), ...Object.keys(manifest.source)]) {
      assert.ok(section.includes(`\`${key}\``) || section.includes(`\`${key}[]\``), `README ### compile does not mention \`${key}\``);
    }
  });

  test('verifyBundle: an intact bundle verifies', () => {
    const v = verifyBundle(bundle);
    assert.equal(v.ok, true);
    assert.deepEqual(v.variants.map((c) => [c.id, c.ok]), [['cpu-fp32-b1', true], ['cpu-fp32-b2', true]]);
    assert.doesNotThrow(() => assertBundleIntact(v));
  });

  test('a tampered, truncated or missing variant is reported against its file', () => {
    const copy = path.join(tmp, 'tampered');
    fs.cpSync(bundle, copy, { recursive: true });
    const b1 = path.join(copy, 'variants/cpu-fp32-b1.onnx');
    const bytes = fs.readFileSync(b1);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // same size, different content
    fs.writeFileSync(b1, bytes);
    let v = verifyBundle(copy);
    assert.equal(v.ok, false);
    assert.match(v.variants[0]!.problem!, /^sha256 [0-9a-f]{12}…, manifest says [0-9a-f]{12}…$/);
    assert.equal(v.variants[1]!.ok, true);
    assert.throws(() => assertBundleIntact(v), (e: MlserveError) =>
      e.code === 'MLS_ERR_BUNDLE_VERIFY_FAILED' && /variants\/cpu-fp32-b1\.onnx: sha256/.test(e.message) && e.exitCode === 43);

    fs.truncateSync(path.join(copy, 'variants/cpu-fp32-b2.onnx'), 10);
    v = verifyBundle(copy);
    assert.equal(v.variants[1]!.problem, `size 10 bytes, manifest says ${manifest.variants[1]!.bytes}`);
    fs.rmSync(path.join(copy, 'variants/cpu-fp32-b2.onnx'));
    assert.equal(verifyBundle(copy).variants[1]!.problem, 'missing');
    // Only the variants asked about are hashed.
    assert.equal(verifyBundle(copy, new Set(['cpu-fp32-b2'])).variants.length, 1);
  });

  test('schema: the first wrong field is named', () => {
    assert.equal(invalid(clone()), 'valid');
    assert.equal(invalid([]), 'the manifest must be an object');
    assert.equal(invalid({ ...clone(), kind: 'other' }), "kind must be 'mlserve-bundle'");
    assert.match(invalid({ ...clone(), schemaVersion: 99 }), /schemaVersion 99 is newer than this mlserve reads/);
    const m = clone();
    delete (m['source'] as Record<string, unknown>)['sha256'];
    assert.equal(invalid(m), 'source.sha256 must be a string');
    const checks: Array<[(v: Record<string, unknown>) => void, RegExp]> = [
      [(v) => { v['sha256'] = 'abc'; }, /^variants\[0\]\.sha256 must be 64 lowercase hex digits$/],
      [(v) => { v['file'] = '../escape.onnx'; }, /^variants\[0\]\.file '\.\.\/escape\.onnx' must be a relative path inside the bundle$/],
      [(v) => { v['file'] = '/etc/passwd'; }, /must be a relative path inside the bundle/],
      [(v) => { v['batchSize'] = 0; }, /^variants\[0\]\.batchSize must be an integer ≥ 1$/],
      [(v) => { v['precision'] = 'fp8'; }, /^variants\[0\]\.precision must be one of fp32, fp16, int8$/],
      [(v) => { v['inputs'] = { input: [1, -1] }; }, /^variants\[0\]\.inputs\.input must be an array of non-negative integers$/],
      [(v) => { v['optimizationLevel'] = 'max'; }, /^variants\[0\]\.optimizationLevel must be one of/],
      [(v) => { v['id'] = 'cpu-fp32-b2'; }, /^variants\[1\]\.id 'cpu-fp32-b2' is used twice$/],
    ];
    for (const [mutate, expected] of checks) {
      const bad = clone();
      mutate(bad.variants[0]!);
      assert.match(invalid(bad), expected);
    }
    const sel = clone();
    sel['selection'] = { byBatchSize: [{ batchSize: 1, variant: 'gpu-fp32-b1' }], servedBatchSizes: [1] };
    assert.match(invalid(sel), /^selection\.byBatchSize\[0\]\.variant 'gpu-fp32-b1' is not a variant of the bundle$/);
    sel['selection'] = { byBatchSize: [{ batchSize: 1, variant: 'cpu-fp32-b1' }], servedBatchSizes: [1, 2] };
    assert.match(invalid(sel), /^selection\.servedBatchSizes lists 2, which selection\.byBatchSize does not$/);
  });

  test('readManifest: not JSON and missing file are their own errors; writeManifest is atomic (no temp file left)', () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    assert.throws(() => readManifest(dir), (e: MlserveError) => e.code === 'MLS_ERR_FILE_NOT_FOUND');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"kind": ');
    assert.throws(() => readManifest(dir), (e: MlserveError) => e.code === 'MLS_ERR_BUNDLE_MANIFEST_INVALID' && /not JSON/.test(e.message));
    writeManifest(dir, manifest);
    assert.deepEqual(fs.readdirSync(dir), ['manifest.json']);
    assert.deepEqual(readManifest(dir), manifest);
  });

  test('isSafeBundlePath', () => {
    for (const ok of ['a.onnx', 'variants/cpu-fp32-b1.onnx']) assert.equal(isSafeBundlePath(ok), true, ok);
    for (const bad of ['', '/a.onnx', '../a.onnx', 'variants/../../a', 'a\\b.onnx', 'C:/a.onnx', './a.onnx', 'a//b']) assert.equal(isSafeBundlePath(bad), false, bad);
  });
});
