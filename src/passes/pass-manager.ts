/**
 * Runs a pass pipeline to a fixed point: the whole list repeats while any pass changed the model
 * (one pass's rewrite often enables another's), up to a round limit. Records, per pass, what it did
 * and how long it took; a pass that throws is reported with the passes that ran before it.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { modelSize, type ModelSize } from './model-size.js';
import type { Pass, PassContext, PassOptions } from './pass.js';

export interface PassRecord {
  name: string;
  /** Rounds in which the pass changed the model. */
  roundsModified: number;
  stats: Record<string, number>;
  timeMs: number;
  /** Model size before the pass first ran and after it last ran (other passes' changes in between included). */
  before: ModelSize;
  after: ModelSize;
  /** This pass's own effect: the size changes of its runs, summed (negative = smaller). */
  delta: ModelSize;
}

export interface Decline {
  pass: string;
  node: string;
  reason: string;
}

export interface PipelineResult {
  rounds: number;
  passes: PassRecord[];
  declines: Decline[];
}

export class PassFailedError extends Error {
  constructor(readonly pass: string, readonly ranBefore: string[], cause: unknown) {
    super(`pass ${pass} failed (after ${ranBefore.length ? ranBefore.join(', ') : 'no other pass'}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'PassFailedError';
  }
}

export async function runPipeline(model: Model, passes: readonly Pass[], options: PassOptions, maxRounds = 8): Promise<PipelineResult> {
  const records = new Map<string, PassRecord>();
  const declines = new Map<string, Decline>();
  const ctx: PassContext = {
    options,
    decline(pass: string, node: Node, reason: string) {
      const key = `${pass}\u0000${node.name ?? ''}\u0000${node.opType}`;
      if (!declines.has(key)) declines.set(key, { pass, node: node.label, reason });
    },
  };
  const ran: string[] = [];
  let rounds = 0;
  for (let changed = true; changed && rounds < maxRounds; rounds++) {
    changed = false;
    for (const pass of passes) {
      const before = modelSize(model);
      const start = performance.now();
      let result;
      try {
        result = await pass.run(model, ctx);
      } catch (e) {
        throw new PassFailedError(pass.name, [...new Set(ran)], e);
      }
      const timeMs = performance.now() - start;
      ran.push(pass.name);
      const after = modelSize(model);
      const record = records.get(pass.name)
        ?? { name: pass.name, roundsModified: 0, stats: {}, timeMs: 0, before, after, delta: { nodes: 0, initializerBytes: 0 } };
      record.timeMs += timeMs;
      record.after = after;
      record.delta.nodes += after.nodes - before.nodes;
      record.delta.initializerBytes += after.initializerBytes - before.initializerBytes;
      if (result.modified) {
        record.roundsModified++;
        changed = true;
      }
      for (const [k, v] of Object.entries(result.stats)) record.stats[k] = (record.stats[k] ?? 0) + v;
      records.set(pass.name, record);
    }
  }
  return { rounds, passes: [...records.values()], declines: [...declines.values()] };
}
