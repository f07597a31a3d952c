/**
 * The selection rules as arithmetic: best throughput per batch size within the latency limit, and a
 * bigger batch served only when it gives more samples/s than every smaller one served.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectVariants, type SelectionCandidate } from '../../src/bench/select-variants.js';

const r = (provider: string, batchSize: number, throughput: number, p99 = 10): SelectionCandidate =>
  ({ id: `${provider}-fp32-b${batchSize}`, file: `variants/${provider}-fp32-b${batchSize}.onnx`, provider, precision: 'fp32', batchSize, throughput, latencyMs: { p99 } });

describe('selectVariants', () => {
  test('the PP-OCRv4 rec shape: throughput peaks at batch 4 and collapses at 8 → serve 1, 2, 4, not 8', () => {
    const s = selectVariants([
      r('cpu', 1, 40), r('wasm', 1, 14), r('cpu', 2, 55), r('wasm', 2, 16),
      r('cpu', 4, 61), r('wasm', 4, 17), r('cpu', 8, 23), r('wasm', 8, 9),
    ]);
    assert.deepEqual(s.byBatchSize.map((e) => e.variant), ['cpu-fp32-b1', 'cpu-fp32-b2', 'cpu-fp32-b4', 'cpu-fp32-b8']);
    assert.deepEqual(s.servedBatchSizes, [1, 2, 4]);
    assert.deepEqual(s.notServed, [{ batchSize: 8, reason: "23.0 samples/s is no more than batch 4's 61.0" }]);
  });

  test('the best per batch size may be another provider', () => {
    const s = selectVariants([r('cpu', 1, 10), r('wasm', 1, 12)]);
    assert.equal(s.byBatchSize[0]!.variant, 'wasm-fp32-b1');
    assert.equal(s.byBatchSize[0]!.throughput, 12);
  });

  test('a batch size is compared with the best smaller one served, not only its neighbour', () => {
    // 2 is worse than 1 (dropped); 4 beats 2 but not 1 → dropped too; 8 beats 1 → served.
    const s = selectVariants([r('cpu', 1, 100), r('cpu', 2, 80), r('cpu', 4, 95), r('cpu', 8, 130)]);
    assert.deepEqual(s.servedBatchSizes, [1, 8]);
    assert.deepEqual(s.notServed.map((n) => n.batchSize), [2, 4]);
  });

  test('equal throughput is not worth a bigger batch', () => {
    assert.deepEqual(selectVariants([r('cpu', 1, 50), r('cpu', 2, 50)]).servedBatchSizes, [1]);
  });

  test('--max-latency-ms: a faster variant over the limit loses to a slower one within it; a batch with none is not served', () => {
    const s = selectVariants([r('cpu', 1, 100, 5), r('wasm', 1, 60, 3), r('cpu', 2, 150, 9), r('wasm', 2, 90, 8)], { maxLatencyMs: 4 });
    assert.deepEqual(s.byBatchSize.map((e) => e.variant), ['wasm-fp32-b1']);
    assert.deepEqual(s.servedBatchSizes, [1]);
    assert.deepEqual(s.notServed, [{ batchSize: 2, reason: 'no variant has p99 ≤ 4 ms (the best has 8.00 ms)' }]);
  });

  test('ties keep the first listed', () => {
    assert.equal(selectVariants([r('cpu', 1, 10), r('wasm', 1, 10)]).byBatchSize[0]!.provider, 'cpu');
  });
});
