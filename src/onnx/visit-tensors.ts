/**
 * Visits every TensorProto stored in a model: initializers, sparse initializers, tensor attributes
 * (Constant values, …) in every graph, subgraph, function and training graph. Where external data
 * and size checks must see all weights, this is the one walk they share.
 */
import type { AttributeProto, GraphProto, ModelProto, NodeProto, SparseTensorProto, TensorProto } from './proto-types.js';

export type TensorVisitor = (tensor: TensorProto, where: string) => void;

export function visitModelTensors(model: ModelProto, visit: TensorVisitor): void {
  if (model.graph) visitGraphTensors(model.graph, visit);
  for (const fn of model.functions ?? []) visitNodes(fn.node, visit);
  for (const info of model.training_info ?? []) {
    if (info.initialization) visitGraphTensors(info.initialization, visit);
    if (info.algorithm) visitGraphTensors(info.algorithm, visit);
  }
}

export function visitGraphTensors(graph: GraphProto, visit: TensorVisitor): void {
  for (const t of graph.initializer ?? []) visit(t, `initializer '${t.name ?? ''}'`);
  for (const s of graph.sparse_initializer ?? []) visitSparse(s, visit, 'sparse initializer');
  visitNodes(graph.node, visit);
}

function visitNodes(nodes: NodeProto[] | undefined, visit: TensorVisitor): void {
  for (const node of nodes ?? []) {
    for (const attr of node.attribute ?? []) visitAttribute(attr, node, visit);
  }
}

function visitAttribute(attr: AttributeProto, node: NodeProto, visit: TensorVisitor): void {
  const where = `attribute '${attr.name ?? ''}' of node '${node.name || node.op_type || ''}'`;
  if (attr.t) visit(attr.t, where);
  for (const t of attr.tensors ?? []) visit(t, where);
  if (attr.sparse_tensor) visitSparse(attr.sparse_tensor, visit, where);
  for (const s of attr.sparse_tensors ?? []) visitSparse(s, visit, where);
  if (attr.g) visitGraphTensors(attr.g, visit);
  for (const g of attr.graphs ?? []) visitGraphTensors(g, visit);
}

function visitSparse(s: SparseTensorProto, visit: TensorVisitor, where: string): void {
  if (s.values) visit(s.values, where);
  if (s.indices) visit(s.indices, where);
}
