/**
 * Does: nodes that compute the same thing → one node. Two nodes are the same when they have the same
 * op, domain, overload, attributes (compared as encoded protobuf) and the very same input values; the
 * later one's readers then read the first one's outputs. Constant nodes with equal tensors are such
 * nodes. Before that, initializers with the same dtype, dims and bytes are merged, so nodes reading
 * equal copies of a constant become the same too. Nodes are visited in topological order, so a
 * duplicated chain collapses in one sweep.
 *
 * Leaves alone: nodes with subgraphs (If/Loop/Scan bodies are not compared); nondeterministic ops
 * (Random*, Multinomial, Bernoulli, a Dropout given a training_mode); ops outside the ai.onnx and
 * ai.onnx.ml domains (a custom op may have state or randomness we cannot know); a duplicate one of
 * whose outputs is a graph output (its name is part of the model's interface); initializers that are
 * graph inputs (callers may feed them different values) unless --fold-initializer-inputs; tensors
 * whose bytes are not loaded.
 */
import { createHash } from 'node:crypto';
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { tensorRawBytes } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { messageType } from '../onnx/codec.js';
import { isConstantInitializer } from './constant-value.js';
import type { Pass, PassOptions, PassResult } from './pass.js';
import { tidyValueInfos } from './rewrite.js';

const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);
const DOMAINS = new Set(['', 'ai.onnx.ml']);

const pass: Pass = {
  name: 'eliminate_common_subexpression',
  kind: 'eliminate',
  summary: 'merge nodes that compute the same thing from the same inputs, and identical initializers',
  run(model: Model, ctx): PassResult {
    let initializers = 0;
    let nodes = 0;
    for (const graph of [...model.graph.allGraphs()]) {
      initializers += mergeInitializers(graph, ctx.options);
      nodes += mergeNodes(graph);
    }
    return { modified: initializers + nodes > 0, stats: { nodes, initializers } };
  },
};
export default pass;

function mergeInitializers(graph: Graph, options: PassOptions): number {
  const seen = new Map<string, { value: Value; bytes: Uint8Array }>();
  let merged = 0;
  for (const value of [...graph.initializers]) {
    if (!isConstantInitializer(value, options) || value.isGraphOutput) continue;
    const t = value.initializer!;
    let bytes: Uint8Array;
    try {
      bytes = tensorRawBytes(t);
    } catch {
      continue; // strings, external data not loaded: not compared
    }
    const key = `${t.data_type}|${(t.dims ?? []).join(',')}|${createHash('sha256').update(bytes).digest('hex')}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, { value, bytes });
      continue;
    }
    if (!Buffer.from(first.bytes.buffer, first.bytes.byteOffset, first.bytes.byteLength).equals(bytes)) continue;
    graph.replaceAllUsesWith(value, first.value);
    graph.removeInitializer(value);
    merged++;
  }
  return merged;
}

const attributeType = messageType('AttributeProto');

/** What makes two nodes interchangeable, or undefined for nodes never merged. */
function nodeKey(node: Node): string | undefined {
  if (node.subgraphs.length > 0 || !DOMAINS.has(node.domain) || NONDETERMINISTIC.has(node.opType)) return undefined;
  if (node.opType === 'Dropout' && node.domain === '' && node.inputs[2]) return undefined;
  const attributes = [...node.attributes]
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
    .map((a) => Buffer.from(attributeType.encode(a as unknown as Parameters<typeof attributeType.encode>[0]).finish()).toString('base64'));
  return JSON.stringify([
    node.domain, node.opType, node.proto.overload ?? '',
    node.inputs.map((v) => v?.name ?? ''),
    node.outputs.map((v) => (v ? 1 : 0)),
    attributes,
  ]);
}

function mergeNodes(graph: Graph): number {
  const firstByKey = new Map<string, Node>();
  let merged = 0;
  for (const node of graph.topologicalOrder()) {
    const key = nodeKey(node);
    if (key === undefined) continue;
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, node);
      continue;
    }
    if (node.outputs.some((v) => v?.isGraphOutput)) continue;
    node.outputs.forEach((v, i) => {
      if (v) graph.replaceAllUsesWith(v, first.outputs[i]!);
    });
    graph.removeNode(node);
    merged++;
  }
  if (merged > 0) tidyValueInfos(graph);
  return merged;
}
