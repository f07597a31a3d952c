/**
 * A fluent builder of ModelProto for models written in code: the fixture generator, tests that need
 * "a graph made for this test", and constant folding (a model of one constant subgraph).
 *
 *   const b = new ModelBuilder({ opset: 17 });
 *   const x = b.input('x', 'float32', ['batch', 64]);
 *   const w = b.initializer('w', 'float32', [10, 64], weights);
 *   const y = b.node('Gemm', [x, w], { transB: 1, alpha: float(0.5) }, { output: 'y' });
 *   b.output(y, 'float32', ['batch', 10]);
 *   const model = b.build();
 *
 * Every message is made with createMessage, so fields the builder does not set stay absent on the wire.
 * Names are checked as they are added: a node may only read a value already defined in its graph or an
 * enclosing one, and no value name is defined twice anywhere in the model (SSA across subgraphs), so a
 * typo fails where it is written rather than in onnxruntime. Misuse is a bug in the caller, hence plain
 * Errors, not MlserveErrors.
 */
import { createMessage } from '../onnx/codec.js';
import { dataTypeByName, dataTypeInfo } from '../onnx/data-type.js';
import type {
  AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
  StringStringEntryProto, TensorProto, ValueInfoProto,
} from '../onnx/proto-types.js';
import { AttributeType, makeAttribute, type AttributeInput } from './attribute-value.js';
import { makeTensor, type TensorArray } from './tensor-data.js';
import { tensorTypeToProto, type Dim } from './tensor-type.js';

/** An element type: ONNX's name ('float32', 'int64', 'bool', …) or the TensorProto.DataType number. */
export type DTypeSpec = string | number;

/** Tensor data as makeTensor takes it (the dtype's storage array, or values), or booleans for bool. */
export type TensorData = TensorArray | readonly number[] | readonly bigint[] | readonly boolean[];

/** A value name to read; '' (or null/undefined) leaves an optional input out. */
export type InputRef = string | null | undefined;

// ---------------------------------------------------------------------------------------------------
// Attributes

/** An attribute value with its kind spelled out, for where a JS value alone is ambiguous (1 vs 1.0). */
export class TypedAttribute {
  constructor(readonly value: AttributeInput) {}
}

/** A reference to an attribute of the enclosing function (`ref_attr_name`), for function bodies. */
export class AttributeRef {
  constructor(readonly refName: string, readonly type: number) {}
}

export const float = (v: number) => new TypedAttribute({ float: v });
export const floats = (v: readonly number[]) => new TypedAttribute({ floats: [...v] });
export const int = (v: number) => new TypedAttribute({ int: v });
export const ints = (v: readonly number[]) => new TypedAttribute({ ints: [...v] });
export const strings = (v: readonly string[]) => new TypedAttribute({ strings: [...v] });

const ATTRIBUTE_TYPE_BY_NAME = {
  float: AttributeType.FLOAT, int: AttributeType.INT, string: AttributeType.STRING, tensor: AttributeType.TENSOR,
  graph: AttributeType.GRAPH, floats: AttributeType.FLOATS, ints: AttributeType.INTS, strings: AttributeType.STRINGS,
} as const;

/** `{ value_float: ref('alpha', 'float') }` inside a function body reads the function's `alpha`. */
export function ref(refName: string, type: keyof typeof ATTRIBUTE_TYPE_BY_NAME): AttributeRef {
  const t: number | undefined = ATTRIBUTE_TYPE_BY_NAME[type];
  if (t === undefined) throw new Error(`ref('${refName}'): unknown attribute type '${type}'`);
  return new AttributeRef(refName, t);
}

/**
 * What a plain JS value becomes: integer → INT, other number → FLOAT, number[] → INTS or FLOATS likewise,
 * boolean → INT 0/1, string(s) → STRING(S), TensorProto → TENSOR, GraphBuilder/GraphProto → GRAPH,
 * undefined → the attribute is left out. Standard-domain attributes that ONNX types as float (alpha,
 * epsilon, …) stay FLOAT even when given an integer; elsewhere wrap with float()/floats() to be explicit.
 */
