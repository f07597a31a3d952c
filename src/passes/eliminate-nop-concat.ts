/**
 * Does: y = Concat(x) with a single input → readers of y read x.
 * Leaves alone: more than one input, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_concat',
  kind: 'eliminate',
  summary: 'remove Concat of a single input',
  opTypes: ['Concat'],
  match(node) {
    const y = node.outputs[0];
    if (!y) return fail('output omitted');
    if (node.inputs.length !== 1 || !node.inputs[0]) return fail(`${node.presentInputs().length} inputs`);
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
