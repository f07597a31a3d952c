/**
 * Runs the real `mlserve` binary (bin/mlserve.js) as a user would, from the repository root, with
 * colour left to the CLI's own terminal detection (FORCE_COLOR from the test runner removed), and
 * checks the CLI's error contract: the code's exit status and one `mlserve: …` line on stderr.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { repoRoot } from './corpus.js';

const bin = path.join(repoRoot, 'bin', 'mlserve.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, start-up included. */
  ms: number;
}

export function runCli(...args: string[]): CliResult {
  const env = { ...process.env };
  delete env['FORCE_COLOR'];
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/**
 * Exactly one stderr line `mlserve: …` matching `pattern`, with `code`'s exit status; nothing on stdout
 * unless `stdout: 'any'` (a command that prints its report before failing on it).
 */
export function assertCliError(r: CliResult, code: ErrorCode, pattern: RegExp, options: { stdout?: 'empty' | 'any' } = {}): void {
  assert.equal(r.code, ERROR_CODES[code].exitCode, `exit code for ${code}; stderr: ${r.stderr}`);
  if ((options.stdout ?? 'empty') === 'empty') assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^mlserve: /);
  assert.match(lines[0]!, pattern);
}
