/**
 * One variant's measurement, as run inside its own child process (bench-child.ts): load the session
 * (timed), make the feeds (random by dtype and shape, or the user's `--inputs DIR`, repeated along the
 * batch axis), warm up, run the timed loop, and read the process's peak RSS. A fresh process per
 * variant means a variant's peak RSS is its own, and onnxruntime-web can take this variant's thread
 * count (it fixes that once per process).
 */
import { MlserveError } from '../errors.js';
import { loadFeedSets } from '../runtime/load-feeds.js';
import { toOrtTensor } from '../runtime/plain-tensor.js';
import { createProviderSession, wasmThreadCount, type ProviderName } from '../runtime/providers.js';
import { randomFeeds, type InputSpec } from '../runtime/random-inputs.js';
import type { OrtTensor } from '../runtime/ort-session.js';
import { measureSession } from './measure-session.js';
import { tileBatch } from './tile-batch.js';

export interface VariantJob {
  id: string;
  provider: ProviderName;
  file: string;
  batchSize: number;
  /** Every input with its fixed shape, and its batch axis when it has one. */
  inputs: Array<{ name: string; dtype: number; shape: number[]; batchAxis?: number }>;
  threads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  warmup: number;
  iterations?: number;
  durationMs?: number;
  inputsDir?: string;
  /** Inputs filled with one value instead of random ones. */
  fill?: Record<string, number>;
  seed: number;
}

export interface VariantMeasurement {
  samples: number[];
  sessionCreateMs: number;
  /** The child process's peak resident set size: session, arena and runtime included. */
  peakRssBytes: number;
  /** Threads in force (onnxruntime-web's count, for wasm). */
  threads: number;
}

export type Phase = 'loading' | 'warmup' | 'measuring';

export async function benchVariant(job: VariantJob, onPhase: (phase: Phase) => void = () => {}): Promise<VariantMeasurement> {
  onPhase('loading');
  const feeds = job.inputsDir !== undefined ? userFeeds(job) : randomFeeds(job.inputs, { shapes: new Map(job.inputs.map((i) => [i.name, i.shape])), seed: job.seed, ...(job.fill ? { fill: job.fill } : {}) });
  const t0 = performance.now();
  const session = await createProviderSession(job.provider, job.file, { threads: job.threads, graphOptimizationLevel: job.graphOptimizationLevel });
  const sessionCreateMs = performance.now() - t0;
  try {
    const adopted = session.adoptFeeds(feeds);
    // Warm-up apart from the timed loop, so the phase note goes out in between rather than inside it.
    onPhase('warmup');
    for (let i = 0; i < job.warmup; i++) await session.raw.run(adopted);
    onPhase('measuring');
    const samples = await measureSession(session.raw, adopted, {
      warmup: 0,
      ...(job.iterations !== undefined ? { iterations: job.iterations } : {}),
      ...(job.durationMs !== undefined ? { durationMs: job.durationMs } : {}),
    });
    return {
      samples,
      sessionCreateMs,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      threads: job.provider === 'wasm' ? (wasmThreadCount() ?? job.threads) : job.threads,
    };
  } finally {
    await session.release();
  }
}

/** The first feed set in `--inputs DIR`, each batched input repeated to the variant's batch size. */
function userFeeds(job: VariantJob): Record<string, OrtTensor> {
  const dir = job.inputsDir!;
  // The batch axis is left open so a one-sample folder fits every variant.
  const specs: InputSpec[] = job.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape.map((d, axis) => (axis === i.batchAxis ? '__batch__' : d)) }));
  const [set] = loadFeedSets(dir, specs);
  const feeds: Record<string, OrtTensor> = {};
  for (const input of job.inputs) {
    const tensor = set!.tensors[input.name]!;
    try {
      feeds[input.name] = toOrtTensor(input.batchAxis === undefined ? tensor : tileBatch(tensor, input.batchAxis, job.batchSize));
    } catch (e) {
      throw new MlserveError('MLS_ERR_INPUT_FILE_MISMATCH', { file: set!.files[input.name]!, reason: `input '${input.name}' ${(e as Error).message}` });
    }
  }
  return feeds;
}
