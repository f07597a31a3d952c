/**
 * `bench --report FILE.html`: one self-contained page (inline CSS and SVG, no scripts, nothing
 * fetched) with the machine and settings, the results table, the latency distribution per variant,
 * throughput by batch size, and the selection and baseline comparison when there are any.
 */
import type { BenchRun } from './bench-document.js';
import { mib, ms, rate } from './format-bench.js';
import { escapeXml, latencyBoxPlot, throughputChart, type ThroughputSeries } from './svg-charts.js';

export function benchHtmlReport(run: BenchRun): string {
  const doc = run.document;
  const results = [...doc.results].sort((a, b) => a.batchSize - b.batchSize);
  const series = new Map<string, ThroughputSeries & { points: Array<{ batchSize: number; throughput: number; best?: boolean }> }>();
  for (const r of results) {
    const name = `${r.provider} ${r.precision}`;
    const s = series.get(name) ?? { name, points: [] };
    s.points.push({ batchSize: r.batchSize, throughput: r.throughput, best: r.best });
    series.set(name, s);
  }
  const rows = results.map((r) => {
    const l = r.latencyMs;
    const cells = [r.id, r.provider, r.precision, String(r.batchSize), ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p95), ms(l.p99), ms(l.max), rate(r.throughput), ms(r.sessionCreateMs), mib(r.peakRssBytes), String(r.iterations)];
    return `<tr${r.best ? ' class="best"' : ''}>${cells.map((c, i) => `<td${i >= 3 ? ' class="n"' : ''}>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  const s = doc.settings;
  const amount = s.iterations !== null ? `${s.iterations} timed runs` : `${s.durationMs} ms`;
  const sections: string[] = [];
  if (doc.selection) {
    const sel = doc.selection;
    sections.push(`<h2>Selection</h2><p>Written to the bundle's manifest${sel.maxLatencyMs !== null ? `, honouring p99 ≤ ${sel.maxLatencyMs} ms` : ''}. Serves batch sizes <b>${sel.servedBatchSizes.join(', ')}</b>.</p><ul>${
      sel.byBatchSize.map((e) => `<li>batch ${e.batchSize}: ${escapeXml(e.variant)} (${rate(e.throughput)} samples/s)${sel.servedBatchSizes.includes(e.batchSize) ? '' : ' — not served'}</li>`).join('')}${
      sel.notServed.map((n) => `<li>batch ${n.batchSize} not served: ${escapeXml(n.reason)}</li>`).join('')}</ul>`);
  }
  if (doc.comparison) {
    const c = doc.comparison;
    sections.push(`<h2>Against ${escapeXml(c.baseline)}</h2><ul>${c.entries.map((e) => `<li${e.regressed ? ' class="bad"' : ''}>${escapeXml(e.id)}: ${rate(e.throughput)} vs ${rate(e.baselineThroughput)} samples/s (${e.slowdownPercent >= 0 ? `${e.slowdownPercent.toFixed(1)}% slower` : `${(-e.slowdownPercent).toFixed(1)}% faster`})${e.regressed ? ' — regression' : ''}</li>`).join('')}</ul>`);
  }
  if (doc.skipped.length) sections.push(`<h2>Skipped</h2><ul>${doc.skipped.map((k) => `<li>${escapeXml(k.id)}: ${escapeXml(k.reason)}</li>`).join('')}</ul>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlserve bench: ${escapeXml(doc.target.path)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:900px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.best td{font-weight:bold;background:#eef8ee}
.bad{color:#b00}svg{font-family:system-ui,sans-serif;max-width:100%;height:auto}code{background:#f4f4f4;padding:0 3px}
</style></head><body>
<h1>mlserve bench</h1>
<p><code>${escapeXml(doc.target.path)}</code> (${doc.target.kind}) · ${escapeXml(doc.host.cpu)} × ${doc.host.cpus}, ${doc.host.platform}-${doc.host.arch}, Node ${escapeXml(doc.host.node)} ·
onnxruntime-node ${escapeXml(doc.onnxruntime.node)}${doc.onnxruntime.web ? `, onnxruntime-web ${escapeXml(doc.onnxruntime.web)}` : ''} · ${s.warmup} warm-up runs, then ${amount} per variant, ${s.threads} thread${s.threads === 1 ? '' : 's'} · ${escapeXml(doc.createdAt)}</p>
<h2>Results</h2>
<table><thead><tr>${['variant', 'provider', 'precision', 'batch', 'mean ms', 'p50', 'p90', 'p95', 'p99', 'max', 'samples/s', 'load ms', 'peak RSS', 'runs'].map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p>Bold: best throughput for its batch size.</p>
<h2>Latency distribution</h2>
${latencyBoxPlot(results.map((r) => ({ label: r.id, samples: run.samples[r.id] ?? [r.latencyMs.min, r.latencyMs.p50, r.latencyMs.max], highlight: r.best })))}
<p>Whiskers: min to max; box: p25 to p75; bar: median; dot: p99.</p>
<h2>Throughput</h2>
${throughputChart([...series.values()])}
${sections.join('\n')}
</body></html>
`;
}
