/**
 * Shape rule for Flatten: [prod(dims before axis), prod(dims from axis)]; axis may be negative
 * (opset 11+) and 0 gives [1, everything].
 */
import { productOfDims } from './dim-math.js';
import type { ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const flatten: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  const dtype = x?.dtype ?? 0;
  const shape = x?.shape;
  if (!shape) return [{ dtype, shape: [null, null] }];
  const rank = shape.length;
  let axis = ctx.node.intAttribute('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return [{ dtype, shape: [null, null] }];
  return [{ dtype, shape: [productOfDims(shape.slice(0, axis)), productOfDims(shape.slice(axis))] }];
};

export const rules: ShapeRuleEntry[] = [{ domain: '', opType: 'Flatten', rule: flatten }];
