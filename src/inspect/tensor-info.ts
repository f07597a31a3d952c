/**
 * How a value's type reads in the report: ONNX dtype names and shapes with numbers, symbols and nulls.
 * Tensors use the IR's best known type (declared, filled in by shape inference); other declared types
 * (sequences, maps, optionals) are described in words, since ORT and users see them as non-tensors.
 */
import type { Model } from '../ir/model.js';
import { tensorTypeFromProto } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { dataTypeName } from '../onnx/data-type.js';
import type { TypeProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import type { TensorInfo } from './report-types.js';

export function tensorInfo(value: Value): TensorInfo {
  const declared = value.declaredType;
  if (declared && !declared.tensor_type && describeType(declared) !== 'unknown') {
    return { name: value.name, dtype: describeType(declared), shape: null };
  }
  if (value.initializer) {
    const t = value.initializer;
    return { name: value.name, dtype: dtypeLabel(t.data_type), shape: t.dims.map(int64ToNumber) };
  }
  const type = value.type;
  return {
    name: value.name,
    dtype: type && type.dtype !== 0 ? dataTypeName(type.dtype) : 'unknown',
    shape: type?.shape ? [...type.shape] : null,
  };
}

function dtypeLabel(id: number | undefined): string {
  return id === undefined || id === 0 ? 'unknown' : dataTypeName(id);
}

/**
 * tensorInfo for the model's interface (inputs, outputs): shape inference fills dims the file leaves
 * unknown, but a symbol it had to invent (for an unnamed dim, or a data-dependent size) names nothing
 * the file or a runtime knows, so there it reads null — unknown — as in the file and in onnxruntime's
 * session metadata.
 */
export function interfaceTensorInfo(model: Model): (value: Value) => TensorInfo {
  const declared = new Set<string>();
  for (const graph of model.graph.allGraphs()) {
    for (const v of graph.values.values()) {
      for (const d of tensorTypeFromProto(v.declaredType)?.shape ?? []) if (typeof d === 'string') declared.add(d);
    }
  }
  return (value) => {
    const info = tensorInfo(value);
    if (info.shape) info.shape = info.shape.map((d) => (typeof d === 'string' && !declared.has(d) ? null : d));
    return info;
  };
}

/** A TypeProto in words: 'float32', 'sequence<float32>', 'map<int64,float32>', 'optional<…>'. */
export function describeType(type: TypeProto | undefined): string {
  if (!type) return 'unknown';
  if (type.tensor_type) return dtypeLabel(type.tensor_type.elem_type);
  if (type.sequence_type) return `sequence<${describeType(type.sequence_type.elem_type)}>`;
  if (type.map_type) return `map<${dtypeLabel(type.map_type.key_type)},${describeType(type.map_type.value_type)}>`;
  if (type.optional_type) return `optional<${describeType(type.optional_type.elem_type)}>`;
  if (type.sparse_tensor_type) return `sparse_tensor<${dtypeLabel(type.sparse_tensor_type.elem_type)}>`;
  if (type.opaque_type) return 'opaque';
  return 'unknown';
}

/** "float32[1,3,224,224]", "float32[batch,?]", "float32[?rank]" for one line of text. */
export function formatTensorInfo(info: Pick<TensorInfo, 'dtype' | 'shape'>): string {
  if (info.shape === null) return info.dtype.includes('<') || info.dtype === 'opaque' ? info.dtype : `${info.dtype}[?rank]`;
  return `${info.dtype}[${info.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
