/**
 * Shape rules for Resize and Upsample. The output size per axis is `sizes` when given (opset 11+;
 * opset 18 adds `axes` and keep_aspect_ratio_policy), else floor(in × scale) computed in float32 as
 * onnxruntime does. Scales and sizes must be KNOWN values (constants, or propagated shape values);
 * a symbolic dim scaled by 1 keeps its name, any other scaled symbol becomes a new symbol.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { InferenceContext, KnownValue, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

/** in × scale rounded down, as float32 arithmetic gives it. */
function scaledDim(ctx: InferenceContext, d: Dim, scale: Dim): Dim {
  if (scale === 1) return d;
  if (typeof scale !== 'number') return derivedSymbol(ctx, d);
  if (typeof d === 'number') return Math.floor(Math.fround(Math.fround(d) * Math.fround(scale)));
  return derivedSymbol(ctx, d);
}

/** The axes `sizes`/`scales` address: the `axes` attribute (opset 18+) normalized, or every axis. */
function targetAxes(ctx: InferenceContext, rank: number): number[] | undefined {
  const axes = ctx.node.intsAttribute('axes');
  if (!axes || axes.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  return out.every((a) => a >= 0 && a < rank) ? out : undefined;
}

/** The input's shape, or a shape of unknown dims when only the scales/sizes length tells the rank. */
function inputShape(ctx: InferenceContext, valueLength: number): Shape | undefined {
  const shape = ctx.input(0)?.shape;
  if (shape) return shape;
  const axes = ctx.node.intsAttribute('axes');
  return axes && axes.length > 0 ? undefined : new Array<Dim>(valueLength).fill(null);
}

function fromScales(ctx: InferenceContext, scales: KnownValue): Shape | undefined {
  const shape = inputShape(ctx, scales.length);
  if (!shape) return undefined;
  const axes = targetAxes(ctx, shape.length);
  if (!axes || axes.length !== scales.length) return undefined;
  const out = [...shape];
  axes.forEach((axis, i) => { out[axis] = scaledDim(ctx, shape[axis]!, scales[i]!); });
  return out;
}

function fromSizes(ctx: InferenceContext, sizes: KnownValue): Shape | undefined {
  const shape = inputShape(ctx, sizes.length);
  if (!shape) return undefined;
  const axes = targetAxes(ctx, shape.length);
  if (!axes || axes.length !== sizes.length) return undefined;
  const out = [...shape];
  const policy = ctx.node.stringAttribute('keep_aspect_ratio_policy', 'stretch');
  if (policy === 'stretch') {
    axes.forEach((axis, i) => { out[axis] = sizes[i]!; });
    return out;
  }
  // not_larger / not_smaller: one scale for all axes, the smallest / largest sizes[i] / in[i].
  const ratios = axes.map((axis, i) => {
    const d = shape[axis];
    const s = sizes[i];
    return typeof d === 'number' && typeof s === 'number' && d > 0 ? Math.fround(s / d) : undefined;
  });
  const known = ratios.every((r): r is number => r !== undefined);
  const scale = known ? (policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios)) : undefined;
  axes.forEach((axis) => {
    const d = shape[axis]!;
    out[axis] = scale !== undefined && typeof d === 'number' ? Math.round(Math.fround(scale * d))
      : derivedSymbol(ctx, d);
  });
  return out;
}

/** Unknown scales/sizes: the rank survives, and so do the axes the `axes` attribute leaves alone. */
function unknownSizes(ctx: InferenceContext): Shape | undefined {
  const shape = ctx.input(0)?.shape;
  if (!shape) return undefined;
  const axes = targetAxes(ctx, shape.length);
  if (!axes) return undefined;
  return shape.map((d, i) => (axes.includes(i) ? derivedSymbol(ctx, d) : d));
}

/** Resize: opset 10 (X, scales), 11+ (X, roi, scales, sizes). */
const resize: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? 0;
  const scalesAt = ctx.opset >= 11 ? 2 : 1;
  // Opsets 11-12 require the scales input even with sizes, as an empty tensor.
  const sizes = ctx.opset >= 11 && ctx.hasInput(3) ? ctx.inputValue(3) : undefined;
  if (sizes && sizes.length > 0) return [{ dtype, shape: fromSizes(ctx, sizes) }];
  const scales = ctx.hasInput(scalesAt) ? ctx.inputValue(scalesAt) : undefined;
  if (scales && scales.length > 0) return [{ dtype, shape: fromScales(ctx, scales) }];
  return [{ dtype, shape: unknownSizes(ctx) }];
};

/** Upsample: `scales` attribute (opset 7), height_scale/width_scale (opset 1, NCHW), `scales` input (9+). */
const upsample: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? 0;
  let scales: KnownValue | undefined = ctx.node.attributeValue('scales') as number[] | undefined;
  const h = ctx.node.floatAttribute('height_scale');
  const w = ctx.node.floatAttribute('width_scale');
  if (!scales && h !== undefined && w !== undefined) scales = [1, 1, h, w];
  if (!scales && ctx.hasInput(1)) scales = ctx.inputValue(1);
  if (scales && scales.length > 0) return [{ dtype, shape: fromScales(ctx, scales) }];
  return [{ dtype, shape: unknownSizes(ctx) }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Resize', rule: resize },
  { domain: '', opType: 'Upsample', rule: upsample },
];
