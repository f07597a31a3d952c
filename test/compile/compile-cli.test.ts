/**
 * `mlserve compile` and `mlserve inspect BUNDLE_DIR` through the real CLI: the bundle written, --json
 * as one document, the manifest summarised with every hash verified (and a tampered variant reported
 * with exit 43), and each bad flag giving one stderr line and its own exit code.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../support/corpus.js';
import { assertCliError, runCli as mlserve } from '../support/run-cli.js';

const MLP = path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-compile-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mlserve compile', () => {
  const bundle = path.join(tmp, 'mlp.bundle');

  test('--json: one document holding the manifest; the bundle is on disk', () => {
    const r = mlserve('compile', MLP, '-o', bundle, '--provider', 'cpu,wasm', '--batch', '1,2', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout) as { output: string; manifest: { variants: Array<{ id: string; file: string }> }; skipped: unknown[] };
    assert.equal(doc.output, bundle);
    assert.deepEqual(doc.manifest.variants.map((v) => v.id), ['cpu-fp32-b1', 'wasm-fp32-b1', 'cpu-fp32-b2', 'wasm-fp32-b2']);
    assert.deepEqual(doc.skipped, []);
    for (const v of doc.manifest.variants) assert.ok(fs.existsSync(path.join(bundle, v.file)), v.file);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')), doc.manifest);
  });

  test('text: a row per variant, then what was written and what to run next', () => {
    const out = path.join(tmp, 'text.bundle');
    const r = mlserve('compile', MLP, '-o', out, '--batch', '4', '-O1', '--ort-level', 'basic');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^variant +file +inputs +passes +ort level +size +max abs err +time$/);
    assert.match(lines[1]!, /^cpu-fp32-b4 +variants\/cpu-fp32-b4\.onnx +input\[4,64\] +\d+ +basic /);
    assert.match(r.stdout, /wrote .*text\.bundle: 1 variant of mlp\.onnx \(sha256 [0-9a-f]{12}…\), manifest\.json/);
    assert.match(lines.at(-1)!, /^next: mlserve bench .*text\.bundle --select$/);
  });

  test('inspect BUNDLE_DIR: the manifest summarised and every hash verified; a tampered variant exits 43 after the report', () => {
    const text = mlserve('inspect', bundle);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Bundle  /);
    assert.match(text.stdout, /source mlp\.onnx · 14\.\d KiB · sha256 [0-9a-f]{64}/);
    assert.match(text.stdout, /hashes: all 4 variant files match the manifest/);
    const json = JSON.parse(mlserve('inspect', bundle, '--json').stdout) as { kind: string; verified: boolean; variants: Array<{ check: { ok: boolean } }> };
    assert.equal(json.kind, 'bundle');
    assert.equal(json.verified, true);

    const copy = path.join(tmp, 'tampered.bundle');
    fs.cpSync(bundle, copy, { recursive: true });
    const file = path.join(copy, 'variants/wasm-fp32-b2.onnx');
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(100) ^ 1, 100);
    fs.writeFileSync(file, bytes);
    const bad = mlserve('inspect', copy, '--json');
    assertCliError(bad, 'MLS_ERR_BUNDLE_VERIFY_FAILED', /tampered\.bundle does not match its manifest: variants\/wasm-fp32-b2\.onnx: sha256 [0-9a-f]{12}…, manifest says/, { stdout: 'any' });
    const report = JSON.parse(bad.stdout) as { verified: boolean; variants: Array<{ id: string; check: { ok: boolean; problem?: string } }> };
    assert.equal(report.verified, false);
    assert.deepEqual(report.variants.filter((v) => !v.check.ok).map((v) => v.id), ['wasm-fp32-b2']);
    assert.match(mlserve('inspect', copy).stdout, /wasm-fp32-b2 .*FAILED: sha256/);
  });

  test('errors: one stderr line and the code\'s exit status', () => {
    assertCliError(mlserve('compile', MLP), 'MLS_ERR_USAGE', /compile needs -o BUNDLE_DIR/);
    assertCliError(mlserve('compile', MLP, '-o', path.join(tmp, 'e'), '--precision', 'fp16'), 'MLS_ERR_PRECISION_UNSUPPORTED', /--precision fp16: not yet supported/);
    assertCliError(mlserve('compile', MLP, '-o', path.join(tmp, 'e'), '--provider', 'coreml'), 'MLS_ERR_PROVIDER_UNAVAILABLE', /execution provider 'coreml' is not usable here: .*(macOS|usable)/);
    assertCliError(mlserve('compile', MLP, '-o', path.join(tmp, 'e'), '--batch', '0'), 'MLS_ERR_INVALID_ARGUMENT', /--batch '0': '0' is not a positive integer/);
    assertCliError(mlserve('compile', MLP, '-o', path.join(tmp, 'e'), '--ort-level', 'max'), 'MLS_ERR_USAGE', /--ort-level/);
    assertCliError(mlserve('compile', MLP, '-o', path.join(tmp, 'e'), '--batch-dim', 'rows'), 'MLS_ERR_INVALID_ARGUMENT', /--batch-dim 'rows': no input has a dim named 'rows'/);
    assert.equal(fs.existsSync(path.join(tmp, 'e')), false);
  });
});
