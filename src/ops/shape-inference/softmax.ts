/** Shape rules for Softmax, LogSoftmax and Hardmax: the output is the input's shape and type, whatever the axis. */
import type { ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const sameAsInput: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  return [{ dtype: x?.dtype ?? 0, shape: x?.shape && [...x.shape] }];
};

export const rules: ShapeRuleEntry[] = ['Softmax', 'LogSoftmax', 'Hardmax'].map((opType) => ({ domain: '', opType, rule: sameAsInput }));
