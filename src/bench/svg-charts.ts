/**
 * The two charts of the HTML report, as inline SVG strings (no scripts, no external assets):
 * - latency distribution per variant: a box plot (whiskers min–max, box p25–p75, a tick at p50, a
 *   dot at p99), on a log axis when latencies span more than 20×;
 * - throughput by batch size: one line per provider·precision, the best point per batch size ringed.
 */
import { percentile } from './latency-stats.js';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function niceTicks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
    return ticks.filter((t) => t >= lo * 0.999 && t <= hi * 1.001);
  }
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const unit = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 6) ?? step * 10;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / unit) * unit; t <= hi + 1e-9; t += unit) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const label = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? String(Number(n.toPrecision(3))) : String(Number(n.toPrecision(2))));

export interface BoxRow {
  label: string;
  /** Timed latencies in ms, any order. */
  samples: readonly number[];
  highlight?: boolean;
}

export function latencyBoxPlot(rows: readonly BoxRow[], title = 'Latency per run (ms)'): string {
  // ~8 px per character of 12 px text, bold included, plus the gap before the plot.
  const labelWidth = Math.max(80, ...rows.map((r) => r.label.length * 8 + 20));
  const width = 820;
  const plotW = width - labelWidth - 24;
  const rowH = 26;
  const top = 34;
  const height = top + rows.length * rowH + 36;
  const sorted = rows.map((r) => [...r.samples].sort((a, b) => a - b));
  const all = sorted.flat().filter((v) => v > 0);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const log = hi / lo > 20;
  const domainLo = log ? lo / 1.25 : 0;
  const domainHi = log ? hi * 1.25 : hi * 1.05;
  const x = (v: number) => labelWidth + (log
    ? ((Math.log10(Math.max(v, domainLo)) - Math.log10(domainLo)) / (Math.log10(domainHi) - Math.log10(domainLo))) * plotW
    : ((v - domainLo) / (domainHi - domainLo)) * plotW);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${labelWidth}" y="18" font-weight="bold">${escapeXml(title)}${log ? ' — log scale' : ''}</text>`,
  ];
  for (const t of niceTicks(log ? domainLo : 0, domainHi, log)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top - 4}" y2="${height - 30}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${height - 14}" text-anchor="middle" font-size="11">${label(t)}</text>`);
  }
  sorted.forEach((s, i) => {
    const y = top + i * rowH + rowH / 2;
    const row = rows[i]!;
    const color = row.highlight ? '#2ca02c' : '#1f77b4';
    const [min, p25, p50, p75, p99, max] = [s[0]!, percentile(s, 25), percentile(s, 50), percentile(s, 75), percentile(s, 99), s[s.length - 1]!];
    parts.push(`<text x="${labelWidth - 8}" y="${y + 4}" text-anchor="end" font-size="12"${row.highlight ? ' font-weight="bold"' : ''}>${escapeXml(row.label)}</text>`);
    parts.push(`<line x1="${x(min).toFixed(1)}" x2="${x(max).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color}"/>`);
    parts.push(`<rect x="${x(p25).toFixed(1)}" y="${y - 8}" width="${Math.max(1, x(p75) - x(p25)).toFixed(1)}" height="16" fill="${color}" fill-opacity="0.25" stroke="${color}"/>`);
    parts.push(`<line x1="${x(p50).toFixed(1)}" x2="${x(p50).toFixed(1)}" y1="${y - 8}" y2="${y + 8}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<circle cx="${x(p99).toFixed(1)}" cy="${y}" r="3" fill="${color}"><title>p99 ${label(p99)} ms</title></circle>`);
    parts.push(`<title>${escapeXml(`${row.label}: min ${label(min)}, p50 ${label(p50)}, p99 ${label(p99)}, max ${label(max)} ms`)}</title>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface ThroughputPoint {
  batchSize: number;
  throughput: number;
  best?: boolean;
}

export interface ThroughputSeries {
  name: string;
  points: readonly ThroughputPoint[];
}

export function throughputChart(series: readonly ThroughputSeries[], title = 'Throughput by batch size (samples/s)'): string {
  const width = 820;
  const height = 340;
  const left = 64;
  const right = 150;
  const top = 34;
  const bottom = 44;
  const sizes = [...new Set(series.flatMap((s) => s.points.map((p) => p.batchSize)))].sort((a, b) => a - b);
  const hi = Math.max(...series.flatMap((s) => s.points.map((p) => p.throughput)), 1) * 1.1;
  // Batch sizes are evenly spaced: they are usually powers of two, and equal spacing reads best.
  const x = (b: number) => left + (sizes.length === 1 ? (width - left - right) / 2 : (sizes.indexOf(b) / (sizes.length - 1)) * (width - left - right));
  const y = (v: number) => top + (1 - v / hi) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${left}" y="18" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const t of niceTicks(0, hi, false)) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${label(t)}</text>`);
  }
  for (const b of sizes) parts.push(`<text x="${x(b).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" font-size="11">${b}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle" font-size="12">batch size</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].sort((a, b) => a.batchSize - b.batchSize);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.batchSize).toFixed(1)},${y(p.throughput).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      parts.push(`<circle cx="${x(p.batchSize).toFixed(1)}" cy="${y(p.throughput).toFixed(1)}" r="${p.best ? 6 : 3.5}" fill="${p.best ? '#fff' : color}" stroke="${color}" stroke-width="2"><title>${escapeXml(`${s.name} batch ${p.batchSize}: ${label(p.throughput)} samples/s`)}</title></circle>`);
    }
    parts.push(`<rect x="${width - right + 14}" y="${top + i * 20}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${width - right + 32}" y="${top + i * 20 + 10}" font-size="12">${escapeXml(s.name)}</text>`);
  });
  parts.push(`<text x="${width - right + 14}" y="${top + series.length * 20 + 14}" font-size="11" fill="#555">ringed: best per batch</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
