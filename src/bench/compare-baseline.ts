/**
 * `--baseline OLD.json [--fail-on-regression N]`: this run against an earlier `bench --json` document.
 * Results are matched by (provider, precision, batch size). Slowdown is the growth of the time per
 * sample: baseline throughput / current throughput − 1, in percent, so "10% slower" means each sample
 * takes 10% longer. Pure apart from reading the file.
 */
import { MlserveError } from '../errors.js';
import { readJsonFile } from '../util/read-json-file.js';
import type { BenchResult } from './bench-document.js';

export interface BaselineEntry {
  provider: string;
  precision: string;
  batchSize: number;
  throughput: number;
}

export interface ComparisonEntry {
  id: string;
  provider: string;
  precision: string;
  batchSize: number;
  baselineThroughput: number;
  throughput: number;
  /** Positive: slower than the baseline. */
  slowdownPercent: number;
  regressed: boolean;
}

export interface BaselineComparison {
  baseline: string;
  thresholdPercent: number | null;
  entries: ComparisonEntry[];
  /** In the baseline but not measured now, as provider/precision/bN. */
  missing: string[];
  /** Measured now but not in the baseline. */
  added: string[];
  regressed: boolean;
}

const keyOf = (e: { provider: string; precision: string; batchSize: number }) => `${e.provider}/${e.precision}/b${e.batchSize}`;

export function parseBaseline(json: unknown, file: string): BaselineEntry[] {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_BENCH_BASELINE_INVALID', { file, reason });
  };
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { results?: unknown }).results)) fail('has no results[] array');
  return ((json as { results: unknown[] }).results).map((raw, i) => {
    const r = raw as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) fail(`results[${i}] is not an object`);
    if (typeof r['provider'] !== 'string') fail(`results[${i}].provider must be a string`);
    if (typeof r['precision'] !== 'string') fail(`results[${i}].precision must be a string`);
    if (!Number.isSafeInteger(r['batchSize']) || (r['batchSize'] as number) < 1) fail(`results[${i}].batchSize must be a positive integer`);
    if (typeof r['throughput'] !== 'number' || !(r['throughput'] > 0)) fail(`results[${i}].throughput must be a positive number`);
    return { provider: r['provider'] as string, precision: r['precision'] as string, batchSize: r['batchSize'] as number, throughput: r['throughput'] as number };
  });
}

export function readBaseline(file: string): BaselineEntry[] {
  const json = readJsonFile(file, (reason, cause) => new MlserveError('MLS_ERR_BENCH_BASELINE_INVALID', { file, reason }, { cause }));
  return parseBaseline(json, file);
}

export function compareToBaseline(
  current: readonly BenchResult[],
  baseline: readonly BaselineEntry[],
  options: { file: string; thresholdPercent?: number },
): BaselineComparison {
  const base = new Map(baseline.map((b) => [keyOf(b), b]));
  const entries: ComparisonEntry[] = [];
  const added: string[] = [];
  for (const r of current) {
    const b = base.get(keyOf(r));
    if (!b) {
      added.push(keyOf(r));
      continue;
    }
    const slowdownPercent = (b.throughput / r.throughput - 1) * 100;
    entries.push({
      id: r.id, provider: r.provider, precision: r.precision, batchSize: r.batchSize,
      baselineThroughput: b.throughput, throughput: r.throughput, slowdownPercent,
      // A hair of tolerance: 110 → 100 samples/s computes as 10.000000000000009% slower.
      regressed: options.thresholdPercent !== undefined && slowdownPercent > options.thresholdPercent + 1e-9,
    });
  }
  if (entries.length === 0) {
    throw new MlserveError('MLS_ERR_BENCH_BASELINE_INVALID', {
      file: options.file, reason: `none of its results matches one of this run by provider, precision and batch size (it has ${[...base.keys()].join(', ') || 'none'}; this run has ${current.map(keyOf).join(', ')})`,
    });
  }
  const measured = new Set(current.map(keyOf));
  return {
    baseline: options.file,
    thresholdPercent: options.thresholdPercent ?? null,
    entries,
    missing: [...base.keys()].filter((k) => !measured.has(k)),
    added,
    regressed: entries.some((e) => e.regressed),
  };
}

/** The error a CI run fails with; undefined when nothing regressed. */
export function regressionError(c: BaselineComparison): MlserveError | undefined {
  if (!c.regressed || c.thresholdPercent === null) return undefined;
  const regressions = c.entries.filter((e) => e.regressed)
    .map((e) => `${e.id} ${e.slowdownPercent.toFixed(1)}% slower (${e.throughput.toFixed(1)} vs ${e.baselineThroughput.toFixed(1)} samples/s)`).join('; ');
  return new MlserveError('MLS_ERR_BENCH_REGRESSION', { baseline: c.baseline, threshold: c.thresholdPercent, regressions });
}
