/**
 * Tensor types as the IR sees them: an element type and a shape whose dims are numbers (fixed),
 * strings (symbolic, named by the exporter or by inference) or null (unknown).
 * `shape: undefined` means the rank itself is unknown.
 */
import { createMessage } from '../onnx/codec.js';
import type { TensorShapeProto, TypeProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';

export type Dim = number | string | null;
export type Shape = Dim[];

export interface TensorType {
  /** TensorProto.DataType; 0 when unknown. */
  dtype: number;
  shape: Shape | undefined;
}

export function shapeFromProto(shape: TensorShapeProto | undefined): Shape | undefined {
  if (!shape) return undefined;
  return shape.dim.map((d): Dim => {
    if (d.dim_value !== undefined && d.dim_value !== null) return int64ToNumber(d.dim_value);
    if (d.dim_param) return d.dim_param;
    return null;
  });
}

/** The tensor type a TypeProto declares, or undefined for sequences, maps and other non-tensor types. */
export function tensorTypeFromProto(type: TypeProto | undefined): TensorType | undefined {
  const t = type?.tensor_type;
  if (!t) return undefined;
  return { dtype: t.elem_type ?? 0, shape: shapeFromProto(t.shape) };
}

export function tensorTypeToProto(type: TensorType): TypeProto {
  const tensor: Record<string, unknown> = { elem_type: type.dtype };
  if (type.shape) {
    tensor.shape = createMessage<TensorShapeProto>('TensorShapeProto', {
      dim: type.shape.map((d) => createMessage<Record<string, unknown>>('TensorShapeProto.Dimension',
        typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
    });
  }
  return createMessage<TypeProto>('TypeProto', { tensor_type: createMessage('TypeProto.Tensor', tensor) });
}

export function isStaticShape(shape: Shape | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/** Element count of a fully static shape; undefined otherwise. */
export function shapeSize(shape: Shape | undefined): number | undefined {
  if (!isStaticShape(shape)) return undefined;
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: Shape | undefined): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
