/**
 * Does: y = Expand(x, shape) with y's shape provably equal to x's → readers of y read x (broadcasting
 * to its own shape copies nothing new).
 * Leaves alone: shapes not fully known, a real broadcast, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineRulePass } from './pass.js';
import { matchShapeKept } from './same-shape.js';

export default defineRulePass({
  name: 'eliminate_nop_expand',
  kind: 'eliminate',
  summary: 'remove Expand whose output shape equals the input shape',
  opTypes: ['Expand'],
  needsShapes: true,
  match: matchShapeKept,
  rewrite(node) {
    bypassNode(node, 0);
  },
});
