/**
 * Things worth a warning in a model that loaded fine: leftovers of export (unused initializers and
 * inputs, outputs nobody reads), the IR < 4 habit of listing initializers as inputs, and what
 * onnxruntime will refuse or only half support (see runtime-support.ts). One warning per kind, listing
 * what it is about, in a fixed order.
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { NodeProto, OperatorSetIdProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { localFunctionKeys, opKey } from './op-counts.js';
import type { InspectWarning } from './report-types.js';
import { opSupport, opsetSupport, ORT_CHECKED_VERSION } from './runtime-support.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function collectWarnings(model: Model): InspectWarning[] {
  const warnings: InspectWarning[] = [];
  const push = (code: InspectWarning['code'], severity: InspectWarning['severity'], items: string[], message: (n: number) => string) => {
    if (items.length > 0) warnings.push({ code, severity, message: message(items.length), items });
  };
  const graphs = [...model.graph.allGraphs()];

  push('initializer-input', 'warning', graphs.flatMap((g) => g.inputs.filter((v) => v.initializer).map((v) => v.name)),
    (n) => `${plural(n, 'initializer is', 'initializers are')} also listed as graph inputs (IR < 4 style): onnxruntime treats them as overridable inputs and will not constant-fold them`);
  push('unused-initializer', 'warning', graphs.flatMap((g) => g.initializers.filter((v) => v.uses.length === 0 && !v.isGraphOutput).map((v) => v.name)),
    (n) => `${plural(n, 'initializer')} no node reads`);
  push('unused-input', 'warning', model.graph.inputs.filter((v) => !v.initializer && v.uses.length === 0 && !v.isGraphOutput).map((v) => v.name),
    (n) => `${plural(n, 'graph input')} no node reads`);
  push('dangling-value', 'info', graphs.flatMap(danglingValues),
    (n) => `${plural(n, 'node output')} nothing reads and no graph returns`);

  const opsets = model.opsetImport.flatMap((o) => {
    const reason = opsetSupport(normalizeDomain(o.domain), o.version === undefined ? 0 : int64ToNumber(o.version));
    return reason ? [reason] : [];
  });
  push('unsupported-opset', 'warning', opsets, (n) => `onnxruntime ${ORT_CHECKED_VERSION} does not support ${plural(n, 'opset import')}`);

  const { unsupported, legacy } = opFindings(model);
  push('unsupported-op', 'warning', unsupported, (n) => `${plural(n, 'op type')} onnxruntime ${ORT_CHECKED_VERSION} cannot run in this model`);
  push('legacy-op', 'info', legacy, (n) => `${plural(n, 'op type')} outside standard ONNX: onnxruntime runs ${n === 1 ? 'it' : 'them'}, the ONNX checker and most other runtimes do not`);
  return warnings;
}

function danglingValues(graph: Graph): string[] {
  return graph.nodes.flatMap((node) => node.outputs.flatMap((v) =>
    v && v.uses.length === 0 && !v.isGraphOutput ? [`${v.name} (output of ${node.label})`] : []));
}

function normalizeDomain(domain: string | undefined): string {
  return domain === 'ai.onnx' ? '' : (domain ?? '');
}

function opsetMap(imports: OperatorSetIdProto[]): Map<string, number> {
  return new Map(imports.map((o) => [normalizeDomain(o.domain), o.version === undefined ? 0 : int64ToNumber(o.version)]));
}

/** Each (op, reason) once, with how many nodes — graphs, subgraphs and function bodies alike. */
function opFindings(model: Model): { unsupported: string[]; legacy: string[] } {
  const functions = localFunctionKeys(model);
  const found = new Map<string, { op: string; reason: string; status: 'legacy' | 'unsupported'; count: number }>();
  const check = (node: { domain: string; opType: string }, opsets: Map<string, number>) => {
    const support = opSupport(node.domain, node.opType, opsets.get(node.domain), functions);
    if (support.status === 'ok') return;
    const key = `${opKey(node)}\u0000${support.reason}`;
    const entry = found.get(key) ?? { op: opKey(node), reason: support.reason, status: support.status, count: 0 };
    entry.count += 1;
    found.set(key, entry);
  };
  const modelOpsets = opsetMap(model.opsetImport);
  for (const graph of model.graph.allGraphs()) for (const node of graph.nodes) check(node, modelOpsets);
  for (const fn of model.functions) {
    const opsets = opsetMap(fn.opset_import);
    for (const n of fn.node) check(protoNode(n), opsets);
  }
  const list = (status: 'legacy' | 'unsupported') => [...found.values()]
    .filter((e) => e.status === status)
    .map((e) => `${e.op} ×${e.count}: ${e.reason}`);
  return { unsupported: list('unsupported'), legacy: list('legacy') };
}

function protoNode(n: NodeProto): { domain: string; opType: string } {
  return { domain: normalizeDomain(n.domain), opType: n.op_type ?? '' };
}
