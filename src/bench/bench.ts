/**
 * bench(): measure a model file (per provider × batch size) or a compiled bundle (per variant) on this
 * machine. Variants run one after another, each in a fresh child process (bench-child.ts), so one
 * variant's memory and thread pools never colour the next one's figures and its peak RSS is its own.
 * Latency statistics, throughput and the best result per batch size are computed here; with `select`
 * the choice of variants to serve is written into the bundle's manifest; with a baseline, each result
 * is compared with the earlier run.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBundleDir, readManifest, writeManifest, type BundleManifest, type OrtLevel } from '../compile/bundle-manifest.js';
import { mlserveVersion } from '../compile/mlserve-version.js';
import { planVariants } from '../compile/plan-variants.js';
import { assertBundleIntact, variantPath, verifyBundle } from '../compile/verify-bundle.js';
import { MlserveError } from '../errors.js';
import { loadModel } from '../ir/model-file.js';
import { dataTypeByName } from '../onnx/data-type.js';
import { modelInputSpecs } from '../runtime/model-inputs.js';
import { isProviderName, providerStatus, requireProviders, runtimeVersions, type ProviderName } from '../runtime/providers.js';
import { BENCH_SCHEMA_VERSION, type BenchDocument, type BenchResult, type BenchRun, type BenchSkip } from './bench-document.js';
import type { Phase, VariantJob, VariantMeasurement } from './bench-variant.js';
import { compareToBaseline, readBaseline } from './compare-baseline.js';
import { latencyStats } from './latency-stats.js';
import { modelPrecision } from './model-precision.js';
import { defaultParallelism } from '../serve/default-parallelism.js';
import { selectVariants } from './select-variants.js';

export interface BenchOptions {
  /** Only these providers (a model file: default ['cpu']; a bundle: default all its variants'). */
  providers?: readonly string[];
  /** Only these batch sizes (a model file: default [1]). */
  batchSizes?: readonly number[];
  /** Untimed runs first; default 5. */
  warmup?: number;
  /** Timed runs per variant… */
  iterations?: number;
  /** …or time per variant; default 5000 ms when neither is given. */
  durationMs?: number;
  /**
   * Intra-op threads (onnxruntime-web: its thread count); default os.availableParallelism(), and with
   * `select` the threads each `mlserve serve` worker runs with by default.
   */
  threads?: number;
  /** Level sessions are created with; default 'all', as `serve` loads them. */
  graphOptimizationLevel?: OrtLevel;
  /** A folder of input tensors (as `optimize --inputs`): its first set, repeated along the batch axis. */
  inputs?: string;
  /** A model file's other symbolic dims. */
  inputShapes?: Map<string, number[]>;
  fixDims?: Record<string, number>;
  /** Inputs filled with one value instead of random ones (--input-value). */
  inputValues?: Record<string, number>;
  batchDim?: string;
  /** Write the best variant per batch size and the batch sizes worth serving into the bundle's manifest. */
  select?: boolean;
  /** For select: only variants whose p99 latency is within this. */
  maxLatencyMs?: number;
  /** An earlier `bench --json` document to compare with. */
  baseline?: string;
  /** With a baseline: results more than this many percent slower are regressions. */
  failOnRegressionPercent?: number;
  onProgress?: (message: string) => void;
}

export const DEFAULT_DURATION_MS = 5000;
export const DEFAULT_WARMUP = 5;

interface Planned {
  job: VariantJob;
  precision: string;
  /** As reported: relative to the bundle for a variant. */
  file: string;
}

