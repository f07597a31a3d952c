/**
 * Does: removes nodes none of whose outputs is read or is a graph output (whole dead chains in one
 * sweep), then initializers nothing reads, value_info entries for values that no longer exist, and
 * opset imports that no node or function uses. ONNX nodes have no side effects, so this holds for
 * custom-domain nodes too (onnxruntime removes them the same way).
 * Leaves alone: initializers that callers may feed as graph inputs (IR 4+; removing one would change
 * the model's interface) and the default-domain opset import.
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import { isConstantInitializer } from './constant-value.js';
import type { Pass, PassContext, PassOptions, PassResult } from './pass.js';

const pass: Pass = {
  name: 'eliminate_dead_code',
  kind: 'eliminate',
  summary: 'remove nodes whose outputs nobody uses, unused initializers, stale value_info and unused opset imports',
  run(model: Model, ctx: PassContext): PassResult {
    let nodes = 0;
    let initializers = 0;
    for (const graph of [...model.graph.allGraphs()].reverse()) {
      nodes += removeDeadNodes(graph);
      initializers += removeUnusedInitializers(graph, ctx.options);
      graph.valueInfos = graph.valueInfos.filter((v) => graph.values.get(v.name) === v);
    }
    const opsets = removeUnusedOpsets(model);
    return { modified: nodes + initializers + opsets > 0, stats: { nodes, initializers, opsets } };
  },
};
export default pass;

function removeDeadNodes(graph: Graph): number {
  let removed = 0;
  // Walk consumers before producers so a dead chain goes in one sweep.
  for (const node of graph.topologicalOrder().reverse()) {
    const live = node.outputs.some((v) => v && (v.uses.length > 0 || v.isGraphOutput));
    if (live) continue;
    graph.removeNode(node);
    removed++;
  }
  return removed;
}

/** Unused initializers go, except those callers may feed as inputs (see constant-value.ts). */
function removeUnusedInitializers(graph: Graph, options: PassOptions): number {
  let removed = 0;
  for (const v of [...graph.initializers]) {
    if (v.uses.length === 0 && !v.isGraphOutput && isConstantInitializer(v, options)) {
      graph.removeInitializer(v);
      removed++;
    }
  }
  return removed;
}

function removeUnusedOpsets(model: Model): number {
  const used = new Set<string>(['']);
  for (const graph of model.graph.allGraphs()) for (const node of graph.nodes) used.add(node.domain);
  for (const fn of model.functions) {
    used.add(fn.domain ?? '');
    for (const n of fn.node) used.add(n.domain === 'ai.onnx' ? '' : (n.domain ?? ''));
  }
  const before = model.opsetImport.length;
  model.opsetImport = model.opsetImport.filter((o) => used.has(o.domain === 'ai.onnx' ? '' : (o.domain ?? '')));
  return before - model.opsetImport.length;
}
