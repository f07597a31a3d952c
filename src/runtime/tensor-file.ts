/**
 * A tensor on disk, as a plain tensor ready to feed: NumPy `.npy` or an ONNX TensorProto `.pb`,
 * chosen by extension. `.pb` tensors keep their name (TensorProto.name), which test_data_set folders
 * may use to say which input they are.
 */
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { readStringData, readTensorData, tensorDims } from '../ir/tensor-data.js';
import { DataType, dataTypeName } from '../onnx/data-type.js';
import { readTensorProtoFile } from '../onnx/tensor-proto-file.js';
import { readNpyFile } from './npy.js';
import type { PlainDType, PlainTensor, PlainTensorData } from './plain-tensor.js';

export interface TensorFile {
  file: string;
  tensor: PlainTensor;
  /** TensorProto.name of a .pb file, when set. */
  name?: string;
}

export const TENSOR_FILE_EXTENSIONS = ['.npy', '.pb'] as const;

/** The ONNX data types onnxruntime-node can take as inputs, by their (shared) name. */
const FEEDABLE = new Set<string>([
  'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
]);

export function readTensorFile(file: string): TensorFile {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return { file, tensor: readNpyFile(file) };
  if (ext === '.pb') {
    const proto = readTensorProtoFile(file);
    const dataType = proto.data_type!;
    const dtype = dataTypeName(dataType);
    if (!FEEDABLE.has(dtype)) {
      throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `${file}: ${dtype} tensors as model inputs (onnxruntime-node cannot take them)` });
    }
    const dims = tensorDims(proto, file);
    // A copy, so the tensor owns its memory rather than viewing the file's buffer.
    const data: PlainTensorData = dataType === DataType.STRING ? readStringData(proto, file) : readTensorData(proto, file).slice();
    return { file, tensor: { dtype: dtype as PlainDType, dims, data }, ...(proto.name ? { name: proto.name } : {}) };
  }
  throw new MlserveError('MLS_ERR_TENSOR_FILE_INVALID', { file, reason: `unknown extension '${ext}' (expected ${TENSOR_FILE_EXTENSIONS.join(' or ')})` });
}
