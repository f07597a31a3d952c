/**
 * Does: Transpose(f(Transpose(x, P), c), P⁻¹) → f(x, c') — Transposes with the same perm that feed a
 * region of layout-agnostic ops (elementwise, and reductions with keepdims=1) move through it, so
 * they cancel against inverse Transposes after it. tf2onnx writes NHWC graphs as Transpose → Conv →
 * Transpose around every convolution; the elementwise ops between two convolutions then run in NHWC
 * between a pair of Transposes that only cancel once the ops in between are moved to NCHW. What
 * onnxruntime's transpose optimizer does at level `basic`.
 *
 * Maths: f elementwise ⇒ f(T(a, P), T(b, P)) = T(f(a, b), P). So the region computes on the
 * untransposed values instead (call them x-layout: v' = T(v, P⁻¹) for each region value v):
 *  - an entry y = T(x, P) gives y' = x (the entry goes);
 *  - a constant c is broadcast to rank r (leading 1s, numpy's rule) and transposed by P⁻¹;
 *  - a scalar or all-ones input is the same in both layouts and stays; so does an all-ones region
 *    value (a full reduction's result): what reads it is left where it is;
 *  - any other input u (rank r) becomes T(u, P⁻¹) — a new Transpose — unless it is made by a chain
 *    of such ops (each with one non-constant input, read only by the region) that starts at a
 *    Transpose with perm P (another entry) or at a Reshape to a static shape whose transpose by P⁻¹
 *    keeps the elements in order (that Reshape gets the transposed target instead);
 *  - a reduction over axes A becomes one over P[a] for a in A (keepdims keeps the rank);
 *  - a Transpose(v, Q) after the region reads v' with perm p[j] = P[Q[j]] — none at all when that is
 *    the identity (Q = P⁻¹: the pair cancels; when its result is a graph output, the node making v
 *    makes that output instead, under its name);
 *  - anything else reading a region value (or a graph output) gets T(v', P), under v's own name.
 * The rewrite happens only when it removes more Transposes than it adds (entries and cancelled
 * exits against inserted input Transposes and re-made outputs), so every rewrite makes the model
 * strictly smaller in Transposes and the pipeline cannot cycle.
 *
 * Leaves alone (with the reason, when a region was found): a region whose rewrite would not remove
 * more Transposes than it adds. Not part of a region: ops with legacy broadcasting (a `broadcast`
 * attribute), reductions with keepdims=0 or axes that are not constant, non-constant inputs of a
 * lower rank that are not all ones (they would need an Unsqueeze too), constants that cannot be read
 * as numbers, readers in another graph (treated as outside readers), multi-output ops.
 */
import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { makeTensor, readTensorAsNumbers, readTensorData, tensorDims } from '../ir/tensor-data.js';
import type { Dim } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import { addTensorConstant } from './add-tensor-constant.js';
import { lookupConstant, readers } from './match.js';
import type { Pass, PassContext, PassOptions, PassResult } from './pass.js';
import { adoptOutput, dropIfUnused, tidyValueInfos } from './rewrite.js';

/** Ops whose every input is data under numpy broadcasting (one input for the unary ones). */
const ELEMENTWISE = new Set([
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Erf', 'Exp', 'Floor', 'Log',
  'Neg', 'Not', 'Reciprocal', 'Relu', 'Round', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Softsign', 'Sqrt',
  'Tan', 'Tanh', 'IsNaN', 'IsInf', 'Elu', 'Selu', 'Celu', 'LeakyRelu', 'ThresholdedRelu', 'HardSigmoid',
  'HardSwish', 'Shrink', 'Mish', 'Gelu', 'Clip', 'Cast', 'Identity', 'BitwiseNot',
  'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'BitShift', 'BitwiseAnd', 'BitwiseOr',
  'BitwiseXor', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Where', 'PRelu',
]);

const REDUCTIONS = new Set([
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare',
]);

/** Constants up to this many elements are transposed; bigger ones make the op a region boundary. */
const MAX_CONSTANT_ELEMENTS = 1 << 24;
/** How far a chain feeding the region is followed up. */
const MAX_CHAIN = 16;

type InputRole = 'keep' | 'constant' | 'transpose';