export type AttributeSpec =
  | number | boolean | string | readonly number[] | readonly string[]
  | TensorProto | GraphProto | GraphBuilder | TypedAttribute | AttributeRef | undefined;

export type Attributes = Readonly<Record<string, AttributeSpec>>;

/** Float-typed attributes of the standard operators, so `{ alpha: 1 }` on Gemm or Elu is still a FLOAT. */
const STANDARD_FLOAT_ATTRIBUTES = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'lambd', 'bias', 'seed', 'mean', 'scale', 'high', 'low',
  'spatial_scale', 'extrapolation_value', 'cubic_coeff_a', 'value_float', 'value_floats', 'scales', 'ratio',
]);

function isStandardDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

// ---------------------------------------------------------------------------------------------------
// Tensors

export function dtypeId(dtype: DTypeSpec): number {
  if (typeof dtype === 'number') {
    if (!dataTypeInfo(dtype)) throw new Error(`unknown ONNX data type ${dtype}`);
    return dtype;
  }
  const info = dataTypeByName(dtype);
  if (!info) throw new Error(`unknown ONNX data type '${dtype}'`);
  return info.id;
}

/** A TensorProto holding `data` in raw_data (see makeTensor); without a name when `name` is undefined (Constant values). */
export function makeTensorProto(name: string | undefined, dtype: DTypeSpec, dims: readonly number[], data: TensorData): TensorProto {
  const values = Array.isArray(data) && data.some((v) => typeof v === 'boolean') ? (data as boolean[]).map(Number) : data as TensorArray | number[] | bigint[];
  const tensor = makeTensor(name ?? '', dtypeId(dtype), dims, values);
  if (name === undefined) delete tensor.name;
  return tensor;
}

function valueInfo(name: string, dtype: DTypeSpec | undefined, shape: readonly Dim[] | undefined): ValueInfoProto {
  const fields: Partial<ValueInfoProto> = { name };
  if (dtype !== undefined) fields.type = tensorTypeToProto({ dtype: dtypeId(dtype), shape: shape ? [...shape] : undefined });
  return createMessage<ValueInfoProto>('ValueInfoProto', fields);
}

function entries(map: Readonly<Record<string, string>>): StringStringEntryProto[] {
  return Object.entries(map).map(([key, value]) => createMessage<StringStringEntryProto>('StringStringEntryProto', { key, value }));
}

// ---------------------------------------------------------------------------------------------------
// Node lists: what graphs and function bodies share

export interface NodeOptions {
  /** Node name; defaults to `<OpType>_<n>`, unique in the model. Outputs default to `<name>_output_<i>`. */
  name?: string;
  domain?: string;
  overload?: string;
  metadata?: Readonly<Record<string, string>>;
  docString?: string;
}

/** One output, optionally named: `node()` returns its name. */
export interface SingleOutputOptions extends NodeOptions { output?: string; outputs?: undefined }
/** Several outputs: how many (named after the node), or their names ('' leaves an optional one out); `node()` returns the names. */
export interface MultiOutputOptions extends NodeOptions { outputs: number | readonly string[]; output?: undefined }

/** Names taken in one namespace tree: the main graph with its subgraphs, or one function. */
class Names {
  readonly values = new Set<string>();
  readonly nodes = new Set<string>();
  private readonly counters = new Map<string, number>();

  nodeName(opType: string): string {
    for (;;) {
      const n = this.counters.get(opType) ?? 0;
      this.counters.set(opType, n + 1);
      const name = `${opType}_${n}`;
      if (!this.nodes.has(name) && !this.values.has(`${name}_output_0`)) return name;
    }
  }
}

abstract class NodeListBuilder {
  protected readonly nodes: NodeProto[] = [];
  /** Values defined in this scope: inputs, initializers, node outputs. */
  protected readonly defined = new Set<string>();
  private sealedBy: string | undefined;

