/**
 * Whether two shapes are provably the same: equal rank, and each dim the same number or the same
 * symbol (one name is one length throughout a model). An unknown dim proves nothing.
 */
import { formatShape, type Shape } from '../ir/tensor-type.js';

export function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d !== null && d === b[i]);
}

/** "[1,3,?] → [3,1]" for decline reasons. */
export function describeShapes(from: Shape | undefined, to: Shape | undefined): string {
  return `${formatShape(from)} → ${formatShape(to)}`;
}
