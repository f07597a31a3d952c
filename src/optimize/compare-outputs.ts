/**
 * Compares two sets of model outputs element by element, as numpy.allclose does:
 * |a − b| ≤ atol + rtol·|b| for floats (NaN matches NaN, infinities match themselves), exact
 * equality for integers and booleans. Reports the worst absolute and relative error per output.
 */
import { outputValues, type OutputTensor } from '../runtime/run-session.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface OutputComparison {
  name: string;
  maxAbsError: number;
  maxRelError: number;
  /** Elements outside tolerance. */
  mismatches: number;
  /** Set when the outputs cannot be compared at all (missing, other dtype or shape). */
  problem?: string;
}

export function compareOutputs(expected: Record<string, OutputTensor>, actual: Record<string, OutputTensor>, tol: Tolerance): OutputComparison[] {
  return Object.keys(expected).map((name) => compareOne(name, expected[name]!, actual[name], tol));
}

function compareOne(name: string, e: OutputTensor, a: OutputTensor | undefined, tol: Tolerance): OutputComparison {
  const result: OutputComparison = { name, maxAbsError: 0, maxRelError: 0, mismatches: 0 };
  if (!a) return { ...result, problem: 'missing from the optimized model' };
  if (e.dtype !== a.dtype) return { ...result, problem: `dtype ${a.dtype}, expected ${e.dtype}` };
  if (e.dims.join() !== a.dims.join() && !bothEmptyOfSameRank(e, a)) return { ...result, problem: `shape [${a.dims}], expected [${e.dims}]` };
  const x = outputValues(e);
  const y = outputValues(a);
  if (!x || !y) {
    const same = JSON.stringify(Array.from(e.data as ArrayLike<unknown>)) === JSON.stringify(Array.from(a.data as ArrayLike<unknown>));
    return same ? result : { ...result, mismatches: 1, problem: 'values differ' };
  }
  const exact = !e.dtype.startsWith('float');
  for (let i = 0; i < x.length; i++) {
    const ev = x[i]!;
    const av = y[i]!;
    if (Number.isNaN(ev) && Number.isNaN(av)) continue;
    if (ev === av) continue;
    const abs = Math.abs(av - ev);
    const rel = abs / Math.max(Math.abs(ev), Number.MIN_VALUE);
    if (!(abs <= result.maxAbsError)) result.maxAbsError = Number.isNaN(abs) ? Infinity : abs;
    if (!(rel <= result.maxRelError)) result.maxRelError = Number.isNaN(rel) ? Infinity : rel;
    if (exact || !(abs <= tol.atol + tol.rtol * Math.abs(ev))) result.mismatches++;
  }
  return result;
}

/**
 * Two empty tensors of one rank hold the same (no) values. onnxruntime gives a Loop that ran zero
 * times a scan output whose trailing dims depend on how the body's graph was written, so such a
 * difference says nothing about a rewrite.
 */
function bothEmptyOfSameRank(e: OutputTensor, a: OutputTensor): boolean {
  const size = (dims: number[]) => dims.reduce((x, y) => x * y, 1);
  return e.dims.length === a.dims.length && size(e.dims) === 0 && size(a.dims) === 0;
}
