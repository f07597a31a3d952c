/**
 * Does: a LayerNorm spelled out in elementwise ops and reductions → LayerNormalization(x, γ, β,
 * axis = −k, epsilon = ε), k = the number of reduced (trailing) axes. Two spellings are read:
 *   torch / Paddle:  μ = ReduceMean(x)   d = Sub(x, μ)   v = ReduceMean(Pow(d, 2) | Mul(d, d))
 *   JAX / TF (Magika): means as ReduceSum(·)·(1/n) with keepdims=0, broadcast back by
 *                    Reshape/Expand/Unsqueeze; v = Max(0, mean(x²) − μ²)
 * then σ = Sqrt(Add(v, ε)); n = Div(d, σ) | Mul(d, Reciprocal(σ)) | Mul(d, Reciprocal(σ)·γ);
 * y = Add(Mul(n, γ), β), γ and β each optional, operands in either order. The match starts at the Sqrt.
 *
 * LayerNormalization normalises x over axes [axis, rank) with the population variance, which both
 * spellings compute (mean(x²) − μ² is the same number up to rounding; the fused op computes it the
 * more accurate way). So the rewrite holds when both means reduce the same trailing axes and come
 * back at x's rank (keepdims=1, or wrappers whose inferred shape is x's shape with those axes 1). Its
 * Scale (required) and B have the normalized shape x.shape[axis:]: a constant γ/β that broadcasts only
 * along the normalized axes is rewritten to that shape (expanded where it has 1s there); a missing γ
 * becomes ones. A non-constant γ/β is taken only when its shape is exactly the normalized shape —
 * otherwise its Mul/Add stays outside the fused node (still exact).
 *
 * Opset: LayerNormalization is opset 17. Below that the pass raises the model's opset only when
 * `targetOpset` allows it and no other node changes meaning in between (raise-opset.ts); else it
 * declines saying so. Reduce axes are read from the attribute or the constant input, by opset.
 *
 * Leaves alone (with the reason): reductions over other than trailing axes (instance-norm style
 * [N,H,W] of NCHW, Magika's axis 1 of [N,512,256]), or over axis 0 (a whole-tensor norm: not per
 * sample, its Scale would carry the batch size — person-reidentification-retail-0288); different axes
 * in the two means; keepdims = 0 not broadcast back; unknown rank or non-static normalized dims; an
 * intermediate read outside the pattern or that is a graph output; a γ folded into 1/σ that is not of
 * the normalized shape.
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import type { Value } from '../ir/value.js';
import { expandTo } from './constant-arithmetic.js';
import { constantTensor } from './constant-value.js';
import { constantRank, describeShape, FLOAT_TYPES, otherInput, producerOf, readFloatConstant, readers, regionLeak, scalarValue } from './match.js';
import { defineRulePass, fail, type PassOptions } from './pass.js';
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

/** A mean over axes: ReduceMean, or ReduceSum times 1/n (or divided by n) as TF and JAX export it. */
interface Mean {
  of: Value;
  nodes: Node[];
  keepdims: boolean;
  /** Normalized axes, or the reason they are not known. */
  axes: number[] | string;
}

function meanOf(v: Value | undefined, options: PassOptions): Mean | undefined {
  const p = v?.producer;
  if (!p || p.domain !== '') return undefined;
  const describe = (reduce: Node): Omit<Mean, 'nodes'> | undefined => {
    const of = reduce.inputs[0];
    if (!of) return undefined;
    const rank = of.type?.shape?.length;
    const spec = reduceAxes(reduce, options);
    const axes = typeof spec === 'string' ? spec
      : rank === undefined ? `the rank of '${of.name}' is not known`
        : normalizeAxes(spec, rank) ?? `reduction axes out of range for rank ${rank}`;
    return { of, keepdims: reduce.intAttribute('keepdims', 1) === 1, axes };
  };
  if (p.opType === 'ReduceMean') {
    const m = describe(p);
    return m && { ...m, nodes: [p] };
  }
  if (p.opType !== 'Mul' && p.opType !== 'Div') return undefined;
  for (const side of p.opType === 'Mul' ? [0, 1] : [0]) {
    const sum = producerOf(p.inputs[side], 'ReduceSum');
    const c = scalarValue(p.inputs[1 - side], options);
    if (!sum || c === undefined) continue;
    const m = describe(sum);
    if (!m || typeof m.axes === 'string') return undefined;
    const shape = m.of.type?.shape ?? [];
    const counts = m.axes.map((a) => shape[a]);
    if (!counts.every((d): d is number => typeof d === 'number')) return undefined;
    const n = counts.reduce((a, b) => a * b, 1);
    const isMean = p.opType === 'Mul' ? Math.abs(c * n - 1) <= 1e-6 : Math.abs(c - n) <= 1e-6 * n;
    return isMean ? { ...m, nodes: [sum, p] } : undefined;
  }
  return undefined;
}

