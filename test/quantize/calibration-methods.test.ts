/**
 * Calibration methods on known distributions: minmax covers everything seen, percentile drops the
 * rarest outliers on each side, entropy picks a clipping threshold well inside a long tail but keeps
 * a plain uniform distribution whole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { entropyThreshold, Histogram, MinMax, percentileRange, pickRange } from '../../src/quantize/calibration-methods.js';
import { seededRandom } from '../../src/util/seeded-random.js';

function gaussianWithOutliers(n: number): Float32Array {
  const rng = seededRandom(5);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    out[i] = r * Math.cos(2 * Math.PI * rng());
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * rng());
  }
  out[0] = 60; // one activation spike
  out[1] = -40;
  return out;
}

function collect(data: Float32Array, absolute: boolean) {
  const mm = new MinMax();
  mm.add(data);
  const h = new Histogram(mm.range(), absolute);
  h.add(data);
  return { range: mm.range(), h };
}

describe('calibration methods', () => {
  const data = gaussianWithOutliers(200_000);

  test('minmax: the extremes seen, outliers included', () => {
    const { range } = collect(data, false);
    assert.deepEqual(range, { min: -40, max: 60 });
    assert.deepEqual(pickRange('minmax', range, undefined, 99.99), range);
  });

  test('percentile 99.99: the spikes are cut off, the Gaussian body (±4σ) is kept', () => {
    const { range, h } = collect(data, false);
    const r = pickRange('percentile', range, h, 99.99);
    assert.ok(r.max > 3 && r.max < 5, `max ${r.max}`);
    assert.ok(r.min < -3 && r.min > -5, `min ${r.min}`);
    const wide = percentileRange(h, 100);
    assert.ok(Math.abs(wide.max - 60) < 0.1 && Math.abs(wide.min + 40) < 0.1, JSON.stringify(wide));
  });

  test('entropy: a threshold inside the long tail, symmetric for a signed tensor', () => {
    const { range, h } = collect(data, true);
    const r = pickRange('entropy', range, h, 99.99);
    assert.ok(r.max > 2 && r.max < 20, `threshold ${r.max}`);
    assert.equal(r.min, -r.max);
  });

  test('entropy keeps a uniform distribution (nothing to clip) nearly whole', () => {
    const rng = seededRandom(9);
    const uniform = Float32Array.from({ length: 100_000 }, () => rng() * 8);
    const { range, h } = collect(uniform, true);
    const t = entropyThreshold(h);
    assert.ok(t > 7, `threshold ${t} of 8`);
    assert.deepEqual(pickRange('entropy', range, h, 99.99).min, 0, 'non-negative tensor: [0, t]');
  });
});
