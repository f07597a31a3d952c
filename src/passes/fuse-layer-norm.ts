/**
 * Does: the decomposed LayerNorm exporters write —
 *   μ = ReduceMean(x, axes)          d = Sub(x, μ)           v = ReduceMean(Pow(d, 2) | Mul(d, d), axes)
 *   σ = Sqrt(Add(v, ε))              n = Div(d, σ) | Mul(d, Reciprocal(σ))
 *   y = Add(Mul(n, γ), β)            (γ and β each optional; either operand order)
 * → y = LayerNormalization(x, γ, β, axis = −k, epsilon = ε), k = the number of reduced axes.
 *
 * LayerNormalization normalises x over axes [axis, rank) with population variance, exactly the
 * decomposition above, so the rewrite holds when both ReduceMeans reduce the same trailing axes with
 * keepdims = 1. Its Scale (required) and B have the normalized shape x.shape[axis:]: a constant γ/β
 * that broadcasts only along the normalized axes is rewritten to that shape (expanded where it has
 * 1s there); a missing γ becomes ones. A non-constant γ/β is taken only when its shape is exactly the
 * normalized shape — otherwise its Mul/Add stays outside the fused node (still exact).
 *
 * Opset: LayerNormalization is opset 17. Below that the pass raises the model's opset only when
 * `targetOpset` allows it and no other node changes meaning in between (raise-opset.ts); else it
 * declines saying so. ReduceMean's axes are read from the attribute (< 18) or the constant input (≥ 18).
 *
 * Leaves alone (with the reason): reductions over other than trailing axes (instance-norm style
 * [N,H,W] of NCHW), or over axis 0 (a whole-tensor norm: not per sample, its Scale would carry the
 * batch size); different axes in the two means; keepdims = 0; unknown rank or non-static normalized
 * dims; an intermediate read outside the pattern or that is a graph output; a non-scalar ε.
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { expandTo } from './constant-arithmetic.js';
import { constantTensor } from './constant-value.js';
import { constantRank, describeShape, FLOAT_TYPES, otherInput, producerOf, readFloatConstant, readers, regionLeak, scalarValue } from './match.js';
import type { PassOptions } from './pass.js';
import { decline, definePatternPass } from './pattern-pass.js';
import { planOpset, raiseOpset } from './raise-opset.js';
import { addConstant, adoptOutput, removeDeadNodes } from './rewrite.js';

/** Where γ or β comes from: a value usable as is, or constant data to write in the normalized shape. */
type Param = { value: Value } | { data: Float64Array } | undefined;

interface LayerNormMatch {
  x: Value;
  region: Node[];
  result: Value;
  axis: number;
  epsilon: number;
  normalizedDims: number[];
  dtype: number;
  scale: Param;
  bias: Param;
  raiseTo: number | undefined;
}

/** A ReduceMean's axes (attribute before opset 18, constant input from 18); 'all' when none are given. */
function reduceAxes(node: Node, options: PassOptions): number[] | 'all' | string {
  if (node.inputs[1]) {
    const t = constantTensor(node.inputs[1], options);
    if (!t) return `${node.label} reads its axes from a non-constant input`;
    const axes = readTensorAsNumbers(t);
    if (axes.length === 0) return node.intAttribute('noop_with_empty_axes', 0) ? `${node.label} reduces nothing (noop_with_empty_axes)` : 'all';
    return axes;
  }
  const axes = node.intsAttribute('axes');
  if (!axes || axes.length === 0) return node.intAttribute('noop_with_empty_axes', 0) ? `${node.label} reduces nothing (noop_with_empty_axes)` : 'all';
  return axes;
}

/** Normalized, sorted axes for a rank; undefined when out of range. */
function normalizeAxes(axes: number[] | 'all', rank: number): number[] | undefined {
  if (axes === 'all') return Array.from({ length: rank }, (_, i) => i);
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  if (out.some((a) => a < 0 || a >= rank) || new Set(out).size !== out.length) return undefined;
  return out.sort((a, b) => a - b);
}

