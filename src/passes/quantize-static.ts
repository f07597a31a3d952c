/**
 * quantize_static — Does: QDQ-format int8 from calibration (--precision int8 --quant-mode static
 * --calibration DIR): around every quantizable op (src/ops/quantizable-ops.ts: Conv, MatMul, Gemm,
 * Add, Mul, pooling, Concat, …)
 *
 *   x ─ Conv(W, B) ─ y     becomes     x ─ Q ─ DQ ─ Conv(DQ(W_q), DQ(B_q)) ─ Q ─ DQ ─ y
 *
 * Every tensor an op reads as an activation, and its output, gets ONE QuantizeLinear/DequantizeLinear
 * pair with the scale and zero point of its calibrated range (calibration-methods.ts), and every
 * reader of the tensor reads the DequantizeLinear — which is what lets onnxruntime find each
 * DQ → op → Q group at load and run it as one integer kernel (QLinearConv, QLinearMatMul, …). An op it
 * cannot fuse still computes the same numbers in float32.
 *
 * Types: activations uint8 asymmetric, weights int8 symmetric (zero point 0) by default; per output
 * channel where the op allows it (QuantizeLinear's axis needs opset 13; below that, with --target
 * onnxruntime the com.microsoft DequantizeLinear, which has an axis at any opset, holds per-channel
 * weights, else weights fall back to one scale each, said in the declines). Biases of Conv, ConvTranspose
 * and Gemm become int32 at scale input·weight, as the integer kernels expect. Constant operands of
 * Add/Mul/Concat are quantized like activations (their own range).
 *
 * Relu, and Clip with constant bounds, right after a quantized op whose output nothing else reads
 * are folded into the quantization: the op's output takes the activation's name and its calibrated
 * range, whose floor (0 for Relu) is where the quantized grid saturates.
 *
 * Movement ops (Reshape, Transpose, MaxPool, Resize, …) are quantized only where their input already
 * is, and keep its scale and zero point, so they run on the integers.
 *
 * Leaves alone: excluded nodes/ops, nodes inside subgraphs (calibration reads main-graph tensors),
 * tensors that are not float32, ops whose weight is not constant, nodes already reading a
 * DequantizeLinear (a quantized model), and a model below opset 10 that cannot be raised unchanged
 * (onnxruntime's com.microsoft Q/DQ would not help: its fusion writes QLinearConv-10 into the model).
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { makeTensor, readTensorAsFloat32, tensorDims } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { MlserveError } from '../errors.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import {
  activationInputs, lookupQuantizable, RANGE_FOLDABLE_ACTIVATIONS, STATIC_QUANTIZABLE, type QuantizableOp,
} from '../ops/quantizable-ops.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import type { CalibrationSet } from '../quantize/calibration-inputs.js';
import type { Range } from '../quantize/calibration-methods.js';
import { collectRanges } from '../quantize/collect-ranges.js';
import { computeQuantParams, quantizeBias, quantizeWeights, type QuantParams } from '../quantize/quant-params.js';
import { dtypeOf } from '../quantize/quantized-weight.js';
import {
  resolveQuantizeOptions, type CalibrationMethod, type QuantizeOptions, type ResolvedQuantizeOptions,
} from '../quantize/quantize-options.js';
import { addTensorConstant } from './add-tensor-constant.js';
import { constantTensor } from './constant-value.js';
import type { Pass, PassContext, PassResult } from './pass.js';
import { importDomain, planOpset, raiseOpset } from './raise-opset.js';
import { adoptOutput, removeDeadNodes } from './rewrite.js';

const NAME = 'quantize_static';
const FLOAT = DataType.FLOAT!;
const CONSTANTS = { foldInitializerInputs: false };

export interface StaticQuantizeOptions extends QuantizeOptions {
  calibration: readonly CalibrationSet[];
  method: CalibrationMethod;
  percentile: number;
}

export function createQuantizeStatic(options: StaticQuantizeOptions = { calibration: [], method: 'minmax', percentile: 99.99 }): Pass {
  return {
    name: NAME,
    kind: 'quantize',
    summary: 'QDQ int8 around Conv/MatMul/Gemm/Add/Mul/pooling/Concat with ranges from calibration inputs (--quant-mode static --calibration DIR)',
    run: (model, ctx) => new StaticQuantization(model, ctx, options, resolveQuantizeOptions(options)).run(),
  };
}

export default createQuantizeStatic();

/** How per-channel weights can be written in this model. */
type ChannelMode = 'onnx' | 'contrib' | 'none';

