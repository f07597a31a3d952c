/**
 * --inputs DIR: the three layouts (test_data_set_N folders, one such folder, files named after the
 * inputs), .pb files written by onnx's own numpy_helper, and one clear error naming the file for
 * every way a folder can fail to fit the model.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MlserveError, type ErrorCode } from '../../src/errors.js';
import { makeTensor } from '../../src/ir/tensor-data.js';
import { encodeTensor } from '../../src/onnx/codec.js';
import { DataType } from '../../src/onnx/data-type.js';
import { loadFeedSets, loadFeeds } from '../../src/runtime/load-feeds.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import type { InputSpec } from '../../src/runtime/random-inputs.js';
import { readTensorFile } from '../../src/runtime/tensor-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-feeds-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Silero VAD v5's interface, with the batch dim named so the cross-input check has something to check.
const SILERO: InputSpec[] = [
  { name: 'input', dtype: DataType.FLOAT!, shape: ['batch', null] },
  { name: 'state', dtype: DataType.FLOAT!, shape: [2, 'batch', 128] },
  { name: 'sr', dtype: DataType.INT64!, shape: [] },
];

let dirCount = 0;
/** A fresh folder holding `files` (relative path → bytes). */
function folder(files: Record<string, Uint8Array>): string {
  const dir = path.join(tmp, `d${dirCount++}`);
  for (const [rel, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), bytes);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const npyF32 = (dims: number[], fill = 0.25) => encodeNpy({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill) });
const npyI64 = (v: bigint) => encodeNpy({ dtype: 'int64', dims: [], data: BigInt64Array.from([v]) });
const pbF32 = (name: string, dims: number[], fill = 0.5) => encodeTensor(makeTensor(name, DataType.FLOAT!, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill)));
const pbI64 = (name: string, v: bigint) => encodeTensor(makeTensor(name, DataType.INT64!, [], [v]));

