/**
 * GET /metrics: the Prometheus text exposition format 0.0.4, rendered from each served model's
 * `Serving.stats()` snapshot and the server's own HTTP counters. Pure: snapshots in, text out.
 *
 * Times are exported in seconds (Prometheus' base unit) although the core measures milliseconds; the
 * histogram buckets are the core's, divided by 1000.
 *
 * Per model and version (labels model, version):
 *   mlserve_inference_requests_total{outcome}   counter  requests that reached the model, by how they ended
 *                                                        (success, bad_input, not_ready, queue_full, timeout, failed)
 *   mlserve_queue_duration_seconds              histogram per request, from arrival to its batch leaving the queue
 *   mlserve_compute_duration_seconds            histogram per batch, onnxruntime's run in the worker
 *   mlserve_batch_size                          histogram per batch, real rows
 *   mlserve_batches_total, mlserve_batch_rows_total, mlserve_batch_padding_rows_total   counters
 *   mlserve_queue_depth, mlserve_batches_in_flight, mlserve_model_ready   gauges
 *   mlserve_workers{state="live"|"idle"}        gauge;  mlserve_worker_restarts_total  counter
 * Server-wide:
 *   mlserve_http_requests_total{endpoint,code}  counter  every HTTP request answered, by route and status
 *   mlserve_http_requests_in_flight             gauge
 */
import type { HistogramSnapshot } from '../histogram.js';
import { REQUEST_OUTCOMES, type ServingStatsSnapshot } from '../serving-stats.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ModelMetrics {
  name: string;
  version: string;
  ready: boolean;
  stats: ServingStatsSnapshot;
}

/** Counts of answered HTTP requests by endpoint and status code, kept by the server. */
export class HttpCounters {
  private readonly counts = new Map<string, number>();
  inFlight = 0;

  count(endpoint: string, code: number): void {
    const key = `${endpoint}\u0000${code}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  entries(): Array<{ endpoint: string; code: number; count: number }> {
    return [...this.counts].map(([key, count]) => {
      const [endpoint, code] = key.split('\u0000') as [string, string];
      return { endpoint, code: Number(code), count };
    }).sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.code - b.code);
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
  return body ? `{${body}}` : '';
}

/** Prometheus number text: integers as is, +Inf/-Inf/NaN by name. */
function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

class Family {
  readonly lines: string[] = [];
  constructor(readonly name: string, readonly type: 'counter' | 'gauge' | 'histogram', readonly help: string) {}

  sample(labelPairs: Record<string, string>, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labels(labelPairs)} ${num(value)}`);
  }

  /** `divisor` converts units (1000: ms → s); dividing keeps bounds such as 0.1 ms printing as 0.0001. */
  histogram(labelPairs: Record<string, string>, h: HistogramSnapshot, divisor = 1): void {
    h.bounds.forEach((b, i) => this.sample({ ...labelPairs, le: num(b / divisor) }, h.cumulative[i]!, '_bucket'));
    this.sample({ ...labelPairs, le: '+Inf' }, h.count, '_bucket');
    this.sample(labelPairs, h.sum / divisor, '_sum');
    this.sample(labelPairs, h.count, '_count');
  }

  render(): string {
    // Every family is announced, even without samples yet, so dashboards see the metric exists.
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines].join('\n');
  }
}

export function renderMetrics(models: readonly ModelMetrics[], http: HttpCounters): string {
  const f = {
    requests: new Family('mlserve_inference_requests_total', 'counter', 'Inference requests that reached a model, by outcome.'),
    queue: new Family('mlserve_queue_duration_seconds', 'histogram', 'Time a request waited in the queue before its batch started.'),
    compute: new Family('mlserve_compute_duration_seconds', 'histogram', 'Time onnxruntime spent computing a batch.'),
    batchSize: new Family('mlserve_batch_size', 'histogram', 'Real rows (requests\' batch dims added up) per batch.'),
    batches: new Family('mlserve_batches_total', 'counter', 'Batches computed.'),
    rows: new Family('mlserve_batch_rows_total', 'counter', 'Real rows computed.'),
    padding: new Family('mlserve_batch_padding_rows_total', 'counter', 'Zero rows added to reach a compiled batch size.'),
    depth: new Family('mlserve_queue_depth', 'gauge', 'Requests waiting in the queue.'),
    inFlight: new Family('mlserve_batches_in_flight', 'gauge', 'Batches being computed.'),
    ready: new Family('mlserve_model_ready', 'gauge', '1 when the model version accepts requests.'),
    workers: new Family('mlserve_workers', 'gauge', 'Inference worker threads, by state.'),
    restarts: new Family('mlserve_worker_restarts_total', 'counter', 'Inference workers replaced after a crash.'),
    http: new Family('mlserve_http_requests_total', 'counter', 'HTTP requests answered, by endpoint and status code.'),
    httpInFlight: new Family('mlserve_http_requests_in_flight', 'gauge', 'HTTP requests being handled.'),
  };
  for (const m of models) {
    const l = { model: m.name, version: m.version };
    const s = m.stats;
    for (const outcome of REQUEST_OUTCOMES) f.requests.sample({ ...l, outcome }, s.requests[outcome]);
    f.queue.histogram(l, s.queueTimeMs, 1000);
    f.compute.histogram(l, s.computeTimeMs, 1000);
    f.batchSize.histogram(l, s.batchRows);
    f.batches.sample(l, s.batches);
    f.rows.sample(l, s.rows);
    f.padding.sample(l, s.paddingRows);
    f.depth.sample(l, s.queueDepth);
    f.inFlight.sample(l, s.inFlightBatches);
    f.ready.sample(l, m.ready ? 1 : 0);
    f.workers.sample({ ...l, state: 'live' }, s.workers.live);
    f.workers.sample({ ...l, state: 'idle' }, s.workers.idle);
    f.restarts.sample(l, s.workers.restarts);
  }
  for (const e of http.entries()) f.http.sample({ endpoint: e.endpoint, code: String(e.code) }, e.count);
  f.httpInFlight.sample({}, http.inFlight);
  return `${Object.values(f).map((family) => family.render()).join('\n')}\n`;
}
