/**
 * Our -O2 against onnxruntime's own offline optimizer at level 'basic' (constant folding and
 * redundant-node elimination; the session option optimizedModelFilePath writes what it made), on every
 * corpus model: nodes and initializer bytes before and after. Prints a Markdown table for the README.
 *
 *   npx tsc -p . && node dist/bench/optimize-vs-ort.js
 *
 * Ours runs with its check on one input (the corpus entry's shapes and fixed values where it has them),
 * so every figure is for a model proven equivalent. Node counts include subgraphs; initializer bytes
 * count each tensor's data (a Constant node's value is not an initializer, so folding Constants into
 * initializers can raise the byte figure while the model shrinks).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel } from '../src/ir/model-file.js';
import { decodeModel } from '../src/onnx/codec.js';
import { isExternal } from '../src/onnx/external-data.js';
import { visitModelTensors } from '../src/onnx/visit-tensors.js';
import { optimize } from '../src/optimize/optimize.js';
import { modelSize, type ModelSize } from '../src/passes/model-size.js';
import { modelInputSpecs } from '../src/runtime/model-inputs.js';
import { createSession, ort } from '../src/runtime/ort-session.js';
import { randomFeeds } from '../src/runtime/random-inputs.js';
import { corpus, type CorpusModel } from '../test/support/corpus.js';

interface Row { name: string; original: ModelSize; ours: ModelSize; ort: ModelSize | string; ms: number; foldAll?: ModelSize }

/** Where ours keeps more nodes than onnxruntime: the same pipeline with folding unrestricted. */
const FOLD_ALL = { foldInitializerInputs: true, foldSizeLimitBytes: 2 ** 31 };

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`);

async function ours(entry: CorpusModel, out: string, passOptions = {}): Promise<{ size: ModelSize; ms: number }> {
  const feeds = entry.shapes || entry.fill
    ? [randomFeeds(modelInputSpecs(loadModel(entry.file)), { shapes: new Map(Object.entries(entry.shapes ?? {})), fill: entry.fill, seed: 1 })]
    : undefined;
  const { report } = await optimize(entry.file, { passes: 'O2', check: 1, passOptions, ...(feeds ? { feeds } : {}), output: out });
  return { size: { nodes: report.nodesAfter, initializerBytes: report.bytesAfter }, ms: report.timeMs };
}

/**
 * onnxruntime writes external initializers as references to the original's side file, by a path
 * relative to the model; so a model with external data is optimized from a copy of its folder, and
 * the result written into that same folder.
 */
function withExternalDataBeside(file: string, dir: string): string {
  let external = false;
  visitModelTensors(decodeModel(fs.readFileSync(file)), (t) => { external ||= isExternal(t); });
  if (!external) return file;
  fs.cpSync(path.dirname(file), dir, { recursive: true });
  return path.join(dir, path.basename(file));
}

async function ortBasic(entry: CorpusModel, out: string): Promise<ModelSize | string> {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    const source = withExternalDataBeside(entry.file, path.dirname(out));
    const session = await createSession(source, { graphOptimizationLevel: 'basic', optimizedModelFilePath: out });
    await session.release();
    return modelSize(loadModel(out));
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-bench-vs-ort-'));
  const rows: Row[] = [];
  try {
    for (const [i, entry] of corpus().entries()) {
      const original = modelSize(loadModel(entry.file));
      const mine = await ours(entry, path.join(tmp, `${i}-ours.onnx`));
      const theirs = await ortBasic(entry, path.join(tmp, `${i}-ort`, 'ort-basic.onnx'));
      const row: Row = { name: entry.name, original, ours: mine.size, ort: theirs, ms: mine.ms };
      if (typeof theirs !== 'string' && mine.size.nodes > theirs.nodes) {
        row.foldAll = (await ours(entry, path.join(tmp, `${i}-fold-all.onnx`), FOLD_ALL)).size;
      }
      rows.push(row);
      process.stderr.write(`${entry.name}: ${original.nodes} → ours ${mine.size.nodes}, ort ${typeof theirs === 'string' ? theirs : theirs.nodes}\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const lines = [
    '| model | nodes | ours -O2 | ORT basic | initializer bytes | ours -O2 | ORT basic | optimize time | ours, all folded¹ |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const o = typeof r.ort === 'string' ? undefined : r.ort;
    const nodes = (n: number) => (o && n < o.nodes ? `**${n}**` : String(n));
    lines.push(`| ${r.name} | ${r.original.nodes} | ${nodes(r.ours.nodes)} | ${o ? o.nodes : r.ort} | ${kib(r.original.initializerBytes)} | ${kib(r.ours.initializerBytes)} | ${o ? kib(o.initializerBytes) : ''} | ${(r.ms / 1000).toFixed(2)} s | ${r.foldAll ? `${r.foldAll.nodes} nodes, ${kib(r.foldAll.initializerBytes)}` : ''} |`);
  }
  const compared = rows.filter((r) => typeof r.ort !== 'string');
  const total = (pick: (r: Row) => number) => compared.reduce((s, r) => s + pick(r), 0);
  lines.push(`| **total** (${compared.length} models) | ${total((r) => r.original.nodes)} | ${total((r) => r.ours.nodes)} | ${total((r) => (r.ort as ModelSize).nodes)} | | | | | |`);
  const notHigher = compared.filter((r) => r.ours.nodes <= (r.ort as ModelSize).nodes).length;
  const fewer = compared.filter((r) => r.ours.nodes < (r.ort as ModelSize).nodes).length;
  console.log(lines.join('\n'));
  console.log(`\nours ≤ ORT basic in nodes on ${notHigher} of ${compared.length} models (fewer on ${fewer}, bold); onnxruntime-node ${ort.env.versions.common}.`);
  const worse = compared.filter((r) => r.ours.nodes > (r.ort as ModelSize).nodes);
  console.log('¹ only where ours -O2 keeps more nodes than ORT basic: -O2 again with --fold-initializer-inputs --fold-size-limit 2GiB.');
  if (worse.length) console.log(`more nodes than ORT basic: ${worse.map((r) => `${r.name} (${r.ours.nodes} vs ${(r.ort as ModelSize).nodes})`).join(', ')}`);
}

await main();