  protected constructor(protected readonly names: Names, protected readonly parent: NodeListBuilder | undefined) {}

  /** Whether `name` can be read here: defined in this scope or an enclosing one. */
  isVisible(name: string): boolean {
    return this.defined.has(name) || (this.parent?.isVisible(name) ?? false);
  }

  /** Adds a node; returns its output name, or the names of all outputs when `outputs` is given. */
  node(opType: string, inputs: readonly InputRef[], attrs?: Attributes, options?: SingleOutputOptions): string;
  node(opType: string, inputs: readonly InputRef[], attrs: Attributes | undefined, options: MultiOutputOptions): string[];
  node(opType: string, inputs: readonly InputRef[], attrs: Attributes = {}, options: SingleOutputOptions | MultiOutputOptions = {}): string | string[] {
    this.checkOpen();
    const domain = options.domain ?? '';
    const name = options.name ?? this.names.nodeName(opType);
    if (this.names.nodes.has(name)) throw new Error(`node name '${name}' is already used`);
    const inputNames = inputs.map((i) => i ?? '');
    for (const input of inputNames) {
      if (input !== '' && !this.isVisible(input)) throw new Error(`node '${name}' (${opType}) reads '${input}', which is not defined (yet) in this graph or an enclosing one`);
    }
    const outputNames = options.outputs === undefined ? [options.output ?? `${name}_output_0`]
      : typeof options.outputs === 'number' ? Array.from({ length: options.outputs }, (_, i) => `${name}_output_${i}`)
        : [...options.outputs];
    const fresh = outputNames.filter((o) => o !== '');
    for (const output of fresh) this.checkFree(output, `output of node '${name}'`);
    if (new Set(fresh).size !== fresh.length) throw new Error(`node '${name}' names an output twice: ${fresh.join(', ')}`);
    // Attributes before any name is taken, so a bad attribute leaves the builder as it was.
    const attribute = Object.entries(attrs).flatMap(([k, v]) => (v === undefined ? [] : [toAttribute(k, v, domain)]));
    for (const output of fresh) this.define(output, `output of node '${name}'`);
    this.names.nodes.add(name);

    const fields: Partial<NodeProto> = { input: inputNames, output: outputNames, name, op_type: opType, attribute };
    if (domain !== '') fields.domain = domain;
    if (options.overload !== undefined) fields.overload = options.overload;
    if (options.docString !== undefined) fields.doc_string = options.docString;
    if (options.metadata) fields.metadata_props = entries(options.metadata);
    this.nodes.push(createMessage<NodeProto>('NodeProto', fields));
    return options.outputs === undefined ? outputNames[0]! : outputNames;
  }

  /** A Constant node holding the given data; returns its output name. */
  constant(dtype: DTypeSpec, dims: readonly number[], data: TensorData, options: SingleOutputOptions = {}): string {
    return this.node('Constant', [], { value: makeTensorProto(undefined, dtype, dims, data) }, options);
  }

  /**
   * Adds an existing NodeProto as it is (attributes and subgraphs included), under the same name checks
   * as node(): how a constant subgraph is copied into a model of its own. Returns its output names.
   */
  addNode(proto: NodeProto): string[] {
    this.checkOpen();
    const label = proto.name || proto.op_type || 'node';
    for (const input of proto.input) {
      if (input !== '' && !this.isVisible(input)) throw new Error(`node '${label}' reads '${input}', which is not defined (yet) in this graph or an enclosing one`);
    }
    const fresh = proto.output.filter((o) => o !== '');
    for (const output of fresh) this.checkFree(output, `output of node '${label}'`);
    if (proto.name) {
      if (this.names.nodes.has(proto.name)) throw new Error(`node name '${proto.name}' is already used`);
      this.names.nodes.add(proto.name);
    }
    for (const output of fresh) this.define(output, `output of node '${label}'`);
    this.nodes.push(proto);
    return [...proto.output];
  }

