/**
 * Whether two shapes are provably the same: equal rank, and each dim the same number or the same
 * symbol (one name is one length throughout a model). An unknown dim proves nothing. Also the rule
 * built on it that eliminate_nop_reshape and eliminate_nop_expand share.
 */
import type { Node } from '../ir/node.js';
import { formatShape, type Shape } from '../ir/tensor-type.js';
import { fail, type Declined } from './pass.js';

export function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d !== null && d === b[i]);
}

/** "[1,3,?] → [3,1]" for decline reasons. */
export function describeShapes(from: Shape | undefined, to: Shape | undefined): string {
  return `${formatShape(from)} → ${formatShape(to)}`;
}

/**
 * The match of the rules that bypass a node whose output provably has its data input's shape
 * (Reshape and kin, Expand): the node, or why it stays.
 */
export function matchShapeKept(node: Node): Node | Declined {
  const x = node.inputs[0];
  const y = node.outputs[0];
  if (!x || !y) return fail('input or output omitted');
  if (!sameShape(x.type?.shape, y.type?.shape)) return fail(`shape not provably kept: ${describeShapes(x.type?.shape, y.type?.shape)}`);
  if (y.isGraphOutput) return fail('output is a graph output');
  return node;
}
