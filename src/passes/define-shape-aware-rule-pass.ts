/**
 * A rule pass whose checks read value types: shape inference runs first (only when the model has a
 * node the rule looks at), so `value.type` holds what inference knows, fixed input shapes included.
 * Rules that bypass a node leave every other value's type as it was, so one inference per sweep holds.
 */
import type { Model } from '../ir/model.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import { defineRulePass, type Pass, type RulePassSpec } from './pass.js';

export function defineShapeAwareRulePass(spec: RulePassSpec): Pass {
  const inner = defineRulePass(spec);
  const types = new Set(spec.opTypes);
  return {
    name: inner.name,
    kind: inner.kind,
    summary: inner.summary,
    run(model, ctx) {
      if (!hasNodeOf(model, types)) return { modified: false, stats: { applied: 0, declined: 0 } };
      inferShapes(model);
      return inner.run(model, ctx);
    },
  };
}

function hasNodeOf(model: Model, types: Set<string>): boolean {
  for (const graph of model.graph.allGraphs()) {
    for (const node of graph.nodes) if (node.domain === '' && types.has(node.opType)) return true;
  }
  return false;
}
