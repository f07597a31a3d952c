/**
 * A `.pb` tensor file: one serialized ONNX TensorProto, as in the `test_data_set_N/input_K.pb` folders
 * of the ONNX model zoo and backend tests (onnx.numpy_helper.from_array(...).SerializeToString()).
 *
 * Everything about the file is checked before anyone reads its values: the protobuf must decode, the
 * data type must be set, dims must be non-negative integers, the data must be stored in the message
 * (not split into segments or in an external file) and its size must match the dims. Decoding never
 * allocates more than the file holds; the size check compares the declared shape with what is there.
 */
import { MlserveError } from '../errors.js';
import { decodeTensor } from './codec.js';
import { dataTypeInfo } from './data-type.js';
import { isExternal } from './external-data.js';
import type { TensorProto } from './proto-types.js';
import { checkTensorSize, int64ToNumber } from './tensor-size-check.js';
import { readFileOrFail } from '../util/read-file-or-fail.js';

export function readTensorProtoFile(file: string): TensorProto {
  return decodeTensorProtoFile(readFileOrFail(file), file);
}

/** The checks of readTensorProtoFile on bytes already in memory; `file` names them in errors. */
export function decodeTensorProtoFile(bytes: Uint8Array, file: string): TensorProto {
  const invalid = (reason: string, cause?: unknown): MlserveError =>
    new MlserveError('MLS_ERR_TENSOR_FILE_INVALID', { file, reason }, cause === undefined ? undefined : { cause });
  if (bytes.length === 0) throw invalid('the file is empty');
  let tensor: TensorProto;
  try {
    tensor = decodeTensor(bytes);
  } catch (e) {
    throw invalid(`not a serialized ONNX TensorProto (${(e as Error).message})`, e);
  }
  const dataType = tensor.data_type ?? 0;
  // A TensorProto with no data type is what any other protobuf message decodes to most of the time.
  if (dataType === 0) throw invalid('no data_type set: not a serialized ONNX TensorProto');
  if (!dataTypeInfo(dataType)) throw invalid(`unknown data_type ${dataType}`);
  for (const d of tensor.dims) {
    const n = int64ToNumber(d);
    if (!Number.isSafeInteger(n) || n < 0) throw invalid(`dim ${String(d)} is not a non-negative integer`);
  }
  if (tensor.segment) throw invalid('the tensor is one segment of a split tensor');
  if (isExternal(tensor)) throw invalid('the tensor keeps its data in an external file');
  try {
    checkTensorSize(file, tensor);
  } catch (e) {
    if (e instanceof MlserveError && e.code === 'MLS_ERR_TENSOR_SIZE_MISMATCH') {
      const d = e.details as { field: string; unit: string; expected: number; actual: number };
      throw invalid(`its shape [${tensor.dims.map(int64ToNumber).join(',')}] needs ${d.expected} ${d.unit} but ${d.field} holds ${d.actual}`, e);
    }
    throw e;
  }
  return tensor;
}