function fails(code: ErrorCode, pattern: RegExp, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MlserveError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

describe('layouts', () => {
  test('test_data_set_N folders: one set each, in numeric order, input_K by position', () => {
    const files: Record<string, Uint8Array> = {};
    for (const n of [0, 1, 10, 2]) {
      files[`test_data_set_${n}/input_0.pb`] = pbF32('', [1, 512], n);
      files[`test_data_set_${n}/input_1.npy`] = npyF32([2, 1, 128]);
      files[`test_data_set_${n}/input_2.pb`] = pbI64('', 16000n);
      files[`test_data_set_${n}/output_0.pb`] = pbF32('', [1, 1]); // expected outputs sit beside inputs
    }
    const sets = loadFeedSets(folder(files), SILERO);
    assert.deepEqual(sets.map((s) => path.basename(s.source)), ['test_data_set_0', 'test_data_set_1', 'test_data_set_2', 'test_data_set_10']);
    assert.deepEqual(sets.map((s) => (s.tensors['input']!.data as Float32Array)[0]), [0, 1, 2, 10]);
    assert.deepEqual(Array.from(sets[0]!.tensors['sr']!.data as BigInt64Array), [16000n]);
    assert.deepEqual(sets[0]!.tensors['state']!.dims, [2, 1, 128]);
  });

  test('a named TensorProto goes to the input it names, whatever its position', () => {
    const dir = folder({
      'input_0.pb': pbI64('sr', 8000n),
      'input_1.pb': pbF32('input', [1, 256]),
      'input_2.pb': pbF32('state', [2, 1, 128]),
    });
    const [set] = loadFeedSets(dir, SILERO);
    assert.deepEqual(set!.tensors['input']!.dims, [1, 256]);
    assert.equal(set!.files['sr'], path.join(dir, 'input_0.pb'));
  });

  test('flat files named after the inputs; loadFeeds gives onnxruntime tensors', () => {
    const dir = folder({ 'input.npy': npyF32([3, 512]), 'state.pb': pbF32('', [2, 3, 128]), 'sr.npy': npyI64(16000n), 'notes.txt': new Uint8Array(3) });
    const [feeds] = loadFeeds(dir, SILERO);
    assert.deepEqual(Object.keys(feeds!).sort(), ['input', 'sr', 'state']);
    assert.equal(feeds!['sr']!.type, 'int64');
    assert.deepEqual(feeds!['state']!.dims, [2, 3, 128]);
  });

  test('.pb files written by onnx.numpy_helper: float16, bool, string, int64 scalar', {
    skip: spawnSync('/usr/bin/python3', ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status !== 0 && 'python3-onnx is not installed',
  }, () => {
    const dir = folder({});
    const r = spawnSync('/usr/bin/python3', ['-c', `
import sys, numpy as np
from onnx import numpy_helper
d = sys.argv[1]
def save(name, a):
    open(d + '/' + name + '.pb', 'wb').write(numpy_helper.from_array(a, name).SerializeToString())
save('h', np.array([[0.5, -2.0]], dtype=np.float16))
save('mask', np.array([True, False, True]))
save('words', np.array(['héllo', 'onnx'], dtype=object))
save('sr', np.array(16000, dtype=np.int64))
`, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const h = readTensorFile(path.join(dir, 'h.pb'));
    assert.equal(h.name, 'h');
    assert.deepEqual([h.tensor.dtype, h.tensor.dims, Array.from(h.tensor.data as Uint16Array)], ['float16', [1, 2], [0x3800, 0xc000]]);
    const mask = readTensorFile(path.join(dir, 'mask.pb')).tensor;
    assert.deepEqual([mask.dtype, Array.from(mask.data as Uint8Array)], ['bool', [1, 0, 1]]);
    assert.deepEqual(readTensorFile(path.join(dir, 'words.pb')).tensor.data, ['héllo', 'onnx']);
    const [set] = loadFeedSets(dir, [
      { name: 'h', dtype: DataType.FLOAT16!, shape: [1, 2] }, { name: 'mask', dtype: DataType.BOOL!, shape: [3] },
      { name: 'words', dtype: DataType.STRING!, shape: ['n'] }, { name: 'sr', dtype: DataType.INT64!, shape: [] },
    ]);
    assert.deepEqual(Array.from(set!.tensors['sr']!.data as BigInt64Array), [16000n]);
  });
});

describe('errors name the file and the problem', () => {
  test('no such folder, not a folder, nothing in it', () => {
    fails('MLS_ERR_FILE_NOT_FOUND', /absent: no such file/, () => loadFeedSets(path.join(tmp, 'absent'), SILERO));
    const file = path.join(folder({ 'x.npy': npyF32([1]) }), 'x.npy');
    fails('MLS_ERR_INPUTS_DIR_INVALID', /not a directory/, () => loadFeedSets(file, SILERO));
    fails('MLS_ERR_INPUTS_DIR_INVALID', /holds no \.npy or \.pb files/, () => loadFeedSets(folder({ 'README.md': new Uint8Array(1) }), SILERO));
  });

  test('an input without a file', () => {
    const flat = folder({ 'input.npy': npyF32([1, 512]), 'sr.npy': npyI64(16000n) });
    fails('MLS_ERR_INPUT_FILE_MISSING', /no file for input 'state' \(looked for state\.npy or state\.pb\)/, () => loadFeedSets(flat, SILERO));
    const set = folder({ 'test_data_set_0/input_0.pb': pbF32('', [1, 512]), 'test_data_set_0/input_2.pb': pbI64('', 1n) });
    fails('MLS_ERR_INPUT_FILE_MISSING', /test_data_set_0: no file for input 'state' \(looked for input_1\.pb or input_1\.npy\)/, () => loadFeedSets(set, SILERO));
  });

  test('a file for an input the model does not have', () => {
    const flat = folder({ 'input.npy': npyF32([1, 512]), 'state.npy': npyF32([2, 1, 128]), 'sr.npy': npyI64(1n), 'srr.npy': npyI64(1n) });
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /srr\.npy: names no input of the model \(its inputs: input, state, sr\)/, () => loadFeedSets(flat, SILERO));
    const extra = folder({ 'input_0.pb': pbF32('', [1, 512]), 'input_1.pb': pbF32('', [2, 1, 128]), 'input_2.pb': pbI64('', 1n), 'input_3.pb': pbI64('', 1n) });
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /input_3\.pb: the model has 3 inputs to feed \(input, state, sr\), so there is no input 3/, () => loadFeedSets(extra, SILERO));
    const named = folder({ 'input_0.pb': pbF32('audio', [1, 512]) });
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /input_0\.pb: the tensor is named 'audio', which is not an input of the model/, () => loadFeedSets(named, SILERO));
  });

  test('the same input twice', () => {
    const dir = folder({ 'input.npy': npyF32([1, 512]), 'input.pb': pbF32('', [1, 512]) });
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /input\.pb: gives input 'input' a second time \(input\.npy already did\)/, () => loadFeedSets(dir, SILERO));
  });

  test('wrong dtype, rank, fixed dim, or a symbolic dim two inputs disagree on', () => {
    const base = { 'state.npy': npyF32([2, 1, 128]), 'sr.npy': npyI64(16000n) };
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /input\.npy: holds float64 data but input 'input' is float32/,
      () => loadFeedSets(folder({ ...base, 'input.npy': encodeNpy({ dtype: 'float64', dims: [1, 2], data: new Float64Array(2) }) }), SILERO));
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /input\.npy: has shape \[512\] \(rank 1\) but input 'input' has shape \[batch,\?\] \(rank 2\)/,
      () => loadFeedSets(folder({ ...base, 'input.npy': npyF32([512]) }), SILERO));
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /state\.npy: has shape \[2,1,64\] but input 'state' has shape \[2,batch,128\] \(dim 2 must be 128\)/,
      () => loadFeedSets(folder({ 'input.npy': npyF32([1, 512]), 'sr.npy': npyI64(1n), 'state.npy': npyF32([2, 1, 64]) }), SILERO));
    fails('MLS_ERR_INPUT_FILE_MISMATCH', /state\.npy: has shape \[2,4,128\], giving dim 'batch' the size 4, but input 'input' gives it 1/,
      () => loadFeedSets(folder({ 'input.npy': npyF32([1, 512]), 'sr.npy': npyI64(1n), 'state.npy': npyF32([2, 4, 128]) }), SILERO));
  });

  test('a damaged tensor file inside the folder', () => {
    const dir = folder({ 'input.npy': npyF32([1, 512]).subarray(0, 200), 'state.npy': npyF32([2, 1, 128]), 'sr.npy': npyI64(1n) });
    fails('MLS_ERR_TENSOR_FILE_INVALID', /input\.npy: not a readable tensor file: shape \(1, 512\) of <f4 needs 2048 data bytes but the file has 72/, () => loadFeedSets(dir, SILERO));
  });
});
