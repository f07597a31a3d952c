/**
 * A call to a model-local function (FunctionProto) has no shape rule of its own: its output types are
 * those of the body under the call's input types. This builds the body, as it stands for one call, as
 * a small stand-alone Model the engine can infer: attribute references (`ref_attr_name`) are replaced
 * by the caller's attributes or the function's defaults, and the function's own opset imports apply.
 * The body's values are not the model's values, so they do not count towards coverage.
 */
import { createMessage } from '../../onnx/codec.js';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, ValueInfoProto } from '../../onnx/proto-types.js';
import type { Model } from '../../ir/model.js';
import { modelFromProto } from '../../ir/model-from-proto.js';
import type { Node } from '../../ir/node.js';
import { normalizeDomain } from './registry.js';

/** The model-local function a node calls, if any (overload-aware, IR 10). */
export function calledFunction(model: Model, node: Node): FunctionProto | undefined {
  const domain = normalizeDomain(node.domain);
  const overload = node.proto.overload ?? '';
  return model.functions.find((f) => f.name === node.opType && normalizeDomain(f.domain) === domain && (f.overload ?? '') === overload);
}

function bindAttributes(attributes: AttributeProto[], call: Node, fn: FunctionProto): AttributeProto[] {
  const out: AttributeProto[] = [];
  for (const attr of attributes) {
    if (!attr.ref_attr_name) {
      out.push(bindGraphs(attr, call, fn));
      continue;
    }
    const bound = call.attribute(attr.ref_attr_name) ?? fn.attribute_proto.find((a) => a.name === attr.ref_attr_name);
    // An unbound optional attribute is left out, as the spec says.
    if (bound) out.push({ ...bound, name: attr.name });
  }
  return out;
}

function bindGraphs(attr: AttributeProto, call: Node, fn: FunctionProto): AttributeProto {
  if (!attr.g && attr.graphs.length === 0) return attr;
  const bindGraph = (g: GraphProto): GraphProto => ({ ...g, node: g.node.map((n) => bindNode(n, call, fn)) });
  return { ...attr, ...(attr.g ? { g: bindGraph(attr.g) } : {}), graphs: attr.graphs.map(bindGraph) };
}

function bindNode(node: NodeProto, call: Node, fn: FunctionProto): NodeProto {
  return { ...node, attribute: bindAttributes(node.attribute, call, fn) };
}

/** The body of `fn` for this call, as a Model whose graph has the function's inputs and outputs. */
export function functionBodyModel(model: Model, fn: FunctionProto, call: Node): Model {
  const info = (name: string) => createMessage<ValueInfoProto>('ValueInfoProto', { name });
  const graph = createMessage<GraphProto>('GraphProto', {
    name: `${fn.domain ?? ''}.${fn.name ?? ''}`,
    input: fn.input.map(info),
    output: fn.output.map(info),
    node: fn.node.map((n) => bindNode(n, call, fn)),
    value_info: fn.value_info ?? [],
  });
  const proto = createMessage<ModelProto>('ModelProto', {
    ir_version: model.proto.ir_version,
    // The function's imports, and the model's for domains it does not name.
    opset_import: [
      ...fn.opset_import,
      ...model.opsetImport.filter((m) => !fn.opset_import.some((f) => normalizeDomain(f.domain) === normalizeDomain(m.domain))),
    ],
    graph,
    functions: model.functions,
  });
  return modelFromProto(proto, `${model.source} (function ${fn.name ?? ''})`);
}
