/**
 * The batcher loop: requests go into the queue, `planBatch` decides what goes when, batches are stacked
 * and handed to the runner (the worker pool), and each caller's promise gets its own rows of the outputs.
 *
 * Ownership: everything here runs on the main thread; the queue, the timer and the in-flight count are
 * only touched by `submit`, `pump` and batch completions.
 *
 * - At most `runner.idleCount` batches are started: while every worker is busy, requests keep queueing
 *   and the next batch keeps growing — that is where batching gains come from.
 * - One wake-up timer stands for all batches under construction: the policy's `wait` is the earliest
 *   moment any of them (or a queued deadline) needs attention, and every wake re-plans every batch, so one
 *   timer at the minimum does what one timer per batch would. Arming a new timer replaces the old; a
 *   wake-up whose token is no longer current is stale and ignored.
 * - Spreading: a batch that goes while several workers are idle is cut into one batch per idle worker
 *   (near-equal rows, whole requests; never when padding the parts to compiled sizes would compute more
 *   rows than the whole batch), once batches are known to take long enough to compute
 *   (SPREAD_MIN_COMPUTE_MS) that a second worker's hand-off is worth it. Without it, 8 clients and
 *   maxBatch 8 make one batch of 8 at a time on one worker while the others idle: measured on the PP-OCR
 *   classifier with 2 workers, 796 req/s batched against 1261 unbatched. Tiny models (the MLP: microseconds
 *   per batch) never spread, as a second hand-off would cost more than it saves.
 * - A request past its deadline is dropped from the queue and rejected without being computed; once its
 *   batch has started it is answered normally (the deadline bounds waiting, as in Triton's queue policy).
 */
import { MlserveError } from '../errors.js';
import { copyTensor, splitOutputs, stackInputs, type Allocate } from './batch.js';
import { paddedBatchSize, planBatch, spreadRows, type BatchConfig, type BatchPlan } from './batch-policy.js';
import { RequestQueue, type QueuedRequest } from './request-queue.js';
import type { ServingStats } from './serving-stats.js';
import type { Tensor } from './tensor.js';

export type Tensors = Record<string, Tensor>;

export interface RunResult {
  outputs: Tensors;
  /** Time onnxruntime spent computing the batch. */
  computeMs: number;
}

/** What computes batches: the worker pool, or a recording fake in tests. */
export interface BatchRunner {
  /** Batches it can start now without waiting (idle workers). */
  readonly idleCount: number;
  /**
   * Computes one batch of `batchSize` rows. Takes ownership of the inputs' buffers (they may be
   * transferred to another thread). Rejects with an MlserveError.
   */
  run(inputs: Tensors, batchSize: number): Promise<RunResult>;
  /** Storage for a batch input, possibly recycled from an earlier batch; absent: fresh arrays. */
  allocate?: Allocate;
}

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BatchRequest {
  inputs: Tensors;
  /** Rows along the batch axis. */
  rows: number;
  /** Requests with equal keys may share a batch (see batch-policy.ts). */
  key: string;
  /** Longest the request may wait in the queue; undefined: no deadline. */
  timeoutMs?: number;
}

export interface BatcherOptions {
  model: string;
  runner: BatchRunner;
  config: BatchConfig;
  queueLimit: number;
  /** Each request runs alone, as given: no stacking, no splitting (a model without a batch axis). */
  unbatched?: boolean;
  stats?: ServingStats;
  clock?: Clock;
}

/**
 * A batch is spread over idle workers only when its estimated compute time (recent batches' time per row
 * × its rows) is at least this: a worker hand-off costs 0.1–0.3 ms of main-thread time here.
 */
const SPREAD_MIN_COMPUTE_MS = 1;

/** Weight of the newest batch in the running estimate of compute time per row. */
const MS_PER_ROW_WEIGHT = 0.2;

interface Pending extends QueuedRequest {
  inputs: Tensors;
  resolve(outputs: Tensors): void;
}

export class Batcher {
  private readonly queue: RequestQueue<Pending>;
  private readonly clock: Clock;
  private inFlight = 0;
  private timer: unknown;
  private timerAt = Infinity;
  /** Bumped whenever the timer is re-armed; a wake-up carrying an older token is stale. */
  private timerToken = 0;
  private pumping = false;
  private draining = false;
  private drained: Array<() => void> = [];
  /** Running estimate of compute time per batch row (padding included); undefined until a batch is done. */
  private msPerRow: number | undefined;

  constructor(private readonly options: BatcherOptions) {
    this.queue = new RequestQueue(options.model, options.queueLimit);
    this.clock = options.clock ?? systemClock;
  }

  get queueDepth(): number { return this.queue.length; }
  get inFlightBatches(): number { return this.inFlight; }

  /** Queues a request; resolves with its rows of the outputs. */
  submit(request: BatchRequest): Promise<Tensors> {
    return new Promise<Tensors>((resolve, reject) => {
      const now = this.clock.now();
      const stats = this.options.stats;
      const pending: Pending = {
        inputs: request.inputs,
        rows: request.rows,
        key: request.key,
        enqueuedAt: now,
        deadline: request.timeoutMs === undefined ? undefined : now + request.timeoutMs,
        timeoutMs: request.timeoutMs,
        resolve: (outputs) => { stats?.request('success'); resolve(outputs); },
        reject: (error) => {
          const code = (error as MlserveError).code;
          stats?.request(code === 'MLS_ERR_SERVE_TIMEOUT' ? 'timeout' : code === 'MLS_ERR_SERVE_NOT_READY' ? 'not_ready' : 'failed');
          reject(error);
        },
      };
      try {
        this.queue.push(pending);
      } catch (e) {
        stats?.request('queue_full');
        reject(e);
        return;
      }
      this.pump();
    });
  }

