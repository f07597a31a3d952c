/**
 * Does: y = Pad(x, pads=0…0) → readers of y read x (whatever the mode and fill value: nothing is added).
 * Pads come from the `paddings` (opset 1) or `pads` attribute (opset < 11), else the constant `pads` input.
 * Leaves alone: pads not constant, any non-zero pad (negative pads crop), y being a graph output.
 */
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import { bypassNode } from './bypass-node.js';
import { constantTensor } from './constant-value.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_pad',
  kind: 'eliminate',
  summary: 'remove Pad whose pads are all zero',
  opTypes: ['Pad'],
  match(node, _model, options) {
    const y = node.outputs[0];
    if (!node.inputs[0] || !y) return fail('input or output omitted');
    let pads = node.intsAttribute('pads') ?? node.intsAttribute('paddings');
    if (!pads) {
      const t = constantTensor(node.inputs[1], options);
      if (!t) return fail('pads is not a constant');
      pads = readTensorAsNumbers(t);
    }
    if (pads.some((p) => p !== 0)) return fail(`pads [${pads.join(',')}] are not all zero`);
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
