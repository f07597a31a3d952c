/**
 * How far a precision-converted model (float16, int8) is from the float32 model it came from, per
 * output, measured in onnxruntime on the same inputs (calibration, --inputs, or the check's random
 * feeds): max and mean absolute error, cosine similarity, and top-1 agreement for outputs that look
 * like class scores. Unlike the equivalence check this expects differences; it says how large.
 *
 * Definitions (over every run; a run is one feed set):
 *  - maxAbsError: the largest |candidate − reference| of any element.
 *  - meanAbsError: the mean of |candidate − reference| over all elements of all runs.
 *  - cosine: the LOWEST per-run cosine similarity of the flattened outputs (1 when both are all zero):
 *    the worst input decides, as a gate should.
 *  - top1: for class-score-like outputs only — the fraction of rows (every index but the last axis)
 *    whose argmax over the last axis agrees. An output is class-score-like when its last dim is > 1
 *    and its rows are probabilities (values in [0, 1] summing to 1) or its name says scores
 *    (logits, scores, prob, class, cls, label, softmax).
 *  - Elements where the reference is NaN or ±Inf count as agreeing when the converted model gives
 *    the same, and as an infinite error otherwise; they are left out of the other sums.
 *  - negligible: the reference output is ≈ 0 (|x| ≤ 1e-4 everywhere) on these inputs, e.g. a text
 *    detector's probability map for random pixels; cosine then measures rounding noise and says
 *    nothing, so the gate judges such an output by its absolute error alone.
 */
import { createSession, type OrtTensor } from '../runtime/ort-session.js';
import { outputValues, runSession, type OutputTensor } from '../runtime/run-session.js';

export interface OutputAccuracy {
  name: string;
  maxAbsError: number;
  meanAbsError: number;
  cosine: number;
  /** Only for class-score-like outputs. */
  top1?: number;
  /** Rows compared for top1. */
  rows?: number;
  negligible?: boolean;
  /** Set when the outputs cannot be compared (missing, other shape). */
  problem?: string;
}

export interface AccuracyReport {
  /** Feed sets compared. */
  runs: number;
  /** Where the inputs came from. */
  inputs: 'calibration' | 'inputs' | 'random';
  outputs: OutputAccuracy[];
}

/** Reference max |x| at or below this: the output is ≈ 0 on these inputs. */
export const NEGLIGIBLE_OUTPUT = 1e-4;

const SCORE_NAME = /logit|score|prob|class|cls|label|softmax/i;

/** Runs both models on every feed set (onnxruntime at its default optimization level, as deployed). */
export async function measureAccuracy(
  reference: Uint8Array | string,
  candidate: Uint8Array | string,
  feedSets: Record<string, OrtTensor>[],
  inputs: AccuracyReport['inputs'],
  options: { threads?: number } = {},
): Promise<AccuracyReport> {
  const sessionOptions = { threads: options.threads ?? 2 };
  const [ref, cand] = await Promise.all([createSession(reference, sessionOptions), createSession(candidate, sessionOptions)]);
  try {
    const expected: Record<string, OutputTensor>[] = [];
    const actual: Record<string, OutputTensor>[] = [];
    for (const feeds of feedSets) {
      expected.push(await runSession(ref, feeds));
      actual.push(await runSession(cand, feeds));
    }
    return { runs: feedSets.length, inputs, outputs: compareAccuracy(expected, actual) };
  } finally {
    await Promise.all([ref.release(), cand.release()]);
  }
}

/** The per-output metrics of the header, from the outputs of each run. */
export function compareAccuracy(expected: Record<string, OutputTensor>[], actual: Record<string, OutputTensor>[]): OutputAccuracy[] {
  const names = expected.length > 0 ? Object.keys(expected[0]!) : [];
  return names.map((name) => {
    const acc = new Accumulator(name);
    expected.forEach((run, i) => acc.add(run[name]!, actual[i]?.[name]));
    return acc.result();
  });
}

class Accumulator {
  private maxAbs = 0;
  private sumAbs = 0;
  private count = 0;
  private cosine = 1;
  private refMax = 0;
  private agree = 0;
  private rows = 0;
  private scoreLike = true;
  private problem: string | undefined;

  constructor(private readonly name: string) {}

  add(e: OutputTensor, a: OutputTensor | undefined): void {
    if (this.problem) return;
    if (!a) { this.problem = 'missing from the converted model'; return; }
    if (e.dims.join() !== a.dims.join()) { this.problem = `shape [${a.dims}], expected [${e.dims}]`; return; }
    const x = outputValues(e);
    const y = outputValues(a);
    if (!x || !y) { this.problem = `cannot compare ${e.dtype} values`; return; }
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let i = 0; i < x.length; i++) {
      const p = x[i]!;
      const q = y[i]!;
      if (!Number.isFinite(p)) {
        // The same NaN or infinity on both sides agrees; it says nothing about cosine or error sizes.
        if (Object.is(p, q) || (Number.isNaN(p) && Number.isNaN(q))) continue;
        this.maxAbs = Infinity;
        continue;
      }
      const d = Math.abs(q - p);
      if (!(d <= this.maxAbs)) this.maxAbs = Number.isNaN(d) ? Infinity : d;
      this.sumAbs += Number.isFinite(d) ? d : 0;
      dot += p * q;
      nx += p * p;
      ny += q * q;
      if (Math.abs(p) > this.refMax) this.refMax = Math.abs(p);
    }
    this.count += x.length;
    const cos = nx === 0 && ny === 0 ? 1 : nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
    if (!(cos >= this.cosine)) this.cosine = Number.isNaN(cos) ? 0 : cos;
    const classes = e.dims[e.dims.length - 1] ?? 0;
    this.scoreLike &&= e.dims.length >= 2 && classes > 1 && (SCORE_NAME.test(this.name) || isProbabilityRows(x, classes));
    if (this.scoreLike) {
      for (let r = 0; r + classes <= x.length; r += classes) {
        if (argmax(x, r, classes) === argmax(y, r, classes)) this.agree++;
        this.rows++;
      }
    }
  }

  result(): OutputAccuracy {
    const out: OutputAccuracy = { name: this.name, maxAbsError: this.maxAbs, meanAbsError: this.count ? this.sumAbs / this.count : 0, cosine: this.cosine };
    if (this.problem) return { ...out, problem: this.problem };
    if (this.scoreLike && this.rows > 0) Object.assign(out, { top1: this.agree / this.rows, rows: this.rows });
    if (this.refMax <= NEGLIGIBLE_OUTPUT) out.negligible = true;
    return out;
  }
}

function argmax(x: ArrayLike<number>, start: number, n: number): number {
  let best = start;
  for (let i = start + 1; i < start + n; i++) if (x[i]! > x[best]!) best = i;
  return best - start;
}

function isProbabilityRows(x: ArrayLike<number>, classes: number): boolean {
  for (let r = 0; r + classes <= x.length; r += classes) {
    let sum = 0;
    for (let i = r; i < r + classes; i++) {
      const v = x[i]!;
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return x.length >= classes;
}
