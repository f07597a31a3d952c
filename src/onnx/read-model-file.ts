/**
 * Reads an ONNX file into a ModelProto: checks it is ONNX at all, decodes it, pulls external data in
 * as views on the side files, and checks every tensor's size against its shape. Each failure is an
 * MlserveError that names the file and the field.
 */
import { MlserveError } from '../errors.js';
import { decodeModel } from './codec.js';
import { inlineExternalData, isExternal } from './external-data.js';
import type { ModelProto, TensorProto } from './proto-types.js';
import { checkTensorSize } from './tensor-size-check.js';
import { visitModelTensors } from './visit-tensors.js';
import { readFileOrFail } from '../util/read-file-or-fail.js';

/** ModelProto's field numbers and the wire type each one uses (0 varint, 2 length-delimited). */
const MODEL_PROTO_FIELDS = new Map<number, number>([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2], [26, 2],
]);

export function readModelFile(file: string): ModelProto {
  const bytes = readFileOrFail(file);
  return decodeModelBytes(bytes, file);
}

/** Decodes bytes already in memory; `file` names them in errors and anchors external data. */
export function decodeModelBytes(bytes: Uint8Array, file: string): ModelProto {
  if (bytes.length === 0) throw new MlserveError('MLS_ERR_MODEL_NOT_ONNX', { file, reason: 'the file is empty' });
  const first = firstFieldTag(bytes);
  if (!first || MODEL_PROTO_FIELDS.get(first.field) !== first.wireType) {
    throw new MlserveError('MLS_ERR_MODEL_NOT_ONNX', { file, reason: 'it does not start with a ModelProto field' });
  }
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new MlserveError('MLS_ERR_MODEL_CORRUPT', { file, reason: (e as Error).message }, { cause: e });
  }
  if (!model.graph) throw new MlserveError('MLS_ERR_MODEL_NOT_ONNX', { file, reason: 'it has no graph' });

  const external: TensorProto[] = [];
  visitModelTensors(model, (t) => { if (isExternal(t)) external.push(t); });
  if (external.length > 0) inlineExternalData(file, external);
  visitModelTensors(model, (t) => checkTensorSize(file, t));
  return model;
}

function firstFieldTag(bytes: Uint8Array): { field: number; wireType: number } | undefined {
  let tag = 0;
  for (let i = 0, shift = 0; i < Math.min(bytes.length, 5); i++, shift += 7) {
    const b = bytes[i]!;
    tag += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { field: Math.floor(tag / 8), wireType: tag & 7 };
  }
  return undefined;
}
