/**
 * quantize_dynamic — Does: int8 weights, activations quantized at run time (--precision int8
 * --quant-mode dynamic, the right default for transformer encoders):
 *
 *   MatMul(A, W)   → Mul(Cast(MatMulInteger(a_q, W_q, a_zp, W_zp), float), a_scale · W_scale)
 *                    where (a_q, a_scale, a_zp) = DynamicQuantizeLinear(A), one per A;
 *                    with --target onnxruntime: com.microsoft DynamicQuantizeMatMul(A, W_q, W_scale, W_zp[, bias])
 *                    (a following Add of a constant [N] bias goes into it)
 *   Gemm(A, W, C)  → the same on A·W (W transposed offline when transB), then ·alpha and + beta·C
 *   Gather(E, ids) → DequantizeLinear(Gather(E_q, ids), E_scale, E_zp): embedding tables stored int8
 *
 * Weights: int8 symmetric (zero point 0) by default, per output channel — a scale per column of W
 * (MatMulInteger takes a per-column zero point, DynamicQuantizeMatMul a per-column scale), a scale per
 * hidden unit of an embedding table (DequantizeLinear axis −1, opset 13+). onnxruntime fuses the
 * standard form into the same kernels as the contrib form at load (DynamicQuantizeMatMulFusion).
 *
 * Leaves alone, saying why: excluded nodes and ops; weights that are not constant float32 or not 2-D
 * (embedding tables: any rank, gathered along axis 0); weights under 4096 elements (a classifier head:
 * the run-time quantization costs more than int8 saves, and it is where the accuracy is decided);
 * activations that are not float32; Gemm with transA. The standard form needs DynamicQuantizeLinear
 * (opset 11): a model below that is raised when nothing in it changes meaning (see raise-opset.ts).
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { makeTensor, readTensorAsFloat32, tensorDims } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import { addQuantizedWeight, type QuantizedWeightValues } from '../quantize/quantized-weight.js';
import { resolveQuantizeOptions, type QuantizeOptions, type ResolvedQuantizeOptions } from '../quantize/quantize-options.js';
import { addTensorConstant } from './add-tensor-constant.js';
import { constantTensor } from './constant-value.js';
import type { Pass, PassContext, PassResult } from './pass.js';
import { importDomain, planOpset, raiseOpset } from './raise-opset.js';
import { adoptOutput, removeDeadNodes } from './rewrite.js';

const NAME = 'quantize_dynamic';
const FLOAT = DataType.FLOAT!;
/** Below this many elements a weight stays float32 (see the header). */
export const MIN_DYNAMIC_WEIGHT_ELEMENTS = 4096;
const CONSTANTS = { foldInitializerInputs: false };

export function createQuantizeDynamic(options: QuantizeOptions = {}): Pass {
  return {
    name: NAME,
    kind: 'quantize',
    summary: 'int8 weights for MatMul/Gemm and embedding Gathers, activations quantized at run time (--precision int8 --quant-mode dynamic)',
    run: (model, ctx) => new DynamicQuantization(model, ctx, resolveQuantizeOptions(options)).run(),
  };
}

export default createQuantizeDynamic();

class DynamicQuantization {
  private readonly contrib: boolean;
  private readonly weights = new Map<string, QuantizedWeightValues>();
  private readonly dynamic = new Map<Value, [Value, Value, Value]>();
  private readonly stats = { matmul: 0, gemm: 0, gather: 0, declined: 0 };

  constructor(private readonly model: Model, private readonly ctx: PassContext, private readonly o: ResolvedQuantizeOptions) {
    this.contrib = ctx.options.target === 'onnxruntime';
  }

  run(): PassResult {
    const candidates = [...this.model.graph.allGraphs()].flatMap((g) => g.nodes.filter((n) => n.domain === '' && ['MatMul', 'Gemm', 'Gather'].includes(n.opType)));
    if (candidates.length === 0) return { modified: false, stats: this.stats };
    if (!this.contrib) {
      const plan = planOpset(this.model, 11, { targetOpset: this.ctx.options.targetOpset ?? 11 }, 'DynamicQuantizeLinear');
      if (!plan.ok) {
        for (const node of candidates) this.decline(node, plan.reason);
        return { modified: false, stats: this.stats };
      }
      if (plan.raiseTo) raiseOpset(this.model, plan.raiseTo);
    }
    inferShapes(this.model);
    let changed = 0;
    for (const graph of [...this.model.graph.allGraphs()]) {
      for (const node of graph.topologicalOrder()) {
        if (!node.inGraph || node.domain !== '') continue;
        if (!['MatMul', 'Gemm', 'Gather'].includes(node.opType)) continue;
        if ((node.name !== undefined && this.o.excludeNodes.has(node.name)) || this.o.excludeOps.has(node.opType)) {
          this.decline(node, 'excluded (--exclude-nodes / --exclude-ops)');
          continue;
        }
        const why = node.opType === 'Gather' ? this.gather(node) : this.matmul(node);
        if (why === null) continue; // not a candidate at all (a Gather over shapes or indices)
        if (why) this.decline(node, why); else changed++;
      }
    }
    if (changed > 0 && this.contrib) importDomain(this.model, 'com.microsoft', 1);
    return { modified: changed > 0, stats: this.stats };
  }

