/**
 * Shape rules for the ops that move data around without computing on it: Shape, Size, Reshape,
 * Transpose, Concat, Split, Slice, Squeeze, Unsqueeze, Expand, Tile, DepthToSpace, SpaceToDepth.
 *
 * Their KNOWN VALUES matter as much as their shapes: torch exports `x.view(x.size(0), -1, 64)` as
 * Shape → Gather → Unsqueeze → Concat → Reshape, so Shape's output carries the input's dims (symbols
 * included), Gather/Slice/Concat/Squeeze/Unsqueeze pass them on, and Reshape reads its target from
 * them. Known values are kept for rank-0/1 tensors only (the contract's KnownValue).
 *
 * Where a symbolic dim meets a bound the graph states explicitly (a Slice end of 3 on a dim 'seq'),
 * the bound is taken to lie inside the dim: the exporter wrote it for inputs where it does. The
 * alternative, unknown, would lose every shape downstream of an everyday `x[:, :3]`.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import {
  addDims, broadcastDim, ceilDivDims, divDims, inferredReshapeDim, isKnownDim, mulDims, productOfDims, subDims,
} from './dim-math.js';
import {
  DT, firstDtype, inputNumbers, normalizeAxis, PAST_END, readAxes, unknownDims, unknownRank,
} from './rule-helpers.js';
import type { InferenceContext, InferredOutput, KnownValue, ShapeRule, ShapeRuleEntry } from './shape-rule.js';
import { broadcastValue, concatValues, elementCount, takeAlongAxis, transposeValue, valueShape } from './flat-values.js';

/** Merge two claims about the same dim: a number beats a symbol, a symbol beats unknown. */
function mergeDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}


// ---------------------------------------------------------------------------------------------------
// Shape, Size

const shapeOp: ShapeRule = (ctx) => {
  const shape = ctx.input(0)?.shape;
  if (!shape) return [{ dtype: DT.INT64, shape: [null] }];
  const rank = shape.length;
  // start/end (opset 15) clamp like Python slicing.
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + rank : i, 0), rank);
  const start = clamp(ctx.node.intAttribute('start', 0));
  const end = clamp(ctx.node.intAttribute('end', rank));
  const dims = shape.slice(start, Math.max(start, end));
  return [{ dtype: DT.INT64, shape: [dims.length], value: dims }];
};

const size: ShapeRule = (ctx) => {
  const shape = ctx.input(0)?.shape;
  const out: InferredOutput = { dtype: DT.INT64, shape: [] };
  if (shape) out.value = [productOfDims(shape)];
  return [out];
};

// ---------------------------------------------------------------------------------------------------
// Reshape

const reshape: ShapeRule = (ctx) => {
  const data = ctx.input(0);
  const dtype = data?.dtype ?? 0;
  let target: KnownValue | undefined;
  if (ctx.opset < 5) {
    target = ctx.node.intsAttribute('shape');
  } else {
    target = ctx.inputValue(1);
    if (!target) {
      // The target's length is the output rank even when its content is not known.
      const len = ctx.input(1)?.shape?.[0];
      return [typeof len === 'number' ? { dtype, shape: unknownDims(len) } : unknownRank(dtype)];
    }
  }
  if (!target) return [unknownRank(dtype)];
  const allowZero = ctx.node.intAttribute('allowzero', 0) === 1;
  const input = data?.shape;
  const out: Dim[] = target.map((t, i) => {
    if (t === 0 && !allowZero) return input ? (input[i] ?? null) : null;
    if (t === -1) return -1;
    if (typeof t === 'number' && t < -1) throw new Error(`Reshape target has dim ${t}`);
    return t;
  });
  const minusOne = out.indexOf(-1);
  if (minusOne >= 0) {
    if (out.indexOf(-1, minusOne + 1) >= 0) throw new Error('Reshape target has more than one -1');
    const others = out.filter((_, i) => i !== minusOne);
    let resolved: Dim = null;
    if (input) {
      resolved = inferredReshapeDim(input, others) ?? null;
      if (resolved === null && input.every(isKnownDim) && others.every(isKnownDim)) {
        // Sizes known but not reducible to a tidy form: still one definite quantity.
        resolved = divDims(productOfDims(input), productOfDims(others));
      }
    }
    out[minusOne] = resolved;
  }
  const result: InferredOutput = { dtype, shape: out };
  // Row-major order is what Reshape keeps: the flat known value is unchanged.
  const value = ctx.inputValue(0);
  if (value) result.value = value;
  return [result];
};

