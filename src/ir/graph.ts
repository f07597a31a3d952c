/**
 * A graph: nodes, the values they exchange, inputs, outputs and initializers, and — for a subgraph —
 * the node that owns it. Values of outer graphs are visible inside (`lookup` walks outwards), as ONNX
 * scoping says. The operations here keep producers and use lists consistent; passes should change
 * the graph only through them.
 */
import { createMessage } from '../onnx/codec.js';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/proto-types.js';
import type { AttributeInput } from './attribute-value.js';
import type { Model } from './model.js';
import { Node } from './node.js';
import { stableTopologicalOrder } from './topological-order.js';
import { Value } from './value.js';

export interface NewNode {
  opType: string;
  domain?: string;
  name?: string;
  inputs: (Value | undefined)[];
  /** Names wanted for the outputs (made unique), or how many outputs to create. */
  outputs?: string[] | number;
  attributes?: Record<string, AttributeInput>;
  /** Insert before this node (default: at the end; saving orders nodes topologically anyway). */
  before?: Node;
}

export class Graph {
  readonly model: Model;
  /** The node whose attribute holds this graph; undefined for the main graph. */
  readonly owner: Node | undefined;
  name: string | undefined;
  nodes: Node[] = [];
  inputs: Value[] = [];
  outputs: Value[] = [];
  /** Values defined in this graph's scope, by name. */
  readonly values = new Map<string, Value>();
  /** Initializers in file order. */
  initializers: Value[] = [];
  /** Values that had a value_info entry, in file order. */
  valueInfos: Value[] = [];
  /**
   * ValueInfoProtos for roles beyond a value's first (a graph input that is also an output, an output
   * that also has a value_info entry), so each list saves its own doc_string and metadata.
   */
  readonly extraInfos = { output: new Map<Value, ValueInfoProto>(), valueInfo: new Map<Value, ValueInfoProto>() };
  /** value_info entries naming values this graph does not define; written back as they were. */
  foreignValueInfos: ValueInfoProto[] = [];
  /** The graph as read: source of doc_string, metadata_props, sparse initializers and quantization annotations. */
  readonly proto: GraphProto;

  constructor(model: Model, proto: GraphProto, owner?: Node) {
    this.model = model;
    this.proto = proto;
    this.owner = owner;
    this.name = proto.name;
  }

  get parent(): Graph | undefined {
    return this.owner?.graph;
  }

  /** The value visible under `name` here: this scope first, then the enclosing graphs'. */
  lookup(name: string): Value | undefined {
    for (let g: Graph | undefined = this; g; g = g.parent) {
      const v = g.values.get(name);
      if (v) return v;
    }
    return undefined;
  }

  /** A new value in this scope, under `nameHint` or a unique variant of it. */
  createValue(nameHint: string): Value {
    return this.defineValue(this.model.uniqueName(nameHint));
  }

  /** Registers a value under exactly `name` (already reserved in the model); used when reading a file. */
  defineValue(name: string): Value {
    const value = new Value(this, name);
    this.values.set(name, value);
    return value;
  }

  addInitializer(nameHint: string, tensor: TensorProto): Value {
    const value = this.createValue(nameHint);
    tensor.name = value.name;
    value.initializer = tensor;
    this.initializers.push(value);
    return value;
  }

  addNode(spec: NewNode): Node {
    const proto = createMessage<NodeProto>('NodeProto', { op_type: spec.opType });
    if (spec.domain) proto.domain = spec.domain;
    const node = new Node(this, proto);
    if (spec.name !== undefined) node.name = this.model.uniqueName(spec.name);
    for (const [name, value] of Object.entries(spec.attributes ?? {})) node.setAttribute(name, value);
    spec.inputs.forEach((v, i) => node.setInput(i, v));
    const outputNames = typeof spec.outputs === 'number' || spec.outputs === undefined
      ? Array.from({ length: spec.outputs ?? 1 }, (_, i) => `${spec.name ?? spec.opType.toLowerCase()}_out${i}`)
      : spec.outputs;
    node.outputs = outputNames.map((n) => {
      const v = this.createValue(n);
      v.producer = node;
      return v;
    });
    const at = spec.before ? this.nodes.indexOf(spec.before) : -1;
    if (at >= 0) this.nodes.splice(at, 0, node); else this.nodes.push(node);
    return node;
  }

