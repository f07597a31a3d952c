/**
 * A Prometheus-style histogram: fixed upper bounds, cumulative counts, sum and count — what /metrics
 * prints as `_bucket{le=…}`, `_sum` and `_count` without further arithmetic.
 */
export interface HistogramSnapshot {
  /** Upper bounds, ascending; the implicit last bucket is +Inf. */
  bounds: number[];
  /** cumulative[i] = observations ≤ bounds[i]; one more entry at the end for +Inf (= count). */
  cumulative: number[];
  sum: number;
  count: number;
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const cumulative = this.counts.map((c) => (running += c));
    return { bounds: [...this.bounds], cumulative, sum: this.sum, count: this.count };
  }
}

/** Milliseconds, from 0.1 ms to 10 s. */
export const LATENCY_BOUNDS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;
/** Rows per batch: powers of two up to 256. */
export const BATCH_SIZE_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
