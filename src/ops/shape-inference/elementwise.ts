/**
 * Shape rules for elementwise ops: unary math and activations (output = input), casts, the
 * multidirectional-broadcasting binary and variadic ops, comparisons and logic (bool output), Where,
 * and the quantize/dequantize family.
 *
 * These ops also compute KNOWN VALUES on small tensors (shape vectors above all), because exporters
 * do shape arithmetic with them: torch writes `x.view(b, -1, h, d // h)` as Shape → Gather → Div →
 * Concat → Reshape, and `expand` as ConstantOfShape → Mul → Equal → Where. Numbers compute exactly
 * (integer types truncate like ORT); symbolic dims become small expressions (dim-math.ts) where the op
 * is plain arithmetic, and unknown (null) elsewhere.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { addDims, broadcastShapes, divDims, maxDims, minDims, mulDims, subDims } from './dim-math.js';
import { DT, isIntegerType, PAST_END, sameAsInput } from './rule-helpers.js';
import type { InferenceContext, InferredOutput, KnownValue, ShapeRule, ShapeRuleEntry } from './shape-rule.js';
import { broadcastValue, valueShape } from './flat-values.js';

// ---------------------------------------------------------------------------------------------------
// Known-value element operations. `null` = this element is not known.

type ElementOp = (a: Dim, b: Dim, dtype: number) => Dim;

/** Numbers at or above PAST_END stand for "bigger than any dim" (INT64_MAX slice ends, clamps). */
const huge = (d: Dim): boolean => typeof d === 'number' && d >= PAST_END;

const numeric = (f: (a: number, b: number) => number): ElementOp => (a, b) =>
  (typeof a === 'number' && typeof b === 'number' ? f(a, b) : null);

const ELEMENT_OPS: Record<string, ElementOp> = {
  Add: (a, b) => addDims(a, b),
  Sub: (a, b) => subDims(a, b),
  Mul: (a, b) => mulDims(a, b),
  Div: (a, b, dtype) => {
    if (typeof a === 'number' && typeof b === 'number') {
      if (b === 0) return null;
      return isIntegerType(dtype) ? Math.trunc(a / b) : a / b;
    }
    // A symbolic dim divided by a positive integer: floor division is exact for integer types only.
    if (typeof b === 'number' && b > 0 && isIntegerType(dtype)) return divDims(a, b);
    return a === b && a !== null ? 1 : null;
  },
  // Mod's sign rules (fmod or Python-style) agree for non-negative operands, the only ones shapes have.
  Mod: numeric((a, b) => (a >= 0 && b > 0 ? a % b : NaN)),
  Pow: numeric((a, b) => a ** b),
  Max: (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return Math.max(a, b);
    if (huge(a) || huge(b)) return huge(a) ? a : b;
    // Dims are never negative, so max(dim, n ≤ 0) is the dim.
    if (typeof a === 'number' && a <= 0) return b;
    if (typeof b === 'number' && b <= 0) return a;
    return maxDims(a, b);
  },
  Min: (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return Math.min(a, b);
    if (huge(a) || huge(b)) return huge(a) ? b : a;
    if (typeof a === 'number' && a <= 0 && b !== null) return a;
    if (typeof b === 'number' && b <= 0 && a !== null) return b;
    return minDims(a, b);
  },
  Equal: (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a === b ? 1 : 0;
    if (a !== null && a === b) return 1;
    // A dim is never negative, so it never equals -1 (torch's Expand export compares with -1).
    if ((typeof a === 'string' && typeof b === 'number' && b < 0) || (typeof b === 'string' && typeof a === 'number' && a < 0)) return 0;
    return null;
  },
  Less: (a, b) => compare(a, b, (x, y) => x < y),
  LessOrEqual: (a, b) => compare(a, b, (x, y) => x <= y),
  Greater: (a, b) => compare(b, a, (x, y) => x < y),
  GreaterOrEqual: (a, b) => compare(b, a, (x, y) => x <= y),
  And: numeric((a, b) => (a && b ? 1 : 0)),
  Or: numeric((a, b) => (a || b ? 1 : 0)),
  Xor: numeric((a, b) => ((a ? 1 : 0) ^ (b ? 1 : 0))),
  Sum: (a, b) => addDims(a, b),
};

/** `less(a, b)`-style comparison; a symbolic dim is known to exceed any negative number. */
function compare(a: Dim, b: Dim, less: (x: number, y: number) => boolean): Dim {
  if (typeof a === 'number' && typeof b === 'number') return less(a, b) ? 1 : 0;
  if (typeof a === 'number' && a < 0 && typeof b === 'string') return less(-1, 0) ? 1 : 0;
  if (typeof b === 'number' && b < 0 && typeof a === 'string') return less(0, -1) ? 1 : 0;
  return null;
}