  /** A TensorProto (for TENSOR attributes and initializers made elsewhere). */
  tensor(dtype: DTypeSpec, dims: readonly number[], data: TensorData, name?: string): TensorProto {
    return makeTensorProto(name, dtype, dims, data);
  }

  readonly float = float;
  readonly floats = floats;
  readonly int = int;
  readonly ints = ints;
  readonly strings = strings;
  readonly ref = ref;

  protected checkFree(name: string, what: string): void {
    if (name === '') throw new Error(`${what}: empty value name`);
    if (this.names.values.has(name)) throw new Error(`${what}: value name '${name}' is already defined in this model`);
  }

  protected define(name: string, what: string): void {
    this.checkFree(name, what);
    this.names.values.add(name);
    this.defined.add(name);
  }

  protected checkOpen(): void {
    if (this.sealedBy) throw new Error(`this builder was already used by ${this.sealedBy}; it cannot change any more`);
  }

  protected seal(by: string): void {
    this.sealedBy = by;
  }
}

/** The AttributeProto for a JS value under the inference rules of AttributeSpec. */
export function toAttribute(name: string, spec: Exclude<AttributeSpec, undefined>, domain = ''): AttributeProto {
  if (spec instanceof AttributeRef) {
    return createMessage<AttributeProto>('AttributeProto', { name, ref_attr_name: spec.refName, type: spec.type });
  }
  if (spec instanceof TypedAttribute) return makeAttribute(name, spec.value);
  if (spec instanceof GraphBuilder) return makeAttribute(name, { graph: spec.claim(`attribute '${name}'`) });
  const floatByName = isStandardDomain(domain) && STANDARD_FLOAT_ATTRIBUTES.has(name);
  if (typeof spec === 'boolean') return makeAttribute(name, { int: spec ? 1 : 0 });
  if (typeof spec === 'number') return makeAttribute(name, floatByName || !Number.isInteger(spec) ? { float: spec } : { int: spec });
  if (typeof spec === 'string') return makeAttribute(name, { string: spec });
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new Error(`attribute '${name}': an empty list has no type; use ints([]), floats([]) or strings([])`);
    if (spec.every((v) => typeof v === 'string')) return makeAttribute(name, { strings: spec as string[] });
    if (spec.every((v) => typeof v === 'number')) {
      const values = spec as number[];
      return makeAttribute(name, floatByName || !values.every(Number.isInteger) ? { floats: values } : { ints: values });
    }
    throw new Error(`attribute '${name}': a list must hold only numbers or only strings`);
  }
  if (isGraphProto(spec)) return makeAttribute(name, { graph: spec });
  if (isTensorProto(spec)) return makeAttribute(name, { tensor: spec });
  throw new Error(`attribute '${name}': cannot tell its type from ${String(spec)}`);
}

function isGraphProto(v: object): v is GraphProto {
  return 'node' in v && Array.isArray((v as GraphProto).node);
}

function isTensorProto(v: object): v is TensorProto {
  return 'dims' in v && Array.isArray((v as TensorProto).dims) && 'data_type' in v;
}

// ---------------------------------------------------------------------------------------------------
// Graphs

export class GraphBuilder extends NodeListBuilder {
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly valueInfos: ValueInfoProto[] = [];
  private readonly metadataProps: StringStringEntryProto[] = [];
  docString: string | undefined;

  /** Use ModelBuilder for a model and `subgraph()` for If/Loop/Scan bodies. */
  protected constructor(readonly name: string, names: Names, parent: GraphBuilder | undefined) {
    super(names, parent);
  }

  input(name: string, dtype: DTypeSpec, shape?: readonly Dim[]): string {
    this.checkOpen();
    const info = valueInfo(name, dtype, shape);
    this.define(name, 'graph input');
    this.inputs.push(info);
    return name;
  }

