/**
 * convert_to_fp16 — Does: every float32 computation and weight becomes float16, except what the
 * block lists keep float32; Casts go where a float16 value meets a float32 reader (and back).
 *
 *   W(float32) → MatMul(x, W) → y      becomes      W(float16) → MatMul(Cast(x, fp16), W) → Cast(·, fp32) → y
 *
 * How it decides (types come from shape inference, run first):
 *  - A node is converted unless it is kept: not an ai.onnx op (contrib ops, function calls, ai.onnx.ml),
 *    in the op block list (src/ops/fp16-block-list.ts plus --op-block-list) or the node block list,
 *    shape arithmetic (float math computed only from Shape/Size results and constants: float16
 *    integers are exact only to 2048), an element type shape inference could not tell, a float32
 *    output the op types by itself, or LayerNormalization's float32 statistics outputs in use.
 *  - Initializers and Constants become float16 when a converted node reads them as float16 (a kept
 *    reader then gets a Cast, which onnxruntime folds at load), else they stay float32.
 *  - Graph inputs and outputs stay float32 with --keep-io-types (the default), Casts at the boundary.
 *  - If/Loop/Scan keep float32 at their boundary; their subgraphs are converted inside by the same
 *    rules, a Cast in the subgraph where it reads a converted outer value.
 *  - Some inputs stay float32 on converted ops (Resize's scales; see isFloat32OnlyInput); Cast,
 *    Shape and Size read any type, so they never get a Cast in front.
 *  - A BatchNormalization whose statistics exceed the float16 range gets equivalent ones that fit
 *    (rescale-batch-norm.ts) instead of being clamped.
 *  - Weights beyond ±65504 are clamped to it, and non-zero weights float16 would flush to 0 are set to
 *    ±2⁻²⁴; both counted (stats clampedOverflow, clampedUnderflow).
 *  - Afterwards a Cast pair that cancels exactly (float16 → float32 → float16) is bypassed, and a Cast
 *    to the type its input already has is removed.
 * Running it again changes nothing: what is left float32 is kept, read through Casts, or graph I/O.
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { tensorToFloat16 } from './float16-tensor.js';
import { makeTensor } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto, TypeProto } from '../onnx/proto-types.js';
import { acceptsAnyType, DEFAULT_FP16_OP_BLOCK_LIST, float16RuntimeHazard, isFloat32OnlyInput, SHAPE_SOURCES } from '../ops/fp16-block-list.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import type { Pass, PassContext, PassResult } from './pass.js';
import { batchNormNeedsRescale, rescaleBatchNorm } from './rescale-batch-norm.js';

const FLOAT = DataType.FLOAT!;
const FLOAT16 = DataType.FLOAT16!;

export interface Fp16Options {
  /** Graph inputs and outputs stay float32 (Casts at the boundary). Default true. */
  keepIoTypes?: boolean;
  /** More ops to keep float32, on top of the default list. */
  opBlockList?: readonly string[];
  /** Nodes (by name) to keep float32. */
  nodeBlockList?: readonly string[];
  /** Leave the default op block list out (only what opBlockList names is kept). Default false. */
  noDefaultBlockList?: boolean;
}

/** Ops whose float output type comes from an attribute the pass rewrites. */
const ATTRIBUTE_TYPED = new Set(['Cast', 'Constant', 'ConstantOfShape']);

export function createConvertToFp16(options: Fp16Options = {}): Pass {
  return {
    name: 'convert_to_fp16',
    kind: 'convert',
    summary: 'float32 weights and computation to float16, block-listed ops kept float32, Casts at the boundaries (--precision fp16)',
    run: (model, ctx) => new Fp16Conversion(model, ctx, options).run(),
  };
}

export default createConvertToFp16();

type Role = 'convert' | 'keep' | 'neutral';

class Fp16Conversion {
  private readonly keepIo: boolean;
  private readonly opBlockList: Map<string, string>;
  private readonly nodeBlockList: Set<string>;
  private readonly roles = new Map<Node, Role>();
  /** The element type each float32 value will have. */
  private readonly target = new Map<Value, number>();
  private readonly castCache = new Map<string, Value>();
  /** Types of values this pass created (shape inference has not seen them). */
  private readonly created = new Map<Value, number>();
  private readonly stats = { converted: 0, kept: 0, initializers: 0, casts: 0, clampedOverflow: 0, clampedUnderflow: 0, castsRemoved: 0, batchNormsRescaled: 0 };

  constructor(private readonly model: Model, private readonly ctx: PassContext, options: Fp16Options) {
    this.keepIo = options.keepIoTypes ?? true;
    this.opBlockList = new Map(options.noDefaultBlockList ? [] : DEFAULT_FP16_OP_BLOCK_LIST);
    for (const op of options.opBlockList ?? []) this.opBlockList.set(op, 'in --op-block-list');
    this.nodeBlockList = new Set(options.nodeBlockList ?? []);
  }

