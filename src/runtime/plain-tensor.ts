/**
 * Plain tensors — `{ dtype, dims, data }` with onnxruntime's type names and storage arrays — and their
 * conversion to and from onnxruntime's Tensor objects. Plain tensors are what crosses worker threads and
 * what the serving core batches; only this file turns them into onnxruntime objects.
 */
import { ort, type OrtTensor } from './ort-session.js';

/** The element types a plain tensor can hold, by onnxruntime's name for them. */
export type PlainDType =
  | 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string';

export type PlainTensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

export interface PlainTensor {
  dtype: PlainDType;
  dims: number[];
  /** float16 as its bit patterns (Uint16Array), bool as 0/1 bytes (Uint8Array), as onnxruntime stores them. */
  data: PlainTensorData;
}

/** Wraps the data without copying it: onnxruntime-node reads the typed array's memory in place. */
export function toOrtTensor(t: PlainTensor): OrtTensor {
  return new ort.Tensor(t.dtype, t.data as never, t.dims);
}

export function fromOrtTensor(t: OrtTensor): PlainTensor {
  return { dtype: t.type as PlainDType, dims: [...t.dims], data: t.data as PlainTensorData };
}