/** The only reader of `value` with one of the op types, when `value` has exactly that one reader. */
function onlyReaderOf(value: Value | undefined, ...opTypes: string[]): Node | undefined {
  if (!value) return undefined;
  const r = readers(value);
  return r.length === 1 && r[0]!.domain === '' && opTypes.includes(r[0]!.opType) ? r[0] : undefined;
}

/**
 * γ or β as LayerNormalization wants it, or undefined when it cannot be taken (its Mul/Add then stays
 * outside). `rank` is x's rank, `normalizedDims` the static dims of the normalized axes.
 */
function asParam(v: Value, rank: number, normalizedDims: number[], options: PassOptions): Param | 'no' {
  const k = normalizedDims.length;
  const t = constantTensor(v, options);
  if (t) {
    const c = readFloatConstant(t);
    if (!c || c.dims.length > rank) return 'no';
    const aligned = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
    const ok = aligned.every((d, axis) => d === 1 || (axis >= rank - k && d === normalizedDims[axis - (rank - k)]));
    if (!ok) return 'no';
    if (v.initializer && c.dims.length === k && c.dims.every((d, i) => d === normalizedDims[i])) return { value: v };
    return { data: expandTo({ dims: aligned.slice(rank - k), data: c.data }, normalizedDims).data };
  }
  const shape = v.type?.shape;
  if (shape && shape.length === k && shape.every((d, i) => d === normalizedDims[i])) return { value: v };
  return 'no';
}

