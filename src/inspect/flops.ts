/**
 * An estimate of the arithmetic one run of the main graph does, by op type, from the shapes the IR
 * knows (declared, or inferred — `--input-shape` pins symbolic dims so more of them are known).
 *
 * MACs (multiply-accumulates) count the dense ops; a FLOP is one arithmetic operation, so a MAC is 2:
 *   Conv (and ConvInteger, QLinearConv, com.microsoft::FusedConv): |Y| · prod(W.shape[1:])
 *       — each output element sums C/group · kernel products — plus |Y| adds for a bias.
 *   ConvTranspose: |X| · prod(W.shape[1:]) — each input element scatters into M/group · kernel outputs.
 *   MatMul (and MatMulInteger, QLinearMatMul, FusedMatMul): |Y| · K, K the last dim of A.
 *   Gemm: |Y| · K (K from A and transA), plus |Y| adds for C.
 *   RNN/GRU/LSTM: seq · batch · (|W| + |R|): every step multiplies the input and the hidden state by
 *       each direction's gate weights (gate nonlinearities are left out: they are O(hidden), not O(hidden²)).
 * Everything else is FLOPs only, per element: 1 for elementwise arithmetic, activations and
 * comparisons (2 for Affine/ImageScaler, 2 for inference BatchNormalization, ~5 for instance/layer/
 * group normalization, 3 for softmax); reductions and global pooling cost one per INPUT element;
 * MaxPool/AveragePool/LpPool cost prod(kernel_shape) per output element; Resize one per output element.
 * Data movement (Reshape, Transpose, Concat, Gather, Slice, Pad, Cast, …) costs nothing.
 * Ops with arithmetic but no formula here (Einsum, NonMaxSuppression, Attention, …) are listed as
 * uncounted. Subgraph nodes are not counted: how often a Loop body or an If branch runs depends on data.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { isStaticShape } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { opKey } from './op-counts.js';
import type { ComputeEstimate, OpCompute } from './report-types.js';

type Cost = { macs: number; flops: number };
/** undefined: a shape the formula needs is not known. */
type CostRule = (node: Node) => Cost | undefined;

