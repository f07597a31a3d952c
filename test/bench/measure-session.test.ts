/**
 * The timed loop: warm-up runs are not recorded, --iterations gives exactly that many samples, a
 * duration stops the loop, and every sample is one run. Counted with a recording session and checked
 * on a real onnxruntime session; no assertion depends on how fast anything ran.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { latencyStats, percentile } from '../../src/bench/latency-stats.js';
import { measureSession } from '../../src/bench/measure-session.js';
import { tileBatch } from '../../src/bench/tile-batch.js';
import { createProviderSession, type RawSession } from '../../src/runtime/providers.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function recording(): RawSession & { runs: unknown[] } {
  const runs: unknown[] = [];
  return {
    runs, inputNames: ['x'], outputNames: ['y'],
    run: async (feeds) => { runs.push(feeds); return {}; },
    release: async () => {},
  };
}

describe('measureSession', () => {
  test('warm-up is run but not recorded; --iterations gives exactly that many samples, each one run with the same feeds', async () => {
    const session = recording();
    const feeds = { x: 1 };
    const samples = await measureSession(session, feeds, { warmup: 3, iterations: 7 });
    assert.equal(samples.length, 7);
    assert.equal(session.runs.length, 10);
    assert.ok(session.runs.every((f) => f === feeds));
    assert.ok(samples.every((s) => s >= 0 && Number.isFinite(s)));
  });

  test('a duration stops the loop; at least one sample is always taken', async () => {
    const session = recording();
    const samples = await measureSession(session, {}, { warmup: 0, durationMs: 0.001 });
    assert.ok(samples.length >= 1);
    assert.equal(session.runs.length, samples.length);
    const both = await measureSession(recording(), {}, { warmup: 0, iterations: 5, durationMs: 60_000 });
    assert.equal(both.length, 5, 'iterations end it first');
  });

  test('on a real session (cpu and wasm): one sample per run', async () => {
    for (const provider of ['cpu', 'wasm'] as const) {
      const session = await createProviderSession(provider, path.join(root, 'fixtures/models/mlp.onnx'));
      try {
        const feeds = session.adoptFeeds(randomFeeds([{ name: 'input', dtype: 1, shape: [2, 64] }]));
        const samples = await measureSession(session.raw, feeds, { warmup: 1, iterations: 4 });
        assert.equal(samples.length, 4, provider);
      } finally {
        await session.release();
      }
    }
  });
});

describe('latency statistics', () => {
  test('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([50, 90, 95, 99, 100].map((p) => percentile(sorted, p)), [50, 90, 95, 99, 100]);
    assert.equal(percentile([7], 99), 7);
    const s = latencyStats([4, 1, 3, 2]);
    assert.deepEqual([s.count, s.mean, s.min, s.p50, s.max], [4, 2.5, 1, 2, 4]);
  });
});

describe('tileBatch', () => {
  test('a batch-1 tensor is repeated along its batch axis; a tensor of the right size is kept', () => {
    const t = { dtype: 'float32' as const, dims: [2, 1, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const tiled = tileBatch(t, 1, 2);
    assert.deepEqual(tiled.dims, [2, 2, 3]);
    assert.deepEqual([...(tiled.data as Float32Array)], [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    assert.equal(tileBatch(t, 0, 2), t);
    assert.throws(() => tileBatch({ dtype: 'int64', dims: [3], data: new BigInt64Array(3) }, 0, 2), /has 3 rows on its batch axis 0; expected 1/);
    const strings = tileBatch({ dtype: 'string', dims: [1, 2], data: ['a', 'b'] }, 0, 3);
    assert.deepEqual(strings.data, ['a', 'b', 'a', 'b', 'a', 'b']);
  });
});
