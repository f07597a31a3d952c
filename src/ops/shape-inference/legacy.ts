/**
 * Shape rules for the retired experimental ops old (opset ≤ 9, IR 3) models still carry: Crop, and
 * the ones whose output is shaped like their input (ImageScaler, Affine, ScaledTanh, …).
 */
import type { Dim } from '../../ir/tensor-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const sameAsInput: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  return [{ dtype: x?.dtype ?? 0, shape: x?.shape && [...x.shape] }];
};

/**
 * Crop (experimental, NCHW): border = [left, top, right, bottom]; with scale = [height, width] the
 * crop is that size from (top, left), else what the borders leave.
 */
const crop: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  const s = x?.shape;
  if (s && s.length !== 4) return [{ dtype, shape: undefined }];
  const [left, top, right, bottom] = ctx.node.intsAttribute('border') ?? [];
  const scale = ctx.node.intsAttribute('scale') ?? [];
  const [n = null, c = null, h = null, w = null] = s ?? [];
  const cropped = (d: Dim, before: number | undefined, after: number | undefined): Dim => {
    if (before === undefined || after === undefined) return null;
    if (before + after === 0) return d;
    if (typeof d === 'number') return d - before - after;
    return derivedSymbol(ctx, d);
  };
  const height = scale.length === 2 ? scale[0]! : cropped(h, top, bottom);
  const width = scale.length === 2 ? scale[1]! : cropped(w, left, right);
  return [{ dtype, shape: [n, c, height, width] }];
};

const same = (opType: string): ShapeRuleEntry => ({ domain: '', opType, rule: sameAsInput });

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Crop', rule: crop },
  same('ImageScaler'),
  same('Affine'),
  same('ScaledTanh'),
  same('ParametricSoftplus'),
  same('Scale'),
  // ThresholdedRelu and the quantization ops (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear)
  // are registered in elementwise.ts.
];