// ---------------------------------------------------------------------------------------------------
// Transpose

const transpose: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  const perm = ctx.node.intsAttribute('perm');
  if (!t?.shape) return [perm ? { dtype, shape: unknownDims(perm.length) } : unknownRank(dtype)];
  const rank = t.shape.length;
  const order = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (order.length !== rank) throw new Error(`perm has ${order.length} entries for rank ${rank}`);
  const out: InferredOutput = { dtype, shape: order.map((p) => t.shape![normalizeAxis(p, rank, 'perm entry')] ?? null) };
  const value = ctx.inputValue(0);
  const dims = valueShape(t.shape);
  if (value && dims) out.value = transposeValue(value, dims, order.map((p) => normalizeAxis(p, rank)));
  return [out];
};

// ---------------------------------------------------------------------------------------------------
// Concat

const concat: ShapeRule = (ctx) => {
  const dtype = firstDtype(ctx, ...Array.from({ length: ctx.inputCount }, (_, i) => i));
  const present = Array.from({ length: ctx.inputCount }, (_, i) => i).filter((i) => ctx.hasInput(i));
  const shapes = present.map((i) => ctx.input(i)?.shape);
  const rank = shapes.find((s) => s !== undefined)?.length;
  if (rank === undefined) return [unknownRank(dtype)];
  const axis = normalizeAxis(ctx.node.intAttribute('axis', 0), rank);
  const out: Dim[] = unknownDims(rank);
  let axisDim: Dim = 0;
  for (const s of shapes) {
    if (!s) { axisDim = null; continue; }
    if (s.length !== rank) throw new Error(`Concat inputs have ranks ${rank} and ${s.length}`);
    s.forEach((d, k) => { if (k !== axis) out[k] = mergeDim(out[k]!, d); });
    axisDim = addDims(axisDim, s[axis] ?? null);
  }
  out[axis] = axisDim;
  const result: InferredOutput = { dtype, shape: out };
  // Concatenating known vectors is the heart of exported shape arithmetic: keep what is known, with
  // null for the elements of a part whose shape is known but content is not.
  if (valueShape(out)) {
    const parts: { value: KnownValue; shape: number[] }[] = [];
    for (const [k, i] of present.entries()) {
      const dims = valueShape(shapes[k]);
      if (!dims) return [result];
      parts.push({ value: ctx.inputValue(i) ?? unknownDims(elementCount(dims)), shape: dims });
    }
    result.value = concatValues(parts, axis);
  }
  return [result];
};

// ---------------------------------------------------------------------------------------------------
// Split

