/**
 * Shape rules for data-dependent and detection ops: NonMaxSuppression, NonZero and Unique, whose
 * output lengths depend on the data (a new symbol each, so later ops can still name them), TopK
 * (K from the attribute, or input 1's known value from opset 10), and RoiAlign.
 */
import type { Dim } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import { productOfDims } from './dim-math.js';
import type { InferredOutput, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const INT64 = DataType.INT64!;

/** NonMaxSuppression: [selected, 3] rows of (batch, class, box). */
const nonMaxSuppression: ShapeRule = (ctx) => [{ dtype: INT64, shape: [ctx.newSymbol('nms_selected'), 3] }];

/** NonZero: one column of indices per non-zero element: [rank, count]. */
const nonZero: ShapeRule = (ctx) => [{ dtype: INT64, shape: [ctx.input(0)?.shape?.length ?? null, ctx.newSymbol('nonzero_count')] }];

const topK: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  let k: Dim;
  if (ctx.opset < 10) {
    k = ctx.node.intAttribute('k') ?? null;
  } else {
    const known = ctx.inputValue(1);
    const value = known?.length === 1 ? known[0] : undefined;
    k = value !== undefined && value !== null ? value : ctx.newSymbol('topk');
  }
  const shape = x?.shape;
  if (!shape) return [{ dtype, shape: undefined }, { dtype: INT64, shape: undefined }];
  let axis = ctx.node.intAttribute('axis', -1);
  if (axis < 0) axis += shape.length;
  const out = axis >= 0 && axis < shape.length ? shape.map((d, i) => (i === axis ? k : d)) : undefined;
  return [{ dtype, shape: out }, { dtype: INT64, shape: out && [...out] }];
};

/** RoiAlign: [num_rois, C, output_height, output_width]. */
const roiAlign: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const rois = ctx.input(1)?.shape?.[0] ?? ctx.input(2)?.shape?.[0] ?? null;
  const shape = [rois, x?.shape?.[1] ?? null, ctx.node.intAttribute('output_height', 1), ctx.node.intAttribute('output_width', 1)];
  return [{ dtype: x?.dtype || ctx.input(1)?.dtype || 0, shape }];
};

/**
 * Unique: Y (the unique values, flattened or slices along `axis`), indices and counts ([u] each),
 * inverse_indices (one per input element, or per slice along `axis`).
 */
const unique: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const shape = x?.shape;
  const u = ctx.newSymbol('unique_count');
  const axisAttr = ctx.node.intAttribute('axis');
  let y: Dim[] | undefined = [u];
  let inverse: Dim[] | undefined = shape ? [productOfDims(shape)] : [null];
  if (axisAttr !== undefined) {
    const axis = shape && axisAttr < 0 ? axisAttr + shape.length : axisAttr;
    const valid = shape && axis >= 0 && axis < shape.length;
    y = valid ? shape.map((d, i) => (i === axis ? u : d)) : undefined;
    inverse = [valid ? shape[axis]! : null];
  }
  const outputs: InferredOutput[] = [
    { dtype: x?.dtype ?? 0, shape: y }, { dtype: INT64, shape: [u] }, { dtype: INT64, shape: inverse }, { dtype: INT64, shape: [u] },
  ];
  return outputs.slice(0, Math.max(1, ctx.node.outputs.length));
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'NonMaxSuppression', rule: nonMaxSuppression },
  { domain: '', opType: 'NonZero', rule: nonZero },
  { domain: '', opType: 'TopK', rule: topK },
  { domain: '', opType: 'RoiAlign', rule: roiAlign },
  { domain: '', opType: 'Unique', rule: unique },
];
