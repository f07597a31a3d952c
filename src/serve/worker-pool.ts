/**
 * A pool of inference workers (worker_threads), each owning its own sessions; the BatchRunner the batcher
 * dispatches to. One batch per worker at a time, so `idleCount` is exactly how many batches can start now.
 *
 * Crash isolation: a worker that dies fails only the batch it was computing (MLS_ERR_SERVE_WORKER_CRASHED)
 * and is replaced by a fresh one, warmed up like the first, before it takes batches again. A replacement
 * that cannot even load leaves its slot empty; when no worker is left the pool reports `onFatal`.
 *
 * Tensors cross threads without copies: input and output buffers are transferred, not cloned; a buffer is
 * copied only when its tensor is a view on part of it (see worker-protocol.ts). The inputs handed to `run`
 * are therefore detached from the calling thread afterwards.
 */
import { Worker } from 'node:worker_threads';
import { MlserveError } from '../errors.js';
import type { SessionSignature } from '../runtime/session-signature.js';
import type { Allocate } from './batch.js';
import type { BatchRunner, RunResult, Tensors } from './batcher.js';
import { BufferRecycler } from './buffer-recycler.js';
import type { ModelVariant } from './model-source.js';
import { ownedTensor, transferList, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

export interface WorkerPoolOptions {
  model: string;
  variants: ModelVariant[];
  workers: number;
  threadsPerWorker: number;
  warmup: WorkerInit['warmup'];
}

interface Job {
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

interface Slot {
  index: number;
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  /** Whether it ever got ready: a worker that dies after that is replaced, one that never did is not. */
  started: boolean;
  job: Job | undefined;
  /** The worker's last error event, kept for the crash message its exit event gives. */
  lastError: Error | undefined;
}

/**
 * Batch input buffers kept for reuse: one per worker and one more of each size covers a steady load (a
 * buffer comes back as the next batch is stacked); the byte cap bounds models with huge inputs.
 */
const RECYCLED_BYTES_CAP = 128 * 1024 * 1024;

/** How long close() lets a worker release its sessions and exit before terminating it. */
const CLOSE_GRACE_MS = 5000;

export class WorkerPool implements BatchRunner {
  private readonly slots: Slot[] = [];
  private readonly init: WorkerInit;
  private nextJobId = 1;
  private readonly jobs = new Map<number, Job>();
  private readonly recycler: BufferRecycler;
  /** Batch storage for the batcher: the input buffers of finished batches, used again. */
  readonly allocate: Allocate = (dtype, length) => this.recycler.allocate(dtype, length);
  private closing = false;
  private restartCount = 0;
  private fatalReported = false;
  /** Sessions' inputs and outputs, one per variant, as the first worker to start reported them. */
  signatures: SessionSignature[] = [];
  /** Called whenever a worker becomes free to take a batch (after a batch, or a replacement started). */
  onCapacity: () => void = () => {};
  /** Called once when no worker is left and none can be started. */
  onFatal: (error: MlserveError) => void = () => {};

  private constructor(private readonly options: WorkerPoolOptions) {
    this.init = { model: options.model, variants: options.variants, threads: options.threadsPerWorker, warmup: options.warmup };
    this.recycler = new BufferRecycler(options.workers + 1, RECYCLED_BYTES_CAP);
  }

  /** Starts every worker; resolves once all have created and warmed up their sessions, or rejects with the first failure. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const started = Array.from({ length: options.workers }, (_, i) => pool.spawn(i));
    const results = await Promise.allSettled(started);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  get idleCount(): number {
    let n = 0;
    for (const s of this.slots) if (s.state === 'idle') n++;
    return n;
  }

  get liveCount(): number {
    return this.slots.filter((s) => s.state === 'idle' || s.state === 'busy').length;
  }

  get restarts(): number { return this.restartCount; }

  /**
   * Computes a batch on an idle worker; takes ownership of the inputs' buffers.
   * `exitForTest` makes the chosen worker exit as it receives the batch (crash-isolation tests only).
   */
  run(inputs: Tensors, batchSize: number, options: { exitForTest?: boolean } = {}): Promise<RunResult> {
    const slot = this.slots.find((s) => s.state === 'idle');
    if (!slot) return Promise.reject(new Error('WorkerPool.run: no idle worker (the batcher checks idleCount first)'));
    return new Promise<RunResult>((resolve, reject) => {
      const id = this.nextJobId++;
      const job: Job = { resolve, reject };
      slot.state = 'busy';
      slot.job = job;
      this.jobs.set(id, job);
      const owned = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, ownedTensor(t)]));
      const message: ToWorker = { type: 'run', id, batchSize, inputs: owned, exitForTest: options.exitForTest };
      try {
        slot.worker.postMessage(message, transferList(Object.values(owned)));
      } catch (e) {
        slot.state = 'idle';
        slot.job = undefined;
        this.jobs.delete(id);
        reject(e);
      }
    });
  }

  /** Terminates every worker after letting it release its sessions. Batches still running are failed. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map(async (slot) => {
      if (slot.state === 'dead') return;
      const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
      slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
      const timer = setTimeout(() => void slot.worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }));
  }

  /** Starts a worker in slot `index`; resolves when it is ready (idle), rejects if it cannot load. */
  private spawn(index: number): Promise<void> {
    const worker = new Worker(new URL('./inference-worker.js', import.meta.url), { workerData: this.init });
    const slot: Slot = { index, worker, state: 'starting', started: false, job: undefined, lastError: undefined };
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: MlserveError) => {
        if (settled) return;
        settled = true;
        if (error) reject(error); else resolve();
      };
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            if (this.signatures.length === 0) this.signatures = m.signatures;
            slot.state = 'idle';
            slot.started = true;
            settle();
            this.onCapacity();
            break;
          case 'init-failed':
            slot.state = 'dead';
            settle(MlserveError.fromPlain(m.error));
            void worker.terminate();
            break;
          case 'result':
          case 'failed': {
            const job = this.jobs.get(m.id);
            this.jobs.delete(m.id);
            slot.job = undefined;
            if (slot.state === 'busy') slot.state = 'idle';
            if (m.type === 'result') {
              for (const buffer of m.spent) this.recycler.give(buffer);
              job?.resolve({ outputs: m.outputs, computeMs: m.computeMs });
            }
            else job?.reject(MlserveError.fromPlain(m.error));
            this.onCapacity();
            break;
          }
        }
      });
      worker.on('error', (e: unknown) => { slot.lastError = e instanceof Error ? e : new Error(String(e)); });
      worker.on('exit', (code) => {
        const reason = slot.lastError ? slot.lastError.message : `exited with code ${code}`;
        const job = slot.job;
        slot.job = undefined;
        slot.state = 'dead';
        if (job) {
          for (const [id, j] of this.jobs) if (j === job) this.jobs.delete(id);
          job.reject(this.closing
            ? new MlserveError('MLS_ERR_SERVE_NOT_READY', { model: this.options.model, state: 'STOPPED', reason: 'the model was stopped while this batch ran' })
            : new MlserveError('MLS_ERR_SERVE_WORKER_CRASHED', { model: this.options.model, worker: index, reason }));
        }
        // No-op when init-failed already settled it.
        settle(new MlserveError('MLS_ERR_SERVE_LOAD_FAILED', { model: this.options.model, file: this.options.variants[0]!.file, reason: `worker ${index} ${reason} while loading` }));
        if (this.closing || this.slots[index] !== slot) return;
        if (slot.started) this.respawn(index);
        else this.checkFatal(`worker ${index} could not start`);
      });
    });
  }

  /** Replaces a crashed worker; a replacement that cannot load leaves the slot empty. */
  private respawn(index: number): void {
    this.restartCount++;
    this.spawn(index).catch((e: MlserveError) => this.checkFatal(e.message));
  }

  private checkFatal(reason: string): void {
    if (this.closing || this.fatalReported) return;
    if (this.slots.some((s) => s.state !== 'dead')) return;
    this.fatalReported = true;
    this.onFatal(new MlserveError('MLS_ERR_SERVE_NOT_READY', { model: this.options.model, state: 'UNAVAILABLE', reason: `no inference worker is left: ${reason}` }));
  }
}