export async function bench(target: string, options: BenchOptions = {}): Promise<BenchRun> {
  const progress = options.onProgress ?? (() => {});
  if (options.select && options.maxLatencyMs !== undefined && !(options.maxLatencyMs > 0)) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '--max-latency-ms', value: String(options.maxLatencyMs), reason: 'expected a positive number' });
  }
  if (!fs.existsSync(target)) throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: target });
  const bundle = isBundleDir(target);
  if (!bundle && fs.statSync(target).isDirectory()) {
    throw new MlserveError('MLS_ERR_BUNDLE_MANIFEST_INVALID', { file: path.join(target, 'manifest.json'), reason: 'the folder has no manifest.json (bench takes a .onnx file or a bundle written by `mlserve compile`)' });
  }
  if (options.select && !bundle) {
    throw new MlserveError('MLS_ERR_USAGE', { message: '--select writes into a bundle\'s manifest: bench a bundle directory made by `mlserve compile`' });
  }
  if (options.failOnRegressionPercent !== undefined && options.baseline === undefined) {
    throw new MlserveError('MLS_ERR_USAGE', { message: '--fail-on-regression needs --baseline OLD.json' });
  }
  // Read the baseline before spending minutes measuring.
  const baseline = options.baseline !== undefined ? readBaseline(options.baseline) : undefined;

  // --select chooses what `mlserve serve` will run, so by default it measures each variant as one serving
  // worker runs it (serve's default intra-op threads per worker); otherwise one session gets every core.
  const threads = options.threads ?? (options.select ? defaultParallelism(os.availableParallelism()).threadsPerWorker : os.availableParallelism());
  const settings = {
    warmup: options.warmup ?? DEFAULT_WARMUP,
    iterations: options.iterations ?? null,
    durationMs: options.iterations === undefined ? (options.durationMs ?? DEFAULT_DURATION_MS) : (options.durationMs ?? null),
    threads,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    inputs: options.inputs ?? null,
    inputValues: options.inputValues ? { ...options.inputValues } : null,
  };
  const skipped: BenchSkip[] = [];
  let manifest: BundleManifest | undefined;
  let planned: Planned[];
  if (bundle) {
    const result = await planBundle(target, options, settings, skipped);
    manifest = result.manifest;
    planned = result.planned;
  } else {
    planned = await planModel(target, options, settings);
  }
  if (planned.length === 0) {
    throw new MlserveError('MLS_ERR_BENCH_NOTHING_TO_RUN', {
      target, reason: skipped.length ? skipped.map((s) => `${s.id}: ${s.reason}`).join('; ') : 'no variant matches --provider and --batch',
    });
  }

  const results: BenchResult[] = [];
  const samples: Record<string, number[]> = {};
  for (const [i, p] of planned.entries()) {
    const label = `[${i + 1}/${planned.length}] ${p.job.id}`;
    let measured: VariantMeasurement;
    try {
      measured = await runInChild(p.job, (phase) => progress(`${label}: ${phase}`));
    } catch (e) {
      if (e instanceof MlserveError) throw e;
      skipped.push({ id: p.job.id, provider: p.job.provider, precision: p.precision, batchSize: p.job.batchSize, reason: (e as Error).message });
      continue;
    }
    const stats = latencyStats(measured.samples);
    samples[p.job.id] = measured.samples;
    results.push({
      id: p.job.id, provider: p.job.provider, precision: p.precision, batchSize: p.job.batchSize, file: p.file,
      inputs: Object.fromEntries(p.job.inputs.map((i) => [i.name, i.shape])),
      iterations: stats.count,
      latencyMs: { mean: stats.mean, p50: stats.p50, p90: stats.p90, p95: stats.p95, p99: stats.p99, max: stats.max, min: stats.min },
      throughput: (p.job.batchSize * 1000) / stats.mean,
      sessionCreateMs: measured.sessionCreateMs,
      peakRssBytes: measured.peakRssBytes,
      threads: measured.threads,
      best: false,
    });
  }
  if (results.length === 0) {
    throw new MlserveError('MLS_ERR_BENCH_NOTHING_TO_RUN', { target, reason: skipped.map((s) => `${s.id}: ${s.reason}`).join('; ') });
  }
  const bestByBatchSize: Record<string, string> = {};
  for (const size of [...new Set(results.map((r) => r.batchSize))].sort((a, b) => a - b)) {
    const best = results.filter((r) => r.batchSize === size).reduce((a, b) => (b.throughput > a.throughput ? b : a));
    best.best = true;
    bestByBatchSize[String(size)] = best.id;
  }

  const document: BenchDocument = {
    schemaVersion: BENCH_SCHEMA_VERSION,
    tool: 'mlserve bench',
    createdAt: new Date().toISOString(),
    mlserve: mlserveVersion(),
    onnxruntime: runtimeVersions(),
    host: { platform: process.platform, arch: process.arch, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cpus: os.availableParallelism(), node: process.version },
    target: { path: target, kind: bundle ? 'bundle' : 'model' },
    settings,
    results,
    skipped,
    bestByBatchSize,
  };

  if (options.select && manifest) {
    const selection = selectVariants(results, options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {});
    if (selection.servedBatchSizes.length === 0) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
        option: '--max-latency-ms', value: String(options.maxLatencyMs), reason: `no variant meets it; ${selection.notServed.map((n) => `batch ${n.batchSize}: ${n.reason}`).join('; ')}`,
      });
    }
    document.selection = {
      selectedAt: document.createdAt,
      maxLatencyMs: options.maxLatencyMs ?? null,
      ...selection,
      bench: { threads, warmup: settings.warmup, iterations: settings.iterations, durationMs: settings.durationMs, host: `${document.host.cpu} × ${document.host.cpus}, ${document.host.platform}-${document.host.arch}` },
    };
    writeManifest(target, { ...manifest, selection: document.selection });
  }
  if (baseline) {
    document.comparison = compareToBaseline(results, baseline, {
      file: options.baseline!, ...(options.failOnRegressionPercent !== undefined ? { thresholdPercent: options.failOnRegressionPercent } : {}),
    });
  }
  return { document, samples };
}

