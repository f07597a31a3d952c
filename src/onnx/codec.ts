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
  if (!root) {
    root = protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: true }).root;
    root.resolveAll();
    removePrototypeDefaults(root);
  }
  return root;
}

/**
 * protobufjs puts each optional field's default on the message prototype, so an absent field would
 * read as '' or 0 and look present. ONNX gives absence meaning (raw_data vs typed fields, dim_value vs
 * dim_param, attribute kinds), so we remove those defaults: an absent optional field reads as undefined,
 * exactly what proto-types.ts declares. Repeated fields are own arrays on every message and stay.
 */
function removePrototypeDefaults(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const prototype = nested.ctor.prototype as Record<string, unknown>;
      for (const field of nested.fieldsArray) {
        if (!field.repeated && !field.map) delete prototype[field.name];
      }
    }
    if (nested instanceof protobuf.Namespace) removePrototypeDefaults(nested);
  }
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