interface Region {
  graph: Graph;
  /** The entries' perm P and its inverse. */
  perm: number[];
  inverse: number[];
  rank: number;
  /** Transposes with perm P whose outputs the region reads. */
  entries: Set<Node>;
  /** The layout-agnostic nodes that will compute in x-layout. */
  nodes: Set<Node>;
  /** Entry and region-node outputs (y-layout values). */
  yValues: Set<Value>;
  /** Transposes reading a region value. */
  exits: Set<Node>;
  /** Reshapes (by output) whose target is transposed instead of inserting a Transpose. */
  reshapes: Map<Value, Node>;
  /**
   * Cancelling exits whose result is a graph output, by the region value they read: the region node
   * making that value computes the graph output itself instead, under its name.
   */
  adopted: Map<Value, Node>;
}

const pass: Pass = {
  name: 'fuse_transposes_through_elementwise',
  kind: 'fuse',
  summary: 'move Transposes through elementwise ops and keepdims reductions so that inverse pairs cancel',
  run(model, ctx: PassContext): PassResult {
    if (!hasTranspose(model.graph)) return { modified: false, stats: { applied: 0, declined: 0, removed: 0 } };
    try {
      inferShapes(model);
    } catch {
      // Without shapes only constants and y-values can be classified; regions shrink accordingly.
    }
    let applied = 0;
    let declined = 0;
    let removed = 0;
    for (const graph of [...model.graph.allGraphs()]) {
      const visited = new Set<Node>();
      for (const seed of graph.topologicalOrder()) {
        if (!seed.inGraph || !isTranspose(seed) || visited.has(seed)) continue;
        const region = buildRegion(seed, ctx.options);
        if (!region) continue;
        for (const e of region.entries) visited.add(e);
        if (region.nodes.size === 0) continue;
        const { gone, added } = cost(region, ctx.options);
        if (added >= gone) {
          declined++;
          ctx.decline(pass.name, seed, `moving Transpose perm [${region.perm.join(',')}] through ${region.nodes.size} node(s) would remove ${gone} Transpose(s) and add ${added}`);
          continue;
        }
        apply(region, ctx.options);
        applied++;
        removed += gone - added;
      }
    }
    return { modified: applied > 0, stats: { applied, declined, removed } };
  },
};
export default pass;

function hasTranspose(graph: Graph): boolean {
  for (const g of graph.allGraphs()) if (g.nodes.some(isTranspose)) return true;
  return false;
}

function isTranspose(node: Node): boolean {
  return node.domain === '' && node.opType === 'Transpose' && node.inputs[0] !== undefined && node.outputs[0] !== undefined;
}

