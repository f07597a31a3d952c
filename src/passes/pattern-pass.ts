/**
 * A fusion pass declared as data: the op types its patterns are anchored on, a `match` that either
 * finds the pattern (returning what the rewrite needs), finds it but cannot prove the rewrite safe
 * (returning `decline(reason)`, which is reported), or does not find it at all (undefined: most Mul and
 * Add nodes are not the end of a LayerNorm, and saying so for each would drown the real reasons),
 * and a `rewrite` applied right after its match. Passes whose checks read shapes ask for shape
 * inference, which runs once before the sweep.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import type { CheckResult, Pass, PassKind, PassOptions } from './pass.js';

type Failed = Extract<CheckResult, { ok: false }>;

/** What `match` returns when it found the pattern but cannot prove the rewrite safe. */
export const decline = (reason: string): Failed => ({ ok: false, reason });

export interface PatternPassSpec<M extends object> {
  name: string;
  kind: PassKind;
  summary: string;
  /** Default-domain op types a match starts from. */
  anchors: readonly string[];
  /** Run shape inference before the sweep (the match reads `value.type`). */
  needsShapes?: boolean;
  match(node: Node, model: Model, options: PassOptions): M | Failed | undefined;
  rewrite(match: M, model: Model, options: PassOptions): void;
}

function isFailed(r: object): r is Failed {
  return (r as Failed).ok === false && typeof (r as Failed).reason === 'string';
}

export function definePatternPass<M extends object>(spec: PatternPassSpec<M>): Pass {
  const anchors = new Set(spec.anchors);
  return {
    name: spec.name,
    kind: spec.kind,
    summary: spec.summary,
    run(model, ctx) {
      if (spec.needsShapes) {
        try {
          inferShapes(model);
        } catch {
          // Without shapes every shape-dependent check declines; the pass still runs.
        }
      }
      let applied = 0;
      let declined = 0;
      for (const graph of [...model.graph.allGraphs()]) {
        for (const node of graph.topologicalOrder()) {
          if (!node.inGraph || node.domain !== '' || !anchors.has(node.opType)) continue;
          const found = spec.match(node, model, ctx.options);
          if (!found) continue;
          if (isFailed(found)) {
            declined++;
            ctx.decline(spec.name, node, found.reason);
            continue;
          }
          spec.rewrite(found, model, ctx.options);
          applied++;
        }
      }
      return { modified: applied > 0, stats: { applied, declined } };
    },
  };
}
