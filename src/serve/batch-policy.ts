/**
 * Which batch goes now. Pure: no timers, no clock reads, no queue mutation — the batcher loop feeds it the
 * queue and the time and carries out the plan, so every rule here can be table-tested as arithmetic.
 *
 * Rules:
 * - Requests may share a batch only when their `key`s are equal (same input names, dtypes and non-batch
 *   dims). Each key forms its own batch under construction; the queue's other requests do not cut it.
 * - A batch is built first-fit from its key's requests, oldest first, up to `maxBatch` rows. Requests are
 *   never split: a request is one row range of one batch, so it succeeds or fails as a unit.
 * - A batch goes when it is full (maxBatch rows), when a compatible request had to be left out for lack of
 *   room (waiting could only delay that older request), or when its oldest request has waited maxDelayMs.
 * - No starvation: batches are considered in the order of their oldest request and the first one ready
 *   goes, and every batch includes its key's oldest request. A request therefore waits at most maxDelayMs
 *   plus the batches of ready keys whose oldest request is older than it — never behind newer traffic.
 * - Size: with compiled batch sizes (fixed-batch variants), a batch of n rows runs padded to the smallest
 *   compiled size ≥ n (never blindly the largest); with a dynamic-batch model it runs at exactly n.
 * - Spreading (see `spreadRows`): a batch that goes while several workers are idle may be cut into as many
 *   batches of near-equal rows, so the idle workers compute it together. The batcher decides when.
 * - A single request larger than maxBatch goes alone (at its own size, or padded to the smallest compiled
 *   size that holds it). A request no compiled size can hold is rejected before it is queued
 *   (see model-interface.ts): the policy never sees one.
 */

/** What the policy sees of one queued request. */
export interface QueuedView {
  /** Rows along the batch axis (≥ 1). */
  rows: number;
  /** Requests with equal keys may be stacked into one batch. */
  key: string;
  /** When it was queued, in the same clock as `nowMs`. */
  enqueuedAt: number;
}

export interface BatchConfig {
  /** Most rows a batch is built up to. */
  maxBatch: number;
  /** Longest the oldest request of a batch under construction waits for more rows. */
  maxDelayMs: number;
  /** Compiled batch sizes of a fixed-batch bundle, ascending; undefined: any batch size runs as is. */
  batchSizes?: readonly number[];
  /**
   * While no batch is computing, skip the delay: a request that finds the model idle goes at once, and
   * batches form from what queues while batches compute. The batcher applies it (the policy sees a
   * maxDelayMs of 0 then).
   */
  dispatchWhenIdle?: boolean;
}

export type BatchPlan =
  | {
    kind: 'dispatch';
    /** Positions in the queue, ascending. */
    take: number[];
    /** Real rows in the batch. */
    rows: number;
    /** Rows the model runs at: `rows`, or the compiled size the batch is padded to. */
    batchSize: number;
    reason: 'full' | 'no-room' | 'delay';
  }
  | { kind: 'wait'; ms: number }
  | { kind: 'idle' };

/** The batch size `rows` runs at: the smallest compiled size ≥ rows, or rows itself when the model is dynamic. */
export function paddedBatchSize(rows: number, batchSizes: readonly number[] | undefined): number | undefined {
  if (!batchSizes) return rows;
  let best: number | undefined;
  for (const s of batchSizes) if (s >= rows && (best === undefined || s < best)) best = s;
  return best;
}

interface Forming {
  take: number[];
  rows: number;
  oldest: number;
  full: boolean;
  noRoom: boolean;
}

export function planBatch(queue: readonly QueuedView[], nowMs: number, config: BatchConfig): BatchPlan {
  if (queue.length === 0) return { kind: 'idle' };
  // Batches under construction, in the order of their oldest request (Map keeps insertion order).
  const forming = new Map<string, Forming>();
  queue.forEach((q, i) => {
    let b = forming.get(q.key);
    if (!b) {
      // The oldest request of its key always starts the batch, whatever its size.
      forming.set(q.key, { take: [i], rows: q.rows, oldest: q.enqueuedAt, full: q.rows >= config.maxBatch, noRoom: false });
      return;
    }
    if (b.full) return;
    if (b.rows + q.rows <= config.maxBatch) {
      b.take.push(i);
      b.rows += q.rows;
      b.full = b.rows >= config.maxBatch;
    } else {
      b.noRoom = true;
    }
  });
  let wakeAt = Infinity;
  for (const b of forming.values()) {
    const reason = b.full ? 'full' : b.noRoom ? 'no-room' : nowMs - b.oldest >= config.maxDelayMs ? 'delay' : undefined;
    if (reason) {
      const batchSize = paddedBatchSize(b.rows, config.batchSizes);
      if (batchSize === undefined) throw new Error(`planBatch: no compiled batch size holds ${b.rows} rows (sizes ${config.batchSizes?.join(',')})`);
      return { kind: 'dispatch', take: b.take, rows: b.rows, batchSize, reason };
    }
    wakeAt = Math.min(wakeAt, b.oldest + config.maxDelayMs);
  }
  return { kind: 'wait', ms: wakeAt - nowMs };
}

/**
 * Cuts a batch of requests (their row counts, in queue order) into at most `parts` consecutive groups of
 * near-equal rows, whole requests each; returns each group's request count. Each request goes to the group
 * its middle row falls in, so groups stay in queue order and no group is empty.
 */
export function spreadRows(requestRows: readonly number[], parts: number): number[] {
  const total = requestRows.reduce((n, r) => n + r, 0);
  const groups = Math.max(1, Math.min(Math.floor(parts), requestRows.length));
  const counts = new Array<number>(groups).fill(0);
  let before = 0;
  for (const rows of requestRows) {
    const group = Math.min(groups - 1, Math.floor(((before + rows / 2) * groups) / total));
    counts[group]!++;
    before += rows;
  }
  return counts.filter((n) => n > 0);
}