  /**
   * Removes a node whose outputs nobody reads. Its inputs lose the use; its outputs leave the scope.
   * Throws if an output is still used or is a graph output: the caller must rewire first.
   */
  removeNode(node: Node): void {
    for (const out of node.outputs) {
      if (!out) continue;
      if (out.uses.length > 0 || out.isGraphOutput) {
        throw new Error(`cannot remove node ${node.label}: its output '${out.name}' is still used`);
      }
    }
    node.inputs.forEach((_, i) => node.setInput(i, undefined));
    for (const out of node.outputs) if (out) this.values.delete(out.name);
    this.nodes = this.nodes.filter((n) => n !== node);
    node.inGraph = false;
  }

  /** Every reader of `from` (in this graph or nested subgraphs) reads `to` instead; graph outputs too when asked. */
  replaceAllUsesWith(from: Value, to: Value, options: { graphOutputs?: boolean } = {}): void {
    for (const use of [...from.uses]) use.node.setInput(use.index, to);
    if (options.graphOutputs) {
      this.outputs = this.outputs.map((v) => (v === from ? to : v));
    }
  }

  /** Removes an initializer that nothing reads any more (and its graph-input entry, for IR < 4 models). */
  removeInitializer(value: Value): void {
    if (value.uses.length > 0 || value.isGraphOutput) {
      throw new Error(`cannot remove initializer '${value.name}': it is still used`);
    }
    this.initializers = this.initializers.filter((v) => v !== value);
    this.inputs = this.inputs.filter((v) => v !== value);
    this.valueInfos = this.valueInfos.filter((v) => v !== value);
    value.initializer = undefined;
    this.values.delete(value.name);
  }

  /** Nodes in an order where each comes after the producers of what it reads; file order kept where valid. */
  topologicalOrder(): Node[] {
    return stableTopologicalOrder(this);
  }

  /** This graph and every subgraph below it, depth first. */
  *allGraphs(): Generator<Graph> {
    yield this;
    for (const node of this.nodes) for (const sub of node.subgraphs) yield* sub.graph.allGraphs();
  }

  toProto(): GraphProto {
    const out: GraphProto = {
      ...this.proto,
      node: this.topologicalOrder().map(nodeToProto),
      input: this.inputs.map((v) => valueInfoToProto(v, v.info)),
      output: this.outputs.map((v) => valueInfoToProto(v, this.extraInfos.output.get(v) ?? v.info)),
      initializer: this.initializers.map(initializerToProto),
      value_info: [
        ...this.valueInfos.map((v) => valueInfoToProto(v, this.extraInfos.valueInfo.get(v) ?? v.info)),
        ...this.foreignValueInfos,
      ],
    };
    if (this.name === undefined) delete out.name; else out.name = this.name;
    return out;
  }
}

function valueInfoToProto(value: Value, source: ValueInfoProto | undefined): ValueInfoProto {
  const info: ValueInfoProto = source ? { ...source } : createMessage<ValueInfoProto>('ValueInfoProto', {});
  info.name = value.name;
  if (value.declaredType) info.type = value.declaredType; else delete info.type;
  return info;
}

function initializerToProto(value: Value): TensorProto {
  const tensor = value.initializer!;
  return tensor.name === value.name ? tensor : { ...tensor, name: value.name };
}

function nodeToProto(node: Node): NodeProto {
  const out: NodeProto = {
    ...node.proto,
    input: node.inputs.map((v) => v?.name ?? ''),
    output: node.outputs.map((v) => v?.name ?? ''),
    attribute: node.attributes.map((attr) => {
      const subs = node.subgraphs.filter((s) => s.attribute === attr.name);
      if (subs.length === 0) return attr;
      const single = subs.find((s) => s.index === -1);
      if (single) return { ...attr, g: single.graph.toProto() };
      return { ...attr, graphs: subs.sort((a, b) => a.index - b.index).map((s) => s.graph.toProto()) };
    }),
  };
  out.op_type = node.opType;
  if (node.domain !== '' || Object.hasOwn(node.proto, 'domain')) {
    // Keep 'ai.onnx' spelled as the file spelled it.
    out.domain = node.domain === '' && node.proto.domain === 'ai.onnx' ? 'ai.onnx' : node.domain;
  }
  if (node.name === undefined) delete out.name; else out.name = node.name;
  return out;
}
