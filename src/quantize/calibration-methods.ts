/**
 * From observed activation values to the range [rmin, rmax] that gets quantized:
 *  - minmax: the smallest and largest value seen over all calibration inputs. Nothing saturates on
 *    those inputs; one outlier stretches the grid for everyone else.
 *  - percentile p: a histogram (2048 bins over the min..max seen) of the values; rmin and rmax are
 *    the (100 − p)th and pth percentiles, so the rarest outliers saturate and the rest get a finer grid.
 *  - entropy: TensorRT's KL-divergence calibration on a histogram of |x| (2048 bins): the clipping
 *    threshold t whose 128-level quantization of the clipped distribution loses the least information
 *    (smallest KL(P‖Q)); the range is [−t, t] cut to what was seen ([0, t] for non-negative tensors).
 * Histograms need the min..max first, so percentile and entropy take two passes over the inputs.
 */
import type { CalibrationMethod } from './quantize-options.js';

export const HISTOGRAM_BINS = 2048;
const ENTROPY_LEVELS = 128;

export interface Range {
  min: number;
  max: number;
}

/** Running min/max of one tensor. */
export class MinMax {
  min = Infinity;
  max = -Infinity;

  add(data: Float32Array): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }

  range(): Range {
    return this.min > this.max ? { min: 0, max: 0 } : { min: this.min, max: this.max };
  }
}

/** A fixed-range histogram of x (signed) or |x| (absolute). */
export class Histogram {
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  readonly lo: number;
  readonly hi: number;

  constructor(range: Range, readonly absolute: boolean) {
    this.lo = absolute ? 0 : range.min;
    this.hi = absolute ? Math.max(Math.abs(range.min), Math.abs(range.max)) : range.max;
  }

  get binWidth(): number {
    return (this.hi - this.lo) / HISTOGRAM_BINS;
  }

  add(data: Float32Array): void {
    const width = this.binWidth;
    if (!(width > 0)) {
      this.counts[0]! += data.length;
      return;
    }
    const inv = 1 / width;
    for (let i = 0; i < data.length; i++) {
      const v = this.absolute ? Math.abs(data[i]!) : data[i]!;
      let bin = Math.floor((v - this.lo) * inv);
      if (bin < 0) bin = 0; else if (bin >= HISTOGRAM_BINS) bin = HISTOGRAM_BINS - 1;
      this.counts[bin]! += 1;
    }
  }
}

export function needsHistogram(method: CalibrationMethod): boolean {
  return method !== 'minmax';
}

/** The range `method` picks for one tensor, given its min/max and (for histogram methods) its histogram. */
export function pickRange(method: CalibrationMethod, minmax: Range, histogram: Histogram | undefined, percentile: number): Range {
  if (method === 'minmax' || !histogram || !(histogram.binWidth > 0)) return minmax;
  if (method === 'percentile') return percentileRange(histogram, percentile);
  const t = entropyThreshold(histogram);
  return minmax.min >= 0 ? { min: 0, max: Math.min(t, minmax.max) } : { min: Math.max(-t, minmax.min), max: Math.min(t, minmax.max) };
}

/** The (100 − p)th and pth percentiles of a signed histogram (bin edges, interpolated within a bin). */
export function percentileRange(h: Histogram, p: number): Range {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const tail = total * (1 - p / 100);
  const edge = (bin: number, fraction: number) => h.lo + (bin + fraction) * h.binWidth;
  let acc = 0;
  let min = h.lo;
  for (let b = 0; b < HISTOGRAM_BINS; b++) {
    const c = h.counts[b]!;
    if (acc + c > tail) {
      min = edge(b, c > 0 ? (tail - acc) / c : 0);
      break;
    }
    acc += c;
  }
  acc = 0;
  let max = h.hi;
  for (let b = HISTOGRAM_BINS - 1; b >= 0; b--) {
    const c = h.counts[b]!;
    if (acc + c > tail) {
      max = edge(b, c > 0 ? 1 - (tail - acc) / c : 1);
      break;
    }
    acc += c;
  }
  return { min, max: Math.max(min, max) };
}

/** The KL-optimal clipping threshold of an |x| histogram (see the header). */
export function entropyThreshold(h: Histogram): number {
  const counts = h.counts;
  let best = HISTOGRAM_BINS;
  let bestKl = Infinity;
  const step = 16;
  for (let i = ENTROPY_LEVELS; i <= HISTOGRAM_BINS; i += step) {
    const kl = klForThreshold(counts, i);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * h.binWidth;
}

/** KL(P‖Q): P = the first `i` bins with the outliers added to the last; Q = those bins merged into 128 levels and spread back over their non-empty bins. */
function klForThreshold(counts: Float64Array, i: number): number {
  const p = new Float64Array(i);
  for (let b = 0; b < i; b++) p[b] = counts[b]!;
  let outliers = 0;
  for (let b = i; b < counts.length; b++) outliers += counts[b]!;
  p[i - 1]! += outliers;
  const q = new Float64Array(i);
  const perLevel = i / ENTROPY_LEVELS;
  for (let level = 0; level < ENTROPY_LEVELS; level++) {
    const start = Math.floor(level * perLevel);
    const end = level === ENTROPY_LEVELS - 1 ? i : Math.floor((level + 1) * perLevel);
    let sum = 0;
    let nonzero = 0;
    // Q quantizes the clipped distribution WITHOUT the outliers: clipping costs what it loses.
    for (let b = start; b < end; b++) {
      sum += counts[b]!;
      if (counts[b]! > 0) nonzero++;
    }
    for (let b = start; b < end; b++) if (counts[b]! > 0) q[b] = sum / nonzero;
  }
  let ps = 0;
  let qs = 0;
  for (let b = 0; b < i; b++) {
    ps += p[b]!;
    qs += q[b]!;
  }
  if (ps === 0 || qs === 0) return Infinity;
  let kl = 0;
  for (let b = 0; b < i; b++) {
    const pb = p[b]! / ps;
    if (pb === 0) continue;
    const qb = q[b]! / qs;
    kl += pb * Math.log(pb / Math.max(qb, 1e-10)); // mass Q cannot represent is heavily penalised
  }
  return kl;
}
