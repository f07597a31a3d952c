/**
 * Operator histograms: the main graph's (which sums to its node count), the subgraphs' apart, the
 * model-local functions, and the ops of custom domains with who implements them.
 * Keys: a default-domain op is its bare type ('Conv'); any other domain's is `domain::OpType`, so
 * 'com.microsoft::Gelu' and the ONNX 'Gelu' never merge.
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import type { CustomOp, FunctionSummary, SubgraphOwner, SubgraphSummary } from './report-types.js';
import { ONNX_STANDARD_DOMAINS, ORT_DOMAIN_OPSETS } from './runtime-support.js';

export function opKey(node: Pick<Node, 'domain' | 'opType'>): string {
  return node.domain === '' ? node.opType : `${node.domain}::${node.opType}`;
}

/** op key → count, most frequent first (ties by name), so the document reads like a histogram. */
export function countOps(nodes: Iterable<Pick<Node, 'domain' | 'opType'>>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(opKey(node), (counts.get(opKey(node)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Every subgraph below `graph`, with the depth it sits at (1 = owned by a node of `graph`). */
export function* subgraphsOf(graph: Graph, depth = 1): Generator<{ graph: Graph; owner: Node; attribute: string; depth: number }> {
  for (const node of graph.nodes) {
    for (const sub of node.subgraphs) {
      yield { graph: sub.graph, owner: node, attribute: sub.attribute, depth };
      yield* subgraphsOf(sub.graph, depth + 1);
    }
  }
}

export function summarizeSubgraphs(model: Model): SubgraphSummary {
  const owners: SubgraphOwner[] = [];
  const nodes: Node[] = [];
  for (const { graph, owner, attribute, depth } of subgraphsOf(model.graph)) {
    owners.push({ node: owner.label, opType: opKey(owner), attribute, depth, nodeCount: graph.nodes.length });
    nodes.push(...graph.nodes);
  }
  return { count: owners.length, nodeCount: nodes.length, opCounts: countOps(nodes), owners };
}

export function localFunctionKeys(model: Model): Set<string> {
  return new Set(model.functions.map((f) => `${f.domain === 'ai.onnx' ? '' : (f.domain ?? '')}::${f.name ?? ''}`));
}

export function summarizeFunctions(model: Model): FunctionSummary {
  return { names: model.functions.map((f) => `${f.domain || 'ai.onnx'}::${f.name ?? ''}${f.overload ? `@${f.overload}` : ''}`) };
}

/** Ops of non-standard domains anywhere in the model's graphs, grouped by (domain, op type). */
export function customOps(model: Model): CustomOp[] {
  const functions = localFunctionKeys(model);
  const found = new Map<string, CustomOp>();
  for (const graph of model.graph.allGraphs()) {
    for (const node of graph.nodes) {
      if (ONNX_STANDARD_DOMAINS.has(node.domain)) continue;
      const key = `${node.domain}::${node.opType}`;
      let entry = found.get(key);
      if (!entry) {
        const implementedBy = functions.has(key) ? 'model-function' : ORT_DOMAIN_OPSETS.has(node.domain) ? 'onnxruntime' : 'unknown';
        found.set(key, (entry = { domain: node.domain, opType: node.opType, count: 0, implementedBy }));
      }
      entry.count += 1;
    }
  }
  return [...found.values()].sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType));
}
