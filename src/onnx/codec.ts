/**
 * Encode and decode ONNX messages. The schema is parsed once, on first use.
 * Decoded `bytes` fields are views on the input buffer (protobufjs slices Buffers without copying),
 * so large weights are never copied by a load.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_SCHEMA } from './onnx-proto-schema.js';
import type { ModelProto, TensorProto, GraphProto } from './proto-types.js';

let root: protobuf.Root | undefined;

function onnxRoot(): protobuf.Root {
  root ??= protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: true }).root;
  return root;
}

/** The protobufjs type of an ONNX message, e.g. `messageType('ModelProto')`. */
export function messageType(name: string): protobuf.Type {
  return onnxRoot().lookupType(`onnx.${name}`);
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return messageType('ModelProto').decode(bytes) as unknown as ModelProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return messageType('ModelProto').encode(model as unknown as protobuf.Message).finish();
}

export function decodeTensor(bytes: Uint8Array): TensorProto {
  return messageType('TensorProto').decode(bytes) as unknown as TensorProto;
}

export function encodeTensor(tensor: TensorProto): Uint8Array {
  return messageType('TensorProto').encode(tensor as unknown as protobuf.Message).finish();
}

export function encodeGraph(graph: GraphProto): Uint8Array {
  return messageType('GraphProto').encode(graph as unknown as protobuf.Message).finish();
}

/** A new message with the schema's defaults (repeated fields as empty arrays), from plain fields. */
export function createMessage<T>(name: string, fields: Partial<T>): T {
  return messageType(name).create(fields as Record<string, unknown>) as unknown as T;
}
