/**
 * Does: z = Transpose(Transpose(x, p1), p2) → z = Transpose(x, p) with p[j] = p1[p2[j]] (output axis
 * j of the second is axis p2[j] of the first's output, which is axis p1[p2[j]] of x); when p is the
 * identity, readers of z read x and both nodes go. The first Transpose stays while others read it.
 * A missing perm reverses the axes; its rank is taken from the other perm, and two reversals cancel.
 * Leaves alone: a first node that is not a Transpose, rank unknown for a missing perm, and — when the
 * two cancel — z being a graph output (it would lose its name).
 */
import type { Node } from '../ir/node.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'fuse_consecutive_transposes',
  kind: 'eliminate',
  summary: 'merge Transpose(Transpose(x)) into one Transpose, or none when they cancel',
  opTypes: ['Transpose'],
  match(node) {
    const first = producerTranspose(node);
    if (!first) return fail('input is not produced by a Transpose');
    if (!first.inputs[0]) return fail('first Transpose has no input');
    const p = composedPerm(first, node);
    if (p === undefined) return fail('perm missing and rank unknown');
    if (isIdentity(p) && node.outputs[0]!.isGraphOutput) return fail('the Transposes cancel but the output is a graph output');
    return node;
  },
  rewrite(node) {
    const first = producerTranspose(node)!;
    const x = first.inputs[0]!;
    const p = composedPerm(first, node)!;
    const z = node.outputs[0]!;
    if (isIdentity(p)) {
      node.graph.replaceAllUsesWith(z, x);
      node.graph.removeNode(node);
    } else {
      node.setInput(0, x);
      node.setAttribute('perm', { ints: p });
    }
    const y = first.outputs[0]!;
    if (first.inGraph && y.uses.length === 0 && !y.isGraphOutput) first.graph.removeNode(first);
  },
});

function producerTranspose(node: Node): Node | undefined {
  const input = node.inputs[0];
  if (!input || !node.outputs[0]) return undefined;
  const p = input.producer;
  return p && p.opType === 'Transpose' && p.domain === '' ? p : undefined;
}

/** p1∘p2, or undefined when a missing perm's rank cannot be told. */
function composedPerm(first: Node, second: Node): number[] | undefined {
  let p1 = first.intsAttribute('perm');
  let p2 = second.intsAttribute('perm');
  const rank = p1?.length ?? p2?.length ?? first.inputs[0]?.type?.shape?.length;
  if (!p1 && !p2) return rank === undefined ? [] : Array.from({ length: rank }, (_, i) => i);
  if (rank === undefined) return undefined;
  const reversed = Array.from({ length: rank }, (_, i) => rank - 1 - i);
  p1 ??= reversed;
  p2 ??= reversed;
  if (p1.length !== p2.length) return undefined;
  return p2.map((j) => p1[j]!);
}

function isIdentity(p: number[]): boolean {
  return p.every((v, i) => v === i);
}
