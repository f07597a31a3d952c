/**
 * How many inference workers, and how many onnxruntime intra-op threads each, when the user does not say.
 * Pure, so the rule is testable for any core count.
 *
 * The rule: one single-threaded worker per core, up to 4 workers; past that, more threads per worker
 * (workers × threads ≤ cores). Why: batching already gives onnxruntime big matrix products, and a second
 * worker computes a whole second batch while the first is busy, which a second intra-op thread on the
 * same batch does not match for the small models served here. Measured on 2 cores with Serving under a
 * closed-loop load of 1-row requests (on a machine shared with other
 * jobs): 2 workers × 1 thread was ahead of 1 × 2 on the PP-OCR classifier at 1, 8 and 64 clients
 * (median 153 vs 63, 356 vs 200, 448 vs 192 req/s) and level on the MLP, whose batches cost more in
 * thread hand-off than in compute; a second intra-op thread even slowed plain batch-8 runs of the
 * classifier (572 → 332 rows/s) there. Each worker holds its own copy of the sessions' weights, so the
 * count is capped rather than growing with the machine; on big machines the extra cores go to intra-op
 * threads (not measured here: the 4-worker cap is a memory judgement).
 */
export interface Parallelism {
  workers: number;
  threadsPerWorker: number;
}

export const MAX_DEFAULT_WORKERS = 4;

export function defaultParallelism(cores: number, given: Partial<Parallelism> = {}): Parallelism {
  const c = Math.max(1, Math.floor(cores));
  if (given.workers !== undefined && given.threadsPerWorker !== undefined) return { workers: given.workers, threadsPerWorker: given.threadsPerWorker };
  if (given.workers !== undefined) return { workers: given.workers, threadsPerWorker: Math.max(1, Math.floor(c / given.workers)) };
  if (given.threadsPerWorker !== undefined) {
    return { workers: Math.max(1, Math.min(MAX_DEFAULT_WORKERS, Math.floor(c / given.threadsPerWorker))), threadsPerWorker: given.threadsPerWorker };
  }
  const workers = Math.min(c, MAX_DEFAULT_WORKERS);
  return { workers, threadsPerWorker: Math.max(1, Math.floor(c / workers)) };
}
