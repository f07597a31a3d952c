/**
 * compile(): one source model → a bundle of fixed-shape variants, one per provider × precision ×
 * batch size, plus manifest.json. For each batch size the mlserve pipeline runs once on the model
 * with every input shape fixed (and proves itself in onnxruntime, as `optimize` does); then, per
 * provider, onnxruntime's own offline optimizer writes the variant at the level asked for (default
 * 'extended': 'all' bakes this CPU's memory layouts into the file, which belong to load time on the
 * machine that serves it). Each variant is then loaded in its own provider and compared with the
 * source model on the same random inputs.
 *
 * A combination a provider cannot load or run is retried at level 'basic' (standard ops only), then
 * skipped with the reason; a variant whose outputs differ from the source's fails the compile. The
 * bundle is built in a temporary folder beside the target and renamed into place at the end, so a
 * failed compile leaves any earlier bundle untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { loadModel } from '../ir/model-file.js';
import { dataTypeName } from '../onnx/data-type.js';
import { compareOutputs, type OutputComparison } from '../optimize/compare-outputs.js';
import { DEFAULT_TOLERANCE, optimize, type OptimizeOptions } from '../optimize/optimize.js';
import type { PassOptions } from '../passes/pass.js';
import { modelInputSpecs } from '../runtime/model-inputs.js';
import { createSession } from '../runtime/ort-session.js';
import { createProviderSession, requireProviders, runtimeVersions, type ProviderName } from '../runtime/providers.js';
import { randomFeeds } from '../runtime/random-inputs.js';
import { runSession, type OutputTensor } from '../runtime/run-session.js';
import { isBundleDir, MANIFEST_SCHEMA_VERSION, ORT_LEVELS, writeManifest, type BundleManifest, type ManifestSkip, type ManifestVariant, type OrtLevel } from './bundle-manifest.js';
import { mlserveVersion } from './mlserve-version.js';
import { planVariants, PRECISIONS, type PlannedVariant, type Precision } from './plan-variants.js';
import { sha256File } from './verify-bundle.js';

export interface CompileOptions {
  /** The bundle directory to write (replaced atomically if it is already a bundle). */
  output: string;
  /** Default ['cpu']. */
  providers?: readonly string[];
  /** Default [1]. */
  batchSizes?: readonly number[];
  /** Default ['fp32']; fp16 and int8 are not built yet. */
  precisions?: readonly string[];
  inputShapes?: Map<string, number[]>;
  fixDims?: Record<string, number>;
  /** Inputs the checks fill with one value instead of random ones (--input-value). */
  inputValues?: Record<string, number>;
  batchDim?: string;
  /** mlserve's pipeline: a preset (default 'O2') or a list of pass names. */
  passes?: OptimizeOptions['passes'];
  passOptions?: Partial<PassOptions>;
  /** Random inputs for the checks (mlserve's pipeline, then each variant against the source); 0 skips comparing. Default 1. */
  check?: number;
  atol?: number;
  rtol?: number;
  /** onnxruntime's offline optimization level; default 'extended'. */
  optimizationLevel?: OrtLevel;
  /** Intra-op threads for the checks; default 2. */
  threads?: number;
  onProgress?: (message: string) => void;
}

export interface CompileResult {
  output: string;
  manifest: BundleManifest;
  /** Per variant built: how long it took (pipeline share included). */
  timings: Record<string, number>;
  skipped: ManifestSkip[];
  timeMs: number;
}

export const DEFAULT_ORT_LEVEL: OrtLevel = 'extended';

export function checkPrecisions(precisions: readonly string[]): Precision[] {
  return precisions.map((p) => {
    const name = p.trim().toLowerCase();
    if (!(PRECISIONS as readonly string[]).includes(name)) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '--precision', value: p, reason: `unknown precision (known: ${PRECISIONS.join(', ')})` });
    }
    if (name !== 'fp32') {
      throw new MlserveError('MLS_ERR_PRECISION_UNSUPPORTED', { precision: name, reason: `not yet supported: ${name} variants need the ${name === 'fp16' ? 'float16 conversion' : 'int8 quantization'} passes, which are not built yet` });
    }
    return name as Precision;
  });
}