  run(): PassResult {
    inferShapes(this.model);
    const graphs = [...this.model.graph.allGraphs()];
    const shapeMath = shapeArithmetic(graphs);
    for (const graph of graphs) for (const node of graph.nodes) this.classify(node, shapeMath);
    for (const graph of graphs) {
      for (const node of [...graph.nodes]) {
        if (node.opType === 'BatchNormalization' && this.role(node) === 'convert' && batchNormNeedsRescale(node) && rescaleBatchNorm(node)) {
          this.stats.batchNormsRescaled++;
        }
      }
    }
    for (const graph of graphs) this.assignTargets(graph);
    if (![...this.target.values()].some((t) => t === FLOAT16)) return { modified: false, stats: this.stats };

    for (const graph of graphs) {
      for (const node of [...graph.nodes]) this.rewriteNode(node);
      for (const value of [...graph.values.values()]) this.convertValue(value);
    }
    for (const graph of graphs) this.insertCasts(graph);
    for (const graph of graphs) this.removeCancellingCasts(graph);
    return { modified: true, stats: this.stats };
  }

  // -------------------------------------------------------------------------------------------------
  // Deciding

  private dtype(v: Value): number {
    const made = this.created.get(v);
    if (made !== undefined) return made;
    if (v.initializer) return v.initializer.data_type ?? 0;
    return v.type?.dtype ?? 0;
  }

  /** Inputs whose type ties to the op's computation (any-type inputs left out). */
  private typedInputs(node: Node): Value[] {
    return node.inputs.filter((v, i): v is Value => v !== undefined && !(node.domain === '' && acceptsAnyType(node.opType, i)));
  }

  private classify(node: Node, shapeMath: Set<Node>): void {
    const inputs = this.typedInputs(node);
    const outputs = node.outputs.filter((v): v is Value => v !== undefined);
    const touchesFloat = inputs.some((v) => this.dtype(v) === FLOAT) || outputs.some((v) => this.dtype(v) === FLOAT);
    if (node.opType === 'Constant' && node.domain === '') {
      this.roles.set(node, 'neutral'); // decided by its readers, like an initializer
      return;
    }
    if (!touchesFloat) {
      this.roles.set(node, 'neutral');
      return;
    }
    const reason = this.keepReason(node, inputs, outputs, shapeMath);
    if (reason) {
      this.roles.set(node, 'keep');
      this.stats.kept++;
      this.ctx.decline('convert_to_fp16', node, `kept float32: ${reason}`);
      return;
    }
    // An up-cast already in the model (float16 → float32) stays what it is.
    if (node.opType === 'Cast' && node.inputs[0] && this.dtype(node.inputs[0]) === FLOAT16) {
      this.roles.set(node, 'neutral');
      return;
    }
    this.roles.set(node, 'convert');
    this.stats.converted++;
  }

  private keepReason(node: Node, inputs: Value[], outputs: Value[], shapeMath: Set<Node>): string | undefined {
    if (node.domain !== '') return `${node.domain} op (only ai.onnx ops are converted)`;
    if (node.name !== undefined && this.nodeBlockList.has(node.name)) return 'in --node-block-list';
    const listed = this.opBlockList.get(node.opType);
    if (listed) return listed;
    if (node.subgraphs.length > 0) return 'holds subgraphs: converted inside, float32 at the boundary';
    const hazard = float16RuntimeHazard(node);
    if (hazard) return hazard;
    if (shapeMath.has(node)) return 'computed only from Shape/Size results and constants (index arithmetic: float16 integers are exact only to 2048)';
    const unknown = [...inputs, ...outputs].find((v) => this.dtype(v) === 0);
    if (unknown) return `element type of '${unknown.name}' unknown`;
    if (node.opType === 'LayerNormalization' && node.outputs.slice(1).some((v) => v && (v.uses.length > 0 || v.isGraphOutput))) {
      return 'its Mean/InvStdDev outputs are float32 (stash_type)';
    }
    const floatIn = inputs.some((v) => this.dtype(v) === FLOAT || this.dtype(v) === FLOAT16);
    if (!floatIn && !ATTRIBUTE_TYPED.has(node.opType)) return 'the op itself types its float32 output';
    return undefined;
  }

  private role(node: Node): Role {
    return this.roles.get(node) ?? 'neutral';
  }

  /** What element type input `index` of `node` must have; undefined when any type will do. */
  private required(node: Node, index: number): number | undefined {
    if (node.domain === '' && acceptsAnyType(node.opType, index)) return undefined;
    if (this.role(node) !== 'convert') return FLOAT;
    return isFloat32OnlyInput(node.opType, this.model.opsetVersion('') ?? 1, index) ? FLOAT : FLOAT16;
  }

