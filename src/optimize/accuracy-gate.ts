/**
 * --max-accuracy-loss: the least accuracy a precision change may keep, e.g. `cosine=0.99,top1=0.98`.
 * Metrics: cosine (lowest cosine similarity allowed), top1 (lowest top-1 agreement, for class-score
 * outputs), max-abs and mean-abs (largest absolute errors allowed). Every output must meet every
 * metric that applies to it. The default gate is cosine ≥ 0.99.
 *
 * An output whose reference is ≈ 0 on the inputs (see accuracy-report.ts) is not judged by cosine;
 * it passes that criterion when the converted model's output is ≈ 0 too (max abs error ≤ 1e-3).
 * An output that could not be compared at all (missing, other shape) fails.
 */
import { MlserveError } from '../errors.js';
import type { AccuracyReport } from './accuracy-report.js';

export interface AccuracyGate {
  cosine?: number;
  top1?: number;
  maxAbs?: number;
  meanAbs?: number;
}

export const DEFAULT_ACCURACY_GATE: Readonly<AccuracyGate> = Object.freeze({ cosine: 0.99 });

/** Max abs error under which a ≈ 0 output still counts as ≈ 0. */
const NEGLIGIBLE_ERROR = 1e-3;

const METRICS: Record<string, { key: keyof AccuracyGate; min: number; max: number }> = {
  cosine: { key: 'cosine', min: -1, max: 1 },
  top1: { key: 'top1', min: 0, max: 1 },
  'max-abs': { key: 'maxAbs', min: 0, max: Infinity },
  'mean-abs': { key: 'meanAbs', min: 0, max: Infinity },
};

export function parseAccuracyGate(spec: string, option = '--max-accuracy-loss'): AccuracyGate {
  const gate: AccuracyGate = {};
  const invalid = (reason: string) => new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value: spec, reason });
  for (const part of spec.split(',')) {
    const m = /^\s*([a-z0-9-]+)\s*=\s*([^\s]+)\s*$/i.exec(part);
    if (!m) throw invalid(`expected metric=value pairs separated by commas, e.g. cosine=0.99,top1=0.98`);
    const metric = METRICS[m[1]!.toLowerCase()];
    if (!metric) throw invalid(`unknown metric '${m[1]}' (known: ${Object.keys(METRICS).join(', ')})`);
    const value = Number(m[2]);
    if (!Number.isFinite(value) || value < metric.min || value > metric.max) {
      throw invalid(`${m[1]} must be a number in [${metric.min}, ${metric.max === Infinity ? '∞' : metric.max}]`);
    }
    gate[metric.key] = value;
  }
  return gate;
}

export interface GateFailure {
  output: string;
  metric: 'cosine' | 'top1' | 'max-abs' | 'mean-abs' | 'comparable';
  value: number | string;
  limit: number | string;
}

export interface GateResult {
  ok: boolean;
  gate: AccuracyGate;
  failures: GateFailure[];
}

export function evaluateGate(report: AccuracyReport, gate: AccuracyGate): GateResult {
  const failures: GateFailure[] = [];
  for (const o of report.outputs) {
    if (o.problem) {
      failures.push({ output: o.name, metric: 'comparable', value: o.problem, limit: 'same shape' });
      continue;
    }
    if (gate.cosine !== undefined) {
      if (o.negligible) {
        if (!(o.maxAbsError <= NEGLIGIBLE_ERROR)) failures.push({ output: o.name, metric: 'max-abs', value: o.maxAbsError, limit: NEGLIGIBLE_ERROR });
      } else if (!(o.cosine >= gate.cosine)) {
        failures.push({ output: o.name, metric: 'cosine', value: o.cosine, limit: gate.cosine });
      }
    }
    if (gate.top1 !== undefined && o.top1 !== undefined && !(o.top1 >= gate.top1)) {
      failures.push({ output: o.name, metric: 'top1', value: o.top1, limit: gate.top1 });
    }
    if (gate.maxAbs !== undefined && !(o.maxAbsError <= gate.maxAbs)) failures.push({ output: o.name, metric: 'max-abs', value: o.maxAbsError, limit: gate.maxAbs });
    if (gate.meanAbs !== undefined && !(o.meanAbsError <= gate.meanAbs)) failures.push({ output: o.name, metric: 'mean-abs', value: o.meanAbsError, limit: gate.meanAbs });
  }
  return { ok: failures.length === 0, gate, failures };
}

/** "cosine 0.9712 < 0.99 on 'logits'" — for error messages. */
export function describeFailure(f: GateFailure): string {
  const v = typeof f.value === 'number' ? formatMetric(f.value) : f.value;
  const relation = f.metric === 'max-abs' || f.metric === 'mean-abs' ? '>' : f.metric === 'comparable' ? 'instead of' : '<';
  return `${f.metric} ${v} ${relation} ${typeof f.limit === 'number' ? formatMetric(f.limit) : f.limit} on '${f.output}'`;
}

/** Seven significant digits at most, trailing zeros dropped: 0.9999731 and 0.99 side by side stay distinct. */
export function formatMetric(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(7)));
}
