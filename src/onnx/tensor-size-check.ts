/**
 * Checks that a tensor's stored data matches the element count its dims declare, before anyone reads it.
 * Counts are computed in floating point from the declared dims, so a hostile shape cannot wrap around
 * or size an allocation: nothing is allocated here.
 */
import { MlserveError } from '../errors.js';
import { DataType, rawByteLength } from './data-type.js';
import type { Int64, TensorProto } from './proto-types.js';

export function int64ToNumber(v: Int64): number {
  return typeof v === 'number' ? v : v.toNumber();
}

export function declaredElementCount(tensor: TensorProto): number {
  let count = 1;
  for (const d of tensor.dims) count *= int64ToNumber(d);
  return count;
}

/** Which typed field holds a tensor's values when raw_data is absent, and how many numbers per element. */
function typedField(dataType: number): { field: keyof TensorProto; perElement: number } | undefined {
  switch (dataType) {
    case DataType.FLOAT: return { field: 'float_data', perElement: 1 };
    case DataType.COMPLEX64: return { field: 'float_data', perElement: 2 };
    case DataType.DOUBLE: return { field: 'double_data', perElement: 1 };
    case DataType.COMPLEX128: return { field: 'double_data', perElement: 2 };
    case DataType.INT64: return { field: 'int64_data', perElement: 1 };
    case DataType.UINT32: case DataType.UINT64: return { field: 'uint64_data', perElement: 1 };
    case DataType.STRING: return { field: 'string_data', perElement: 1 };
    case DataType.INT32: case DataType.INT16: case DataType.INT8: case DataType.UINT16: case DataType.UINT8:
    case DataType.BOOL: case DataType.FLOAT16: case DataType.BFLOAT16:
    case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2: case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return { field: 'int32_data', perElement: 1 };
    default: return undefined; // sub-byte types pack several values per int32; their layout is checked by onnxruntime
  }
}

export function checkTensorSize(file: string, tensor: TensorProto): void {
  if (tensor.segment) return; // a segment holds part of a tensor split across messages
  const dataType = tensor.data_type ?? 0;
  const count = declaredElementCount(tensor);
  const name = tensor.name ?? '';
  if (tensor.raw_data !== undefined) {
    const expected = rawByteLength(dataType, count);
    if (expected !== undefined && expected !== tensor.raw_data.length) {
      throw new MlserveError('MLS_ERR_TENSOR_SIZE_MISMATCH', { file, tensor: name, field: 'raw_data', unit: 'bytes', expected, actual: tensor.raw_data.length });
    }
    return;
  }
  const typed = typedField(dataType);
  if (!typed) return;
  const values = tensor[typed.field] as unknown[];
  const expected = count * typed.perElement;
  if (values.length !== expected) {
    throw new MlserveError('MLS_ERR_TENSOR_SIZE_MISMATCH', { file, tensor: name, field: typed.field, unit: 'elements', expected, actual: values.length });
  }
}
