/**
 * Does: z = Reshape(R(x), s) with R a Reshape, Flatten, Squeeze or Unsqueeze → z = Reshape(x, s).
 * All four only regroup the same elements in the same order, so the final shape alone decides z —
 * as long as `s` does not refer to the intermediate shape: a 0 entry (allowzero=0) copies a dim of
 * Reshape's input, which changes meaning; -1 only depends on the element count, which is the same.
 * The first node goes when nothing else reads it.
 * Leaves alone: `s` not constant, `s` with a 0 entry under allowzero=0, a first node of another kind.
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import { constantTensor } from './constant-value.js';
import { defineRulePass, fail } from './pass.js';

const REGROUPING = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

export default defineRulePass({
  name: 'fuse_consecutive_reshapes',
  kind: 'eliminate',
  summary: 'make Reshape(Reshape(x)) one Reshape to the final shape (also after Flatten/Squeeze/Unsqueeze)',
  opTypes: ['Reshape'],
  match(node, _model, options) {
    const first = producer(node);
    if (!first) return fail('data input is not produced by Reshape, Flatten, Squeeze or Unsqueeze');
    if (!first.inputs[0]) return fail('first node has no input');
    const shape = constantTensor(node.inputs[1], options);
    if (!shape) return fail('target shape is not a constant');
    if (node.intAttribute('allowzero', 0) === 0 && readTensorAsNumbers(shape).includes(0)) {
      return fail('target shape has a 0 entry, which copies a dim of the intermediate');
    }
    return node;
  },
  rewrite(node) {
    const first = producer(node)!;
    node.setInput(0, first.inputs[0]);
    const y = first.outputs[0]!;
    if (y.uses.length === 0 && !y.isGraphOutput) first.graph.removeNode(first);
  },
});

function producer(node: Node): Node | undefined {
  const p = node.inputs[0]?.producer;
  return p && p.domain === '' && REGROUPING.has(p.opType) && node.outputs[0] ? p : undefined;
}