  /** Declares a graph output. Without a dtype the output has no type (allowed in subgraphs only). */
  output(name: string, dtype?: DTypeSpec, shape?: readonly Dim[]): string {
    this.checkOpen();
    if (!this.isVisible(name)) throw new Error(`graph output '${name}' is not defined (yet) in this graph or an enclosing one`);
    this.outputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  initializer(name: string, dtype: DTypeSpec, dims: readonly number[], data: TensorData): string {
    return this.addInitializer(makeTensorProto(name, dtype, dims, data));
  }

  /** Adds a ready-made TensorProto as an initializer under its own name. */
  addInitializer(tensor: TensorProto): string {
    this.checkOpen();
    if (!tensor.name) throw new Error('an initializer needs a name');
    this.define(tensor.name, 'initializer');
    this.initializers.push(tensor);
    return tensor.name;
  }

  /** Records a type for an intermediate value (GraphProto.value_info). */
  valueInfo(name: string, dtype: DTypeSpec, shape?: readonly Dim[]): string {
    this.checkOpen();
    if (!this.isVisible(name)) throw new Error(`value_info for '${name}', which is not defined (yet)`);
    this.valueInfos.push(valueInfo(name, dtype, shape));
    return name;
  }

  graphMetadata(key: string, value: string): void {
    this.checkOpen();
    this.metadataProps.push(...entries({ [key]: value }));
  }

  /**
   * A body for If/Loop/Scan: its nodes may read any value of this graph defined so far. Pass the
   * builder itself as the attribute value; after that it is frozen.
   */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, this.names, this);
  }

  buildGraph(): GraphProto {
    const fields: Partial<GraphProto> = {
      node: [...this.nodes], name: this.name, initializer: [...this.initializers],
      input: [...this.inputs], output: [...this.outputs], value_info: [...this.valueInfos],
    };
    if (this.docString !== undefined) fields.doc_string = this.docString;
    if (this.metadataProps.length > 0) fields.metadata_props = [...this.metadataProps];
    return createMessage<GraphProto>('GraphProto', fields);
  }

  /** Builds this subgraph for an attribute and freezes it, so later additions cannot silently go missing. */
  claim(by: string): GraphProto {
    this.checkOpen();
    if (this.parent === undefined) throw new Error(`the main graph cannot be used as ${by}; make a body with subgraph()`);
    const graph = this.buildGraph();
    this.seal(by);
    return graph;
  }
}

// ---------------------------------------------------------------------------------------------------
// Model-local functions

export interface FunctionOptions {
  overload?: string;
  /** The function body's opset imports; defaults to the model's default-domain opset. */
  opsetImports?: Readonly<Record<string, number>>;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

export class FunctionBuilder extends NodeListBuilder {
  private readonly inputNames: string[] = [];
  private readonly outputNames: string[] = [];
  private readonly attributeNames: string[] = [];
  private readonly attributeDefaults: AttributeProto[] = [];

  /** Use ModelBuilder.function(). */
  constructor(readonly domain: string, readonly name: string, readonly options: FunctionOptions) {
    super(new Names(), undefined);
  }

  input(name: string): string {
    this.checkOpen();
    this.define(name, 'function input');
    this.inputNames.push(name);
    return name;
  }

  output(name: string): string {
    this.checkOpen();
    if (!this.isVisible(name)) throw new Error(`function output '${name}' is not defined (yet) in the body`);
    this.outputNames.push(name);
    return name;
  }

  /** Declares an attribute of the function; with a default it goes to attribute_proto (IR 9+). */
  attribute(name: string, defaultValue?: Exclude<AttributeSpec, GraphBuilder | AttributeRef>): string {
    this.checkOpen();
    if (defaultValue === undefined) this.attributeNames.push(name);
    else this.attributeDefaults.push(toAttribute(name, defaultValue, this.domain));
    return name;
  }

