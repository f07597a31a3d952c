/**
 * Does: y = Split(x) with a single output → readers of y read x (one part is the whole tensor; a
 * `split` of one entry must equal the axis length for the model to be valid).
 * Leaves alone: several outputs, y being a graph output.
 */
import { bypassNode } from './bypass-node.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_split',
  kind: 'eliminate',
  summary: 'remove Split into a single output',
  opTypes: ['Split'],
  match(node) {
    const y = node.outputs[0];
    if (!node.inputs[0] || !y) return fail('input or output omitted');
    if (node.outputs.length !== 1) return fail(`${node.outputs.length} outputs`);
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
