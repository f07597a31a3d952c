/**
 * The `--nodes` listing: every node (main graph first, then each subgraph after its owner), with its
 * inputs and outputs typed as the IR knows them after shape inference, and its attributes as JSON.
 * Tensor attributes show dtype and shape, and their values when small (Constant scalars, axes).
 */
import { AttributeType } from '../ir/attribute-value.js';
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import { attributeValue } from '../ir/attribute-value.js';
import { dataTypeName } from '../onnx/data-type.js';
import type { AttributeProto, TensorProto } from '../onnx/proto-types.js';
import { declaredElementCount, int64ToNumber } from '../onnx/tensor-size-check.js';
import type { AttributeJson, NodeInfo } from './report-types.js';
import { tensorInfo } from './tensor-info.js';

/** Tensors up to this many elements list their values. */
const MAX_LISTED_VALUES = 16;

/** Nodes in file order, each graph's nodes followed by its subgraphs'. `opType` keeps only that op (any domain). */
export function listNodes(model: Model, opType?: string): NodeInfo[] {
  const out: NodeInfo[] = [];
  const visit = (graph: Graph, path: string) => {
    for (const node of graph.nodes) {
      if (opType === undefined || node.opType === opType) out.push(nodeInfo(node, path));
    }
    for (const node of graph.nodes) {
      for (const sub of node.subgraphs) {
        visit(sub.graph, `${path === 'main' ? '' : `${path}/`}${node.label}/${sub.attribute}${sub.index >= 0 ? `[${sub.index}]` : ''}`);
      }
    }
  };
  visit(model.graph, 'main');
  return out;
}

function nodeInfo(node: Node, graph: string): NodeInfo {
  return {
    name: node.name ?? null,
    opType: node.opType,
    domain: node.domain || 'ai.onnx',
    graph,
    inputs: node.inputs.map((v) => (v ? tensorInfo(v) : null)),
    outputs: node.outputs.map((v) => (v ? tensorInfo(v) : null)),
    attributes: Object.fromEntries(node.attributes.map((a) => [a.name ?? '', attributeJson(a)])),
  };
}

export function attributeJson(attr: AttributeProto): AttributeJson {
  if (attr.ref_attr_name) return { ref: attr.ref_attr_name };
  const type = attr.type;
  const value = attributeValue(attr);
  if (type === AttributeType.TENSOR || (value !== undefined && !Array.isArray(value) && typeof value === 'object' && 'dims' in value)) {
    return attr.t ? { tensor: tensorJson(attr.t) } : null;
  }
  if (type === AttributeType.GRAPH || attr.g) return { graph: { name: attr.g?.name ?? null, nodes: attr.g?.node.length ?? 0 } };
  if (type === AttributeType.GRAPHS) return { graphs: attr.graphs.length };
  if (type === AttributeType.TENSORS) return { tensors: attr.tensors.length };
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string')) return value as number[] | string[];
  return null;
}

function tensorJson(t: TensorProto): { dtype: string; shape: number[]; values?: number[] } {
  const json: { dtype: string; shape: number[]; values?: number[] } = { dtype: dataTypeName(t.data_type), shape: t.dims.map(int64ToNumber) };
  if (declaredElementCount(t) <= MAX_LISTED_VALUES) {
    try {
      json.values = readTensorAsNumbers(t);
    } catch {
      // strings, complex or unloaded external data: dtype and shape say enough
    }
  }
  return json;
}