interface Fold {
  /** The quantized op whose output the activation's output replaces. */
  producer: Node;
  activation: Node;
}

class StaticQuantization {
  private readonly quantized = new Set<Node>();
  /** Tensors getting a Q/DQ pair. */
  private readonly tensors = new Set<Value>();
  private readonly folds: Fold[] = [];
  private readonly params = new Map<Value, QuantParams>();
  private readonly dequantized = new Map<Value, Value>();
  private channelMode: ChannelMode = 'onnx';
  private readonly stats = { nodes: 0, tensors: 0, weights: 0, biases: 0, activationsFolded: 0, calibrationRuns: 0, perTensorWeights: 0, declined: 0 };

  constructor(
    private readonly model: Model,
    private readonly ctx: PassContext,
    private readonly options: StaticQuantizeOptions,
    private readonly o: ResolvedQuantizeOptions,
  ) {}

  async run(): Promise<PassResult> {
    if (this.options.calibration.length === 0) throw new MlserveError('MLS_ERR_CALIBRATION_REQUIRED', { file: this.model.source });
    if (!this.planOpset()) return { modified: false, stats: this.stats };
    inferShapes(this.model);
    this.select();
    if (this.quantized.size === 0) return { modified: false, stats: this.stats };

    const ranges = await collectRanges(this.model, [...this.tensors], this.options.calibration, {
      method: this.options.method, percentile: this.options.percentile,
    });
    this.stats.calibrationRuns = this.options.calibration.length * (this.options.method === 'minmax' ? 1 : 2);
    for (const fold of this.folds) this.fold(fold, ranges);
    this.assignParams(ranges);
    for (const node of this.quantized) this.quantizeWeights(node);
    for (const t of this.tensors) this.insertPair(t);
    this.stats.nodes = this.quantized.size;
    this.stats.tensors = this.tensors.size;
    if (this.channelMode === 'contrib') importDomain(this.model, 'com.microsoft', 1);
    return { modified: true, stats: this.stats };
  }

  private decline(node: Node, reason: string): void {
    this.stats.declined++;
    this.ctx.decline(NAME, node, reason);
  }

  /** QuantizeLinear needs opset 10, per-channel DequantizeLinear 13 (or com.microsoft's). */
  private planOpset(): boolean {
    const target = this.ctx.options.targetOpset;
    if (this.o.perChannel) {
      const plan = planOpset(this.model, 13, { targetOpset: target ?? 13 }, 'per-channel DequantizeLinear');
      if (plan.ok) {
        if (plan.raiseTo) raiseOpset(this.model, plan.raiseTo);
        return true;
      }
      this.channelMode = this.ctx.options.target === 'onnxruntime' ? 'contrib' : 'none';
      const first = this.model.graph.nodes.find((n) => STATIC_QUANTIZABLE[n.opType]?.weights);
      if (this.channelMode === 'none' && first) {
        this.ctx.decline(NAME, first, `weights get one scale each (all nodes): ${plan.reason}; --target onnxruntime keeps them per channel with com.microsoft DequantizeLinear`);
      }
    }
    const plan = planOpset(this.model, 10, { targetOpset: target ?? 10 }, 'QuantizeLinear');
    if (!plan.ok) {
      // Not even onnxruntime's own com.microsoft Q/DQ help here: its QDQ fusion writes QLinearConv-10
      // into the model at load, which an opset-9 model cannot hold (the session fails).
      for (const node of this.model.graph.nodes) if (STATIC_QUANTIZABLE[node.opType]) this.decline(node, plan.reason);
      return false;
    }
    if (plan.raiseTo) raiseOpset(this.model, plan.raiseTo);
    return true;
  }

