/**
 * When a fusion needs a newer default-domain op than the model's opset has (LayerNormalization-17,
 * Gelu-20), the opset may be raised — only up to `options.targetOpset`, and only when every other
 * node in the model (subgraphs included) means the same at the new opset (src/ops/opset-changes.ts).
 * Converting nodes whose meaning changed (Slice attributes → inputs, …) is not attempted: such a
 * model declines with the first blocking node named.
 */
import type { Model } from '../ir/model.js';
import { createMessage } from '../onnx/codec.js';
import type { OperatorSetIdProto } from '../onnx/proto-types.js';
import { minIrVersionForOpset, OLDEST_RAISABLE_OPSET, opsetChangeFor } from '../ops/opset-changes.js';
import type { PassOptions } from './pass.js';

export type OpsetPlan = { ok: true; raiseTo: number | undefined } | { ok: false; reason: string };

/**
 * Whether the model may hold an op that needs default-domain opset `required`: already (raiseTo
 * undefined), after raising (raiseTo = required), or not (with the reason).
 */
export function planOpset(model: Model, required: number, options: Pick<PassOptions, 'targetOpset'>, what: string): OpsetPlan {
  const current = model.opsetVersion('');
  if (current !== undefined && current >= required) return { ok: true, raiseTo: undefined };
  const at = current === undefined ? 'imports no ai.onnx opset' : `is at opset ${current}`;
  if (options.targetOpset === undefined) {
    return { ok: false, reason: `${what} needs opset ${required} and the model ${at} (raising it needs --target-opset ${required} or higher)` };
  }
  if (options.targetOpset < required) {
    return { ok: false, reason: `${what} needs opset ${required}, above --target-opset ${options.targetOpset}` };
  }
  const blocker = raiseBlocker(model, current ?? 0, required);
  if (blocker) return { ok: false, reason: `${what} needs opset ${required}; raising from ${current ?? 'none'} is blocked: ${blocker}` };
  return { ok: true, raiseTo: required };
}

/** Why the model cannot move from opset `from` to `to` unchanged, or undefined. */
export function raiseBlocker(model: Model, from: number, to: number): string | undefined {
  if (from < OLDEST_RAISABLE_OPSET) return `opsets below ${OLDEST_RAISABLE_OPSET} use legacy broadcasting attributes`;
  if (model.functions.some((f) => f.opset_import.some((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx'))) {
    return 'model-local functions import ai.onnx at their own version';
  }
  for (const graph of model.graph.allGraphs()) {
    for (const node of graph.nodes) {
      if (node.domain !== '') continue;
      const why = opsetChangeFor(node, from, to);
      if (why) return `${node.label} (${why})`;
    }
  }
  return undefined;
}

/** Sets the default-domain opset to `version` (and the IR version to at least what that opset needs). */
export function raiseOpset(model: Model, version: number): void {
  const at = model.opsetImport.findIndex((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (at >= 0) {
    model.opsetImport[at] = createMessage<OperatorSetIdProto>('OperatorSetIdProto', { ...model.opsetImport[at], version });
  } else {
    model.opsetImport.push(createMessage<OperatorSetIdProto>('OperatorSetIdProto', { domain: '', version }));
  }
  const ir = minIrVersionForOpset(version);
  if (model.irVersion < ir) model.proto.ir_version = ir;
}

/** Adds `domain` at `version` to the model's opset imports if it is not there yet. */
export function importDomain(model: Model, domain: string, version: number): void {
  if (model.opsetVersion(domain) !== undefined) return;
  model.opsetImport.push(createMessage<OperatorSetIdProto>('OperatorSetIdProto', { domain, version }));
}
