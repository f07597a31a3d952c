/**
 * Shape rule for Einsum: each letter of the equation names one dim (equal letters must agree, and a
 * 1 broadcasts against them); '...' stands for broadcast leading dims. The output is the explicit
 * right-hand side, or — implicit mode — the ellipsis dims then every letter used once, alphabetically.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { broadcastDim, broadcastShapes } from './dim-math.js';
import { unknownRank } from './rule-helpers.js';
import type { ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const einsum: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype ?? 0;
  const equation = ctx.node.stringAttribute('equation', '').replace(/\s+/g, '');
  const [lhs, rhs] = equation.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ctx.inputCount) throw new Error(`Einsum equation has ${terms.length} operands for ${ctx.inputCount} inputs`);
  const letters = new Map<string, Dim>();
  const counts = new Map<string, number>();
  const ellipses: Shape[] = [];
  for (let i = 0; i < terms.length; i++) {
    const shape = ctx.input(i)?.shape;
    if (!shape) return [unknownRank(dtype)];
    const term = terms[i]!;
    const dots = term.indexOf('...');
    const named = term.replace('...', '');
    const ellipsisRank = dots >= 0 ? shape.length - named.length : 0;
    if (ellipsisRank < 0 || (dots < 0 && named.length !== shape.length)) {
      throw new Error(`Einsum term '${term}' does not fit an input of rank ${shape.length}`);
    }
    let k = 0;
    for (let c = 0; c < term.length; c++) {
      if (term.startsWith('...', c)) {
        ellipses.push(shape.slice(k, k + ellipsisRank));
        k += ellipsisRank;
        c += 2;
        continue;
      }
      const letter = term[c]!;
      const d = shape[k++] ?? null;
      letters.set(letter, letters.has(letter) ? broadcastDim(letters.get(letter)!, d) : d);
      counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
  }
  const ellipsis = broadcastShapes(ellipses) ?? [];
  const output = rhs ?? `...${[...counts].filter(([, n]) => n === 1).map(([l]) => l).sort().join('')}`;
  const shape: Shape = [];
  for (let c = 0; c < output.length; c++) {
    if (output.startsWith('...', c)) { shape.push(...ellipsis); c += 2; continue; }
    const letter = output[c]!;
    if (!letters.has(letter)) throw new Error(`Einsum output letter '${letter}' is not in any operand`);
    shape.push(letters.get(letter)!);
  }
  return [{ dtype, shape }];
};

export const rules: ShapeRuleEntry[] = [{ domain: '', opType: 'Einsum', rule: einsum }];
