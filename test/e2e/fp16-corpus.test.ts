/**
 * The Must-show of `--precision fp16`: on every corpus model, optimize() converts to float16 (the
 * float32 pipeline -O0, so every change measured is the conversion's), and
 *  - the written model loads and runs in onnxruntime (CPU) — the accuracy report ran it;
 *  - its accuracy against the float32 original is within the default gate (cosine ≥ 0.99 per output;
 *    an output that is ≈ 0 on the inputs by its absolute error), on the corpus entry's inputs;
 *  - the official ONNX checker accepts it whenever it accepted the original;
 *  - for models whose stored weights are float32 (at least 16 KiB of them), the floating-point
 *    weights take ≤ 52% of their float32 bytes. Integer tensors (index tables) are not weights to
 *    convert, and the file also holds the graph — names, attributes, shapes — so the file ratio is
 *    printed per model rather than asserted: for models with many nodes and few weights it is above
 *    52%. The onnx-light models make their weights with ConstantOfShape at run time: nothing stored.
 * A model whose weights are already float16 (SqueezeNet fp16) must come out unchanged in size.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadModel } from '../../src/ir/model-file.js';
import type { Model } from '../../src/ir/model.js';
import { rawByteLength, DataType } from '../../src/onnx/data-type.js';
import { tensorElementCount } from '../../src/ir/tensor-data.js';
import type { TensorProto } from '../../src/onnx/proto-types.js';
import { optimize } from '../../src/optimize/optimize.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { corpus, type CorpusModel } from '../support/corpus.js';
import { checkModels, onnxCheckerAvailable } from '../support/onnx-checker.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-fp16-corpus-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const written = new Map<string, string>();

/** Stored tensor bytes (initializers and Constant values, subgraphs too): all, and the floating-point ones. */
function weightBytes(model: Model): { total: number; float32: number; float16: number } {
  let total = 0;
  let float32 = 0;
  let float16 = 0;
  const count = (t: TensorProto) => {
    const bytes = t.raw_data?.length ?? rawByteLength(t.data_type ?? 0, tensorElementCount(t)) ?? 0;
    total += bytes;
    if (t.data_type === DataType.FLOAT) float32 += bytes;
    if (t.data_type === DataType.FLOAT16) float16 += bytes;
  };
  for (const g of model.graph.allGraphs()) {
    for (const v of g.initializers) count(v.initializer!);
    for (const n of g.nodes) {
      const value = n.opType === 'Constant' ? n.attributeValue('value') : undefined;
      if (value && typeof value === 'object' && !Array.isArray(value)) count(value as TensorProto);
    }
  }
  return { total, float32, float16 };
}

/** The model file with its external-data side file, if it has one. */
function fileBytes(file: string): number {
  const side = `${file}.data`;
  return fs.statSync(file).size + (fs.existsSync(side) ? fs.statSync(side).size : 0);
}

function feedsFor(entry: CorpusModel) {
  const inputs = modelInputSpecs(loadModel(entry.file));
  const shapes = new Map(Object.entries(entry.shapes ?? {}));
  return [randomFeeds(inputs, { shapes, fill: entry.fill, seed: 2024, defaultDim: 1 })];
}

describe('--precision fp16 on every corpus model', () => {
  for (const entry of corpus()) {
    test(entry.name, async (t) => {
      const out = path.join(tmp, `${entry.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.onnx`);
      const { model, report } = await optimize(entry.file, { passes: 'O0', check: 0, feeds: feedsFor(entry), output: out, precision: { precision: 'fp16' } });
      const p = report.precision!;
      assert.equal(p.gate.ok, true);
      for (const o of p.accuracy.outputs) assert.equal(o.problem, undefined, `${o.name}: ${o.problem}`);
      written.set(entry.file, out);
      const before = weightBytes(loadModel(entry.file));
      const after = weightBytes(model);
      const stats = p.passes[0]!.stats;
      const fileRatio = fs.statSync(out).size / fileBytes(entry.file);
      if (before.float32 >= 16 * 1024) {
        const floating = after.float32 + after.float16;
        assert.ok(floating <= 0.52 * before.float32, `float32 weights ${before.float32} → ${floating} bytes`);
      } else if (before.float32 === 0) {
        assert.equal(after.total, before.total, 'nothing float32 to convert');
      }
      const cosines = p.accuracy.outputs.map((o) => (o.negligible ? `≈0 (max abs ${o.maxAbsError.toExponential(1)})` : o.cosine.toFixed(6))).join(' ');
      const weights = before.float32 === 0 ? 'no float32 weights' : `float32 weights ${before.float32} → ${after.float32 + after.float16} B (${(((after.float32 + after.float16) / before.float32) * 100).toFixed(1)}%)`;
      t.diagnostic(`${weights}, file ${(fileRatio * 100).toFixed(1)}%, `
        + `${stats.converted} converted, ${stats.kept} kept, clamped ${stats.clampedOverflow}+${stats.clampedUnderflow}, cosine ${cosines}`);
    });
  }

  test('the official ONNX checker accepts every written model whose original it accepts', { skip: !onnxCheckerAvailable() && 'python3-onnx not installed' }, () => {
    const originals = checkModels([...written.keys()]);
    const converted = checkModels([...written.values()]);
    for (const [file, out] of written) {
      if (originals[file] !== null) continue;
      assert.equal(converted[out], null, `${path.basename(file)}: ${converted[out]}`);
    }
  });
});
