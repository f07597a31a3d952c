/**
 * Does: y = Expand(x, shape) with y's shape provably equal to x's → readers of y read x (broadcasting
 * to its own shape copies nothing new).
 * Leaves alone: shapes not fully known, a real broadcast, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineShapeAwareRulePass } from './define-shape-aware-rule-pass.js';
import { fail, ok } from './pass.js';
import { describeShapes, sameShape } from './same-shape.js';

export default defineShapeAwareRulePass({
  name: 'eliminate_nop_expand',
  kind: 'eliminate',
  summary: 'remove Expand whose output shape equals the input shape',
  opTypes: ['Expand'],
  check(node) {
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (!x || !y) return fail('input or output omitted');
    if (!sameShape(x.type?.shape, y.type?.shape)) return fail(`shape not provably kept: ${describeShapes(x.type?.shape, y.type?.shape)}`);
    if (y.isGraphOutput) return fail('output is a graph output');
    return ok();
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
