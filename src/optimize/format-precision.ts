/**
 * How a PrecisionReport is shown: a few lines for the terminal (what was converted or quantized, the
 * accuracy table, the gate's verdict) and its part of the --json document (`precision` and `accuracy`).
 */
import { formatMetric } from './accuracy-gate.js';
import type { PrecisionReport } from './precision.js';

type Styler = (text: string) => string;
type TableRenderer = (rows: ReadonlyArray<ReadonlyArray<string | number>>, header?: readonly string[]) => string;

function gateText(r: PrecisionReport): string {
  const g = r.gate.gate;
  const parts = [
    g.cosine !== undefined ? `cosine ≥ ${g.cosine}` : '', g.top1 !== undefined ? `top1 ≥ ${g.top1}` : '',
    g.maxAbs !== undefined ? `max abs ≤ ${g.maxAbs}` : '', g.meanAbs !== undefined ? `mean abs ≤ ${g.meanAbs}` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'none';
}

function what(r: PrecisionReport): string {
  const stats: Record<string, number> = {};
  for (const p of r.passes) for (const [k, v] of Object.entries(p.stats)) stats[k] = (stats[k] ?? 0) + v;
  if (r.precision === 'fp16') {
    const clamped = (stats.clampedOverflow ?? 0) + (stats.clampedUnderflow ?? 0);
    return `float16: ${stats.converted ?? 0} nodes converted, ${stats.kept ?? 0} kept float32, ${stats.casts ?? 0} casts; `
      + `${clamped} weight value${clamped === 1 ? '' : 's'} clamped (${stats.clampedOverflow ?? 0} beyond ±65504, ${stats.clampedUnderflow ?? 0} below 2^-24)`;
  }
  if (r.quantMode === 'dynamic') {
    return `int8 dynamic: ${stats.matmul ?? 0} MatMul, ${stats.gemm ?? 0} Gemm, ${stats.gather ?? 0} embedding Gather quantized`;
  }
  const c = r.calibration;
  return `int8 static (QDQ): ${stats.nodes ?? 0} nodes, ${stats.tensors ?? 0} activations, ${stats.weights ?? 0} weights, ${stats.biases ?? 0} biases quantized`
    + (c ? `; calibrated on ${c.sets} input set${c.sets === 1 ? '' : 's'} (${c.method}${c.percentile !== undefined ? ` ${c.percentile}` : ''})` : '');
}

export function formatPrecisionReport(r: PrecisionReport, table: TableRenderer, style: { green: Styler; red: Styler }): string {
  const lines = [what(r)];
  const verdict = r.gate.ok ? style.green('ok') : style.red('FAILED');
  lines.push(`accuracy vs float32: ${verdict} (gate ${gateText(r)}), ${r.accuracy.runs} run${r.accuracy.runs === 1 ? '' : 's'} on ${r.accuracy.inputs} inputs`);
  lines.push(table(r.accuracy.outputs.map((o) => [
    o.name,
    o.problem ?? formatMetric(o.maxAbsError),
    o.problem ? '' : formatMetric(o.meanAbsError),
    o.problem ? '' : `${o.cosine.toFixed(6)}${o.negligible ? ' (output ≈ 0)' : ''}`,
    o.top1 === undefined ? '-' : `${(o.top1 * 100).toFixed(2)}% of ${o.rows}`,
  ]), ['output', 'max abs error', 'mean abs error', 'cosine', 'top-1 agreement']));
  return lines.join('\n');
}

/** `precision` and `accuracy` for the --json document. */
export function precisionReportJson(r: PrecisionReport) {
  const stats: Record<string, number> = {};
  for (const p of r.passes) for (const [k, v] of Object.entries(p.stats)) stats[k] = (stats[k] ?? 0) + v;
  return {
    precision: {
      precision: r.precision,
      ...(r.quantMode ? { quantMode: r.quantMode } : {}),
      ...(r.calibration ? { calibration: r.calibration } : {}),
      stats,
    },
    accuracy: {
      ok: r.gate.ok,
      gate: r.gate.gate,
      failures: r.gate.failures,
      runs: r.accuracy.runs,
      inputs: r.accuracy.inputs,
      outputs: r.accuracy.outputs,
    },
  };
}
