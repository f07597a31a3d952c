/**
 * What `mlserve compile` prints: one row per variant built, a line per combination skipped and why,
 * and the bundle written. `compileReportJson` is the --json document.
 */
import type { CompileResult } from './compile.js';

export interface ReportStyle {
  bold(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
}

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`);
const shape = (dims: readonly number[]) => `[${dims.join(',')}]`;

export function formatCompileReport(result: CompileResult, table: (rows: string[][], header: string[]) => string, style: ReportStyle): string {
  const m = result.manifest;
  const rows = m.variants.map((v) => [
    v.id, v.file, Object.entries(v.inputs).map(([n, d]) => `${n}${shape(d)}`).join(' '),
    `${v.passes.length}`, v.optimizationLevel + (v.levelNote ? ' (fallback)' : ''), size(v.bytes),
    v.check ? v.check.maxAbsError.toExponential(2) : 'not checked', `${(result.timings[v.id]! / 1000).toFixed(1)} s`,
  ]);
  const lines = [table(rows, ['variant', 'file', 'inputs', 'passes', 'ort level', 'size', 'max abs err', 'time'])];
  for (const v of m.variants.filter((x) => x.levelNote)) lines.push(style.yellow(`${v.id}: built at level ${v.optimizationLevel} because ${v.levelNote}`));
  for (const s of result.skipped) lines.push(style.yellow(`skipped ${s.provider} ${s.precision} batch ${s.batchSize}: ${s.reason}`));
  lines.push('');
  lines.push(`${style.bold(`wrote ${result.output}`)}: ${m.variants.length} variant${m.variants.length === 1 ? '' : 's'} of ${m.source.file} (sha256 ${m.source.sha256.slice(0, 12)}…), manifest.json; ${(result.timeMs / 1000).toFixed(1)} s`);
  lines.push(style.dim(`next: mlserve bench ${result.output} --select`));
  return lines.join('\n');
}

export function compileReportJson(result: CompileResult): unknown {
  return { output: result.output, timeMs: result.timeMs, timings: result.timings, skipped: result.skipped, manifest: result.manifest };
}
