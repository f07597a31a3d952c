/**
 * Arithmetic and broadcasting on dims that may be numbers, symbols or unknown (null).
 *
 * Symbolic results are small expression strings — '2*seq', 'seq+1', 'floor(H/2)' — rather than fresh
 * symbols, so that two branches computing the same thing from the same symbol get the same name (and
 * an If merge or a broadcast can see they agree). Only a few forms are simplified (a numeric factor is
 * folded into a leading coefficient, x*1, x+0, x-x); anything else is just written out. Dims are
 * element counts, so they are never negative: integer division is floor division.
 *
 * Broadcasting follows numpy with these choices for what the graph cannot prove:
 *   1 vs d → d;  n vs symbol (n > 1) → n (the symbol must equal n at run time);
 *   symbol vs a different symbol → the plainer one (a name over an expression), else the left one —
 *   they must be equal unless one is 1 at run time, and assuming "equal" is what ORT's symbolic shape
 *   inference does too; null vs a known d (not 1) → d, by the same argument; numbers n ≠ m, both ≠ 1 → error.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';

/** Whether a dim is known: a number or a symbol name. */
export function isKnownDim(d: Dim | undefined): d is number | string {
  return typeof d === 'number' || typeof d === 'string';
}

/** A shape whose rank and every dim are known (numbers or symbols). */
export function isFullShape(shape: Shape | undefined): shape is (number | string)[] {
  return shape !== undefined && shape.every(isKnownDim);
}

const COEFFICIENT = /^(\d+)\*(.+)$/;

/** Whether a symbol is an expression this file wrote rather than a plain name. */
function isExpression(s: string): boolean {
  return /[*+/()-]/.test(s) && !/^[A-Za-z_][\w.:/]*$/.test(s);
}

/** Parenthesise an expression that is a sum or difference before it becomes a factor. */
function factor(s: string): string {
  return /[+-]/.test(s) && !(s.startsWith('(') && s.endsWith(')')) ? `(${s})` : s;
}

function splitCoefficient(s: string): [number, string] {
  const m = COEFFICIENT.exec(s);
  return m ? [Number(m[1]), m[2]!] : [1, s];
}

export function mulDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 0 || b === 0) return 0;
  if (a === null || b === null) return null;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' || typeof b === 'number') {
    const n = typeof a === 'number' ? a : (b as number);
    const s = typeof a === 'string' ? a : (b as string);
    const [k, rest] = splitCoefficient(s);
    return `${k * n}*${factor(rest)}`;
  }
  const [ka, ra] = splitCoefficient(a);
  const [kb, rb] = splitCoefficient(b);
  const product = [factor(ra), factor(rb)].sort().join('*');
  return ka * kb === 1 ? product : `${ka * kb}*${product}`;
}

/** Floor division (dims are non-negative). Exact division of a coefficient form is simplified. */
export function divDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.floor(a / b);
  if (a === null || b === null) return null;
  if (b === 1) return a;
  if (a === b) return 1;
  if (typeof a === 'string' && typeof b === 'number') {
    const [k, rest] = splitCoefficient(a);
    if (b !== 0 && k % b === 0) return k / b === 1 ? rest : `${k / b}*${factor(rest)}`;
  }
  return `floor(${factor(String(a))}/${factor(String(b))})`;
}

/** Ceiling division, for split sizes and strided slices. */
export function ceilDivDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.ceil(a / b);
  if (a === null || b === null) return null;
  if (b === 1) return a;
  if (typeof a === 'string' && typeof b === 'number') {
    const [k, rest] = splitCoefficient(a);
    if (b !== 0 && k % b === 0) return k / b === 1 ? rest : `${k / b}*${factor(rest)}`;
  }
  return `ceil(${factor(String(a))}/${factor(String(b))})`;
}

/** The symbol and constant of `x+c` / `x-c`; [s, 0] for anything else. */
function splitOffset(s: string): [string, number] {
  const m = /^(.+?)([+-])(\d+)$/.exec(s);
  if (!m || m[1]!.endsWith('*') || m[1]!.endsWith('/')) return [s, 0];
  return [m[1]!, m[2] === '+' ? Number(m[3]) : -Number(m[3])];
}

function withOffset(base: string, c: number): Dim {
  if (c === 0) return base;
  return c > 0 ? `${base}+${c}` : `${base}-${-c}`;
}

export function addDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === null || b === null) return null;
  if (a === 0) return b;
  if (b === 0) return a;
  if (typeof a === 'string' && typeof b === 'number') {
    const [base, c] = splitOffset(a);
    return withOffset(base, c + b);
  }
  if (typeof a === 'number' && typeof b === 'string') return addDims(b, a);
  return `${a}+${b}`;
}

export function subDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || b === null) return null;
  if (a === b) return 0;
  if (b === 0) return a;
  if (typeof a === 'string' && typeof b === 'number') {
    const [base, c] = splitOffset(a);
    return withOffset(base, c - b);
  }
  return `${a}-${factor(String(b))}`;
}

export function minDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return Math.min(a, b);
  if (a === b) return a;
  return null;
}

export function maxDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return Math.max(a, b);
  if (a === b) return a;
  return null;
}

/** The product of dims: a number, an expression, or null when any is unknown. */
export function productOfDims(dims: readonly Dim[]): Dim {
  return dims.reduce<Dim>((acc, d) => mulDims(acc, d), 1);
}

export class BroadcastError extends Error {}

/** One output dim of numpy broadcasting; see the file header for the choices on symbols. */
export function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') {
    throw new BroadcastError(`dims ${a} and ${b} do not broadcast`);
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (a === null) return b;
  if (b === null) return a;
  if (isExpression(a) && !isExpression(b)) return b;
  return a;
}

/** Multidirectional (numpy) broadcasting of any number of shapes; undefined when any rank is unknown. */
export function broadcastShapes(shapes: readonly (Shape | undefined)[]): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const at = s!.length - rank + i;
      if (at >= 0) d = broadcastDim(d, s![at] ?? null);
    }
    out.push(d);
  }
  return out;
}

/**
 * What a -1 in a Reshape target stands for: the input's element count divided by the product of the
 * other target dims, worked out by cancelling equal symbols. undefined when it cannot be (an unknown
 * input dim, a target symbol the input lacks, or a non-integer numeric quotient).
 */
export function inferredReshapeDim(input: readonly Dim[], others: readonly Dim[]): Dim | undefined {
  if (!input.every(isKnownDim) || !others.every(isKnownDim)) return undefined;
  const symbols = input.filter((d): d is string => typeof d === 'string');
  let numerator = input.reduce<number>((acc, d) => (typeof d === 'number' ? acc * d : acc), 1);
  let denominator = 1;
  for (const d of others) {
    if (typeof d === 'number') { denominator *= d; continue; }
    const at = symbols.indexOf(d);
    if (at >= 0) { symbols.splice(at, 1); continue; }
    // A coefficient form like 2*seq can cancel against seq with the 2 moved to the denominator.
    const [k, rest] = splitCoefficient(d);
    const j = symbols.indexOf(rest);
    if (k === 1 || j < 0) return undefined;
    symbols.splice(j, 1);
    denominator *= k;
  }
  if (denominator === 0) return numerator === 0 && symbols.length === 0 ? 0 : undefined;
  if (numerator % denominator !== 0) {
    // seq*3 / 6 cannot be written exactly without knowing seq.
    return symbols.length === 0 ? undefined : divDims(mulDims(numerator, productOfDims(symbols)), denominator);
  }
  numerator /= denominator;
  return mulDims(numerator, productOfDims(symbols));
}
