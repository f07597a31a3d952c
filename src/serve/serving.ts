/**
 * Serving: the dynamic batcher and its inference workers as a library, inside any Node app — the same
 * core `mlserve serve` puts behind HTTP.
 *
 *   const s = await Serving.start({ model: 'model.onnx', maxBatch: 8, maxDelayMs: 2 });
 *   const { logits } = await s.infer({ input: { dtype: 'float32', dims: [3, 64], data } });
 *   await s.stop();
 *
 * Requests are checked at `infer` (names, element types, dims), queued, stacked with other requests of the
 * same non-batch shape, computed on a worker thread, and answered with their own rows of the outputs.
 */
import os from 'node:os';
import { isMlserveError, MlserveError } from '../errors.js';
import { Batcher } from './batcher.js';
import type { BatchConfig } from './batch-policy.js';
import { defaultParallelism } from './default-parallelism.js';
import { ModelLifecycle, type ModelState } from './model-lifecycle.js';
import { modelInterface, validateRequest, type Batching, type ModelInterface } from './model-interface.js';
import { defaultModelName, resolveModelSource, type ModelSource, type ModelVariant } from './model-source.js';
import { ServingStats, type ServingStatsSnapshot } from './serving-stats.js';
import type { Tensor, TensorLike } from './tensor.js';
import { WorkerPool } from './worker-pool.js';

export interface ServingOptions {
  /** A .onnx file, a directory holding model.onnx, or an explicit source (fixed-batch variants). */
  model: string | ModelSource;
  /** Name used in errors and metadata; default: the file's base name. */
  name?: string;
  /** Most rows per batch. Default 8 for a dynamic-batch model, the largest compiled size for variants (never more). */
  maxBatch?: number;
  /** Longest a batch waits for more rows once its first request is queued. Default 2 ms. */
  maxDelayMs?: number;
  /**
   * Skip that wait while no batch is computing: a lone request goes at once, and batches form from what
   * queues while others compute. Default false (every batch waits up to maxDelayMs, as Triton's does).
   */
  dispatchWhenIdle?: boolean;
  /** Inference worker threads; default from the core count (see default-parallelism.ts). */
  workers?: number;
  /** onnxruntime intra-op threads per worker; default from the core count. */
  threadsPerWorker?: number;
  /** Requests allowed to wait; one more is rejected with MLS_ERR_SERVE_QUEUE_FULL. Default 1024. */
  queueLimit?: number;
  /** Longest a request may wait in the queue before it is dropped (MLS_ERR_SERVE_TIMEOUT). Default: no limit. */
  timeoutMs?: number;
  /** Input shapes to warm up with, by input name, for dynamic non-batch dims (others are warmed at 1). */
  warmupShapes?: Record<string, number[]>;
  /** Values to fill inputs with for the warm-up, by input name, where zeros do not run (a sample rate). */
  warmupValues?: Record<string, number>;
}

export interface InferOptions {
  /** Overrides the server's timeoutMs for this request. */
  timeoutMs?: number;
}

export interface TensorMetadata {
  name: string;
  /** onnxruntime's type name: 'float32', 'int64', … */
  dtype: string;
  /** -1 for a dynamic dim (the batch dim of a batched model always is). */
  shape: number[];
}

export interface ServingMetadata {
  name: string;
  platform: 'onnxruntime_onnx';
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  batching: Batching;
  maxBatch: number;
  maxDelayMs: number;
  dispatchWhenIdle: boolean;
  workers: number;
  threadsPerWorker: number;
}

export const DEFAULT_MAX_BATCH = 8;
export const DEFAULT_MAX_DELAY_MS = 2;
export const DEFAULT_QUEUE_LIMIT = 1024;

export class Serving {
  private readonly lifecycle: ModelLifecycle;
  private readonly counters = new ServingStats();
  private readonly variants: ModelVariant[];
  private readonly workers: number;
  private readonly threadsPerWorker: number;
  private readonly maxDelayMs: number;
  private readonly queueLimit: number;
  private pool: WorkerPool | undefined;
  private batcher: Batcher | undefined;
  private iface: ModelInterface | undefined;
  private config: BatchConfig | undefined;
  private readonly loading: Promise<void>;
  private stopping: Promise<void> | undefined;

