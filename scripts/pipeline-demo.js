#!/usr/bin/env node
// `npm start`: the whole pipeline on the bundled default model, each stage through the real CLI so
// what is printed is what a user would type and see: inspect → optimize → compile (cpu and wasm ×
// batch 1, 2, 4, 8) → bench --select with short durations → inspect the bundle; then what to run next.
// Everything lands in .tmp/demo/ (git-ignored). Needs the build in dist/ (`npm ci` or `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mlserve.js');
const model = join('fixtures', 'models', 'default.onnx');
const out = join('.tmp', 'demo');
const optimized = join(out, 'default.opt.onnx');
const bundle = join(out, 'default.bundle');

if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('pipeline-demo: no build in dist/; run `npm run build` first');
  process.exit(1);
}
mkdirSync(join(root, out), { recursive: true });

const started = performance.now();
const steps = [
  ['inspect', model],
  ['optimize', model, '-o', optimized],
  ['compile', model, '-o', bundle, '--provider', 'cpu,wasm', '--batch', '1,2,4,8'],
  ['bench', bundle, '--select', '--duration', '1s', '--warmup', '3', '--report', join(out, 'bench.html')],
  ['inspect', bundle],
];
for (const args of steps) {
  console.log(`\n$ mlserve ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\npipeline-demo: \`mlserve ${args[0]}\` exited with ${r.status ?? r.signal}`);
    process.exit(r.status ?? 1);
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const next = [
  [`mlserve serve ${bundle}`, 'serve the selected variants over HTTP (KServe v2)'],
  [`open ${join(out, 'bench.html')}`, 'the benchmark report with charts'],
  [`mlserve bench ${bundle} --json > baseline.json`, 'a baseline to compare later runs with'],
  [`mlserve bench ${bundle} --baseline baseline.json --fail-on-regression 10`, 'in CI: fail when a variant got 10% slower'],
  ['mlserve compile <your-model.onnx> -o <bundle> --provider cpu,wasm --batch 1,2,4,8 --fix-dim <dim>=<size>', 'the same for your own model'],
];
console.log(`
Pipeline done in ${seconds} s. Everything is in ${relative(root, join(root, out)) || '.'}/. Next:

${next.map(([cmd, why]) => `  # ${why}\n  ${cmd}`).join('\n')}

(run mlserve as \`node bin/mlserve.js\` from this folder, or \`npx mlserve\` once installed)`);
