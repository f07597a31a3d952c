/**
 * `mlserve serve` under load over real HTTP, driven by wrk (or autocannon where wrk is not installed), on
 * the PP-OCR direction classifier, the PP-OCRv4 recognizer and the generated MLP, at 1, 8 and 64 concurrent clients (closed loop: each client
 * sends its next request when the last is answered). Prints one Markdown table for the README.
 *
 *   npx tsc -p . && node dist/bench/serve.js [--duration 5] [--rounds 3] [--models cls,rec,mlp]
 *       [--concurrency 1,8,64] [--mlp-max-batch 64] [--max-delay-ms MS] [--json results.json]
 *       [--tool wrk|autocannon] [--bundle-models rec] [--dispatch-when-idle]
 *
 * The load generator: wrk (`apt-get install -y wrk` on Debian/Ubuntu; one thread, C, epoll) when it is on
 * the PATH, else autocannon (a devDependency; Node, so it takes 17–60% of a core per run here, which a
 * 2-core machine takes from the server it measures). bench/wrk-post.lua sets the POST, its headers and the
 * body (read from a file this bench writes) and prints wrk's results, its latency histogram included, as
 * JSON. The table's footnote names the tool that measured.
 *
 * The recognizer computes no more rows per second at batch 4–8 than at 1–2 on a CPU (its activations
 * outgrow the caches), so batching it blindly to 8 loses throughput. It is served the way the pipeline
 * means it to be: `mlserve compile --batch 1,2,4,8`, then `mlserve bench --select` at the server's threads
 * per worker keeps the batch sizes worth serving, and the server pads each batch to the smallest kept size.
 * `--bundle-models` names the models served that way ('' serves every model as the bare .onnx, with a
 * dynamic batch axis run at the batch's exact size).
 *
 * Per model two servers run as real `mlserve serve` child processes: A with batching (--max-batch 8 for
 * the OCR models with the default --max-delay-ms 2; the MLP with --max-batch 64 and --max-delay-ms 0, as
 * its compute is far below a worker hand-off) and B, the same with --max-batch 1. Workers × threads are
 * the defaults (from the core count). Every request is one row, sent with the binary tensor data
 * extension, its output asked for as binary too (JSON would spend the time formatting floats).
 *
 * For each concurrency, each round runs A, then plain onnxruntime-node at the batch size A just formed,
 * then B (odd rounds run B first) — close in time, so the drift of a shared machine hits all three alike —
 * and ratios are taken per round: the table gives their median and, with more than one round, the min–max spread.
 *
 * - served ÷ plain: A's rows/s ÷ plain onnxruntime-node in this process (one session, run back to back
 *   at the mean batch size A formed, read from /metrics; the faster of 1 and all-cores intra-op threads),
 *   measured while nothing else of ours runs. The served figure shares the cores with the load generator
 *   (its CPU use is the last column: the load tool, the health poller's process and this process, with
 *   "(tool% + health%)" in brackets, the rest being this process, which only waits for wrk; autocannon
 *   runs in this process, so its share is this process's); "per CPU-second" divides each side's rows by the CPU time it used
 *   (the whole server process, all threads; the plain process), which takes that sharing out.
 * - batching ÷ unbatched: A's req/s ÷ B's.
 * - p50 / p99: A's request latency as the load generator's clients see it (wrk: µs resolution; autocannon:
 *   not rounded to ms).
 * - health p99: GET /v2/health/ready during A's load, from a process of its own that waits 10 ms after
 *   each answer (wrk -c1 with bench/wrk-health.lua; a small Node process with autocannon), so that this
 *   process runs nothing while wrk measures.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentile } from '../src/bench/latency-stats.js';
import { createSession } from '../src/runtime/ort-session.js';
import { toOrtTensor } from '../src/runtime/plain-tensor.js';
import { floats, MLP, OCR_CLS, OCR_REC } from '../test/serve/serve-models.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface BenchModel {
  key: string;
  label: string;
  file: string;
  name: string;
  input: string;
  /** One request: one row of this shape. */
  dims: number[];
  maxBatch: number;
  /** --max-delay-ms of both servers; undefined: the default (2 ms). */
  maxDelayMs: number | undefined;
  /** Serve a bundle compiled at these batch sizes and trimmed by `bench --select`; undefined: the bare model. */
  bundleBatches?: number[];
  /** What the servers serve: the selected bundle's folder, once made; undefined: `file`. */
  served?: string;
}

