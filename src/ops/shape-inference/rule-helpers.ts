/**
 * Small pieces shared by the shape rules: element-type ids, axis normalisation, reading an
 * "axes" that moved from an attribute to an input at some opset, and reading known values as numbers.
 * A rule that meets an impossible input (axis out of range, a non-integer count) throws: the engine
 * records the value as unknown with the message, and the rest of the graph is still inferred.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import type { InferenceContext, InferredOutput, KnownValue } from './shape-rule.js';

/** TensorProto.DataType ids the rules name (data-type.ts's table typed as plain numbers). */
export const DT = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

const INTEGER_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13, 21, 22, 25, 26]);

/** Integer (and bool) element types: arithmetic on their known values truncates. */
export function isIntegerType(dtype: number): boolean {
  return INTEGER_TYPES.has(dtype);
}

/**
 * Any index at or beyond this magnitude means "past the end": exporters write INT64_MAX (torch),
 * INT32_MAX, or 1e9 (tf2onnx) for "to the end", and no real dim comes near.
 */
export const PAST_END = 1e9;

/** `axis` in [-rank, rank) as a non-negative index; throws when out of range. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The known value as plain numbers; undefined when absent or when any element is symbolic/unknown. */
export function knownNumbers(value: KnownValue | undefined): number[] | undefined {
  if (!value || !value.every((v) => typeof v === 'number')) return undefined;
  return value as number[];
}

/** Input i's known value as numbers. */
export function inputNumbers(ctx: InferenceContext, i: number): number[] | undefined {
  return ctx.hasInput(i) ? knownNumbers(ctx.inputValue(i)) : undefined;
}

/**
 * An axes list that is an attribute before `inputSince` and input `inputIndex` from then on.
 * 'absent' when the node gives none (the op's default applies); undefined when given but not known.
 */
export function readAxes(ctx: InferenceContext, attribute: string, inputIndex: number, inputSince: number): number[] | 'absent' | undefined {
  if (ctx.opset < inputSince) return ctx.node.intsAttribute(attribute) ?? 'absent';
  if (!ctx.hasInput(inputIndex)) return 'absent';
  return inputNumbers(ctx, inputIndex);
}

/** An output of the given type whose rank is not known. */
export function unknownRank(dtype: number): InferredOutput {
  return { dtype, shape: undefined };
}

/**
 * A length computed from `d` by a formula the rule does not write out: a fresh symbol derived from
 * d's name when d is symbolic (later ops can still say "same as that"), unknown otherwise.
 */
export function derivedSymbol(ctx: InferenceContext, d: Dim): Dim {
  return typeof d === 'string' ? ctx.newSymbol(d) : null;
}

/** A shape of `rank` unknown dims. */
export function unknownDims(rank: number): Shape {
  return new Array<Dim>(rank).fill(null);
}

/** The first non-zero dtype among the given inputs (0 when none is known). */
export function firstDtype(ctx: InferenceContext, ...inputs: number[]): number {
  for (const i of inputs) {
    const d = ctx.input(i)?.dtype;
    if (d) return d;
  }
  return 0;
}

/** Input i's type (shape copied), with `dtype` instead of its element type when given. */
export function sameAsInput(ctx: InferenceContext, i: number, dtype?: number): InferredOutput {
  const t = ctx.input(i);
  return { dtype: dtype ?? t?.dtype ?? 0, shape: t?.shape ? [...t.shape] : undefined };
}
