/**
 * A model: the main graph, the opsets it imports, model-local functions, and the header fields
 * (producer, metadata, training info, …) kept as read. `toProto()` gives back a ModelProto that keeps
 * everything the IR does not model.
 */
import type { FunctionProto, ModelProto, OperatorSetIdProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import type { Graph } from './graph.js';

export class Model {
  /** Where the model came from (a file path, or a label), for error messages. */
  readonly source: string;
  readonly proto: ModelProto;
  graph!: Graph;
  /** Model-local functions, kept as the file has them. */
  functions: FunctionProto[];
  opsetImport: OperatorSetIdProto[];
  /** Every value and node name in use anywhere in the model, so new names never collide. */
  private readonly names = new Set<string>();

  constructor(proto: ModelProto, source: string) {
    this.proto = proto;
    this.source = source;
    this.functions = proto.functions ?? [];
    this.opsetImport = proto.opset_import ?? [];
  }

  get irVersion(): number {
    return this.proto.ir_version === undefined ? 0 : int64ToNumber(this.proto.ir_version);
  }

  /** The imported version of `domain` ('' and 'ai.onnx' are the same domain); undefined if not imported. */
  opsetVersion(domain = ''): number | undefined {
    const wanted = domain === 'ai.onnx' ? '' : domain;
    const entry = this.opsetImport.find((o) => (o.domain === 'ai.onnx' ? '' : (o.domain ?? '')) === wanted);
    return entry?.version === undefined ? undefined : int64ToNumber(entry.version);
  }

  /** Records a name as taken (used while reading a model). */
  reserveName(name: string): void {
    this.names.add(name);
  }

  /** `hint` if free, else `hint_1`, `hint_2`, … — and marks it taken. */
  uniqueName(hint: string): string {
    let name = hint || 'value';
    for (let i = 1; this.names.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  toProto(): ModelProto {
    return {
      ...this.proto,
      opset_import: this.opsetImport,
      graph: this.graph.toProto(),
      functions: this.functions,
    };
  }
}