export default definePatternPass<LayerNormMatch>({
  name: 'fuse_layer_norm',
  kind: 'fuse',
  summary: 'fuse the decomposed LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) into LayerNormalization',
  anchors: ['ReduceMean'],
  needsShapes: true,
  match(mean1, model, options) {
    const x = mean1.inputs[0];
    const mu = mean1.outputs[0];
    if (!x || !mu) return undefined;
    const sub = readers(mu).find((n) => n.opType === 'Sub' && n.domain === '' && n.inputs[0] === x && n.inputs[1] === mu);
    if (!sub || !sub.outputs[0]) return undefined;
    const d = sub.outputs[0];
    const dReaders = readers(d);
    const square = dReaders.find((n) => n.domain === '' && ((n.opType === 'Pow' && n.inputs[0] === d && scalarValue(n.inputs[1], options) === 2) || (n.opType === 'Mul' && n.inputs[0] === d && n.inputs[1] === d)));
    const mean2 = onlyReaderOf(square?.outputs[0], 'ReduceMean');
    const addEps = onlyReaderOf(mean2?.outputs[0], 'Add');
    const sqrt = onlyReaderOf(addEps?.outputs[0], 'Sqrt');
    const sigma = sqrt?.outputs[0];
    if (!square || !mean2 || !addEps || !sqrt || !sigma) return undefined;
    let normalize = readers(sigma).find((n) => n.opType === 'Div' && n.domain === '' && n.inputs[0] === d && n.inputs[1] === sigma);
    let reciprocal: Node | undefined;
    if (!normalize) {
      reciprocal = onlyReaderOf(sigma, 'Reciprocal');
      const r = reciprocal?.outputs[0];
      normalize = r ? readers(r).find((n) => n.opType === 'Mul' && n.domain === '' && otherInput(n, r) === d) : undefined;
    }
    if (!normalize?.outputs[0]) return undefined;
    // The pattern is there; from here on, reasons.

    const epsilonValue = otherInput(addEps, mean2.outputs[0]!);
    const epsilon = scalarValue(epsilonValue, options);
    if (epsilon === undefined) return decline(`epsilon '${epsilonValue?.name}' is not a one-element float constant`);
    const type = x.type;
    const rank = type?.shape?.length;
    if (!type || rank === undefined) return decline(`the rank of '${x.name}' is not known`);
    if (!FLOAT_TYPES.has(type.dtype)) return decline(`'${x.name}' is not a float tensor`);
    if ((constantRank(epsilonValue, options) ?? 0) > rank) return decline('epsilon has a higher rank than x');
    for (const m of [mean1, mean2]) if (m.intAttribute('keepdims', 1) !== 1) return decline(`${m.label} has keepdims=0`);
    const axes1 = reduceAxes(mean1, options);
    const axes2 = reduceAxes(mean2, options);
    if (typeof axes1 === 'string') return decline(axes1);
    if (typeof axes2 === 'string') return decline(axes2);
    const a1 = normalizeAxes(axes1, rank);
    const a2 = normalizeAxes(axes2, rank);
    if (!a1 || !a2) return decline(`reduction axes out of range for rank ${rank}`);
    if (a1.join() !== a2.join()) return decline(`the two ReduceMeans reduce different axes ([${a1}] and [${a2}])`);
    const k = a1.length;
    if (a1.some((a, i) => a !== rank - k + i)) return decline(`normalizes axes [${a1}] of a rank-${rank} input; LayerNormalization normalizes trailing axes`);
    if (a1[0] === 0) return decline(`normalizes every axis of '${x.name}' including axis 0: a whole-tensor norm, not per sample`);
    const normalizedDims = type.shape!.slice(rank - k);
    if (!normalizedDims.every((n): n is number => typeof n === 'number')) return decline(`normalized dims ${describeShape(normalizedDims)} are not static`);

    const region = [mean1, sub, square, mean2, addEps, sqrt, ...(reciprocal ? [reciprocal] : []), normalize];
    let result = normalize.outputs[0];
    let scale: Param = undefined;
    let bias: Param = undefined;
    const mulGamma = onlyReaderOf(result, 'Mul');
    if (mulGamma && !result.isGraphOutput) {
      const g = otherInput(mulGamma, result);
      const p = g && g !== result ? asParam(g, rank, normalizedDims, options) : 'no';
      if (p !== 'no' && mulGamma.outputs[0]) {
        scale = p;
        region.push(mulGamma);
        result = mulGamma.outputs[0];
      }
    }
    const addBeta = onlyReaderOf(result, 'Add');
    if (addBeta && !result.isGraphOutput) {
      const b = otherInput(addBeta, result);
      const p = b && b !== result ? asParam(b, rank, normalizedDims, options) : 'no';
      if (p !== 'no' && addBeta.outputs[0]) {
        bias = p;
        region.push(addBeta);
        result = addBeta.outputs[0];
      }
    }
    const leak = regionLeak(region, result);
    if (leak) return decline(leak);
    if (region.some((n) => n.graph !== mean1.graph)) return decline('the pattern spans a subgraph boundary');
    const plan = planOpset(model, 17, options, 'LayerNormalization');
    if (!plan.ok) return decline(plan.reason);
    return { x, region, result, axis: -k, epsilon, normalizedDims, dtype: type.dtype, scale, bias, raiseTo: plan.raiseTo };
  },
  rewrite(m, model, options) {
    const graph = m.region[0]!.graph;
    const hint = m.result.name;
    const valueOf = (p: Param, what: string, fill: number): Value | undefined => {
      if (p && 'value' in p) return p.value;
      const data = p ? p.data : new Float64Array(m.normalizedDims.reduce((a, b) => a * b, 1)).fill(fill);
      return addConstant(graph, `${hint}_${what}`, m.dtype, m.normalizedDims, data);
    };
    const scale = valueOf(m.scale, 'scale', 1);
    const bias = m.bias ? valueOf(m.bias, 'bias', 0) : undefined;
    const ln = graph.addNode({
      opType: 'LayerNormalization',
      name: nameFor(m.region[0]!),
      inputs: bias ? [m.x, scale, bias] : [m.x, scale],
      attributes: { axis: { int: m.axis }, epsilon: { float: m.epsilon } },
      before: m.region[m.region.length - 1],
    });
    adoptOutput(ln, 0, m.result);
    removeDeadNodes(m.region, options);
    if (m.raiseTo !== undefined && (model.opsetVersion('') ?? 0) < m.raiseTo) raiseOpset(model, m.raiseTo);
  },
});

/** "/encoder/LayerNorm/ReduceMean" → "/encoder/LayerNorm/LayerNormalization": torch names keep the module path. */
function nameFor(first: Node): string {
  const name = first.name ?? '';
  const slash = name.lastIndexOf('/');
  return slash > 0 ? `${name.slice(0, slash)}/LayerNormalization` : 'LayerNormalization';
}