  private decline(node: Node, reason: string): void {
    this.stats.declined++;
    this.ctx.decline(NAME, node, reason);
  }

  private dtype(v: Value | undefined): number {
    return v?.initializer?.data_type ?? v?.type?.dtype ?? 0;
  }

  /** MatMul and Gemm; returns why not, or undefined once rewritten. */
  private matmul(node: Node): string | undefined {
    const gemm = node.opType === 'Gemm';
    const [a, b, c] = node.inputs;
    if (!a || !b || !node.outputs[0]) return 'input or output omitted';
    if (gemm && node.intAttribute('transA', 0) !== 0) return 'Gemm with transA';
    const weight = constantTensor(b, CONSTANTS);
    if (!weight) return `weight '${b.name}' is not a constant`;
    if (weight.data_type !== FLOAT) return `weight '${b.name}' is not float32`;
    const dims = tensorDims(weight);
    if (dims.length !== 2) return `weight '${b.name}' has rank ${dims.length}, not 2`;
    const elements = dims[0]! * dims[1]!;
    if (elements < MIN_DYNAMIC_WEIGHT_ELEMENTS) return `weight '${b.name}' has ${elements} elements (< ${MIN_DYNAMIC_WEIGHT_ELEMENTS}): too small for int8 to pay off`;
    if (this.dtype(a) !== FLOAT) return `activation '${a.name}' is not float32`;
    const transB = gemm && node.intAttribute('transB', 0) === 1;
    const graph = node.graph;
    const w = this.weight(graph, b, weight, transB);

    const alpha = gemm ? node.floatAttribute('alpha', 1) : 1;
    const beta = gemm ? node.floatAttribute('beta', 1) : 1;
    let result = node.outputs[0];
    const removed: Node[] = [node];
    // The bias: Gemm's C, or the constant [N] operand of an Add that alone reads the MatMul.
    let bias: Value | undefined = c;
    if (!gemm) {
      const add = biasAdd(node, dims[1]!);
      if (add && this.contrib) {
        bias = add.bias;
        result = add.node.outputs[0]!;
        removed.push(add.node);
      }
    }
    const n = transB ? dims[0]! : dims[1]!;
    const constBias = bias ? constantTensor(bias, CONSTANTS) : undefined;
    const biasIsVector = constBias !== undefined && constBias.data_type === FLOAT && tensorDims(constBias).join() === String(n);

    const label = node.name ?? result.name;
    let y: Node;
    if (this.contrib) {
      const scale = alpha === 1 ? w.scale : this.scaled(graph, w, alpha, label);
      const fusedBias = bias && biasIsVector ? this.scaledConstant(graph, bias, beta, `${label}_bias`) : undefined;
      y = graph.addNode({
        opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', name: `${label}_quant`,
        inputs: [a, w.data, scale, w.zeroPoint, ...(fusedBias ? [fusedBias] : [])],
      });
      if (bias && !fusedBias) y = this.addBias(graph, y.outputs[0]!, bias, beta, label);
    } else {
      const [aq, as, az] = this.quantizeActivation(graph, a);
      const integer = graph.addNode({ opType: 'MatMulInteger', name: `${label}_MatMulInteger`, inputs: [aq, w.data, az, w.zeroPoint] });
      const asFloat = graph.addNode({ opType: 'Cast', name: `${label}_cast`, inputs: [integer.outputs[0]], attributes: { to: { int: FLOAT } } });
      const scale = graph.addNode({ opType: 'Mul', name: `${label}_scale`, inputs: [as, alpha === 1 ? w.scale : this.scaled(graph, w, alpha, label)] });
      y = graph.addNode({ opType: 'Mul', name: `${label}_dequantize`, inputs: [asFloat.outputs[0], scale.outputs[0]] });
      if (bias) y = this.addBias(graph, y.outputs[0]!, bias, beta, label);
    }
    adoptOutput(y, 0, result);
    removeDeadNodes(removed, CONSTANTS);
    if (gemm) this.stats.gemm++; else this.stats.matmul++;
    return undefined;
  }

  /** The quantized form of a weight, shared by every reader with the same layout. */
  private weight(graph: Graph, b: Value, tensor: TensorProto, transpose2d: boolean): QuantizedWeightValues {
    const key = `${b.name}\u0000${transpose2d}\u0000${graph.name ?? ''}`;
    let w = this.weights.get(key);
    if (!w) {
      w = addQuantizedWeight(graph, b.name, tensor, { axis: this.o.perChannel ? 1 : undefined, type: this.o.weightType, transpose2d });
      this.weights.set(key, w);
    }
    return w;
  }

