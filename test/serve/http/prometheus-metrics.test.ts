import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpCounters, renderMetrics } from '../../../src/serve/http/prometheus-metrics.js';
import { ServingStats } from '../../../src/serve/serving-stats.js';
import { parseMetrics } from './http-support.js';

test('metrics render as Prometheus text: counters by outcome, histograms in seconds with cumulative buckets, gauges', () => {
  const stats = new ServingStats();
  stats.request('success');
  stats.request('success');
  stats.request('queue_full');
  stats.dequeued(0.3);
  stats.dequeued(7);
  stats.batch(3, 4);
  stats.computed(12);
  const http = new HttpCounters();
  http.count('model-infer', 200);
  http.count('model-infer', 200);
  http.count('model-infer', 503);
  const text = renderMetrics([{
    name: 'm"x', version: '2', ready: true,
    stats: stats.snapshot({ queueDepth: 5, inFlightBatches: 1, workers: { live: 2, idle: 1, restarts: 0 } }),
  }], http);
  const s = parseMetrics(text);
  const l = 'model="m\\"x",version="2"';
  assert.equal(s.get(`mlserve_inference_requests_total{${l},outcome="success"}`), 2);
  assert.equal(s.get(`mlserve_inference_requests_total{${l},outcome="queue_full"}`), 1);
  assert.equal(s.get(`mlserve_inference_requests_total{${l},outcome="timeout"}`), 0);
  assert.equal(s.get(`mlserve_queue_duration_seconds_bucket{${l},le="0.00025"}`), 0);
  assert.equal(s.get(`mlserve_queue_duration_seconds_bucket{${l},le="0.0005"}`), 1);
  assert.equal(s.get(`mlserve_queue_duration_seconds_bucket{${l},le="0.01"}`), 2);
  assert.equal(s.get(`mlserve_queue_duration_seconds_bucket{${l},le="+Inf"}`), 2);
  assert.equal(s.get(`mlserve_queue_duration_seconds_sum{${l}}`), 0.0073);
  assert.equal(s.get(`mlserve_compute_duration_seconds_count{${l}}`), 1);
  assert.equal(s.get(`mlserve_batch_size_bucket{${l},le="2"}`), 0);
  assert.equal(s.get(`mlserve_batch_size_bucket{${l},le="4"}`), 1);
  assert.equal(s.get(`mlserve_batch_padding_rows_total{${l}}`), 1);
  assert.equal(s.get(`mlserve_queue_depth{${l}}`), 5);
  assert.equal(s.get(`mlserve_model_ready{${l}}`), 1);
  assert.equal(s.get(`mlserve_workers{${l},state="idle"}`), 1);
  assert.equal(s.get('mlserve_http_requests_total{endpoint="model-infer",code="503"}'), 1);
  assert.equal(s.get('mlserve_http_requests_in_flight'), 0);
  // Each family is declared once, before its samples.
  const types = text.split('\n').filter((x) => x.startsWith('# TYPE')).map((x) => x.split(' ')[2]);
  assert.equal(new Set(types).size, types.length);
});
