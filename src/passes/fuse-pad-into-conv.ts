/**
 * Does: Conv(Pad(x, pads, 0)) → Conv(x) with the Pad's spatial pads added to the Conv's own `pads`;
 * the same into AveragePool (count_include_pad=1) and MaxPool (fill value −∞, or the dtype's lowest
 * integer). TF converters write SAME/explicit padding as a separate Pad before each convolution
 * (road segmentation has 40); onnxruntime's PadFusion does this at level `basic`.
 *
 * Why it is exact: a Conv pads with zeros, so zero-padding first and then convolving computes the same
 * sums over the same window positions. AveragePool with count_include_pad=1 divides by the full
 * kernel size, padded cells (zeros) included — what averaging over an explicitly padded tensor does.
 * MaxPool skips its padded cells, which an explicit −∞ (or the type's lowest value) never wins.
 * The Pad's `pads` are [x1_begin, x2_begin, …, x1_end, x2_end, …] over every axis; axes 0 (batch)
 * and 1 (channels) must get none, the spatial ones are added to the reader's [begin…, end…] pads.
 *
 * Pad's parameters by opset: `paddings` and `value` attributes (1), `pads` and `value` attributes
 * (2–10), `pads` and `constant_value` inputs (11+, absent value = 0), and an `axes` input (18+) naming
 * which axes the pads are for.
 *
 * Leaves alone (with the reason): a mode other than constant; pads, fill value or axes that are not
 * constants; a non-zero fill (−∞-like for MaxPool); padding on the batch or channel axis; negative
 * pads (a crop); a Pad output that is a graph output, or read by anything but input 0 of a
 * Conv/AveragePool/MaxPool in the same graph (all readers must qualify, then the Pad goes); a reader
 * with auto_pad SAME_UPPER/SAME_LOWER; AveragePool with count_include_pad=0 (or before opset 7, which
 * has no such attribute) or ceil_mode=1; a MaxPool that also returns Indices (they index the padded
 * tensor); pool pads that would reach the kernel size (onnxruntime rejects those).
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import { lookupConstant, readers } from './match.js';
import { defineRulePass, fail, type PassOptions } from './pass.js';
import { dropIfUnused } from './rewrite.js';

interface PadMatch {
  pad: Node;
  x: Value;
  /** Each reader with the pads attribute it gets. */
  fused: { node: Node; pads: number[] }[];
}

const READERS = new Set(['Conv', 'AveragePool', 'MaxPool']);

/** The lowest value of an integer dtype (what MaxPool's skipped cells lose against). */
const INTEGER_LOWEST: ReadonlyMap<number, number> = new Map([
  [DataType.INT8!, -128], [DataType.UINT8!, 0], [DataType.INT16!, -32768], [DataType.UINT16!, 0],
  [DataType.INT32!, -(2 ** 31)], [DataType.UINT32!, 0],
]);

interface PadParams {
  /** Full-rank pads [begin per axis…, end per axis…]. */
  pads: number[];
  value: number;
}

/** The Pad's full pads and fill value, or why they cannot be known. */
function padParams(pad: Node, opset: number, options: PassOptions): PadParams | string {
  const mode = pad.stringAttribute('mode', 'constant');
  if (mode !== 'constant') return `mode is '${mode}', not constant`;
  if (opset < 11) {
    const pads = pad.intsAttribute(opset < 2 ? 'paddings' : 'pads');
    if (!pads) return 'pads attribute missing';
    return { pads, value: pad.floatAttribute('value', 0)! };
  }
  const padsFound = lookupConstant(pad.inputs[1], options);
  if ('reason' in padsFound) return `pads: ${padsFound.reason}`;
  let pads = readTensorAsNumbers(padsFound.tensor);
  let value = 0;
  if (pad.inputs[2]) {
    const v = lookupConstant(pad.inputs[2], options);
    if ('reason' in v) return `constant_value: ${v.reason}`;
    const values = readTensorAsNumbers(v.tensor);
    if (values.length !== 1) return 'constant_value is not one value';
    value = values[0]!;
  }
  if (pad.inputs[3]) {
    const a = lookupConstant(pad.inputs[3], options);
    if ('reason' in a) return `axes: ${a.reason}`;
    const rank = pad.inputs[0]?.type?.shape?.length;
    if (rank === undefined) return 'axes given and the input rank is not known';
    const axes = readTensorAsNumbers(a.tensor).map((ax) => (ax < 0 ? ax + rank : ax));
    if (pads.length !== 2 * axes.length) return `pads has ${pads.length} values for ${axes.length} axes`;
    if (axes.some((ax) => ax < 0 || ax >= rank) || new Set(axes).size !== axes.length) return `axes [${axes.join(',')}] are not distinct axes of rank ${rank}`;
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((ax, i) => { full[ax] = pads[i]!; full[rank + ax] = pads[axes.length + i]!; });
    pads = full;
  }
  return { pads, value };
}

