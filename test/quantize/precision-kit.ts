/**
 * What the precision tests add to pass-test-kit: feeds for a model, and the accuracy of a rewritten
 * model against the original in onnxruntime (the accuracy report's own maths).
 */
import { modelFromProto } from '../../src/ir/model-from-proto.js';
import type { Model } from '../../src/ir/model.js';
import { decodeModel } from '../../src/onnx/codec.js';
import { measureAccuracy, type OutputAccuracy } from '../../src/optimize/accuracy-report.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import type { OrtTensor } from '../../src/runtime/ort-session.js';
import { randomFeeds, type RandomFeedOptions } from '../../src/runtime/random-inputs.js';
import type { PassRun } from '../passes/pass-test-kit.js';

export function feedsFor(model: Uint8Array | Model, runs: number, options: RandomFeedOptions = {}): Record<string, OrtTensor>[] {
  const m = model instanceof Uint8Array ? modelFromProto(decodeModel(model), 'test') : model;
  return Array.from({ length: runs }, (_, i) => randomFeeds(modelInputSpecs(m), { defaultDim: 2, ...options, seed: 77 + i }));
}

/** Accuracy of the rewritten model against the original, per output. */
export async function accuracyOf(run: PassRun, feeds: Record<string, OrtTensor>[]): Promise<OutputAccuracy[]> {
  return (await measureAccuracy(run.original, run.bytes(), feeds, 'random')).outputs;
}
