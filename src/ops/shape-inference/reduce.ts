/**
 * Shape rules for reductions. Axes come from the `axes` attribute (ReduceSum before opset 13, the
 * other reductions before 18) or from input 1, whose value must be known; an empty/absent axes list
 * reduces everything, or nothing under noop_with_empty_axes. ArgMax/ArgMin reduce one axis to int64.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import type { InferenceContext, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

/** Axes normalized into [0, rank), or undefined when one is out of range or not a number. */
function normalizeAxes(axes: readonly Dim[], rank: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const a of axes) {
    if (typeof a !== 'number' || a < -rank || a >= rank) return undefined;
    out.add(a < 0 ? a + rank : a);
  }
  return out;
}

function reducedShape(shape: Shape, axes: Set<number>, keepDims: boolean): Shape {
  return shape.flatMap((d, i) => (axes.has(i) ? (keepDims ? [1] : []) : [d]));
}

const reduce: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  const shape = x?.shape;
  const keepDims = ctx.node.intAttribute('keepdims', 1) !== 0;
  let axes: readonly Dim[] | undefined = ctx.node.intsAttribute('axes');
  if (axes === undefined && ctx.hasInput(1)) {
    axes = ctx.inputValue(1);
    if (axes === undefined) return [{ dtype, shape: unknownAxesShape(ctx, shape, keepDims) }];
  }
  if (!shape) return [{ dtype, shape: undefined }];
  if (axes === undefined || axes.length === 0) {
    if (ctx.node.intAttribute('noop_with_empty_axes', 0) !== 0) return [{ dtype, shape: [...shape] }];
    axes = shape.map((_, i) => i);
  }
  const normalized = normalizeAxes(axes, shape.length);
  return [{ dtype, shape: normalized ? reducedShape(shape, normalized, keepDims) : undefined }];
};

/**
 * Axes given as an input whose value is not known: with keepdims each dim either stays or becomes 1
 * (so only 1s are certain); without, the rank drops by the axes count when that is known.
 */
function unknownAxesShape(ctx: InferenceContext, shape: Shape | undefined, keepDims: boolean): Shape | undefined {
  if (!shape) return undefined;
  if (keepDims) return shape.map((d) => (d === 1 ? 1 : null));
  const count = ctx.input(1)?.shape?.[0];
  if (typeof count !== 'number' || count === 0) return undefined;
  return shape.length >= count ? new Array<Dim>(shape.length - count).fill(null) : undefined;
}

const argReduce: ShapeRule = (ctx) => {
  const shape = ctx.input(0)?.shape;
  if (!shape) return [{ dtype: DataType.INT64!, shape: undefined }];
  const axes = normalizeAxes([ctx.node.intAttribute('axis', 0)], shape.length);
  const keepDims = ctx.node.intAttribute('keepdims', 1) !== 0;
  return [{ dtype: DataType.INT64!, shape: axes ? reducedShape(shape, axes, keepDims) : undefined }];
};

const REDUCTIONS = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const rules: ShapeRuleEntry[] = [
  ...REDUCTIONS.map((opType): ShapeRuleEntry => ({ domain: '', opType, rule: reduce })),
  { domain: '', opType: 'ArgMax', rule: argReduce },
  { domain: '', opType: 'ArgMin', rule: argReduce },
];
