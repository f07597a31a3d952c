/**
 * The serving core on every corpus model: Serving loads it on a worker thread, warms it up, and answers two
 * requests sent together. Where the model has a batch axis the two go as one batch of 2 (so stacking,
 * running at batch 2 and splitting are exercised on real graphs); without one each runs alone. Every
 * answer must match a plain onnxruntime run of that request alone: same outputs, dtypes and shapes, and
 * values within atol 1e-4 + rtol 1e-3 (a batch of 2 may sum in another order than a batch of 1; a row
 * taken from the wrong request would be far outside that).
 *
 * Silero VAD v5 runs only with a real sample rate: the warm-up is given it (`warmupValues`, the CLI's
 * --input-value), as the corpus entry's `fill`. The ViT segmenter declares its batch dim dynamic but its
 * graph reshapes to batch 1 (its output is declared [1, 9, …]): warm-up at batch 2 must fail and say to
 * serve it with a max batch of 1, and so served it must answer right.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MlserveError } from '../../src/errors.js';
import { loadModel } from '../../src/ir/model-file.js';
import { compareOutputs } from '../../src/optimize/compare-outputs.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { fromOrtTensor } from '../../src/runtime/plain-tensor.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { Serving } from '../../src/serve/serving.js';
import type { Tensor } from '../../src/serve/tensor.js';
import { directRun } from '../serve/serve-models.js';
import { corpus, type CorpusModel } from '../support/corpus.js';

const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** Models whose graph fixes the batch size that their inputs declare dynamic. */
const BATCH_PINNED_TO_1 = new Set(['vit_medsegm/model']);

/** One request's inputs: the corpus entry's shapes and fixed values, random data from `seed`. */
function requestFor(entry: CorpusModel, seed: number): Record<string, Tensor> {
  const specs = modelInputSpecs(loadModel(entry.file));
  const feeds = randomFeeds(specs, { shapes: new Map(Object.entries(entry.shapes ?? {})), fill: entry.fill, seed, defaultDim: 1 });
  return Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, fromOrtTensor(t)]));
}

describe('serving every corpus model', () => {
  for (const entry of corpus().filter((e) => !e.notRunnable)) {
    test(entry.name, async (t) => {
      const requests = [requestFor(entry, 11), requestFor(entry, 12)];
      const expected = await Promise.all(requests.map((r) => directRun(entry.file, r)));
      const options = { model: entry.file, workers: 1, threadsPerWorker: 1, maxBatch: 2, maxDelayMs: 50, warmupShapes: entry.shapes, warmupValues: entry.fill };
      if (BATCH_PINNED_TO_1.has(entry.name)) {
        await assert.rejects(Serving.start(options), (e: MlserveError) => {
          assert.equal(e.code, 'MLS_ERR_SERVE_WARMUP_FAILED');
          assert.match(e.message, /\[2,1,48,160,160\] failed: .*\(it ran at batch 1, so its graph probably fixes .* serve it with a max batch of 1\)$/s);
          return true;
        });
        options.maxBatch = 1;
      }
      const serving = await Serving.start(options);
      try {
        // The reference runs copied the inputs; the served ones are the same arrays, sent together.
        const served = await Promise.all(requests.map((r) => serving.infer(r)));
        served.forEach((outputs, i) => {
          for (const c of compareOutputs(expected[i]!, outputs, TOLERANCE)) {
            assert.equal(c.problem, undefined, `request ${i}, ${c.name}: ${c.problem}`);
            assert.equal(c.mismatches, 0, `request ${i}, ${c.name}: max abs error ${c.maxAbsError}`);
          }
          assert.deepEqual(Object.keys(outputs).sort(), Object.keys(expected[i]!).sort());
        });
        const { batching } = serving.metadata;
        const stats = serving.stats();
        if (batching.kind === 'dynamic' && options.maxBatch > 1) assert.deepEqual([stats.batches, stats.rows], [1, 2], 'two one-row requests, one batch');
        else assert.equal(stats.requests.success, 2);
        t.diagnostic(`batching ${batching.kind}: ${stats.batches} batch(es), ${stats.rows} rows`);
      } finally {
        await serving.stop();
      }
    });
  }
});
