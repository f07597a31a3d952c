/**
 * Reading and writing node attributes as plain JS values. int64 attributes become numbers: the values
 * ONNX stores in them (axes, sizes, flags) fit; INT64_MAX sentinels come out as 2^63, still "past the end".
 */
import type Long from 'long';
import { createMessage } from '../onnx/codec.js';
import type { AttributeProto, GraphProto, TensorProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';

export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

export type AttributeValue = number | string | number[] | string[] | TensorProto | TensorProto[] | GraphProto | GraphProto[] | undefined;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The attribute's value; `type` decides, falling back to whichever field is set for IR 1 files without it. */
export function attributeValue(attr: AttributeProto): AttributeValue {
  switch (attr.type ?? inferAttributeType(attr)) {
    case AttributeType.FLOAT: return attr.f ?? 0;
    case AttributeType.INT: return attr.i === undefined ? 0 : int64ToNumber(attr.i);
    case AttributeType.STRING: return attr.s ? decoder.decode(attr.s) : '';
    case AttributeType.TENSOR: return attr.t;
    case AttributeType.GRAPH: return attr.g;
    case AttributeType.FLOATS: return [...attr.floats];
    case AttributeType.INTS: return attr.ints.map(int64ToNumber);
    case AttributeType.STRINGS: return attr.strings.map((s) => decoder.decode(s));
    case AttributeType.TENSORS: return attr.tensors;
    case AttributeType.GRAPHS: return attr.graphs;
    default: return undefined;
  }
}

function inferAttributeType(attr: AttributeProto): number {
  if (attr.f !== undefined) return AttributeType.FLOAT;
  if (attr.i !== undefined) return AttributeType.INT;
  if (attr.s !== undefined) return AttributeType.STRING;
  if (attr.t !== undefined) return AttributeType.TENSOR;
  if (attr.g !== undefined) return AttributeType.GRAPH;
  if (attr.floats.length) return AttributeType.FLOATS;
  if (attr.ints.length) return AttributeType.INTS;
  if (attr.strings.length) return AttributeType.STRINGS;
  if (attr.tensors.length) return AttributeType.TENSORS;
  if (attr.graphs.length) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

export type AttributeInput =
  | { int: number } | { float: number } | { ints: number[] } | { floats: number[] }
  | { string: string } | { strings: string[] } | { tensor: TensorProto } | { graph: GraphProto };

/** Builds an AttributeProto with an explicit kind, so 1 and 1.0 can never be confused. */
export function makeAttribute(name: string, value: AttributeInput): AttributeProto {
  const fields: Record<string, unknown> = { name };
  if ('int' in value) Object.assign(fields, { type: AttributeType.INT, i: value.int });
  else if ('float' in value) Object.assign(fields, { type: AttributeType.FLOAT, f: value.float });
  else if ('ints' in value) Object.assign(fields, { type: AttributeType.INTS, ints: value.ints as unknown as Long[] });
  else if ('floats' in value) Object.assign(fields, { type: AttributeType.FLOATS, floats: value.floats });
  else if ('string' in value) Object.assign(fields, { type: AttributeType.STRING, s: encoder.encode(value.string) });
  else if ('strings' in value) Object.assign(fields, { type: AttributeType.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) });
  else if ('tensor' in value) Object.assign(fields, { type: AttributeType.TENSOR, t: value.tensor });
  else Object.assign(fields, { type: AttributeType.GRAPH, g: value.graph });
  return createMessage<AttributeProto>('AttributeProto', fields);
}
