/**
 * Does: Add(Conv(x, W, b), c) → Conv(x, W, b + c) when c is a constant holding one value per output
 * channel (shape [M,1,…,1], [1,M,1,…,1]) or one value overall (a scalar or all-ones shape);
 * Sub(Conv(x, W, b), c) → Conv(x, W, b − c) likewise. ConvTranspose too. Exporters leave this
 * behind when a bias was added outside the convolution (TF's BiasAdd, a folded BatchNorm shift).
 *
 * Maths: Conv(x, W, b)[n, o, …] + c[o] = Σ W·x + (b[o] + c[o]); b = 0 when the Conv had none.
 * Computed in float64, rounded once to the bias dtype.
 *
 * Leaves alone (with the reason): a Conv output read by anything else or that is a graph output; a
 * non-constant existing bias; a constant whose shape would broadcast along other axes than the
 * channels, or would raise the output's rank; an unknown weight shape.
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { absorbFollower, addConstant, dropIfUnused } from './rewrite.js';
import { describeShape, lookupConstant, producerOf, readFloatConstant, readers, type NumericConstant } from './match.js';
import { constantTensor } from './constant-value.js';
import { defineRulePass, fail } from './pass.js';

interface BiasMatch {
  add: Node;
  conv: Node;
  /** One value per output channel (already negated for Sub). */
  added: Float64Array;
  bias: NumericConstant | undefined;
  dtype: number;
}

/** Output channels and output rank of a Conv/ConvTranspose from its weight's (possibly inferred) shape. */
function convGeometry(conv: Node): { channels: number; rank: number } | undefined {
  const shape = conv.inputs[1]?.type?.shape;
  if (!shape || shape.length < 3) return undefined;
  const channels = conv.opType === 'Conv' ? shape[0] : typeof shape[1] === 'number' ? shape[1] * conv.intAttribute('group', 1) : undefined;
  return typeof channels === 'number' ? { channels, rank: shape.length } : undefined;
}

/** The constant's value for each output channel, when its shape broadcasts only along the channel axis. */
function perChannel(c: NumericConstant, channels: number, rank: number): Float64Array | string {
  if (c.dims.length > rank) return `constant shape ${describeShape(c.dims)} would raise the output rank ${rank}`;
  const aligned = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  const spread = aligned.findIndex((d, axis) => d !== 1 && !(axis === 1 && d === channels));
  if (spread >= 0) return `constant shape ${describeShape(c.dims)} is not per output channel (axis 1 of rank ${rank}, ${channels} channels)`;
  if (c.data.length === 1) return new Float64Array(channels).fill(c.data[0]!);
  return Float64Array.from(c.data);
}

export default defineRulePass<BiasMatch>({
  name: 'fuse_add_into_conv_bias',
  kind: 'fuse',
  summary: 'fold an Add (or Sub) of a per-channel constant after Conv/ConvTranspose into its bias',
  opTypes: ['Add', 'Sub'],
  needsShapes: true,
  match(add, _model, options) {
    const sides = add.opType === 'Sub' ? [0] : [0, 1];
    const side = sides.find((i) => producerOf(add.inputs[i], 'Conv', 'ConvTranspose') && 'tensor' in lookupConstant(add.inputs[1 - i], options));
    if (side === undefined) return undefined;
    const z = add.inputs[side]!;
    const conv = z.producer!;
    if (!add.outputs[0]) return undefined;
    if (conv.graph !== add.graph) return fail(`${conv.label} is in another graph than the ${add.opType}`);
    if (z.isGraphOutput) return fail(`'${z.name}' (the ${conv.opType} output) is a graph output`);
    const others = readers(z).filter((n) => n !== add);
    if (others.length > 0) return fail(`'${z.name}' (the ${conv.opType} output) is also read by ${others[0]!.label}`);
    const c = readFloatConstant(constantTensor(add.inputs[1 - side], options)!);
    if (!c) return fail(`'${add.inputs[1 - side]!.name}' is not a readable float tensor`);
    const geometry = convGeometry(conv);
    if (!geometry) return fail(`${conv.opType} weight shape is not known`);
    const added = perChannel(c, geometry.channels, geometry.rank);
    if (typeof added === 'string') return fail(added);
    if (add.opType === 'Sub') for (let o = 0; o < added.length; o++) added[o] = -added[o]!;
    let bias: NumericConstant | undefined;
    const biasValue: Value | undefined = conv.inputs[2];
    if (biasValue) {
      const b = lookupConstant(biasValue, options);
      if ('reason' in b) return fail(`${conv.opType} bias: ${b.reason}`);
      bias = readFloatConstant(b.tensor);
      if (!bias || bias.data.length !== geometry.channels) return fail(`${conv.opType} bias '${biasValue.name}' is not ${geometry.channels} float values`);
    }
    return { add, conv, added, bias, dtype: bias?.dtype ?? c.dtype };
  },
  rewrite({ add, conv, added, bias, dtype }, _model, options) {
    const channels = added.length;
    const sum = Float64Array.from(added, (v, o) => v + (bias?.data[o] ?? 0));
    const oldBias = conv.inputs[2];
    conv.setInput(2, addConstant(conv.graph, oldBias ? `${oldBias.name}_fused` : `${conv.outputs[0]!.name}_bias`, dtype, [channels], sum));
    absorbFollower(conv, add, options);
    if (oldBias) dropIfUnused(oldBias, options);
  },
});
