/**
 * Reads an elementwise expression (Mul, Add, Sub, Div by a constant, Neg, Pow by 2 or 3, scalar
 * constants) as a polynomial in two leaf values x and t, so a fusion can recognise a formula however
 * the exporter ordered and associated it: 0.5·x·(1 + t), x·(0.5 + 0.5·t) and (x·(t + 1))·0.5 all read
 * as 0.5·x + 0.5·x·t. Any other leaf (a non-constant value, a non-scalar constant, another op) ends
 * the reading with undefined.
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { constantRank, scalarValue } from './match.js';
import type { PassOptions } from './pass.js';

/** Coefficients by "i,j" for x^i·t^j. */
export type Polynomial = Map<string, number>;

const MAX_DEGREE = 4;
/** How many nodes one reading may visit: expressions are small, graphs around them are not. */
const MAX_NODES = 32;

function monomial(i: number, j: number, c = 1): Polynomial {
  return new Map([[`${i},${j}`, c]]);
}

function add(a: Polynomial, b: Polynomial, sign = 1): Polynomial {
  const out = new Map(a);
  for (const [k, c] of b) out.set(k, (out.get(k) ?? 0) + sign * c);
  return out;
}

function multiply(a: Polynomial, b: Polynomial): Polynomial | undefined {
  const out: Polynomial = new Map();
  for (const [ka, ca] of a) {
    for (const [kb, cb] of b) {
      const [ia, ja] = ka.split(',').map(Number) as [number, number];
      const [ib, jb] = kb.split(',').map(Number) as [number, number];
      if (ia + ib > MAX_DEGREE || ja + jb > MAX_DEGREE) return undefined;
      const key = `${ia + ib},${ja + jb}`;
      out.set(key, (out.get(key) ?? 0) + ca * cb);
    }
  }
  return out;
}

export interface PolynomialReader {
  /** The polynomial `value` computes, or undefined when it is not one in x and t. */
  read(value: Value): Polynomial | undefined;
  /** The nodes read so far (the expression's region). */
  readonly nodes: Set<Node>;
}

/**
 * A reader with leaves `x` and `t` (t optional). Scalar constants may have any rank up to `maxRank`
 * (a higher-rank one-element constant would broadcast the result to a higher rank).
 */
export function polynomialReader(x: Value, t: Value | undefined, maxRank: number, options: Pick<PassOptions, 'foldInitializerInputs'>): PolynomialReader {
  const memo = new Map<Value, Polynomial | undefined>();
  const nodes = new Set<Node>();
  const read = (value: Value | undefined): Polynomial | undefined => {
    if (!value) return undefined;
    if (value === x) return monomial(1, 0);
    if (t && value === t) return monomial(0, 1);
    if (memo.has(value)) return memo.get(value);
    const c = scalarValue(value, options);
    if (c !== undefined) {
      const ok = (constantRank(value, options) ?? 0) <= maxRank;
      const p = ok ? monomial(0, 0, c) : undefined;
      memo.set(value, p);
      return p;
    }
    const node = value.producer;
    if (!node || node.domain !== '' || nodes.size >= MAX_NODES) return undefined;
    nodes.add(node);
    let p: Polynomial | undefined;
    const [a, b] = node.inputs;
    switch (node.opType) {
      case 'Mul': {
        const pa = read(a);
        const pb = pa && read(b);
        p = pa && pb ? multiply(pa, pb) : undefined;
        break;
      }
      case 'Add':
      case 'Sub': {
        const pa = read(a);
        const pb = pa && read(b);
        p = pa && pb ? add(pa, pb, node.opType === 'Add' ? 1 : -1) : undefined;
        break;
      }
      case 'Div': {
        const divisor = scalarValue(b, options);
        const pa = divisor ? read(a) : undefined;
        const ok = (constantRank(b, options) ?? 0) <= maxRank;
        p = pa && ok ? multiply(pa, monomial(0, 0, 1 / divisor!)) : undefined;
        break;
      }
      case 'Neg': {
        const pa = read(a);
        p = pa ? add(new Map(), pa, -1) : undefined;
        break;
      }
      case 'Pow': {
        const exponent = scalarValue(b, options);
        const pa = exponent === 2 || exponent === 3 ? read(a) : undefined;
        const ok = (constantRank(b, options) ?? 0) <= maxRank;
        let acc = pa && ok ? pa : undefined;
        for (let k = 1; acc && pa && k < exponent!; k++) acc = multiply(acc, pa);
        p = acc;
        break;
      }
      default:
        p = undefined;
    }
    memo.set(value, p);
    return p;
  };
  return { read, nodes };
}

/** Whether `p` has exactly the given coefficients (within relative `rtol`) and no other non-zero ones. */
export function polynomialEquals(p: Polynomial, expected: Record<string, number>, rtol: number): boolean {
  for (const [k, c] of p) {
    const want = expected[k] ?? 0;
    if (want === 0 ? Math.abs(c) > 1e-9 : Math.abs(c - want) > rtol * Math.abs(want)) return false;
  }
  return Object.entries(expected).every(([k]) => p.has(k));
}