  private dtype(v: Value | undefined): number {
    return v?.initializer?.data_type ?? v?.type?.dtype ?? 0;
  }

  private isConstant(v: Value | undefined): boolean {
    return constantTensor(v, CONSTANTS) !== undefined;
  }

  /** Chooses the nodes and tensors to quantize (main graph, topological order). */
  private select(): void {
    const opset = this.model.opsetVersion('') ?? 0;
    const graph = this.model.graph;
    for (const g of graph.allGraphs()) {
      if (g === graph) continue;
      for (const node of g.nodes) if (STATIC_QUANTIZABLE[node.opType]) this.decline(node, 'inside a subgraph: calibration reads main-graph tensors only');
    }
    for (const node of graph.topologicalOrder()) {
      const op = lookupQuantizable(STATIC_QUANTIZABLE, node, opset);
      if (!op) continue;
      if (this.dtype(node.outputs[0]) !== FLOAT) continue; // shape arithmetic and other non-float work
      const why = this.reasonNotTo(node, op);
      if (why) {
        if (!op.sharesInputParams) this.decline(node, why);
        continue;
      }
      this.quantized.add(node);
      for (const i of activationInputs(op, node)) {
        const v = node.inputs[i];
        if (v && !(op.weights?.some((w) => w.index === i) && this.isConstant(v))) this.tensors.add(v);
      }
      const out = node.outputs[0]!;
      if (!op.output) continue;
      const fold = this.foldable(out);
      if (fold) {
        this.folds.push({ producer: node, activation: fold });
        this.tensors.add(fold.outputs[0]!);
      } else {
        this.tensors.add(out);
      }
    }
  }

  private reasonNotTo(node: Node, op: QuantizableOp): string | undefined {
    if ((node.name !== undefined && this.o.excludeNodes.has(node.name)) || this.o.excludeOps.has(node.opType)) return 'excluded (--exclude-nodes / --exclude-ops)';
    const inputs = activationInputs(op, node).map((i) => node.inputs[i]).filter((v): v is Value => v !== undefined);
    if (inputs.some((v) => v.producer?.opType === 'DequantizeLinear')) return 'already quantized (reads a DequantizeLinear)';
    if (inputs.some((v) => this.dtype(v) !== FLOAT)) return 'an input is not float32';
    for (const w of op.weights ?? []) {
      const v = node.inputs[w.index];
      if (!v) return 'weight omitted';
      // MatMul's second input may be an activation; Conv's and Gemm's must be constant.
      if (!this.isConstant(v) && node.opType !== 'MatMul') return `weight '${v.name}' is not a constant`;
    }
    if (node.opType === 'Gemm' && node.intAttribute('transA', 0) !== 0) return 'Gemm with transA';
    if (op.sharesInputParams) {
      // Movement ops only continue a quantized stretch.
      const x = node.inputs[0];
      if (!x || !this.tensors.has(x)) return 'input not quantized';
    }
    return undefined;
  }

  /** A Relu/Clip that alone reads `out` and can hand its range to the quantization. */
  private foldable(out: Value): Node | undefined {
    if (out.isGraphOutput || out.uses.length !== 1) return undefined;
    const reader = out.uses[0]!.node;
    if (reader.domain !== '' || !RANGE_FOLDABLE_ACTIVATIONS.has(reader.opType) || reader.graph !== out.graph || !reader.outputs[0]) return undefined;
    if ((reader.name !== undefined && this.o.excludeNodes.has(reader.name)) || this.o.excludeOps.has(reader.opType)) return undefined;
    if (reader.opType === 'Clip') {
      const bounds = [1, 2].map((i) => reader.inputs[i]);
      if (bounds.some((b) => b && !this.isConstant(b))) return undefined;
    }
    return reader;
  }

