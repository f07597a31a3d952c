/**
 * What the pass tests share: running passes through optimize() (which proves the result equal to the
 * original in onnxruntime, or throws) on a graph built for the test or on a corpus model, and reading
 * the result — op types left, reasons declined.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Model } from '../../src/ir/model.js';
import { loadModel } from '../../src/ir/model-file.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import { passByName } from '../../src/passes/index.js';
import { runPipeline, type PipelineResult } from '../../src/passes/pass-manager.js';
import { DEFAULT_PASS_OPTIONS, type PassOptions } from '../../src/passes/pass.js';
import { encodeModel } from '../../src/onnx/codec.js';
import type { ModelProto } from '../../src/onnx/proto-types.js';
import { optimize, type OptimizeOptions, type OptimizeReport } from '../../src/optimize/optimize.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import type { OrtTensor } from '../../src/runtime/ort-session.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { REAL_MODELS, repoRoot, type CorpusModel } from '../support/corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-pass-test-'));
let counter = 0;

/** Writes a built model to a temporary file (optimize() reads files). */
export function writeTemp(proto: ModelProto, name = 'model'): string {
  const file = path.join(tmp, `${name}-${counter++}.onnx`);
  fs.writeFileSync(file, encodeModel(proto));
  return file;
}

export type Run = { model: Model; report: OptimizeReport };

/**
 * Runs `passes` on a built model without saving or checking it: for models onnxruntime cannot run
 * (a custom op, a node built to fail), where the rewrite's structure is what the test is about.
 */
export async function runPasses(proto: ModelProto, passes: string[], options: Partial<PassOptions> = {}): Promise<{ model: Model; result: PipelineResult; why: Map<string, string> }> {
  const model = modelFromProto(proto, 'test');
  const result = await runPipeline(model, passes.map((p) => passByName(p)!), { ...DEFAULT_PASS_OPTIONS, ...options });
  const why = new Map(result.declines.map((d) => [d.node, d.reason]));
  return { model, result, why };
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

/** Op type → count over every graph (subgraphs too). */
export function opCounts(model: Model): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const graph of model.graph.allGraphs()) for (const node of graph.nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}

/** The op types of the main graph's nodes in topological order. */
export function opTypes(model: Model): string[] {
  return model.graph.topologicalOrder().map((n) => n.opType);
}

/** The reasons `pass` declined, keyed by node label. */
export function declines(report: OptimizeReport, pass: string): Map<string, string> {
  return new Map(report.declines.filter((d) => d.pass === pass).map((d) => [d.node, d.reason]));
}

/** What `pass` reported, summed over rounds. */
export function statsOf(report: OptimizeReport, pass: string): Record<string, number> {
  return report.passes.find((p) => p.name === pass)?.stats ?? {};
}
