/**
 * Does: a chain of Mul/Add/Sub/Div by constants → at most one Mul and one Add:
 *   (x·a)·b → x·(a·b)        (x + a) + b → x + (a + b)        ((x·a + b)·c + d) → x·(a·c) + (b·c + d)
 *   x/a → folded as x·(1/a); x − a as x + (−a); a − x as x·(−1) + a.
 *
 * Maths: each op maps the running value affinely, v ↦ v·s + t, and affine maps compose:
 * after Mul by c: (s, t) ← (s·c, t·c); after Add c: t ← t + c. The whole chain is x·s + t, with s
 * and t computed here in float64 under numpy broadcasting and rounded once to the chain's dtype. The
 * output shape is kept: it is the broadcast of x with every constant of the chain, and s and t
 * together are exactly the broadcast of those constants.
 *
 * Rewrites only when it removes nodes ((x + a)·b is two ops either way and stays as it is).
 *
 * Leaves alone: integer chains (affine composition is exact only in real arithmetic); a chain whose
 * intermediate is read by anything else or is a graph output (the chain stops there); combined
 * constants bigger than every original one (a [N,1] and a [1,M] factor would make an [N,M] one), or
 * that overflow.
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { combine, elementCount, scalar, type DenseTensor } from './constant-arithmetic.js';
import { FLOAT_TYPES, lookupConstant, readFloatConstant, soleReader } from './match.js';
import { defineRulePass, fail, type PassOptions } from './pass.js';
import { addConstant, adoptOutput, removeDeadNodes } from './rewrite.js';

/** One link of a chain: the node, the running value it reads, and its constant (read once the chain is worth it). */
interface Link {
  node: Node;
  running: Value;
  tensor: TensorProto;
  constant?: DenseTensor;
  dtype: number;
  /** For Sub/Div: whether the constant is the first operand (c − v, c / v). */
  constantFirst: boolean;
}

interface ChainMatch {
  links: Link[];
  scale: DenseTensor | undefined;
  shift: DenseTensor | undefined;
  dtype: number;
}

const CHAIN_OPS = ['Mul', 'Add', 'Sub', 'Div'];

/** `node` as a chain link: one float constant operand and one non-constant one. */
function asLink(node: Node | undefined, options: PassOptions): Link | undefined {
  if (!node || node.domain !== '' || !CHAIN_OPS.includes(node.opType) || node.inputs.length !== 2 || !node.outputs[0]) return undefined;
  const constants = node.inputs.map((v) => lookupConstant(v, options));
  const at = constants.findIndex((c) => 'tensor' in c);
  if (at < 0 || constants.every((c) => 'tensor' in c)) return undefined;
  const tensor = (constants[at] as { tensor: TensorProto }).tensor;
  // c / v is not affine in v.
  if (node.opType === 'Div' && at === 0) return undefined;
  return { node, running: node.inputs[1 - at]!, tensor, dtype: tensor.data_type ?? 0, constantFirst: at === 0 };
}

class NoBroadcast extends Error {}

function apply(a: DenseTensor, b: DenseTensor, f: (x: number, y: number) => number): DenseTensor {
  const r = combine(a, b, f);
  if (!r) throw new NoBroadcast();
  return r;
}

const times = (x: number, y: number) => x * y;
const negate = (t: DenseTensor): DenseTensor => ({ dims: t.dims, data: t.data.map((v) => -v) });

/**
 * Composes the links into x·scale + shift (scale undefined: no Mul needed; shift undefined: no Add);
 * undefined when the constants do not broadcast together.
 */
