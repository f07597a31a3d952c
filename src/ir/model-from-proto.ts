/**
 * Builds the IR from a ModelProto in two sweeps: first every graph (subgraphs included) declares its
 * values — inputs, initializers, node outputs — then every node input and graph output is linked by
 * name through the scopes. Two sweeps because files need not be sorted and subgraphs may read values
 * their parent defines later in file order. A name nobody defines, or a value defined twice in one
 * scope, is an error naming the node.
 */
import { MlserveError } from '../errors.js';
import type { GraphProto, ModelProto, ValueInfoProto } from '../onnx/proto-types.js';
import { Graph } from './graph.js';
import { Model } from './model.js';
import { Node } from './node.js';
import type { Value } from './value.js';

export function modelFromProto(proto: ModelProto, source: string): Model {
  const model = new Model(proto, source);
  const pending: { graph: Graph; proto: GraphProto }[] = [];
  model.graph = declareGraph(model, proto.graph!, undefined, pending);
  for (const { graph, proto: gp } of pending) linkGraph(graph, gp);
  model.graph.topologicalOrder(); // rejects cycles now, with the file's name, rather than at save time
  return model;
}

function declareGraph(model: Model, proto: GraphProto, owner: Node | undefined, pending: { graph: Graph; proto: GraphProto }[]): Graph {
  const graph = new Graph(model, proto, owner);
  pending.push({ graph, proto });
  const define = (name: string, by: string): Value => {
    const existing = graph.values.get(name);
    if (existing) {
      throw new MlserveError('MLS_ERR_GRAPH_DUPLICATE_VALUE', { file: model.source, node: by, value: name });
    }
    model.reserveName(name);
    return graph.defineValue(name);
  };

  for (const info of proto.input) {
    const v = define(info.name ?? '', '(graph input)');
    attachInfo(v, info);
    graph.inputs.push(v);
  }
  for (const tensor of proto.initializer) {
    const name = tensor.name ?? '';
    // IR < 4 lists every initializer as a graph input too: the same value, not a redefinition.
    const v = graph.values.get(name) ?? define(name, '(initializer)');
    if (v.initializer) throw new MlserveError('MLS_ERR_GRAPH_DUPLICATE_VALUE', { file: model.source, node: '(initializer)', value: name });
    v.initializer = tensor;
    graph.initializers.push(v);
  }
  for (const nodeProto of proto.node) {
    const node = new Node(graph, nodeProto);
    if (node.name) model.reserveName(node.name);
    node.outputs = nodeProto.output.map((name) => {
      if (name === '') return undefined;
      const v = define(name, node.name || node.opType);
      v.producer = node;
      return v;
    });
    nodeProto.attribute.forEach((attr) => {
      if (attr.g) node.subgraphs.push({ attribute: attr.name ?? '', index: -1, graph: declareGraph(model, attr.g, node, pending) });
      attr.graphs.forEach((g, index) => node.subgraphs.push({ attribute: attr.name ?? '', index, graph: declareGraph(model, g, node, pending) }));
    });
    graph.nodes.push(node);
  }
  return graph;
}

function linkGraph(graph: Graph, proto: GraphProto): void {
  const file = graph.model.source;
  for (const node of graph.nodes) {
    node.proto.input.forEach((name, index) => {
      if (name === '') { node.inputs.push(undefined); return; }
      const v = graph.lookup(name);
      if (!v) throw new MlserveError('MLS_ERR_GRAPH_UNDEFINED_VALUE', { file, node: node.name || node.opType, value: name });
      node.inputs.push(v);
      v.uses.push({ node, index });
    });
  }
  for (const info of proto.output) {
    const v = graph.lookup(info.name ?? '');
    if (!v) throw new MlserveError('MLS_ERR_GRAPH_UNDEFINED_VALUE', { file, node: '(graph output)', value: info.name ?? '' });
    if (v.info) graph.extraInfos.output.set(v, info); else attachInfo(v, info);
    graph.outputs.push(v);
  }
  for (const info of proto.value_info) {
    const v = graph.lookup(info.name ?? '');
    if (!v || v.graph !== graph) { graph.foreignValueInfos.push(info); continue; }
    if (v.info) graph.extraInfos.valueInfo.set(v, info); else attachInfo(v, info);
    graph.valueInfos.push(v);
  }
}

function attachInfo(v: Value, info: ValueInfoProto): void {
  v.info = info;
  v.declaredType = info.type;
}
