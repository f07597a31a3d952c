/**
 * Shape rules for convolutions: Conv (and ORT's FusedConv), ConvInteger, QLinearConv, DeformConv,
 * ConvTranspose.
 * Output is [N, M, spatial...]: N flows from X, M is the weight's first dim (ConvTranspose: second
 * dim × group), and each spatial length follows the sliding-window formula of sliding-window.ts.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { InferenceContext, ShapeRule, ShapeRuleEntry } from './shape-rule.js';
import { autoPad, transposedOutputDim, windowAxes, windowOutputDim } from './sliding-window.js';

interface ConvInputs {
  x: number;
  w: number;
  /** Output element type; undefined = X's. */
  dtype?: (ctx: InferenceContext) => number;
}

/** Spatial rank, from X or else the weight (both are [_, _, spatial...]); undefined when neither is known. */
function spatialRank(ctx: InferenceContext, io: ConvInputs): number | undefined {
  const rank = ctx.input(io.x)?.shape?.length ?? ctx.input(io.w)?.shape?.length;
  return rank === undefined ? undefined : Math.max(rank - 2, 0);
}

/** kernel_shape, or the weight's trailing dims when the attribute is left out. */
function kernelShape(ctx: InferenceContext, io: ConvInputs, n: number): Dim[] {
  const attr = ctx.node.intsAttribute('kernel_shape');
  if (attr && attr.length === n) return attr;
  const w = ctx.input(io.w)?.shape;
  if (w && w.length === n + 2) return w.slice(2);
  return new Array<Dim>(n).fill(null);
}

function xDims(ctx: InferenceContext, io: ConvInputs, n: number): { batch: Dim; spatial: Dim[] } {
  const x = ctx.input(io.x)?.shape;
  if (!x || x.length !== n + 2) return { batch: null, spatial: new Array<Dim>(n).fill(null) };
  return { batch: x[0] ?? null, spatial: x.slice(2) };
}

function elementType(ctx: InferenceContext, io: ConvInputs): number {
  return io.dtype ? io.dtype(ctx) : (ctx.input(io.x)?.dtype || ctx.input(io.w)?.dtype || 0);
}

function conv(io: ConvInputs): ShapeRule {
  return (ctx) => {
    const dtype = elementType(ctx, io);
    const n = spatialRank(ctx, io);
    if (n === undefined) return [{ dtype, shape: undefined }];
    const { batch, spatial } = xDims(ctx, io, n);
    const axes = windowAxes(ctx, kernelShape(ctx, io, n));
    const mode = autoPad(ctx);
    const channels = ctx.input(io.w)?.shape?.[0] ?? null;
    const shape: Shape = [batch, channels, ...spatial.map((d, i) => windowOutputDim(ctx, d, axes[i]!, mode))];
    return [{ dtype, shape }];
  };
}

const convTranspose: ShapeRule = (ctx) => {
  const io: ConvInputs = { x: 0, w: 1 };
  const dtype = elementType(ctx, io);
  const n = spatialRank(ctx, io);
  if (n === undefined) return [{ dtype, shape: undefined }];
  const { batch, spatial } = xDims(ctx, io, n);
  const group = ctx.node.intAttribute('group', 1);
  const perGroup = ctx.input(1)?.shape?.[1] ?? null;
  const channels: Dim = typeof perGroup === 'number' ? perGroup * group
    : group === 1 ? perGroup : derivedSymbol(ctx, perGroup);

  // output_shape fixes the spatial dims outright (pads are then derived); it may be given with or
  // without the leading N, C, so its last n entries are the spatial ones.
  const outputShape = ctx.node.intsAttribute('output_shape');
  if (outputShape && outputShape.length >= n && n > 0) {
    return [{ dtype, shape: [batch, channels, ...outputShape.slice(outputShape.length - n)] }];
  }
  const axes = windowAxes(ctx, kernelShape(ctx, io, n));
  const mode = autoPad(ctx);
  const outputPadding = ctx.node.intsAttribute('output_padding') ?? [];
  const shape: Shape = [batch, channels,
    ...spatial.map((d, i) => transposedOutputDim(ctx, d, axes[i]!, mode, outputPadding[i] ?? 0))];
  return [{ dtype, shape }];
};

/** QLinearConv's output type is y_zero_point's (uint8 or int8). */
const qlinearType = (ctx: InferenceContext): number => ctx.input(7)?.dtype || ctx.input(0)?.dtype || 0;

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Conv', rule: conv({ x: 0, w: 1 }) },
  { domain: 'com.microsoft', opType: 'FusedConv', rule: conv({ x: 0, w: 1 }) },
  { domain: '', opType: 'ConvInteger', rule: conv({ x: 0, w: 1, dtype: () => DataType.INT32! }) },
  { domain: '', opType: 'QLinearConv', rule: conv({ x: 0, w: 3, dtype: qlinearType }) },
  { domain: '', opType: 'ConvTranspose', rule: convTranspose },
  // DeformConv (opset 19): X, W, offset, B, mask; sized like Conv.
  { domain: '', opType: 'DeformConv', rule: conv({ x: 0, w: 1 }) },
];