function shapeOf(v: Value | undefined): number[] | undefined {
  if (!v) return undefined;
  if (v.initializer) return v.initializer.dims.map(int64ToNumber);
  const shape = v.type?.shape;
  return isStaticShape(shape) ? shape : undefined;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const sizeOf = (v: Value | undefined) => {
  const s = shapeOf(v);
  return s ? product(s) : undefined;
};

function macCost(macs: number, extraFlops = 0): Cost {
  return { macs, flops: 2 * macs + extraFlops };
}

/** Conv-like: weight at `w`, optional bias at `bias`, `activation` flops per output for fused forms. */
const conv = (w: number, bias: number | undefined, activation = 0): CostRule => (node) => {
  const y = sizeOf(node.outputs[0]);
  const ws = shapeOf(node.inputs[w]);
  if (y === undefined || !ws) return undefined;
  const hasBias = bias !== undefined && node.inputs[bias] !== undefined;
  return macCost(y * product(ws.slice(1)), (hasBias ? y : 0) + activation * y);
};

const convTranspose: CostRule = (node) => {
  const x = sizeOf(node.inputs[0]);
  const y = sizeOf(node.outputs[0]);
  const ws = shapeOf(node.inputs[1]);
  if (x === undefined || y === undefined || !ws) return undefined;
  return macCost(x * product(ws.slice(1)), node.inputs[2] ? y : 0);
};

const matmul = (activation = 0): CostRule => (node) => {
  const a = shapeOf(node.inputs[0]);
  const y = sizeOf(node.outputs[0]);
  if (!a || a.length === 0 || y === undefined) return undefined;
  return macCost(y * a[a.length - 1]!, activation * y);
};

const gemm = (activation = 0): CostRule => (node) => {
  const a = shapeOf(node.inputs[0]);
  const y = sizeOf(node.outputs[0]);
  if (!a || a.length !== 2 || y === undefined) return undefined;
  const k = node.intAttribute('transA', 0) ? a[0]! : a[1]!;
  return macCost(y * k, (node.inputs[2] ? y : 0) + activation * y);
};

const recurrent: CostRule = (node) => {
  const x = shapeOf(node.inputs[0]);
  const w = sizeOf(node.inputs[1]);
  const r = sizeOf(node.inputs[2]);
  if (!x || x.length !== 3 || w === undefined || r === undefined) return undefined;
  const steps = x[0]! * x[1]!; // seq · batch, whichever the layout
  return macCost(steps * (w + r));
};

const perOutput = (flopsPerElement: number): CostRule => (node) => {
  const y = sizeOf(node.outputs[0]);
  return y === undefined ? undefined : { macs: 0, flops: flopsPerElement * y };
};

const perInput = (flopsPerElement: number): CostRule => (node) => {
  const x = sizeOf(node.inputs[0]);
  return x === undefined ? undefined : { macs: 0, flops: flopsPerElement * x };
};

/** Variadic elementwise (Sum, Max, Mean…): n inputs take n-1 operations per output element. */
const variadic: CostRule = (node) => {
  const y = sizeOf(node.outputs[0]);
  return y === undefined ? undefined : { macs: 0, flops: Math.max(1, node.presentInputs().length - 1) * y };
};

const pool: CostRule = (node) => {
  const y = sizeOf(node.outputs[0]);
  const kernel = node.intsAttribute('kernel_shape');
  if (y === undefined || !kernel) return undefined;
  return { macs: 0, flops: y * product(kernel) };
};

const lrn: CostRule = (node) => perOutput(node.intAttribute('size', 1) + 2)(node);

const FREE = 'free' as const;

const RULES = new Map<string, CostRule | typeof FREE>();
const define = (ops: string, rule: CostRule | typeof FREE) => {
  for (const op of ops.trim().split(/\s+/)) RULES.set(op, rule);
};

define('Conv ConvInteger', conv(1, 2));
define('QLinearConv', conv(3, 8));
define('com.microsoft::FusedConv', conv(1, 2, 1));
define('ConvTranspose', convTranspose);
define('MatMul MatMulInteger QLinearMatMul', matmul());
define('com.microsoft::FusedMatMul', matmul());
define('Gemm', gemm());
define('com.microsoft::FusedGemm', gemm(1));
define('RNN GRU LSTM', recurrent);
define(`Add Sub Mul Div Pow Mod PRelu Relu LeakyRelu Elu Selu Celu ThresholdedRelu Sigmoid HardSigmoid HardSwish
  Tanh Softplus Softsign Mish Gelu Swish Erf Exp Log Sqrt Reciprocal Neg Abs Sin Cos Tan Asin Acos Atan Sinh Cosh
  Asinh Acosh Atanh Clip Floor Ceil Round Sign Equal Less Greater LessOrEqual GreaterOrEqual And Or Xor Not Where
  BitShift BitwiseAnd BitwiseOr BitwiseXor BitwiseNot IsNaN IsInf Scale ParametricSoftplus ScaledTanh Shrink
  Hardmax Resize Upsample`, perOutput(1));
define('Sum Max Min Mean', variadic);
define('Affine ImageScaler BatchNormalization QuantizeLinear DequantizeLinear', perOutput(2));
define('Softmax LogSoftmax LpNormalization', perOutput(3));
define('RMSNormalization', perOutput(4));
define('InstanceNormalization LayerNormalization GroupNormalization MeanVarianceNormalization', perOutput(5));
define('DynamicQuantizeLinear', perInput(4));
define(`ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp
  ReduceSumSquare ArgMax ArgMin GlobalAveragePool GlobalMaxPool GlobalLpPool CumSum CumProd TopK`, perInput(1));
define('MaxPool AveragePool LpPool', pool);
define('LRN', lrn);
define(`Reshape Flatten Squeeze Unsqueeze Transpose Concat Split Slice Gather GatherElements GatherND Scatter
  ScatterElements ScatterND Shape Size Identity Constant ConstantOfShape Expand Tile Pad Cast CastLike Dropout
  DepthToSpace SpaceToDepth Range NonZero OneHot EyeLike Compress Trilu ReverseSequence Crop DynamicSlice
  Optional OptionalGetElement OptionalHasElement SequenceAt SequenceConstruct SequenceEmpty SequenceErase
  SequenceInsert SequenceLength SplitToSequence ConcatFromSequence If Loop Scan CenterCropPad BitCast
  MemcpyFromHost MemcpyToHost`, FREE);

export function estimateCompute(model: Model): ComputeEstimate {
  const byOpType = new Map<string, OpCompute>();
  const uncounted = new Map<string, number>();
  let macs = 0;
  let flops = 0;
  let unknown = 0;
  for (const node of model.graph.nodes) {
    const key = opKey(node);
    const rule = RULES.get(key);
    if (rule === FREE) continue;
    if (!rule) {
      uncounted.set(key, (uncounted.get(key) ?? 0) + 1);
      continue;
    }
    const cost = rule(node);
    if (!cost) {
      unknown += 1;
      continue;
    }
    let entry = byOpType.get(key);
    if (!entry) byOpType.set(key, (entry = { nodes: 0, macs: 0, flops: 0 }));
    entry.nodes += 1;
    entry.macs += cost.macs;
    entry.flops += cost.flops;
    macs += cost.macs;
    flops += cost.flops;
  }
  let subgraphNodes = 0;
  for (const graph of model.graph.allGraphs()) if (graph !== model.graph) subgraphNodes += graph.nodes.length;
  return {
    macs,
    flops,
    byOpType: Object.fromEntries([...byOpType].sort((a, b) => b[1].flops - a[1].flops || a[0].localeCompare(b[0]))),
    nodesWithUnknownShapes: unknown,
    uncountedOpTypes: Object.fromEntries([...uncounted].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    subgraphNodesExcluded: subgraphNodes,
    complete: unknown === 0 && uncounted.size === 0 && subgraphNodes === 0,
  };
}
