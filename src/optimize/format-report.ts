/**
 * How an OptimizeReport is shown: the terminal text (a per-pass table, the check's per-output errors,
 * a summary line) and the one --json document. Pure: the caller passes the table renderer and styles
 * (the CLI's own, plain unless stdout is a colour terminal) and gets text back.
 *
 * A pass's "nodes" and "bytes" columns are its own effect — the size changes of its runs, summed over
 * the rounds — because with several rounds the model's size before and after a pass also includes
 * what the other passes did in between.
 */
import type { Pass } from '../passes/pass.js';
import type { PassRecord } from '../passes/pass-manager.js';
import { formatPrecisionReport, precisionReportJson } from './format-precision.js';
import type { OptimizeReport } from './optimize.js';

type Styler = (text: string) => string;
export type TableRenderer = (rows: ReadonlyArray<ReadonlyArray<string | number>>, header?: readonly string[]) => string;

export interface ReportStyle {
  bold: Styler;
  dim: Styler;
  green: Styler;
  red: Styler;
}

export interface FormatReportOptions {
  table: TableRenderer;
  style?: ReportStyle;
  /** List every declined rewrite instead of counting them. */
  verbose?: boolean;
  /** Nothing was written on purpose (--dry-run). */
  dryRun?: boolean;
}

const plain: Styler = (s) => s;
const PLAIN: ReportStyle = { bold: plain, dim: plain, green: plain, red: plain };

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  return unit === 0 ? `${sign}${value} B` : `${sign}${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function signed(n: number, format: (n: number) => string): string {
  return n > 0 ? `+${format(n)}` : n < 0 ? `-${format(-n)}` : '0';
}

function percent(before: number, after: number): string {
  if (before === 0) return '';
  const p = ((after - before) / before) * 100;
  return ` (${p > 0 ? '+' : ''}${p.toFixed(1)}%)`;
}

function formatError(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return x < 1e-3 || x >= 1e4 ? x.toExponential(2) : x.toPrecision(3);
}

function formatStats(stats: Record<string, number>): string {
  const parts = Object.entries(stats).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : '-';
}

export function formatOptimizeReport(report: OptimizeReport, options: FormatReportOptions): string {
  const style = options.style ?? PLAIN;
  const lines: string[] = [];
  const target = report.output ? ` → ${report.output}` : '';
  lines.push(`${report.input}${target}: ${report.passes.length} pass${report.passes.length === 1 ? '' : 'es'}, ${report.rounds} round${report.rounds === 1 ? '' : 's'} to a fixed point`);
  if (report.passes.length > 0) {
    lines.push('');
    lines.push(options.table(report.passes.map(passRow), ['pass', 'changed', 'stats', 'nodes', 'initializer bytes', 'time']));
  }

  lines.push('');
  const check = report.check;
  if (!check) {
    lines.push(`check: ${style.dim('skipped (--check 0)')}`);
  } else {
    const verdict = check.ok ? style.green('ok') : style.red('FAILED');
    lines.push(`check: ${verdict}, ${check.runs} run${check.runs === 1 ? '' : 's'} in onnxruntime, atol ${check.atol}, rtol ${check.rtol}`);
    if (check.outputs.length > 0) {
      lines.push(options.table(
        check.outputs.map((o) => [o.name, formatError(o.maxAbsError), formatError(o.maxRelError), o.problem ?? String(o.mismatches)]),
        ['output', 'max abs error', 'max rel error', 'mismatches'],
      ));
    }
  }

  if (report.precision) {
    lines.push('');
    lines.push(formatPrecisionReport(report.precision, options.table, style));
  }

  if (report.declines.length > 0) {
    lines.push('');
    if (options.verbose) {
      lines.push(`declined rewrites (${report.declines.length}):`);
      lines.push(options.table(report.declines.map((d) => [d.pass, d.node, d.reason]), ['pass', 'node', 'reason']));
    } else {
      const passes = new Set(report.declines.map((d) => d.pass)).size;
      lines.push(style.dim(`${report.declines.length} rewrite${report.declines.length === 1 ? '' : 's'} declined by ${passes} pass${passes === 1 ? '' : 'es'} (--verbose lists them)`));
    }
  }

  lines.push('');
  const written = report.written
    ? `; wrote ${report.written.file} (${formatBytes(report.written.bytes)}${report.written.externalDataFile ? ` + ${report.written.externalDataFile} ${formatBytes(report.written.externalDataBytes ?? 0)}` : ''})`
    : options.dryRun ? '; nothing written (--dry-run)' : '';
  lines.push(style.bold(
    `nodes ${report.nodesBefore} → ${report.nodesAfter}${percent(report.nodesBefore, report.nodesAfter)}, `
    + `initializer bytes ${formatBytes(report.bytesBefore)} → ${formatBytes(report.bytesAfter)}${percent(report.bytesBefore, report.bytesAfter)}, `
    + `${formatDuration(report.timeMs)}${written}`,
  ));
  return lines.join('\n');
}

function passRow(p: PassRecord): (string | number)[] {
  return [
    p.name,
    p.roundsModified > 0 ? 'yes' : 'no',
    formatStats(p.stats),
    p.delta.nodes,
    signed(p.delta.initializerBytes, formatBytes),
    formatDuration(p.timeMs),
  ];
}

/** The --json document: one object, everything the text shows and the declines in full. */
export function optimizeReportJson(report: OptimizeReport) {
  return {
    input: report.input,
    output: report.written?.file ?? null,
    nodesBefore: report.nodesBefore,
    nodesAfter: report.nodesAfter,
    bytesBefore: report.bytesBefore,
    bytesAfter: report.bytesAfter,
    rounds: report.rounds,
    passes: report.passes.map((p) => ({
      name: p.name,
      changed: p.roundsModified > 0,
      roundsModified: p.roundsModified,
      stats: p.stats,
      nodesDelta: p.delta.nodes,
      bytesDelta: p.delta.initializerBytes,
      timeMs: round(p.timeMs),
    })),
    check: report.check
      ? {
        ok: report.check.ok, runs: report.check.runs, atol: report.check.atol, rtol: report.check.rtol,
        outputs: report.check.outputs.map((o) => ({
          name: o.name, maxAbsError: o.maxAbsError, maxRelError: o.maxRelError, mismatches: o.mismatches,
          ...(o.problem ? { problem: o.problem } : {}),
        })),
      }
      : null,
    ...(report.precision ? precisionReportJson(report.precision) : {}),
    declines: report.declines,
    written: report.written ?? null,
    timeMs: round(report.timeMs),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** --list-passes: one line per pass — name, kind, the presets that include it, summary. */
export function formatPassList(passes: readonly Pass[], presetsOf: (pass: Pass) => string[], table: TableRenderer): string {
  return table(passes.map((p) => [p.name, p.kind, presetsOf(p).join(' ') || '-', p.summary]), ['pass', 'kind', 'presets', 'summary']);
}
