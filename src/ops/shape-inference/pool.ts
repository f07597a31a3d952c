/**
 * Shape rules for pooling: MaxPool (with its int64 Indices output), AveragePool, LpPool, the global
 * pools, MaxRoiPool and MaxUnpool. Windowed pools keep [N, C] and size each spatial axis like a conv
 * (ceil_mode included); global pools reduce every spatial axis to 1.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { InferenceContext, ShapeRule, ShapeRuleEntry } from './shape-rule.js';
import { autoPad, windowAxes, windowOutputDim, type WindowAxis } from './sliding-window.js';

/** X's [N, C] and spatial dims; rank from X, else from kernel_shape. */
function poolInput(ctx: InferenceContext): { lead: Dim[]; spatial: Dim[] } | undefined {
  const x = ctx.input(0)?.shape;
  if (x && x.length >= 2) return { lead: x.slice(0, 2), spatial: x.slice(2) };
  const kernel = ctx.node.intsAttribute('kernel_shape');
  if (!kernel) return undefined;
  return { lead: [null, null], spatial: new Array<Dim>(kernel.length).fill(null) };
}

function kernelAxes(ctx: InferenceContext, n: number): WindowAxis[] {
  const kernel: Dim[] = ctx.node.intsAttribute('kernel_shape') ?? [];
  return windowAxes(ctx, Array.from({ length: n }, (_, i) => kernel[i] ?? null));
}

const windowedPool: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? 0;
  const input = poolInput(ctx);
  let shape: Shape | undefined;
  if (input) {
    const axes = kernelAxes(ctx, input.spatial.length);
    const mode = autoPad(ctx);
    const ceilMode = ctx.node.intAttribute('ceil_mode', 0) !== 0;
    shape = [...input.lead, ...input.spatial.map((d, i) => windowOutputDim(ctx, d, axes[i]!, mode, ceilMode))];
  }
  // MaxPool's second output, Indices, has Y's shape.
  const indices = { dtype: DataType.INT64!, shape: shape && [...shape] };
  return ctx.node.outputs.length > 1 ? [{ dtype, shape }, indices] : [{ dtype, shape }];
};

const globalPool: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const shape = x?.shape && x.shape.length >= 2 ? [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] : undefined;
  return [{ dtype: x?.dtype ?? 0, shape }];
};

/** MaxRoiPool: one pooled_shape map per region: [num_rois, C, ph, pw]. */
const maxRoiPool: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const rois = ctx.input(1)?.shape;
  const pooled = ctx.node.intsAttribute('pooled_shape') ?? [];
  if (pooled.length === 0) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  return [{ dtype: x?.dtype ?? 0, shape: [rois?.[0] ?? null, x?.shape?.[1] ?? null, ...pooled] }];
};

/** MaxUnpool: the output_shape input when known, else the inverse of the pool's size formula. */
const maxUnpool: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  if (ctx.hasInput(2)) {
    const known = ctx.inputValue(2);
    if (known) return [{ dtype, shape: [...known] }];
    const rank = ctx.input(2)?.shape?.[0];
    return [{ dtype, shape: typeof rank === 'number' ? new Array<Dim>(rank).fill(null) : undefined }];
  }
  const input = poolInput(ctx);
  if (!input) return [{ dtype, shape: undefined }];
  const axes = kernelAxes(ctx, input.spatial.length);
  const spatial = input.spatial.map((d, i): Dim => {
    const a = axes[i]!;
    if (typeof d !== 'number' || typeof a.kernel !== 'number') return derivedSymbol(ctx, d);
    return (d - 1) * a.stride + a.kernel - a.padBegin - a.padEnd;
  });
  return [{ dtype, shape: [...input.lead, ...spatial] }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'MaxPool', rule: windowedPool },
  { domain: '', opType: 'AveragePool', rule: windowedPool },
  { domain: '', opType: 'LpPool', rule: windowedPool },
  { domain: '', opType: 'GlobalAveragePool', rule: globalPool },
  { domain: '', opType: 'GlobalMaxPool', rule: globalPool },
  { domain: '', opType: 'GlobalLpPool', rule: globalPool },
  { domain: '', opType: 'MaxRoiPool', rule: maxRoiPool },
  { domain: '', opType: 'MaxUnpool', rule: maxUnpool },
];
