/**
 * External data: reading tensors from side files (as views, never copies), writing them with a size
 * threshold, and refusing references that are missing, short, or outside the model's folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { loadModel, saveModel } from '../../src/ir/model-file.js';
import { decodeModel, encodeModel } from '../../src/onnx/codec.js';
import { readModelFile } from '../../src/onnx/read-model-file.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { REAL_MODELS } from '../support/corpus.js';
import { firstDifference, runWithCorpusFeeds } from '../support/ort-compare.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-external-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const vit = REAL_MODELS.find((m) => m.name === 'vit_medsegm/model')!;
const hinglish = REAL_MODELS.find((m) => m.name === 'hinglish_parser/model')!;

function errorOf(fn: () => unknown): MlserveError {
  try { fn(); } catch (e) { if (e instanceof MlserveError) return e; throw e; }
  assert.fail('expected an MlserveError');
}

/** A copy of the vit model's folder whose first external tensor's reference is changed by `edit`. */
function withEditedReference(name: string, edit: (entries: Map<string, string>) => void): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(path.dirname(vit.file))) fs.copyFileSync(path.join(path.dirname(vit.file), f), path.join(dir, f));
  const file = path.join(dir, 'model.onnx');
  const proto = readRaw(file);
  const tensor = proto.graph!.initializer.find((t) => t.data_location === 1)!;
  const entries = new Map(tensor.external_data.map((e) => [e.key!, e.value!]));
  edit(entries);
  tensor.external_data = [...entries].map(([key, value]) => ({ key, value }));
  fs.writeFileSync(file, encodeModel(proto));
  return file;
}

/** The model as stored, external references untouched. */
function readRaw(file: string) {
  return decodeModel(fs.readFileSync(file));
}

describe('reading', () => {
  test('external tensors become views on one buffer per side file, not copies', () => {
    const proto = readModelFile(vit.file);
    const external = readRaw(vit.file).graph!.initializer.filter((t) => t.data_location === 1).map((t) => t.name);
    assert.ok(external.length >= 2);
    const tensors = proto.graph!.initializer.filter((t) => external.includes(t.name));
    const buffers = new Set(tensors.map((t) => t.raw_data!.buffer));
    assert.equal(buffers.size, 1, 'all tensors of one side file share its buffer');
    const sideFileSize = fs.statSync(path.join(path.dirname(vit.file), 'model.onnx.data')).size;
    assert.ok([...buffers][0]!.byteLength >= sideFileSize);
    assert.ok(tensors.every((t) => t.external_data.length === 0 && t.data_location === undefined));
  });

  test('a missing side file names the tensor and the location', () => {
    const file = withEditedReference('missing', (e) => e.set('location', 'nowhere.data'));
    const err = errorOf(() => readModelFile(file));
    assert.equal(err.code, 'MLS_ERR_EXTERNAL_DATA_MISSING');
    assert.match(err.message, /external data for tensor '.+' in 'nowhere\.data': file not found/);
    assert.equal(err.exitCode, 14);
  });

  test('a reference past the end of the side file', () => {
    const file = withEditedReference('short', (e) => e.set('offset', String(10 ** 9)));
    const err = errorOf(() => readModelFile(file));
    assert.equal(err.code, 'MLS_ERR_EXTERNAL_DATA_MISSING');
    assert.match(err.message, /needs bytes 1000000000\.\.\d+ but the file has \d+/);
  });

  for (const [label, location] of [['a parent folder', '../model.onnx.data'], ['an absolute path', '/etc/passwd'], ['a climb hidden in the middle', 'a/../../x.data']] as const) {
    test(`a location escaping the model's folder through ${label} is refused before reading`, () => {
      const file = withEditedReference(`escape-${label.replace(/\W+/g, '-')}`, (e) => e.set('location', location));
      const err = errorOf(() => readModelFile(file));
      assert.equal(err.code, 'MLS_ERR_EXTERNAL_DATA_OUTSIDE');
      assert.ok(err.message.includes(location));
    });
  }
});

describe('writing', () => {
  test('tensors over the threshold go to an aligned side file; the model reloads and runs identically', async () => {
    const model = loadModel(hinglish.file);
    const dir = path.join(tmp, 'written');
    fs.mkdirSync(dir);
    const out = path.join(dir, 'parser.onnx');
    const result = saveModel(model, out, { externalData: { thresholdBytes: 1024 } });
    assert.equal(result.externalDataFile, path.join(dir, 'parser.onnx.data'));
    const stored = readRaw(out).graph!.initializer.filter((t) => t.data_location === 1);
    assert.ok(stored.length > 0);
    for (const t of stored) {
      const offset = Number(t.external_data.find((e) => e.key === 'offset')!.value);
      assert.equal(offset % 4096, 0, `${t.name} offset ${offset} is 4 KiB aligned`);
    }
    // The in-memory model is untouched by the save.
    assert.ok(model.graph.initializers.every((v) => v.initializer!.data_location === undefined));
    const inputs = modelInputSpecs(model);
    assert.equal(firstDifference(await runWithCorpusFeeds(hinglish.file, inputs, hinglish), await runWithCorpusFeeds(out, inputs, hinglish)), undefined);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['parser.onnx', 'parser.onnx.data'], 'no temporary files left');
  });

  test('a failed save leaves nothing behind and names the file', () => {
    const model = loadModel(vit.file);
    const out = path.join(tmp, 'no-such-dir', 'x.onnx');
    const err = errorOf(() => saveModel(model, out, { externalData: { thresholdBytes: 1024 } }));
    assert.equal(err.code, 'MLS_ERR_WRITE_FAILED');
    assert.ok(err.message.includes('x.onnx'));
    assert.equal(fs.existsSync(path.dirname(out)), false);
  });

  test('saving over an existing model replaces it atomically', () => {
    const model = loadModel(vit.file);
    const out = path.join(tmp, 'replace.onnx');
    fs.writeFileSync(out, 'old');
    saveModel(model, out);
    assert.equal(loadModel(out).graph.nodes.length, model.graph.nodes.length);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('replace.onnx')), ['replace.onnx']);
  });
});
