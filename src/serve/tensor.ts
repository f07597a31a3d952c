/**
 * The tensors the serving core handles: plain `{ dtype, dims, data }` objects (see src/runtime/plain-tensor.ts)
 * and the pure helpers batching needs — the storage array of each dtype, allocation, element counts, and
 * turning what a caller hands in (an onnxruntime Tensor, plain arrays) into a plain tensor.
 */
import type { PlainDType, PlainTensor, PlainTensorData } from '../runtime/plain-tensor.js';

export type Tensor = PlainTensor;
export type TensorDType = PlainDType;
export type TensorData = PlainTensorData;

export type NumericDType = Exclude<PlainDType, 'string'>;
type TypedArrayConstructor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor
  | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** Storage array per dtype, as onnxruntime-node wants it (float16 as bits, bool as bytes). */
const STORAGE: Readonly<Record<NumericDType, TypedArrayConstructor>> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

export function isTensorDType(name: string): name is TensorDType {
  return name === 'string' || Object.hasOwn(STORAGE, name);
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** The typed array that stores `dtype` (float16 as Uint16Array bits, bool as Uint8Array bytes). */
export function storageOf(dtype: NumericDType): TypedArrayConstructor {
  return STORAGE[dtype];
}

/** A zero-filled tensor (zeros, false, or '' for strings): fresh typed arrays are zeroed at no cost. */
export function allocateData(dtype: TensorDType, length: number): TensorData {
  if (dtype === 'string') return new Array<string>(length).fill('');
  return new STORAGE[dtype](length);
}

/** True when `data` is the storage array onnxruntime expects for `dtype`. */
export function hasStorageOf(dtype: TensorDType, data: unknown): data is TensorData {
  if (dtype === 'string') return Array.isArray(data) && data.every((v) => typeof v === 'string');
  return data instanceof STORAGE[dtype];
}

/** What a caller may hand to `infer`: a plain tensor, an onnxruntime Tensor (`type`), or plain JS arrays. */
export interface TensorLike {
  dtype?: string;
  type?: string;
  dims: readonly number[];
  data: ArrayLike<number | bigint | boolean | string> | ArrayBufferView;
}

/**
 * The plain tensor for `input`, or the reason it is not one. Data already in the dtype's storage array is
 * kept as is (no copy); plain arrays of numbers, bigints or booleans are converted (float16 must come as bits).
 */
export function toTensor(input: TensorLike): Tensor | string {
  if (input === null || typeof input !== 'object') return 'not a tensor object';
  const dtype = input.dtype ?? input.type;
  if (typeof dtype !== 'string' || !isTensorDType(dtype)) return `unsupported element type '${String(dtype)}'`;
  if (!Array.isArray(input.dims) || !input.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `dims must be an array of non-negative integers, got ${JSON.stringify(input.dims)}`;
  }
  const dims = [...input.dims];
  let data: TensorData;
  if (hasStorageOf(dtype, input.data)) {
    data = input.data;
  } else if (Array.isArray(input.data) && dtype !== 'string') {
    const storage = STORAGE[dtype];
    const big = storage === BigInt64Array || storage === BigUint64Array;
    try {
      data = big
        ? (storage as BigInt64ArrayConstructor).from(input.data as ArrayLike<number | bigint>, (v) => BigInt(v))
        : (storage as Float32ArrayConstructor).from(input.data as ArrayLike<number | boolean>, Number);
    } catch (e) {
      return `data cannot be read as ${dtype}: ${(e as Error).message}`;
    }
  } else {
    const kind = ArrayBuffer.isView(input.data) ? input.data.constructor.name : Array.isArray(input.data) ? 'an array' : typeof input.data;
    return `${dtype} data must be a ${dtype === 'string' ? 'string array' : `${STORAGE[dtype].name} or an array`}, got ${kind}`;
  }
  if (data.length !== elementCount(dims)) return `data holds ${data.length} elements but dims [${dims.join(',')}] need ${elementCount(dims)}`;
  return { dtype, dims, data };
}
