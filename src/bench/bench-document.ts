/**
 * The one document `mlserve bench --json` prints (and `bench()` returns). Fields are only ever added;
 * `schemaVersion` changes if a meaning does. Raw samples are not in it (they can run to thousands per
 * variant); `BenchRun.samples` keeps them for the HTML report.
 */
import type { ManifestSelection } from '../compile/bundle-manifest.js';
import type { BaselineComparison } from './compare-baseline.js';

export const BENCH_SCHEMA_VERSION = 1;

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
}

export interface BenchResult {
  id: string;
  provider: string;
  precision: string;
  batchSize: number;
  /** The model file measured (a bundle's variant path is relative to the bundle). */
  file: string;
  inputs: Record<string, number[]>;
  /** Timed runs (warm-up excluded). */
  iterations: number;
  latencyMs: LatencySummary;
  /** Samples per second: batchSize × 1000 / mean latency. */
  throughput: number;
  sessionCreateMs: number;
  peakRssBytes: number;
  threads: number;
  /** The highest throughput among the results of its batch size. */
  best: boolean;
}

export interface BenchSkip {
  id: string;
  provider: string;
  precision: string;
  batchSize: number;
  reason: string;
}

export interface BenchDocument {
  schemaVersion: number;
  tool: 'mlserve bench';
  createdAt: string;
  mlserve: string;
  onnxruntime: { node: string; web?: string };
  host: { platform: string; arch: string; cpu: string; cpus: number; node: string };
  target: { path: string; kind: 'model' | 'bundle' };
  settings: {
    warmup: number;
    iterations: number | null;
    durationMs: number | null;
    threads: number;
    graphOptimizationLevel: string;
    inputs: string | null;
    /** --input-value: inputs filled with one value instead of random ones. */
    inputValues: Record<string, number> | null;
  };
  results: BenchResult[];
  skipped: BenchSkip[];
  /** Batch size → id of its best result. */
  bestByBatchSize: Record<string, string>;
  selection?: ManifestSelection;
  comparison?: BaselineComparison;
}

export interface BenchRun {
  document: BenchDocument;
  /** Result id → every timed latency in ms, in the order measured. */
  samples: Record<string, number[]>;
}