interface Options {
  duration: number;
  rounds: number;
  models: string[];
  concurrency: number[];
  mlpMaxBatch: number;
  /** --max-delay-ms of every server; undefined: the default. */
  maxDelayMs: number | undefined;
  json: string | undefined;
  tool: Tool;
  bundleModels: string[];
  /** Start every server with --dispatch-when-idle. */
  dispatchWhenIdle: boolean;
}

type Tool = 'wrk' | 'autocannon';

/** wrk when it is on the PATH (`wrk --version` prints and exits 1, so only a spawn error means absent). */
function wrkVersion(): string | undefined {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return /^wrk (\S+)/m.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

function parseArgs(argv: string[]): Options {
  const o: Options = { duration: 5, rounds: 3, models: ['cls', 'rec', 'mlp'], concurrency: [1, 8, 64], mlpMaxBatch: 64, maxDelayMs: undefined, json: undefined, tool: wrkVersion() ? 'wrk' : 'autocannon', bundleModels: ['rec'], dispatchWhenIdle: false };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '--duration': o.duration = Number(value); i++; break;
      case '--rounds': o.rounds = Number(value); i++; break;
      case '--models': o.models = value.split(','); i++; break;
      case '--concurrency': o.concurrency = value.split(',').map(Number); i++; break;
      case '--mlp-max-batch': o.mlpMaxBatch = Number(value); i++; break;
      case '--max-delay-ms': o.maxDelayMs = Number(value); i++; break;
      case '--json': o.json = value; i++; break;
      case '--bundle-models': o.bundleModels = value.split(',').filter(Boolean); i++; break;
      case '--dispatch-when-idle': o.dispatchWhenIdle = true; break;
      case '--tool':
        if (value !== 'wrk' && value !== 'autocannon') throw new Error(`--tool: wrk or autocannon, not ${value}`);
        o.tool = value; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return o;
}

const note = (text: string) => process.stderr.write(`${text}\n`);

interface Server {
  url: string;
  child: ChildProcess;
}

/** Runs the mlserve CLI to completion; its stdout, or an error with its stderr. */
function mlserve(args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/mlserve.js'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mlserve ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * The bundle a user would serve: compiled at `batches`, then measured by `bench --select` at the threads
 * each serving worker runs with, which keeps the batch sizes worth serving. Returns its folder and the
 * sizes kept.
 */
function selectedBundle(m: BenchModel, batches: number[]): { dir: string; kept: number[] } {
  const dir = path.join(TMP, `${m.key}-bundle`);
  mlserve(['compile', m.file, '-o', dir, '--batch', batches.join(','), '--input-shape', `${m.input}=${m.dims.join(',')}`]);
  // --select measures at the threads one serve worker runs with (its default).
  const out = mlserve(['bench', dir, '--select', '--duration', '3s']);
  const kept = /^serves batch sizes (.+)$/m.exec(out)?.[1]?.split(', ').map(Number);
  if (!kept) throw new Error(`mlserve bench --select printed no batch sizes:\n${out}`);
  return { dir, kept };
}

/** `mlserve serve` as a child process; resolves once it prints the line it serves on. */
function startServer(m: BenchModel, maxBatch: number, maxDelayMs: number | undefined, dispatchWhenIdle: boolean): Promise<Server> {
  const args = [path.join(ROOT, 'bin/mlserve.js'), 'serve', m.served ?? m.file, '--name', m.name, '--port', '0', '--max-batch', String(maxBatch), '--log-level', 'warn'];
  if (maxDelayMs !== undefined) args.push('--max-delay-ms', String(maxDelayMs));
  if (dispatchWhenIdle) args.push('--dispatch-when-idle');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise<Server>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const match = /^mlserve: serving .+ on (http:\/\/\S+)$/m.exec(stderr);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`mlserve serve exited (${code}):\n${stderr}`)));
  });
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

