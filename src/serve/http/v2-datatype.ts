/**
 * The KServe v2 datatype strings (BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64, BYTES) and the
 * onnxruntime element types the serving core uses, both ways, with each type's size in the binary tensor
 * data extension (BYTES has none: each element carries its own 4-byte length).
 */
import type { TensorDType } from '../tensor.js';

const TO_V2: Readonly<Record<TensorDType, string>> = {
  bool: 'BOOL',
  uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', float32: 'FP32', float64: 'FP64',
  string: 'BYTES',
};

const FROM_V2: ReadonlyMap<string, TensorDType> = new Map(Object.entries(TO_V2).map(([dtype, v2]) => [v2, dtype as TensorDType]));

/** Element types onnxruntime may report that the serving core cannot carry; named as Triton names them. */
const OTHER_V2: Readonly<Record<string, string>> = { bfloat16: 'BF16' };

/** The v2 datatype of an onnxruntime element type name ('float32' → 'FP32'). */
export function v2Datatype(dtype: string): string {
  return Object.hasOwn(TO_V2, dtype) ? TO_V2[dtype as TensorDType] : OTHER_V2[dtype] ?? dtype.toUpperCase();
}

/** The element type of a v2 datatype string, or undefined when it is not one the server carries. */
export function dtypeOfV2(datatype: string): TensorDType | undefined {
  return FROM_V2.get(datatype);
}

export const V2_DATATYPES: readonly string[] = Object.values(TO_V2);

const BYTE_SIZE: Readonly<Record<Exclude<TensorDType, 'string'>, number>> = {
  bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2,
  uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8,
};

/** Bytes per element in binary tensor data; undefined for BYTES (length-prefixed elements). */
export function elementByteSize(dtype: TensorDType): number | undefined {
  return dtype === 'string' ? undefined : BYTE_SIZE[dtype];
}
