/**
 * optimize(): load → fix shapes → run the pass pipeline to a fixed point → prove the result computes
 * what the original does (onnxruntime, N inputs, within tolerance) → save atomically. When the proof
 * fails nothing is written; with `bisect`, prefixes of the pass list are re-run to name the first
 * pass whose rewrite broke equivalence.
 */
import { MlserveError } from '../errors.js';
import { loadModel, saveModel } from '../ir/model-file.js';
import type { Model } from '../ir/model.js';
import { encodeModel } from '../onnx/codec.js';
import type { WriteResult } from '../onnx/write-model-file.js';
import { modelSize } from '../passes/model-size.js';
import { passByName, presetPasses, PASSES, type Preset } from '../passes/index.js';
import { DEFAULT_PASS_OPTIONS, type Pass, type PassOptions } from '../passes/pass.js';
import { PassFailedError, runPipeline, type Decline, type PassRecord } from '../passes/pass-manager.js';
import { loadFeeds } from '../runtime/load-feeds.js';
import { modelInputSpecs } from '../runtime/model-inputs.js';
import type { OrtTensor } from '../runtime/ort-session.js';
import { concreteShape, randomFeeds, type InputSpec } from '../runtime/random-inputs.js';
import { checkEquivalence, type EquivalenceReport } from './check-equivalence.js';
import { fixInputShapes, type FixedShapes } from './fix-input-shapes.js';
import { calibrationSets, judgePrecision, precisionPasses, resolvePrecision, type PrecisionOptions, type PrecisionReport } from './precision.js';

export interface OptimizeOptions extends FixedShapes {
  /** A preset (default O2) or an explicit list of passes: registered names or Pass objects. */
  passes?: Preset | readonly (string | Pass)[];
  passOptions?: Partial<PassOptions>;
  /** Random feeds to verify with; 0 skips the check. Default 1. */
  check?: number;
  atol?: number;
  rtol?: number;
  /** The user's own feeds, used instead of random ones. */
  feeds?: Record<string, OrtTensor>[];
  /** A folder of tensor files to use as feeds (--inputs DIR; see runtime/load-feeds.ts). */
  inputs?: string;
  /** Inputs filled with one value instead of random ones (--input-value: a sample rate, a step count). */
  inputValues?: Record<string, number>;
  /** On a failed check, find the first pass that broke equivalence. */
  bisect?: boolean;
  /** Where to write the result; nothing is written without it. */
  output?: string;
  externalDataThresholdBytes?: number;
  /**
   * --precision fp16|int8: passes appended after the pipeline (run once), then an accuracy report
   * against the float32 model and a gate (see precision.ts). The equivalence check covers the float32
   * stage; nothing is written when the gate fails.
   */
  precision?: PrecisionOptions;
}

export interface OptimizeReport {
  input: string;
  output?: string;
  nodesBefore: number;
  nodesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  rounds: number;
  passes: PassRecord[];
  declines: Decline[];
  check?: EquivalenceReport;
  /** With --precision: what changed, the accuracy report and the gate's verdict. */
  precision?: PrecisionReport;
  written?: WriteResult;
  timeMs: number;
}

export const DEFAULT_TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

export function resolvePasses(spec: OptimizeOptions['passes']): Pass[] {
  if (spec === undefined) return presetPasses('O2');
  if (typeof spec === 'string') return presetPasses(spec);
  return spec.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const name = entry;
    const pass = passByName(name);
    if (!pass) throw new MlserveError('MLS_ERR_OPTIMIZE_UNKNOWN_PASS', { pass: name, known: PASSES.map((p) => p.name).join(', ') });
    return pass;
  });
}

export async function optimize(input: string, options: OptimizeOptions = {}): Promise<{ model: Model; report: OptimizeReport }> {
  const start = performance.now();
  const passes = resolvePasses(options.passes);
  const passOptions: PassOptions = { ...DEFAULT_PASS_OPTIONS, ...options.passOptions };
  const model = loadModel(input);
  const before = modelSize(model);
  const feedShapes = feedShapesFor(model, options);
  // On the reference copy too: a bad --input-shape, or an --inputs file that does not fit the fixed
  // shapes, fails here, before any pass runs.
  fixInputShapes(model, options);
  const feeds = options.feeds ?? (options.inputs !== undefined ? loadFeeds(options.inputs, modelInputSpecs(model)) : undefined);
  if (feeds) options = { ...options, feeds };

  const precision = options.precision ? resolvePrecision(options.precision) : undefined;
  const calibration = precision ? calibrationSets(precision, model, input) : undefined;
  const { pipeline, bytes, floatBytes } = await rewrite(input, options, passes, passOptions, precision ? precisionPasses(precision, calibration) : []);
  const after = modelSize(pipeline.model);
  const report: OptimizeReport = {
    input,
    nodesBefore: before.nodes, nodesAfter: after.nodes,
    bytesBefore: before.initializerBytes, bytesAfter: after.initializerBytes,
    rounds: pipeline.rounds, passes: pipeline.passes, declines: pipeline.declines,
    timeMs: 0,
  };

  const runs = options.check ?? 1;
  if (runs > 0 || feeds) {
    const check = await verify(input, floatBytes, modelInputSpecs(model), feedShapes, options, runs);
    report.check = check;
    if (!check.ok) {
      const worst = check.outputs.find((o) => o.mismatches > 0 || o.problem)!;
      const culprit = options.bisect ? await bisect(input, options, passes, passOptions, feedShapes, runs) : '';
      throw new MlserveError('MLS_ERR_OPTIMIZE_CHECK_FAILED', {
        file: input, output: worst.name, maxAbsError: worst.maxAbsError, maxRelError: worst.maxRelError,
        ...(worst.problem ? { problem: worst.problem } : {}), culprit,
      });
    }
  }
  if (precision) {
    const inputs = modelInputSpecs(model);
    const sets = feeds ?? calibration?.map((c) => c.feeds)
      ?? Array.from({ length: Math.max(runs, 1) }, (_, i) => randomFeeds(inputs, { shapes: feedShapes, seed: 1234 + i, fill: { ...maskFill(inputs), ...options.inputValues } }));
    const source = feeds ? 'inputs' : calibration ? 'calibration' : 'random';
    try {
      report.precision = await judgePrecision(input, bytes, precision, { sets, source }, pipeline.precisionPasses, calibration);
    } catch (e) {
      if (e instanceof MlserveError) throw e;
      throw new MlserveError('MLS_ERR_MODEL_NOT_RUNNABLE', { file: input, reason: `after --precision ${precision.precision}: ${firstLine((e as Error).message)}` }, { cause: e });
    }
  }
  if (options.output) {
    report.output = options.output;
    report.written = saveModel(pipeline.model, options.output,
      options.externalDataThresholdBytes !== undefined ? { externalData: { thresholdBytes: options.externalDataThresholdBytes } } : {});
  }
  report.timeMs = performance.now() - start;
  return { model: pipeline.model, report };
}

