/**
 * A node: one operator application. Inputs and outputs are Values (undefined where an optional
 * input or output is omitted, written as '' in the file). Graph-valued attributes (If branches, Loop
 * and Scan bodies) are held as IR Graphs in `subgraphs`; every other attribute stays an AttributeProto.
 * Everything else the file had on the node (doc_string, overload, metadata_props, device
 * configurations) lives on in `proto` and is written back unchanged.
 */
import type { AttributeProto, NodeProto } from '../onnx/proto-types.js';
import { attributeValue, makeAttribute, type AttributeInput, type AttributeValue } from './attribute-value.js';
import type { Graph } from './graph.js';
import type { Value } from './value.js';

export interface Subgraph {
  attribute: string;
  /** Position in the attribute's `graphs` list; -1 for a single-graph (`g`) attribute. */
  index: number;
  graph: Graph;
}

export class Node {
  readonly graph: Graph;
  opType: string;
  /** '' is the default ONNX domain (ai.onnx). */
  domain: string;
  name: string | undefined;
  inputs: (Value | undefined)[] = [];
  outputs: (Value | undefined)[] = [];
  attributes: AttributeProto[];
  subgraphs: Subgraph[] = [];
  /** False once the node has been removed from its graph (passes iterating a snapshot skip it). */
  inGraph = true;
  /** The node as read (or a fresh message for new nodes): source of the fields the IR does not model. */
  readonly proto: NodeProto;

  constructor(graph: Graph, proto: NodeProto) {
    this.graph = graph;
    this.proto = proto;
    this.opType = proto.op_type ?? '';
    this.domain = proto.domain === 'ai.onnx' ? '' : (proto.domain ?? '');
    this.name = proto.name;
    this.attributes = [...proto.attribute];
  }

  /** "Conv 'conv1'" or just the op type for unnamed nodes: how errors and reports name a node. */
  get label(): string {
    return this.name ? `${this.name} (${this.opType})` : this.opType;
  }

  attribute(name: string): AttributeProto | undefined {
    return this.attributes.find((a) => a.name === name);
  }

  hasAttribute(name: string): boolean {
    return this.attribute(name) !== undefined;
  }

  attributeValue(name: string): AttributeValue {
    const attr = this.attribute(name);
    return attr ? attributeValue(attr) : undefined;
  }

  intAttribute(name: string, fallback: number): number;
  intAttribute(name: string): number | undefined;
  intAttribute(name: string, fallback?: number): number | undefined {
    const v = this.attributeValue(name);
    return typeof v === 'number' ? v : fallback;
  }

  floatAttribute(name: string, fallback: number): number;
  floatAttribute(name: string): number | undefined;
  floatAttribute(name: string, fallback?: number): number | undefined {
    const v = this.attributeValue(name);
    return typeof v === 'number' ? v : fallback;
  }

  intsAttribute(name: string): number[] | undefined {
    const v = this.attributeValue(name);
    return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number') ? (v as number[]) : undefined;
  }

  stringAttribute(name: string, fallback: string): string;
  stringAttribute(name: string): string | undefined;
  stringAttribute(name: string, fallback?: string): string | undefined {
    const v = this.attributeValue(name);
    return typeof v === 'string' ? v : fallback;
  }

  /** Adds or replaces an attribute. */
  setAttribute(name: string, value: AttributeInput): void {
    const attr = makeAttribute(name, value);
    const i = this.attributes.findIndex((a) => a.name === name);
    if (i >= 0) this.attributes[i] = attr; else this.attributes.push(attr);
  }

  removeAttribute(name: string): void {
    this.attributes = this.attributes.filter((a) => a.name !== name);
  }

  /** Points input `index` at `value`, keeping both values' use lists right. */
  setInput(index: number, value: Value | undefined): void {
    const old = this.inputs[index];
    if (old === value) return;
    if (old) {
      const at = old.uses.findIndex((u) => u.node === this && u.index === index);
      if (at >= 0) old.uses.splice(at, 1);
    }
    while (this.inputs.length <= index) this.inputs.push(undefined);
    this.inputs[index] = value;
    if (value) value.uses.push({ node: this, index });
  }

  /** The input values present (omitted optional inputs skipped). */
  presentInputs(): Value[] {
    return this.inputs.filter((v): v is Value => v !== undefined);
  }
}