  /** Starts loading and resolves once the model is READY; rejects with the reason it could not load. */
  static async start(options: ServingOptions): Promise<Serving> {
    const serving = Serving.load(options);
    await serving.ready;
    return serving;
  }

  /**
   * Returns at once, in state LOADING; `ready` settles when loading ends. For servers that answer health
   * checks while models load. Option and file errors still throw here.
   */
  static load(options: ServingOptions): Serving {
    return new Serving(options);
  }

  private constructor(private readonly options: ServingOptions) {
    checkOptions(options);
    this.variants = resolveModelSource(options.model);
    const name = options.name ?? defaultModelName(options.model);
    this.lifecycle = new ModelLifecycle(name);
    const p = defaultParallelism(os.availableParallelism(), { workers: options.workers, threadsPerWorker: options.threadsPerWorker });
    this.workers = p.workers;
    this.threadsPerWorker = p.threadsPerWorker;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.loading = this.load();
  }

  get name(): string { return this.lifecycle.model; }
  get state(): ModelState { return this.lifecycle.state; }
  /** Why the model is UNAVAILABLE. */
  get unavailableReason(): MlserveError | undefined { return this.lifecycle.reason; }
  /** Resolves when READY; rejects if loading fails or the model is stopped first. */
  get ready(): Promise<void> { return this.lifecycle.ready; }

