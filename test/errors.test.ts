import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, INTERNAL_ERROR_EXIT_CODE, MlserveError, type ErrorCode } from '../src/errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

test('every error code has its own exit code, never 0 (success) or 1 (internal error)', () => {
  const byExit = new Map<number, string[]>();
  for (const code of codes) {
    const { exitCode } = ERROR_CODES[code];
    byExit.set(exitCode, [...(byExit.get(exitCode) ?? []), code]);
    assert.ok(Number.isInteger(exitCode), `${code}: exit code ${exitCode} is not an integer`);
    assert.notEqual(exitCode, 0, `${code} uses 0, which means success`);
    assert.notEqual(exitCode, INTERNAL_ERROR_EXIT_CODE, `${code} uses ${INTERNAL_ERROR_EXIT_CODE}, which means an internal error`);
    // Shells give 126 and up their own meanings (not executable, not found, killed by signal).
    assert.ok(exitCode >= 2 && exitCode <= 125, `${code}: exit code ${exitCode} is outside 2..125`);
  }
  const shared = [...byExit].filter(([, names]) => names.length > 1);
  assert.deepEqual(shared, [], 'exit codes used by more than one error code');
});

test('error codes are named MLS_ERR_<AREA>_<WHAT> and carry an HTTP error status', () => {
  for (const code of codes) {
    assert.match(code, /^MLS_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    const { httpStatus } = ERROR_CODES[code];
    assert.ok(httpStatus >= 400 && httpStatus <= 599, `${code}: HTTP status ${httpStatus}`);
  }
});

test('an MlserveError builds its message from its details and survives the plain form used across threads', () => {
  const e = new MlserveError('MLS_ERR_GRAPH_CYCLE', { file: 'm.onnx', node: 'add_1' });
  assert.equal(e.message, "m.onnx: graph has a cycle through node 'add_1'");
  assert.equal(e.exitCode, ERROR_CODES.MLS_ERR_GRAPH_CYCLE.exitCode);
  const back = MlserveError.fromPlain(structuredClone(e.toPlain()));
  assert.ok(back instanceof MlserveError);
  assert.equal(back.code, e.code);
  assert.equal(back.message, e.message);
  assert.deepEqual(back.details, e.details);
  assert.throws(() => MlserveError.fromPlain({ code: 'MLS_ERR_NO_SUCH_THING', details: {} }), /unknown mlserve error code/);
});

/** Rows of the first Markdown table after the "## Exit codes and errors" heading: [code, exit code]. */
function readmeErrorTable(): Array<[string, number]> {
  // Compiled to dist/test/errors.test.js; the README is at the package root.
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Exit codes and errors'));
  assert.ok(section, 'README has no "## Exit codes and errors" section');
  const rows = section.split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    // A '|' escaped as '\\|' stays inside its cell, as in GitHub Markdown.
    .map((line) => line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((cell) => cell.trim()));
  const [header, rule, ...body] = rows;
  assert.deepEqual(header?.slice(0, 2), ['code', 'exit code'], 'table header starts with "code | exit code"');
  assert.match(rule?.join('|') ?? '', /^[-: |]+$/, 'second table row is the header rule');
  return body.map((cells) => [cells[0]!.replace(/`/g, ''), Number(cells[1])]);
}

test("the README's error table lists exactly the registry's codes with their exit codes", () => {
  const readme = readmeErrorTable();
  const readmeCodes = readme.map(([code]) => code);
  assert.equal(new Set(readmeCodes).size, readmeCodes.length, 'a code is listed twice in the README');
  const sorted = (rows: Array<[string, number]>) => [...rows].sort(([a], [b]) => a.localeCompare(b));
  const registry = codes.map((code): [string, number] => [code, ERROR_CODES[code].exitCode]);
  assert.deepEqual(sorted(readme), sorted(registry),
    'README.md "Exit codes and errors" is out of date: run `node scripts/error-table.js --write`');
});

test("the README's error table reads as scripts/error-table.js writes it: every message and hint current", () => {
  const root = new URL('../../', import.meta.url);
  const generated = execFileSync(process.execPath, [fileURLToPath(new URL('scripts/error-table.js', root))], { encoding: 'utf8' }).trim().split('\n');
  const readme = readFileSync(new URL('README.md', root), 'utf8').split('\n');
  const start = readme.indexOf(generated[0]!);
  assert.ok(start >= 0, 'README has no error table header');
  assert.deepEqual(readme.slice(start, start + generated.length), generated,
    'README.md "Exit codes and errors" is out of date: run `npm run build && node scripts/error-table.js --write`');
});
