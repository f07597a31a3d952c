/**
 * The product of several dims, for ops that merge axes (Flatten) or count elements (Unique's inverse
 * indices). Static dims multiply; a single symbol times 1s is that symbol; any other product with a
 * symbol is a new symbol (so it still counts as known-by-name); an unknown dim makes it unknown.
 */
import type { Dim } from '../../ir/tensor-type.js';
import type { InferenceContext } from './shape-rule.js';

export function dimProduct(ctx: InferenceContext, dims: readonly Dim[], hint: string): Dim {
  let product = 1;
  const symbols: string[] = [];
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') product *= d;
    else if (typeof d === 'string') symbols.push(d);
    else unknown = true;
  }
  if (product === 0) return 0;
  if (unknown) return null;
  if (symbols.length === 0) return product;
  if (symbols.length === 1 && product === 1) return symbols[0]!;
  return ctx.newSymbol(hint);
}