  private quantizeActivation(graph: Graph, a: Value): [Value, Value, Value] {
    let q = this.dynamic.get(a);
    if (!q || q[0].graph !== graph) {
      const node = graph.addNode({ opType: 'DynamicQuantizeLinear', name: `${a.name}_DynamicQuantizeLinear`, inputs: [a], outputs: [`${a.name}_quantized`, `${a.name}_scale`, `${a.name}_zero_point`] });
      q = node.outputs as [Value, Value, Value];
      this.dynamic.set(a, q);
    }
    return q;
  }

  /** The weight scale times alpha, as a new constant. */
  private scaled(graph: Graph, w: QuantizedWeightValues, alpha: number, label: string): Value {
    const scales = w.weights.scales.map((s) => s * alpha);
    return addTensorConstant(graph, `${label}_scale_alpha`, makeTensor('', FLOAT, w.axis === undefined ? [] : [scales.length], scales));
  }

  /** beta · C as a constant (C constant) or a Mul (C computed); C itself when beta is 1. */
  private scaledConstant(graph: Graph, c: Value, beta: number, label: string): Value {
    if (beta === 1) return c;
    const t = constantTensor(c, CONSTANTS);
    if (t && t.data_type === FLOAT) return addTensorConstant(graph, label, makeTensor('', FLOAT, tensorDims(t), readTensorAsFloat32(t).map((x) => x * beta)));
    const b = addTensorConstant(graph, `${label}_beta`, makeTensor('', FLOAT, [], [beta]));
    return graph.addNode({ opType: 'Mul', name: `${label}_beta_mul`, inputs: [c, b] }).outputs[0]!;
  }

  private addBias(graph: Graph, y: Value, c: Value, beta: number, label: string): Node {
    return graph.addNode({ opType: 'Add', name: `${label}_bias_add`, inputs: [y, this.scaledConstant(graph, c, beta, `${label}_bias`)] });
  }

  /** Gather over a constant embedding table; returns why not, undefined once rewritten, null when not a table. */
  private gather(node: Node): string | undefined | null {
    const [table, indices] = node.inputs;
    const out = node.outputs[0];
    if (!table || !indices || !out || this.dtype(table) !== FLOAT) return null;
    const axis = node.intAttribute('axis', 0);
    if (axis !== 0) return `gathers along axis ${axis}, not the rows of a table`;
    const tensor = constantTensor(table, CONSTANTS);
    if (!tensor) return `table '${table.name}' is not a constant`;
    if (tensor.data_type !== FLOAT) return `table '${table.name}' is not float32`;
    const dims = tensorDims(tensor);
    const elements = dims.reduce((p, d) => p * d, 1);
    if (elements < MIN_DYNAMIC_WEIGHT_ELEMENTS) return `table '${table.name}' has ${elements} elements (< ${MIN_DYNAMIC_WEIGHT_ELEMENTS})`;
    const graph = node.graph;
    // A scale per hidden unit (the last axis) needs DequantizeLinear's axis: opset 13.
    const perColumn = this.o.perChannel && dims.length === 2 && (this.model.opsetVersion('') ?? 0) >= 13;
    const key = `${table.name}\u0000gather\u0000${graph.name ?? ''}`;
    let w = this.weights.get(key);
    if (!w) {
      w = addQuantizedWeight(graph, table.name, tensor, { axis: perColumn ? dims.length - 1 : undefined, type: this.o.weightType });
      this.weights.set(key, w);
    }
    const label = node.name ?? out.name;
    const gathered = graph.addNode({ opType: 'Gather', name: `${label}_quantized`, inputs: [w.data, indices], attributes: { axis: { int: 0 } } });
    const dq = graph.addNode({
      opType: 'DequantizeLinear', name: `${label}_dequantize`, inputs: [gathered.outputs[0], w.scale, w.zeroPoint],
      ...(perColumn ? { attributes: { axis: { int: -1 } } } : {}),
    });
    adoptOutput(dq, 0, out);
    removeDeadNodes([node], CONSTANTS);
    this.stats.gather++;
    return undefined;
  }
}

/** The Add that alone reads a MatMul's output and adds a constant float32 [N] vector to it. */
function biasAdd(matmul: Node, n: number): { node: Node; bias: Value } | undefined {
  const y = matmul.outputs[0]!;
  if (y.isGraphOutput || y.uses.length !== 1) return undefined;
  const { node, index } = y.uses[0]!;
  if (node.opType !== 'Add' || node.domain !== '' || node.graph !== matmul.graph || !node.outputs[0]) return undefined;
  const bias = node.inputs[1 - index];
  const t = constantTensor(bias, CONSTANTS);
  if (!bias || !t || t.data_type !== FLOAT || tensorDims(t).join() !== String(n)) return undefined;
  return { node, bias };
}
