/**
 * What `--precision int8` buys on this CPU, in one run (numbers for the README):
 *
 *  1. The BERT-style encoder at MiniLM-L6 size (fixtures/generate-encoder.ts, generated into a cache
 *     folder): float32 after -O2 against -O2 + int8 dynamic (standard ops, and --target onnxruntime),
 *     batch 1, sequence 128 — file size, cosine of last_hidden_state on token inputs, latency.
 *  2. PP-OCRv4 det, static int8 calibrated on 8 synthetic document images (fixtures/text-images.ts)
 *     at 320×320, judged on 4 other documents at 640×640: accuracy (cosine, errors, and agreement of
 *     the text/no-text decision at DB's 0.3 threshold), latency at 640×640 and at 160×160, for each
 *     calibration method and for the three activation/weight type pairs (which one onnxruntime's CPU
 *     kernels run fastest).
 *  3. PP-OCRv4 rec: why static int8 is not offered (opset 9), and what dynamic int8 does to it.
 *
 * Latency: onnxruntime sessions at the default optimization level ('all'), intra-op threads set
 * (default 1); the variants being compared are timed in alternating rounds (A B C A B C …) so machine
 * load drifts over all of them alike; each round times a few runs after a warm-up; ratios are of
 * medians over all runs.
 *
 *   npx tsc -p . && node dist/bench/quantize.js [--rounds 12] [--threads 1] [--only encoder|det|rec]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encoderModelFile, MINILM_L6 } from '../fixtures/generate-encoder.js';
import { detInput, recInput, renderDocument, renderTextLine } from '../fixtures/text-images.js';
import { MlserveError } from '../src/errors.js';
import { optimize, type OptimizeOptions } from '../src/optimize/optimize.js';
import type { PrecisionOptions } from '../src/optimize/precision.js';
import { createSession, ort, type OrtSession, type OrtTensor } from '../src/runtime/ort-session.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ASSETS = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const DET = path.join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
const REC = path.join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const ROUNDS = Number(flag('rounds', '12'));
const THREADS = Number(flag('threads', '1'));
const ONLY = flag('only', '');
const RUNS_PER_ROUND = 4;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-quantize-'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

interface Variant { name: string; file: string }

/** Median latency per variant, timed in alternating rounds on the same feeds. */
async function timeAlternating(variants: Variant[], feeds: Record<string, OrtTensor>): Promise<Map<string, number>> {
  const sessions: [Variant, OrtSession][] = [];
  for (const v of variants) sessions.push([v, await createSession(v.file, { threads: THREADS })]);
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  try {
    for (const [, s] of sessions) for (let i = 0; i < 3; i++) await s.run(feeds);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [v, s] of sessions) {
        for (let i = 0; i < RUNS_PER_ROUND; i++) {
          const t0 = performance.now();
          await s.run(feeds);
          samples.get(v.name)!.push(performance.now() - t0);
        }
      }
    }
  } finally {
    for (const [, s] of sessions) await s.release();
  }
  return new Map([...samples].map(([k, xs]) => [k, median(xs)]));
}

async function optimizeTo(file: string, name: string, options: OptimizeOptions) {
  const out = path.join(tmp, name);
  const { report } = await optimize(file, { passes: 'O2', check: 0, output: out, ...options });
  return { out, report, bytes: fs.statSync(out).size };
}

/** The gate is reported, not enforced: every variant is measured. */
const NO_GATE = { maxAccuracyLoss: { cosine: -1 } } satisfies Partial<PrecisionOptions>;

// ---------------------------------------------------------------------------------------------------