  /**
   * Starts every batch the policy says should go now, while the runner has room, then arms the timer for
   * the next moment something is due. Safe to call at any time, from anywhere on the main thread.
   */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const now = this.clock.now();
      this.queue.expire(now);
      let plan: BatchPlan | undefined;
      while (this.queue.length > 0 && this.options.runner.idleCount > 0) {
        // Draining flushes: nothing new will arrive, so no batch waits for more rows. With
        // dispatchWhenIdle, nothing computing means nobody to wait for either.
        const noDelay = this.draining || (this.options.config.dispatchWhenIdle === true && this.inFlight === 0);
        const config = noDelay ? { ...this.options.config, maxDelayMs: 0 } : this.options.config;
        plan = planBatch(this.queue.entries, now, config);
        if (plan.kind !== 'dispatch') break;
        this.dispatch(plan, now, this.spreadOver(plan));
      }
      const batchDue = plan?.kind === 'wait' ? now + plan.ms : Infinity;
      this.arm(Math.min(batchDue, this.queue.nextDeadline() ?? Infinity), now);
      this.checkDrained();
    } finally {
      this.pumping = false;
    }
  }

  /** Resolves once every accepted request has been answered. Queued batches go without waiting for more rows. */
  drain(): Promise<void> {
    this.draining = true;
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    this.pump();
    return done;
  }

  /** Rejects every queued (not yet started) request with `error`. */
  rejectQueued(error: Error): void {
    this.queue.rejectAll(error);
    this.pump();
  }

  /** How many idle workers a going batch is cut over: 1 unless its compute is long enough to share. */
  private spreadOver(plan: Extract<BatchPlan, { kind: 'dispatch' }>): number {
    const idle = this.options.runner.idleCount;
    if (idle < 2 || plan.take.length < 2 || this.options.unbatched || this.msPerRow === undefined) return 1;
    return this.msPerRow * plan.batchSize >= SPREAD_MIN_COMPUTE_MS ? idle : 1;
  }

  /** Takes the plan's requests off the queue and starts them as `parts` batches (see spreadRows). */
  private dispatch(plan: Extract<BatchPlan, { kind: 'dispatch' }>, now: number, parts: number): void {
    const requests = this.queue.take(plan.take);
    const stats = this.options.stats;
    for (const r of requests) stats?.dequeued(now - r.enqueuedAt);
    if (parts > 1) {
      const groups = this.spreadGroups(requests, parts);
      // Spreading must not compute more rows than the whole batch would: with compiled sizes 1 and 4,
      // four rows cut in two would run as two padded batches of 4.
      if (groups.length > 1 && groups.reduce((n, g) => n + g.batchSize, 0) <= plan.batchSize) {
        for (const g of groups) this.start(g.requests, g.rows, g.batchSize);
        return;
      }
    }
    this.start(requests, plan.rows, plan.batchSize);
  }

  /** `requests` cut into up to `parts` groups (see spreadRows), each with its rows and padded batch size. */
  private spreadGroups(requests: Pending[], parts: number): Array<{ requests: Pending[]; rows: number; batchSize: number }> {
    let first = 0;
    return spreadRows(requests.map((r) => r.rows), parts).map((count) => {
      const group = requests.slice(first, first + count);
      first += count;
      const rows = group.reduce((n, r) => n + r.rows, 0);
      // A smaller group fits a compiled size no larger than the whole batch's.
      return { requests: group, rows, batchSize: paddedBatchSize(rows, this.options.config.batchSizes)! };
    });
  }

  /** Stacks `requests` into one batch of `batchSize` rows and computes it. */
  private start(requests: Pending[], rows: number, batchSize: number): void {
    const stats = this.options.stats;
    stats?.batch(rows, batchSize);
    let inputs: Tensors;
    try {
      inputs = this.options.unbatched
        ? Object.fromEntries(Object.entries(requests[0]!.inputs).map(([name, t]) => [name, copyTensor(t, this.options.runner.allocate)]))
        : stackInputs(requests.map((r) => r.inputs), batchSize, this.options.runner.allocate);
    } catch (e) {
      this.fail(requests, e);
      return;
    }
    this.inFlight++;
    this.options.runner.run(inputs, batchSize).then(
      (result) => {
        stats?.computed(result.computeMs);
        const msPerRow = result.computeMs / batchSize;
        this.msPerRow = this.msPerRow === undefined ? msPerRow : this.msPerRow + MS_PER_ROW_WEIGHT * (msPerRow - this.msPerRow);
        let parts: Tensors[];
        try {
          parts = this.options.unbatched ? [result.outputs] : splitOutputs(result.outputs, requests.map((r) => r.rows), batchSize);
        } catch (e) {
          this.fail(requests, e);
          return;
        }
        requests.forEach((r, i) => r.resolve(parts[i]!));
      },
      (e: unknown) => this.fail(requests, e),
    ).finally(() => {
      this.inFlight--;
      this.pump();
    });
  }

  private fail(requests: readonly Pending[], e: unknown): void {
    const error = e instanceof MlserveError ? e
      : new MlserveError('MLS_ERR_SERVE_INFERENCE_FAILED', { model: this.options.model, reason: e instanceof Error ? e.message : String(e) });
    for (const r of requests) r.reject(error);
  }

  private arm(at: number, now: number): void {
    if (at === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    const token = ++this.timerToken;
    // Whole milliseconds, rounded up: a timer that fires early would only re-arm for the remainder.
    this.timer = this.clock.setTimer(() => {
      if (token !== this.timerToken) return;
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, Math.ceil(at - now)));
  }

  private checkDrained(): void {
    if (!this.draining || this.queue.length > 0 || this.inFlight > 0) return;
    for (const resolve of this.drained.splice(0)) resolve();
  }
}
