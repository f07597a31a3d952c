import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createProgram, reportError } from '../../src/cli/main.js';
import { ERROR_CODES, MlserveError } from '../../src/errors.js';
import { runCli as mlserve } from '../support/run-cli.js';

const USAGE = ERROR_CODES.MLS_ERR_USAGE.exitCode;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

test('--version prints the version from package.json', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = mlserve('--version');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
  assert.equal(r.stderr, '');
});

test('--help prints usage, the global flags and every registered command on stdout', () => {
  const r = mlserve('--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: mlserve /);
  for (const flag of ['--verbose', '--no-color', '--version']) assert.ok(r.stdout.includes(flag), flag);
  for (const cmd of createProgram().commands) {
    assert.match(r.stdout, new RegExp(`^  ${cmd.name()}\\b`, 'm'), `command ${cmd.name()} is listed`);
  }
  assert.equal(r.stderr, '');
});

test('an unknown option is a usage error: exit 2, one stderr line, no stack', () => {
  const r = mlserve('--frobnicate');
  assert.equal(r.code, USAGE, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), ["mlserve: unknown option '--frobnicate' (hint: run with --help for usage)"]);
});

test('an unknown command is a usage error: exit 2, one stderr line naming it', () => {
  const r = mlserve('frobnicate');
  assert.equal(r.code, USAGE, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), ["mlserve: unknown command 'frobnicate' (hint: run with --help for usage)"]);
});

test('no command at all prints the usage on stderr and exits 2', () => {
  const r = mlserve();
  assert.equal(r.code, USAGE, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Usage: mlserve /);
});

test("a command's usage errors go through the same mapper", () => {
  const [first] = createProgram().commands;
  assert.ok(first, 'at least one command is registered');
  const r = mlserve(first.name(), '--frobnicate');
  assert.equal(r.code, USAGE, r.stderr);
  assert.deepEqual(lines(r.stderr), ["mlserve: unknown option '--frobnicate' (hint: run with --help for usage)"]);
});

test('--verbose adds the code and the stack after the one line', () => {
  const r = mlserve('--verbose', '--frobnicate');
  assert.equal(r.code, USAGE, r.stderr);
  const err = lines(r.stderr);
  assert.equal(err[0], "mlserve: unknown option '--frobnicate' (hint: run with --help for usage)");
  assert.equal(err[1], '  code: MLS_ERR_USAGE (exit 2)');
  assert.match(r.stderr, /\n\s+at /);
});

function report(error: unknown, verbose = false) {
  const written: string[] = [];
  const code = reportError(error, { verbose, write: (s) => written.push(s) });
  return { code, text: written.join('') };
}

test('an MlserveError maps to one line with its hint and its own exit code', () => {
  const notOnnx = report(new MlserveError('MLS_ERR_MODEL_NOT_ONNX', { file: 'a.txt', reason: 'bad wire type' }));
  assert.equal(notOnnx.code, ERROR_CODES.MLS_ERR_MODEL_NOT_ONNX.exitCode);
  assert.equal(notOnnx.text,
    'mlserve: a.txt: not an ONNX model (bad wire type) (hint: pass a .onnx file written by an ONNX exporter)\n');
  // A detail with a line break (a file name, a reason quoted from elsewhere) still gives one line.
  const missing = report(new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: 'two\nlines.onnx' }));
  assert.equal(missing.code, ERROR_CODES.MLS_ERR_FILE_NOT_FOUND.exitCode);
  assert.equal(missing.text, 'mlserve: two lines.onnx: no such file\n');
});

test('anything else is an internal error: exit 1 with a bug-report request, stack only when verbose', () => {
  const quiet = report(new TypeError("Cannot read properties of undefined (reading 'dims')"));
  assert.equal(quiet.code, 1);
  assert.equal(lines(quiet.text).length, 1);
  assert.match(quiet.text, /^mlserve: internal error: Cannot read properties of undefined \(reading 'dims'\) \(this is a bug in mlserve; please report it/);
  const loud = report(new Error('outer', { cause: new Error('inner') }), true);
  assert.equal(loud.code, 1);
  assert.match(loud.text, /\n\s+at /);
  assert.match(loud.text, /caused by: Error: inner/);
  assert.equal(report('a thrown string').code, 1);
});
