/**
 * The worker pool against real models: batches computed on worker threads match a direct onnxruntime run,
 * a worker that dies fails only its own batch and is replaced, and load and warm-up failures are reported
 * with their codes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { WorkerPool, type WorkerPoolOptions } from '../../src/serve/worker-pool.js';
import type { Tensor } from '../../src/serve/tensor.js';
import { directRun, evenWidthModel, float16StepModel, floats, maxAbsDiff, MLP, tempDir } from './serve-models.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function options(over: Partial<WorkerPoolOptions> = {}): WorkerPoolOptions {
  return {
    model: 'mlp', variants: [{ batchSize: null, file: MLP }], workers: 2, threadsPerWorker: 1,
    warmup: { batchSizes: [1, 4], shapes: {} }, ...over,
  };
}

const mlpInput = (rows: number, seed: number): Tensor => ({ dtype: 'float32', dims: [rows, 64], data: floats(rows * 64, seed) });
const copy = (t: Tensor): Tensor => ({ ...t, data: t.data.slice() as Tensor['data'] });

describe('WorkerPool', () => {
  test('computes a batch on a worker thread exactly as a direct run does, and reports the sessions\' signatures', async () => {
    const pool = await WorkerPool.start(options());
    try {
      assert.equal(pool.idleCount, 2);
      assert.deepEqual(pool.signatures, [{
        inputs: [{ name: 'input', dtype: 'float32', shape: [null, 64] }],
        outputs: [{ name: 'logits', dtype: 'float32', shape: [null, 10] }],
      }]);
      const input = mlpInput(5, 1);
      const expected = await directRun(MLP, { input });
      const sent = copy(input);
      const result = await pool.run({ input: sent }, 5);
      assert.equal((sent.data as Float32Array).length, 0, 'the input buffer was transferred, not copied');
      assert.deepEqual(result.outputs.logits!.dims, [5, 10]);
      assert.ok(maxAbsDiff(result.outputs.logits!, expected.logits!) < 1e-6);
      assert.ok(result.computeMs >= 0);
      assert.equal(pool.idleCount, 2);
    } finally {
      await pool.close();
    }
  });

  test('a batch\'s input buffer comes back for reuse, and a batch stacked into it computes right', async () => {
    const pool = await WorkerPool.start(options({ workers: 1 }));
    try {
      const first = pool.allocate('float32', 3 * 64) as Float32Array;
      first.set(floats(3 * 64, 4));
      const bytes = first.byteLength;
      await pool.run({ input: { dtype: 'float32', dims: [3, 64], data: first } }, 3);
      const reused = pool.allocate('float32', 3 * 64) as Float32Array;
      assert.equal(first.length, 0, 'transferred to the worker');
      assert.equal(reused.byteLength, bytes);
      assert.deepEqual([...reused], [...floats(3 * 64, 4)], 'the same memory, back with the old batch in it');
      const input = mlpInput(3, 5);
      reused.set(input.data as Float32Array);
      const result = await pool.run({ input: { dtype: 'float32', dims: [3, 64], data: reused } }, 3);
      assert.ok(maxAbsDiff(result.outputs.logits!, (await directRun(MLP, { input })).logits!) < 1e-6);
    } finally {
      await pool.close();
    }
  });

  test('a worker that dies fails only its in-flight batch, with a clear error, and is replaced', async () => {
    const pool = await WorkerPool.start(options());
    try {
      const refilled = new Promise<void>((resolve) => {
        pool.onCapacity = () => { if (pool.idleCount === 2) resolve(); };
      });
      const doomed = pool.run({ input: mlpInput(2, 2) }, 2, { exitForTest: true });
      const healthy = pool.run({ input: mlpInput(3, 3) }, 3);
      await assert.rejects(doomed, (e: unknown) => {
        assert.ok(e instanceof MlserveError);
        assert.equal(e.code, 'MLS_ERR_SERVE_WORKER_CRASHED');
        assert.equal(e.httpStatus, 500);
        assert.match(e.message, /inference worker 0 died while computing this batch \(exited with code 70\); it is being restarted/);
        return true;
      });
      const ok = await healthy;
      assert.deepEqual(ok.outputs.logits!.dims, [3, 10], 'the other worker\'s batch is unaffected');
      // The replacement loads and warms up like the first, then reports capacity.
      await refilled;
      assert.equal(pool.restarts, 1);
      assert.equal(pool.liveCount, 2);
      const input = mlpInput(4, 4);
      const expected = await directRun(MLP, { input });
      const [a, b] = await Promise.all([pool.run({ input: copy(input) }, 4), pool.run({ input: copy(input) }, 4)]);
      assert.ok(maxAbsDiff(a.outputs.logits!, expected.logits!) < 1e-6);
      assert.ok(maxAbsDiff(b.outputs.logits!, expected.logits!) < 1e-6);
    } finally {
      await pool.close();
    }
  });

  test('a file onnxruntime cannot load fails start with MLS_ERR_SERVE_LOAD_FAILED (and its workers end: the test process exits)', async () => {
    const bad = path.join(dir, 'not-a-model.onnx');
    fs.writeFileSync(bad, 'this is not protobuf');
    await assert.rejects(WorkerPool.start(options({ variants: [{ batchSize: null, file: bad }] })), (e: unknown) => {
      assert.ok(e instanceof MlserveError);
      assert.equal(e.code, 'MLS_ERR_SERVE_LOAD_FAILED');
      assert.match(e.message, /not-a-model\.onnx/);
      return true;
    });
  });

  test('warm-up runs on zeros at guessed dims; a model that rejects them fails with MLS_ERR_SERVE_WARMUP_FAILED until given shapes', async () => {
    const file = evenWidthModel(dir);
    await assert.rejects(WorkerPool.start(options({ model: 'even', variants: [{ batchSize: null, file }], workers: 1 })), (e: unknown) => {
      assert.ok(e instanceof MlserveError);
      assert.equal(e.code, 'MLS_ERR_SERVE_WARMUP_FAILED');
      assert.match(e.message, /on zeros shaped x\[1,1\]/);
      return true;
    });
    const pool = await WorkerPool.start(options({ model: 'even', variants: [{ batchSize: null, file }], workers: 1, warmup: { batchSizes: [1, 2], shapes: { x: [1, 4] } } }));
    const r = await pool.run({ x: { dtype: 'float32', dims: [1, 6], data: Float32Array.from([1, 2, 3, 4, 5, 6]) } }, 1);
    assert.deepEqual(r.outputs.y!.dims, [1, 2, 3]);
    await pool.close();
  });

  test('warm-up values fill their input in its own storage: 2 as float16 bits, not the integer 2', async () => {
    const file = float16StepModel(dir);
    const model = { model: 'f16', variants: [{ batchSize: null, file }], workers: 1 };
    // A pool that starts after all is closed, so a failing assertion cannot leave its worker running.
    const zeros = WorkerPool.start(options(model)).then(async (p) => { await p.close(); return p; });
    await assert.rejects(zeros, (e: MlserveError) => e.code === 'MLS_ERR_SERVE_WARMUP_FAILED' && /on zeros shaped/.test(e.message));
    const pool = await WorkerPool.start(options({ ...model, warmup: { batchSizes: [1], shapes: {}, values: { h: 2 } } }));
    await pool.close();
  });

  test('close ends every worker thread', async () => {
    const pool = await WorkerPool.start(options());
    await pool.close();
    assert.equal(pool.liveCount, 0);
    assert.equal(pool.idleCount, 0);
  });
});