const split: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  const n = ctx.node.outputs.length;
  if (!t?.shape) return Array.from({ length: n }, () => unknownRank(dtype));
  const rank = t.shape.length;
  const axis = normalizeAxis(ctx.node.intAttribute('axis', 0), rank);
  const dim = t.shape[axis] ?? null;
  let sizes: Dim[] | undefined;
  if (ctx.opset < 13) sizes = ctx.node.intsAttribute('split');
  else if (ctx.hasInput(1)) sizes = inputNumbers(ctx, 1) ?? unknownDims(n);
  if (!sizes || sizes.length === 0) {
    const numOutputs = ctx.node.intAttribute('num_outputs');
    if (numOutputs !== undefined && ctx.opset >= 18) {
      // Opset 18 num_outputs: ceil-sized chunks, the last one smaller when the dim does not divide.
      const chunk = ceilDivDims(dim, numOutputs);
      sizes = Array.from({ length: n }, (_, i) => (i < n - 1 ? chunk : subDims(dim, mulDims(chunk, n - 1))));
    } else {
      sizes = new Array<Dim>(n).fill(typeof dim === 'number' ? (dim % n === 0 ? dim / n : null) : divDims(dim, n));
    }
  }
  if (sizes.length !== n) throw new Error(`Split has ${sizes.length} sizes for ${n} outputs`);
  const value = ctx.inputValue(0);
  const dims = valueShape(t.shape);
  let offset = 0;
  return sizes.map((s) => {
    const shape = [...t.shape!];
    shape[axis] = s;
    const out: InferredOutput = { dtype, shape };
    if (value && dims && typeof s === 'number' && Number.isFinite(offset)) {
      out.value = takeAlongAxis(value, dims, axis, Array.from({ length: s }, (_, k) => offset + k));
    }
    offset += typeof s === 'number' ? s : NaN;
    return out;
  });
};

// ---------------------------------------------------------------------------------------------------
// Slice

/** A Slice index resolved against a dim: an offset in [0, dim] (or [-1, dim-1] for a reverse end). */
function resolveIndex(index: Dim, dim: Dim, step: number, isEnd: boolean): Dim {
  if (index === null) return null;
  if (typeof index === 'string') return index; // a symbolic bound is a dim itself: in range
  if (typeof dim === 'number') {
    const i = index < 0 ? index + dim : index;
    if (step > 0) return Math.min(Math.max(i, 0), dim);
    return Math.min(Math.max(i, isEnd ? -1 : 0), dim - 1);
  }
  // Symbolic dim: "past the end" markers and negative offsets from the end stay exact.
  if (index >= PAST_END) return step > 0 ? dim : (isEnd ? dim : subDims(dim, 1));
  if (index <= -PAST_END) return step > 0 ? 0 : -1;
  if (index < 0) return addDims(dim, index);
  return index;
}

/** Elements a slice keeps along one axis; symbolic where the bounds are. */
function sliceLength(dim: Dim, start: Dim, end: Dim, step: number): Dim {
  if (step === 0) throw new Error('Slice step is 0');
  const s = resolveIndex(start, dim, step, false);
  const e = resolveIndex(end, dim, step, true);
  // x[-k:] on a symbolic dim keeps k elements (assuming the dim has at least k, as the file header says).
  const fromEnd = typeof start === 'number' && start < 0 && start > -PAST_END;
  if (fromEnd && typeof end === 'number' && end >= PAST_END && step === 1 && typeof dim !== 'number') return -start;
  const span = step > 0 ? subDims(e, s) : subDims(s, e);
  if (typeof span === 'number') return Math.max(0, Math.ceil(span / Math.abs(step)));
  return ceilDivDims(span, Math.abs(step));
}

interface SliceSpec { starts: Dim[]; ends: Dim[]; axes: number[]; steps: number[] }

function sliceSpec(ctx: InferenceContext, rank: number): SliceSpec | undefined {
  let starts: Dim[] | undefined;
  let ends: Dim[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.node.intsAttribute('starts');
    ends = ctx.node.intsAttribute('ends');
    axes = ctx.node.intsAttribute('axes');
  } else {
    starts = ctx.inputValue(1);
    ends = ctx.inputValue(2);
    if (ctx.hasInput(3)) { axes = inputNumbers(ctx, 3); if (!axes) return undefined; }
    if (ctx.hasInput(4)) { steps = inputNumbers(ctx, 4); if (!steps) return undefined; }
  }
  if (!starts || !ends || starts.length !== ends.length) return undefined;
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  return { starts, ends, axes: axes.map((a) => normalizeAxis(a, rank)), steps };
}