/** Input i's known value broadcast to the output shape; undefined when not known. */
function inputValueAs(ctx: InferenceContext, i: number, to: readonly number[]): KnownValue | undefined {
  const value = ctx.inputValue(i);
  const from = valueShape(ctx.input(i)?.shape);
  if (!value || !from) return undefined;
  return broadcastValue(value, from, to);
}

/** Known value of an elementwise op over all inputs, folding left with `op`. */
function foldValues(ctx: InferenceContext, shape: Shape | undefined, op: ElementOp, dtype: number): KnownValue | undefined {
  const to = valueShape(shape);
  if (!to) return undefined;
  const inputs: KnownValue[] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    if (!ctx.hasInput(i)) continue;
    const v = inputValueAs(ctx, i, to);
    if (!v) return undefined;
    inputs.push(v);
  }
  if (inputs.length === 0) return undefined;
  const out = [...inputs[0]!];
  for (const v of inputs.slice(1)) {
    for (let k = 0; k < out.length; k++) {
      const r = op(out[k]!, v[k]!, dtype);
      out[k] = typeof r === 'number' && !Number.isFinite(r) ? null : r;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Rules

/** Output i = input 0 (activations, math); the known value passes through `map` when given. */
function unary(map?: (d: Dim) => Dim, dtype?: (ctx: InferenceContext) => number): ShapeRule {
  return (ctx) => {
    const out = sameAsInput(ctx, 0, dtype?.(ctx));
    const v = ctx.inputValue(0);
    if (v && map) out.value = v.map(map);
    return [out];
  };
}

const identity = unary((d) => d);
const numbersOnly = (f: (x: number) => number) => (d: Dim): Dim => (typeof d === 'number' ? f(d) : null);
/** Dims are non-negative, so some functions leave a symbolic dim as it is. */
const dimPreserving = (f: (x: number) => number) => (d: Dim): Dim => (typeof d === 'number' ? f(d) : d);

/** Broadcasting binary/variadic ops; `outType` overrides the element type (bool for comparisons). */
function broadcasting(valueOp?: ElementOp, outType?: number): ShapeRule {
  return (ctx) => {
    const inputs: (Shape | undefined)[] = [];
    let dtype = 0;
    for (let i = 0; i < ctx.inputCount; i++) {
      if (!ctx.hasInput(i)) continue;
      const t = ctx.input(i);
      inputs.push(t?.shape);
      dtype ||= t?.dtype ?? 0;
    }
    // Before opset 7, B broadcast into A (with the `broadcast` attribute) or matched it: A's shape.
    const legacy = ctx.opset < 7 && ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Less', 'Greater'].includes(ctx.node.opType);
    const shape = legacy ? (ctx.input(0)?.shape ? [...ctx.input(0)!.shape!] : undefined) : broadcastShapes(inputs);
    const out: InferredOutput = { dtype: outType ?? dtype, shape };
    if (valueOp) {
      const value = foldValues(ctx, shape, valueOp, dtype);
      if (value) out.value = value;
    }
    return [out];
  };
}

const where: ShapeRule = (ctx) => {
  const shape = broadcastShapes([ctx.input(0)?.shape, ctx.input(1)?.shape, ctx.input(2)?.shape]);
  const out: InferredOutput = { dtype: ctx.input(1)?.dtype || ctx.input(2)?.dtype || 0, shape };
  const to = valueShape(shape);
  if (to) {
    const [c, x, y] = [0, 1, 2].map((i) => inputValueAs(ctx, i, to));
    if (c && x && y) out.value = c.map((cond, k) => (cond === null ? (x[k] === y[k] ? x[k]! : null) : cond ? x[k]! : y[k]!));
  }
  return [out];
};

/** Cast's conversion of a known element: truncation to integers, 0/1 for bool; symbols stay dims. */
function castElement(to: number) {
  return (d: Dim): Dim => {
    if (to === DT.BOOL) return typeof d === 'number' ? (d ? 1 : 0) : null;
    if (typeof d !== 'number') return d;
    return isIntegerType(to) ? Math.trunc(d) : d;
  };
}

const cast: ShapeRule = (ctx) => {
  const to = ctx.node.intAttribute('to', 0);
  const out = sameAsInput(ctx, 0, to);
  const v = ctx.inputValue(0);
  if (v && to !== DT.STRING) out.value = v.map(castElement(to));
  return [out];
};

const castLike: ShapeRule = (ctx) => {
  const to = ctx.input(1)?.dtype ?? 0;
  const out = sameAsInput(ctx, 0, to);
  const v = ctx.inputValue(0);
  if (v && to && to !== DT.STRING) out.value = v.map(castElement(to));
  return [out];
};

const dropout: ShapeRule = (ctx) => {
  const data = identity(ctx)[0]!;
  // The mask is bool from opset 10; before, it had the data's type.
  const mask: InferredOutput = { dtype: ctx.opset >= 10 ? DT.BOOL : data.dtype, shape: data.shape ? [...data.shape] : undefined };
  return [data, mask];
};

const boolOut = (): number => DT.BOOL;

/** QuantizeLinear: the zero point's type, else output_dtype (opset 21), else uint8. */
const quantizeLinear: ShapeRule = (ctx) => {
  const dtype = ctx.input(2)?.dtype || ctx.node.intAttribute('output_dtype', 0) || DT.UINT8;
  return [sameAsInput(ctx, 0, dtype)];
};

/** DequantizeLinear: the scale's type (float32 before opset 19 allowed other scale types). */
const dequantizeLinear: ShapeRule = (ctx) => [sameAsInput(ctx, 0, ctx.input(1)?.dtype || DT.FLOAT)];

const dynamicQuantizeLinear: ShapeRule = (ctx) => [
  sameAsInput(ctx, 0, DT.UINT8),
  { dtype: DT.FLOAT, shape: [] },
  { dtype: DT.UINT8, shape: [] },
];

const SAME_SHAPE_UNARY = [
  'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Cos', 'Cosh', 'Sin', 'Sinh', 'Tan', 'Tanh', 'Erf', 'Exp', 'Log',
  'Sigmoid', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'LeakyRelu', 'ThresholdedRelu', 'Softplus', 'Softsign',
  'Gelu', 'Mish', 'Shrink', 'Clip', 'Reciprocal', 'BitwiseNot', 'LpNormalization', 'Bernoulli', 'Swish',
  'MeanVarianceNormalization', 'ReverseSequence', 'Trilu', 'CumSum',
];

/** com.microsoft elementwise fusions ORT's optimizer writes: output has input 0's shape. */
const MICROSOFT_SAME_SHAPE = ['Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'BiasAdd'];

export const rules: ShapeRuleEntry[] = [
  ...SAME_SHAPE_UNARY.map((opType): ShapeRuleEntry => ({ domain: '', opType, rule: unary() })),
  ...MICROSOFT_SAME_SHAPE.map((opType): ShapeRuleEntry => ({ domain: 'com.microsoft', opType, rule: unary() })),
  { domain: '', opType: 'Identity', rule: identity },
  { domain: '', opType: 'Relu', rule: unary(dimPreserving((x) => Math.max(x, 0))) },
  { domain: '', opType: 'Abs', rule: unary(dimPreserving(Math.abs)) },
  { domain: '', opType: 'Neg', rule: unary(numbersOnly((x) => -x)) },
  { domain: '', opType: 'Floor', rule: unary(dimPreserving(Math.floor)) },
  { domain: '', opType: 'Ceil', rule: unary(dimPreserving(Math.ceil)) },
  { domain: '', opType: 'Round', rule: unary(dimPreserving((x) => x - Math.floor(x) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x))) },
  { domain: '', opType: 'Sqrt', rule: unary(numbersOnly(Math.sqrt)) },
  { domain: '', opType: 'Sign', rule: unary(numbersOnly(Math.sign)) },
  { domain: '', opType: 'Not', rule: unary(numbersOnly((x) => (x ? 0 : 1)), boolOut) },
  { domain: '', opType: 'IsNaN', rule: unary(undefined, boolOut) },
  { domain: '', opType: 'IsInf', rule: unary(undefined, boolOut) },
  { domain: '', opType: 'Cast', rule: cast },
  { domain: '', opType: 'CastLike', rule: castLike },
  { domain: '', opType: 'Dropout', rule: dropout },
  // PRelu's slope broadcasts into X (unidirectionally): the output is X's shape.
  { domain: '', opType: 'PRelu', rule: unary() },
  ...['Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'Max', 'Min', 'Sum'].map((opType): ShapeRuleEntry =>
    ({ domain: '', opType, rule: broadcasting(ELEMENT_OPS[opType]) })),
  { domain: '', opType: 'Mean', rule: broadcasting() },
  { domain: '', opType: 'BitShift', rule: broadcasting() },
  ...['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'].map((opType): ShapeRuleEntry => ({ domain: '', opType, rule: broadcasting() })),
  ...['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'].map((opType): ShapeRuleEntry =>
    ({ domain: '', opType, rule: broadcasting(ELEMENT_OPS[opType], DT.BOOL) })),
  { domain: '', opType: 'Where', rule: where },
  { domain: '', opType: 'QuantizeLinear', rule: quantizeLinear },
  { domain: '', opType: 'DequantizeLinear', rule: dequantizeLinear },
  { domain: '', opType: 'DynamicQuantizeLinear', rule: dynamicQuantizeLinear },
  { domain: 'com.microsoft', opType: 'QuantizeLinear', rule: quantizeLinear },
  { domain: 'com.microsoft', opType: 'DequantizeLinear', rule: dequantizeLinear },
];
