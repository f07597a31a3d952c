/**
 * Does: y = Identity(x) → readers of y read x.
 * Leaves alone: y is a graph output (removing it would rename the model's interface), and an Identity
 * that is a subgraph's only link to an outer value (a subgraph output must be produced or named there).
 */
import { defineRulePass, fail } from './pass.js';
import { bypassNode } from './bypass-node.js';

export default defineRulePass({
  name: 'eliminate_identity',
  kind: 'eliminate',
  summary: 'remove Identity nodes; readers use the input directly',
  opTypes: ['Identity'],
  match(node) {
    if (!node.inputs[0] || !node.outputs[0]) return fail('input or output omitted');
    if (node.outputs[0].isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