export async function compile(source: string, options: CompileOptions): Promise<CompileResult> {
  const start = performance.now();
  const progress = options.onProgress ?? (() => {});
  const level = options.optimizationLevel ?? DEFAULT_ORT_LEVEL;
  if (!ORT_LEVELS.includes(level)) throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '--ort-level', value: level, reason: `expected one of ${ORT_LEVELS.join(', ')}` });
  const precisions = checkPrecisions(options.precisions ?? ['fp32']);
  const providers = await requireProviders(options.providers ?? ['cpu']);
  const batchSizes = options.batchSizes ?? [1];
  const check = options.check ?? 1;
  const tolerance = { atol: options.atol ?? DEFAULT_TOLERANCE.atol, rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol };
  const threads = options.threads ?? 2;

  const model = loadModel(source);
  const specs = modelInputSpecs(model);
  const plan = planVariants({
    inputs: specs, providers, batchSizes, precisions, file: source,
    ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}),
    ...(options.fixDims ? { fixDims: options.fixDims } : {}),
    ...(options.batchDim !== undefined ? { batchDim: options.batchDim } : {}),
  });
  const inputTypes = Object.fromEntries(specs.map((s) => [s.name, dataTypeName(s.dtype)]));
  const sourceStat = fs.statSync(source);
  const sourceInfo = { file: path.basename(source), sha256: sha256File(source), bytes: sourceStat.size };

  const output = path.resolve(options.output);
  const tmp = prepareTemporaryBundle(output);
  const stage = path.join(tmp, '.stage');
  fs.mkdirSync(stage, { recursive: true });
  fs.mkdirSync(path.join(tmp, 'variants'), { recursive: true });

  const variants: ManifestVariant[] = [];
  const skipped: ManifestSkip[] = [...plan.skipped];
  const timings: Record<string, number> = {};
  try {
    // One pipeline run per (precision, batch size); every provider's variant starts from its result.
    const groups = new Map<string, PlannedVariant[]>();
    for (const v of plan.variants) groups.set(`${v.precision}/${v.batchSize}`, [...(groups.get(`${v.precision}/${v.batchSize}`) ?? []), v]);
    for (const group of groups.values()) {
      const first = group[0]!;
      const groupStart = performance.now();
      const shapes = new Map(Object.entries(first.inputs));
      const staged = path.join(stage, `${first.precision}-b${first.batchSize}.onnx`);
      progress(`batch ${first.batchSize}: mlserve passes`);
      let passes: string[];
      try {
        const fixDims = { ...options.fixDims, ...(plan.batchSymbol ? { [plan.batchSymbol]: first.batchSize } : {}) };
        const { report } = await optimize(source, {
          passes: options.passes ?? 'O2', ...(options.passOptions ? { passOptions: options.passOptions } : {}),
          inputShapes: shapes, fixDims, check, ...tolerance, output: staged,
          ...(options.inputValues ? { inputValues: options.inputValues } : {}),
        });
        passes = report.passes.filter((p) => p.roundsModified > 0).map((p) => p.name);
      } catch (e) {
        // The model itself cannot run at this shape: no provider can, so skip the whole group.
        if (e instanceof MlserveError && e.code === 'MLS_ERR_MODEL_NOT_RUNNABLE') {
          for (const v of group) skipped.push({ provider: v.provider, precision: v.precision, batchSize: v.batchSize, reason: e.message });
          continue;
        }
        throw e;
      }
      const feedSets = Array.from({ length: Math.max(check, 1) }, (_, i) => randomFeeds(specs, { shapes, seed: 4242 + i, ...(options.inputValues ? { fill: options.inputValues } : {}) }));
      const reference = check > 0 ? await referenceOutputs(source, feedSets, threads) : [];
      const pipelineMs = (performance.now() - groupStart) / group.length;
      for (const planned of group) {
        const variantStart = performance.now();
        progress(`batch ${planned.batchSize}: ${planned.provider} (onnxruntime ${level})`);
        const built = await buildVariant(planned, staged, path.join(tmp, ...planned.file.split('/')), level, { feedSets, reference, tolerance, threads, check, source });
        if ('skip' in built) {
          skipped.push({ provider: planned.provider, precision: planned.precision, batchSize: planned.batchSize, reason: built.skip });
          continue;
        }
        const file = path.join(tmp, ...planned.file.split('/'));
        variants.push({
          id: planned.id, file: planned.file, sha256: sha256File(file), bytes: fs.statSync(file).size,
          provider: planned.provider, precision: planned.precision, batchSize: planned.batchSize,
          inputs: planned.inputs, inputTypes, batchAxes: planned.batchAxes,
          outputs: built.outputs, outputTypes: built.outputTypes,
          passes, optimizationLevel: built.level, optimizedWith: built.optimizedWith,
          ...(built.levelNote ? { levelNote: built.levelNote } : {}),
          opset: opsetOf(file), check: built.check, createdAt: new Date().toISOString(),
        });
        timings[planned.id] = pipelineMs + (performance.now() - variantStart);
      }
    }
    if (variants.length === 0) {
      throw new MlserveError('MLS_ERR_COMPILE_NO_VARIANTS', { file: source, reasons: skipped.map((s) => `${s.provider} ${s.precision} batch ${s.batchSize}: ${s.reason}`).join('; ') || 'no combination was asked for' });
    }
    fs.rmSync(stage, { recursive: true, force: true });
    const manifest: BundleManifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      kind: 'mlserve-bundle',
      createdAt: new Date().toISOString(),
      source: sourceInfo,
      mlserve: mlserveVersion(),
      onnxruntime: runtimeVersions(),
      compile: {
        providers, batchSizes: [...new Set(batchSizes)].sort((a, b) => a - b), precisions,
        inputShapes: Object.fromEntries(options.inputShapes ?? []), fixDims: { ...options.fixDims },
        batchDim: options.batchDim ?? null,
        passes: typeof options.passes === 'string' ? options.passes : options.passes ? options.passes.map((p) => (typeof p === 'string' ? p : p.name)).join(',') : 'O2',
        optimizationLevel: level,
      },
      variants,
      skipped,
    };
    writeManifest(tmp, manifest);
    commitBundle(tmp, output);
    return { output, manifest, timings, skipped, timeMs: performance.now() - start };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