/** Reshape/Expand/Unsqueeze around a value (how keepdims=0 results are broadcast back): the core and the wrappers. */
function peel(v: Value): { core: Value; wrappers: Node[] } {
  const wrappers: Node[] = [];
  let core = v;
  for (let p = core.producer; p && p.domain === '' && ['Reshape', 'Expand', 'Unsqueeze'].includes(p.opType) && p.inputs[0]; p = core.producer) {
    wrappers.push(p);
    core = p.inputs[0];
  }
  return { core, wrappers };
}

/** a when `v` is Pow(a, 2) or Mul(a, a). */
function squareOf(v: Value | undefined, options: PassOptions): { of: Value; node: Node } | undefined {
  const p = v?.producer;
  if (!p || p.domain !== '' || !p.inputs[0]) return undefined;
  if (p.opType === 'Pow' && scalarValue(p.inputs[1], options) === 2) return { of: p.inputs[0], node: p };
  if (p.opType === 'Mul' && p.inputs[0] === p.inputs[1]) return { of: p.inputs[0], node: p };
  return undefined;
}

function sameShape(a: readonly (number | string | null)[] | undefined, b: readonly (number | string | null)[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
}

/** The statistics half of a LayerNorm, found from the variance under Sqrt(Add(·, ε)). */
interface Statistics {
  x: Value;
  /** Sub(x, μ): the centred value the normalization divides. */
  centred: Node;
  means: Mean[];
  /** Values that must be the mean broadcast back to x's rank: [what the Sub reads, what the Add reads]. */
  kept: { value: Value; wrappers: Node[]; mean: Mean }[];
  nodes: Node[];
}

/**
 * The variance two ways: mean((x − μ)²) (torch, Paddle) or max(0, mean(x²) − μ²) (JAX/TF), each
 * mean possibly a ReduceSum·(1/n) with keepdims=0 broadcast back by Reshape/Expand.
 */
function statistics(varianceKept: Value, options: PassOptions): Statistics | undefined {
  const { core, wrappers: varianceWrappers } = peel(varianceKept);
  const m2 = meanOf(core, options);
  const sq = m2 && squareOf(m2.of, options);
  const sub = sq && producerOf(sq.of, 'Sub');
  if (m2 && sq && sub?.inputs[0] && sub.inputs[1]) {
    // mean((x − μ)²)
    const x = sub.inputs[0];
    const mu = peel(sub.inputs[1]);
    const m1 = meanOf(mu.core, options);
    if (!m1 || m1.of !== x) return undefined;
    return {
      x, centred: sub, means: [m1, m2],
      kept: [{ value: sub.inputs[1], wrappers: mu.wrappers, mean: m1 }, { value: varianceKept, wrappers: varianceWrappers, mean: m2 }],
      nodes: [...m1.nodes, ...mu.wrappers, sub, sq.node, ...m2.nodes, ...varianceWrappers],
    };
  }
  // max(0, mean(x²) − μ²)
  let difference = core;
  const max = producerOf(core, 'Max');
  if (max && max.inputs.length === 2) {
    const zero = max.inputs.findIndex((v) => scalarValue(v, options) === 0);
    if (zero < 0) return undefined;
    difference = max.inputs[1 - zero]!;
  }
  const minus = producerOf(difference, 'Sub');
  const e2 = meanOf(minus?.inputs[0], options);
  const muSquared = squareOf(minus?.inputs[1], options);
  const m1 = meanOf(muSquared?.of, options);
  const x = m1?.of;
  const xSquared = squareOf(e2?.of, options);
  if (!minus || !e2 || !muSquared || !m1 || !x || !xSquared || xSquared.of !== x) return undefined;
  // mean(x²) − μ² must subtract like-shaped means, or it broadcasts to something else.
  if (e2.keepdims !== m1.keepdims) return undefined;
  const mu = muSquared.of;
  const centred = readers(x).find((n) => n.opType === 'Sub' && n.domain === '' && n.inputs[0] === x && n.inputs[1] && peel(n.inputs[1]).core === mu);
  if (!centred) return undefined;
  const muWrappers = peel(centred.inputs[1]!).wrappers;
  return {
    x, centred, means: [m1, e2],
    kept: [{ value: centred.inputs[1]!, wrappers: muWrappers, mean: m1 }, { value: varianceKept, wrappers: varianceWrappers, mean: e2 }],
    nodes: [...m1.nodes, muSquared.node, ...e2.nodes, xSquared.node, minus, ...(max ? [max] : []), ...varianceWrappers, ...muWrappers, centred],
  };
}

export default defineRulePass<LayerNormMatch>({
  name: 'fuse_layer_norm',
  kind: 'fuse',
  summary: 'fuse a decomposed LayerNorm (torch: ReduceMean, Sub, Pow, …, Div; JAX/TF: E[x²] − μ²) into LayerNormalization',
  opTypes: ['Sqrt'],
  needsShapes: true,
  match(sqrt, model, options) {
    const sigma = sqrt.outputs[0];
    const addEps = producerOf(sqrt.inputs[0], 'Add');
    if (!sigma || !addEps) return undefined;
    const epsSide = [0, 1].find((i) => scalarValue(addEps.inputs[i], options) !== undefined);
    if (epsSide === undefined || !addEps.inputs[1 - epsSide]) return undefined;
    const stats = statistics(addEps.inputs[1 - epsSide]!, options);
    if (!stats) return undefined;
    const { x, centred } = stats;
    const d = centred.outputs[0];
    if (!d) return undefined;
    // σ divides d: Div(d, σ), Mul(d, 1/σ), or Mul(d, (1/σ)·γ) with γ folded into the inverse.
    let normalize = readers(sigma).find((n) => n.opType === 'Div' && n.domain === '' && n.inputs[0] === d && n.inputs[1] === sigma);
    let reciprocal: Node | undefined;
    let gammaInInverse: { node: Node; gamma: Value } | undefined;
    if (!normalize) {
      reciprocal = onlyReaderOf(sigma, 'Reciprocal');
      const r = reciprocal?.outputs[0];
      normalize = r ? readers(r).find((n) => n.opType === 'Mul' && n.domain === '' && otherInput(n, r) === d) : undefined;
      const scaled = r && !normalize ? onlyReaderOf(r, 'Mul') : undefined;
      const gamma = scaled && otherInput(scaled, r!);
      const scaledOut = scaled?.outputs[0];
      if (scaled && gamma && gamma !== d && scaledOut) {
        gammaInInverse = { node: scaled, gamma };
        normalize = readers(scaledOut).find((n) => n.opType === 'Mul' && n.domain === '' && otherInput(n, scaledOut) === d);
      }
    }
    if (!normalize?.outputs[0]) return undefined;
    // The pattern is there; from here on, reasons.

    const epsilonValue = addEps.inputs[epsSide];
    const epsilon = scalarValue(epsilonValue, options)!;
    const type = x.type;
    const rank = type?.shape?.length;
    if (!type || rank === undefined) return fail(`the rank of '${x.name}' is not known`);
    if (!FLOAT_TYPES.has(type.dtype)) return fail(`'${x.name}' is not a float tensor`);
    if ((constantRank(epsilonValue, options) ?? 0) > rank) return fail('epsilon has a higher rank than x');
    const [a1, a2] = stats.means.map((m) => m.axes);
    if (typeof a1 === 'string') return fail(a1);
    if (typeof a2 === 'string') return fail(a2);
    if (a1!.join() !== a2!.join()) return fail(`the two means reduce different axes ([${a1}] and [${a2}])`);
    const axes = a1!;
    const k = axes.length;
    if (axes.some((a, i) => a !== rank - k + i)) return fail(`normalizes axes [${axes}] of a rank-${rank} input; LayerNormalization normalizes trailing axes`);
    if (axes[0] === 0) return fail(`normalizes every axis of '${x.name}' including axis 0: a whole-tensor norm, not per sample`);
    const keptShape = type.shape!.map((dim, i) => (i >= rank - k ? 1 : dim));
    for (const kept of stats.kept) {
      const ok = kept.wrappers.length === 0
        ? kept.mean.keepdims
        : kept.wrappers.every((w) => sameShape(w.outputs[0]?.type?.shape, keptShape));
      if (!ok) {
        return fail(kept.wrappers.length === 0
          ? `${kept.mean.nodes[0]!.label} has keepdims=0`
          : `'${kept.value.name}' is not known to be the mean broadcast back to ${describeShape(keptShape)}`);
      }
    }
    const normalizedDims = type.shape!.slice(rank - k);
    if (!normalizedDims.every((n): n is number => typeof n === 'number')) return fail(`normalized dims ${describeShape(normalizedDims)} are not static`);

    const region = [...stats.nodes, addEps, sqrt, ...(reciprocal ? [reciprocal] : []), ...(gammaInInverse ? [gammaInInverse.node] : []), normalize];
    let result = normalize.outputs[0];
    let scale: Param = undefined;
    let bias: Param = undefined;
    if (gammaInInverse) {
      const p = asParam(gammaInInverse.gamma, rank, normalizedDims, options);
      if (p === 'no') return fail(`γ '${gammaInInverse.gamma.name}' does not have the normalized shape ${describeShape(normalizedDims)}`);
      scale = p;
    } else {
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
    const unique = [...new Set(region)];
    const leak = regionLeak(unique, result);
    if (leak) return fail(leak);
    if (unique.some((n) => n.graph !== sqrt.graph)) return fail('the pattern spans a subgraph boundary');
    const plan = planOpset(model, 17, options, 'LayerNormalization');
    if (!plan.ok) return fail(plan.reason);
    return { x, region: unique, result, axis: -k, epsilon, normalizedDims, dtype: type.dtype, scale, bias, raiseTo: plan.raiseTo };
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