const slice: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  if (!t?.shape) return [unknownRank(dtype)];
  const rank = t.shape.length;
  const spec = sliceSpec(ctx, rank);
  if (!spec) {
    // Unknown bounds: only the sliced axes are unknown, and which those are may be known.
    const axes = ctx.opset >= 10 && ctx.hasInput(3) ? inputNumbers(ctx, 3) : undefined;
    if (!axes) return [{ dtype, shape: unknownDims(rank) }];
    const shape = [...t.shape];
    for (const a of axes) shape[normalizeAxis(a, rank)] = null;
    return [{ dtype, shape }];
  }
  const shape: Shape = [...t.shape];
  spec.axes.forEach((axis, i) => {
    shape[axis] = sliceLength(t.shape![axis] ?? null, spec.starts[i] ?? null, spec.ends[i] ?? null, spec.steps[i] ?? 1);
  });
  const out: InferredOutput = { dtype, shape };
  // Known values are sliced too (torch's `x.shape[2:]`, and the pads matrix of F.pad).
  let value = ctx.inputValue(0);
  let dims = valueShape(t.shape);
  if (value && dims) {
    for (const [i, axis] of spec.axes.entries()) {
      const [s, e, step] = [spec.starts[i], spec.ends[i], spec.steps[i] ?? 1];
      if (typeof s !== 'number' || typeof e !== 'number' || !value || !dims) { value = undefined; break; }
      const from = resolveIndex(s, dims[axis]!, step, false) as number;
      const to = resolveIndex(e, dims[axis]!, step, true) as number;
      const positions: number[] = [];
      for (let k = from; step > 0 ? k < to : k > to; k += step) positions.push(k);
      value = takeAlongAxis(value, dims, axis, positions);
      dims = dims.map((d, k) => (k === axis ? positions.length : d));
    }
    if (value) out.value = value;
  }
  return [out];
};

// ---------------------------------------------------------------------------------------------------
// Squeeze, Unsqueeze

const squeeze: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  const axes = readAxes(ctx, 'axes', 1, 13);
  if (!t?.shape) return [unknownRank(dtype)];
  const rank = t.shape.length;
  let shape: Shape;
  if (axes === 'absent') {
    // Without axes every 1 goes; a dim that is not a number might be 1, so the rank is not known.
    if (!t.shape.every((d) => typeof d === 'number')) return [unknownRank(dtype)];
    shape = t.shape.filter((d) => d !== 1);
  } else if (axes === undefined) {
    return [unknownRank(dtype)];
  } else {
    const drop = new Set(axes.map((a) => normalizeAxis(a, rank)));
    for (const a of drop) {
      const d = t.shape[a];
      if (typeof d === 'number' && d !== 1) throw new Error(`cannot squeeze axis ${a} of length ${d}`);
    }
    shape = t.shape.filter((_, i) => !drop.has(i));
  }
  const out: InferredOutput = { dtype, shape };
  const value = ctx.inputValue(0);
  if (value) out.value = value;
  return [out];
};

const unsqueeze: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  const axes = readAxes(ctx, 'axes', 1, 13);
  if (axes === 'absent') throw new Error('Unsqueeze without axes');
  if (!axes) {
    const n = ctx.input(1)?.shape?.[0];
    return [t?.shape && typeof n === 'number' ? { dtype, shape: unknownDims(t.shape.length + n) } : unknownRank(dtype)];
  }
  if (!t?.shape) return [unknownRank(dtype)];
  const rank = t.shape.length + axes.length;
  const inserted = new Set(axes.map((a) => normalizeAxis(a, rank)));
  if (inserted.size !== axes.length) throw new Error('Unsqueeze axes repeat');
  const shape: Shape = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(inserted.has(i) ? 1 : (t.shape[k++] ?? null));
  const out: InferredOutput = { dtype, shape };
  const value = ctx.inputValue(0);
  if (value) out.value = value;
  return [out];
};

// ---------------------------------------------------------------------------------------------------
// Expand, Tile

