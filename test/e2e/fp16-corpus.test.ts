/**
 * The Must-show of `--precision fp16`: on every corpus model, optimize() converts to float16 (the
 * float32 pipeline -O0, so every change measured is the conversion's), and
 *  - the written model loads and runs in onnxruntime (CPU) — the accuracy report ran it;
 *  - its accuracy against the float32 original is within the default gate (cosine ≥ 0.99 per output;
 *    an output that is ≈ 0 on the inputs by its absolute error), on the corpus entry's inputs;
 *  - the official ONNX checker accepts it whenever it accepted the original;
 *  - for models whose stored weights are float32, the weights take ≤ 52% of their float32 bytes.
 *    (The file as a whole also holds the graph: names, attributes, shapes. Its ratio is printed per
 *    model; for models with many nodes and few weights it is above 52%.)
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

/** Stored tensor bytes (initializers and Constant values, subgraphs too), by element type. */
function weightBytes(model: Model): { total: number; float32: number } {
  let total = 0;
  let float32 = 0;
  const count = (t: TensorProto) => {
    const bytes = t.raw_data?.length ?? rawByteLength(t.data_type ?? 0, tensorElementCount(t)) ?? 0;
    total += bytes;
    if (t.data_type === DataType.FLOAT) float32 += bytes;
  };
  for (const g of model.graph.allGraphs()) {
    for (const v of g.initializers) count(v.initializer!);
    for (const n of g.nodes) {
      const value = n.opType === 'Constant' ? n.attributeValue('value') : undefined;
      if (value && typeof value === 'object' && !Array.isArray(value)) count(value as TensorProto);
    }
  }
  return { total, float32 };
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
      const fileRatio = fs.statSync(out).size / fs.statSync(entry.file).size;
      const float32Weights = before.float32 >= 0.9 * before.total && before.total >= 16 * 1024;
      if (float32Weights) {
        assert.ok(after.total <= 0.52 * before.total, `weights ${before.total} → ${after.total} bytes`);
      } else if (before.float32 === 0) {
        assert.equal(after.total, before.total, 'nothing float32 to convert');
      }
      const cosines = p.accuracy.outputs.map((o) => (o.negligible ? `≈0 (max abs ${o.maxAbsError.toExponential(1)})` : o.cosine.toFixed(6))).join(' ');
      t.diagnostic(`weights ${before.total} → ${after.total} B (${((after.total / Math.max(before.total, 1)) * 100).toFixed(1)}%), file ${(fileRatio * 100).toFixed(1)}%, `
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
