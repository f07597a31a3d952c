/**
 * Per-op facts the int8 quantizers need, keyed by op type and the opset from which they hold:
 * which inputs are activations (quantized at run time), which are weights (quantized offline, with
 * the axis a per-channel scale runs along), which is a bias (int32 at scale input·weight), and whether
 * the output is quantized too. For static (QDQ) quantization, the QuantizeLinear/DequantizeLinear
 * pairs placed by these facts are what onnxruntime's CPU provider fuses into the integer kernel
 * named in `kernel` at session load; an op whose group it cannot fuse still runs, in float32 between
 * the pairs (correct, no faster).
 */
import type { Node } from '../ir/node.js';

export interface WeightInput {
  index: number;
  /** The axis per-channel scales run along (output channels), or undefined when only per-tensor is valid. */
  axis(node: Node, rank: number): number | undefined;
}

export interface QuantizableOp {
  /** First default-domain opset at which these facts hold. */
  since: number;
  /** Inputs that carry activations: quantized with calibrated ranges. */
  activations: readonly number[];
  /** Inputs that carry weights when they are constant. */
  weights?: readonly WeightInput[];
  /** A bias input stored as int32 with scale = scale(input) · scale(weight), when both are quantized. */
  bias?: { index: number; input: number; weight: number };
  /** The output is quantized too (the Q after the op lets onnxruntime fuse the group). */
  output: boolean;
  /** The output reuses its input's scale and zero point (data movement: no new range). */
  sharesInputParams?: boolean;
  /** What onnxruntime's CPU provider turns the QDQ group into. */
  kernel: string;
}

const convWeight: WeightInput = { index: 1, axis: () => 0 };
// ConvTranspose weights are [C_in, C_out/group, k…]: per output channel along axis 1, valid only without groups.
const convTransposeWeight: WeightInput = { index: 1, axis: (node) => (node.intAttribute('group', 1) === 1 ? 1 : undefined) };
// MatMul B is [..., K, N]: one scale per column N (the last axis), for a 2-D constant B.
const matmulWeight: WeightInput = { index: 1, axis: (_node, rank) => (rank === 2 ? 1 : undefined) };
// Gemm B is [K, N], or [N, K] with transB: the output channel is N either way.
const gemmWeight: WeightInput = { index: 1, axis: (node) => (node.intAttribute('transB', 0) === 1 ? 0 : 1) };

const movement = (kernel: string): QuantizableOp => ({ since: 10, activations: [0], output: true, sharesInputParams: true, kernel });

/** Static (QDQ) quantization: every op the quantizer puts QuantizeLinear/DequantizeLinear around. */
export const STATIC_QUANTIZABLE: Readonly<Record<string, QuantizableOp>> = {
  Conv: { since: 10, activations: [0], weights: [convWeight], bias: { index: 2, input: 0, weight: 1 }, output: true, kernel: 'QLinearConv' },
  ConvTranspose: { since: 10, activations: [0], weights: [convTransposeWeight], bias: { index: 2, input: 0, weight: 1 }, output: true, kernel: 'QLinearConvTranspose (com.microsoft)' },
  MatMul: { since: 10, activations: [0, 1], weights: [matmulWeight], output: true, kernel: 'QLinearMatMul' },
  Gemm: { since: 10, activations: [0], weights: [gemmWeight], bias: { index: 2, input: 0, weight: 1 }, output: true, kernel: 'QGemm (com.microsoft)' },
  Add: { since: 10, activations: [0, 1], output: true, kernel: 'QLinearAdd (com.microsoft)' },
  Mul: { since: 10, activations: [0, 1], output: true, kernel: 'QLinearMul (com.microsoft)' },
  AveragePool: { since: 10, activations: [0], output: true, kernel: 'QLinearAveragePool (com.microsoft)' },
  GlobalAveragePool: { since: 10, activations: [0], output: true, kernel: 'QLinearGlobalAveragePool (com.microsoft)' },
  MaxPool: { since: 10, activations: [0], output: true, sharesInputParams: true, kernel: 'MaxPool on uint8/int8' },
  Concat: { since: 10, activations: [], output: true, kernel: 'QLinearConcat (com.microsoft)' },
  Sigmoid: { since: 10, activations: [0], output: true, kernel: 'QLinearSigmoid (com.microsoft)' },
  LeakyRelu: { since: 10, activations: [0], output: true, kernel: 'QLinearLeakyRelu (com.microsoft)' },
  Resize: movement('Resize on uint8/int8'),
  Reshape: movement('Reshape (no requantization)'),
  Transpose: movement('Transpose (no requantization)'),
  Squeeze: movement('Squeeze (no requantization)'),
  Unsqueeze: movement('Unsqueeze (no requantization)'),
  Flatten: movement('Flatten (no requantization)'),
};

/** Concat quantizes every input; the table cannot list "all". */
export function activationInputs(op: QuantizableOp, node: Node): number[] {
  if (node.opType === 'Concat') return node.inputs.map((_, i) => i);
  return [...op.activations];
}

/** Activations that a following quantized tensor can absorb: their output range does their work. */
export const RANGE_FOLDABLE_ACTIVATIONS: ReadonlySet<string> = new Set(['Relu', 'Clip']);

/**
 * Dynamic quantization: weights int8 offline, activations quantized at run time. MatMul and Gemm
 * with a constant 2-D weight (DynamicQuantizeLinear + MatMulInteger, or com.microsoft
 * DynamicQuantizeMatMul), and Gather over a constant embedding table (int8 table, DequantizeLinear
 * after the Gather).
 */
export const DYNAMIC_QUANTIZABLE: Readonly<Record<string, { since: number; weight: WeightInput; kernel: string }>> = {
  MatMul: { since: 10, weight: matmulWeight, kernel: 'MatMulInteger / DynamicQuantizeMatMul' },
  Gemm: { since: 10, weight: gemmWeight, kernel: 'MatMulInteger / DynamicQuantizeMatMul' },
  Gather: { since: 10, weight: { index: 0, axis: () => undefined }, kernel: 'Gather on int8 + DequantizeLinear' },
};

/** The entry for `node` at `opset`, when the op is listed and the opset is new enough. */
export function lookupQuantizable<T extends { since: number }>(table: Readonly<Record<string, T>>, node: Node, opset: number): T | undefined {
  if (node.domain !== '') return undefined;
  const entry = table[node.opType];
  return entry && opset >= entry.since ? entry : undefined;
}