  /** The producer now computes the activation's output; its range (floor included) is what gets quantized. */
  private fold({ producer, activation }: Fold, ranges: Map<Value, Range>): void {
    const z = activation.outputs[0]!;
    const range = ranges.get(z);
    if (!range) return;
    const [lo, hi] = clipBounds(activation);
    ranges.set(z, { min: Math.max(range.min, lo), max: Math.min(range.max, hi) });
    activation.setInput(0, undefined);
    adoptOutput(producer, 0, z);
    removeDeadNodes([activation], CONSTANTS);
    this.stats.activationsFolded++;
  }

  private assignParams(ranges: Map<Value, Range>): void {
    const type = this.o.activationType;
    for (const t of this.tensors) {
      const constant = constantTensor(t, CONSTANTS);
      const range = constant ? tensorRange(readTensorAsFloat32(constant)) : ranges.get(t);
      if (range) this.params.set(t, computeQuantParams(range.min, range.max, type, false));
    }
    // Movement ops keep their input's scale and zero point (in topological order, so chains follow).
    for (const node of this.model.graph.topologicalOrder()) {
      if (!this.quantized.has(node)) continue;
      const op = STATIC_QUANTIZABLE[node.opType]!;
      const x = node.inputs[0];
      const y = node.outputs[0];
      if (op.sharesInputParams && x && y && this.params.has(x)) this.params.set(y, this.params.get(x)!);
    }
    for (const t of [...this.tensors]) if (!this.params.has(t)) this.tensors.delete(t);
  }

  /** Q → DQ on tensor `t`; every reader but the Q reads the DQ. Constants are quantized offline. */
  private insertPair(t: Value): void {
    const p = this.params.get(t)!;
    const graph = this.model.graph;
    const type = this.o.activationType;
    const scale = addTensorConstant(graph, `${t.name}_scale`, makeTensor('', FLOAT, [], [p.scale]));
    const zp = addTensorConstant(graph, `${t.name}_zero_point`, makeTensor('', dtypeOf(type), [], [p.zeroPoint]));
    const readers = [...t.uses];
    const constant = constantTensor(t, CONSTANTS);
    let q: Value;
    if (constant) {
      const w = quantizeWeights(readTensorAsFloat32(constant), tensorDims(constant), undefined, type, false);
      q = addTensorConstant(graph, `${t.name}_quantized`, makeTensor('', dtypeOf(type), tensorDims(constant), w.data));
    } else {
      q = graph.addNode({ opType: 'QuantizeLinear', name: `${t.name}_QuantizeLinear`, inputs: [t, scale, zp], outputs: [`${t.name}_quantized`] }).outputs[0]!;
    }
    const dq = graph.addNode({ opType: 'DequantizeLinear', name: `${t.name}_DequantizeLinear`, inputs: [q, scale, zp], outputs: [`${t.name}_dequantized`] }).outputs[0]!;
    for (const { node, index } of readers) node.setInput(index, dq);
    this.dequantized.set(t, dq);
    if (constant) removeDeadNodes(t.producer ? [t.producer] : [], CONSTANTS);
    if (constant && t.initializer && t.uses.length === 0 && !t.isGraphOutput) t.graph.removeInitializer(t);
  }

  /** Constant weights (and biases) of a quantized node, through DequantizeLinear. */
  private quantizeWeights(node: Node): void {
    const op = STATIC_QUANTIZABLE[node.opType]!;
    const graph = node.graph;
    for (const w of op.weights ?? []) {
      const v = node.inputs[w.index];
      const tensor = constantTensor(v, CONSTANTS);
      if (!v || !tensor || tensor.data_type !== FLOAT) continue;
      const dims = tensorDims(tensor);
      const wanted = this.o.perChannel ? w.axis(node, dims.length) : undefined;
      const axis = wanted !== undefined && this.channelMode !== 'none' ? wanted : undefined;
      if (wanted !== undefined && axis === undefined) this.stats.perTensorWeights++;
      const qw = quantizeWeights(readTensorAsFloat32(tensor), dims, axis, this.o.weightType, this.o.weightType === 'int8');
      const label = `${v.name}_${node.name ?? node.outputs[0]!.name}`;
      const dq = this.dequantizeConstant(graph, label, dtypeOf(this.o.weightType), dims, qw.data, qw.scales, qw.zeroPoints, axis);
      node.setInput(w.index, dq);
      this.stats.weights++;
      if (op.bias) this.quantizeBias(node, op, qw.scales, axis);
      if (v.uses.length === 0) removeDeadNodes(v.producer ? [v.producer] : [], CONSTANTS);
      if (v.initializer && v.uses.length === 0 && !v.isGraphOutput && !v.isGraphInput) v.graph.removeInitializer(v);
    }
  }

