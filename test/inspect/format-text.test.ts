/**
 * The terminal rendering: every section a report has shows up, long lists are cut with "+N more",
 * numbers read as people write them, and with the default (plain) style there are no escape codes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatBytes, formatScaled, formatText } from '../../src/inspect/format-text.js';
import { inspect } from '../../src/inspect/inspect.js';
import { repoRoot } from '../support/corpus.js';

test('byte sizes and FLOP counts', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2560), '2.50 KiB');
  assert.equal(formatBytes(3_660_092), '3.49 MiB');
  assert.equal(formatScaled(0, 'MACs'), '0 MACs');
  assert.equal(formatScaled(786_560, 'MACs'), '786.6 KMACs');
  assert.equal(formatScaled(1_080_000_000, 'FLOPs'), '1.08 GFLOPs');
});

const ultraface = path.join(repoRoot, '../shared/models/real/ultraface_version-RFB-320.onnx');

test('an IR 4 model with initializer-inputs and unused initializers: every section, lists cut short', { skip: !fs.existsSync(ultraface) }, () => {
  const report = inspect(ultraface);
  const text = formatText(report);
  assert.doesNotMatch(text, /\x1b\[/, 'plain text');
  const lines = text.split('\n');
  assert.match(lines[0]!, /^Model {2}.*ultraface_version-RFB-320\.onnx {2}\(1\.21 MiB\)$/);
  assert.match(text, /IR 4 · opsets ai\.onnx 9 · producer pytorch 1\.2/);
  for (const heading of ['Inputs  1', 'Outputs  2', 'Parameters  ', 'Operators  242 nodes', 'Compute  ', 'Warnings  2']) {
    assert.ok(lines.some((l) => l.startsWith(heading)), `a line starts with '${heading}'`);
  }
  assert.match(text, /^ {2}input +float32 +\[1, 3, 240, 320\]$/m);
  assert.match(text, /^ {2}scores +float32 +\[1, 4420, 2\]$/m);
  assert.match(text, /\+ 244 initializers also listed as graph inputs \(not real inputs\): base_net\.0\.0\.weight, .*\(\+240 more\)/);
  for (const w of report.warnings) assert.ok(text.includes(w.message), w.message);
  assert.match(text, /\(\+236 more\)/, 'the 244 names are cut to 8');
  assert.ok(!text.includes('Nodes  '), 'no node list unless asked');
});

test('with nodes: each node with its typed inputs, outputs and attributes', () => {
  const file = path.join(repoRoot, 'fixtures/models/default.onnx');
  if (!fs.existsSync(file)) return;
  const report = inspect(file, { nodes: true });
  const text = formatText(report);
  assert.ok(text.includes(`Nodes  ${report.nodes!.length}`));
  for (const node of report.nodes!) {
    if (node.name) assert.ok(text.includes(`${node.opType} '${node.name}'`), node.name);
  }
  assert.match(text, /^ {6}in: {2}\S+: float32\[/m);
  assert.match(text, /^ {6}out: \S+: float32\[/m);
});

test('a style is applied to headings (and only there is colour)', () => {
  const file = path.join(repoRoot, 'fixtures/models/default.onnx');
  if (!fs.existsSync(file)) return;
  const mark = (s: string) => `<${s}>`;
  const text = formatText(inspect(file), { style: { bold: mark, dim: (s) => s, yellow: mark, cyan: mark } });
  assert.match(text, /^<Model> {2}/);
  assert.match(text, /^<Inputs> {2}\d/m);
});
