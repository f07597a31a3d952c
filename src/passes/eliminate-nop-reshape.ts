/**
 * Does: y = Reshape/Flatten/Squeeze/Unsqueeze(x) with y's shape provably equal to x's → readers of
 * y read x (the data is the same, in the same order).
 * Leaves alone: either shape not fully known (a symbolic dim must be the same symbol on both sides),
 * a shape change, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineShapeAwareRulePass } from './define-shape-aware-rule-pass.js';
import { fail, ok } from './pass.js';
import { describeShapes, sameShape } from './same-shape.js';

export default defineShapeAwareRulePass({
  name: 'eliminate_nop_reshape',
  kind: 'eliminate',
  summary: 'remove Reshape/Flatten/Squeeze/Unsqueeze whose output shape equals the input shape',
  opTypes: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'],
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
