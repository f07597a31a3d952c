/**
 * `bench --select`: which variant serves each batch size, and which batch sizes are worth serving.
 * Pure, so the rules are table-tested:
 *
 * - Per batch size, the variant with the highest throughput (samples/s) among those whose p99 latency
 *   is within `maxLatencyMs` (when given). A batch size with no such variant is not served.
 * - Going up from the smallest, a batch size is served only if it gives more samples/s than every
 *   smaller one served: a bigger batch that is not faster per sample only adds padding and queueing
 *   delay. (On PP-OCRv4 rec here, batch 8 gives far fewer samples/s than batch 4, so it is dropped.)
 */
import type { SelectionEntry } from '../compile/bundle-manifest.js';

export interface SelectionCandidate {
  id: string;
  file: string;
  provider: string;
  precision: string;
  batchSize: number;
  throughput: number;
  latencyMs: { p99: number };
}

export interface Selection {
  byBatchSize: SelectionEntry[];
  servedBatchSizes: number[];
  notServed: Array<{ batchSize: number; reason: string }>;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function selectVariants(results: readonly SelectionCandidate[], options: { maxLatencyMs?: number } = {}): Selection {
  const sizes = [...new Set(results.map((r) => r.batchSize))].sort((a, b) => a - b);
  const byBatchSize: SelectionEntry[] = [];
  const notServed: Selection['notServed'] = [];
  for (const batchSize of sizes) {
    const all = results.filter((r) => r.batchSize === batchSize);
    const within = options.maxLatencyMs === undefined ? all : all.filter((r) => r.latencyMs.p99 <= options.maxLatencyMs!);
    if (within.length === 0) {
      const fastest = Math.min(...all.map((r) => r.latencyMs.p99));
      notServed.push({ batchSize, reason: `no variant has p99 ≤ ${options.maxLatencyMs} ms (the best has ${fmt(fastest)} ms)` });
      continue;
    }
    // Ties keep the first listed, so the choice does not depend on sort stability.
    const best = within.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    byBatchSize.push({
      batchSize, variant: best.id, file: best.file, provider: best.provider, precision: best.precision,
      throughput: best.throughput, p99Ms: best.latencyMs.p99,
    });
  }
  const servedBatchSizes: number[] = [];
  let bestSoFar: SelectionEntry | undefined;
  for (const entry of byBatchSize) {
    if (bestSoFar && entry.throughput <= bestSoFar.throughput) {
      notServed.push({
        batchSize: entry.batchSize,
        reason: `${fmt(entry.throughput)} samples/s is no more than batch ${bestSoFar.batchSize}'s ${fmt(bestSoFar.throughput)}`,
      });
      continue;
    }
    servedBatchSizes.push(entry.batchSize);
    bestSoFar = entry;
  }
  notServed.sort((a, b) => a.batchSize - b.batchSize);
  return { byBatchSize, servedBatchSizes, notServed };
}