async function encoder(): Promise<void> {
  const seq = 128;
  const file = encoderModelFile(MINILM_L6);
  const tokens = (s: number): Record<string, OrtTensor> => ({
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: seq }, (_, i) => BigInt(i === 0 ? 101 : i === seq - 1 ? 102 : (i * 7919 + s * 104729 + 1000) % MINILM_L6.vocab)), [1, seq]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from({ length: seq }, (_, i) => (i < seq - 8 * s ? 1n : 0n)), [1, seq]),
  });
  const feeds = [0, 1, 2, 3].map(tokens);
  const fp32 = await optimizeTo(file, 'encoder-fp32.onnx', {});
  const int8 = await optimizeTo(file, 'encoder-int8.onnx', { feeds, precision: { precision: 'int8', ...NO_GATE } });
  const contrib = await optimizeTo(file, 'encoder-int8-ort.onnx', { feeds, passOptions: { target: 'onnxruntime' }, precision: { precision: 'int8', ...NO_GATE } });
  const latency = await timeAlternating([
    { name: 'fp32', file: fp32.out }, { name: 'int8', file: int8.out }, { name: 'int8-ort', file: contrib.out },
  ], feeds[0]!);
  const f = latency.get('fp32')!;
  console.log(`\n### BERT-style encoder, MiniLM-L6 size (hidden 384, 6 layers, 12 heads, FFN 1536), batch 1, sequence ${seq}\n`);
  console.log(`${THREADS} intra-op thread(s), onnxruntime-node ${ort.env.versions.common}, ${ROUNDS} alternating rounds × ${RUNS_PER_ROUND} runs; cosine over 4 token inputs (worst).\n`);
  console.log('| model | file | vs float32 -O2 | median latency | speed-up | cosine (last_hidden_state) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(`| float32, -O2 | ${mib(fp32.bytes)} | 100% | ${ms(f)} | 1.00× | 1 |`);
  for (const [label, r, key] of [['int8 dynamic (MatMulInteger)', int8, 'int8'], ['int8 dynamic, --target onnxruntime', contrib, 'int8-ort']] as const) {
    const acc = r.report.precision!.accuracy.outputs[0]!;
    console.log(`| ${label} | ${mib(r.bytes)} | ${((r.bytes / fp32.bytes) * 100).toFixed(1)}% | ${ms(latency.get(key)!)} | ${(f / latency.get(key)!).toFixed(2)}× | ${acc.cosine.toFixed(5)} |`);
  }
}

// ---------------------------------------------------------------------------------------------------

function detFeed(seed: number, size: number): Record<string, OrtTensor> {
  return { x: new ort.Tensor('float32', detInput(renderDocument(size, size, seed)), [1, 3, size, size]) };
}

/** Share of pixels on the same side of DB's 0.3 threshold, over the eval images. */
async function textPixelAgreement(reference: string, candidate: string, feeds: Record<string, OrtTensor>[]): Promise<number> {
  const [a, b] = [await createSession(reference, { threads: 2 }), await createSession(candidate, { threads: 2 })];
  let agree = 0;
  let total = 0;
  for (const f of feeds) {
    const x = Object.values(await a.run(f))[0]!.data as Float32Array;
    const y = Object.values(await b.run(f))[0]!.data as Float32Array;
    for (let i = 0; i < x.length; i++) if ((x[i]! > 0.3) === (y[i]! > 0.3)) agree++;
    total += x.length;
  }
  await a.release();
  await b.release();
  return agree / total;
}

async function det(): Promise<void> {
  const calibration = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => detFeed(s, 320));
  const evaluation = [101, 102, 103, 104].map((s) => detFeed(s, 640));
  const fp32 = await optimizeTo(DET, 'det-fp32.onnx', {});
  const configs: { name: string; options: Partial<PrecisionOptions>; target?: 'onnxruntime' }[] = [
    { name: 'minmax, per-tensor weights (--target onnx)', options: {} },
    { name: 'minmax, per-channel (--target onnxruntime)', options: {}, target: 'onnxruntime' },
    { name: 'percentile 99.99, per-channel', options: { calibrationMethod: 'percentile' }, target: 'onnxruntime' },
    { name: 'entropy, per-channel', options: { calibrationMethod: 'entropy' }, target: 'onnxruntime' },
    { name: 'minmax, per-channel, int8 activations (S8S8)', options: { activationType: 'int8' }, target: 'onnxruntime' },
    { name: 'minmax, per-channel, uint8 weights (U8U8)', options: { weightType: 'uint8' }, target: 'onnxruntime' },
  ];
  const results = [];
  for (const [i, c] of configs.entries()) {
    const r = await optimizeTo(DET, `det-int8-${i}.onnx`, {
      feeds: evaluation, ...(c.target ? { passOptions: { target: c.target } } : {}),
      precision: { precision: 'int8', quantMode: 'static', calibrationFeeds: calibration, ...c.options, ...NO_GATE },
    });
    results.push({ ...c, ...r, agreement: await textPixelAgreement(fp32.out, r.out, evaluation) });
  }
  const variants = [{ name: 'fp32', file: fp32.out }, ...results.map((r, i) => ({ name: `q${i}`, file: r.out }))];
  const large = await timeAlternating(variants, detFeed(200, 640));
  const small = await timeAlternating(variants.slice(0, 3), detFeed(201, 160));
  console.log('\n### PP-OCRv4 det, static int8 (QDQ), calibrated on 8 synthetic documents (320×320), judged on 4 others (640×640)\n');
  console.log(`${THREADS} intra-op thread(s); accuracy against the float32 model; "text pixels" = pixels on the same side of DB's 0.3 threshold.\n`);
  console.log('| variant | file | cosine | mean abs error | text pixels agree | latency 640×640 | speed-up | latency 160×160 | speed-up |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const f = large.get('fp32')!;
  const fs160 = small.get('fp32')!;
  console.log(`| float32, -O2 | ${mib(fp32.bytes)} | 1 | 0 | 100% | ${ms(f)} | 1.00× | ${ms(fs160)} | 1.00× |`);
  results.forEach((r, i) => {
    const acc = r.report.precision!.accuracy.outputs[0]!;
    const t = large.get(`q${i}`)!;
    const t160 = small.get(`q${i}`);
    console.log(`| ${r.name} | ${mib(r.bytes)} | ${acc.cosine.toFixed(4)} | ${acc.meanAbsError.toExponential(2)} | ${(r.agreement * 100).toFixed(2)}% | ${ms(t)} | ${(f / t).toFixed(2)}× | ${t160 ? ms(t160) : '-'} | ${t160 ? `${(fs160 / t160).toFixed(2)}×` : '-'} |`);
  });
}

