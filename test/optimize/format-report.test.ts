import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOutput } from '../../src/cli/output.js';
import { formatBytes, formatOptimizeReport, formatPassList, optimizeReportJson } from '../../src/optimize/format-report.js';
import type { OptimizeReport } from '../../src/optimize/optimize.js';
import { PASSES } from '../../src/passes/index.js';

const table = createOutput({ color: false }).table;

function report(overrides: Partial<OptimizeReport> = {}): OptimizeReport {
  return {
    input: 'model.onnx', output: 'out.onnx',
    nodesBefore: 200, nodesAfter: 150, bytesBefore: 4 * 1024 * 1024, bytesAfter: 3 * 1024 * 1024, rounds: 3,
    passes: [
      { name: 'eliminate_identity', roundsModified: 1, stats: { applied: 12, declined: 0 }, timeMs: 1.25,
        before: { nodes: 200, initializerBytes: 4194304 }, after: { nodes: 150, initializerBytes: 3145728 }, delta: { nodes: -12, initializerBytes: 0 } },
      { name: 'fold_constants', roundsModified: 2, stats: { folded: 38 }, timeMs: 1520,
        before: { nodes: 188, initializerBytes: 4194304 }, after: { nodes: 150, initializerBytes: 3145728 }, delta: { nodes: -38, initializerBytes: -1048576 } },
      { name: 'fuse_bn_into_conv', roundsModified: 0, stats: {}, timeMs: 0.4,
        before: { nodes: 150, initializerBytes: 3145728 }, after: { nodes: 150, initializerBytes: 3145728 }, delta: { nodes: 0, initializerBytes: 0 } },
    ],
    declines: [
      { pass: 'eliminate_identity', node: 'out_id (Identity)', reason: 'output is a graph output' },
      { pass: 'fold_constants', node: 'big (ConstantOfShape)', reason: 'result 400 MiB is over the 1 MiB limit' },
    ],
    check: { ok: true, runs: 3, atol: 1e-4, rtol: 1e-3, outputs: [{ name: 'logits', maxAbsError: 2.384185791015625e-7, maxRelError: 1.2e-6, mismatches: 0 }] },
    written: { file: 'out.onnx', bytes: 3200000 },
    timeMs: 2345.6,
    ...overrides,
  };
}

test('the text report: per-pass table with each pass\'s own change, the check, declines counted, a summary line', () => {
  const text = formatOptimizeReport(report(), { table });
  const lines = text.split('\n');
  assert.equal(lines[0], 'model.onnx → out.onnx: 3 passes, 3 rounds to a fixed point');
  assert.match(text, /^pass +changed +stats +nodes +initializer bytes +time$/m);
  assert.match(text, /^eliminate_identity +yes +applied 12 +-12 +0 +1\.3 ms$/m);
  assert.match(text, /^fold_constants +yes +folded 38 +-38 +-1\.00 MiB +1\.52 s$/m);
  assert.match(text, /^fuse_bn_into_conv +no +- +0 +0 +0\.4 ms$/m);
  assert.match(text, /^check: ok, 3 runs in onnxruntime, atol 0\.0001, rtol 0\.001$/m);
  assert.match(text, /^logits +2\.38e-7 +1\.20e-6 +0$/m);
  assert.match(text, /^2 rewrites declined by 2 passes \(--verbose lists them\)$/m);
  assert.equal(lines.at(-1), 'nodes 200 → 150 (-25.0%), initializer bytes 4.00 MiB → 3.00 MiB (-25.0%), 2.35 s; wrote out.onnx (3.05 MiB)');
});

test('--verbose lists every declined rewrite with its reason', () => {
  const text = formatOptimizeReport(report(), { table, verbose: true });
  assert.match(text, /^declined rewrites \(2\):$/m);
  assert.match(text, /^fold_constants +big \(ConstantOfShape\) +result 400 MiB is over the 1 MiB limit$/m);
});

test('skipped check, dry run, failed outputs', () => {
  const skipped = formatOptimizeReport(report({ check: undefined, written: undefined, output: undefined }), { table, dryRun: true });
  assert.match(skipped, /^check: skipped \(--check 0\)$/m);
  assert.match(skipped, /; nothing written \(--dry-run\)$/);
  const failed = formatOptimizeReport(report({
    check: { ok: false, runs: 1, atol: 1e-4, rtol: 1e-3, outputs: [{ name: 'y', maxAbsError: 0.5, maxRelError: 2, mismatches: 7 }, { name: 'z', maxAbsError: 0, maxRelError: 0, mismatches: 0, problem: 'shape [2], expected [3]' }] },
  }), { table });
  assert.match(failed, /^check: FAILED, 1 run in onnxruntime/m);
  assert.match(failed, /^y +0\.500 +2\.00 +7$/m);
  assert.match(failed, /^z +0 +0 +shape \[2\], expected \[3\]$/m);
});

test('--json: one document with the fields the issue names', () => {
  const doc = optimizeReportJson(report());
  assert.deepEqual(Object.keys(doc), ['input', 'output', 'nodesBefore', 'nodesAfter', 'bytesBefore', 'bytesAfter', 'rounds', 'passes', 'check', 'declines', 'written', 'timeMs']);
  assert.deepEqual(doc.passes[1], { name: 'fold_constants', changed: true, roundsModified: 2, stats: { folded: 38 }, nodesDelta: -38, bytesDelta: -1048576, timeMs: 1520 });
  assert.deepEqual(doc.check, { ok: true, runs: 3, atol: 1e-4, rtol: 1e-3, outputs: [{ name: 'logits', maxAbsError: 2.384185791015625e-7, maxRelError: 1.2e-6, mismatches: 0 }] });
  assert.equal(doc.output, 'out.onnx');
  assert.equal(doc.timeMs, 2345.6);
  assert.equal(optimizeReportJson(report({ check: undefined, written: undefined })).check, null);
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
});

test('pass list: one line per registered pass with its kind and presets', () => {
  const text = formatPassList(PASSES, (p) => (p.kind === 'fuse' ? ['O2'] : ['O1', 'O2']), table);
  const lines = text.split('\n');
  assert.equal(lines.length, PASSES.length + 1);
  for (const [i, p] of PASSES.entries()) assert.match(lines[i + 1]!, new RegExp(`^${p.name} +${p.kind} +O`));
});

test('byte sizes', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(-10 * 1024 * 1024), '-10.0 MiB');
});
