/**
 * Shape rule for Pad: each padded axis grows by its begin + end pads (negative pads crop). Pads are the
 * `paddings` (opset 1) / `pads` (opsets 2-10) attribute or input 1's known value (11+), laid out as
 * [begins..., ends...] over every axis or, from opset 18, over the axes of input 3.
 */
import type { Dim } from '../../ir/tensor-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { InferenceContext, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

function paddedDim(ctx: InferenceContext, d: Dim, begin: Dim, end: Dim): Dim {
  if (typeof begin !== 'number' || typeof end !== 'number') return null;
  if (begin + end === 0) return d;
  if (typeof d === 'number') return d + begin + end;
  return derivedSymbol(ctx, d);
}

/** The axes the pads address: input 3's known value (opset 18+), or all. undefined: not known. */
function padAxes(ctx: InferenceContext, rank: number): number[] | undefined {
  if (ctx.opset < 18 || !ctx.hasInput(3)) return Array.from({ length: rank }, (_, i) => i);
  const axes = ctx.inputValue(3);
  if (!axes) return undefined;
  const out: number[] = [];
  for (const a of axes) {
    if (typeof a !== 'number' || a < -rank || a >= rank) return undefined;
    out.push(a < 0 ? a + rank : a);
  }
  return out;
}

const pad: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  const shape = x?.shape;
  if (!shape) return [{ dtype, shape: undefined }];
  const pads: readonly Dim[] | undefined = ctx.opset < 11
    ? (ctx.node.intsAttribute('pads') ?? ctx.node.intsAttribute('paddings'))
    : ctx.inputValue(1);
  const axes = padAxes(ctx, shape.length);
  if (!pads || !axes || pads.length !== 2 * axes.length) {
    // The rank survives; which dims change does not (unless the axes are known).
    return [{ dtype, shape: shape.map((d, i) => (axes && !axes.includes(i) ? d : null)) }];
  }
  const out = [...shape];
  axes.forEach((axis, i) => { out[axis] = paddedDim(ctx, shape[axis]!, pads[i]!, pads[i + axes.length]!); });
  return [{ dtype, shape: out }];
};

export const rules: ShapeRuleEntry[] = [{ domain: '', opType: 'Pad', rule: pad }];
