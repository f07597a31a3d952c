/**
 * The binary tensor data extension (as Triton implements it): a request or response body is a JSON header
 * of `Inference-Header-Content-Length` bytes followed by the raw data of every tensor that says
 * `parameters.binary_data_size`, one after another in the order the header lists them.
 *
 * Raw data is the tensor's elements in row-major order, little-endian, packed: BOOL one byte (0 or 1),
 * FP16 its IEEE bit pattern, BYTES each element as a 4-byte little-endian length and then its bytes. The
 * typed arrays onnxruntime takes have exactly this layout on the little-endian machines Node runs on, so
 * numeric data is viewed in place when its offset is aligned, and copied once otherwise.
 */
import type { TensorData, TensorDType } from '../tensor.js';
import { elementByteSize } from './v2-datatype.js';

type NumericStorage = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TensorData; new (length: number): TensorData };

const STORAGE: Readonly<Record<Exclude<TensorDType, 'string'>, NumericStorage>> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
} as unknown as Record<Exclude<TensorDType, 'string'>, NumericStorage>;

/**
 * The elements of `dtype` held in `bytes`, or the reason they cannot be read. Numeric data may be a view on
 * `bytes`' memory (the serving core reads it and copies it into the batch; it never keeps or changes it).
 */
export function decodeBinaryData(bytes: Uint8Array, dtype: TensorDType, count: number): TensorData | string {
  if (dtype === 'string') return decodeBytesElements(bytes, count);
  const size = elementByteSize(dtype)!;
  if (bytes.byteLength !== count * size) {
    return `binary data holds ${bytes.byteLength} bytes but the shape needs ${count} elements of ${size} byte${size === 1 ? '' : 's'} = ${count * size}`;
  }
  const Storage = STORAGE[dtype];
  if (bytes.byteOffset % size === 0) return new Storage(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const copy = new Storage(count);
  new Uint8Array((copy as Uint8Array).buffer).set(bytes);
  return copy;
}

function decodeBytesElements(bytes: Uint8Array, count: number): string[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const out: string[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (offset + 4 > bytes.byteLength) return `BYTES element ${out.length}: its 4-byte length is cut off at byte ${offset}`;
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) return `BYTES element ${out.length}: ${length} bytes announced, ${bytes.byteLength - offset} left`;
    out.push(decoder.decode(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  if (out.length !== count) return `binary data holds ${out.length} BYTES elements but the shape needs ${count}`;
  return out;
}

/** The raw bytes of `data`: a view on its memory for numeric tensors, an encoding for BYTES. */
export function encodeBinaryData(data: TensorData): Uint8Array {
  if (!Array.isArray(data)) {
    const view = data as Float32Array;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  const encoder = new TextEncoder();
  const parts = data.map((s) => encoder.encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const p of parts) {
    view.setUint32(offset, p.byteLength, true);
    out.set(p, offset + 4);
    offset += 4 + p.byteLength;
  }
  return out;
}
