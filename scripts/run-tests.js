#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with Node's own runner and exits with its code.
// Node 20's `--test` does not expand globs, so the files are collected here and passed explicitly.
//
//   node scripts/run-tests.js [--node-test-flag …] [path-substring …]
// Flags go to `node --test`, with any value joined by '=' (--test-name-pattern=cycle); other
// arguments keep only the test files whose path contains one of them (`npm test -- cli/ errors`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const distTest = join(root, 'dist', 'test');

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return collect(path);
    return entry.isFile() && entry.name.endsWith('.test.js') ? [path] : [];
  });
}

// tsc never deletes outputs, so a compiled test whose .ts source was removed or renamed would keep
// running; only run files that still have a source under test/.
const hasSource = (file) => {
  const rel = relative(distTest, file).slice(0, -'.js'.length);
  return existsSync(join(root, 'test', `${rel}.ts`));
};

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const filters = args.filter((a) => !a.startsWith('-')).map((f) => f.split('/').join(sep));

const files = collect(distTest)
  .filter(hasSource)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no compiled tests under ${relative(root, distTest) || distTest}`
    + (filters.length ? ` matching ${filters.join(', ')}` : ' (run `tsc -p .` first)'));
  process.exit(1);
}

// --test-concurrency arrived in Node 20.10; the machine has 2 cores, so run at most 2 files at once.
const [major, minor] = process.versions.node.split('.').map(Number);
const concurrency = major > 20 || (major === 20 && minor >= 10) ? ['--test-concurrency=2'] : [];

const result = spawnSync(process.execPath, ['--test', ...concurrency, ...flags, ...files], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) {
  console.error(`run-tests: cannot start node: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
