/**
 * Lossless I/O over the whole corpus: decode → encode → decode gives an equal message; the IR gives back
 * the same bytes; onnxruntime runs what we save with bit-identical outputs; and the official ONNX checker
 * accepts what we write whenever it accepted the original.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import { readModelFile } from '../../src/onnx/read-model-file.js';
import { loadModel, saveModel } from '../../src/ir/model-file.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { corpus } from '../support/corpus.js';
import { checkModels, onnxCheckerAvailable } from '../support/onnx-checker.js';
import { firstDifference, runWithCorpusFeeds } from '../support/ort-compare.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-roundtrip-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const models = corpus();
const saved = new Map<string, string>();

describe('decode → encode → decode', () => {
  for (const entry of models) {
    test(entry.name, () => {
      const bytes = fs.readFileSync(entry.file);
      const first = decodeModel(bytes);
      const again = decodeModel(encodeModel(first));
      assert.deepStrictEqual(again, first);
    });
  }
});

describe('model → IR → model keeps every byte', () => {
  for (const entry of models) {
    test(entry.name, () => {
      const proto = readModelFile(entry.file);
      const expected = Buffer.from(encodeModel(proto));
      const actual = Buffer.from(encodeModel(loadModel(entry.file).toProto()));
      assert.ok(actual.equals(expected), `IR round trip changed ${entry.file}`);
    });
  }
});

describe('onnxruntime runs the saved model with bit-identical outputs', () => {
  for (const [i, entry] of models.entries()) {
    test(entry.name, async () => {
      const model = loadModel(entry.file);
      const out = path.join(tmp, `${i}-${path.basename(entry.file)}`);
      saveModel(model, out);
      saved.set(entry.file, out);
      const inputs = modelInputSpecs(model);
      const original = await runWithCorpusFeeds(entry.file, inputs, entry);
      const rewritten = await runWithCorpusFeeds(out, inputs, entry);
      assert.equal(firstDifference(original, rewritten), undefined);
    });
  }
});

describe('the official ONNX checker accepts what we write when it accepted the original', () => {
  test('every corpus model', (t) => {
    if (!onnxCheckerAvailable()) { t.skip('python3-onnx is not installed'); return; }
    const pairs = models.filter((m) => saved.has(m.file)).map((m) => [m.file, saved.get(m.file)!] as const);
    assert.ok(pairs.length > 0);
    const verdicts = checkModels(pairs.flat());
    const regressions = pairs
      .filter(([orig, copy]) => verdicts[orig] === null && verdicts[copy] !== null)
      .map(([orig, copy]) => `${orig}: ${verdicts[copy]}`);
    assert.deepEqual(regressions, []);
    t.diagnostic(`checker accepted ${pairs.filter(([o]) => verdicts[o] === null).length} of ${pairs.length} originals`);
  });
});
