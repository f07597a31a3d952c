/**
 * Counters for metrics, kept by the main thread as requests and batches complete. Gauges (queue depth,
 * batches in flight, workers) are read live at snapshot time by whoever owns them.
 */
import { BATCH_SIZE_BOUNDS, Histogram, LATENCY_BOUNDS_MS, type HistogramSnapshot } from './histogram.js';

/** How a request to `infer` ended. */
export type RequestOutcome = 'success' | 'bad_input' | 'not_ready' | 'queue_full' | 'timeout' | 'failed';

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = ['success', 'bad_input', 'not_ready', 'queue_full', 'timeout', 'failed'];

export interface ServingStatsSnapshot {
  requests: Record<RequestOutcome, number>;
  /** Requests waiting in the queue now. */
  queueDepth: number;
  /** Batches being computed now. */
  inFlightBatches: number;
  /** Batches computed (successfully or not). */
  batches: number;
  /** Real rows computed, and rows of zero padding added to reach a compiled batch size. */
  rows: number;
  paddingRows: number;
  /** Per request: time from `infer` to its batch leaving the queue. */
  queueTimeMs: HistogramSnapshot;
  /** Per batch: time onnxruntime spent in `run`, measured in the worker. */
  computeTimeMs: HistogramSnapshot;
  /** Per batch: real rows. */
  batchRows: HistogramSnapshot;
  workers: { live: number; idle: number; restarts: number };
}

export class ServingStats {
  readonly requests: Record<RequestOutcome, number> = Object.fromEntries(REQUEST_OUTCOMES.map((o) => [o, 0])) as Record<RequestOutcome, number>;
  batches = 0;
  rows = 0;
  paddingRows = 0;
  readonly queueTime = new Histogram(LATENCY_BOUNDS_MS);
  readonly computeTime = new Histogram(LATENCY_BOUNDS_MS);
  readonly batchRows = new Histogram(BATCH_SIZE_BOUNDS);

  request(outcome: RequestOutcome): void {
    this.requests[outcome]++;
  }

  dequeued(waitedMs: number): void {
    this.queueTime.observe(waitedMs);
  }

  batch(rows: number, batchSize: number): void {
    this.batches++;
    this.rows += rows;
    this.paddingRows += batchSize - rows;
    this.batchRows.observe(rows);
  }

  computed(ms: number): void {
    this.computeTime.observe(ms);
  }

  snapshot(gauges: { queueDepth: number; inFlightBatches: number; workers: ServingStatsSnapshot['workers'] }): ServingStatsSnapshot {
    return {
      requests: { ...this.requests },
      queueDepth: gauges.queueDepth,
      inFlightBatches: gauges.inFlightBatches,
      batches: this.batches,
      rows: this.rows,
      paddingRows: this.paddingRows,
      queueTimeMs: this.queueTime.snapshot(),
      computeTimeMs: this.computeTime.snapshot(),
      batchRows: this.batchRows.snapshot(),
      workers: gauges.workers,
    };
  }
}