/** Rows and batches computed so far, from /metrics. */
async function batchCounters(url: string, name: string): Promise<{ rows: number; batches: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (metric: string) => Number(new RegExp(`^${metric}\\{model="${name}",version="1"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rows: read('mlserve_batch_rows_total'), batches: read('mlserve_batches_total') };
}

interface HealthPoller {
  /** Stops the poller and waits for it to exit (so its CPU time is in this process's cutime/cstime). */
  stop(): Promise<{ latencies: number[]; failures: number }>;
}

/**
 * A process of its own polls `url`, waiting `intervalMs` after each answer, until stopped: wrk with
 * bench/wrk-health.lua when wrk measures (C, about 1% of a core), else a small Node process. This process
 * then only waits for its children while the load runs: no timers, no sockets, nothing that takes the
 * server's cores (on 2 cores the in-process poller thread cost as much CPU as wrk itself).
 */
function startHealthPoller(url: string, intervalMs: number, tool: Tool): HealthPoller {
  if (tool === 'wrk') {
    // Runs until SIGINT, on which wrk stops and prints its report (and the script's JSON line).
    const args = ['-t1', '-c1', '-d1h', '--timeout', '30s', '-s', path.join(ROOT, 'bench/wrk-health.lua'), url, '--', String(intervalMs)];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    return {
      async stop() {
        child.kill('SIGINT');
        const code = await closed;
        const r = parseWrkJson(out);
        if (!r) throw new Error(`health poller wrk ${args.join(' ')} exited ${code}:\n${out.slice(0, 2000)}`);
        return { latencies: r.latencies, failures: r.failures };
      },
    };
  }
  const code = `
    const http = require('node:http');
    const [url, intervalMs] = [process.argv[1], Number(process.argv[2])];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const latencies = [];
    let failures = 0;
    let stop = false;
    process.stdin.on('data', () => {}).on('end', () => { stop = true; });
    const next = () => setTimeout(poll, intervalMs);
    function poll() {
      if (stop) { agent.destroy(); process.stdout.write(JSON.stringify({ latencies, failures })); return; }
      const t = performance.now();
      http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => { if (res.statusCode === 200) latencies.push(performance.now() - t); else failures++; next(); });
      }).on('error', () => { failures++; next(); });
    }
    poll();`;
  const child = spawn(process.execPath, ['-e', code, url, String(intervalMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    async stop() {
      child.stdin.end();
      const exitCode = await closed;
      if (exitCode !== 0) throw new Error(`health poller exited ${exitCode}`);
      return JSON.parse(out) as { latencies: number[]; failures: number };
    },
  };
}

interface LoadResult {
  ok: number;
  seconds: number;
  failures: number;
  latencies: number[];
  health: number[];
  healthFailures: number;
  rows: number;
  batches: number;
  /** CPU time the server process (all its threads) and the load generator (wrk's process or autocannon, the health poller and this process) used. */
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  /** The parts of clientCpuSeconds the load tool (wrk's process; autocannon: this process) and the health poller's process used. */
  toolCpuSeconds: number;
  healthCpuSeconds: number;
}

/** User + system CPU seconds of a process and all its threads, from /proc (Linux; NaN elsewhere). */
function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of this process's children that have ended and been waited for (cutime + cstime of stat(5)). */
function endedChildrenCpuSeconds(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-serve-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));

interface ToolResult {
  ok: number;
  seconds: number;
  failures: number;
  /** Milliseconds, one per answered 200 (wrk: every answered request; non-2xx are counted, not timed apart). */
  latencies: number[];
}

/** One wrk run (one thread: enough for 64 connections, and the least CPU) with bench/wrk-post.lua. */
async function runWrk(url: string, body: Buffer, headers: Record<string, string>, connections: number, seconds: number): Promise<ToolResult> {
  const bodyFile = path.join(TMP, 'body.bin');
  fs.writeFileSync(bodyFile, body);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '-s', path.join(ROOT, 'bench/wrk-post.lua'), url, '--', bodyFile, headers['Inference-Header-Content-Length']!];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const r = parseWrkJson(out);
  if (code !== 0 || !r) throw new Error(`wrk ${args.join(' ')} exited ${code}:\n${out.slice(0, 2000)}`);
  return r;
}

/** The WRK_JSON line bench/wrk-post.lua and bench/wrk-health.lua print; undefined when absent. */
function parseWrkJson(out: string): ToolResult | undefined {
  const line = /^WRK_JSON (.+)$/m.exec(out)?.[1];
  if (!line) return undefined;
  const r = JSON.parse(line) as { requests: number; durationUs: number; errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout', number>; latencyUs: Array<[number, number]> };
  const latencies: number[] = [];
  for (const [us, n] of r.latencyUs) for (let i = 0; i < n; i++) latencies.push(us / 1000);
  const e = r.errors;
  return { ok: r.requests - e.status, seconds: r.durationUs / 1e6, failures: e.status + e.connect + e.read + e.write + e.timeout, latencies };
}

async function runAutocannon(url: string, body: Buffer, headers: Record<string, string>, connections: number, seconds: number): Promise<ToolResult> {
  const latencies: number[] = [];
  const instance = autocannon({ url, method: 'POST', body, headers, connections, duration: seconds, timeout: 30 });
  instance.on('response', (_client, status, _bytes, ms) => { if (status === 200) latencies.push(ms); });
  const result = await instance;
  return { ok: result['2xx'], seconds: result.duration, failures: result.non2xx + result.errors, latencies };
}

function requestBody(m: BenchModel): { body: Buffer; headers: Record<string, string> } {
  const data = floats(m.dims.reduce((a, b) => a * b, 1), 7);
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: m.input, datatype: 'FP32', shape: m.dims, parameters: { binary_data_size: data.byteLength } }],
    parameters: { binary_data_output: true },
  }));
  return {
    body: Buffer.concat([header, Buffer.from(data.buffer)]),
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  };
}

async function load(server: Server, m: BenchModel, connections: number, seconds: number, tool: Tool): Promise<LoadResult> {
  const { body, headers } = requestBody(m);
  const before = await batchCounters(server.url, m.name);
  const serverCpu = processCpuSeconds(server.child.pid!);
  // The load generator's CPU: wrk's process (or autocannon, in this one), the health poller's and this one's.
  const ownCpu = ownCpuSeconds();
  const childCpu = endedChildrenCpuSeconds();
  const poller = startHealthPoller(`${server.url}/v2/health/ready`, 10, tool);
  const run = tool === 'wrk' ? runWrk : runAutocannon;
  // While this awaits wrk, this process runs nothing: no timers, no poller (it is a process of its own).
  const result = await run(`${server.url}/v2/models/${m.name}/infer`, body, headers, connections, seconds);
  const serverCpuSeconds = processCpuSeconds(server.child.pid!) - serverCpu;
  const ownCpuUsed = ownCpuSeconds() - ownCpu;
  const toolCpuSeconds = tool === 'wrk' ? endedChildrenCpuSeconds() - childCpu : ownCpuUsed;
  const health = await poller.stop();
  // The poller has exited and been waited for, so its CPU time is now in this process's cutime + cstime.
  const healthCpuSeconds = endedChildrenCpuSeconds() - childCpu - (tool === 'wrk' ? toolCpuSeconds : 0);
  const after = await batchCounters(server.url, m.name);
  return {
    ...result,
    health: health.latencies,
    healthFailures: health.failures,
    rows: after.rows - before.rows,
    batches: after.batches - before.batches,
    serverCpuSeconds,
    clientCpuSeconds: (tool === 'wrk' ? ownCpuUsed + toolCpuSeconds : ownCpuUsed) + healthCpuSeconds,
    toolCpuSeconds,
    healthCpuSeconds,
  };
}

function merge(results: LoadResult[]): LoadResult {
  return results.reduce((a, b) => ({
    ok: a.ok + b.ok, seconds: a.seconds + b.seconds, failures: a.failures + b.failures,
    latencies: a.latencies.concat(b.latencies), health: a.health.concat(b.health), healthFailures: a.healthFailures + b.healthFailures,
    rows: a.rows + b.rows, batches: a.batches + b.batches,
    serverCpuSeconds: a.serverCpuSeconds + b.serverCpuSeconds, clientCpuSeconds: a.clientCpuSeconds + b.clientCpuSeconds,
    toolCpuSeconds: a.toolCpuSeconds + b.toolCpuSeconds, healthCpuSeconds: a.healthCpuSeconds + b.healthCpuSeconds,
  }));
}

interface PlainResult {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  threads: number;
}

/**
 * Plain onnxruntime-node in this process: one session, `batch` rows per run, back to back, for `seconds`
 * with 1 intra-op thread and again with one per core; the faster of the two.
 */
async function plainRun(m: BenchModel, batch: number, seconds: number): Promise<PlainResult> {
  const dims = [batch, ...m.dims.slice(1)];
  const data = floats(dims.reduce((a, b) => a * b, 1), 3);
  let best: PlainResult | undefined;
  for (const threads of [...new Set([1, os.availableParallelism()])]) {
    const session = await createSession(m.file, { threads });
    const feeds = { [m.input]: toOrtTensor({ dtype: 'float32', dims, data }) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    let runs = 0;
    const cpu = ownCpuSeconds();
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      await session.run(feeds);
      runs++;
    }
    const result = { rows: runs * batch, seconds: (performance.now() - start) / 1000, cpuSeconds: ownCpuSeconds() - cpu, threads };
    await session.release();
    if (!best || result.rows / result.seconds > best.rows / best.seconds) best = result;
  }
  return best!;
}

/** Median and spread of per-round ratios: drift between rounds moves both sides of a round together. */
interface Ratio {
  median: number;
  min: number;
  max: number;
}

function ratio(values: number[]): Ratio {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

interface Row {
  model: string;
  clients: number;
  servedRps: number;
  meanBatch: number;
  /** Batch sizes the plain runs used (one per round: the mean batch of that round's batched run). */
  plainBatches: number[];
  plainRowsPerSecond: number;
  plainThreads: number[];
  /** Per round: served rows/s ÷ plain rows/s; and the same per CPU-second (server process vs plain). */
  servedVsPlain: Ratio;
  servedVsPlainPerCpu: Ratio;
  unbatchedRps: number;
  /** Per round: batched req/s ÷ --max-batch 1 req/s. */
  batchedVsUnbatched: Ratio;
  p50: number;
  p99: number;
  unbatchedP50: number;
  unbatchedP99: number;
  healthP99: number;
  healthP99Unbatched: number;
  clientCpuCores: number;
  /** The load tool's share of clientCpuCores (wrk's process, or autocannon's in this one) and the health poller's; the rest is this process. */
  toolCpuCores: number;
  healthCpuCores: number;
  failures: number;
}

async function benchModel(m: BenchModel, o: Options): Promise<Row[]> {
  if (m.bundleBatches) {
    note(`${m.label}: compiling at batch ${m.bundleBatches.join(',')} and selecting with mlserve bench --select`);
    const bundle = selectedBundle(m, m.bundleBatches);
    m.served = bundle.dir;
    m.label = `${m.label} (bundle, batch ${bundle.kept.join('/')})`;
  }
  note(`${m.label}: starting servers (--max-batch ${m.maxBatch} and --max-batch 1, --max-delay-ms ${m.maxDelayMs ?? 'default'})`);
  const a = await startServer(m, m.maxBatch, m.maxDelayMs, o.dispatchWhenIdle);
  const b = await startServer(m, 1, m.maxDelayMs, o.dispatchWhenIdle).catch(async (e: unknown) => { await stopServer(a); throw e; });
  const rows: Row[] = [];
  try {
    // Warm-up: connections, JIT, onnxruntime's arenas at the sizes the load forms.
    await load(a, m, 8, 2, o.tool);
    await load(b, m, 8, 2, o.tool);
    for (const c of o.concurrency) {
      const runsA: LoadResult[] = [];
      const runsB: LoadResult[] = [];
      const plains: Array<PlainResult & { batch: number }> = [];
      // A, plain at the batch A formed, B: close in time, so the machine's drift hits all three alike. Odd
      // rounds run B first: two identical servers measured in a fixed order differed by 10–15% here, the
      // later one ahead, so a fixed order would bias the batching ratio.
      for (let r = 0; r < o.rounds; r++) {
        const bFirst = r % 2 === 1;
        if (bFirst) runsB.push(await load(b, m, c, o.duration, o.tool));
        const ra = await load(a, m, c, o.duration, o.tool);
        runsA.push(ra);
        const batch = Math.max(1, Math.round(ra.rows / ra.batches));
        plains.push({ ...await plainRun(m, batch, o.duration / 2), batch });
        if (!bFirst) runsB.push(await load(b, m, c, o.duration, o.tool));
      }
      const A = merge(runsA);
      const B = merge(runsB);
      const sortedA = A.latencies.sort((x, y) => x - y);
      const sortedB = B.latencies.sort((x, y) => x - y);
      const plainRows = plains.reduce((n, p) => n + p.rows, 0);
      const rps = (r: LoadResult) => r.ok / r.seconds;
      const row: Row = {
        model: m.label, clients: c,
        servedRps: rps(A), meanBatch: A.rows / A.batches,
        plainBatches: plains.map((p) => p.batch),
        plainRowsPerSecond: plainRows / plains.reduce((n, p) => n + p.seconds, 0),
        plainThreads: plains.map((p) => p.threads),
        servedVsPlain: ratio(runsA.map((r, i) => rps(r) / (plains[i]!.rows / plains[i]!.seconds))),
        servedVsPlainPerCpu: ratio(runsA.map((r, i) => (r.rows / r.serverCpuSeconds) / (plains[i]!.rows / plains[i]!.cpuSeconds))),
        unbatchedRps: rps(B),
        batchedVsUnbatched: ratio(runsA.map((r, i) => rps(r) / rps(runsB[i]!))),
        p50: percentile(sortedA, 50), p99: percentile(sortedA, 99),
        unbatchedP50: percentile(sortedB, 50), unbatchedP99: percentile(sortedB, 99),
        healthP99: percentile(A.health.sort((x, y) => x - y), 99),
        healthP99Unbatched: percentile(B.health.sort((x, y) => x - y), 99),
        clientCpuCores: A.clientCpuSeconds / A.seconds,
        toolCpuCores: A.toolCpuSeconds / A.seconds,
        healthCpuCores: A.healthCpuSeconds / A.seconds,
        failures: A.failures + B.failures + A.healthFailures + B.healthFailures,
      };
      rows.push(row);
      note(`  ${c} clients: ${row.servedRps.toFixed(0)} req/s batched (mean batch ${row.meanBatch.toFixed(1)}), ${row.unbatchedRps.toFixed(0)} req/s unbatched, plain ${row.plainRowsPerSecond.toFixed(0)} rows/s`);
    }
  } finally {
    await Promise.all([stopServer(a), stopServer(b)]);
  }
  return rows;
}

function table(rows: Row[]): string {
  const f = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const r2 = (q: Ratio) => (q.min === q.max ? f(q.median, 2) : `${f(q.median, 2)} (${f(q.min, 2)}–${f(q.max, 2)})`);
  const head = '| model | clients | served req/s | mean batch | plain ORT rows/s (batch) | served ÷ plain | same, per CPU-second | --max-batch 1 req/s | batching ÷ unbatched | p50 ms | p99 ms | health p99 ms | load generator CPU |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const body = rows.map((r) => [
    r.model, r.clients, f(r.servedRps), f(r.meanBatch, 1), `${f(r.plainRowsPerSecond)} (${[...new Set(r.plainBatches)].join('/')})`,
    r2(r.servedVsPlain), r2(r.servedVsPlainPerCpu), f(r.unbatchedRps), r2(r.batchedVsUnbatched),
    f(r.p50, 1), f(r.p99, 1), f(r.healthP99, 1), `${f(r.clientCpuCores * 100)}% (${f(r.toolCpuCores * 100)}% + ${f(r.healthCpuCores * 100)}%)`,
  ].join(' | ')).map((line) => `| ${line} |`);
  return [head, rule, ...body].join('\n');
}

/**
 * The goals against this run's medians: served ÷ plain ≥ 0.9 at 64 clients, batching ≥ 1.5 on
 * the small models (the classifier and the MLP) at 64 clients, health p99 under 20 ms at every load.
 */
function goals(rows: Row[]): string[] {
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const at64 = rows.filter((r) => r.clients === 64);
  const lines = ['goals (medians of this run):'];
  for (const r of at64) lines.push(`  served ÷ plain ≥ 0.9 at 64 clients, ${r.model}: ${r.servedVsPlain.median.toFixed(2)} — ${mark(r.servedVsPlain.median >= 0.9)}`);
  for (const r of at64.filter((x) => !x.model.startsWith('PP-OCRv4 rec'))) {
    lines.push(`  batching ÷ unbatched ≥ 1.5 at 64 clients, ${r.model}: ${r.batchedVsUnbatched.median.toFixed(2)} — ${mark(r.batchedVsUnbatched.median >= 1.5)}`);
  }
  const worst = Math.max(...rows.map((r) => r.healthP99));
  lines.push(`  health p99 < 20 ms at every load: worst ${worst.toFixed(1)} ms — ${mark(worst < 20)}`);
  return lines;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const models: BenchModel[] = [
    { key: 'cls', label: 'PP-OCR cls', file: OCR_CLS, name: 'cls', input: 'x', dims: [1, 3, 48, 192], maxBatch: 8, maxDelayMs: o.maxDelayMs, bundleBatches: o.bundleModels.includes('cls') ? [1, 2, 4, 8] : undefined },
    { key: 'rec', label: 'PP-OCRv4 rec', file: OCR_REC, name: 'rec', input: 'x', dims: [1, 3, 48, 320], maxBatch: 8, maxDelayMs: o.maxDelayMs, bundleBatches: o.bundleModels.includes('rec') ? [1, 2, 4, 8] : undefined },
    { key: 'mlp', label: 'MLP', file: MLP, name: 'mlp', input: 'input', dims: [1, 64], maxBatch: o.mlpMaxBatch, maxDelayMs: o.maxDelayMs ?? 0 },
  ].filter((m) => o.models.includes(m.key));
  const toolLabel = o.tool === 'wrk' ? `wrk ${wrkVersion() ?? '(not found)'}, 1 thread` : 'autocannon (in this process)';
  note(`${os.availableParallelism()} cores; ${o.duration} s per run, ${o.rounds} rounds A B per concurrency; binary tensor data; node ${process.version}; load generator: ${toolLabel}`);
  const rows: Row[] = [];
  for (const m of models) rows.push(...await benchModel(m, o));
  console.log(table(rows));
  const failures = rows.reduce((n, r) => n + r.failures, 0);
  console.log(`\nload generator: ${toolLabel}; non-200 answers or errors (load and health polls): ${failures}`);
  console.log(`\n${goals(rows).join('\n')}`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ cores: os.availableParallelism(), node: process.version, tool: toolLabel, options: o, rows }, null, 2));
}

await main();