const expand: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  let target = ctx.inputValue(1);
  if (!target) {
    const n = ctx.input(1)?.shape?.[0];
    if (typeof n !== 'number') return [unknownRank(dtype)];
    target = unknownDims(n);
  }
  if (!t?.shape) return [{ dtype, shape: target.length > 0 ? unknownDims(target.length) : undefined }];
  const input = t.shape;
  const rank = Math.max(input.length, target.length);
  const shape: Shape = [];
  for (let i = 0; i < rank; i++) {
    const a = input[i - (rank - input.length)] ?? 1;
    const b = target[i - (rank - target.length)] ?? 1;
    shape.push(broadcastDim(a, b));
  }
  const out: InferredOutput = { dtype, shape };
  const value = ctx.inputValue(0);
  const from = valueShape(input);
  const to = valueShape(shape);
  if (value && from && to) {
    const broadcast = broadcastValue(value, from, to);
    if (broadcast) out.value = broadcast;
  }
  return [out];
};

const tile: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  if (!t?.shape) return [unknownRank(dtype)];
  const repeats = ctx.inputValue(1);
  if (!repeats) return [{ dtype, shape: unknownDims(t.shape.length) }];
  if (repeats.length !== t.shape.length) throw new Error(`Tile has ${repeats.length} repeats for rank ${t.shape.length}`);
  const shape = t.shape.map((d, i) => mulDims(d, repeats[i] ?? null));
  const out: InferredOutput = { dtype, shape };
  // Tiling is taking each axis's positions 0..d-1 over and over.
  let value = ctx.inputValue(0);
  let dims = valueShape(t.shape);
  if (value && dims && valueShape(shape) && repeats.every((r) => typeof r === 'number')) {
    for (let axis = 0; axis < dims.length && value; axis++) {
      const d: number = dims[axis]!;
      const positions: number[] = Array.from({ length: d * (repeats[axis] as number) }, (_, k) => k % d);
      value = takeAlongAxis(value, dims, axis, positions);
      dims = dims.map((x: number, k: number) => (k === axis ? positions.length : x));
    }
    if (value) out.value = value;
  }
  return [out];
};

// ---------------------------------------------------------------------------------------------------
// DepthToSpace, SpaceToDepth

const depthToSpace: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  if (!t?.shape) return [{ dtype, shape: unknownDims(4) }];
  const b = ctx.node.intAttribute('blocksize', 1);
  const [n, c, h, w] = t.shape as [Dim, Dim, Dim, Dim];
  return [{ dtype, shape: [n, divDims(c, b * b), mulDims(h, b), mulDims(w, b)] }];
};

const spaceToDepth: ShapeRule = (ctx) => {
  const t = ctx.input(0);
  const dtype = t?.dtype ?? 0;
  if (!t?.shape) return [{ dtype, shape: unknownDims(4) }];
  const b = ctx.node.intAttribute('blocksize', 1);
  const [n, c, h, w] = t.shape as [Dim, Dim, Dim, Dim];
  return [{ dtype, shape: [n, mulDims(c, b * b), divDims(h, b), divDims(w, b)] }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Shape', rule: shapeOp },
  { domain: '', opType: 'Size', rule: size },
  { domain: '', opType: 'Reshape', rule: reshape },
  { domain: '', opType: 'Transpose', rule: transpose },
  { domain: '', opType: 'Concat', rule: concat },
  { domain: '', opType: 'Split', rule: split },
  { domain: '', opType: 'Slice', rule: slice },
  { domain: '', opType: 'Squeeze', rule: squeeze },
  { domain: '', opType: 'Unsqueeze', rule: unsqueeze },
  { domain: '', opType: 'Expand', rule: expand },
  { domain: '', opType: 'Tile', rule: tile },
  { domain: '', opType: 'DepthToSpace', rule: depthToSpace },
  { domain: '', opType: 'SpaceToDepth', rule: spaceToDepth },
];