  /** Inputs, outputs and batching as served. Throws MLS_ERR_SERVE_NOT_READY until the model has loaded. */
  get metadata(): ServingMetadata {
    const iface = this.iface;
    if (!iface || !this.config) throw this.lifecycle.notReady();
    const shape = (s: Array<number | null>) => s.map((d) => d ?? -1);
    return {
      name: this.name,
      platform: 'onnxruntime_onnx',
      inputs: iface.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: shape(t.shape) })),
      outputs: iface.outputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: shape(t.shape) })),
      batching: iface.batching,
      maxBatch: this.config.maxBatch,
      maxDelayMs: this.maxDelayMs,
      dispatchWhenIdle: this.config.dispatchWhenIdle ?? false,
      workers: this.workers,
      threadsPerWorker: this.threadsPerWorker,
    };
  }

  /**
   * Computes `inputs` (tensors by input name, each `{ dtype, dims, data }` or an onnxruntime Tensor) and
   * resolves with every output, holding this request's rows only. The caller's arrays are read, never kept
   * or detached. Output data may be a view sharing its buffer with other requests of the same batch.
   * Rejects with MlserveError: SERVE_BAD_INPUT (400), SERVE_NOT_READY or SERVE_QUEUE_FULL (503),
   * SERVE_TIMEOUT (504), SERVE_WORKER_CRASHED or SERVE_INFERENCE_FAILED (500).
   */
  async infer(inputs: Readonly<Record<string, TensorLike>>, options: InferOptions = {}): Promise<Record<string, Tensor>> {
    const batcher = this.batcher;
    if (!this.lifecycle.accepting || !batcher || !this.iface) {
      this.counters.request('not_ready');
      throw this.lifecycle.notReady();
    }
    let request;
    try {
      if (options.timeoutMs !== undefined) checkPositive('timeoutMs', options.timeoutMs, false);
      request = validateRequest(this.iface, inputs);
    } catch (e) {
      this.counters.request('bad_input');
      throw e;
    }
    return batcher.submit({ inputs: request.tensors, rows: request.rows, key: request.key, timeoutMs: options.timeoutMs ?? this.options.timeoutMs });
  }

  /** Counters and gauges for metrics. */
  stats(): ServingStatsSnapshot {
    return this.counters.snapshot({
      queueDepth: this.batcher?.queueDepth ?? 0,
      inFlightBatches: this.batcher?.inFlightBatches ?? 0,
      workers: { live: this.pool?.liveCount ?? 0, idle: this.pool?.idleCount ?? 0, restarts: this.pool?.restarts ?? 0 },
    });
  }

  /**
   * Stops accepting requests, finishes every request already accepted (queued batches go at once, without
   * waiting for more rows), then terminates the workers. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= this.drainAndClose();
    return this.stopping;
  }

  private async drainAndClose(): Promise<void> {
    this.lifecycle.toDraining();
    await this.loading;
    await this.batcher?.drain();
    await this.pool?.close();
    this.lifecycle.toStopped();
  }

  private async load(): Promise<void> {
    const name = this.name;
    const requestedMax = this.options.maxBatch ?? DEFAULT_MAX_BATCH;
    try {
      this.pool = await WorkerPool.start({
        model: name,
        variants: this.variants,
        workers: this.workers,
        threadsPerWorker: this.threadsPerWorker,
        warmup: { batchSizes: warmupBatchSizes(requestedMax), shapes: this.options.warmupShapes ?? {}, values: this.options.warmupValues ?? {} },
      });
      const iface = modelInterface(name, this.variants, this.pool.signatures);
      const b = iface.batching;
      const maxBatch = b.kind === 'none' ? 1
        : b.kind === 'fixed' ? Math.min(this.options.maxBatch ?? Infinity, Math.max(...b.sizes))
          : requestedMax;
      this.config = { maxBatch, maxDelayMs: this.maxDelayMs, batchSizes: b.kind === 'fixed' ? b.sizes : undefined, dispatchWhenIdle: this.options.dispatchWhenIdle ?? false };
      const batcher = new Batcher({ model: name, runner: this.pool, config: this.config, queueLimit: this.queueLimit, unbatched: b.kind === 'none', stats: this.counters });
      this.pool.onCapacity = () => batcher.pump();
      this.pool.onFatal = (error) => {
        if (this.lifecycle.state === 'READY') this.lifecycle.toUnavailable(error);
        batcher.rejectQueued(this.lifecycle.notReady());
      };
      this.iface = iface;
      this.batcher = batcher;
      if (this.lifecycle.state === 'LOADING') this.lifecycle.toReady();
    } catch (e) {
      await this.pool?.close();
      this.pool = undefined;
      const error = isMlserveError(e) ? e
        : new MlserveError('MLS_ERR_SERVE_LOAD_FAILED', { model: name, file: this.variants[0]!.file, reason: e instanceof Error ? e.message : String(e) });
      if (this.lifecycle.state === 'LOADING') this.lifecycle.toUnavailable(error);
    }
  }
}

/**
 * Batch sizes a dynamic-batch session warms up at: powers of two up to maxBatch, and maxBatch. The CPU
 * provider compiles nothing per shape; what warm-up buys is the memory arena sized for the largest batch
 * and first-run kernel choices, which these cover at log2(maxBatch) runs instead of maxBatch.
 */
export function warmupBatchSizes(maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let s = 1; s < maxBatch; s *= 2) sizes.push(s);
  sizes.push(maxBatch);
  return sizes;
}

function checkPositive(option: string, value: number, integer = true): void {
  if (typeof value !== 'number' || !(integer ? Number.isSafeInteger(value) : Number.isFinite(value)) || value <= 0) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value: String(value), reason: `must be a positive ${integer ? 'integer' : 'number'}` });
  }
}

function checkOptions(o: ServingOptions): void {
  if (o.maxBatch !== undefined) checkPositive('maxBatch', o.maxBatch);
  if (o.workers !== undefined) checkPositive('workers', o.workers);
  if (o.threadsPerWorker !== undefined) checkPositive('threadsPerWorker', o.threadsPerWorker);
  if (o.queueLimit !== undefined) checkPositive('queueLimit', o.queueLimit);
  if (o.timeoutMs !== undefined) checkPositive('timeoutMs', o.timeoutMs, false);
  if (o.maxDelayMs !== undefined && (typeof o.maxDelayMs !== 'number' || !Number.isFinite(o.maxDelayMs) || o.maxDelayMs < 0)) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: 'maxDelayMs', value: String(o.maxDelayMs), reason: 'must be a number ≥ 0' });
  }
}

