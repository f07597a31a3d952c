/**
 * Does: GELU spelled out with Erf or Tanh → one Gelu node.
 *   exact:  0.5·x·(1 + Erf(x/√2))                       → Gelu(x)                      (opset ≥ 20)
 *   tanh:   0.5·x·(1 + Tanh(√(2/π)·(x + 0.044715·x³)))   → Gelu(x, approximate='tanh')  (opset ≥ 20)
 * or, with --target onnxruntime when opset 20 is out of reach, onnxruntime's com.microsoft Gelu /
 * FastGelu (same formulas; the com.microsoft opset import is added at version 1).
 *
 * Exporters order and associate these formulas every which way (Div by 1.4142 or Mul by 0.7071, the
 * 0.5 applied to x first, to the sum, or last; x³ as Pow or as x·x·x, the constants folded or not), so
 * the match reads the expressions around the Erf/Tanh as polynomials (polynomial.ts): the Erf/Tanh
 * input must be c·x with c = 1/√2 (or √(2/π)·(x + 0.044715·x³)), relative tolerance 1e-4 on the
 * constants, and the expression above it exactly 0.5·x + 0.5·x·t for the same x.
 *
 * Opset: Gelu is opset 20. Below it the model's opset is raised only when `targetOpset` allows and no
 * other node changes meaning on the way (raise-opset.ts; a ReduceMean with an axes attribute blocks
 * 17 → 20, so run fuse_layer_norm first); otherwise com.microsoft with --target onnxruntime (float32
 * only: onnxruntime's CPU kernels for these take float32), otherwise the pass declines saying so.
 *
 * Leaves alone (with the reason): intermediates read outside the pattern or that are graph outputs,
 * non-float x, a one-element constant of higher rank than x (it would broadcast the result).
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { dataTypeName, DataType } from '../onnx/data-type.js';
import { FLOAT_TYPES, readers, regionLeak, scalarValue } from './match.js';
import { defineRulePass, fail } from './pass.js';
import { polynomialEquals, polynomialReader, type Polynomial } from './polynomial.js';
import { importDomain, planOpset, raiseOpset } from './raise-opset.js';
import { adoptOutput, removeDeadNodes } from './rewrite.js';

type Approximation = 'none' | 'tanh';

interface GeluMatch {
  x: Value;
  region: Set<Node>;
  result: Value;
  approximate: Approximation;
  /** Standard Gelu (raising the opset first when raiseTo is set) or onnxruntime's contrib op. */
  emit: { domain: ''; raiseTo: number | undefined } | { domain: 'com.microsoft' };
}

const POLY_OPS = new Set(['Mul', 'Add', 'Sub', 'Div', 'Neg', 'Pow']);
const TOLERANCE = 1e-4;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function innerMatches(p: Polynomial, approximate: Approximation): boolean {
  if (approximate === 'none') return polynomialEquals(p, { '1,0': Math.SQRT1_2 }, TOLERANCE);
  const a = p.get('1,0');
  const b = p.get('3,0');
  if (a === undefined || b === undefined) return false;
  return polynomialEquals(p, { '1,0': SQRT_2_OVER_PI, '3,0': SQRT_2_OVER_PI * 0.044715 }, TOLERANCE)
    && Math.abs(b / a - 0.044715) <= TOLERANCE * 0.044715;
}

/** Values the Erf/Tanh input is computed from, nearest first: the candidates for x. */
function candidates(start: Value, limit = 12): Value[] {
  const out: Value[] = [];
  const queue = [start];
  const seen = new Set<Value>();
  while (queue.length > 0 && out.length < limit) {
    const v = queue.shift()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v !== start) out.push(v);
    const p = v.producer;
    if (p && p.domain === '' && POLY_OPS.has(p.opType)) for (const i of p.inputs) if (i) queue.push(i);
  }
  return out;
}

