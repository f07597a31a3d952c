/**
 * Does: y = Reshape/Flatten/Squeeze/Unsqueeze(x) with y's shape provably equal to x's → readers of
 * y read x (the data is the same, in the same order).
 * Leaves alone: either shape not fully known (a symbolic dim must be the same symbol on both sides),
 * a shape change, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineRulePass } from './pass.js';
import { matchShapeKept } from './same-shape.js';

export default defineRulePass({
  name: 'eliminate_nop_reshape',
  kind: 'eliminate',
  summary: 'remove Reshape/Flatten/Squeeze/Unsqueeze whose output shape equals the input shape',
  opTypes: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'],
  needsShapes: true,
  match: matchShapeKept,
  rewrite(node) {
    bypassNode(node, 0);
  },
});
