/**
 * Elementwise arithmetic on small constant tensors with numpy broadcasting, in float64, for passes
 * that combine constants (a chain's factors, a bias and an added constant). The caller rounds the
 * result once to the model's dtype when writing it back.
 */

export interface DenseTensor {
  dims: number[];
  data: Float64Array;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The numpy broadcast of two static shapes, or undefined when they do not broadcast. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of `outDims`, the index of the element of `dims` broadcasting maps to it. */
function sourceIndex(dims: readonly number[], outDims: readonly number[]): Int32Array {
  const n = elementCount(outDims);
  const rank = outDims.length;
  const padded = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i]!;
  }
  const index = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += counter[i]! * strides[i]!;
    index[k] = at;
    for (let i = rank - 1; i >= 0; i--) {
      if (++counter[i]! < outDims[i]!) break;
      counter[i] = 0;
    }
  }
  return index;
}

/** `a ∘ b` elementwise under broadcasting; undefined when the shapes do not broadcast. */
export function combine(a: DenseTensor, b: DenseTensor, f: (x: number, y: number) => number): DenseTensor | undefined {
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims) return undefined;
  const ia = sourceIndex(a.dims, dims);
  const ib = sourceIndex(b.dims, dims);
  const data = new Float64Array(ia.length);
  for (let k = 0; k < data.length; k++) data[k] = f(a.data[ia[k]!]!, b.data[ib[k]!]!);
  return { dims, data };
}

/** `t` broadcast to `dims` (which it must broadcast to). */
export function expandTo(t: DenseTensor, dims: readonly number[]): DenseTensor {
  const index = sourceIndex(t.dims, dims);
  return { dims: [...dims], data: Float64Array.from(index, (i) => t.data[i]!) };
}

export function scalar(x: number): DenseTensor {
  return { dims: [], data: Float64Array.of(x) };
}
