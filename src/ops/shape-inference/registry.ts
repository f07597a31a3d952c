/**
 * The explicit registry of shape rules: every rule file is imported here by name (no registration by
 * import side effect), and `resolveShapeRule` picks the entry for (domain, op type, opset) — the
 * newest entry whose `sinceOpset` is at or below the node's opset. If, Loop and Scan are not here:
 * they need the engine itself and live in control-flow.ts.
 */
import { rules as constantOps } from './constant-ops.js';
import { rules as conv } from './conv.js';
import { rules as detection } from './detection.js';
import { rules as einsum } from './einsum.js';
import { rules as elementwise } from './elementwise.js';
import { rules as flatten } from './flatten.js';
import { rules as gatherScatter } from './gather-scatter.js';
import { rules as legacy } from './legacy.js';
import { rules as matmul } from './matmul.js';
import { rules as normalization } from './normalization.js';
import { rules as pad } from './pad.js';
import { rules as pool } from './pool.js';
import { rules as recurrent } from './recurrent.js';
import { rules as reduce } from './reduce.js';
import { rules as resize } from './resize.js';
import { rules as shapeOps } from './shape-ops.js';
import { rules as softmax } from './softmax.js';
import type { ShapeRule, ShapeRuleEntry } from './shape-rule.js';

/** Every rule, by file. The order only matters for duplicates (the first wins; a test forbids them). */
export const SHAPE_RULE_FILES: Readonly<Record<string, readonly ShapeRuleEntry[]>> = {
  'elementwise.ts': elementwise,
  'shape-ops.ts': shapeOps,
  'gather-scatter.ts': gatherScatter,
  'constant-ops.ts': constantOps,
  'einsum.ts': einsum,
  'conv.ts': conv,
  'pool.ts': pool,
  'normalization.ts': normalization,
  'matmul.ts': matmul,
  'reduce.ts': reduce,
  'softmax.ts': softmax,
  'resize.ts': resize,
  'pad.ts': pad,
  'flatten.ts': flatten,
  'recurrent.ts': recurrent,
  'detection.ts': detection,
  'legacy.ts': legacy,
};

/** '' and 'ai.onnx' are the same domain. */
export function normalizeDomain(domain: string | undefined): string {
  return domain === 'ai.onnx' || domain === undefined ? '' : domain;
}

const key = (domain: string, opType: string): string => `${normalizeDomain(domain)}::${opType}`;

/**
 * A lookup over rule entries: for (domain, op, opset) the newest entry whose sinceOpset ≤ opset.
 * Of two entries with the same (domain, op, sinceOpset) the first is kept.
 */
export function ruleResolver(entries: Iterable<ShapeRuleEntry>): (domain: string, opType: string, opset: number) => ShapeRule | undefined {
  const byOp = new Map<string, ShapeRuleEntry[]>();
  for (const entry of entries) {
    const k = key(entry.domain, entry.opType);
    const list = byOp.get(k) ?? [];
    if (!list.some((e) => (e.sinceOpset ?? 1) === (entry.sinceOpset ?? 1))) list.push(entry);
    byOp.set(k, list);
  }
  for (const list of byOp.values()) list.sort((a, b) => (b.sinceOpset ?? 1) - (a.sinceOpset ?? 1));
  return (domain, opType, opset) => byOp.get(key(domain, opType))?.find((e) => (e.sinceOpset ?? 1) <= opset)?.rule;
}

/** The rule for an op at an opset, or undefined when none applies. */
export const resolveShapeRule = ruleResolver(Object.values(SHAPE_RULE_FILES).flat());

/** (domain, op, sinceOpset) registered by more than one entry: each is a bug (only the first is used). */
export function duplicateShapeRules(): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [file, entries] of Object.entries(SHAPE_RULE_FILES)) {
    for (const e of entries) {
      const k = `${key(e.domain, e.opType)}@${e.sinceOpset ?? 1}`;
      const first = seen.get(k);
      if (first) duplicates.push(`${k} in ${first} and ${file}`); else seen.set(k, file);
    }
  }
  return duplicates;
}
