/**
 * Shape rules for matrix products: MatMul with numpy semantics (1-D operands promoted and the
 * promoted dim dropped again, batch dims broadcast, symbols included), Gemm (transA/transB), the
 * quantized forms, and the com.microsoft fused ones ORT-optimized models carry.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import type { InferenceContext, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

/** One broadcast dim: 1 yields to the other, a number beats a symbol, two different symbols give a new one. */
function broadcastDim(ctx: InferenceContext, a: Dim, b: Dim): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') return null; // incompatible: the model is wrong, say nothing
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (a === null || b === null) return null;
  return ctx.newSymbol('broadcast');
}

/** Right-aligned broadcast of two batch-dim lists. */
function broadcastBatch(ctx: InferenceContext, a: Dim[], b: Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i];
    const db = b[b.length - n + i];
    if (da === undefined) return db!;
    if (db === undefined) return da;
    return broadcastDim(ctx, da, db);
  });
}

const swapLastTwo = (s: Shape): Shape => (s.length < 2 ? s : [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!]);

/** numpy.matmul's result shape; undefined when either rank is unknown. */
export function matmulShape(ctx: InferenceContext, a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const aa = a.length === 1 ? [1, a[0]!] : a;
  const bb = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastBatch(ctx, aa.slice(0, -2), bb.slice(0, -2));
  const out: Shape = [...batch];
  if (a.length > 1) out.push(aa[aa.length - 2]!);
  if (b.length > 1) out.push(bb[bb.length - 1]!);
  return out;
}

function matmul(a: number, b: number, dtype: (ctx: InferenceContext) => number): ShapeRule {
  return (ctx) => [{ dtype: dtype(ctx), shape: matmulShape(ctx, ctx.input(a)?.shape, ctx.input(b)?.shape) }];
}

const typeOfInput = (i: number) => (ctx: InferenceContext): number => ctx.input(i)?.dtype ?? 0;
const fixedType = (t: number) => (): number => t;

const gemm: ShapeRule = (ctx) => {
  const a = ctx.input(0)?.shape;
  const b = ctx.input(1)?.shape;
  const m = a?.length === 2 ? a[ctx.node.intAttribute('transA', 0) ? 1 : 0]! : null;
  const n = b?.length === 2 ? b[ctx.node.intAttribute('transB', 0) ? 0 : 1]! : null;
  return [{ dtype: ctx.input(0)?.dtype ?? 0, shape: [m, n] }];
};

/** com.microsoft FusedMatMul: MatMul with optional transposes of the last two dims and a scale. */
const fusedMatMul: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? 0;
  // transBatchA/B move the batch dims around as well; not worth modelling for a rare form.
  if (ctx.node.intAttribute('transBatchA', 0) || ctx.node.intAttribute('transBatchB', 0)) return [{ dtype, shape: undefined }];
  let a = ctx.input(0)?.shape;
  let b = ctx.input(1)?.shape;
  if (a && ctx.node.intAttribute('transA', 0)) a = swapLastTwo(a);
  if (b && ctx.node.intAttribute('transB', 0)) b = swapLastTwo(b);
  return [{ dtype, shape: matmulShape(ctx, a, b) }];
};

/** com.microsoft MatMulNBits: A [..., K] times a packed [N, K] weight: [..., N]. */
const matMulNBits: ShapeRule = (ctx) => {
  const a = ctx.input(0);
  const n = ctx.node.intAttribute('N');
  const shape = a?.shape && a.shape.length >= 1 && n !== undefined ? [...a.shape.slice(0, -1), n] : undefined;
  return [{ dtype: a?.dtype ?? 0, shape }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'MatMul', rule: matmul(0, 1, typeOfInput(0)) },
  { domain: '', opType: 'Gemm', rule: gemm },
  { domain: '', opType: 'MatMulInteger', rule: matmul(0, 1, fixedType(DataType.INT32!)) },
  // QLinearMatMul: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.
  { domain: '', opType: 'QLinearMatMul', rule: matmul(0, 3, (ctx) => ctx.input(7)?.dtype || ctx.input(0)?.dtype || 0) },
  { domain: 'com.microsoft', opType: 'FusedMatMul', rule: fusedMatMul },
  { domain: 'com.microsoft', opType: 'FusedGemm', rule: gemm },
  { domain: 'com.microsoft', opType: 'MatMulNBits', rule: matMulNBits },
  // Integer products rescaled to float: the type of the scale (input 2).
  { domain: 'com.microsoft', opType: 'MatMulIntegerToFloat', rule: matmul(0, 1, (ctx) => ctx.input(2)?.dtype || DataType.FLOAT!) },
  { domain: 'com.microsoft', opType: 'DynamicQuantizeMatMul', rule: matmul(0, 1, typeOfInput(0)) },
];