  buildFunction(modelOpset: number): FunctionProto {
    this.seal(`the model`);
    const opsets = this.options.opsetImports ?? { '': modelOpset };
    const fields: Partial<FunctionProto> = {
      name: this.name, domain: this.domain, input: [...this.inputNames], output: [...this.outputNames],
      attribute: [...this.attributeNames], attribute_proto: [...this.attributeDefaults], node: [...this.nodes],
      opset_import: Object.entries(opsets).map(([domain, version]) => opsetId(domain, version)),
    };
    if (this.options.overload !== undefined) fields.overload = this.options.overload;
    if (this.options.docString !== undefined) fields.doc_string = this.options.docString;
    if (this.options.metadata) fields.metadata_props = entries(this.options.metadata);
    return createMessage<FunctionProto>('FunctionProto', fields);
  }
}

function opsetId(domain: string, version: number): OperatorSetIdProto {
  return createMessage<OperatorSetIdProto>('OperatorSetIdProto', { domain, version });
}

// ---------------------------------------------------------------------------------------------------
// Models

export interface ModelBuilderOptions {
  /** Default-domain opset version. Default 17. */
  opset?: number;
  /** Default 8 (what opset 17 exporters write); functions with overload need 10. */
  irVersion?: number;
  producer?: string;
  producerVersion?: string;
  /** ModelProto.domain. */
  domain?: string;
  modelVersion?: number;
  docString?: string;
  /** Name of the main graph. Default 'main'. */
  graphName?: string;
  /** Extra opset imports, e.g. { 'com.microsoft': 1 }. */
  opsetImports?: Readonly<Record<string, number>>;
}

export class ModelBuilder extends GraphBuilder {
  private readonly opsets = new Map<string, number>();
  private readonly functions: FunctionBuilder[] = [];
  private readonly modelMetadata: StringStringEntryProto[] = [];

  constructor(readonly options: ModelBuilderOptions = {}) {
    super(options.graphName ?? 'main', new Names(), undefined);
    this.opsets.set('', options.opset ?? 17);
    for (const [domain, version] of Object.entries(options.opsetImports ?? {})) this.opsetImport(domain, version);
  }

  get opset(): number {
    return this.opsets.get('')!;
  }

  opsetImport(domain: string, version: number): void {
    this.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
  }

  metadata(key: string, value: string): void {
    this.modelMetadata.push(...entries({ [key]: value }));
  }

  /**
   * A model-local function `domain.name` (with `overload`, IR 10+). Call it with
   * `b.node(name, inputs, attrs, { domain, overload })`. The model imports `domain` at version 1
   * unless told otherwise with opsetImport().
   */
  function(domain: string, name: string, options: FunctionOptions = {}): FunctionBuilder {
    if (this.functions.some((f) => f.domain === domain && f.name === name && f.options.overload === options.overload)) {
      throw new Error(`function ${domain}.${name}${options.overload ? ` (overload '${options.overload}')` : ''} is already defined`);
    }
    const fn = new FunctionBuilder(domain, name, options);
    this.functions.push(fn);
    if (!this.opsets.has(domain)) this.opsets.set(domain, 1);
    return fn;
  }

  build(): ModelProto {
    const o = this.options;
    const fields: Partial<ModelProto> = {
      ir_version: o.irVersion ?? 8,
      opset_import: [...this.opsets].map(([domain, version]) => opsetId(domain, version)),
      graph: this.buildGraph(),
      functions: this.functions.map((f) => f.buildFunction(this.opset)),
    };
    if (o.producer !== undefined) fields.producer_name = o.producer;
    if (o.producerVersion !== undefined) fields.producer_version = o.producerVersion;
    if (o.domain !== undefined) fields.domain = o.domain;
    if (o.modelVersion !== undefined) fields.model_version = o.modelVersion;
    if (o.docString !== undefined) fields.doc_string = o.docString;
    if (this.modelMetadata.length > 0) fields.metadata_props = [...this.modelMetadata];
    return createMessage<ModelProto>('ModelProto', fields);
  }
}