/**
 * Loads a fresh copy, fixes shapes, runs `passes` to a fixed point, then the precision passes once;
 * returns the model, its encoding, and the encoding of the float32 stage (what the check compares).
 */
async function rewrite(input: string, options: OptimizeOptions, passes: Pass[], passOptions: PassOptions, precision: Pass[] = []) {
  const model = loadModel(input);
  fixInputShapes(model, options);
  const result = await runStage(input, model, passes, passOptions);
  const floatBytes = encodeModel(model.toProto());
  if (precision.length === 0) return { pipeline: { model, ...result, precisionPasses: [] as PassRecord[] }, bytes: floatBytes, floatBytes };
  const stage = await runStage(input, model, precision, passOptions, 1);
  const pipeline = {
    model, rounds: result.rounds, passes: [...result.passes, ...stage.passes], declines: [...result.declines, ...stage.declines],
    precisionPasses: stage.passes,
  };
  return { pipeline, bytes: encodeModel(model.toProto()), floatBytes };
}

/** runPipeline, with a failing pass reported as the user's error it raised, or as MLS_ERR_PASS_FAILED. */
async function runStage(input: string, model: Model, passes: Pass[], passOptions: PassOptions, maxRounds?: number) {
  try {
    return await runPipeline(model, passes, passOptions, maxRounds);
  } catch (e) {
    if (!(e instanceof PassFailedError)) throw e;
    // A pass's own MlserveError (quantize_static without calibration inputs, …) is the user's to fix.
    if (e.cause instanceof MlserveError) throw e.cause;
    throw new MlserveError('MLS_ERR_PASS_FAILED', { file: input, pass: e.pass, reason: (e.cause as Error)?.message ?? String(e.cause) }, { cause: e });
  }
}

async function verify(input: string, candidate: Uint8Array, inputs: InputSpec[], shapes: Map<string, number[]>, options: OptimizeOptions, runs: number): Promise<EquivalenceReport> {
  try {
    return await checkEquivalence(input, candidate, inputs, {
      runs, feeds: options.feeds, feedOptions: { shapes, ...(options.inputValues ? { fill: options.inputValues } : {}) },
      atol: options.atol ?? DEFAULT_TOLERANCE.atol, rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol,
    });
  } catch (e) {
    if (e instanceof MlserveError) throw e;
    throw new MlserveError('MLS_ERR_MODEL_NOT_RUNNABLE', { file: input, reason: firstLine((e as Error).message) }, { cause: e });
  }
}

/** Re-runs growing prefixes of the pass list; the first prefix whose result fails the check names the culprit. */
async function bisect(input: string, options: OptimizeOptions, passes: Pass[], passOptions: PassOptions, shapes: Map<string, number[]>, runs: number): Promise<string> {
  const inputs = modelInputSpecs(loadModel(input));
  for (let n = 1; n <= passes.length; n++) {
    const { bytes } = await rewrite(input, options, passes.slice(0, n), passOptions);
    const check = await verify(input, bytes, inputs, shapes, options, Math.max(runs, 1));
    if (!check.ok) return passes[n - 1]!.name;
  }
  return '';
}

/**
 * Concrete shapes for the check's random feeds: what the user fixed, else the declared dims, with
 * symbolic ones set to 1 for the leading (batch) axis and 64 elsewhere — small enough to be quick,
 * large enough for a few strided convolutions.
 */
function feedShapesFor(model: Model, options: FixedShapes): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const spec of modelInputSpecs(model)) {
    const given = options.inputShapes?.get(spec.name);
    if (given) { shapes.set(spec.name, given); continue; }
    const withNamedDims = concreteShape(spec, { dims: options.fixDims, defaultDim: -1 });
    shapes.set(spec.name, withNamedDims.map((d, axis) => (d >= 0 ? d : axis === 0 ? 1 : 64)));
  }
  return shapes;
}

/**
 * Random integers in an attention mask make a transformer's additive mask overflow to ±Inf and its
 * outputs NaN, which tells an accuracy report nothing: integer inputs named like a mask get all ones.
 */
function maskFill(inputs: InputSpec[]): Record<string, number> {
  const INTEGER = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);
  return Object.fromEntries(inputs.filter((i) => /mask/i.test(i.name) && INTEGER.has(i.dtype)).map((i) => [i.name, 1]));
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