  private isMainGraph(graph: Graph): boolean {
    return graph === this.model.graph;
  }

  private assignTargets(graph: Graph): void {
    for (const value of graph.values.values()) {
      if (this.dtype(value) !== FLOAT) continue;
      const producer = value.producer;
      if (value.initializer || (producer && producer.opType === 'Constant' && producer.domain === '')) {
        // Read as float16 by a converted node → stored float16 (kept readers get a Cast).
        const wanted = value.uses.some((u) => this.required(u.node, u.index) === FLOAT16) && !value.isGraphOutput;
        this.target.set(value, wanted ? FLOAT16 : FLOAT);
      } else if (producer) {
        this.target.set(value, this.role(producer) === 'convert' ? FLOAT16 : FLOAT);
      } else if (value.isGraphInput) {
        this.target.set(value, this.isMainGraph(graph) && !this.keepIo ? FLOAT16 : FLOAT);
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Rewriting

  private rewriteNode(node: Node): void {
    if (node.domain !== '') return;
    if (node.opType === 'Constant') {
      const out = node.outputs[0];
      if (out && this.target.get(out) === FLOAT16) this.convertConstantNode(node, out);
      return;
    }
    if (this.role(node) !== 'convert') return;
    if (node.opType === 'Cast' && node.intAttribute('to') === FLOAT) node.setAttribute('to', { int: FLOAT16 });
    if (node.opType === 'ConstantOfShape') {
      const value = node.attributeValue('value') as TensorProto | undefined;
      if (!value) node.setAttribute('value', { tensor: makeTensor('', FLOAT16, [1], [0]) });
      else if (value.data_type === FLOAT) node.setAttribute('value', { tensor: this.half(value) });
    }
  }

  private convertConstantNode(node: Node, out: Value): void {
    const value = node.attributeValue('value') as TensorProto | undefined;
    let tensor: TensorProto;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      tensor = this.half(value);
    } else if (node.hasAttribute('value_float')) {
      tensor = this.half(makeTensor('', FLOAT, [], [node.floatAttribute('value_float', 0)]));
    } else {
      const floats = (node.attributeValue('value_floats') as number[] | undefined) ?? [];
      tensor = this.half(makeTensor('', FLOAT, [floats.length], floats));
    }
    delete tensor.name;
    node.attributes = node.attributes.filter((a) => !['value', 'value_float', 'value_floats'].includes(a.name ?? ''));
    node.setAttribute('value', { tensor });
    this.retype(out, FLOAT16);
  }

  /** Converts one float32 value to float16 when its target says so: its data or its declared type. */
  private convertValue(value: Value): void {
    if (this.target.get(value) !== FLOAT16 || this.dtype(value) !== FLOAT) return;
    if (value.initializer) {
      value.initializer = { ...this.half(value.initializer), name: value.name };
      this.stats.initializers++;
    }
    this.retype(value, FLOAT16);
  }

  private half(tensor: TensorProto): TensorProto {
    const r = tensorToFloat16(tensor, this.model.source);
    this.stats.clampedOverflow += r.clampedOverflow;
    this.stats.clampedUnderflow += r.clampedUnderflow;
    return r.tensor;
  }

  /** Sets the value's element type in its declared type (value_info, graph I/O) and our own record. */
  private retype(value: Value, dtype: number): void {
    this.created.set(value, dtype);
    if (value.declaredType?.tensor_type) value.declaredType = withElemType(value.declaredType, dtype);
    if (value.inferred) value.inferred = { ...value.inferred, dtype };
  }

  /** A Cast of `value` to `dtype` in `graph` (shared by every reader there). */
  private cast(value: Value, dtype: number, graph: Graph): Value {
    const key = `${value.name}\u0000${dtype}\u0000${graph.name ?? ''}`;
    const cached = this.castCache.get(key);
    if (cached && cached.graph === graph) return cached;
    const suffix = dtype === FLOAT16 ? 'fp16' : 'fp32';
    const node = graph.addNode({
      opType: 'Cast', name: `${value.name}_to_${suffix}`, inputs: [value],
      outputs: [`${value.name}_${suffix}`], attributes: { to: { int: dtype } },
    });
    this.roles.set(node, 'neutral');
    const out = node.outputs[0]!;
    this.created.set(out, dtype);
    this.castCache.set(key, out);
    this.stats.casts++;
    return out;
  }

  private insertCasts(graph: Graph): void {
    for (const node of [...graph.nodes]) {
      node.inputs.forEach((v, i) => {
        if (!v || !this.target.has(v)) return;
        const want = this.required(node, i);
        const have = this.target.get(v)!;
        if (want === undefined || want === have) return;
        node.setInput(i, this.cast(v, want, graph));
      });
    }
    this.castGraphOutputs(graph);
  }

  /** Graph outputs keep their type (float32 with --keep-io-types, in subgraphs always). */
  private castGraphOutputs(graph: Graph): void {
    const want = this.isMainGraph(graph) && !this.keepIo ? FLOAT16 : FLOAT;
    graph.outputs = graph.outputs.map((v) => {
      const have = this.target.get(v);
      if (have === undefined || have === want || v.isGraphInput) return v;
      if (!this.isMainGraph(graph) || v.graph !== graph) {
        // Subgraph outputs are positional: a fresh name will do.
        const out = this.cast(v, want, graph);
        if (v.declaredType?.tensor_type) out.declaredType = withElemType(v.declaredType, want);
        return out;
      }
      return this.castUnderSameName(graph, v, want);
    });
  }

  /** The main graph's output keeps its name: the float16 value inside is renamed, the Cast takes the name. */
  private castUnderSameName(graph: Graph, v: Value, dtype: number): Value {
    const name = v.name;
    const declared = v.declaredType ? withElemType(v.declaredType, dtype) : undefined;
    graph.values.delete(name);
    v.name = this.model.uniqueName(`${name}_${dtype === FLOAT16 ? 'fp32' : 'fp16'}`);
    graph.values.set(v.name, v);
    const node = graph.addNode({ opType: 'Cast', name: `${name}_cast`, inputs: [v], outputs: 0, attributes: { to: { int: dtype } } });
    const out = graph.defineValue(name);
    out.producer = node;
    node.outputs = [out];
    out.declaredType = declared;
    out.info = v.info;
    v.info = undefined;
    const extra = graph.extraInfos.output.get(v);
    if (extra) {
      graph.extraInfos.output.delete(v);
      graph.extraInfos.output.set(out, extra);
    }
    if (!graph.valueInfos.includes(v)) v.declaredType = undefined;
    this.created.set(out, dtype);
    this.stats.casts++;
    return out;
  }

  // -------------------------------------------------------------------------------------------------
  // Cleaning up

  /**
   * Cast(float16 → float32) read by Cast(→ float16): the second reads the original (exact round
   * trip); a Cast to the type its input has is bypassed. Graph outputs are left as they are.
   */
  private removeCancellingCasts(graph: Graph): void {
    for (const node of graph.topologicalOrder()) {
      if (!node.inGraph || node.opType !== 'Cast' || node.domain !== '') continue;
      const x = node.inputs[0];
      const y = node.outputs[0];
      if (!x || !y || y.isGraphOutput) continue;
      const to = node.intAttribute('to');
      const from = this.dtype(x);
      let source: Value | undefined;
      if (from === to) {
        source = x;
      } else {
        const up = x.producer;
        if (up && up.opType === 'Cast' && up.domain === '' && up.inputs[0] && from === FLOAT && this.dtype(up.inputs[0]) === to && to === FLOAT16) {
          source = up.inputs[0];
        }
      }
      if (!source) continue;
      graph.replaceAllUsesWith(y, source);
      graph.removeNode(node);
      this.stats.castsRemoved++;
      const up = x.producer;
      if (up && up.opType === 'Cast' && x.uses.length === 0 && !x.isGraphOutput && up.inGraph) {
        up.graph.removeNode(up);
        this.stats.castsRemoved++;
      }
    }
  }
}

function withElemType(type: TypeProto, dtype: number): TypeProto {
  return { ...type, tensor_type: { ...type.tensor_type!, elem_type: dtype } };
}

/**
 * Nodes that compute only from Shape/Size results and constants (their outputs, too, are shape
 * arithmetic): `Shape → Gather → Cast(float) → Div → Cast(int64)` and the like.
 */
function shapeArithmetic(graphs: Graph[]): Set<Node> {
  const shapeValues = new Set<Value>();
  const nodes = new Set<Node>();
  const isConstant = (v: Value) => v.initializer !== undefined || (v.producer?.opType === 'Constant' && v.producer.domain === '');
  for (const graph of graphs) {
    for (const node of graph.topologicalOrder()) {
      if (node.subgraphs.length > 0) continue;
      const inputs = node.presentInputs();
      const derived = node.domain === '' && SHAPE_SOURCES.has(node.opType)
        || (inputs.some((v) => shapeValues.has(v)) && inputs.every((v) => shapeValues.has(v) || isConstant(v)));
      if (!derived) continue;
      if (!SHAPE_SOURCES.has(node.opType)) nodes.add(node);
      for (const out of node.outputs) if (out) shapeValues.add(out);
    }
  }
  return nodes;
}