// ---------------------------------------------------------------------------------------------------

async function rec(): Promise<void> {
  const line = (s: number) => ({ x: new ort.Tensor('float32', recInput(renderTextLine(320, 48, s)), [1, 3, 48, 320]) });
  const feeds = [1, 2, 3, 4].map(line);
  const calibrationLines = [11, 12, 13, 14, 15, 16, 17, 18].map(line);
  let staticOutcome: string;
  try {
    const r = await optimizeTo(REC, 'rec-static.onnx', { feeds, precision: { precision: 'int8', quantMode: 'static', calibrationFeeds: calibrationLines, ...NO_GATE } });
    staticOutcome = `quantized ${r.report.precision!.passes[0]!.stats.nodes ?? 0} nodes`;
    const decline = r.report.declines.find((d) => d.pass === 'quantize_static' && /QuantizeLinear needs/.test(d.reason))
      ?? r.report.declines.find((d) => d.pass === 'quantize_static');
    if (decline) staticOutcome += ` — ${decline.reason}`;
  } catch (e) {
    staticOutcome = e instanceof MlserveError ? e.message : String(e);
  }
  const fp32 = await optimizeTo(REC, 'rec-fp32.onnx', {});

  // Opset 9 has no DynamicQuantizeLinear (11), and Slice-10 blocks raising it: the contrib op it is.
  const dynamic = await optimizeTo(REC, 'rec-int8-dynamic.onnx', { feeds, passOptions: { target: 'onnxruntime' }, precision: { precision: 'int8', ...NO_GATE } });
  const standard = await optimizeTo(REC, 'rec-int8-dynamic-onnx.onnx', { feeds, precision: { precision: 'int8', ...NO_GATE } });
  const standardDecline = standard.report.declines.find((d) => d.pass === 'quantize_dynamic')?.reason ?? 'nothing declined';
  const latency = await timeAlternating([{ name: 'fp32', file: fp32.out }, { name: 'int8', file: dynamic.out }], feeds[0]!);
  const acc = dynamic.report.precision!.accuracy.outputs[0]!;
  const stats = dynamic.report.precision!.passes[0]!.stats;
  console.log('\n### PP-OCRv4 rec (48×320 text lines)\n');
  console.log(`- static int8: ${staticOutcome}`);
  console.log(`- dynamic int8 with standard ops: ${standard.report.precision!.passes[0]!.stats.matmul} MatMul quantized — ${standardDecline}`);
  console.log(`- dynamic int8, --target onnxruntime (${stats.matmul} MatMul quantized; the convolutions, most of the work, stay float32): `
    + `${mib(fp32.bytes)} → ${mib(dynamic.bytes)}, latency ${ms(latency.get('fp32')!)} → ${ms(latency.get('int8')!)} `
    + `(${(latency.get('fp32')! / latency.get('int8')!).toFixed(2)}×), cosine ${acc.cosine.toFixed(5)}, per-timestep top-1 agreement ${((acc.top1 ?? 0) * 100).toFixed(2)}%`);
}

try {
  if (!ONLY || ONLY === 'encoder') await encoder();
  if (!ONLY || ONLY === 'det') await det();
  if (!ONLY || ONLY === 'rec') await rec();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
