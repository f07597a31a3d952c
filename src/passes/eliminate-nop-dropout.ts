/**
 * Does: y = Dropout(x) → readers of y read x. At inference Dropout passes its input through.
 * Leaves alone: training mode (training_mode input not a constant false, or opset < 7 with is_test=0,
 * where the default was training), a mask output that is read, and y being a graph output.
 */
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import { bypassNode } from './bypass-node.js';
import { constantTensor } from './constant-value.js';
import { defineRulePass, fail } from './pass.js';

export default defineRulePass({
  name: 'eliminate_nop_dropout',
  kind: 'eliminate',
  summary: 'remove Dropout at inference (not in training mode, mask unused)',
  opTypes: ['Dropout'],
  match(node, model, options) {
    const y = node.outputs[0];
    if (!node.inputs[0] || !y) return fail('input or output omitted');
    const mask = node.outputs[1];
    if (mask && (mask.uses.length > 0 || mask.isGraphOutput)) return fail('the mask output is used');
    if ((model.opsetVersion('') ?? 1) < 7 && node.intAttribute('is_test', 0) === 0) return fail('is_test=0: training mode (opset < 7)');
    const trainingMode = node.inputs[2];
    if (trainingMode) {
      const t = constantTensor(trainingMode, options);
      if (!t) return fail('training_mode is not a constant');
      if (readTensorAsNumbers(t).some((v) => v !== 0)) return fail('training_mode is true');
    }
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});
