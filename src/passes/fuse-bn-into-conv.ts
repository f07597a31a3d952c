/**
 * Does: BatchNormalization(Conv(x, W, b)) → Conv(x, W', b'), and the same for ConvTranspose.
 *
 * Inference-form BatchNormalization is a per-channel affine map, y = (z − mean)·s + B with
 * s = scale / √(var + ε), so it folds into the convolution's weights and bias:
 *   W'[o] = W[o] · s[o]          (every weight feeding output channel o)
 *   b'[o] = (b[o] − mean[o]) · s[o] + B[o]      (b = 0 when the Conv has no bias)
 * For Conv, output channel o owns W[o, :, …]. For ConvTranspose W is [C_in, M/group, k…]: output
 * channel o = g·(M/group) + j is fed by W[c, j, …] for every input channel c of group g.
 * Computed in float64 from the stored values, rounded once to the weight's dtype (float32, float16,
 * bfloat16 or double).
 *
 * Leaves alone (with the reason): a BatchNormalization with training outputs or training_mode=1;
 * weights or BN parameters that are not constants (initializers that are also graph inputs count as
 * not constant unless --fold-initializer-inputs); a Conv output that anything else reads or that is a
 * graph output; parameters whose length is not the Conv's output channel count; var + ε ≤ 0.
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { absorbFollower, addConstant, dropIfUnused } from './rewrite.js';
import { lookupConstant, producerOf, readFloatConstant, readers, type NumericConstant } from './match.js';
import { defineRulePass, fail } from './pass.js';

interface BnMatch {
  bn: Node;
  conv: Node;
  weight: NumericConstant;
  bias: NumericConstant | undefined;
  /** scale / √(var + ε) and the shift (B − mean·s), per output channel. */
  factor: Float64Array;
  shift: Float64Array;
  mean: Float64Array;
}

function outputChannels(conv: Node, weightDims: readonly number[]): number | undefined {
  if (weightDims.length < 3) return undefined;
  if (conv.opType === 'Conv') return weightDims[0];
  return weightDims[1]! * conv.intAttribute('group', 1);
}

export default defineRulePass<BnMatch>({
  name: 'fuse_bn_into_conv',
  kind: 'fuse',
  summary: 'fold inference BatchNormalization into the preceding Conv/ConvTranspose weights and bias',
  opTypes: ['BatchNormalization'],
  match(bn, _model, options) {
    const z = bn.inputs[0];
    const conv = producerOf(z, 'Conv', 'ConvTranspose');
    if (!conv || !z || !bn.outputs[0]) return undefined;
    if (bn.outputs.slice(1).some((v) => v)) return fail('BatchNormalization has training-mode outputs');
    if (bn.intAttribute('training_mode', 0) !== 0) return fail('BatchNormalization has training_mode=1');
    if (bn.intAttribute('spatial', 1) !== 1) return fail('BatchNormalization has spatial=0 (per-activation statistics)');
    if (conv.graph !== bn.graph) return fail(`${conv.label} is in another graph than the BatchNormalization`);
    if (z.isGraphOutput) return fail(`'${z.name}' (the ${conv.opType} output) is a graph output`);
    const others = readers(z).filter((n) => n !== bn);
    if (others.length > 0) return fail(`'${z.name}' (the ${conv.opType} output) is also read by ${others[0]!.label}`);

    const read = (v: Value | undefined, role: string): NumericConstant | string => {
      const found = lookupConstant(v, options);
      if ('reason' in found) return `${role}: ${found.reason}`;
      return readFloatConstant(found.tensor) ?? `${role} '${v!.name}' is not a readable float tensor`;
    };
    const weight = read(conv.inputs[1], `${conv.opType} weight`);
    if (typeof weight === 'string') return fail(weight);
    let bias: NumericConstant | undefined;
    if (conv.inputs[2]) {
      const b = read(conv.inputs[2], `${conv.opType} bias`);
      if (typeof b === 'string') return fail(b);
      bias = b;
    }
    const channels = outputChannels(conv, weight.dims);
    if (channels === undefined) return fail(`${conv.opType} weight has rank ${weight.dims.length}`);
    const params: NumericConstant[] = [];
    for (const [i, role] of ['scale', 'B', 'mean', 'var'].entries()) {
      const p = read(bn.inputs[i + 1], `BatchNormalization ${role}`);
      if (typeof p === 'string') return fail(p);
      if (p.data.length !== channels) return fail(`BatchNormalization ${role} has ${p.data.length} values for ${channels} output channels`);
      params.push(p);
    }
    if (bias && bias.data.length !== channels) return fail(`${conv.opType} bias has ${bias.data.length} values for ${channels} output channels`);
    const [scale, shiftB, mean, variance] = params.map((p) => p.data) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const epsilon = bn.floatAttribute('epsilon', 1e-5);
    const factor = new Float64Array(channels);
    const shift = new Float64Array(channels);
    for (let o = 0; o < channels; o++) {
      const denominator = variance[o]! + epsilon;
      if (!(denominator > 0)) return fail(`var + epsilon is ${denominator} for channel ${o}`);
      factor[o] = scale[o]! / Math.sqrt(denominator);
      shift[o] = shiftB[o]!;
    }
    return { bn, conv, weight, bias, factor, shift, mean };
  },
  rewrite({ bn, conv, weight, bias, factor, shift, mean }, _model, options) {
    const graph = conv.graph;
    const channels = factor.length;
    const w = Float64Array.from(weight.data);
    if (conv.opType === 'Conv') {
      const block = w.length / channels;
      for (let o = 0; o < channels; o++) for (let k = o * block; k < (o + 1) * block; k++) w[k] = w[k]! * factor[o]!;
    } else {
      // ConvTranspose: W is [C_in, M/group, k…].
      const [inChannels, perGroup] = weight.dims as [number, number];
      const group = channels / perGroup;
      const kernel = w.length / (inChannels * perGroup);
      for (let c = 0; c < inChannels; c++) {
        const g = Math.floor(c / (inChannels / group));
        for (let j = 0; j < perGroup; j++) {
          const s = factor[g * perGroup + j]!;
          const start = (c * perGroup + j) * kernel;
          for (let k = start; k < start + kernel; k++) w[k] = w[k]! * s;
        }
      }
    }
    const b = new Float64Array(channels);
    for (let o = 0; o < channels; o++) b[o] = ((bias?.data[o] ?? 0) - mean[o]!) * factor[o]! + shift[o]!;

    const oldWeight = conv.inputs[1]!;
    const oldBias = conv.inputs[2];
    const biasDtype = bias?.dtype ?? weight.dtype;
    conv.setInput(1, addConstant(graph, `${oldWeight.name}_bn`, weight.dtype, weight.dims, w));
    conv.setInput(2, addConstant(graph, oldBias ? `${oldBias.name}_bn` : `${conv.outputs[0]!.name}_bias`, biasDtype, [channels], b));
    // The Conv now computes the BatchNormalization's output, under that output's name.
    absorbFollower(conv, bn, options);
    dropIfUnused(oldWeight, options);
    if (oldBias) dropIfUnused(oldBias, options);
  },
});
