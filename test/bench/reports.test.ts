/**
 * The human-facing reports from one crafted document: the terminal table marks the best per batch
 * size, Markdown is a well-formed table with the best in bold, and the HTML page is self-contained
 * (no scripts, nothing fetched), escapes what it prints, and carries both charts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BenchDocument, BenchResult, BenchRun } from '../../src/bench/bench-document.js';
import { formatBenchMarkdown, formatBenchTable } from '../../src/bench/format-bench.js';
import { benchHtmlReport } from '../../src/bench/html-report.js';

const result = (provider: string, batchSize: number, mean: number, best: boolean): BenchResult => ({
  id: `${provider}-fp32-b${batchSize}`, provider, precision: 'fp32', batchSize, file: `variants/${provider}-fp32-b${batchSize}.onnx`,
  inputs: { x: [batchSize, 3] }, iterations: 50,
  latencyMs: { mean, p50: mean * 0.9, p90: mean * 1.2, p95: mean * 1.3, p99: mean * 1.5, max: mean * 2, min: mean * 0.8 },
  throughput: (batchSize * 1000) / mean, sessionCreateMs: 12, peakRssBytes: 100 * 1024 * 1024, threads: 2, best,
});

const doc: BenchDocument = {
  schemaVersion: 1, tool: 'mlserve bench', createdAt: '2026-01-01T00:00:00.000Z', mlserve: '0.1.0', onnxruntime: { node: '1.30.0', web: '1.30.0' },
  host: { platform: 'linux', arch: 'x64', cpu: 'Test <CPU> & co', cpus: 2, node: 'v20' },
  target: { path: 'm<odel>.bundle', kind: 'bundle' },
  settings: { warmup: 2, iterations: 50, durationMs: null, threads: 2, graphOptimizationLevel: 'all', inputs: null, inputValues: null },
  results: [result('cpu', 1, 2, true), result('wasm', 1, 6, false), result('cpu', 4, 5, true), result('wasm', 4, 20, false)],
  skipped: [{ id: 'webgpu-fp32-b1', provider: 'webgpu', precision: 'fp32', batchSize: 1, reason: 'no adapter' }],
  bestByBatchSize: { 1: 'cpu-fp32-b1', 4: 'cpu-fp32-b4' },
};
const samples = Object.fromEntries(doc.results.map((r) => [r.id, Array.from({ length: 50 }, (_, i) => r.latencyMs.min + (i / 49) * (r.latencyMs.max - r.latencyMs.min))]));
const run: BenchRun = { document: doc, samples };

describe('bench reports', () => {
  test('terminal table: one row per result by batch size, the best per batch size marked, skips listed', () => {
    const lines = formatBenchTable(doc).split('\n');
    assert.match(lines[0]!, /^variant +provider +precision +batch +mean ms +p50 +p90 +p95 +p99 +max +samples\/s +load ms +peak RSS$/);
    assert.deepEqual(lines.slice(1, 5).map((l) => l.split(/\s+/)[0] + (l.includes(' * ') ? '*' : '')), ['cpu-fp32-b1*', 'wasm-fp32-b1', 'cpu-fp32-b4*', 'wasm-fp32-b4']);
    assert.match(lines[1]!, / 500 +12\.0 +100 MiB$/);
    assert.ok(lines.includes('skipped webgpu-fp32-b1: no adapter'));
  });

  test('Markdown: header, alignment row, the best rows in bold', () => {
    const lines = formatBenchMarkdown(doc).split('\n');
    assert.equal(lines[0], '| variant | provider | precision | batch | mean ms | p50 | p90 | p95 | p99 | max | samples/s | load ms | peak RSS |');
    assert.equal(lines[1], '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    assert.ok(lines[2]!.startsWith('| **cpu-fp32-b1** | **cpu** |'));
    assert.ok(lines[3]!.startsWith('| wasm-fp32-b1 | wasm |'));
    for (const l of lines.slice(0, 6)) assert.equal(l.split('|').length, 15, l);
  });

  test('HTML: self-contained, escaped, both charts, best rows highlighted', () => {
    const html = benchHtmlReport(run);
    assert.ok(html.startsWith('<!doctype html>'));
    assert.doesNotMatch(html, /<script|<link|src=|href=/i);
    assert.ok(html.includes('m&lt;odel&gt;.bundle'));
    assert.ok(html.includes('Test &lt;CPU&gt; &amp; co'));
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.ok(html.includes('Latency per run (ms)'));
    assert.ok(html.includes('Throughput by batch size'));
    assert.equal((html.match(/<tr class="best">/g) ?? []).length, 2);
    // One box per result, one line per provider series.
    assert.equal((html.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16"/g) ?? []).length, 4);
    assert.equal((html.match(/<polyline /g) ?? []).length, 2);
    assert.ok(html.includes('webgpu-fp32-b1: no adapter'));
  });
});
