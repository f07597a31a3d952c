/**
 * What `mlserve optimize` buys on PP-OCRv4 rec, in one run:
 *   1. how long `mlserve optimize MODEL -O2 -o OUT` takes end to end (a fresh CLI process: module
 *      loading, the passes, the default --check 1 in onnxruntime, the atomic write) — goal: < 10 s;
 *   2. onnxruntime session-creation time and run latency, original (A) against optimized (B), as
 *      ratios B/A measured in the same process: rounds alternate A B A B so drift hits both; each
 *      round creates a fresh session (one creation sample), warms it up, then times runs for a fixed
 *      duration. Medians and p99 with the min–max spread. Intra-op threads are set explicitly; both
 *      onnxruntime's default graph optimization ('all', what a deployment runs) and 'disabled' (the
 *      graph exactly as written, which isolates what our rewrite changed) are measured.
 *
 *   npx tsc -p . && node dist/bench/optimize.js [--rounds 8] [--seconds 0.5] [--threads 1] [--width 320]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyStats } from '../src/bench/latency-stats.js';
import { loadModel } from '../src/ir/model-file.js';
import { modelSize } from '../src/passes/model-size.js';
import { createSession, ort, type SessionOptions } from '../src/runtime/ort-session.js';
import { randomFeeds } from '../src/runtime/random-inputs.js';
import { modelInputSpecs } from '../src/runtime/model-inputs.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const ROUNDS = flag('rounds', 8);
const SECONDS = flag('seconds', 0.5);
const THREADS = flag('threads', 1);
const WIDTH = flag('width', 320);
const OPTIMIZE_RUNS = 3;
const WARMUP_RUNS = 5;

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function summary(samples: number[]): string {
  const s = latencyStats(samples);
  return `median ${ms(s.p50)}, p99 ${ms(s.p99)} (min ${ms(s.min)} – max ${ms(s.max)}, n=${s.count})`;
}

/** 1. The CLI, end to end, in fresh processes. */
function timeOptimize(out: string): { wallMs: number[]; report: { nodesBefore: number; nodesAfter: number; timeMs: number; check: { runs: number } } } {
  const wallMs: number[] = [];
  let report;
  for (let i = 0; i < OPTIMIZE_RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'mlserve.js'), 'optimize', MODEL, '-O2', '--json', '-o', out], { encoding: 'utf8' });
    wallMs.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`mlserve optimize failed (${r.status}): ${r.stderr}`);
    report = JSON.parse(r.stdout);
  }
  return { wallMs, report };
}

interface Samples { create: number[]; run: number[] }

/** 2. One round for one model: a fresh session, warm-up, then timed runs for SECONDS. */
async function round(model: string, options: SessionOptions, feeds: Record<string, ort.Tensor>, into: Samples): Promise<void> {
  const start = performance.now();
  const session = await createSession(model, options);
  into.create.push(performance.now() - start);
  try {
    for (let i = 0; i < WARMUP_RUNS; i++) await session.run(feeds);
    const until = performance.now() + SECONDS * 1000;
    while (performance.now() < until) {
      const t = performance.now();
      await session.run(feeds);
      into.run.push(performance.now() - t);
    }
  } finally {
    await session.release();
  }
}

async function compare(original: string, optimized: string, level: NonNullable<SessionOptions['graphOptimizationLevel']>): Promise<void> {
  const options: SessionOptions = { threads: THREADS, graphOptimizationLevel: level };
  const feeds = randomFeeds(modelInputSpecs(loadModel(original)), { shapes: new Map([['x', [1, 3, 48, WIDTH]]]), seed: 7 });
  const a: Samples = { create: [], run: [] };
  const b: Samples = { create: [], run: [] };
  for (let r = 0; r < ROUNDS; r++) {
    await round(original, options, feeds, a);
    await round(optimized, options, feeds, b);
  }
  const ratio = (x: number[], y: number[]) => (median(y) / median(x)).toFixed(3);
  console.log(`\ngraph optimization '${level}':`);
  console.log(`  session creation  original  ${summary(a.create)}`);
  console.log(`                    optimized ${summary(b.create)}`);
  console.log(`                    ratio optimized/original (medians) ${ratio(a.create, b.create)}`);
  console.log(`  run latency       original  ${summary(a.run)}`);
  console.log(`                    optimized ${summary(b.run)}`);
  console.log(`                    ratio optimized/original (medians) ${ratio(a.run, b.run)}`);
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-optimize-'));
  try {
    const out = path.join(tmp, 'rec-optimized.onnx');
    console.log(`PP-OCRv4 rec (${path.relative(repoRoot, MODEL)}), onnxruntime-node ${ort.env.versions.common}, ${os.cpus().length} CPUs, node ${process.version}`);
    const { wallMs, report } = timeOptimize(out);
    const before = modelSize(loadModel(MODEL));
    const after = modelSize(loadModel(out));
    console.log(`\nmlserve optimize -O2 (check on ${report.check.runs} input, fresh process each time, ${OPTIMIZE_RUNS} runs):`);
    console.log(`  wall time median ${ms(median(wallMs))} (min ${ms(Math.min(...wallMs))} – max ${ms(Math.max(...wallMs))}); in-process optimize() ${ms(report.timeMs)}; goal < 10 s`);
    console.log(`  nodes ${before.nodes} → ${after.nodes}, initializer bytes ${before.initializerBytes} → ${after.initializerBytes}`);
    console.log(`\nsessions: intra-op threads ${THREADS}, input x [1,3,48,${WIDTH}], ${ROUNDS} rounds A B A B, ${WARMUP_RUNS} warm-up runs and ${SECONDS} s of timed runs per model per round`);
    await compare(MODEL, out, 'all');
    await compare(MODEL, out, 'disabled');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
