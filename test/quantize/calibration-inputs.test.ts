/**
 * --calibration DIR: the layouts --inputs reads (test_data_set_N folders, named .npy/.pb files), and
 * every way a folder can be wrong — missing, empty, a corrupt or mis-shaped file, an input without a
 * file — as one MLS_ERR_CALIBRATION_INVALID that names the folder and the file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ModelBuilder } from '../../src/ir/model-builder.js';
import { loadModel } from '../../src/ir/model-file.js';
import { encodeTensor } from '../../src/onnx/codec.js';
import { makeTensorProto } from '../../src/ir/model-builder.js';
import { loadCalibrationSets } from '../../src/quantize/calibration-inputs.js';
import { modelInputSpecs } from '../../src/runtime/model-inputs.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { tempPath, writeTemp } from '../support/temp-files.js';

function model() {
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', ['batch', 4]);
  b.input('mask', 'int64', ['batch', 4]);
  b.node('Mul', ['x', b.node('Cast', ['mask'], { to: 1 })], {}, { output: 'y' });
  b.output('y', 'float32', ['batch', 4]);
  return modelInputSpecs(loadModel(writeTemp(b.build())));
}

const inputs = model();
const x = (n = 2) => encodeNpy({ dtype: 'float32', dims: [n, 4], data: new Float32Array(n * 4).fill(0.5) });
const mask = (n = 2) => encodeNpy({ dtype: 'int64', dims: [n, 4], data: new BigInt64Array(n * 4).fill(1n) });

function dir(files: Record<string, Uint8Array | string>): string {
  const d = tempPath('calibration');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), content);
  }
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function rejects(d: string, reason: RegExp): void {
  assert.throws(() => loadCalibrationSets(d, inputs), (e: Error & { code?: string; exitCode?: number }) => {
    assert.equal(e.code, 'MLS_ERR_CALIBRATION_INVALID');
    assert.equal(e.exitCode, 51);
    assert.match(e.message, new RegExp(`^--calibration ${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    assert.match(e.message, reason);
    return true;
  });
}

describe('calibration inputs', () => {
  test('test_data_set_N folders: one set each, in order; .pb tensors', () => {
    const pb = (name: string, dtype: string, data: number[] | bigint[]) => encodeTensor(makeTensorProto(name, dtype, [1, 4], data));
    const d = dir({
      'test_data_set_0/input_0.pb': pb('x', 'float32', [1, 2, 3, 4]), 'test_data_set_0/input_1.pb': pb('mask', 'int64', [1n, 1n, 0n, 0n]),
      'test_data_set_1/input_0.pb': pb('x', 'float32', [5, 6, 7, 8]), 'test_data_set_1/input_1.pb': pb('mask', 'int64', [1n, 1n, 1n, 1n]),
    });
    const sets = loadCalibrationSets(d, inputs);
    assert.equal(sets.length, 2);
    assert.deepEqual([...(sets[1]!.feeds.x!.data as Float32Array)], [5, 6, 7, 8]);
    assert.match(sets[0]!.source, /test_data_set_0$/);
  });

  test('a flat folder of .npy files named after the inputs: one set', () => {
    const sets = loadCalibrationSets(dir({ 'x.npy': x(), 'mask.npy': mask() }), inputs);
    assert.equal(sets.length, 1);
    assert.deepEqual(sets[0]!.feeds.x!.dims, [2, 4]);
  });

  test('a folder that does not exist', () => {
    rejects(path.join(tempPath('gone'), 'nowhere'), /no such folder/);
  });

  test('a folder with no tensor files', () => {
    rejects(dir({ 'notes.txt': 'hello' }), /holds no \.npy or \.pb files/);
  });

  test('a corrupt .npy file is named', () => {
    rejects(dir({ 'x.npy': 'not numpy at all', 'mask.npy': mask() }), /x\.npy/);
  });

  test('an input without a file', () => {
    rejects(dir({ 'x.npy': x() }), /no file for input 'mask' \(looked for mask\.npy or mask\.pb\)/);
  });

  test('a tensor of the wrong element type or rank', () => {
    const wrongType = encodeNpy({ dtype: 'float64', dims: [2, 4], data: new Float64Array(8) });
    rejects(dir({ 'x.npy': wrongType, 'mask.npy': mask() }), /x\.npy: holds float64 data but input 'x' is float32/);
    const wrongRank = encodeNpy({ dtype: 'float32', dims: [8], data: new Float32Array(8) });
    rejects(dir({ 'x.npy': wrongRank, 'mask.npy': mask() }), /x\.npy: has shape \[8\] \(rank 1\)/);
  });

  test('inputs disagreeing on a shared dim', () => {
    rejects(dir({ 'x.npy': x(2), 'mask.npy': mask(3) }), /dim 'batch'/);
  });
});