/** Whether `value` is what MaxPool's skipped cells amount to for `dtype`: −∞, or the integer lowest. */
function isLowest(value: number, dtype: number | undefined): boolean {
  if (value === -Infinity) return true;
  return dtype !== undefined && INTEGER_LOWEST.get(dtype) === value;
}

/** The reader's new pads, or why the Pad cannot move into it. */
function fusedPads(node: Node, spatial: number[][], params: PadParams, dtype: number | undefined, opset: number): number[] | string {
  const autoPad = node.stringAttribute('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return `${node.label} has auto_pad ${autoPad}`;
  const k = spatial[0]!.length;
  const own = autoPad === 'VALID' ? new Array<number>(2 * k).fill(0) : node.intsAttribute('pads') ?? new Array<number>(2 * k).fill(0);
  if (own.length !== 2 * k) return `${node.label} pads [${own.join(',')}] are not for ${k} spatial axes`;
  if (node.opType === 'Conv') {
    if (params.value !== 0) return `fill value ${params.value} is not 0 (Conv pads with zeros)`;
  } else if (node.opType === 'AveragePool') {
    if (params.value !== 0) return `fill value ${params.value} is not 0 (AveragePool pads with zeros)`;
    if (opset < 7 || node.intAttribute('count_include_pad', 0) !== 1) return `${node.label} has count_include_pad=0: padded cells would leave the average`;
    if (node.intAttribute('ceil_mode', 0) !== 0) return `${node.label} has ceil_mode=1`;
  } else {
    if (!isLowest(params.value, dtype)) return `fill value ${params.value} is not -inf (MaxPool skips its padding, the Pad's cells can win)`;
    if (node.outputs.length > 1 && node.outputs[1]) return `${node.label} also returns Indices, which count the padded cells`;
  }
  const pads = [...spatial[0]!.map((p, i) => p + own[i]!), ...spatial[1]!.map((p, i) => p + own[k + i]!)];
  if (node.opType !== 'Conv') {
    const kernel = node.intsAttribute('kernel_shape');
    if (!kernel || kernel.length !== k) return `${node.label} kernel_shape is not for ${k} spatial axes`;
    const dilations = node.intsAttribute('dilations') ?? new Array<number>(k).fill(1);
    const extent = kernel.map((kk, i) => (kk - 1) * (dilations[i] ?? 1) + 1);
    if (pads.some((p, i) => p >= extent[i % k]!)) return `pads [${pads.join(',')}] would reach the kernel size [${extent.join(',')}], which onnxruntime rejects for pooling`;
  }
  return pads;
}

export default defineRulePass<PadMatch>({
  name: 'fuse_pad_into_conv',
  kind: 'fuse',
  summary: 'move a constant zero Pad on spatial axes into the following Conv/AveragePool/MaxPool pads',
  opTypes: ['Pad'],
  needsShapes: true,
  match(pad, model, options) {
    const x = pad.inputs[0];
    const y = pad.outputs[0];
    if (!x || !y) return undefined;
    const targets = readers(y);
    // Only a Pad feeding a convolution or pooling is this pass's business.
    if (targets.length === 0 || !targets.some((n) => n.domain === '' && READERS.has(n.opType))) return undefined;
    if (y.isGraphOutput) return fail(`'${y.name}' is a graph output`);
    const outsider = targets.find((n) => n.domain !== '' || !READERS.has(n.opType) || n.graph !== pad.graph);
    if (outsider) return fail(`'${y.name}' is also read by ${outsider.label}${outsider.graph !== pad.graph ? ' inside a subgraph' : ''}`);
    const weightUse = y.uses.find((u) => u.index !== 0);
    if (weightUse) return fail(`'${y.name}' is input ${weightUse.index} of ${weightUse.node.label}, not its data`);
    const opset = model.opsetVersion('') ?? 1;
    const params = padParams(pad, opset, options);
    if (typeof params === 'string') return fail(params);
    const { pads } = params;
    if (pads.length % 2 !== 0 || pads.length < 6) return fail(`pads [${pads.join(',')}] do not cover a batch, a channel and a spatial axis`);
    const rank = pads.length / 2;
    if (pads.some((p) => p < 0)) return fail(`pads [${pads.join(',')}] include a crop (negative pad)`);
    if (pads[0] !== 0 || pads[1] !== 0 || pads[rank] !== 0 || pads[rank + 1] !== 0) return fail(`pads [${pads.join(',')}] pad the batch or channel axis`);
    const spatial = [pads.slice(2, rank), pads.slice(rank + 2)];
    const dtype = x.type?.dtype;
    const fused: PadMatch['fused'] = [];
    for (const node of targets) {
      const p = fusedPads(node, spatial, params, dtype, opset);
      if (typeof p === 'string') return fail(p);
      fused.push({ node, pads: p });
    }
    return { pad, x, fused };
  },
  rewrite({ pad, x, fused }, _model, options) {
    const y = pad.outputs[0]!;
    for (const { node, pads } of fused) {
      node.setInput(0, x);
      node.setAttribute('pads', { ints: pads });
      if (node.hasAttribute('auto_pad')) node.removeAttribute('auto_pad');
    }
    dropIfUnused(y, options);
  },
});
