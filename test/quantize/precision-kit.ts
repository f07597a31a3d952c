/**
 * What the precision tests share: run a precision pass on a built or loaded model, count its ops and
 * element types, and measure the result against the original in onnxruntime (the accuracy report's
 * own maths), on feeds the test chooses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { loadModel } from '../../src/ir/model-file.js';
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import type { Model } from '../../src/ir/model.js';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import type { ModelProto } from '../../src/onnx/proto-types.js';
import { measureAccuracy, type OutputAccuracy } from '../../src/optimize/accuracy-report.js';
import { runPipeline, type PipelineResult } from '../../src/passes/pass-manager.js';
import { DEFAULT_PASS_OPTIONS, type Pass, type PassOptions } from '../../src/passes/pass.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import type { OrtTensor } from '../../src/runtime/ort-session.js';
import { randomFeeds, type RandomFeedOptions } from '../../src/runtime/random-inputs.js';

export interface PrecisionRun {
  original: Uint8Array;
  model: Model;
  result: PipelineResult;
  bytes: () => Uint8Array;
}

/** Runs `passes` (a fresh copy of `source`) to a fixed point, as --passes would. */
export async function runPrecision(source: ModelProto | string, passes: Pass[], options: Partial<PassOptions> = {}, maxRounds?: number): Promise<PrecisionRun> {
  const original = typeof source === 'string' ? encodeModel(loadModel(source).toProto()) : encodeModel(source);
  const model = typeof source === 'string' ? loadModel(source) : modelFromProto(decodeModel(original), 'test');
  const result = await runPipeline(model, passes, { ...DEFAULT_PASS_OPTIONS, ...options }, maxRounds);
  return { original, model, result, bytes: () => encodeModel(model.toProto()) };
}

export function statsOf(run: PrecisionRun, pass: string): Record<string, number> {
  return run.result.passes.find((p) => p.name === pass)?.stats ?? {};
}

export function declinesOf(run: PrecisionRun, pass: string): string[] {
  return run.result.declines.filter((d) => d.pass === pass).map((d) => `${d.node}: ${d.reason}`);
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

export function feedsFor(model: Uint8Array | Model, runs: number, options: RandomFeedOptions = {}): Record<string, OrtTensor>[] {
  const m = model instanceof Uint8Array ? modelFromProto(decodeModel(model), 'test') : model;
  return Array.from({ length: runs }, (_, i) => randomFeeds(modelInputSpecs(m), { defaultDim: 2, ...options, seed: 77 + i }));
}

/** Accuracy of the rewritten model against the original, per output. */
export async function accuracyOf(run: PrecisionRun, feeds: Record<string, OrtTensor>[]): Promise<OutputAccuracy[]> {
  return (await measureAccuracy(run.original, run.bytes(), feeds, 'random')).outputs;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-precision-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

/** A fresh temporary path (removed after the test file). */
export function tempPath(name: string): string {
  return path.join(tmp, `${counter++}-${name}`);
}

/** Writes a model to a temporary file and returns its path. */
export function writeTemp(proto: ModelProto | Uint8Array, name = 'model.onnx'): string {
  const file = tempPath(name);
  fs.writeFileSync(file, proto instanceof Uint8Array ? proto : encodeModel(proto));
  return file;
}
