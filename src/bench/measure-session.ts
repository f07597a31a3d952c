/**
 * The timed loop. Each sample is exactly one `session.run(feeds)` with `performance.now()` read right
 * before and after it; the loop does nothing else (no callbacks, no feed rebuilding, no output
 * reading), so what is measured is the runtime, and a plain onnxruntime loop measures the same thing
 * (bench/harness-overhead.ts checks that). Warm-up runs first and is not recorded.
 */
import type { RawSession } from '../runtime/providers.js';

export interface MeasureOptions {
  warmup: number;
  /** Stop after this many samples… */
  iterations?: number;
  /** …or once this much time has passed (whichever comes first); at least one sample is always taken. */
  durationMs?: number;
}

export async function measureSession(session: RawSession, feeds: Record<string, unknown>, options: MeasureOptions): Promise<number[]> {
  for (let i = 0; i < options.warmup; i++) await session.run(feeds);
  const limit = options.iterations ?? Number.POSITIVE_INFINITY;
  const samples: number[] = [];
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.durationMs;
  for (;;) {
    const t0 = performance.now();
    await session.run(feeds);
    const t1 = performance.now();
    samples.push(t1 - t0);
    if (samples.length >= limit || t1 >= deadline) break;
  }
  return samples;
}
