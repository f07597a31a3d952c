/**
 * The Must-show of `mlserve optimize`: on every corpus model, -O2 with the check on 3 inputs succeeds;
 * the written model loads in onnxruntime; the official ONNX checker accepts it whenever it accepted the
 * original; and it has no more nodes than the original. Most models go through the library (one
 * process, fast); PP-OCRv4 rec, Silero VAD v5 (fed from an --inputs folder, since it needs a real
 * sample rate) and the transformer fixture also go through the real CLI.
 *
 * Inputs: models whose corpus entry gives shapes or fixed values get 3 feed sets built from them —
 * what a user passes with --inputs — and the rest get --check 3's own random feeds. The four models
 * whose fixed input sizes make a run take seconds (3-D ViT segmentation, 720×720 style transfer,
 * 512×896 road segmentation, the ConstantOfShape-weighted VGG-19) are checked on 1 input unless
 * MLSERVE_E2E_FULL=1, to keep this file near a minute and a half on a 2-core machine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadModel } from '../../src/ir/model-file.js';
import { optimize } from '../../src/optimize/optimize.js';
import { modelSize } from '../../src/passes/model-size.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { createSession, type OrtTensor } from '../../src/runtime/ort-session.js';
import { fromOrtTensor } from '../../src/runtime/plain-tensor.js';
import { randomFeeds } from '../../src/runtime/random-inputs.js';
import { corpus, type CorpusModel } from '../support/corpus.js';
import { checkModels, onnxCheckerAvailable } from '../support/onnx-checker.js';
import { runCli as mlserve } from '../support/run-cli.js';

const FULL = process.env['MLSERVE_E2E_FULL'] === '1';
const HEAVY = new Set(['vit_medsegm/model', 'winml_fns_candy', 'road_segmentation_adas_0001', 'light_vgg19']);
const RUNS = 3;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-optimize-e2e-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const models = corpus();
/** Original file → optimized file, for the checker at the end. */
const written = new Map<string, string>();

function runsFor(entry: CorpusModel): number {
  return HEAVY.has(entry.name) && !FULL ? 1 : RUNS;
}

/** `runs` feed sets from the corpus entry's shapes and fixed values; undefined when it gives neither. */
function corpusFeeds(entry: CorpusModel, runs: number): Record<string, OrtTensor>[] | undefined {
  if (!entry.shapes && !entry.fill) return undefined;
  const inputs = modelInputSpecs(loadModel(entry.file));
  const shapes = new Map(Object.entries(entry.shapes ?? {}));
  return Array.from({ length: runs }, (_, i) => randomFeeds(inputs, { shapes, fill: entry.fill, seed: 4242 + i }));
}

function outputFor(entry: CorpusModel, tag: string): string {
  return path.join(tmp, `${tag}-${entry.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.onnx`);
}

describe('optimize -O2, checked on 3 inputs, on every corpus model', () => {
  for (const entry of models) {
    test(entry.name, async (t) => {
      const runs = runsFor(entry);
      const feeds = corpusFeeds(entry, runs);
      const out = outputFor(entry, 'lib');
      const { report } = await optimize(entry.file, { passes: 'O2', check: runs, ...(feeds ? { feeds } : {}), output: out });
      assert.equal(report.check?.ok, true);
      assert.equal(report.check?.runs, runs);
      assert.ok(report.nodesAfter <= report.nodesBefore, `${report.nodesBefore} → ${report.nodesAfter} nodes`);
      // What was written is what was checked and counted.
      assert.equal(modelSize(loadModel(out)).nodes, report.nodesAfter);
      const session = await createSession(out);
      await session.release();
      written.set(entry.file, out);
      t.diagnostic(`nodes ${report.nodesBefore} → ${report.nodesAfter}, initializer bytes ${report.bytesBefore} → ${report.bytesAfter}, ${runs} runs, ${Math.round(report.timeMs)} ms`);
    });
  }
});

describe('the real CLI', () => {
  const byName = (name: string) => models.find((m) => m.name === name);

  test('mlserve optimize PP-OCRv4 rec -O2 --check 3 --json', { skip: !byName('ppocr-v4-rec') && 'model not installed' }, async () => {
    const entry = byName('ppocr-v4-rec')!;
    const out = outputFor(entry, 'cli');
    const r = mlserve('optimize', entry.file, '-O2', '--check', '3', '--json', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { nodesBefore: number; nodesAfter: number; check: { ok: boolean; runs: number } };
    assert.deepEqual([doc.check.ok, doc.check.runs], [true, 3]);
    assert.ok(doc.nodesAfter <= doc.nodesBefore);
    // The CLI and the library give the same bytes for the same model and flags.
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(outputFor(entry, 'lib'))), 'CLI output differs from the library\'s');
  });

  test('mlserve optimize Silero VAD v5 -O2 --inputs DIR (3 test_data_set folders of .npy and .pb files)', { skip: !byName('silero-vad-v5') && 'model not installed' }, async () => {
    const entry = byName('silero-vad-v5')!;
    const dir = path.join(tmp, 'silero-inputs');
    const { encodeTensor } = await import('../../src/onnx/codec.js');
    const { makeTensor } = await import('../../src/ir/tensor-data.js');
    const { dataTypeByName } = await import('../../src/onnx/data-type.js');
    for (const [k, feeds] of corpusFeeds(entry, RUNS)!.entries()) {
      const set = path.join(dir, `test_data_set_${k}`);
      fs.mkdirSync(set, { recursive: true });
      // input_K by position as .npy; the sample rate as a .pb TensorProto named after its input.
      const inputs = modelInputSpecs(loadModel(entry.file));
      for (const [i, spec] of inputs.entries()) {
        const plain = fromOrtTensor(feeds[spec.name]!);
        if (spec.name === 'sr') {
          fs.writeFileSync(path.join(set, `input_${i}.pb`), encodeTensor(makeTensor('sr', dataTypeByName(plain.dtype)!.id, plain.dims, plain.data as BigInt64Array)));
        } else {
          fs.writeFileSync(path.join(set, `input_${i}.npy`), encodeNpy(plain));
        }
      }
    }
    const out = outputFor(entry, 'cli');
    const r = mlserve('optimize', entry.file, '-O2', '--inputs', dir, '-o', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^check: ok, 3 runs in onnxruntime/m);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(outputFor(entry, 'lib'))), 'CLI output differs from the library\'s');
  });

  test('mlserve optimize transformer fixture -O2 --check 3, twice: same bytes', () => {
    const entry = byName('fixture:transformer_block')!;
    const [a, b] = [outputFor(entry, 'cli-a'), outputFor(entry, 'cli-b')];
    for (const out of [a, b]) {
      const r = mlserve('optimize', entry.file, '-O2', '--check', '3', '-o', out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^check: ok, 3 runs in onnxruntime/m);
    }
    assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)), 'two runs wrote different bytes');
  });
});

describe('the official ONNX checker accepts every optimized model whose original it accepts', () => {
  test('every corpus model', (t) => {
    if (!onnxCheckerAvailable()) { t.skip('python3-onnx is not installed'); return; }
    const pairs = [...written];
    assert.equal(pairs.length, models.length, 'every model was optimized and written');
    const verdicts = checkModels(pairs.flat());
    const regressions = pairs
      .filter(([orig, out]) => verdicts[orig] === null && verdicts[out] !== null)
      .map(([orig, out]) => `${path.basename(orig)}: ${verdicts[out]}`);
    assert.deepEqual(regressions, []);
    t.diagnostic(`checker accepted ${pairs.filter(([o]) => verdicts[o] === null).length} of ${pairs.length} originals and every optimized one of those`);
  });
});
