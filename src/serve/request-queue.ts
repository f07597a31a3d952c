/**
 * The requests waiting for a batch, oldest first, with the two ways a request leaves without being
 * computed: the queue is full when it arrives (MLS_ERR_SERVE_QUEUE_FULL → HTTP 503 with Retry-After), or
 * its deadline passes while it waits (MLS_ERR_SERVE_TIMEOUT → HTTP 504). A request leaves the queue either
 * through `take` (into a batch) or through one of these rejections — exactly once.
 *
 * Owned by the batcher loop on the main thread; nothing else mutates it.
 */
import { MlserveError } from '../errors.js';
import type { QueuedView } from './batch-policy.js';

export interface QueuedRequest extends QueuedView {
  /** Absolute time (same clock as enqueuedAt) after which the request must not be computed; undefined: none. */
  deadline: number | undefined;
  /** The timeout the deadline came from, for the error message. */
  timeoutMs: number | undefined;
  reject(error: Error): void;
}

export class RequestQueue<T extends QueuedRequest> {
  private readonly items: T[] = [];

  constructor(readonly model: string, readonly limit: number) {}

  get length(): number { return this.items.length; }

  /** Oldest first; valid until the next mutation. */
  get entries(): readonly T[] { return this.items; }

  /** Queues `request`, or throws MLS_ERR_SERVE_QUEUE_FULL and leaves the queue unchanged. */
  push(request: T): void {
    if (this.items.length >= this.limit) throw new MlserveError('MLS_ERR_SERVE_QUEUE_FULL', { model: this.model, limit: this.limit });
    // Requests arrive in time order, so appending keeps the queue oldest-first.
    this.items.push(request);
  }

  /** Removes and returns the requests at these positions (ascending), in queue order. */
  take(positions: readonly number[]): T[] {
    const taken = positions.map((i) => this.items[i]!);
    const drop = new Set(positions);
    let w = 0;
    for (let r = 0; r < this.items.length; r++) if (!drop.has(r)) this.items[w++] = this.items[r]!;
    this.items.length = w;
    return taken;
  }

  /** Drops every request whose deadline is at or before `nowMs` and rejects it with MLS_ERR_SERVE_TIMEOUT. */
  expire(nowMs: number): T[] {
    const expired: number[] = [];
    this.items.forEach((r, i) => { if (r.deadline !== undefined && r.deadline <= nowMs) expired.push(i); });
    if (expired.length === 0) return [];
    const gone = this.take(expired);
    for (const r of gone) r.reject(new MlserveError('MLS_ERR_SERVE_TIMEOUT', { model: this.model, timeoutMs: r.timeoutMs ?? 0 }));
    return gone;
  }

  /** The earliest deadline among queued requests. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const r of this.items) if (r.deadline !== undefined && (next === undefined || r.deadline < next)) next = r.deadline;
    return next;
  }

  /** Removes every request and rejects each with `error` (the model went away). */
  rejectAll(error: Error): T[] {
    const all = this.items.splice(0);
    for (const r of all) r.reject(error);
    return all;
  }
}
