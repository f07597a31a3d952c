/**
 * Serving a compiled bundle: before any selection its cpu variants (one per batch size); after
 * `bench --select`, exactly the batch sizes the selection kept, each through its chosen file; a served
 * variant that no longer matches its hash is refused. End to end, a 3-row request to a bundle serving
 * batch sizes 1 and 4 is padded to 4 and answered with the source model's numbers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readManifest, writeManifest } from '../../src/compile/bundle-manifest.js';
import { compile } from '../../src/compile/compile.js';
import { MlserveError } from '../../src/errors.js';
import { Serving } from '../../src/index.js';
import { resolveModelSource } from '../../src/serve/model-source.js';
import type { Tensor } from '../../src/serve/tensor.js';
import { directRun, floats, maxAbsDiff, MLP, tempDir } from './serve-models.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let bundle: string;

before(async () => {
  bundle = path.join(dir, 'mlp.bundle');
  await compile(MLP, { output: bundle, providers: ['cpu', 'wasm'], batchSizes: [1, 2, 4] });
});

/** The selection `bench --select` would write when batch 2 is no faster per sample than batch 1. */
function select(dirPath: string): void {
  const m = readManifest(dirPath);
  const entry = (batchSize: number, provider: string, throughput: number) => {
    const v = m.variants.find((x) => x.batchSize === batchSize && x.provider === provider)!;
    return { batchSize, variant: v.id, file: v.file, provider, precision: 'fp32', throughput, p99Ms: 1 };
  };
  writeManifest(dirPath, {
    ...m,
    selection: {
      selectedAt: new Date().toISOString(), maxLatencyMs: null,
      byBatchSize: [entry(1, 'cpu', 1000), entry(2, 'wasm', 900), entry(4, 'cpu', 3000)],
      servedBatchSizes: [1, 4],
      notServed: [{ batchSize: 2, reason: 'crafted' }],
      bench: { threads: 1, warmup: 1, iterations: 10, durationMs: null, host: 'test' },
    },
  });
}

describe('model source: compiled bundles', () => {
  test('without a selection: one cpu variant per batch size', () => {
    assert.deepEqual(resolveModelSource(bundle).map((v) => [v.batchSize, path.relative(bundle, v.file)]),
      [[1, 'variants/cpu-fp32-b1.onnx'], [2, 'variants/cpu-fp32-b2.onnx'], [4, 'variants/cpu-fp32-b4.onnx']]);
  });

  test('with a selection: exactly the served batch sizes, through the chosen files', () => {
    const selected = path.join(dir, 'selected');
    fs.cpSync(bundle, selected, { recursive: true });
    select(selected);
    assert.deepEqual(resolveModelSource(selected).map((v) => [v.batchSize, path.relative(selected, v.file)]),
      [[1, 'variants/cpu-fp32-b1.onnx'], [4, 'variants/cpu-fp32-b4.onnx']]);
  });

  test('a served variant that does not match its hash is refused; an unserved one is not even read', () => {
    const tampered = path.join(dir, 'tampered');
    fs.cpSync(bundle, tampered, { recursive: true });
    select(tampered);
    fs.appendFileSync(path.join(tampered, 'variants/wasm-fp32-b2.onnx'), 'x');
    assert.equal(resolveModelSource(tampered).length, 2);
    fs.appendFileSync(path.join(tampered, 'variants/cpu-fp32-b4.onnx'), 'x');
    assert.throws(() => resolveModelSource(tampered), (e: MlserveError) =>
      e.code === 'MLS_ERR_BUNDLE_VERIFY_FAILED' && /variants\/cpu-fp32-b4\.onnx: size/.test(e.message));
  });

  test('Serving a selected bundle: 3 rows are padded to the batch-4 variant and get the source model\'s results', async () => {
    const selected = path.join(dir, 'served');
    fs.cpSync(bundle, selected, { recursive: true });
    select(selected);
    const s = await Serving.start({ model: selected, maxBatch: 4, maxDelayMs: 1, workers: 1, threadsPerWorker: 1 });
    try {
      const input: Tensor = { dtype: 'float32', dims: [3, 64], data: floats(3 * 64, 7) };
      const [out, expected] = await Promise.all([s.infer({ input }), directRun(MLP, { input })]);
      assert.deepEqual(out.logits!.dims, [3, 10]);
      assert.ok(maxAbsDiff(out.logits!, expected.logits!) < 1e-4);
      assert.equal(s.stats().paddingRows, 1);
    } finally {
      await s.stop();
    }
  });
});