interface BuildContext {
  feedSets: ReturnType<typeof randomFeeds>[];
  reference: Record<string, OutputTensor>[];
  tolerance: { atol: number; rtol: number };
  threads: number;
  check: number;
  source: string;
}

type Built =
  | { skip: string }
  | { level: OrtLevel; levelNote?: string; optimizedWith: string; outputs: Record<string, number[]>; outputTypes: Record<string, string>; check: ManifestVariant['check'] };

/**
 * The onnxruntime-node provider that runs the offline optimization: for wasm the CPU provider (the
 * same kernels, compiled to WebAssembly); at 'basic' and below, the CPU provider for every target,
 * since those rewrites use standard operators only (and providers that compile subgraphs, such as
 * TensorRT, cannot save a model at all).
 */
function offlineProvider(provider: string, level: OrtLevel): string {
  return provider === 'wasm' || level === 'basic' || level === 'disabled' ? 'cpu' : provider;
}

async function buildVariant(planned: PlannedVariant, staged: string, out: string, level: OrtLevel, ctx: BuildContext): Promise<Built> {
  const levels: OrtLevel[] = level === 'extended' || level === 'all' ? [level, 'basic'] : [level];
  const failures: string[] = [];
  for (const lvl of levels) {
    const ep = offlineProvider(planned.provider, lvl);
    try {
      await offlineOptimize(staged, out, lvl, ep);
    } catch (e) {
      failures.push(`onnxruntime's ${lvl} optimization for ${ep} failed: ${firstLine(e)}`);
      continue;
    }
    let session;
    try {
      // The file's own graph, as written (graph optimizations off, like the source's reference run): what
      // the check judges is the rewrites baked into the file. Load-time optimizations at 'all' pick other
      // kernels (NCHWc convolutions) for the variant and the original alike; on Windows ML's Candy style
      // transfer that alone moved outputs of 0–255 by 0.05, past the default tolerance.
      session = await createProviderSession(planned.provider as ProviderName, out, { threads: ctx.threads, graphOptimizationLevel: 'disabled' });
    } catch (e) {
      failures.push(`${planned.provider} cannot load the ${lvl}-level model: ${firstLine(e)}`);
      continue;
    }
    try {
      const worst = new Map<string, OutputComparison>();
      let outputs: Record<string, OutputTensor> = {};
      for (const [i, feeds] of ctx.feedSets.entries()) {
        outputs = await session.run(feeds);
        if (ctx.check === 0) break;
        for (const c of compareOutputs(ctx.reference[i]!, outputs, ctx.tolerance)) {
          const prev = worst.get(c.name);
          worst.set(c.name, prev ? { ...c, maxAbsError: Math.max(prev.maxAbsError, c.maxAbsError), maxRelError: Math.max(prev.maxRelError, c.maxRelError), mismatches: prev.mismatches + c.mismatches, ...(prev.problem ? { problem: prev.problem } : {}) } : c);
        }
      }
      const bad = [...worst.values()].find((c) => c.mismatches > 0 || c.problem);
      if (bad) {
        throw new MlserveError('MLS_ERR_COMPILE_CHECK_FAILED', {
          file: ctx.source, variant: planned.id, output: bad.problem ? `${bad.name}' (${bad.problem})`.replace(/'$/, '') : bad.name,
          maxAbsError: bad.maxAbsError, maxRelError: bad.maxRelError,
        });
      }
      const all = [...worst.values()];
      return {
        level: lvl,
        ...(failures.length ? { levelNote: failures.join('; ') } : {}),
        optimizedWith: `onnxruntime-node ${runtimeVersions().node} (${ep})`,
        outputs: Object.fromEntries(Object.entries(outputs).map(([n, t]) => [n, [...t.dims]])),
        outputTypes: Object.fromEntries(Object.entries(outputs).map(([n, t]) => [n, t.dtype])),
        check: ctx.check === 0 ? null : {
          runs: ctx.feedSets.length, ...ctx.tolerance,
          maxAbsError: Math.max(0, ...all.map((c) => c.maxAbsError)), maxRelError: Math.max(0, ...all.map((c) => c.maxRelError)),
        },
      };
    } catch (e) {
      if (e instanceof MlserveError) throw e;
      failures.push(`${planned.provider} cannot run the ${lvl}-level model: ${firstLine(e)}`);
    } finally {
      await session.release();
    }
  }
  fs.rmSync(out, { force: true });
  return { skip: failures.join('; ') };
}

async function offlineOptimize(input: string, output: string, level: OrtLevel, provider: string): Promise<void> {
  if (level === 'disabled') {
    fs.copyFileSync(input, output);
    return;
  }
  const session = await createSession(input, { graphOptimizationLevel: level, executionProviders: [provider], optimizedModelFilePath: output });
  await session.release();
  if (!fs.existsSync(output)) throw new Error('onnxruntime wrote no optimized model');
}

async function referenceOutputs(source: string, feedSets: ReturnType<typeof randomFeeds>[], threads: number): Promise<Record<string, OutputTensor>[]> {
  let session;
  try {
    session = await createSession(source, { threads, graphOptimizationLevel: 'disabled' });
  } catch (e) {
    throw new MlserveError('MLS_ERR_MODEL_NOT_RUNNABLE', { file: source, reason: firstLine(e) }, { cause: e });
  }
  try {
    const outputs: Record<string, OutputTensor>[] = [];
    for (const feeds of feedSets) outputs.push(await runSession(session, feeds));
    return outputs;
  } finally {
    await session.release();
  }
}

/**
 * The opsets a variant imports for the domains its nodes use (onnxruntime's writer imports every domain
 * it registers; only the used ones say what the file needs), the default domain always included.
 */
function opsetOf(file: string): Record<string, number> {
  const model = loadModel(file);
  const used = new Set<string>(['']);
  for (const graph of model.graph.allGraphs()) for (const node of graph.nodes) used.add(node.domain === 'ai.onnx' ? '' : node.domain);
  return Object.fromEntries(model.opsetImport
    .filter((o) => used.has(o.domain === 'ai.onnx' ? '' : (o.domain ?? '')))
    .map((o) => [o.domain ? o.domain : 'ai.onnx', Number(o.version ?? 0)]));
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n').map((s) => s.trim()).find(Boolean) ?? 'unknown error';
}

/**
 * A fresh temporary folder beside `output` (same filesystem, so the final rename is atomic). Refuses
 * to replace anything that is not an mlserve bundle or an empty folder.
 */
function prepareTemporaryBundle(output: string): string {
  if (fs.existsSync(output)) {
    const stat = fs.statSync(output);
    const replaceable = stat.isDirectory() && (isBundleDir(output) || fs.readdirSync(output).length === 0);
    if (!replaceable) {
      throw new MlserveError('MLS_ERR_WRITE_FAILED', { file: output, reason: 'it exists and is not an mlserve bundle; remove it or choose another -o' });
    }
  }
  const parent = path.dirname(output);
  try {
    fs.mkdirSync(parent, { recursive: true });
    return fs.mkdtempSync(path.join(parent, `.${path.basename(output)}.tmp-`));
  } catch (e) {
    throw new MlserveError('MLS_ERR_WRITE_FAILED', { file: output, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
  }
}

/** Renames the finished bundle into place; an existing bundle is moved aside first and removed after. */
function commitBundle(tmp: string, output: string): void {
  try {
    if (!fs.existsSync(output)) {
      fs.renameSync(tmp, output);
      return;
    }
    const old = path.join(path.dirname(output), `.${path.basename(output)}.old-${process.pid}-${Date.now()}`);
    fs.renameSync(output, old);
    try {
      fs.renameSync(tmp, output);
    } catch (e) {
      fs.renameSync(old, output);
      throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    throw new MlserveError('MLS_ERR_WRITE_FAILED', { file: output, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
  }
}