  private quantizeBias(node: Node, op: QuantizableOp, weightScales: Float32Array, axis: number | undefined): void {
    const spec = op.bias!;
    const b = node.inputs[spec.index];
    const x = node.inputs[spec.input];
    const tensor = constantTensor(b, CONSTANTS);
    const inputParams = x ? this.params.get(x) : undefined;
    if (!b || !tensor || tensor.data_type !== FLOAT || !inputParams || tensorDims(tensor).length !== 1) return;
    if (node.opType === 'Gemm' && (node.floatAttribute('alpha', 1) !== 1 || node.floatAttribute('beta', 1) !== 1)) return;
    const values = readTensorAsFloat32(tensor);
    if (weightScales.length > 1 && weightScales.length !== values.length) return;
    const q = quantizeBias(values, inputParams.scale, weightScales);
    const dq = this.dequantizeConstant(node.graph, `${b.name}_${node.name ?? node.outputs[0]!.name}`, DataType.INT32!, [values.length], q.data, q.scales,
      new Array<number>(q.scales.length).fill(0), axis === undefined ? undefined : 0);
    node.setInput(spec.index, dq);
    this.stats.biases++;
    if (b.initializer && b.uses.length === 0 && !b.isGraphOutput && !b.isGraphInput) b.graph.removeInitializer(b);
    else if (b.uses.length === 0) removeDeadNodes(b.producer ? [b.producer] : [], CONSTANTS);
  }

  /** Integer constant + scale/zero-point constants + a DequantizeLinear (com.microsoft's for an axis below opset 13). */
  private dequantizeConstant(graph: Graph, label: string, dtype: number, dims: number[], data: ArrayLike<number> & { length: number }, scales: Float32Array, zeroPoints: number[], axis: number | undefined): Value {
    const perAxis = axis !== undefined;
    const q = addTensorConstant(graph, `${label}_quantized`, makeTensor('', dtype, dims, data as Int8Array));
    const scale = addTensorConstant(graph, `${label}_scale`, makeTensor('', FLOAT, perAxis ? [scales.length] : [], scales));
    const zpData = dtype === DataType.INT32 ? Int32Array.from(zeroPoints) : dtype === DataType.UINT8 ? Uint8Array.from(zeroPoints) : Int8Array.from(zeroPoints);
    const zp = addTensorConstant(graph, `${label}_zero_point`, makeTensor('', dtype, perAxis ? [zeroPoints.length] : [], zpData));
    const contrib = perAxis && this.channelMode === 'contrib';
    return graph.addNode({
      opType: 'DequantizeLinear', name: `${label}_DequantizeLinear`, inputs: [q, scale, zp], outputs: [`${label}_dequantized`],
      ...(contrib ? { domain: 'com.microsoft' } : {}),
      ...(perAxis ? { attributes: { axis: { int: axis } } } : {}),
    }).outputs[0]!;
  }
}

function tensorRange(values: Float32Array): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min > max ? { min: 0, max: 0 } : { min, max };
}

/** Relu: [0, ∞); Clip: its constant bounds (attributes before opset 11, inputs after). */
function clipBounds(node: Node): [number, number] {
  if (node.opType === 'Relu') return [0, Infinity];
  if (node.hasAttribute('min') || node.hasAttribute('max')) return [node.floatAttribute('min', -Infinity), node.floatAttribute('max', Infinity)];
  const bound = (i: number, fallback: number) => {
    const t = constantTensor(node.inputs[i], CONSTANTS) as TensorProto | undefined;
    return t ? readTensorAsFloat32(t)[0] ?? fallback : fallback;
  };
  return [bound(1, -Infinity), bound(2, Infinity)];
}
