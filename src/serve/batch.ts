/**
 * Batching as tensor arithmetic, pure and synchronous: stack several requests' tensors along axis 0 into
 * one batch, pad it to the size the model runs at, and split the outputs back into each request's rows.
 *
 * Every request may carry its own batch dim of n ≥ 1 rows ("flexible batch sizes"), so a request is a row
 * range of the batch, never a single row.
 *
 * Padding rows are zeros (false, '' for strings), not a repeat of the last real row: the padded rows hold no client's data; and zeros are exactly
 * what warm-up ran the model on at every batch size, so a model that reached READY is known to accept them.
 * Rows are computed independently (what makes batching valid at all), so their content never reaches a
 * real row's output.
 *
 * Splitting returns views (subarray) on the batch's output buffers: no copy. A request's output data may
 * therefore share its ArrayBuffer with other requests of the same batch — copy it before transferring it.
 */
import { allocateData, elementCount, type Tensor, type TensorData, type TensorDType } from './tensor.js';

/** Where a batch's storage comes from: fresh zeroed arrays, or recycled ones whose contents are stale. */
export type Allocate = (dtype: TensorDType, length: number) => TensorData;

export function rowCount(t: Tensor): number {
  return t.dims[0] ?? 1;
}

function rowSize(t: Tensor): number {
  return elementCount(t.dims.slice(1));
}

/**
 * One tensor holding `parts` one after another along axis 0, then zero rows up to `padTo` rows, in storage
 * from `allocate` (every element is written, so stale storage is fine). The parts must share dtype and
 * non-batch dims (the batch policy only groups such requests). The result always owns its whole buffer, so
 * it can be transferred to a worker without touching the callers' arrays.
 */
export function stackRows(parts: readonly Tensor[], padTo?: number, allocate: Allocate = allocateData): Tensor {
  const first = parts[0];
  if (!first) throw new Error('stackRows: nothing to stack');
  const inner = first.dims.slice(1);
  const innerKey = inner.join(',');
  let rows = 0;
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.dims.length !== first.dims.length || p.dims.slice(1).join(',') !== innerKey) {
      throw new Error(`stackRows: ${p.dtype}[${p.dims}] does not stack with ${first.dtype}[${first.dims}]`);
    }
    rows += rowCount(p);
  }
  const total = padTo ?? rows;
  if (total < rows) throw new Error(`stackRows: ${rows} rows do not fit in a batch of ${total}`);
  const size = elementCount(inner);
  const data = allocate(first.dtype, total * size);
  let offset = 0;
  for (const p of parts) {
    if (Array.isArray(data)) {
      const src = p.data as string[];
      for (let i = 0; i < src.length; i++) data[offset + i] = src[i]!;
    } else {
      (data as Float32Array).set(p.data as Float32Array, offset);
    }
    offset += p.data.length;
  }
  zeroFrom(data, offset);
  return { dtype: first.dtype, dims: [total, ...inner], data };
}

/** Zeros (false, '') from `offset` on: the padding rows, which recycled storage holds old data in. */
function zeroFrom(data: TensorData, offset: number): void {
  if (offset >= data.length) return;
  if (Array.isArray(data)) data.fill('', offset);
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(0n, offset);
  else (data as Float32Array).fill(0, offset);
}

/** Rows [start, start + count) as a view on the same memory (a copy only for string tensors). */
export function sliceRows(t: Tensor, start: number, count: number): Tensor {
  const size = rowSize(t);
  const from = start * size;
  const to = (start + count) * size;
  const data: TensorData = Array.isArray(t.data) ? t.data.slice(from, to) : (t.data as Float32Array).subarray(from, to);
  return { dtype: t.dtype, dims: [count, ...t.dims.slice(1)], data };
}

/** Consecutive row ranges of `counts` rows each; rows after the last range (padding) are dropped. */
export function splitRows(t: Tensor, counts: readonly number[]): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const n of counts) {
    out.push(sliceRows(t, start, n));
    start += n;
  }
  if (start > rowCount(t)) throw new Error(`splitRows: ${start} rows asked of a tensor with ${rowCount(t)}`);
  return out;
}

/** Stacks each named input across requests (all requests carry the same names). */
export function stackInputs(requests: ReadonlyArray<Readonly<Record<string, Tensor>>>, padTo?: number, allocate: Allocate = allocateData): Record<string, Tensor> {
  const first = requests[0];
  if (!first) throw new Error('stackInputs: no requests');
  const batch: Record<string, Tensor> = {};
  for (const name of Object.keys(first)) batch[name] = stackRows(requests.map((r) => r[name]!), padTo, allocate);
  return batch;
}

/**
 * Each request's share of the batch outputs. An output whose axis 0 is not the batch size cannot be split
 * by rows; it is handed over whole when the batch is a single unpadded request (a model with a
 * batch-independent output, or whose output's first dim means something else), and is an error otherwise.
 */
export function splitOutputs(outputs: Readonly<Record<string, Tensor>>, rowCounts: readonly number[], batchSize: number): Array<Record<string, Tensor>> {
  const parts: Array<Record<string, Tensor>> = rowCounts.map(() => ({}));
  const whole = rowCounts.length === 1 && rowCounts[0] === batchSize;
  for (const [name, t] of Object.entries(outputs)) {
    if (t.dims.length > 0 && t.dims[0] === batchSize) {
      splitRows(t, rowCounts).forEach((slice, i) => { parts[i]![name] = slice; });
    } else if (whole) {
      parts[0]![name] = t;
    } else {
      throw new Error(`output '${name}' has dims [${t.dims.join(',')}], whose axis 0 is not the batch size ${batchSize}, so it cannot be split between requests (serve this model with maxBatch 1)`);
    }
  }
  return parts;
}

/**
 * A copy that owns its buffer, for a request that runs alone as given (a model without a batch axis), in
 * storage from `allocate` (so these buffers are recycled like batches).
 */
export function copyTensor(t: Tensor, allocate: Allocate = allocateData): Tensor {
  const data = allocate(t.dtype, t.data.length);
  if (Array.isArray(data)) {
    const src = t.data as string[];
    for (let i = 0; i < src.length; i++) data[i] = src[i]!;
  } else {
    (data as Float32Array).set(t.data as Float32Array);
  }
  return { dtype: t.dtype, dims: [...t.dims], data };
}
