/**
 * Shape rules for indexing ops: Gather, GatherElements, GatherND, and the scatters (whose output is
 * always the data's shape). Gather also picks KNOWN VALUES: Gather(Shape(x), 0) is how exporters read
 * one dim, so its result must be that dim (a number or x's symbol) for the Reshape/Expand that follows.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { takeAlongAxis, valueShape } from './flat-values.js';
import { normalizeAxis, sameAsInput, unknownRank } from './rule-helpers.js';
import type { InferredOutput, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const gather: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  const dtype = data?.dtype ?? 0;
  if (!data?.shape || !indices?.shape) return [unknownRank(dtype)];
  const rank = data.shape.length;
  const axis = normalizeAxis(ctx.node.intAttribute('axis', 0), rank);
  const shape: Shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const out: InferredOutput = { dtype, shape };
  // Gather(Shape(x), i) is how exporters read one dim: pick known values (any rank) by index.
  const value = ctx.inputValue(0);
  const index = ctx.inputValue(1);
  const dims = valueShape(data.shape);
  if (value && index && dims && index.every((i) => typeof i === 'number')) {
    const n = dims[axis]!;
    const positions = (index as number[]).map((i) => {
      if (i < -n || i >= n) throw new Error(`Gather index ${i} is out of range for ${n} elements`);
      return i < 0 ? i + n : i;
    });
    out.value = takeAlongAxis(value, dims, axis, positions);
  }
  return [out];
};

/** GatherElements: the output has the indices' shape. */
const gatherElements: ShapeRule = (ctx) => [sameAsInput(ctx, 1, ctx.input(0)?.dtype ?? 0)];

/** GatherND: indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]. */
const gatherND: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  const dtype = data?.dtype ?? 0;
  if (!data?.shape || !indices?.shape || indices.shape.length === 0) return [unknownRank(dtype)];
  const batchDims = ctx.node.intAttribute('batch_dims', 0);
  const last = indices.shape[indices.shape.length - 1];
  if (typeof last !== 'number') return [unknownRank(dtype)];
  if (batchDims + last > data.shape.length) throw new Error(`GatherND index depth ${last} exceeds data rank ${data.shape.length}`);
  return [{ dtype, shape: [...indices.shape.slice(0, -1), ...data.shape.slice(batchDims + last)] }];
};

/** Scatters write into a copy of the data: same type and shape. */
const scatter: ShapeRule = (ctx) => [sameAsInput(ctx, 0)];

/** Compress: along an axis (or flattened), the count of true conditions is data-dependent. */
const compress: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const dtype = data?.dtype ?? 0;
  const axis = ctx.node.intAttribute('axis');
  const count = ctx.newSymbol('compress');
  if (axis === undefined) return [{ dtype, shape: [count] }];
  if (!data?.shape) return [unknownRank(dtype)];
  const shape = [...data.shape];
  shape[normalizeAxis(axis, shape.length)] = count;
  return [{ dtype, shape }];
};

/** OneHot: indices' shape with `depth` inserted at `axis`; the values' type. */
const oneHot: ShapeRule = (ctx) => {
  const indices = ctx.input(0);
  const dtype = ctx.input(2)?.dtype ?? 0;
  if (!indices?.shape) return [unknownRank(dtype)];
  const rank = indices.shape.length + 1;
  const axis = normalizeAxis(ctx.node.intAttribute('axis', -1), rank);
  const depthValue = ctx.inputValue(1)?.[0];
  // depth is data: when not known it is still one fixed quantity, so it gets a name.
  const depth: Dim = typeof depthValue === 'number' ? Math.trunc(depthValue) : (depthValue ?? ctx.newSymbol('depth'));
  const shape: Shape = [...indices.shape];
  shape.splice(axis, 0, depth);
  return [{ dtype, shape }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Gather', rule: gather },
  { domain: '', opType: 'GatherElements', rule: gatherElements },
  { domain: '', opType: 'GatherND', rule: gatherND },
  { domain: '', opType: 'ScatterND', rule: scatter },
  { domain: '', opType: 'ScatterElements', rule: scatter },
  { domain: '', opType: 'Scatter', rule: scatter },
  { domain: '', opType: 'Compress', rule: compress },
  { domain: '', opType: 'OneHot', rule: oneHot },
];
