/**
 * What the pass tests share. Two ways to run passes: `runPasses` runs them to a fixed point on a
 * fresh copy of a model, in memory (for models onnxruntime cannot run, or where the test proves
 * equivalence itself with `assertEquivalent`); `optimizeBuilt`/`optimizeCorpus` go through optimize(),
 * which proves the result equal to the original in onnxruntime or throws. Then reading the result:
 * op types left, stats, reasons declined.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Model } from '../../src/ir/model.js';
import { loadModel } from '../../src/ir/model-file.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import type { ModelProto } from '../../src/onnx/proto-types.js';
import { checkEquivalence } from '../../src/optimize/check-equivalence.js';
import { optimize, type OptimizeOptions, type OptimizeReport } from '../../src/optimize/optimize.js';
import { passByName } from '../../src/passes/index.js';
import { runPipeline, type PipelineResult } from '../../src/passes/pass-manager.js';
import { DEFAULT_PASS_OPTIONS, type Pass, type PassOptions } from '../../src/passes/pass.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import type { OrtTensor } from '../../src/runtime/ort-session.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { REAL_MODELS, repoRoot, type CorpusModel } from '../support/corpus.js';
import { writeTemp } from '../support/temp-files.js';

export interface PassRun {
  /** The model as it was, encoded (the reference for equivalence). */
  original: Uint8Array;
  model: Model;
  result: PipelineResult;
  /** Decline reasons of every pass, keyed by node label. */
  why: Map<string, string>;
  /** The rewritten model, encoded. */
  bytes: () => Uint8Array;
}

export type Run = { model: Model; report: OptimizeReport };

/** A pass from the registry by name (fails the test when it is not registered). */
export function registered(name: string): Pass {
  const pass = passByName(name);
  assert.ok(pass, `pass ${name} is registered`);
  return pass;
}

/**
 * Runs `passes` (registry names or Pass objects) to a fixed point on a fresh copy of `source` (a
 * ModelProto or a file), without saving or checking the result.
 */
export async function runPasses(source: ModelProto | string, passes: readonly (string | Pass)[], options: Partial<PassOptions> = {}, maxRounds?: number): Promise<PassRun> {
  const original = typeof source === 'string' ? encodeModel(loadModel(source).toProto()) : encodeModel(source);
  const model = typeof source === 'string' ? loadModel(source) : modelFromProto(decodeModel(original), 'test');
  const list = passes.map((p) => (typeof p === 'string' ? registered(p) : p));
  const result = await runPipeline(model, list, { ...DEFAULT_PASS_OPTIONS, ...options }, maxRounds);
  const why = new Map(result.declines.map((d) => [d.node, d.reason]));
  return { original, model, result, why, bytes: () => encodeModel(model.toProto()) };
}

/** The rewritten model runs in onnxruntime and matches the original on `runs` random feeds. */
export async function assertEquivalent(run: PassRun, opts: { shapes?: Record<string, number[]>; fill?: Record<string, number>; atol?: number; rtol?: number; runs?: number } = {}): Promise<void> {
  const report = await checkEquivalence(run.original, run.bytes(), modelInputSpecs(run.model), {
    runs: opts.runs ?? 2,
    feedOptions: { shapes: new Map(Object.entries(opts.shapes ?? {})), fill: opts.fill, defaultDim: 2 },
    atol: opts.atol ?? 1e-4,
    rtol: opts.rtol ?? 1e-3,
  });
  assert.ok(report.ok, `outputs differ: ${JSON.stringify(report.outputs)}`);
}

/** Runs `passes` on a built model with a 2-run equivalence check (optimize throws on a mismatch). */
export async function optimizeBuilt(proto: ModelProto, passes: string[], options: OptimizeOptions = {}): Promise<Run> {
  return optimize(writeTemp(proto), { passes, check: 2, ...options });
}

export function corpusModel(name: string): CorpusModel {
  const entry = REAL_MODELS.find((m) => m.name === name);
  if (!entry) throw new Error(`no corpus model '${name}'`);
  return entry;
}

export const fixture = (name: string): string => path.join(repoRoot, 'fixtures', 'models', `${name}.onnx`);

/** Runs `passes` on a corpus model, checked on feeds fitted to it (its shapes, Silero's sample rate). */
export async function optimizeCorpus(name: string, passes: string[], options: OptimizeOptions = {}): Promise<Run> {
  const entry = corpusModel(name);
  const specs = modelInputSpecs(loadModel(entry.file));
  const feeds = entry.shapes || entry.fill
    ? [0, 1].slice(0, options.check ?? 1).map((seed) => randomFeeds(specs, { shapes: new Map(Object.entries(entry.shapes ?? {})), fill: entry.fill, seed }))
    : undefined;
  return optimize(entry.file, { passes, check: 1, feeds, ...options });
}

/**
 * Feeds that take Silero VAD down both of its sample-rate branches (8 kHz and 16 kHz), with v4 at two
 * batch sizes: the If bodies folding rewrites must all still compute what they did.
 */
export function sileroFeeds(name: 'silero-vad-v4' | 'silero-vad-v5'): Record<string, OrtTensor>[] {
  const entry = corpusModel(name);
  const specs = modelInputSpecs(loadModel(entry.file));
  const cases = name === 'silero-vad-v4'
    ? [[8000, 1, 512], [16000, 1, 512], [8000, 2, 256], [16000, 2, 1024]]
    : [[8000, 1, 256], [16000, 1, 512]]; // v5 takes 256 samples at 8 kHz, 512 at 16 kHz
  return cases.map(([sr, batch, samples], seed) => {
    const shapes = new Map<string, number[]>([['input', [batch!, samples!]]]);
    for (const [input, shape] of Object.entries(entry.shapes ?? {})) if (input !== 'input') shapes.set(input, [shape[0]!, batch!, ...shape.slice(2)]);
    return randomFeeds(specs, { shapes, fill: { sr: sr! }, seed });
  });
}

/** Op counts over every graph (subgraphs too); other domains as 'domain::Op'. */
export function opCounts(model: Model): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const g of model.graph.allGraphs()) {
    for (const n of g.nodes) {
      const key = n.domain ? `${n.domain}::${n.opType}` : n.opType;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

export function nodeCount(model: Model): number {
  let n = 0;
  for (const g of model.graph.allGraphs()) n += g.nodes.length;
  return n;
}

/** The op types of the main graph's nodes in topological order. */
export function opTypes(model: Model): string[] {
  return model.graph.topologicalOrder().map((n) => n.opType);
}

/** What `pass` reported in a run or an optimize() report, summed over rounds. */
export function statsOf(of: PassRun | OptimizeReport, pass: string): Record<string, number> {
  const records = 'result' in of ? of.result.passes : of.passes;
  return records.find((p) => p.name === pass)?.stats ?? {};
}

/** The reasons `pass` declined in an optimize() report, keyed by node label. */
export function declines(report: OptimizeReport, pass: string): Map<string, string> {
  return new Map(report.declines.filter((d) => d.pass === pass).map((d) => [d.node, d.reason]));
}

/** The reasons `pass` declined in a run, as 'node: reason' lines. */
export function declinesOf(run: PassRun, pass: string): string[] {
  return run.result.declines.filter((d) => d.pass === pass).map((d) => `${d.node}: ${d.reason}`);
}
