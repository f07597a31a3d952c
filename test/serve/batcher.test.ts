/**
 * The batcher loop against a recording fake runner and a manual clock: which requests went together, at
 * what padded size, and that each caller got back exactly its rows. Time only moves when a test moves it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { Batcher, type BatchRunner, type Clock, type RunResult, type Tensors } from '../../src/serve/batcher.js';
import type { BatchConfig } from '../../src/serve/batch-policy.js';
import { ServingStats } from '../../src/serve/serving-stats.js';
import type { Tensor } from '../../src/serve/tensor.js';

class ManualClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now(): number { return this.t; }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void { this.timers.delete(handle as number); }
  get pending(): number { return this.timers.size; }
  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = end;
  }
}

interface Recorded {
  batchSize: number;
  /** The first value of each row of input x, so a test can read which requests' rows went where. */
  rowTags: number[];
  finish(): void;
  fail(e: Error): void;
}

/**
 * Records every batch; the test decides when each finishes. Its "model": y = 2x, same shape, and
 * `tag` = the first element of each row, [batch, 1].
 */
class RecordingRunner implements BatchRunner {
  readonly runs: Recorded[] = [];
  busy = 0;
  /** `computeMs`: the compute time every batch reports (the batcher's spreading reads it). */
  constructor(private readonly workers: number, private readonly computeMs = 1) {}
  get idleCount(): number { return this.workers - this.busy; }
  run(inputs: Tensors, batchSize: number): Promise<RunResult> {
    const x = inputs.x!;
    assert.equal(x.dims[0], batchSize, 'inputs arrive stacked at the padded batch size');
    const data = x.data as Float32Array;
    const width = data.length / batchSize;
    this.busy++;
    return new Promise<RunResult>((resolve, reject) => {
      const done = () => { this.busy--; };
      this.runs.push({
        batchSize,
        rowTags: Array.from({ length: batchSize }, (_, r) => data[r * width]!),
        finish: () => {
          done();
          const y: Tensor = { dtype: 'float32', dims: [...x.dims], data: data.map((v) => v * 2) };
          const tag: Tensor = { dtype: 'float32', dims: [batchSize, 1], data: Float32Array.from({ length: batchSize }, (_, r) => data[r * width]!) };
          resolve({ outputs: { y, tag }, computeMs: this.computeMs });
        },
        fail: (e) => { done(); reject(e); },
      });
    });
  }
}

/** A request of `rows` rows and `width` columns whose rows are tagged id*100 + row. */
function request(id: number, rows: number, width = 2): { inputs: Tensors; rows: number; key: string } {
  const data = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) data.fill(id * 100 + r, r * width, (r + 1) * width);
  return { inputs: { x: { dtype: 'float32', dims: [rows, width], data } }, rows, key: String(width) };
}

