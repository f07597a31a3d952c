/**
 * `--inputs DIR` usually holds one sample (batch 1); a batch-N variant is fed that sample repeated N
 * times along its batch axis. A tensor already of batch N is used as it is.
 */
import type { PlainTensor, PlainTensorData } from '../runtime/plain-tensor.js';

export function tileBatch(t: PlainTensor, axis: number, batchSize: number): PlainTensor {
  const size = t.dims[axis];
  if (size === batchSize) return t;
  if (size !== 1) throw new Error(`has ${size} rows on its batch axis ${axis}; expected 1 (repeated to ${batchSize}) or ${batchSize}`);
  const outer = t.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dims = t.dims.map((d, i) => (i === axis ? batchSize : d));
  const src = t.data;
  if (Array.isArray(src)) {
    const out: string[] = [];
    for (let o = 0; o < outer; o++) for (let r = 0; r < batchSize; r++) out.push(...src.slice(o * inner, (o + 1) * inner));
    return { dtype: t.dtype, dims, data: out };
  }
  const typed = src as Exclude<PlainTensorData, string[]>;
  const Ctor = typed.constructor as new (n: number) => typeof typed;
  const out = new Ctor(outer * batchSize * inner);
  for (let o = 0; o < outer; o++) {
    const chunk = typed.subarray(o * inner, (o + 1) * inner);
    for (let r = 0; r < batchSize; r++) (out as { set(a: ArrayLike<unknown>, offset: number): void }).set(chunk as ArrayLike<unknown>, (o * batchSize + r) * inner);
  }
  return { dtype: t.dtype, dims, data: out };
}
