/**
 * Shared by the fusion and CSE pass tests: run passes on a model (built or loaded), count its ops,
 * and prove the rewritten model computes what the original does in onnxruntime.
 */
import assert from 'node:assert/strict';
import { loadModel } from '../../src/ir/model-file.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import type { Model } from '../../src/ir/model.js';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import type { ModelProto } from '../../src/onnx/proto-types.js';
import { checkEquivalence } from '../../src/optimize/check-equivalence.js';
import { passByName } from '../../src/passes/index.js';
import { runPipeline, type PipelineResult } from '../../src/passes/pass-manager.js';
import { DEFAULT_PASS_OPTIONS, type Pass, type PassOptions } from '../../src/passes/pass.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';

export interface PassRun {
  /** The model as it was, encoded (the reference for equivalence). */
  original: Uint8Array;
  model: Model;
  result: PipelineResult;
}

/** A pass from the registry by name (fails the test when it is not registered). */
export function registered(name: string): Pass {
  const pass = passByName(name);
  assert.ok(pass, `pass ${name} is registered`);
  return pass;
}

/** Runs the named passes to a fixed point on a fresh copy of `source` (a ModelProto or a file). */
export async function runPasses(source: ModelProto | string, names: string[], options: Partial<PassOptions> = {}): Promise<PassRun> {
  const original = typeof source === 'string' ? encodeModel(loadModel(source).toProto()) : encodeModel(source);
  const model = typeof source === 'string' ? loadModel(source) : modelFromProto(decodeModel(original), 'test');
  const result = await runPipeline(model, names.map(registered), { ...DEFAULT_PASS_OPTIONS, ...options });
  return { original, model, result };
}

/** Op counts over every graph; other domains as 'domain::Op'. */
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

/** Stats a pass reported in a run (summed over rounds). */
export function statsOf(run: PassRun, name: string): Record<string, number> {
  return run.result.passes.find((p) => p.name === name)?.stats ?? {};
}

export function declinesOf(run: PassRun, name: string): string[] {
  return run.result.declines.filter((d) => d.pass === name).map((d) => `${d.node}: ${d.reason}`);
}

/** The rewritten model runs in onnxruntime and matches the original on `runs` random feeds. */
export async function assertEquivalent(run: PassRun, opts: { shapes?: Record<string, number[]>; fill?: Record<string, number>; atol?: number; rtol?: number; runs?: number } = {}): Promise<void> {
  const candidate = encodeModel(run.model.toProto());
  const report = await checkEquivalence(run.original, candidate, modelInputSpecs(run.model), {
    runs: opts.runs ?? 2,
    feedOptions: { shapes: new Map(Object.entries(opts.shapes ?? {})), fill: opts.fill, defaultDim: 2 },
    atol: opts.atol ?? 1e-4,
    rtol: opts.rtol ?? 1e-3,
  });
  assert.ok(report.ok, `outputs differ: ${JSON.stringify(report.outputs)}`);
}
