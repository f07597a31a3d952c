/**
 * How long `inspect` takes and how much memory it needs on a large model, against the targets:
 * under 2 s and a peak RSS under 3× the file size.
 *
 *   npx tsc -p . && node dist/bench/inspect-large-model.js [--mib 112] [--runs 3]
 *
 * Writes a deep MLP (float32 1024×1024 weights, enough layers for --mib MiB) with saveModel into a
 * temp dir, then runs inspect in fresh CHILD processes, so each figure includes everything a user
 * pays: module loading, reading and decoding the file, shape inference, the report. Each child
 * reports its own wall time and peak RSS (see peakRss); the CLI (`mlserve inspect --json`) is also
 * timed end to end, its peak RSS taken by GNU time. Prints the median of --runs runs and the spread.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelBuilder } from '../src/ir/model-builder.js';
import { saveModel } from '../src/ir/model-file.js';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(here), '..', '..');

interface ChildResult { ms: number; maxRssBytes: number; nodes: number; parameters: number }

async function child(file: string): Promise<void> {
  const started = performance.now();
  const { inspect } = await import('../src/inspect/inspect.js');
  const report = inspect(file);
  const ms = performance.now() - started;
  const result: ChildResult = { ms, maxRssBytes: peakRss(), nodes: report.nodeCount, parameters: report.parameters.count };
  process.stdout.write(JSON.stringify(result));
}

/**
 * This process's peak RSS. On Linux, VmHWM of /proc/self/status: getrusage's maxRSS (what
 * process.resourceUsage() gives) also remembers the memory of the parent this process was forked
 * from, so a child of a big parent would report the parent's size.
 */
function peakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024; // KiB
}

function buildModel(file: string, mib: number): void {
  const width = 1024;
  const layerBytes = width * width * 4;
  const layers = Math.ceil((mib * 2 ** 20) / layerBytes);
  const b = new ModelBuilder({ opset: 17, producer: 'mlserve-bench' });
  let x = b.input('x', 'float32', ['batch', width]);
  const weights = new Float32Array(width * width);
  for (let i = 0; i < weights.length; i++) weights[i] = ((i * 2654435761) % 1000) / 1e6; // not all zeros, cheap
  for (let l = 0; l < layers; l++) {
    const w = b.initializer(`layer${l}.weight`, 'float32', [width, width], weights);
    const bias = b.initializer(`layer${l}.bias`, 'float32', [width], new Float32Array(width));
    x = b.node('Gemm', [x, w, bias], { transB: 1 });
    if (l < layers - 1) x = b.node('Relu', [x]);
  }
  b.output(x, 'float32', ['batch', width]);
  saveModel(b.build(), file);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) return child(process.argv[childAt + 1]!);

  const mib = arg('--mib', 112);
  const runs = arg('--runs', 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-inspect-'));
  try {
    const file = path.join(dir, 'mlp.onnx');
    const built = performance.now();
    buildModel(file, mib);
    const size = fs.statSync(file).size;
    console.log(`model: ${file}, ${(size / 2 ** 20).toFixed(1)} MiB (written in ${((performance.now() - built) / 1000).toFixed(1)} s)`);

    const library: ChildResult[] = [];
    const cli: { ms: number; maxRssBytes: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const res = spawnSync(process.execPath, [here, '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
      library.push(JSON.parse(res.stdout) as ChildResult);

      // The CLI end to end, peak RSS from GNU time (-f %M: KiB).
      const started = performance.now();
      const timed = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(repoRoot, 'bin', 'mlserve.js'), 'inspect', '--json', file], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const ms = performance.now() - started;
      if (timed.status !== 0) throw new Error(`mlserve failed: ${timed.stderr}`);
      JSON.parse(timed.stdout);
      const kib = Number(timed.stderr.trim().split('\n').pop());
      cli.push({ ms, maxRssBytes: kib * 1024 });
    }

    const report = (label: string, rows: { ms: number; maxRssBytes: number }[]) => {
      const ms = rows.map((r) => r.ms);
      const rss = rows.map((r) => r.maxRssBytes);
      console.log(`${label}: time median ${median(ms).toFixed(0)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}), ` +
        `peak RSS median ${(median(rss) / 2 ** 20).toFixed(0)} MiB = ${(median(rss) / size).toFixed(2)}× the file ` +
        `(${(Math.min(...rss) / 2 ** 20).toFixed(0)}–${(Math.max(...rss) / 2 ** 20).toFixed(0)} MiB)`);
      return { ms: median(ms), rss: median(rss) };
    };
    console.log(`${library[0]!.nodes} nodes, ${library[0]!.parameters.toLocaleString('en-US')} parameters; ${runs} runs each, on ${os.cpus().length} cores, node ${process.version}`);
    const lib = report('inspect() in a child process', library);
    const end = report('mlserve inspect --json     ', cli);
    const ok = (t: { ms: number; rss: number }) => t.ms < 2000 && t.rss < 3 * size;
    console.log(`targets (< 2000 ms, < 3× file size): library ${ok(lib) ? 'met' : 'MISSED'}, CLI ${ok(end) ? 'met' : 'MISSED'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