/** Lets promise callbacks (completions, re-pumps) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(config: BatchConfig, workers = 1, queueLimit = 100, computeMs = 1) {
  const clock = new ManualClock();
  const runner = new RecordingRunner(workers, computeMs);
  const stats = new ServingStats();
  const batcher = new Batcher({ model: 'fake', runner, config, queueLimit, clock, stats });
  return { clock, runner, stats, batcher };
}

const BUNDLE: BatchConfig = { maxBatch: 8, maxDelayMs: 2, batchSizes: [1, 2, 4, 8] };

describe('Batcher', () => {
  test('5 = 3 + 2 (padded to 8) when compiled sizes are 1,2,4,8 and maxBatch 8; each caller gets exactly its rows', async () => {
    const { clock, runner, batcher, stats } = setup(BUNDLE);
    const a = batcher.submit(request(1, 3));
    clock.advance(0.5);
    const b = batcher.submit(request(2, 2));
    clock.advance(1);
    assert.equal(runner.runs.length, 0, 'still forming at 1.5 ms');
    clock.advance(0.5);
    assert.equal(runner.runs.length, 1, 'goes when the oldest has waited 2 ms');
    assert.equal(runner.runs[0]!.batchSize, 8);
    assert.deepEqual(runner.runs[0]!.rowTags, [100, 101, 102, 200, 201, 0, 0, 0]);
    runner.runs[0]!.finish();
    const [ra, rb] = await Promise.all([a, b]);
    assert.deepEqual(ra.y!.dims, [3, 2]);
    assert.deepEqual([...ra.y!.data as Float32Array], [200, 200, 202, 202, 204, 204]);
    assert.deepEqual([...ra.tag!.data as Float32Array], [100, 101, 102]);
    assert.deepEqual(rb.y!.dims, [2, 2]);
    assert.deepEqual([...rb.y!.data as Float32Array], [400, 400, 402, 402]);
    const s = stats.snapshot({ queueDepth: 0, inFlightBatches: 0, workers: { live: 1, idle: 1, restarts: 0 } });
    assert.equal(s.requests.success, 2);
    assert.equal(s.batches, 1);
    assert.equal(s.rows, 5);
    assert.equal(s.paddingRows, 3);
    assert.deepEqual(s.queueTimeMs.count, 2);
    assert.equal(s.queueTimeMs.sum, 2 + 1.5);
  });

  test('a full batch goes at once and its stale wake-up does not start another', async () => {
    const { clock, runner, batcher } = setup({ maxBatch: 4, maxDelayMs: 2 }, 2);
    const p = [batcher.submit(request(1, 1))];
    assert.equal(clock.pending, 1, 'a timer for the forming batch');
    p.push(batcher.submit(request(2, 3)));
    assert.equal(runner.runs.length, 1, 'full: dispatched without waiting');
    assert.deepEqual(runner.runs[0]!.rowTags, [100, 200, 201, 202]);
    assert.equal(runner.runs[0]!.batchSize, 4, 'dynamic model: exact size, no padding');
    clock.advance(10);
    assert.equal(runner.runs.length, 1, 'no wake-up dispatches an empty or second batch');
    runner.runs[0]!.finish();
    await Promise.all(p);
  });

  test('while the only worker is busy, requests queue and the next batch grows (and goes once the worker frees)', async () => {
    const { clock, runner, batcher } = setup({ maxBatch: 8, maxDelayMs: 2 }, 1);
    const first = batcher.submit(request(1, 1));
    clock.advance(2);
    assert.equal(runner.runs.length, 1);
    const later = [2, 3, 4, 5].map((id) => batcher.submit(request(id, id === 3 ? 2 : 1)));
    clock.advance(50);
    assert.equal(runner.runs.length, 1, 'no batch starts without an idle worker, however long they wait');
    runner.runs[0]!.finish();
    await first;
    await settle();
    assert.equal(runner.runs.length, 2, 'the worker freed: the waiting requests go as one batch');
    assert.deepEqual(runner.runs[1]!.rowTags, [200, 300, 301, 400, 500]);
    runner.runs[1]!.finish();
    const results = await Promise.all(later);
    assert.deepEqual(results.map((r) => r.tag!.dims[0]), [1, 2, 1, 1]);
    assert.deepEqual([...results[1]!.tag!.data as Float32Array], [300, 301]);
  });

  test('requests with different non-batch dims go in different batches', async () => {
    const { clock, runner, batcher } = setup({ maxBatch: 8, maxDelayMs: 2 }, 2);
    const p = [batcher.submit(request(1, 1, 2)), batcher.submit(request(2, 1, 3)), batcher.submit(request(3, 2, 2))];
    clock.advance(2);
    assert.equal(runner.runs.length, 2);
    assert.deepEqual(runner.runs.map((r) => r.rowTags), [[100, 300, 301], [200]]);
    runner.runs.forEach((r) => r.finish());
    const [a, b, c] = await Promise.all(p);
    assert.deepEqual([a!.y!.dims, b!.y!.dims, c!.y!.dims], [[1, 2], [1, 3], [2, 2]]);
  });

  test('a request past its deadline is dropped, rejected with a timeout, and never computed', async () => {
    const { clock, runner, batcher, stats } = setup({ maxBatch: 8, maxDelayMs: 2 }, 1);
    const busy = batcher.submit(request(1, 1));
    clock.advance(2);
    const late = batcher.submit({ ...request(2, 1), timeoutMs: 5 });
    const patient = batcher.submit(request(3, 1));
    const lateResult = late.then(() => 'resolved', (e: MlserveError) => e.code);
    clock.advance(5);
    assert.equal(await lateResult, 'MLS_ERR_SERVE_TIMEOUT');
    assert.equal(batcher.queueDepth, 1);
    runner.runs[0]!.finish();
    await busy;
    await settle();
    assert.deepEqual(runner.runs[1]!.rowTags, [300], 'the expired request is not in the next batch');
    runner.runs[1]!.finish();
    await patient;
    assert.equal(stats.requests.timeout, 1);
    assert.equal(stats.requests.success, 2);
  });

  test('over the queue limit a request is rejected at once with MLS_ERR_SERVE_QUEUE_FULL', async () => {
    const { runner, batcher, stats } = setup({ maxBatch: 8, maxDelayMs: 2 }, 0, 2);
    const held = [batcher.submit(request(1, 1)), batcher.submit(request(2, 1))];
    await assert.rejects(batcher.submit(request(3, 1)), (e: MlserveError) => e.code === 'MLS_ERR_SERVE_QUEUE_FULL');
    assert.equal(stats.requests.queue_full, 1);
    assert.equal(batcher.queueDepth, 2);
    assert.equal(runner.runs.length, 0);
    batcher.rejectQueued(new Error('test over'));
    await Promise.allSettled(held);
  });

  test('a failed batch rejects exactly its own requests, with the runner\'s error', async () => {
    const { clock, runner, batcher } = setup({ maxBatch: 2, maxDelayMs: 2 }, 2);
    const p = [1, 2, 3].map((id) => batcher.submit(request(id, 1)).then(() => 'ok', (e: MlserveError) => e.code));
    clock.advance(2);
    assert.deepEqual(runner.runs.map((r) => r.rowTags), [[100, 200], [300]]);
    runner.runs[0]!.fail(new MlserveError('MLS_ERR_SERVE_WORKER_CRASHED', { model: 'fake', worker: 0, reason: 'test' }));
    runner.runs[1]!.finish();
    assert.deepEqual(await Promise.all(p), ['MLS_ERR_SERVE_WORKER_CRASHED', 'MLS_ERR_SERVE_WORKER_CRASHED', 'ok']);
  });

  test('drain sends forming batches without waiting for maxDelayMs and resolves once all are answered', async () => {
    const { runner, batcher } = setup({ maxBatch: 8, maxDelayMs: 1000 }, 1);
    const p = [batcher.submit(request(1, 1)), batcher.submit(request(2, 2, 3))];
    let drained = false;
    const d = batcher.drain().then(() => { drained = true; });
    assert.equal(runner.runs.length, 1, 'flushed at once, not after 1000 ms');
    runner.runs[0]!.finish();
    await settle();
    assert.equal(runner.runs.length, 2);
    assert.equal(drained, false, 'one request still in flight');
    runner.runs[1]!.finish();
    await d;
    assert.equal((await Promise.all(p)).length, 2);
  });

  describe('spreading a going batch over idle workers', () => {
    /** One lone request computed first, so the batcher knows how long a row takes. */
    async function measured(batcher: Batcher, clock: ManualClock, runner: RecordingRunner): Promise<void> {
      const lone = batcher.submit(request(9, 1));
      clock.advance(2);
      runner.runs.at(-1)!.finish();
      await lone;
      await settle();
    }

    test('8 rows with 2 idle workers and 8 ms per row go as 4 + 4, in queue order; each caller gets its rows', async () => {
      const { clock, runner, batcher } = setup({ maxBatch: 8, maxDelayMs: 2 }, 2, 100, 8);
      await measured(batcher, clock, runner);
      const p = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => batcher.submit(request(id, 1)));
      assert.equal(runner.runs.length, 3, 'full at 8 rows: two batches at once');
      assert.deepEqual(runner.runs.slice(1).map((r) => r.rowTags), [[100, 200, 300, 400], [500, 600, 700, 800]]);
      runner.runs[2]!.finish();
      runner.runs[1]!.finish();
      const results = await Promise.all(p);
      assert.deepEqual(results.map((r) => (r.tag!.data as Float32Array)[0]), [100, 200, 300, 400, 500, 600, 700, 800]);
    });

    test('no spreading before any batch was timed, nor for batches that compute in less than 1 ms', async () => {
      const fresh = setup({ maxBatch: 8, maxDelayMs: 2 }, 2, 100, 8);
      const first = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => fresh.batcher.submit(request(id, 1)));
      assert.deepEqual(fresh.runner.runs.map((r) => r.batchSize), [8], 'nothing timed yet: one batch');
      fresh.runner.runs[0]!.finish();
      await Promise.all(first);

      const tiny = setup({ maxBatch: 8, maxDelayMs: 2 }, 2, 100, 0.05);
      await measured(tiny.batcher, tiny.clock, tiny.runner);
      const p = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => tiny.batcher.submit(request(id, 1)));
      assert.deepEqual(tiny.runner.runs.slice(1).map((r) => r.batchSize), [8], '0.4 ms for the batch: not worth a second hand-off');
      tiny.runner.runs[1]!.finish();
      await Promise.all(p);
    });

    test('with compiled sizes 1 and 4, four rows stay one batch: cut in two they would run as two padded batches of 4', async () => {
      const { clock, runner, batcher } = setup({ maxBatch: 4, maxDelayMs: 2, batchSizes: [1, 4] }, 2, 100, 8);
      await measured(batcher, clock, runner);
      const p = [1, 2, 3, 4].map((id) => batcher.submit(request(id, 1)));
      assert.deepEqual(runner.runs.slice(1).map((r) => [r.batchSize, r.rowTags]), [[4, [100, 200, 300, 400]]]);
      runner.runs[1]!.finish();
      assert.equal((await Promise.all(p)).length, 4);
    });

    test('with compiled sizes 1,2,4,8, five rows after the delay go as 2 + 3 padded to 2 and 4', async () => {
      const { clock, runner, batcher } = setup(BUNDLE, 2, 100, 8);
      await measured(batcher, clock, runner);
      const p = [1, 2, 3, 4, 5].map((id) => batcher.submit(request(id, 1)));
      clock.advance(2);
      assert.deepEqual(runner.runs.slice(1).map((r) => [r.batchSize, r.rowTags]), [[2, [100, 200]], [4, [300, 400, 500, 0]]]);
      for (const r of runner.runs.slice(1)) r.finish();
      assert.equal((await Promise.all(p)).length, 5);
    });
  });

  test('dispatchWhenIdle: a request that finds nothing computing goes at once; while a batch computes, the delay applies', async () => {
    const { clock, runner, batcher } = setup({ maxBatch: 8, maxDelayMs: 2, dispatchWhenIdle: true }, 2);
    const first = batcher.submit(request(1, 1));
    assert.equal(runner.runs.length, 1, 'nothing in flight: no wait');
    const p = [2, 3].map((id) => batcher.submit(request(id, 1)));
    assert.equal(runner.runs.length, 1, 'a batch computes: the next one waits for company although a worker is idle');
    clock.advance(2);
    assert.deepEqual(runner.runs.map((r) => r.rowTags), [[100], [200, 300]]);
    for (const r of runner.runs) r.finish();
    await Promise.all([first, ...p]);
    await settle();
    const lone = batcher.submit(request(4, 1));
    assert.equal(runner.runs.length, 3, 'idle again: at once');
    runner.runs[2]!.finish();
    await lone;
  });
});
