/**
 * Does: y = Transpose(x, perm=[0, 1, …, n-1]) → readers of y read x. Without `perm` Transpose
 * reverses the axes, which is the identity only for rank ≤ 1.
 * Leaves alone: any other permutation, a missing perm with rank unknown or > 1, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_transpose',
  kind: 'eliminate',
  summary: 'remove Transpose with the identity permutation',
  opTypes: ['Transpose'],
  needsShapes: true,
  match(node) {
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (!x || !y) return fail('input or output omitted');
    const perm = node.intsAttribute('perm');
    if (!perm) {
      const rank = x.type?.shape?.length;
      if (rank === undefined) return fail('no perm and rank unknown');
      if (rank > 1) return fail('no perm: reverses the axes');
    } else if (!perm.every((p, i) => p === i)) {
      return fail(`perm [${perm.join(',')}] is not the identity`);
    }
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
