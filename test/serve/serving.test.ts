/**
 * Serving end to end on real models: concurrent requests of different row counts merged into batches and
 * split back (each checked against a direct onnxruntime run of its own input), fixed-batch variants padded
 * to the smallest compiled size, fail-fast input checks, the event loop staying free while workers compute,
 * and stop() answering everything it accepted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { Serving } from '../../src/index.js';
import type { Tensor } from '../../src/serve/tensor.js';
import { directRun, fixedBatchMlp, floats, maxAbsDiff, MLP, OCR_CLS, scaleModel, tempDir } from './serve-models.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const mlpInput = (rows: number, seed: number): Tensor => ({ dtype: 'float32', dims: [rows, 64], data: floats(rows * 64, seed) });

function code(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'ok', (e: unknown) => (e instanceof MlserveError ? e.code : `not an MlserveError: ${String(e)}`));
}

describe('Serving', () => {
  test('20 concurrent requests of 1–5 rows on the MLP are batched together and each gets exactly its own rows', async () => {
    const s = await Serving.start({ model: MLP, maxBatch: 8, maxDelayMs: 2, workers: 2, threadsPerWorker: 1 });
    try {
      assert.equal(s.state, 'READY');
      const inputs = Array.from({ length: 20 }, (_, i) => mlpInput(1 + (i * 7) % 5, 100 + i));
      const expected = await Promise.all(inputs.map((input) => directRun(MLP, { input })));
      const served = await Promise.all(inputs.map((input) => s.infer({ input })));
      served.forEach((out, i) => {
        assert.deepEqual(Object.keys(out), ['logits']);
        assert.deepEqual(out.logits!.dims, [inputs[i]!.dims[0], 10]);
        assert.ok(maxAbsDiff(out.logits!, expected[i]!.logits!) < 1e-6, `request ${i} got other rows`);
      });
      const stats = s.stats();
      assert.equal(stats.requests.success, 20);
      assert.equal(stats.rows, inputs.reduce((n, t) => n + t.dims[0]!, 0));
      assert.ok(stats.batches < 20, `requests were merged (${stats.batches} batches for 20 requests)`);
      assert.equal(stats.paddingRows, 0, 'a dynamic-batch model runs at the exact size');
      assert.equal(stats.queueDepth, 0);
      assert.equal(stats.workers.live, 2);
      // The caller's arrays are read, never detached.
      assert.equal((inputs[0]!.data as Float32Array).length, inputs[0]!.dims[0]! * 64);
    } finally {
      await s.stop();
    }
  });

  test('metadata lists inputs and outputs with -1 for dynamic dims, and how the model batches', async () => {
    const s = Serving.load({ model: MLP, workers: 1 });
    assert.equal(s.state, 'LOADING');
    assert.throws(() => s.metadata, (e: MlserveError) => e.code === 'MLS_ERR_SERVE_NOT_READY');
    assert.equal(await code(s.infer({ input: mlpInput(1, 1) })), 'MLS_ERR_SERVE_NOT_READY');
    await s.ready;
    assert.deepEqual(s.metadata, {
      name: 'mlp', platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [-1, 10] }],
      batching: { kind: 'dynamic' }, maxBatch: 8, maxDelayMs: 2, dispatchWhenIdle: false, workers: 1, threadsPerWorker: s.metadata.threadsPerWorker,
    });
    await s.stop();
  });

  test('stop() while loading ends the load: `ready` rejects with MLS_ERR_SERVE_NOT_READY and the workers end', async () => {
    const s = Serving.load({ model: MLP, workers: 1 });
    const ready = code(s.ready);
    await s.stop();
    assert.equal(await ready, 'MLS_ERR_SERVE_NOT_READY');
    assert.equal(s.state, 'STOPPED');
    assert.equal(s.stats().workers.live, 0);
  });

  test('bad requests fail fast with MLS_ERR_SERVE_BAD_INPUT (HTTP 400) naming the input and the problem', async () => {
    const s = await Serving.start({ model: MLP, workers: 1 });
    try {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ image: mlpInput(1, 1) }, /input 'image': the model has no such input \(its inputs: input\)/],
        [{}, /input 'input': missing/],
        [{ input: { dtype: 'int64', dims: [1, 64], data: new BigInt64Array(64) } }, /element type is int64, the model needs float32/],
        [{ input: { dtype: 'float32', dims: [64], data: new Float32Array(64) } }, /has 1 dims \[64\], the model needs 2 \[-1,64\]/],
        [{ input: { dtype: 'float32', dims: [2, 63], data: new Float32Array(126) } }, /dim 1 is 63, the model needs 64/],
        [{ input: { dtype: 'float32', dims: [0, 64], data: new Float32Array(0) } }, /has no rows/],
        [{ input: { dtype: 'float32', dims: [2, 64], data: new Float32Array(64) } }, /data holds 64 elements but dims \[2,64\] need 128/],
        [{ input: { dtype: 'float32', dims: [1, 64], data: new Float64Array(64) } }, /float32 data must be a Float32Array or an array, got Float64Array/],
      ];
      for (const [inputs, message] of cases) {
        await assert.rejects(s.infer(inputs as never), (e: unknown) => {
          assert.ok(e instanceof MlserveError, String(e));
          assert.equal(e.code, 'MLS_ERR_SERVE_BAD_INPUT');
          assert.equal(e.httpStatus, 400);
          assert.match(e.message, message);
          return true;
        });
      }
      assert.equal(s.stats().requests.bad_input, cases.length);
      assert.equal(s.stats().batches, 0, 'nothing reached a worker');
      // Plain arrays and onnxruntime-style `type` are accepted.
      const out = await s.infer({ input: { type: 'float32', dims: [1, 64], data: Array.from(floats(64, 5)) } });
      assert.deepEqual(out.logits!.dims, [1, 10]);
    } finally {
      await s.stop();
    }
  });

  test('fixed-batch variants 1,2,4,8: 3 = 1 + 2 runs padded to 4, and a 9-row request is refused', async () => {
    const variants = [1, 2, 4, 8].map((batchSize) => ({ batchSize, file: fixedBatchMlp(dir, batchSize) }));
    const s = await Serving.start({ model: { kind: 'variants', variants }, name: 'mlp-bundle', maxDelayMs: 50, workers: 1 });
    try {
      assert.deepEqual(s.metadata.batching, { kind: 'fixed', sizes: [1, 2, 4, 8] });
      assert.equal(s.metadata.maxBatch, 8);
      assert.deepEqual(s.metadata.inputs[0]!.shape, [-1, 64]);
      const a = mlpInput(1, 11);
      const b = mlpInput(2, 12);
      // Both are queued in the same tick, so they form one batch of 3 rows.
      const [ra, rb] = await Promise.all([s.infer({ input: a }), s.infer({ input: b })]);
      const stats = s.stats();
      assert.equal(stats.batches, 1);
      assert.equal(stats.rows, 3);
      assert.equal(stats.paddingRows, 1, 'padded to 4, the smallest compiled size ≥ 3 — not to 8');
      assert.ok(maxAbsDiff(ra.logits!, (await directRun(MLP, { input: a })).logits!) < 1e-6);
      assert.ok(maxAbsDiff(rb.logits!, (await directRun(MLP, { input: b })).logits!) < 1e-6);
      await assert.rejects(s.infer({ input: mlpInput(9, 13) }), /has 9 rows; this model runs batches of at most 8 \(compiled sizes 1, 2, 4, 8\)/);
    } finally {
      await s.stop();
    }
  });

  test('a variant whose file is not compiled for its listed batch size fails to load with the reason', async () => {
    const file = fixedBatchMlp(dir, 4);
    await assert.rejects(Serving.start({ model: { kind: 'variants', variants: [{ batchSize: 2, file }] }, workers: 1 }), (e: unknown) => {
      assert.ok(e instanceof MlserveError);
      assert.equal(e.code, 'MLS_ERR_SERVE_LOAD_FAILED');
      assert.match(e.message, /listed as the batch-2 variant, but its inputs' axis 0 is 4/);
      return true;
    });
  });

  test('a model without a batch axis serves each request alone, as given', async () => {
    const s = await Serving.start({ model: scaleModel(dir), workers: 1 });
    try {
      assert.deepEqual(s.metadata.batching, { kind: 'none' });
      assert.equal(s.metadata.maxBatch, 1);
      const [r1, r2] = await Promise.all([
        s.infer({ x: { dtype: 'float32', dims: [3], data: Float32Array.from([1, 2, 3]) }, s: { dtype: 'float32', dims: [], data: Float32Array.from([2]) } }),
        s.infer({ x: { dtype: 'float32', dims: [3], data: Float32Array.from([1, 2, 3]) }, s: { dtype: 'float32', dims: [], data: Float32Array.from([-1]) } }),
      ]);
      assert.deepEqual([...r1.y!.data as Float32Array], [2, 4, 6]);
      assert.deepEqual([...r2.y!.data as Float32Array], [-1, -2, -3]);
      assert.equal(s.stats().batches, 2);
    } finally {
      await s.stop();
    }
  });

  test('the event loop keeps running while a worker computes a batch', async () => {
    // PP-OCR direction classifier, 8 crops of 48×192: tens of milliseconds of onnxruntime work per batch.
    const s = await Serving.start({ model: OCR_CLS, workers: 1, maxBatch: 8, warmupShapes: { x: [1, 3, 48, 192] } });
    try {
      const x: Tensor = { dtype: 'float32', dims: [8, 3, 48, 192], data: floats(8 * 3 * 48 * 192, 7) };
      const expected = await directRun(OCR_CLS, { x });
      let ticksWhileComputing = 0;
      let done = false;
      const tick = () => {
        if (s.stats().inFlightBatches > 0) ticksWhileComputing++;
        if (!done) setImmediate(tick);
      };
      setImmediate(tick);
      const out = await s.infer({ x });
      done = true;
      assert.ok(ticksWhileComputing > 0, 'the event loop turned while the batch was being computed');
      assert.ok(maxAbsDiff(out['softmax_0.tmp_0']!, expected['softmax_0.tmp_0']!) < 1e-5);
    } finally {
      await s.stop();
    }
  });

  test('stop() answers every request it accepted, then refuses new ones with MLS_ERR_SERVE_NOT_READY', async () => {
    const s = await Serving.start({ model: MLP, workers: 2, maxDelayMs: 1000 });
    const inputs = Array.from({ length: 30 }, (_, i) => mlpInput(1 + (i % 3), 200 + i));
    const pending = inputs.map((input) => s.infer({ input }));
    const stopped = s.stop();
    assert.equal(s.state, 'DRAINING');
    assert.equal(await code(s.infer({ input: mlpInput(1, 1) })), 'MLS_ERR_SERVE_NOT_READY');
    const results = await Promise.all(pending);
    await stopped;
    assert.equal(s.state, 'STOPPED');
    results.forEach((r, i) => assert.deepEqual(r.logits!.dims, [inputs[i]!.dims[0], 10]));
    assert.equal(s.stats().requests.success, 30);
    assert.equal(s.stats().workers.live, 0);
    await s.stop();
  });

  test('over the queue limit a request is refused with MLS_ERR_SERVE_QUEUE_FULL (HTTP 503)', async () => {
    const s = await Serving.start({ model: MLP, workers: 1, maxDelayMs: 1000, queueLimit: 2 });
    const held = [s.infer({ input: mlpInput(1, 1) }), s.infer({ input: mlpInput(1, 2) })];
    assert.equal(await code(s.infer({ input: mlpInput(1, 3) })), 'MLS_ERR_SERVE_QUEUE_FULL');
    assert.equal(s.stats().queueDepth, 2);
    await s.stop();
    assert.equal((await Promise.all(held)).length, 2);
  });

  test('a request whose deadline passes while it waits is dropped with MLS_ERR_SERVE_TIMEOUT (HTTP 504), never computed', async () => {
    // The batch would wait 1000 ms for more rows; the 20 ms deadline comes first.
    const s = await Serving.start({ model: MLP, workers: 1, maxDelayMs: 1000, timeoutMs: 20 });
    try {
      await assert.rejects(s.infer({ input: mlpInput(1, 1) }), (e: unknown) => {
        assert.ok(e instanceof MlserveError);
        assert.equal(e.code, 'MLS_ERR_SERVE_TIMEOUT');
        assert.equal(e.httpStatus, 504);
        return true;
      });
      assert.equal(s.stats().batches, 0);
      assert.equal(s.stats().requests.timeout, 1);
      assert.equal(s.stats().queueDepth, 0);
    } finally {
      await s.stop();
    }
  });

  test('options are checked before anything loads', () => {
    assert.throws(() => Serving.load({ model: MLP, maxBatch: 0 }), /maxBatch '0': must be a positive integer/);
    assert.throws(() => Serving.load({ model: MLP, maxDelayMs: -1 }), /maxDelayMs/);
    assert.throws(() => Serving.load({ model: `${dir}/missing.onnx` }), (e: MlserveError) => e.code === 'MLS_ERR_FILE_NOT_FOUND');
  });
});