async function planBundle(dir: string, options: BenchOptions, settings: { threads: number; graphOptimizationLevel: OrtLevel; warmup: number; iterations: number | null; durationMs: number | null }, skipped: BenchSkip[]) {
  const wantedProviders = options.providers ? new Set<string>(await requireProviders(options.providers)) : undefined;
  const wantedSizes = options.batchSizes ? new Set(options.batchSizes) : undefined;
  const manifest = readManifest(dir);
  const chosen = manifest.variants.filter((v) => (!wantedProviders || wantedProviders.has(v.provider)) && (!wantedSizes || wantedSizes.has(v.batchSize)));
  // Never measure (or select) a model other than the one the manifest describes.
  assertBundleIntact(verifyBundle(dir, new Set(chosen.map((v) => v.id))));
  const planned: Planned[] = [];
  for (const v of chosen) {
    const status = isProviderName(v.provider) ? await providerStatus(v.provider) : undefined;
    if (!status?.usable) {
      skipped.push({ id: v.id, provider: v.provider, precision: v.precision, batchSize: v.batchSize, reason: `provider not usable here: ${status?.reason ?? 'unknown provider'}` });
      continue;
    }
    planned.push({
      precision: v.precision,
      file: v.file,
      job: {
        ...jobSettings(options, settings, v.id),
        provider: v.provider as ProviderName,
        file: path.resolve(variantPath(dir, v)),
        batchSize: v.batchSize,
        inputs: Object.entries(v.inputs).map(([name, shape]) => ({
          name, dtype: dataTypeByName(v.inputTypes?.[name] ?? 'float32')?.id ?? 1, shape,
          ...(v.batchAxes[name] !== undefined ? { batchAxis: v.batchAxes[name] } : {}),
        })),
      },
    });
  }
  return { manifest, planned };
}

async function planModel(file: string, options: BenchOptions, settings: { threads: number; graphOptimizationLevel: OrtLevel; warmup: number; iterations: number | null; durationMs: number | null }): Promise<Planned[]> {
  const providers = await requireProviders(options.providers ?? ['cpu']);
  const model = loadModel(file);
  const specs = modelInputSpecs(model);
  const precision = modelPrecision(model);
  const plan = planVariants({
    inputs: specs, providers, batchSizes: options.batchSizes ?? [1], precisions: [precision], file,
    ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}),
    ...(options.fixDims ? { fixDims: options.fixDims } : {}),
    ...(options.batchDim !== undefined ? { batchDim: options.batchDim } : {}),
  });
  if (plan.variants.length === 0) {
    throw new MlserveError('MLS_ERR_BENCH_NOTHING_TO_RUN', { target: file, reason: plan.skipped.map((s) => `batch ${s.batchSize}: ${s.reason}`).join('; ') });
  }
  return plan.variants.map((v) => ({
    precision,
    file,
    job: {
      ...jobSettings(options, settings, v.id),
      provider: v.provider as ProviderName,
      file: path.resolve(file),
      batchSize: v.batchSize,
      inputs: specs.map((s) => ({ name: s.name, dtype: s.dtype, shape: v.inputs[s.name]!, ...(v.batchAxes[s.name] !== undefined ? { batchAxis: v.batchAxes[s.name] } : {}) })),
    },
  }));
}

function jobSettings(options: BenchOptions, settings: { threads: number; graphOptimizationLevel: OrtLevel; warmup: number; iterations: number | null; durationMs: number | null }, id: string) {
  return {
    id,
    threads: settings.threads,
    graphOptimizationLevel: settings.graphOptimizationLevel,
    warmup: settings.warmup,
    ...(settings.iterations !== null ? { iterations: settings.iterations } : {}),
    ...(settings.durationMs !== null ? { durationMs: settings.durationMs } : {}),
    ...(options.inputs !== undefined ? { inputsDir: path.resolve(options.inputs) } : {}),
    ...(options.inputValues ? { fill: options.inputValues } : {}),
    seed: 1234,
  };
}

type FromChild =
  | { type: 'phase'; phase: Phase }
  | { type: 'done'; result: VariantMeasurement }
  | { type: 'error'; error: { code?: string; details?: unknown; message: string } };

/** Runs one job in a fresh process; its stdout is discarded (nothing may reach ours), its stderr kept for a crash report. */
function runInChild(job: VariantJob, onPhase: (phase: Phase) => void): Promise<VariantMeasurement> {
  const script = fileURLToPath(new URL('./bench-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    let settled = false;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
    child.on('message', (message: FromChild) => {
      if (message.type === 'phase') onPhase(message.phase);
      else if (message.type === 'done') { settled = true; resolve(message.result); }
      else {
        settled = true;
        const { error } = message;
        reject(error.code ? MlserveError.fromPlain({ code: error.code, details: error.details }) : new Error(firstLine(error.message)));
      }
    });
    child.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      // Node ends a crash report with its version line; the error line above it says what happened.
      const lines = stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean);
      const cause = lines.findLast((l) => /error/i.test(l)) ?? lines.findLast((l) => !/^Node\.js v/.test(l));
      reject(new Error(`the benchmark process died (${signal ?? `exit code ${code}`})${cause ? `: ${cause}` : ''}`));
    });
    child.send({ type: 'job', job });
  });
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}
