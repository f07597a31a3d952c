/**
 * `mlserve optimize --precision` through the real CLI: the accuracy report in the text and in --json,
 * a failed accuracy gate (non-zero exit, nothing written), calibration folders that are missing or
 * malformed, and precision flags used where they do not apply.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadModel } from '../../src/ir/model-file.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { repoRoot } from '../support/corpus.js';
import { tempPath } from '../support/temp-files.js';
import { assertCliError, runCli as mlserve } from '../support/run-cli.js';

const cnn = path.join(repoRoot, 'fixtures', 'models', 'cnn.onnx');
const mlp = path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx');

/** A calibration folder for the CNN fixture: `sets` test_data_set folders of one image each. */
function calibrationDir(sets: number): string {
  const dir = tempPath('calibration');
  const rng = seededRandom(3);
  for (let s = 0; s < sets; s++) {
    const d = path.join(dir, `test_data_set_${s}`);
    fs.mkdirSync(d, { recursive: true });
    const data = Float32Array.from({ length: 3 * 32 * 32 }, () => rng() * 2 - 1);
    fs.writeFileSync(path.join(d, 'input_0.npy'), encodeNpy({ dtype: 'float32', dims: [1, 3, 32, 32], data }));
  }
  return dir;
}

describe('optimize --precision (CLI)', () => {
  test('fp16: the accuracy report is printed, and is in --json per output', () => {
    const out = tempPath('mlp16.onnx');
    const text = mlserve('optimize', mlp, '-o', out, '--precision', 'fp16');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /float16: \d+ nodes converted, 0 kept float32, 2 casts; 0 weight values clamped/);
    assert.match(text.stdout, /accuracy vs float32: ok \(gate cosine ≥ 0\.99\), 1 run on random inputs/);
    assert.match(text.stdout, /output\s+max abs error\s+mean abs error\s+cosine\s+top-1 agreement/);
    const json = mlserve('optimize', mlp, '-o', tempPath('mlp16b.onnx'), '--precision', 'fp16', '--json', '--check', '2');
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.precision.precision, 'fp16');
    assert.equal(doc.accuracy.ok, true);
    assert.equal(doc.accuracy.runs, 2);
    const o = doc.accuracy.outputs[0];
    assert.equal(typeof o.maxAbsError, 'number');
    assert.equal(typeof o.meanAbsError, 'number');
    assert.ok(o.cosine > 0.999);
    assert.ok(fs.statSync(out).size < fs.statSync(mlp).size * 0.6);
  });

  test('composes with -O2 (fusions first) and --input-shape', () => {
    const transformer = path.join(repoRoot, 'fixtures', 'models', 'transformer_block.onnx');
    const out = tempPath('tb16.onnx');
    const r = mlserve('optimize', transformer, '-o', out, '--precision', 'fp16', '--input-shape', 'hidden_states=1,16,64', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const names = doc.passes.map((p: { name: string }) => p.name);
    assert.equal(names[names.length - 1], 'convert_to_fp16', 'precision runs last');
    assert.ok(doc.passes.find((p: { name: string }) => p.name === 'fuse_layer_norm').changed, 'LayerNorm fused before conversion');
    assert.equal(doc.check.ok, true, 'the float32 stage was checked');
    assert.equal(doc.accuracy.ok, true);
    const model = loadModel(out);
    assert.deepEqual(model.graph.inputs[0]!.type?.shape, [1, 16, 64]);
    assert.equal(model.graph.nodes.filter((n) => n.opType === 'LayerNormalization').length, 2);
  });

  test('int8 static with a failed accuracy gate: exit code 52, nothing written', () => {
    const out = tempPath('never.onnx');
    const r = mlserve('optimize', cnn, '-o', out, '--precision', 'int8', '--quant-mode', 'static', '--calibration', calibrationDir(3),
      '--max-accuracy-loss', 'cosine=0.9999999,top1=1');
    assertCliError(r, 'MLS_ERR_ACCURACY_GATE_FAILED', /the int8 \(static\) model misses the accuracy gate: cosine 0\.\d+ < 0\.9999999 on 'logits'; nothing was written/);
    assert.equal(fs.existsSync(out), false);
  });

  test('int8 static that meets its gate: written, calibration reported', () => {
    const out = tempPath('cnn8.onnx');
    const r = mlserve('optimize', cnn, '-o', out, '--precision', 'int8', '--quant-mode', 'static', '--calibration', calibrationDir(4), '--calib-method', 'percentile', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.precision.calibration, { source: doc.precision.calibration.source, sets: 4, method: 'percentile', percentile: 99.99 });
    assert.equal(doc.accuracy.inputs, 'calibration');
    assert.ok(fs.existsSync(out));
  });

  test('calibration folder missing, or malformed: exit codes 50 and 51 with the folder and file named', () => {
    assertCliError(mlserve('optimize', cnn, '--dry-run', '--precision', 'int8', '--quant-mode', 'static'),
      'MLS_ERR_CALIBRATION_REQUIRED', /static int8 quantization needs calibration inputs/);
    const missing = path.join(tempPath('x'), 'nowhere');
    assertCliError(mlserve('optimize', cnn, '--dry-run', '--precision', 'int8', '--quant-mode', 'static', '--calibration', missing),
      'MLS_ERR_CALIBRATION_INVALID', new RegExp(`--calibration ${missing}: no such folder`));
    const bad = calibrationDir(1);
    fs.writeFileSync(path.join(bad, 'test_data_set_0', 'input_0.npy'), 'garbage');
    assertCliError(mlserve('optimize', cnn, '--dry-run', '--precision', 'int8', '--quant-mode', 'static', '--calibration', bad),
      'MLS_ERR_CALIBRATION_INVALID', /input_0\.npy/);
  });

  test('precision flags where they do not apply are usage errors', () => {
    assertCliError(mlserve('optimize', mlp, '--dry-run', '--op-block-list', 'Relu'), 'MLS_ERR_USAGE', /--op-block-list only applies with --precision fp16\|int8/);
    assertCliError(mlserve('optimize', mlp, '--dry-run', '--precision', 'fp16', '--exclude-ops', 'Conv'), 'MLS_ERR_USAGE', /--exclude-ops does not apply to --precision fp16/);
    assertCliError(mlserve('optimize', mlp, '--dry-run', '--precision', 'int8', '--calibration', '.'), 'MLS_ERR_USAGE', /--calibration needs --quant-mode static/);
    assertCliError(mlserve('optimize', mlp, '--dry-run', '--precision', 'fp16', '--max-accuracy-loss', 'psnr=3'), 'MLS_ERR_INVALID_ARGUMENT', /unknown metric 'psnr'/);
  });
});
