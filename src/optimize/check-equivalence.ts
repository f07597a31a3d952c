/**
 * The proof behind every rewrite: run the original and the rewritten model in onnxruntime on the same
 * inputs and compare every output within tolerance. Inputs are N deterministic random feeds fitted to
 * each input's dtype and shape, or the user's own tensors.
 */
import { createSession } from '../runtime/ort-session.js';
import { randomFeeds, type InputSpec, type RandomFeedOptions } from '../runtime/random-inputs.js';
import { runSession } from '../runtime/run-session.js';
import type { OrtTensor } from '../runtime/ort-session.js';
import { compareOutputs, type OutputComparison, type Tolerance } from './compare-outputs.js';

export interface CheckOptions extends Tolerance {
  /** How many random feeds to try (ignored when `feeds` is given). */
  runs: number;
  feedOptions?: RandomFeedOptions;
  /** The user's own inputs, one record per run. */
  feeds?: Record<string, OrtTensor>[];
  threads?: number;
}

export interface EquivalenceReport {
  ok: boolean;
  runs: number;
  atol: number;
  rtol: number;
  /** Worst case per output over all runs. */
  outputs: OutputComparison[];
}

export async function checkEquivalence(
  original: Uint8Array | string,
  candidate: Uint8Array | string,
  inputs: InputSpec[],
  options: CheckOptions,
): Promise<EquivalenceReport> {
  const feedSets = options.feeds ?? Array.from({ length: options.runs }, (_, i) =>
    randomFeeds(inputs, { ...options.feedOptions, seed: (options.feedOptions?.seed ?? 1234) + i }));
  // Both sessions run the graph exactly as written: onnxruntime's own rewrites must not mask ours.
  const sessionOptions = { threads: options.threads ?? 2, graphOptimizationLevel: 'disabled' as const };
  const [reference, rewritten] = await Promise.all([createSession(original, sessionOptions), createSession(candidate, sessionOptions)]);
  try {
    const worst = new Map<string, OutputComparison>();
    for (const feeds of feedSets) {
      const expected = await runSession(reference, feeds);
      const actual = await runSession(rewritten, feeds);
      for (const c of compareOutputs(expected, actual, options)) {
        const prev = worst.get(c.name);
        worst.set(c.name, prev ? {
          name: c.name,
          maxAbsError: Math.max(prev.maxAbsError, c.maxAbsError),
          maxRelError: Math.max(prev.maxRelError, c.maxRelError),
          mismatches: prev.mismatches + c.mismatches,
          ...(prev.problem ?? c.problem ? { problem: prev.problem ?? c.problem } : {}),
        } : c);
      }
    }
    const outputs = [...worst.values()];
    return { ok: outputs.every((o) => o.mismatches === 0 && !o.problem), runs: feedSets.length, atol: options.atol, rtol: options.rtol, outputs };
  } finally {
    await Promise.all([reference.release(), rewritten.release()]);
  }
}
