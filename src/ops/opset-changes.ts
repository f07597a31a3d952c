/**
 * The ai.onnx operator versions at which a node written for an older opset stops meaning the same
 * thing (or stops being valid): attributes that became inputs, defaults that changed, ops that were
 * removed. Version bumps that only add types, or add optional attributes/inputs whose defaults keep
 * the old behaviour, are NOT listed: a node carries over them unchanged.
 *
 * Used to decide whether a model's default-domain opset can be raised (a pass needing
 * LayerNormalization-17 or Gelu-20) without converting any other node. Derived from the operator
 * schemas' history (attribute and input lists compared version to version, opsets 7–17) plus the
 * changelog for 18–21 and the semantic changes a signature comparison cannot see (Softmax-13's axis
 * meaning, GridSample-20's mode names, GroupNormalization-21's scale shape).
 */
import type { Node } from '../ir/node.js';

/** Why `node` would change meaning at this version, or undefined when it carries over. */
type Check = (node: Node) => string | undefined;

export interface OpChange {
  since: number;
  check: Check;
}

const always = (why: string): Check => () => why;

/** Blocks when the node uses one of the attributes this version removed. */
const usesAttribute = (names: readonly string[], became = 'an input'): Check => (node) => {
  const name = names.find((n) => node.hasAttribute(n));
  return name ? `its '${name}' attribute became ${became}` : undefined;
};

/** Softmax-13 & co. normalise along one axis instead of flattening to 2-D at `axis`: the same only when that axis is the last. */
const coercedAxis: Check = (node) => {
  const rank = node.inputs[0]?.type?.shape?.length;
  if (rank === undefined) return 'axis semantics changed and the input rank is unknown';
  const axis = node.intAttribute('axis', 1);
  const normalized = axis < 0 ? axis + rank : axis;
  return normalized === rank - 1 ? undefined : `axis semantics changed (axis ${axis} is not the last of rank ${rank})`;
};

const REDUCE_AXES_18 = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare'];
/** Experimental ops of opsets < 10, gone from 10 on. */
const EXPERIMENTAL = ['ATen', 'Affine', 'ConstantFill', 'Crop', 'DynamicSlice', 'GRUUnit', 'GivenTensorFill', 'ImageScaler', 'ParametricSoftplus', 'Scale', 'ScaledTanh'];

const TABLE: Record<string, OpChange[]> = {
  BatchNormalization: [
    { since: 9, check: usesAttribute(['spatial'], 'removed') },
    { since: 14, check: (n) => (n.outputs.slice(1).some((v) => v) ? 'its training-mode outputs changed at 14' : undefined) },
  ],
  Clip: [{ since: 11, check: usesAttribute(['min', 'max']) }],
  Dropout: [{ since: 12, check: usesAttribute(['ratio']) }],
  Hardmax: [{ since: 13, check: coercedAxis }],
  LogSoftmax: [{ since: 13, check: coercedAxis }],
  Softmax: [{ since: 13, check: coercedAxis }],
  Pad: [{ since: 11, check: always("'pads' and 'value' became inputs") }],
  ReduceSum: [{ since: 13, check: usesAttribute(['axes']) }],
  ...Object.fromEntries(REDUCE_AXES_18.map((op) => [op, [{ since: 18, check: usesAttribute(['axes']) }]])),
  Resize: [
    { since: 11, check: always('inputs changed (roi) at 11') },
    { since: 13, check: always('coordinate modes and optional inputs changed at 13') },
  ],
  Scan: [{ since: 9, check: always('scan axes and sequence_lens changed at 9') }],
  Scatter: [{ since: 11, check: always('deprecated at 11 (ScatterElements)') }],
  Upsample: [
    { since: 9, check: usesAttribute(['scales']) },
    { since: 10, check: always('deprecated at 10 (Resize)') },
  ],
  Slice: [{ since: 10, check: always("'starts', 'ends' and 'axes' became inputs") }],
  Split: [
    { since: 13, check: usesAttribute(['split']) },
    { since: 18, check: (n) => (n.inputs[1] ? undefined : "from 18 it needs a 'split' input or 'num_outputs'") },
  ],
  Squeeze: [{ since: 13, check: usesAttribute(['axes']) }],
  Unsqueeze: [{ since: 13, check: usesAttribute(['axes']) }],
  TopK: [{ since: 10, check: usesAttribute(['k']) }],
  GridSample: [{
    since: 20,
    check: (n) => {
      const mode = n.stringAttribute('mode');
      return mode === 'bilinear' || mode === 'bicubic' ? `mode '${mode}' was renamed at 20` : undefined;
    },
  }],
  DFT: [{ since: 20, check: usesAttribute(['axis']) }],
  GroupNormalization: [{ since: 21, check: always('scale and bias became per-channel at 21') }],
  ...Object.fromEntries(EXPERIMENTAL.map((op) => [op, [{ since: 10, check: always('experimental op removed at 10') }]])),
};

/** Below this, ops used the legacy broadcast/consumed_inputs attributes; raising from there is not attempted. */
export const OLDEST_RAISABLE_OPSET = 7;

/**
 * Why `node` (default domain) would not carry over from opset `from` to `to`, or undefined when it
 * does: the first listed change in (from, to] that applies to it.
 */
export function opsetChangeFor(node: Node, from: number, to: number): string | undefined {
  for (const change of TABLE[node.opType] ?? []) {
    if (change.since <= from || change.since > to) continue;
    const why = change.check(node);
    if (why) return `${node.opType}-${change.since}: ${why}`;
  }
  return undefined;
}

/** The IR version of the ONNX release that introduced each opset (ONNX's versioning table): the least a model at that opset declares. */
export function minIrVersionForOpset(opset: number): number {
  if (opset >= 23) return 11;
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  if (opset >= 9) return 4;
  return 3;
}
