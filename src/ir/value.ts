/**
 * A value: one name in a graph's SSA namespace, produced by a node output, a graph input or an
 * initializer, and read by any number of node inputs — including nodes inside subgraphs that read it
 * from the outer scope, which is why `uses` can hold nodes of other graphs.
 */
import type { TensorProto, TypeProto, ValueInfoProto } from '../onnx/proto-types.js';
import type { Graph } from './graph.js';
import type { Node } from './node.js';
import { tensorTypeFromProto, type Dim, type TensorType } from './tensor-type.js';

export interface Use {
  node: Node;
  /** Position in `node.inputs`. */
  index: number;
}

export class Value {
  /** The graph whose scope defines this value. */
  readonly graph: Graph;
  name: string;
  producer: Node | undefined = undefined;
  readonly uses: Use[] = [];
  /** Set when the value is a constant stored in the graph's initializer list. */
  initializer: TensorProto | undefined = undefined;
  /** The type as the file declares it (graph input/output or value_info); kept verbatim for saving. */
  declaredType: TypeProto | undefined = undefined;
  /** The ValueInfoProto the value came with, kept for its doc_string and metadata_props. */
  info: ValueInfoProto | undefined = undefined;
  /** The type shape inference found; never written over `declaredType`. */
  inferred: TensorType | undefined = undefined;

  constructor(graph: Graph, name: string) {
    this.graph = graph;
    this.name = name;
  }

  get isGraphInput(): boolean { return this.graph.inputs.includes(this); }
  /** An output of its own graph, or of a subgraph inside it that returns it from the outer scope. */
  get isGraphOutput(): boolean {
    for (const g of this.graph.allGraphs()) if (g.outputs.includes(this)) return true;
    return false;
  }
  get isInitializer(): boolean { return this.initializer !== undefined; }

  /**
   * The best known tensor type: declared facts first, filled in by inference. A declared fixed dim wins;
   * an inferred number replaces a declared symbolic or unknown dim (inference may know more after
   * shapes were fixed).
   */
  get type(): TensorType | undefined {
    const declared = tensorTypeFromProto(this.declaredType);
    const inferred = this.inferred;
    if (!declared) return inferred;
    if (!inferred) return declared;
    const dtype = declared.dtype || inferred.dtype;
    if (!declared.shape) return { dtype, shape: inferred.shape };
    if (!inferred.shape || inferred.shape.length !== declared.shape.length) return { dtype, shape: declared.shape };
    const shape = declared.shape.map((d, i): Dim => {
      const inf = inferred.shape![i] ?? null;
      if (typeof d === 'number') return d;
      if (typeof inf === 'number') return inf;
      return d ?? inf;
    });
    return { dtype, shape };
  }
}
