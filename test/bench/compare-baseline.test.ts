/**
 * Baseline comparison as arithmetic: slowdown is the growth of time per sample, matched by
 * provider/precision/batch; the threshold decides regressions; a baseline that is not a bench
 * document, or that matches nothing, is an error rather than a silent pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-document.js';
import { compareToBaseline, parseBaseline, regressionError } from '../../src/bench/compare-baseline.js';
import { MlserveError } from '../../src/errors.js';

const result = (provider: string, batchSize: number, throughput: number): BenchResult => ({
  id: `${provider}-fp32-b${batchSize}`, provider, precision: 'fp32', batchSize, file: 'f.onnx', inputs: {}, iterations: 10,
  latencyMs: { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, max: 1, min: 1 }, throughput, sessionCreateMs: 1, peakRssBytes: 1, threads: 1, best: false,
});
const base = (provider: string, batchSize: number, throughput: number) => ({ provider, precision: 'fp32', batchSize, throughput });

describe('compareToBaseline', () => {
  test('110 → 100 samples/s is 10% slower: passes at 10, fails at 9.9', () => {
    const current = [result('cpu', 1, 100)];
    const baseline = [base('cpu', 1, 110)];
    const at10 = compareToBaseline(current, baseline, { file: 'old.json', thresholdPercent: 10 });
    assert.ok(Math.abs(at10.entries[0]!.slowdownPercent - 10) < 1e-9);
    assert.equal(at10.regressed, false);
    assert.equal(regressionError(at10), undefined);
    const at9 = compareToBaseline(current, baseline, { file: 'old.json', thresholdPercent: 9.9 });
    assert.equal(at9.regressed, true);
    const e = regressionError(at9)!;
    assert.equal(e.code, 'MLS_ERR_BENCH_REGRESSION');
    assert.equal(e.exitCode, 47);
    assert.equal(e.message, 'slower than the baseline old.json by more than 9.9%: cpu-fp32-b1 10.0% slower (100.0 vs 110.0 samples/s)');
  });

  test('faster is a negative slowdown; without a threshold nothing regresses', () => {
    const c = compareToBaseline([result('cpu', 1, 200)], [base('cpu', 1, 100)], { file: 'b' });
    assert.equal(c.entries[0]!.slowdownPercent, -50);
    assert.equal(compareToBaseline([result('cpu', 1, 1)], [base('cpu', 1, 100)], { file: 'b' }).regressed, false);
  });

  test('matching is by provider, precision and batch size; the rest is listed as missing or added', () => {
    const c = compareToBaseline([result('cpu', 1, 100), result('cpu', 2, 100)], [base('cpu', 1, 100), base('wasm', 1, 50)], { file: 'b', thresholdPercent: 5 });
    assert.deepEqual(c.entries.map((e) => e.id), ['cpu-fp32-b1']);
    assert.deepEqual(c.missing, ['wasm/fp32/b1']);
    assert.deepEqual(c.added, ['cpu/fp32/b2']);
  });

  test('a baseline that matches nothing is an error, not a pass', () => {
    assert.throws(() => compareToBaseline([result('cpu', 1, 100)], [base('wasm', 4, 1)], { file: 'b', thresholdPercent: 5 }),
      (e: MlserveError) => e.code === 'MLS_ERR_BENCH_BASELINE_INVALID' && /none of its results matches/.test(e.message));
  });

  test('parseBaseline names what is wrong', () => {
    const reason = (json: unknown) => {
      try {
        parseBaseline(json, 'b.json');
        return 'ok';
      } catch (e) {
        return (e as MlserveError).message;
      }
    };
    assert.equal(reason({ results: [base('cpu', 1, 5)] }), 'ok');
    assert.equal(reason({}), '--baseline b.json: has no results[] array');
    assert.equal(reason({ results: [{ provider: 'cpu', precision: 'fp32', batchSize: 1 }] }), '--baseline b.json: results[0].throughput must be a positive number');
    assert.equal(reason({ results: [{ provider: 'cpu', precision: 'fp32', batchSize: 0, throughput: 1 }] }), '--baseline b.json: results[0].batchSize must be a positive integer');
  });
});
