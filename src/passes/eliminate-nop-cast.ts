/**
 * Does: y = Cast(x, to=T) with x already of type T → readers of y read x (CastLike likewise, when
 * both inputs have the same element type).
 * Leaves alone: x's element type unknown, a real conversion, y being a graph output.
 */
import { dataTypeName } from '../onnx/data-type.js';
import { bypassNode } from './bypass-node.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_cast',
  kind: 'eliminate',
  summary: 'remove Cast/CastLike to the type the input already has',
  opTypes: ['Cast', 'CastLike'],
  needsShapes: true,
  match(node) {
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (!x || !y) return fail('input or output omitted');
    const from = x.type?.dtype;
    if (!from) return fail(`element type of '${x.name}' unknown`);
    const to = node.opType === 'Cast' ? node.intAttribute('to') : node.inputs[1]?.type?.dtype;
    if (!to) return fail('target type unknown');
    if (to !== from) return fail(`converts ${dataTypeName(from)} to ${dataTypeName(to)}`);
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
