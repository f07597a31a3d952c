/**
 * The accuracy report's metrics (max/mean abs error, worst-run cosine, top-1 agreement only for
 * class-score-like outputs, ≈0 outputs flagged, NaN/Inf agreement) and the --max-accuracy-loss gate:
 * parsing, and which outputs fail which metric.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ACCURACY_GATE, describeFailure, evaluateGate, parseAccuracyGate } from '../../src/optimize/accuracy-gate.js';
import { compareAccuracy, type AccuracyReport } from '../../src/optimize/accuracy-report.js';
import type { OutputTensor } from '../../src/runtime/run-session.js';

const t = (dims: number[], values: number[]): OutputTensor => ({ dtype: 'float32', dims, data: Float32Array.from(values) });

describe('accuracy metrics', () => {
  test('errors, cosine over the worst run, top-1 for probabilities', () => {
    const expected = [{ probs: t([2, 3], [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]) }, { probs: t([2, 3], [0.2, 0.5, 0.3, 0.4, 0.4, 0.2]) }];
    const actual = [{ probs: t([2, 3], [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]) }, { probs: t([2, 3], [0.45, 0.25, 0.3, 0.4, 0.4, 0.2]) }];
    const [o] = compareAccuracy(expected, actual);
    assert.ok(Math.abs(o!.maxAbsError - 0.25) < 1e-6);
    assert.ok(Math.abs(o!.meanAbsError - 0.5 / 12) < 1e-6);
    assert.ok(o!.cosine < 1 && o!.cosine > 0.9, 'the second run decides');
    assert.equal(o!.top1, 0.75, 'one of four rows changed its argmax');
    assert.equal(o!.rows, 4);
  });

  test('no top-1 for outputs that are not class scores; logits by name', () => {
    const hidden = compareAccuracy([{ hidden: t([1, 2, 3], [1, -2, 3, 4, 5, -6]) }], [{ hidden: t([1, 2, 3], [1, -2, 3, 4, 5, -6]) }]);
    assert.equal(hidden[0]!.top1, undefined);
    const logits = compareAccuracy([{ intent_logits: t([1, 3], [1, -2, 3]) }], [{ intent_logits: t([1, 3], [1, 4, 3]) }]);
    assert.equal(logits[0]!.top1, 0);
  });

  test('a reference of ≈0 is flagged; NaN and Inf agree with themselves', () => {
    const [flat] = compareAccuracy([{ map: t([4], [1e-6, 0, 2e-7, 0]) }], [{ map: t([4], [0, 3e-6, 0, 0]) }]);
    assert.equal(flat!.negligible, true);
    const [odd] = compareAccuracy([{ y: t([3], [NaN, Infinity, 1]) }], [{ y: t([3], [NaN, Infinity, 1]) }]);
    assert.equal(odd!.maxAbsError, 0);
    assert.equal(odd!.cosine, 1);
    const [broken] = compareAccuracy([{ y: t([2], [1, 2]) }], [{ y: t([2], [1, NaN]) }]);
    assert.equal(broken!.maxAbsError, Infinity);
  });

  test('a missing output or another shape is a problem, not a number', () => {
    const [missing] = compareAccuracy([{ y: t([2], [1, 2]) }], [{}]);
    assert.match(missing!.problem!, /missing/);
    const [shape] = compareAccuracy([{ y: t([2], [1, 2]) }], [{ y: t([1, 2], [1, 2]) }]);
    assert.match(shape!.problem!, /shape \[1,2\], expected \[2\]/);
  });
});

describe('--max-accuracy-loss', () => {
  test('parses metric=value pairs and refuses anything else', () => {
    assert.deepEqual(parseAccuracyGate('cosine=0.99,top1=0.98'), { cosine: 0.99, top1: 0.98 });
    assert.deepEqual(parseAccuracyGate(' max-abs = 0.5 , mean-abs=0.01'), { maxAbs: 0.5, meanAbs: 0.01 });
    assert.throws(() => parseAccuracyGate('cosine'), /expected metric=value pairs/);
    assert.throws(() => parseAccuracyGate('psnr=30'), /unknown metric 'psnr'/);
    assert.throws(() => parseAccuracyGate('top1=1.5'), /top1 must be a number in \[0, 1\]/);
    assert.deepEqual(DEFAULT_ACCURACY_GATE, { cosine: 0.99 });
  });

  const report = (outputs: AccuracyReport['outputs']): AccuracyReport => ({ runs: 1, inputs: 'random', outputs });

  test('every output must meet every metric that applies to it', () => {
    const r = report([
      { name: 'probs', maxAbsError: 0.2, meanAbsError: 0.01, cosine: 0.995, top1: 0.9, rows: 10 },
      { name: 'hidden', maxAbsError: 0.5, meanAbsError: 0.05, cosine: 0.97 },
    ]);
    const result = evaluateGate(r, { cosine: 0.99, top1: 0.98 });
    assert.equal(result.ok, false);
    assert.deepEqual(result.failures.map(describeFailure), ["top1 0.9 < 0.98 on 'probs'", "cosine 0.97 < 0.99 on 'hidden'"]);
    assert.equal(evaluateGate(r, { cosine: 0.95 }).ok, true);
    assert.equal(evaluateGate(r, { maxAbs: 0.3 }).failures.length, 1);
  });

  test('an ≈0 output is judged by its absolute error, not by cosine', () => {
    const quiet = report([{ name: 'map', maxAbsError: 2e-5, meanAbsError: 1e-7, cosine: 0.3, negligible: true }]);
    assert.equal(evaluateGate(quiet, DEFAULT_ACCURACY_GATE).ok, true);
    const loud = report([{ name: 'map', maxAbsError: 0.4, meanAbsError: 1e-3, cosine: 0.3, negligible: true }]);
    assert.equal(evaluateGate(loud, DEFAULT_ACCURACY_GATE).failures[0]!.metric, 'max-abs');
  });

  test('an output that could not be compared fails', () => {
    const r = report([{ name: 'y', maxAbsError: 0, meanAbsError: 0, cosine: 1, problem: 'missing from the converted model' }]);
    assert.match(describeFailure(evaluateGate(r, {}).failures[0]!), /comparable missing from the converted model/);
  });
});
