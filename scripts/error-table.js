#!/usr/bin/env node
// The README's "Exit codes and errors" table, built from the compiled registry (dist/src/errors.js;
// run `npm run build` first). `node scripts/error-table.js` prints it; `--write` replaces the table in
// README.md. The meaning column is the message each code prints, with its details shown as <name>,
// followed by its hint. test/errors.test.ts checks the README against the registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../dist/src/errors.js';

// Each detail the message reads renders as <name>, also through a method call (`d.maxAbsError.toPrecision(3)`
// or `d.shapes.join(',')` still print <maxAbsError>, <shapes>); optional parts show, since a placeholder is truthy.
function placeholder(name) {
  const text = `<${name}>`;
  return new Proxy(function () {}, {
    get: (_target, key) => (key === Symbol.toPrimitive ? () => text : () => placeholder(name)),
  });
}
const placeholders = new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? placeholder(key) : undefined) });

// GitHub Markdown: a '|' ends a table cell even inside a code span; outside one, <name> is an HTML tag.
const cell = (text) => text.replaceAll('|', '\\|');
const prose = (text) => cell(text).replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const rows = Object.entries(ERROR_CODES)
  .sort(([, a], [, b]) => a.exitCode - b.exitCode)
  .map(([code, spec]) => {
    const hint = spec.hint ? ` (hint: ${prose(spec.hint)})` : '';
    return `| \`${code}\` | ${spec.exitCode} | \`${cell(spec.message(placeholders))}\`${hint} |`;
  });
const table = ['| code | exit code | meaning |', '| --- | --- | --- |', ...rows];

if (!process.argv.includes('--write')) {
  console.log(table.join('\n'));
} else {
  const readmeUrl = new URL('../README.md', import.meta.url);
  const lines = readFileSync(readmeUrl, 'utf8').split('\n');
  const heading = lines.indexOf('## Exit codes and errors');
  const start = lines.findIndex((line, i) => i > heading && line.startsWith('|'));
  if (heading < 0 || start < 0) throw new Error('README.md: no table under "## Exit codes and errors"');
  let end = start;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  lines.splice(start, end - start, ...table);
  writeFileSync(readmeUrl, lines.join('\n'));
  console.log(`README.md: wrote ${rows.length} error codes`);
}