function compose(links: Link[]): { scale: DenseTensor | undefined; shift: DenseTensor | undefined } | undefined {
  let scale: DenseTensor | undefined;
  let shift: DenseTensor | undefined;
  try {
    for (const { node, constant, constantFirst } of links) {
      const c = constant!;
      if (node.opType === 'Mul' || node.opType === 'Div') {
        const factor = node.opType === 'Mul' ? c : { dims: c.dims, data: c.data.map((v) => 1 / v) };
        scale = scale ? apply(scale, factor, times) : factor;
        if (shift) shift = apply(shift, factor, times);
      } else if (node.opType === 'Add') {
        shift = shift ? apply(shift, c, (x, y) => x + y) : c;
      } else if (constantFirst) {
        // c − (x·s + t) = x·(−s) + (c − t)
        scale = scale ? negate(scale) : scalar(-1);
        shift = shift ? apply(c, shift, (x, y) => x - y) : c;
      } else {
        shift = shift ? apply(shift, c, (x, y) => x - y) : negate(c);
      }
    }
  } catch (e) {
    if (e instanceof NoBroadcast) return undefined;
    throw e;
  }
  return { scale, shift };
}

export default defineRulePass<ChainMatch>({
  name: 'fuse_consecutive_mul_add',
  kind: 'fuse',
  summary: 'combine chains of Mul/Add/Sub/Div by constants into one Mul and one Add',
  opTypes: CHAIN_OPS,
  match(node, _model, options) {
    const last = asLink(node, options);
    if (!last) return undefined;
    // Only the end of a chain matches: if the next node continues it, that one will.
    const next = asLink(soleReader(node.outputs[0]), options);
    if (next && next.running === node.outputs[0] && next.node.graph === node.graph) return undefined;
    const links = [last];
    for (;;) {
      const head = links[0]!;
      const prev = asLink(head.running.producer, options);
      if (!prev || prev.node.graph !== node.graph || soleReader(head.running) !== head.node) break;
      links.unshift(prev);
    }
    if (links.length < 2) return undefined;
    const dtype = links[0]!.dtype;
    if (!FLOAT_TYPES.has(dtype) || links.some((l) => l.dtype !== dtype)) return undefined;
    const hasMul = links.some((l) => l.node.opType === 'Mul' || l.node.opType === 'Div' || (l.node.opType === 'Sub' && l.constantFirst));
    const hasAdd = links.some((l) => l.node.opType === 'Add' || l.node.opType === 'Sub');
    if (Number(hasMul) + Number(hasAdd) >= links.length) return undefined;
    for (const link of links) {
      const c = readFloatConstant(link.tensor);
      if (!c) return fail(`constant '${link.tensor.name ?? ''}' of ${link.node.label} cannot be read`);
      link.constant = { dims: c.dims, data: c.data };
    }
    const composed = compose(links);
    if (!composed) return fail('the chain\'s constants do not broadcast together');
    const largest = Math.max(...links.map((l) => l.constant!.data.length));
    for (const t of [composed.scale, composed.shift]) {
      if (!t) continue;
      if (elementCount(t.dims) > largest) return fail(`the combined constant would have ${elementCount(t.dims)} elements, more than any of the chain's (${largest})`);
      if (t.data.some((v) => !Number.isFinite(v))) return fail('the combined constant overflows or is not finite');
    }
    return { links, scale: composed.scale, shift: composed.shift, dtype };
  },
  rewrite({ links, scale, shift, dtype }, _model, options) {
    const first = links[0]!;
    const last = links[links.length - 1]!;
    const graph = last.node.graph;
    const result = last.node.outputs[0]!;
    let current = first.running;
    let producer: Node | undefined;
    if (scale) {
      const factor = addConstant(graph, `${result.name}_scale`, dtype, scale.dims, scale.data);
      producer = graph.addNode({ opType: 'Mul', name: `${last.node.name ?? result.name}_scale`, inputs: [current, factor], before: last.node });
      current = producer.outputs[0]!;
    }
    if (shift) {
      const offset = addConstant(graph, `${result.name}_shift`, dtype, shift.dims, shift.data);
      producer = graph.addNode({ opType: 'Add', name: `${last.node.name ?? result.name}_shift`, inputs: [current, offset], before: last.node });
    }
    adoptOutput(producer!, 0, result);
    removeDeadNodes(links.map((l) => l.node), options);
  },
});
