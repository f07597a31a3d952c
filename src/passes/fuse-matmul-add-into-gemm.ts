/**
 * Does: Add(MatMul(A, B), C) → Gemm(A, B, C) (default attributes: alpha = beta = 1, no transposes),
 * the Add either way round.
 *
 * Gemm computes A·B + C for a rank-2 A [M,K] and B [K,N], with C unidirectionally broadcast to
 * [M,N] — the same as the two ops whenever those shapes hold, so the rewrite needs: A and B known to
 * be rank 2 (shape inference runs first; dims may be symbolic), and C of rank ≤ 2 whose every dim is
 * 1 or equal to the output dim it lines up with (otherwise the Add would broadcast the product to a
 * bigger shape, which Gemm cannot). B and C need not be constants.
 *
 * Leaves alone (with the reason): activations of rank ≠ 2 (a transformer's [batch, seq, hidden] —
 * Gemm has no batch dims), a C that could broadcast the result, unknown shapes, a MatMul output read
 * by anything else or that is a graph output, types Gemm does not take at the model's opset.
 */
import type { Node } from '../ir/node.js';
import type { Dim, Shape } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { DataType, dataTypeName } from '../onnx/data-type.js';
import { describeShape, producerOf, readers } from './match.js';
import { defineRulePass, fail } from './pass.js';
import { adoptOutput, removeDeadNodes } from './rewrite.js';

interface GemmMatch {
  add: Node;
  matmul: Node;
  c: Value;
}

/** The opset from which Gemm takes each type (Gemm-7: floats; Gemm-9: 32/64-bit integers; Gemm-13: bfloat16). */
const GEMM_TYPES = new Map<number, number>([
  [DataType.FLOAT!, 7], [DataType.FLOAT16!, 7], [DataType.DOUBLE!, 7],
  [DataType.INT32!, 9], [DataType.INT64!, 9], [DataType.UINT32!, 9], [DataType.UINT64!, 9],
  [DataType.BFLOAT16!, 13],
]);

function sameDim(a: Dim | undefined, b: Dim | undefined): boolean {
  return a !== null && a !== undefined && a === b;
}

/** Why C cannot be Gemm's C for an [M,N] product, or undefined. */
function biasProblem(c: Shape | undefined, m: Dim, n: Dim): string | undefined {
  if (!c) return 'the added tensor has an unknown shape';
  if (c.length > 2) return `the added tensor ${describeShape(c)} has rank ${c.length}; it would raise the result's rank`;
  const out = [m, n].slice(2 - c.length);
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 1 || sameDim(c[i], out[i])) continue;
    return `the added tensor ${describeShape(c)} does not broadcast to the product's [${describeShape([m, n]).slice(1, -1)}] without growing it`;
  }
  return undefined;
}

export default defineRulePass<GemmMatch>({
  name: 'fuse_matmul_add_into_gemm',
  kind: 'fuse',
  summary: 'fuse MatMul + Add into Gemm where the activation is rank 2',
  opTypes: ['Add'],
  needsShapes: true,
  match(add, model) {
    const side = [0, 1].find((i) => producerOf(add.inputs[i], 'MatMul'));
    if (side === undefined || !add.outputs[0]) return undefined;
    const product = add.inputs[side]!;
    const c = add.inputs[1 - side];
    if (!c || c === product) return undefined;
    const matmul = product.producer!;
    if (matmul.graph !== add.graph) return fail(`${matmul.label} is in another graph than the Add`);
    if (product.isGraphOutput) return fail(`'${product.name}' (the MatMul output) is a graph output`);
    const others = readers(product).filter((n) => n !== add);
    if (others.length > 0) return fail(`'${product.name}' (the MatMul output) is also read by ${others[0]!.label}`);
    const a = matmul.inputs[0]?.type?.shape;
    const b = matmul.inputs[1]?.type?.shape;
    if (!a || a.length !== 2) return fail(`MatMul input A has ${a ? `rank ${a.length} ${describeShape(a)}` : 'an unknown rank'}; Gemm needs rank 2`);
    if (!b || b.length !== 2) return fail(`MatMul input B has ${b ? `rank ${b.length} ${describeShape(b)}` : 'an unknown rank'}; Gemm needs rank 2`);
    const problem = biasProblem(c.type?.shape, a[0]!, b[1]!);
    if (problem) return fail(problem);
    const dtype = product.type?.dtype ?? 0;
    const since = GEMM_TYPES.get(dtype);
    const opset = model.opsetVersion('') ?? 0;
    if (since === undefined || opset < since) return fail(`Gemm does not take ${dataTypeName(dtype)} at opset ${opset}`);
    return { add, matmul, c };
  },
  rewrite({ add, matmul, c }, _model, options) {
    const graph = add.graph;
    const gemm = graph.addNode({
      opType: 'Gemm',
      name: matmul.name ?? add.name ?? 'Gemm',
      inputs: [matmul.inputs[0], matmul.inputs[1], c],
      before: add,
    });
    adoptOutput(gemm, 0, add.outputs[0]!);
    removeDeadNodes([add, matmul], options);
  },
});