/** A Transpose's perm; a missing one reverses the axes (rank from the input's type). */
function permOf(node: Node): number[] | undefined {
  const perm = node.intsAttribute('perm');
  if (perm) return perm;
  const rank = node.inputs[0]?.type?.shape?.length;
  return rank === undefined ? undefined : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

function invert(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

const isIdentity = (p: readonly number[]): boolean => p.every((v, i) => v === i);
const samePerm = (a: readonly number[] | undefined, b: readonly number[]): boolean => !!a && a.length === b.length && a.every((v, i) => v === b[i]);
/** out[j] = dims[perm[j]]: the shape of T(v, perm). */
const permute = <T>(dims: readonly T[], perm: readonly number[]): T[] => perm.map((p) => dims[p]!);

function isAllOnes(shape: readonly Dim[] | undefined): boolean {
  return shape !== undefined && shape.every((d) => d === 1);
}

/**
 * Whether a node computes the same in either layout (its kind), and which of its inputs are data
 * (the rest — a reduction's axes — are rewritten separately). Undefined when it is no region node.
 */
function agnostic(node: Node, graph: Graph, options: PassOptions): { kind: 'elementwise' | 'reduce'; data: number[] } | undefined {
  if (node.domain !== '' || node.graph !== graph || node.subgraphs.length > 0) return undefined;
  if (node.outputs.length !== 1 || !node.outputs[0]) return undefined;
  if (ELEMENTWISE.has(node.opType)) {
    if (node.intAttribute('broadcast', 0) !== 0) return undefined;
    return { kind: 'elementwise', data: node.inputs.flatMap((v, i) => (v ? [i] : [])) };
  }
  if (REDUCTIONS.has(node.opType)) {
    if (node.intAttribute('keepdims', 1) !== 1 || !node.inputs[0]) return undefined;
    if (node.inputs[1] && 'reason' in lookupConstant(node.inputs[1], options)) return undefined;
    return { kind: 'reduce', data: [0] };
  }
  return undefined;
}

/** How a non-region input u of a region node is brought into x-layout; undefined when it cannot be. */
function roleOf(u: Value, rank: number, options: PassOptions): InputRole | undefined {
  const found = lookupConstant(u, options);
  if ('tensor' in found) {
    const dims = safeDims(found.tensor);
    if (!dims || dims.length > rank) return undefined;
    if (isAllOnes(dims)) return 'keep';
    return readableStorage(found.tensor) ? 'constant' : undefined;
  }
  const shape = u.type?.shape;
  if (!shape || shape.length > rank) return undefined;
  if (isAllOnes(shape)) return 'keep';
  return shape.length === rank ? 'transpose' : undefined;
}

function safeDims(t: TensorProto): number[] | undefined {
  try {
    return tensorDims(t);
  } catch {
    return undefined;
  }
}

/** The tensor's storage array when it holds one value per element (not complex, strings, external). */
function readableStorage(t: TensorProto): ArrayLike<number | bigint> | undefined {
  try {
    const dims = tensorDims(t);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count > MAX_CONSTANT_ELEMENTS) return undefined;
    const data = readTensorData(t);
    return data.length === count ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Grows the region from `seed` (see the file header); undefined when the seed's perm is not known. */
function buildRegion(seed: Node, options: PassOptions): Region | undefined {
  const perm = permOf(seed);
  if (!perm || perm.length === 0 || isIdentity(perm)) return undefined;
  const region: Region = {
    graph: seed.graph, perm, inverse: invert(perm), rank: perm.length,
    entries: new Set(), nodes: new Set(), yValues: new Set(), exits: new Set(), reshapes: new Map(), adopted: new Map(),
  };
  const pending: Value[] = [];
  const addEntry = (t: Node) => {
    region.entries.add(t);
    region.yValues.add(t.outputs[0]!);
    pending.push(t.outputs[0]!);
  };
  const addNode = (n: Node) => {
    region.nodes.add(n);
    region.yValues.add(n.outputs[0]!);
    pending.push(n.outputs[0]!);
  };
  addEntry(seed);
  for (let grown = true; grown;) {
    grown = false;
    while (pending.length > 0) {
      const v = pending.pop()!;
      // An all-ones value is the same tensor in either layout: its readers need not move.
      if (isAllOnes(v.type?.shape) && !region.entries.has(v.producer!)) continue;
      for (const n of readers(v)) {
        if (region.nodes.has(n) || region.exits.has(n) || region.entries.has(n) || n.graph !== region.graph) continue;
        if (isTranspose(n)) {
          const q = permOf(n);
          if (!q || q.length !== region.rank) continue;
          if (isIdentity(permute(perm, q)) && n.outputs[0]!.isGraphOutput) {
            // The graph output keeps its name by being made by v's producer; an entry's input is made
            // elsewhere, and one node makes one such output: otherwise the exit stays, outside.
            if (region.entries.has(v.producer!) || region.adopted.has(v)) continue;
            region.adopted.set(v, n);
          }
          region.exits.add(n);
          continue;
        }
        if (admissible(n, region, options)) addNode(n);
      }
    }
    // Inputs that would need a Transpose: try to bring in what makes them instead.
    for (const n of [...region.nodes]) {
      const info = agnostic(n, region.graph, options)!;
      for (const i of info.data) {
        const u = n.inputs[i]!;
        if (region.yValues.has(u) || region.reshapes.has(u) || roleOf(u, region.rank, options) !== 'transpose') continue;
        const found = pullUp(u, region, options);
        if (!found) continue;
        for (const c of found.chain) addNode(c);
        if (found.entry) addEntry(found.entry);
        if (found.reshape) region.reshapes.set(found.reshape.outputs[0]!, found.reshape);
        grown = true;
      }
    }
  }
  return region;
}

/** Whether `n`, reading a region value, can join the region. */
function admissible(n: Node, region: Region, options: PassOptions): boolean {
  const info = agnostic(n, region.graph, options);
  if (!info) return false;
  if (info.kind === 'reduce' && !region.yValues.has(n.inputs[0]!)) return false;
  return info.data.every((i) => {
    const u = n.inputs[i]!;
    return region.yValues.has(u) || roleOf(u, region.rank, options) !== undefined;
  });
}

/**
 * Follows u up through single-data-input agnostic ops read only by the region, to a Transpose with
 * the region's perm (a new entry) or a Reshape whose target can be transposed; undefined when the
 * chain ends anywhere else (then u gets a Transpose of its own).
 */
function pullUp(u: Value, region: Region, options: PassOptions): { chain: Node[]; entry?: Node; reshape?: Node } | undefined {
  const chain: Node[] = [];
  let cur = u;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (cur.isGraphOutput || region.yValues.has(cur)) return undefined;
    if (readers(cur).some((r) => !region.nodes.has(r) && !chain.includes(r))) return undefined;
    const p = cur.producer;
    if (!p || p.graph !== region.graph || p.domain !== '' || !p.inGraph) return undefined;
    if (isTranspose(p) && samePerm(permOf(p), region.perm)) return { chain, entry: p };
    if (p.opType === 'Reshape' && retargetable(p, region)) return { chain, reshape: p };
    const info = agnostic(p, region.graph, options);
    if (!info) return undefined;
    let next: Value | undefined;
    for (const i of info.data) {
      const role = roleOf(p.inputs[i]!, region.rank, options);
      if (role === undefined) return undefined;
      if (role !== 'transpose') continue;
      if (next) return undefined;
      next = p.inputs[i]!;
    }
    if (!next || (info.kind === 'reduce' && next !== p.inputs[0])) return undefined;
    chain.push(p);
    cur = next;
  }
  return undefined;
}

/**
 * A Reshape whose output (static shape, rank r, no zero dims) transposed by P⁻¹ keeps its elements in
 * order — only size-1 axes move — so reshaping straight to the transposed shape gives that value.
 */
function retargetable(reshape: Node, region: Region): boolean {
  const shape = reshape.outputs[0]?.type?.shape;
  if (!reshape.inputs[0] || !shape || shape.length !== region.rank || !shape.every((d) => typeof d === 'number' && d > 0)) return false;
  const order = region.inverse.filter((axis) => shape[axis] !== 1);
  return order.every((axis, i) => i === 0 || axis > order[i - 1]!);
}

/** Transposes the rewrite removes and adds. */
function cost(region: Region, options: PassOptions): { gone: number; added: number } {
  let gone = region.entries.size;
  for (const x of region.exits) if (isIdentity(permute(region.perm, permOf(x)!))) gone++;
  let added = 0;
  const inserted = new Set<Value>();
  for (const n of region.nodes) {
    for (const i of agnostic(n, region.graph, options)!.data) {
      const u = n.inputs[i]!;
      if (region.yValues.has(u) || region.reshapes.has(u) || inserted.has(u)) continue;
      if (roleOf(u, region.rank, options) === 'transpose') inserted.add(u);
    }
  }
  added += inserted.size;
  // Entry outputs read outside keep their entry; region values read outside get a Transpose back.
  for (const v of region.yValues) if (readOutside(v, region)) added++;
  return { gone, added };
}

/** Whether a region value must still exist in y-layout after the rewrite. */
function readOutside(v: Value, region: Region): boolean {
  if (isAllOnes(v.type?.shape) && !region.entries.has(v.producer!)) return false;
  return v.isGraphOutput || v.uses.some((u) => !region.nodes.has(u.node) && !region.exits.has(u.node));
}

function apply(region: Region, options: PassOptions): void {
  const { graph, perm, inverse } = region;
  const xLayout = new Map<Value, Value>();
  for (const e of region.entries) xLayout.set(e.outputs[0]!, e.inputs[0]!);
  const freshOutput = (node: Node, v: Value): Value => {
    const fresh = graph.createValue(`${v.name}_transposed`);
    fresh.producer = node;
    node.outputs[0] = fresh;
    const t = v.type;
    if (t) fresh.inferred = { dtype: t.dtype, shape: t.shape ? permute(t.shape, inverse) : undefined };
    return fresh;
  };
  const outsideRead = new Set([...region.yValues].filter((v) => readOutside(v, region)));
  const replaced: Value[] = [];
  for (const n of region.nodes) {
    const v = n.outputs[0]!;
    const exit = region.adopted.get(v);
    if (exit) {
      const w = exit.outputs[0]!;
      exit.outputs[0] = undefined;
      n.outputs[0] = w;
      w.producer = n;
      xLayout.set(v, w);
      replaced.push(v);
    } else if (isAllOnes(v.type?.shape)) xLayout.set(v, v);
    else {
      xLayout.set(v, freshOutput(n, v));
      replaced.push(v);
    }
  }

  // Inputs from outside the region, each converted once.
  const converted = new Map<Value, Value>();
  const dropped: Value[] = [];
  const convert = (u: Value, before: Node): Value => {
    const done = converted.get(u);
    if (done) return done;
    let out = u;
    const reshape = region.reshapes.get(u);
    if (reshape) {
      const shape = permute(u.type!.shape as number[], inverse);
      const oldTarget = reshape.inputs[1];
      reshape.setInput(1, addTensorConstant(graph, `${u.name}_shape`, makeTensor('', DataType.INT64!, [shape.length], shape.map(BigInt))));
      if (oldTarget) dropped.push(oldTarget);
      out = freshOutput(reshape, u);
      replaced.push(u);
    } else {
      const role = roleOf(u, region.rank, options);
      if (role === 'constant') {
        out = addTensorConstant(graph, `${u.name}_transposed`, transposeConstant((lookupConstant(u, options) as { tensor: TensorProto }).tensor, region.rank, inverse));
        dropped.push(u);
      } else if (role === 'transpose') {
        const t = graph.addNode({ opType: 'Transpose', name: `${u.name}_transpose`, inputs: [u], attributes: { perm: { ints: inverse } }, outputs: [`${u.name}_transposed`], before });
        out = t.outputs[0]!;
        if (u.type) out.inferred = { dtype: u.type.dtype, shape: u.type.shape ? permute(u.type.shape, inverse) : undefined };
      }
    }
    converted.set(u, out);
    return out;
  };
  for (const n of region.nodes) {
    const info = agnostic(n, graph, options)!;
    for (const i of info.data) {
      const u = n.inputs[i]!;
      n.setInput(i, xLayout.get(u) ?? convert(u, n));
    }
    if (info.kind === 'reduce') remapAxes(n, perm, options);
  }

  for (const x of region.exits) {
    const v = x.inputs[0]!;
    const p = permute(perm, permOf(x)!);
    if (isIdentity(p)) {
      if (x.outputs[0]) graph.replaceAllUsesWith(x.outputs[0], xLayout.get(v)!);
      graph.removeNode(x);
    } else {
      x.setInput(0, xLayout.get(v)!);
      x.setAttribute('perm', { ints: p });
    }
  }

  // Region values still read in y-layout are made again from their x-layout value, under their name.
  for (const v of replaced) {
    if (!outsideRead.has(v) || region.reshapes.has(v)) {
      v.producer = undefined;
      if (graph.values.get(v.name) === v) graph.values.delete(v.name);
      continue;
    }
    const t = graph.addNode({ opType: 'Transpose', name: `${v.name}_transpose`, inputs: [xLayout.get(v)!], attributes: { perm: { ints: perm } }, outputs: [`${v.name}_y`] });
    adoptOutput(t, 0, v);
  }
  tidyValueInfos(graph);
  for (const e of region.entries) {
    const y = e.outputs[0]!;
    if (y.uses.length === 0 && !y.isGraphOutput) graph.removeNode(e);
  }
  for (const v of dropped) dropIfUnused(v, options);
}

/** A reduction's axes A → P[A] (keepdims=1 keeps every axis in place). No axes: all of them, as before. */
function remapAxes(node: Node, perm: readonly number[], options: PassOptions): void {
  const rank = perm.length;
  const map = (axes: readonly number[]) => axes.map((a) => perm[a < 0 ? a + rank : a]!).sort((a, b) => a - b);
  const input = node.inputs[1];
  if (input) {
    const axes = readTensorAsNumbers((lookupConstant(input, options) as { tensor: TensorProto }).tensor);
    const mapped = map(axes);
    node.setInput(1, addTensorConstant(node.graph, `${input.name}_transposed`, makeTensor('', DataType.INT64!, [mapped.length], mapped.map(BigInt))));
    dropIfUnused(input, options);
    return;
  }
  const axes = node.intsAttribute('axes');
  if (axes) node.setAttribute('axes', { ints: map(axes) });
}

/** `t` broadcast to `rank` (leading 1s) and transposed: out[j] = aligned[perm[j]]. */
function transposeConstant(t: TensorProto, rank: number, perm: readonly number[]): TensorProto {
  const dims = tensorDims(t);
  const aligned = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const data = readTensorData(t);
  const outDims = permute(aligned, perm);
  const strides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; s *= aligned[i]!, i--) strides[i] = s;
  const out = new (data.constructor as new (n: number) => typeof data)(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < data.length; k++) {
    let from = 0;
    for (let j = 0; j < rank; j++) from += index[j]! * strides[perm[j]!]!;
    (out as unknown as (number | bigint)[])[k] = (data as unknown as (number | bigint)[])[from]!;
    for (let j = rank - 1; j >= 0; j--) {
      if (++index[j]! < outDims[j]!) break;
      index[j] = 0;
    }
  }
  return makeTensor('', t.data_type!, outDims, out);
}
