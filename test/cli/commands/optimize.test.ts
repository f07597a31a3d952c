/**
 * `mlserve optimize` through the real CLI: the happy paths (text, --json, --dry-run, --verbose
 * declines, --list-passes without a model) and every bad flag giving one stderr line and its own
 * exit code from the error registry.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelBuilder } from '../../../src/ir/model-builder.js';
import { saveModel } from '../../../src/ir/model-file.js';
import { PASSES } from '../../../src/passes/index.js';
import { createSession } from '../../../src/runtime/ort-session.js';
import { encodeNpy } from '../../../src/runtime/npy.js';
import { repoRoot } from '../../support/corpus.js';
import { assertCliError, runCli as mlserve } from '../../support/run-cli.js';

const mlp = path.join(repoRoot, 'fixtures', 'models', 'mlp.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-optimize-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mlserve optimize', () => {
  test('--list-passes needs no model: a header and one line per registered pass', () => {
    const r = mlserve('optimize', '--list-passes');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^pass +kind +presets +summary$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/ +/)[0]), PASSES.map((p) => p.name));
    const json = mlserve('optimize', '--list-passes', '--json');
    const list = JSON.parse(json.stdout) as Array<{ name: string; kind: string; presets: string[]; summary: string }>;
    assert.deepEqual(list.map((p) => p.name), PASSES.map((p) => p.name));
    for (const p of list) assert.ok(p.presets.includes('O2') || p.kind === 'convert' || p.kind === 'quantize', p.name);
  });

  test('-O2 --check 2 writes a model that loads in onnxruntime; the text report ends in a summary line', async () => {
    const out = path.join(tmp, 'mlp-o2.onnx');
    const r = mlserve('optimize', mlp, '-O2', '--check', '2', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^check: ok, 2 runs in onnxruntime, atol 0\.0001, rtol 0\.001$/m);
    assert.match(r.stdout.trimEnd().split('\n').at(-1)!, /^nodes 6 → \d+ .*; wrote .*mlp-o2\.onnx \(/);
    const session = await createSession(out);
    assert.deepEqual(session.inputNames, ['input']);
    await session.release();
  });

  test('--json prints one document and nothing else', () => {
    const out = path.join(tmp, 'mlp-json.onnx');
    const r = mlserve('optimize', mlp, '--json', '-o', out, '--passes', 'eliminate_identity,eliminate_dead_code', '--atol', '1e-5', '--rtol', '0');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { passes: Array<{ name: string }>; check: { ok: boolean; runs: number; atol: number; rtol: number; outputs: unknown[] } };
    for (const key of ['nodesBefore', 'nodesAfter', 'bytesBefore', 'bytesAfter', 'passes', 'check', 'declines', 'output', 'timeMs']) assert.ok(key in doc, key);
    assert.deepEqual(doc.passes.map((p) => p.name), ['eliminate_identity', 'eliminate_dead_code']);
    assert.deepEqual([doc.check.ok, doc.check.runs, doc.check.atol, doc.check.rtol, doc.check.outputs.length], [true, 1, 1e-5, 0, 1]);
    assert.equal(doc['output'], out);
  });

  test('--dry-run writes nothing; --verbose lists the rewrites a pass declined', () => {
    // Identity feeding a graph output: eliminate_identity must keep it and say why.
    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['n', 4]);
    const y = b.node('Identity', [b.node('Relu', [x])], {}, { output: 'y' });
    b.output(y, 'float32', ['n', 4]);
    const model = path.join(tmp, 'identity-output.onnx');
    saveModel(b.build(), model);
    const quiet = mlserve('optimize', model, '--dry-run', '--passes', 'eliminate_identity');
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^1 rewrite declined by 1 pass \(--verbose lists them\)$/m);
    assert.match(quiet.stdout.trimEnd(), /; nothing written \(--dry-run\)$/);
    const verbose = mlserve('optimize', model, '--dry-run', '--passes', 'eliminate_identity', '--verbose');
    assert.match(verbose.stdout, /^eliminate_identity +Identity_0 \(Identity\) +output is a graph output$/m);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('identity-output') && f !== 'identity-output.onnx'), []);
  });
});

describe('bad flags: one line, the registry\'s exit code', () => {
  const out = path.join(tmp, 'never.onnx');
  test('an unknown pass', () => {
    assertCliError(mlserve('optimize', mlp, '-o', out, '--passes', 'eliminate_identity,fold_everything'), 'MLS_ERR_OPTIMIZE_UNKNOWN_PASS',
      /^mlserve: --passes: unknown pass 'fold_everything' \(hint: mlserve optimize --list-passes shows every pass\)$/);
  });

  test('a malformed --input-shape', () => {
    assertCliError(mlserve('optimize', mlp, '-o', out, '--input-shape', 'input=1,x'), 'MLS_ERR_INVALID_ARGUMENT',
      /--input-shape 'input=1,x': dimension 'x' is not a non-negative integer/);
  });

  test('an input name the model lacks, for --input-shape', () => {
    assertCliError(mlserve('optimize', mlp, '-o', out, '--input-shape', 'images=1,64'), 'MLS_ERR_INPUT_NOT_IN_MODEL',
      /--input-shape: .*mlp\.onnx has no input 'images' \(its inputs: input\)/);
  });

  test('an --input-shape of the wrong rank', () => {
    assertCliError(mlserve('optimize', mlp, '-o', out, '--input-shape', 'input=1,64,1'), 'MLS_ERR_INVALID_ARGUMENT', /input 'input' has rank 2/);
  });

  test('--inputs: a folder without a file for an input, a folder that does not exist', () => {
    const dir = path.join(tmp, 'inputs-missing');
    fs.mkdirSync(path.join(dir, 'test_data_set_0'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'test_data_set_0', 'output_0.npy'), encodeNpy({ dtype: 'float32', dims: [1, 10], data: new Float32Array(10) }));
    assertCliError(mlserve('optimize', mlp, '-o', out, '--inputs', dir), 'MLS_ERR_INPUT_FILE_MISSING',
      /test_data_set_0: no file for input 'input' \(looked for input_0\.pb or input_0\.npy\)/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '--inputs', path.join(tmp, 'nowhere')), 'MLS_ERR_FILE_NOT_FOUND', /nowhere: no such file/);
  });

  test('usage errors: no -o, no model, -O with --passes, a bad -O, --target or --check', () => {
    assertCliError(mlserve('optimize', mlp), 'MLS_ERR_USAGE', /optimize needs -o OUT\.onnx \(or --dry-run to write nothing\)/);
    assertCliError(mlserve('optimize', '-o', out), 'MLS_ERR_USAGE', /missing required argument 'model'/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '-O1', '--passes', 'eliminate_identity'), 'MLS_ERR_USAGE', /--passes and -O1 exclude each other/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '-O3'), 'MLS_ERR_INVALID_ARGUMENT', /-O '3': expected -O0, -O1 or -O2/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '--target', 'tensorrt'), 'MLS_ERR_USAGE', /tensorrt/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '--check=two'), 'MLS_ERR_INVALID_ARGUMENT', /--check 'two': expected an integer ≥ 0/);
    assertCliError(mlserve('optimize', mlp, '-o', out, '--fold-size-limit', '4 furlongs'), 'MLS_ERR_INVALID_ARGUMENT', /--fold-size-limit '4 furlongs'/);
    assert.equal(fs.existsSync(out), false);
  });

  test('a model that does not exist', () => {
    assertCliError(mlserve('optimize', path.join(tmp, 'absent.onnx'), '-o', out), 'MLS_ERR_FILE_NOT_FOUND', /absent\.onnx: no such file/);
  });
});
