/**
 * Runs a model that has no inputs (a constant subgraph cut out of a bigger model) once in onnxruntime
 * and returns its outputs as TensorProtos: how constant folding gets every operator's exact result
 * without kernels of its own. Graph optimizations are off, so onnxruntime computes each node as
 * written (its own folding could otherwise pick other kernels or precisions).
 */
import { makeTensor, type TensorArray } from '../ir/tensor-data.js';
import { createMessage, encodeModel } from '../onnx/codec.js';
import { dataTypeByName, DataType } from '../onnx/data-type.js';
import type { ModelProto, TensorProto } from '../onnx/proto-types.js';
import { createSession, type OrtTensor } from './ort-session.js';

export interface ConstantModelOptions {
  /** Intra-op threads; default 2. */
  threads?: number;
}

/** Every output of `model`, by output name, as a TensorProto named after it. Throws onnxruntime's error. */
export async function evaluateConstantModel(model: ModelProto, options: ConstantModelOptions = {}): Promise<Map<string, TensorProto>> {
  const session = await createSession(encodeModel(model), { threads: options.threads ?? 2, graphOptimizationLevel: 'disabled' });
  try {
    const results = await session.run({});
    const out = new Map<string, TensorProto>();
    for (const [name, tensor] of Object.entries(results)) {
      out.set(name, tensorFromOrt(name, tensor));
      tensor.dispose();
    }
    return out;
  } finally {
    await session.release();
  }
}

const encoder = new TextEncoder();

/** An onnxruntime tensor as a TensorProto (raw_data, or string_data for strings). */
export function tensorFromOrt(name: string, tensor: OrtTensor): TensorProto {
  const dims = tensor.dims.map(Number);
  if (tensor.type === 'string') {
    const strings = tensor.data as string[];
    return createMessage<TensorProto>('TensorProto', {
      name, data_type: DataType.STRING, dims, string_data: strings.map((s) => encoder.encode(s)),
    });
  }
  const info = dataTypeByName(tensor.type);
  if (!info) throw new Error(`onnxruntime returned '${name}' as ${tensor.type}, which has no ONNX data type here`);
  let data = tensor.data as TensorArray;
  // float16 arrives as its bits (Uint16Array), or as a Float16Array where the runtime has one: the
  // values then go through float32, which holds every float16 exactly.
  if (info.id === DataType.FLOAT16 && !(data instanceof Uint16Array)) data = Float32Array.from(data as unknown as ArrayLike<number>);
  if (HOST_LITTLE_ENDIAN && PLAIN_STORAGE.get(info.id) === data.constructor) {
    // The array's bytes are raw_data already: one copy (folded weights can be megabytes).
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    return createMessage<TensorProto>('TensorProto', { name, data_type: info.id, dims, raw_data: raw });
  }
  // Everything else (bool as 0/1 bytes, big-endian hosts) through makeTensor, which copies too, so
  // nothing keeps a view on memory onnxruntime owns.
  return makeTensor(name, info.id, dims, data);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Element types whose raw_data is exactly the little-endian bytes of this array type. */
const PLAIN_STORAGE = new Map<number, unknown>([
  [DataType.FLOAT!, Float32Array], [DataType.DOUBLE!, Float64Array], [DataType.FLOAT16!, Uint16Array],
  [DataType.INT8!, Int8Array], [DataType.UINT8!, Uint8Array], [DataType.INT16!, Int16Array], [DataType.UINT16!, Uint16Array],
  [DataType.INT32!, Int32Array], [DataType.UINT32!, Uint32Array], [DataType.INT64!, BigInt64Array], [DataType.UINT64!, BigUint64Array],
]);