export default defineRulePass<GeluMatch>({
  name: 'fuse_gelu',
  kind: 'fuse',
  summary: 'fuse Erf- and Tanh-based GELU into Gelu (opset 20) or com.microsoft Gelu/FastGelu (--target onnxruntime)',
  opTypes: ['Erf', 'Tanh'],
  needsShapes: true,
  match(fn, model, options) {
    const t = fn.outputs[0];
    const inner = fn.inputs[0];
    if (!t || !inner) return undefined;
    const approximate: Approximation = fn.opType === 'Erf' ? 'none' : 'tanh';

    // x: the value the Erf/Tanh argument is c·x (or c·(x + k·x³)) of.
    let x: Value | undefined;
    let innerNodes: Set<Node> | undefined;
    for (const candidate of candidates(inner)) {
      if (scalarValue(candidate, options) !== undefined) continue;
      const reader = polynomialReader(candidate, undefined, candidate.type?.shape?.length ?? 0, options);
      const p = reader.read(inner);
      if (p && innerMatches(p, approximate)) {
        x = candidate;
        innerNodes = reader.nodes;
        break;
      }
    }
    if (!x || !innerNodes) return undefined;
    const rank = x.type?.shape?.length ?? 0;

    // The result: the first node above the Erf/Tanh whose value is 0.5·x + 0.5·x·t.
    let result: Value | undefined;
    let outerNodes: Set<Node> | undefined;
    let current = t;
    for (let step = 0; step < 8 && !result; step++) {
      // Climb through the one arithmetic reader; other readers are reported below as leaks.
      const next = readers(current).filter((n) => n.domain === '' && POLY_OPS.has(n.opType) && n.graph === fn.graph);
      if (next.length !== 1 || !next[0]!.outputs[0]) break;
      current = next[0]!.outputs[0];
      const reader = polynomialReader(x, t, rank, options);
      const p = reader.read(current);
      if (p && polynomialEquals(p, { '1,0': 0.5, '1,1': 0.5 }, 1e-6)) {
        result = current;
        outerNodes = reader.nodes;
      }
    }
    if (!result || !outerNodes) return undefined;

    const region = new Set([fn, ...innerNodes, ...outerNodes]);
    if ([...region].some((n) => n.graph !== fn.graph)) return fail('the pattern spans a subgraph boundary');
    const leak = regionLeak(region, result);
    if (leak) return fail(leak);
    const dtype = x.type?.dtype ?? 0;
    if (!FLOAT_TYPES.has(dtype)) return fail(`'${x.name}' is ${dtype ? dataTypeName(dtype) : 'of unknown type'}; Gelu takes float types`);

    const plan = planOpset(model, 20, options, 'Gelu');
    if (plan.ok) return { x, region, result, approximate, emit: { domain: '', raiseTo: plan.raiseTo } };
    const contrib = approximate === 'none' ? 'Gelu' : 'FastGelu';
    if (options.target !== 'onnxruntime') return fail(`${plan.reason}; or allow com.microsoft ${contrib} with --target onnxruntime`);
    if (dtype !== DataType.FLOAT) return fail(`com.microsoft ${contrib} is used for float32 only ('${x.name}' is ${dataTypeName(dtype)}), and ${plan.reason}`);
    return { x, region, result, approximate, emit: { domain: 'com.microsoft' } };
  },
  rewrite(m, model, options) {
    const graph = m.result.graph;
    const first = [...m.region][0]!;
    const standard = m.emit.domain === '';
    const opType = standard || m.approximate === 'none' ? 'Gelu' : 'FastGelu';
    const gelu = graph.addNode({
      opType,
      domain: m.emit.domain,
      name: nameFor(first, opType),
      inputs: [m.x],
      attributes: standard && m.approximate === 'tanh' ? { approximate: { string: 'tanh' } } : {},
      before: m.result.producer,
    });
    adoptOutput(gelu, 0, m.result);
    removeDeadNodes(m.region, options);
    if (m.emit.domain === 'com.microsoft') importDomain(model, 'com.microsoft', 1);
    else if (m.emit.raiseTo !== undefined && (model.opsetVersion('') ?? 0) < m.emit.raiseTo) raiseOpset(model, m.emit.raiseTo);
  },
});

/** "/mlp/act/Erf" → "/mlp/act/Gelu": torch names keep the module path. */
function nameFor(node: Node, opType: string): string {
  const name = node.name ?? '';
  const slash = name.lastIndexOf('/');
  return slash > 0 ? `${name.slice(0, slash)}/${opType}` : opType;
}
