/**
 * `bench` results for people: the terminal table (best per batch size marked with * and, on a colour
 * terminal, highlighted) with the notes under it, and the same table as Markdown (`--markdown`, for
 * READMEs and CI summaries). Numbers are formatted here; the JSON document keeps them unrounded.
 */
import type { BenchDocument, BenchResult } from './bench-document.js';

export interface BenchStyle {
  bold(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  red(s: string): string;
}

const plain: BenchStyle = { bold: (s) => s, green: (s) => s, dim: (s) => s, red: (s) => s };

export function ms(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3);
}

export function rate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}

const HEADER = ['variant', 'provider', 'precision', 'batch', 'mean ms', 'p50', 'p90', 'p95', 'p99', 'max', 'samples/s', 'load ms', 'peak RSS'];
const NUMERIC_FROM = 3;

function cells(r: BenchResult): string[] {
  const l = r.latencyMs;
  return [
    `${r.id}${r.best ? ' *' : ''}`, r.provider, r.precision, String(r.batchSize),
    ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p95), ms(l.p99), ms(l.max), rate(r.throughput), ms(r.sessionCreateMs), mib(r.peakRssBytes),
  ];
}

/** Results ordered by batch size, then provider order as measured. */
function ordered(doc: BenchDocument): BenchResult[] {
  return [...doc.results].sort((a, b) => a.batchSize - b.batchSize);
}

export function formatBenchTable(doc: BenchDocument, style: BenchStyle = plain): string {
  const rows = ordered(doc).map((r) => ({ r, cells: cells(r) }));
  const widths = HEADER.map((h, c) => Math.max(h.length, ...rows.map((row) => row.cells[c]!.length)));
  const line = (cs: string[]) => cs.map((s, c) => (c >= NUMERIC_FROM ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
  const lines = [style.bold(line(HEADER))];
  for (const { r, cells: cs } of rows) lines.push(r.best ? style.green(style.bold(line(cs))) : line(cs));
  lines.push('');
  lines.push(style.dim(`* best throughput for its batch size · ${settingsLine(doc)}`));
  for (const s of doc.skipped) lines.push(`skipped ${s.id}: ${s.reason}`);
  if (doc.selection) {
    const sel = doc.selection;
    lines.push('');
    lines.push(style.bold(`selected (written to the manifest)${sel.maxLatencyMs !== null ? `, p99 ≤ ${sel.maxLatencyMs} ms` : ''}:`));
    for (const e of sel.byBatchSize) {
      const served = sel.servedBatchSizes.includes(e.batchSize);
      lines.push(`  batch ${e.batchSize}: ${e.variant} (${rate(e.throughput)} samples/s, p99 ${ms(e.p99Ms)} ms)${served ? '' : ' — not served'}`);
    }
    for (const n of sel.notServed) lines.push(style.dim(`  batch ${n.batchSize} not served: ${n.reason}`));
    lines.push(`serves batch sizes ${sel.servedBatchSizes.join(', ')}`);
  }
  if (doc.comparison) lines.push('', ...comparisonLines(doc, style));
  return lines.join('\n');
}

function settingsLine(doc: BenchDocument): string {
  const s = doc.settings;
  const amount = s.iterations !== null ? `${s.iterations} runs` : `${(s.durationMs! / 1000).toFixed(s.durationMs! % 1000 ? 1 : 0)} s`;
  return `${amount} per variant after ${s.warmup} warm-up, ${s.threads} thread${s.threads === 1 ? '' : 's'}, ${doc.host.cpu} × ${doc.host.cpus}`;
}

function comparisonLines(doc: BenchDocument, style: BenchStyle): string[] {
  const c = doc.comparison!;
  const lines = [style.bold(`against ${c.baseline}${c.thresholdPercent !== null ? ` (fails above ${c.thresholdPercent}% slower)` : ''}:`)];
  for (const e of c.entries) {
    const change = e.slowdownPercent >= 0 ? `${e.slowdownPercent.toFixed(1)}% slower` : `${(-e.slowdownPercent).toFixed(1)}% faster`;
    const text = `  ${e.id}: ${rate(e.throughput)} vs ${rate(e.baselineThroughput)} samples/s, ${change}${e.regressed ? ' — REGRESSION' : ''}`;
    lines.push(e.regressed ? style.red(text) : text);
  }
  for (const m of c.missing) lines.push(style.dim(`  ${m}: in the baseline, not measured now`));
  for (const a of c.added) lines.push(style.dim(`  ${a}: not in the baseline`));
  return lines;
}

export function formatBenchMarkdown(doc: BenchDocument): string {
  const head = `| ${HEADER.join(' | ')} |`;
  const rule = `| ${HEADER.map((_, c) => (c >= NUMERIC_FROM ? '---:' : '---')).join(' | ')} |`;
  const rows = ordered(doc).map((r) => {
    const cs = cells(r).map((s) => s.replace(/ \*$/, ''));
    return `| ${(r.best ? cs.map((s) => `**${s}**`) : cs).join(' | ')} |`;
  });
  const lines = [head, rule, ...rows, '', `Bold: best throughput for its batch size. ${settingsLine(doc)}; onnxruntime-node ${doc.onnxruntime.node}${doc.onnxruntime.web ? `, onnxruntime-web ${doc.onnxruntime.web}` : ''}.`];
  for (const s of doc.skipped) lines.push('', `Skipped ${s.id}: ${s.reason}`);
  if (doc.selection) {
    lines.push('', `Selected: ${doc.selection.byBatchSize.map((e) => `batch ${e.batchSize} → ${e.variant}`).join(', ')}; serves batch sizes ${doc.selection.servedBatchSizes.join(', ')}.`);
    for (const n of doc.selection.notServed) lines.push(`Batch ${n.batchSize} not served: ${n.reason}.`);
  }
  return lines.join('\n');
}
