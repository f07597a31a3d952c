/**
 * Index arithmetic on KNOWN VALUES, which are held flat in row-major order with their shape beside
 * them. Exporters build shapes and pads through small matrices too — torch's F.pad becomes
 * Concat → Reshape([-1, 2]) → Slice(step -1) → Transpose → Reshape([-1]) — so the data-movement ops
 * move known values of any rank, as long as the shape is all numbers (and the tensor is small).
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import type { KnownValue } from './shape-rule.js';
import { MAX_KNOWN_ELEMENTS } from './tensor-known-value.js';

/** The shape as numbers when every dim is one and the element count is small enough to carry. */
export function valueShape(shape: Shape | undefined): number[] | undefined {
  if (!shape || !shape.every((d) => typeof d === 'number')) return undefined;
  const dims = shape as number[];
  return dims.reduce((a, b) => a * b, 1) <= MAX_KNOWN_ELEMENTS ? dims : undefined;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/** Calls `f` with each multi-index of `shape` in row-major order and its flat position. */
function forEachIndex(shape: readonly number[], f: (index: number[], flat: number) => void): void {
  const n = elementCount(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    f(index, flat);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
}

/** `value` of shape `from` broadcast (numpy rules) to shape `to`; undefined if it does not fit. */
export function broadcastValue(value: KnownValue, from: readonly number[], to: readonly number[]): KnownValue | undefined {
  if (value.length !== elementCount(from) || from.length > to.length) return undefined;
  const offset = to.length - from.length;
  if (from.some((d, i) => d !== 1 && d !== to[i + offset])) return undefined;
  const s = strides(from);
  const out: Dim[] = [];
  forEachIndex(to, (index) => {
    let flat = 0;
    for (let i = 0; i < from.length; i++) flat += from[i] === 1 ? 0 : index[i + offset]! * s[i]!;
    out.push(value[flat] ?? null);
  });
  return out;
}

export function transposeValue(value: KnownValue, shape: readonly number[], perm: readonly number[]): KnownValue {
  const s = strides(shape);
  const outShape = perm.map((p) => shape[p]!);
  const out: Dim[] = [];
  forEachIndex(outShape, (index) => {
    let flat = 0;
    perm.forEach((p, i) => { flat += index[i]! * s[p]!; });
    out.push(value[flat] ?? null);
  });
  return out;
}

/** The elements at `positions` along `axis` (Slice, Gather, Split all reduce to this). */
export function takeAlongAxis(value: KnownValue, shape: readonly number[], axis: number, positions: readonly number[]): KnownValue {
  const outShape = [...shape];
  outShape[axis] = positions.length;
  const s = strides(shape);
  const out: Dim[] = [];
  forEachIndex(outShape, (index) => {
    let flat = 0;
    index.forEach((x, i) => { flat += (i === axis ? positions[x]! : x) * s[i]!; });
    out.push(value[flat] ?? null);
  });
  return out;
}

/** Concatenation along `axis` of values with the given shapes. */
export function concatValues(parts: readonly { value: KnownValue; shape: readonly number[] }[], axis: number): KnownValue {
  const outer = elementCount(parts[0]!.shape.slice(0, axis));
  const out: Dim[] = [];
  for (let o = 0; o < outer; o++) {
    for (const { value, shape } of parts) {
      const block = elementCount(shape.slice(axis));
      out.push(...value.slice(o * block, (o + 1) * block));
    }
  }
  return out;
}
