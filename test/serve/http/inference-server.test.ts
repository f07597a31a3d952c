/**
 * The KServe v2 server over real HTTP (loopback, in this process): a model repository with versions, JSON
 * and binary tensors checked against direct onnxruntime runs, every endpoint, every error status, and a
 * slow batcher for what needs requests to wait (merged batches, queue overflow, deadlines, draining).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readManifest, writeManifest } from '../../../src/compile/bundle-manifest.js';
import { compile } from '../../../src/compile/compile.js';
import { MlserveError } from '../../../src/errors.js';
import { numberToFloat16Bits } from '../../../src/ir/float16.js';
import { InferenceServer } from '../../../src/serve/http/inference-server.js';
import { createJsonLogger } from '../../../src/serve/http/json-logger.js';
import type { Tensor } from '../../../src/serve/tensor.js';
import { directRun, floats, maxAbsDiff, MLP, OCR_CLS, tempDir } from '../serve-models.js';
import { binaryRequest, binaryResponse, call, float32s, parseMetrics, postJson, typesModel } from './http-support.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function link(target: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync(target, file);
}

/** Nested rows, as a client would write a [rows, 64] tensor in JSON. */
function nested(t: Float32Array, rowSize: number): number[][] {
  return Array.from({ length: t.length / rowSize }, (_, r) => Array.from(t.subarray(r * rowSize, (r + 1) * rowSize)));
}

const logLines: string[] = [];
const log = createJsonLogger({ level: 'info', write: (line) => logLines.push(line) });

describe('a model repository served over HTTP', () => {
  const repo = path.join(dir, 'repo');
  let server: InferenceServer;
  let base: string;

  before(async () => {
    link(MLP, path.join(repo, 'mlp', '1', 'model.onnx'));
    link(MLP, path.join(repo, 'mlp', '2', 'model.onnx'));
    link(OCR_CLS, path.join(repo, 'cls', '1', 'model.onnx'));
    typesModel(path.join(repo, 'types', '1', 'model.onnx'));
    fs.mkdirSync(path.join(repo, 'notes', 'latest'), { recursive: true });
    server = await InferenceServer.start({ model: repo, port: 0, workers: 1, threadsPerWorker: 1, modelControl: 'explicit', log, serverVersion: '9.9.9' });
    base = server.url;
  });
  after(() => server.shutdown());

  test('health, server metadata and model metadata with v2 datatypes, -1 for dynamic dims and every version', async () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await call(`${base}/v2/health/live`)).status, 200);
    assert.equal((await call(`${base}/v2/health/ready`)).status, 200);
    assert.deepEqual((await call(`${base}/v2`)).json, { name: 'mlserve', version: '9.9.9', extensions: ['binary_tensor_data', 'model_repository', 'statistics'] });
    const mlp = { versions: ['1', '2'], platform: 'onnxruntime_onnx', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }] };
    assert.deepEqual((await call(`${base}/v2/models/mlp`)).json, { name: 'mlp', ...mlp });
    assert.deepEqual((await call(`${base}/v2/models/mlp/versions/1`)).json, { name: 'mlp', ...mlp });
    assert.deepEqual((await call(`${base}/v2/models/cls`)).json.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }]);
    const types = (await call(`${base}/v2/models/types`)).json;
    assert.deepEqual(types.inputs.map((t: { datatype: string }) => t.datatype), ['FP16', 'INT64', 'BOOL', 'BYTES']);
    assert.equal((await call(`${base}/v2/models/mlp/ready`)).status, 200);
    assert.equal((await call(`${base}/v2/models/mlp/versions/2/ready`)).status, 200);
    // A directory without versions is skipped, with a warning in the log.
    assert.ok(logLines.some((l) => JSON.parse(l).msg.startsWith('skipping a directory') && l.includes('notes')));
  });

  test('JSON inference: nested data, the newest version unless one is named, the id echoed, equal to onnxruntime', async () => {
    const x = floats(3 * 64, 1);
    const expected = (await directRun(MLP, { input: { dtype: 'float32', dims: [3, 64], data: x } })).logits!;
    const body = { id: 'req-7', inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 64], data: nested(x, 64) }] };
    const newest = await postJson(`${base}/v2/models/mlp/infer`, body);
    assert.equal(newest.status, 200, newest.body.toString());
    assert.equal(newest.headers.get('content-type'), 'application/json');
    assert.equal(newest.json.model_name, 'mlp');
    assert.equal(newest.json.model_version, '2');
    assert.equal(newest.json.id, 'req-7');
    const [out] = newest.json.outputs;
    assert.deepEqual([out.name, out.datatype, out.shape], ['logits', 'FP32', [3, 10]]);
    assert.ok(maxAbsDiff({ dtype: 'float32', dims: [3, 10], data: Float32Array.from(out.data) }, expected) < 1e-6);
    const v1 = await postJson(`${base}/v2/models/mlp/versions/1/infer`, body);
    assert.equal(v1.json.model_version, '1');
    assert.deepEqual(v1.json.outputs, newest.json.outputs);
  });

  test('binary tensor data in and out on the PP-OCR classifier equals a direct onnxruntime run', async () => {
    const x: Tensor = { dtype: 'float32', dims: [2, 3, 48, 192], data: floats(2 * 3 * 48 * 192, 2) };
    const expected = (await directRun(OCR_CLS, { x }))['softmax_0.tmp_0']!;
    const req = binaryRequest({
      inputs: [{ name: 'x', datatype: 'FP32', shape: x.dims, parameters: { binary_data_size: x.data.length * 4 } }],
      parameters: { binary_data_output: true },
    }, x.data as Float32Array);
    const reply = await call(`${base}/v2/models/cls/infer`, { method: 'POST', ...req });
    assert.equal(reply.status, 200, reply.body.toString());
    assert.equal(reply.headers.get('content-type'), 'application/octet-stream');
    const { header, data } = binaryResponse(reply);
    assert.deepEqual(header.outputs, [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: 16 } }]);
    assert.ok(maxAbsDiff({ dtype: 'float32', dims: [2, 2], data: float32s(data.get('softmax_0.tmp_0')!) }, expected) < 1e-5);

    // JSON in, one output asked for as binary.
    const one: Tensor = { dtype: 'float32', dims: [1, 3, 48, 192], data: (x.data as Float32Array).slice(0, 3 * 48 * 192) };
    const mixed = await postJson(`${base}/v2/models/cls/infer`, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: one.dims, data: Array.from(one.data as Float32Array) }],
      outputs: [{ name: 'softmax_0.tmp_0', parameters: { binary_data: true } }],
    });
    const m = binaryResponse(mixed);
    assert.deepEqual([...float32s(m.data.get('softmax_0.tmp_0')!)], [...(expected.data as Float32Array).slice(0, 2)]);
  });

  test('FP16, INT64, BOOL and BYTES round-trip through onnxruntime in JSON and in binary', async () => {
    const int64 = 2n ** 53n + 1n;
    const reply = await postJson(`${base}/v2/models/types/infer`, {
      inputs: [
        { name: 'h', datatype: 'FP16', shape: [2, 2], data: [[0.5, -1.25], [3, 0.1]] },
        { name: 'i', datatype: 'INT64', shape: [2], data: [-7, 1000] },
        { name: 'b', datatype: 'BOOL', shape: [2], data: [true, false] },
        { name: 's', datatype: 'BYTES', shape: [2], data: ['héllo', ''] },
      ],
    });
    assert.equal(reply.status, 200, reply.body.toString());
    const byName = Object.fromEntries(reply.json.outputs.map((o: { name: string }) => [o.name, o]));
    assert.deepEqual(byName.h2, { name: 'h2', datatype: 'FP16', shape: [2, 2], data: [1, -2.5, 6, 0.199951171875] });
    assert.deepEqual(byName.i2.data, [-14, 2000]);
    assert.deepEqual(byName.nb.data, [false, true]);
    assert.deepEqual(byName.s2, { name: 's2', datatype: 'BYTES', shape: [2], data: ['héllo', ''] });

    const h = Uint16Array.from([0.5, 2].map(numberToFloat16Bits));
    const strings = Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from('abc')]);
    const req = binaryRequest({
      inputs: [
        { name: 'h', datatype: 'FP16', shape: [1, 2], parameters: { binary_data_size: 4 } },
        { name: 'i', datatype: 'INT64', shape: [1], parameters: { binary_data_size: 8 } },
        { name: 'b', datatype: 'BOOL', shape: [1], parameters: { binary_data_size: 1 } },
        { name: 's', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: strings.length } },
      ],
      parameters: { binary_data_output: true },
      outputs: [{ name: 'i2' }, { name: 's2' }, { name: 'h2', parameters: { binary_data: false } }],
    }, h, BigInt64Array.from([int64]), Uint8Array.from([0]), strings);
    const bin = binaryResponse(await call(`${base}/v2/models/types/infer`, { method: 'POST', ...req }));
    assert.deepEqual(bin.header.outputs.map((o: { name: string }) => o.name), ['i2', 's2', 'h2'], 'only the outputs asked for, in that order');
    assert.deepEqual(bin.header.outputs[2].data, [1, 4]);
    const i2 = bin.data.get('i2')!;
    assert.equal(i2.readBigInt64LE(0), 2n * int64, 'int64 is exact past 2^53 in binary');
    assert.deepEqual([...bin.data.get('s2')!], [...strings]);
  });

  test('bad requests get 400 with {"error"} naming the problem; unknown models, versions and paths get 404', async () => {
    const url = `${base}/v2/models/mlp/infer`;
    const input = { name: 'input', datatype: 'FP32', shape: [1, 64], data: Array.from(floats(64, 3)) };
    const cases: Array<[Promise<{ status: number; json: any }>, number, RegExp]> = [
      [call(url, { method: 'POST', body: '{"inputs": [' }), 400, /^bad request: malformed JSON/],
      [postJson(url, { inputs: [{ ...input, datatype: 'FP64' }] }), 400, /input 'input': datatype is FP64, the model needs FP32/],
      [postJson(url, { inputs: [{ ...input, name: 'image' }] }), 400, /input 'image': the model has no such input \(its inputs: input\)/],
      [postJson(url, { inputs: [{ ...input, shape: [1, 63], data: input.data.slice(0, 63) }] }), 400, /input 'input': dim 1 is 63, the model needs 64/],
      [postJson(url, { inputs: [{ ...input, shape: [2, 64] }] }), 400, /'data' holds 64 elements but the shape needs 128/],
      [postJson(url, { inputs: [] }), 400, /input 'input': missing/],
      [postJson(url, { inputs: [input], outputs: [{ name: 'probs' }] }), 400, /output 'probs': the model has no such output/],
      [call(url, { method: 'POST', body: '{}', headers: { 'Inference-Header-Content-Length': 'x' } }), 400, /Inference-Header-Content-Length must be a byte count/],
      [postJson(`${base}/v2/models/resnet/infer`, { inputs: [input] }), 404, /model 'resnet' is not served: no such model \(served: cls, mlp, types\)/],
      [postJson(`${base}/v2/models/mlp/versions/3/infer`, { inputs: [input] }), 404, /model 'mlp' version '3' is not served: no such version \(versions: 1, 2\)/],
      [call(`${base}/v2/models/resnet`), 404, /no such model/],
      [call(`${base}/v2/models/mlp/versions/9/ready`), 404, /no such version/],
      [call(`${base}/v1/models`), 404, /^no endpoint GET \/v1\/models$/],
      [call(`${base}/v2/models/mlp/infer`), 404, /^no endpoint GET \/v2\/models\/mlp\/infer \(that path takes POST\)$/],
    ];
    for (const [reply, status, message] of cases) {
      const r = await reply;
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json), ['error']);
      assert.match(r.json.error, message);
    }
  });

  test('repository index, unload and load with --model-control explicit', async () => {
    const index = await call(`${base}/v2/repository/index`, { method: 'POST' });
    assert.deepEqual(index.json, [
      { name: 'cls', version: '1', state: 'READY' },
      { name: 'mlp', version: '1', state: 'READY' },
      { name: 'mlp', version: '2', state: 'READY' },
      { name: 'types', version: '1', state: 'READY' },
    ]);
    assert.equal((await call(`${base}/v2/repository/models/cls/unload`, { method: 'POST' })).status, 200);
    const gone = await call(`${base}/v2/models/cls/ready`);
    assert.equal(gone.status, 404);
    assert.match(gone.json.error, /it is unloaded \(POST \/v2\/repository\/models\/cls\/load loads it\)/);
    assert.equal((await call(`${base}/v2/health/ready`)).status, 200, 'an unloaded model does not make the server unready');
    const readyOnly = await call(`${base}/v2/repository/index`, { method: 'POST', body: '{"ready": true}' });
    assert.deepEqual(readyOnly.json.map((e: { name: string }) => e.name), ['mlp', 'mlp', 'types']);
    const all = await call(`${base}/v2/repository/index`, { method: 'POST' });
    assert.deepEqual(all.json[0], { name: 'cls', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });

    assert.equal((await call(`${base}/v2/repository/models/cls/load`, { method: 'POST' })).status, 200);
    assert.equal((await call(`${base}/v2/models/cls/ready`)).status, 200);
    const missing = await call(`${base}/v2/repository/models/resnet/load`, { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.match(missing.json.error, /the repository has no such model/);
  });

  test('statistics and metrics count what happened, per model and version', async () => {
    const stats = (await call(`${base}/v2/models/mlp/versions/1/stats`)).json;
    assert.equal(stats.model_stats.length, 1);
    assert.equal(stats.model_stats[0].name, 'mlp');
    assert.equal(stats.model_stats[0].inference_stats.success.count, 1);
    assert.equal((await call(`${base}/v2/models/stats`)).json.model_stats.length, 4);

    const reply = await call(`${base}/metrics`);
    assert.equal(reply.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const m = parseMetrics(reply.body.toString());
    assert.equal(m.get('mlserve_inference_requests_total{model="mlp",version="2",outcome="success"}'), 1);
    assert.equal(m.get('mlserve_inference_requests_total{model="mlp",version="2",outcome="bad_input"}'), 2, 'the shape and missing-input errors reached the core');
    assert.equal(m.get('mlserve_batch_rows_total{model="mlp",version="2"}'), 3);
    assert.equal(m.get('mlserve_model_ready{model="cls",version="1"}'), 1);
    assert.equal(m.get('mlserve_queue_depth{model="types",version="1"}'), 0);
    assert.ok(m.get('mlserve_http_requests_total{endpoint="model-infer",code="400"}')! >= 7);
    assert.equal(m.get('mlserve_http_requests_total{endpoint="unknown",code="404"}'), 2);
  });
});

describe('compiled bundles in a repository: the variants bench --select chose, verified', () => {
  const repo = path.join(dir, 'bundles');
  let server: InferenceServer;
  let base: string;
  const infer = (version: string, t: Tensor) => postJson(`${base}/v2/models/mlp/versions/${version}/infer`, {
    inputs: [{ name: 'input', datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) }],
  });
  const padding = async (version: string) => parseMetrics((await call(`${base}/metrics`)).body.toString()).get(`mlserve_batch_padding_rows_total{model="mlp",version="${version}"}`);

  before(async () => {
    // Version 1: batch sizes 1, 2, 4 and no selection (every cpu fp32 variant serves).
    await compile(MLP, { output: path.join(repo, 'mlp', '1'), batchSizes: [1, 2, 4], check: 0 });
    // Version 2: the same, but a selection that serves only 1 and 4 (2 was found no faster).
    const v2 = path.join(repo, 'mlp', '2');
    await compile(MLP, { output: v2, batchSizes: [1, 2, 4], check: 0 });
    const manifest = readManifest(v2);
    const entry = (size: number) => {
      const v = manifest.variants.find((x) => x.batchSize === size)!;
      return { batchSize: size, variant: v.id, file: v.file, provider: 'cpu', precision: 'fp32', throughput: size * 100, p99Ms: 1 };
    };
    manifest.selection = {
      selectedAt: new Date().toISOString(), maxLatencyMs: null, byBatchSize: [entry(1), entry(2), entry(4)], servedBatchSizes: [1, 4],
      notServed: [{ batchSize: 2, reason: 'no faster per sample than batch 1' }], bench: { threads: 1, warmup: 1, iterations: 1, durationMs: null, host: 'test' },
    };
    writeManifest(v2, manifest);
    server = await InferenceServer.start({ model: repo, port: 0, workers: 1, threadsPerWorker: 1, maxDelayMs: 0, log: createJsonLogger({ level: 'error', write: () => {} }) });
    base = server.url;
  });
  after(() => server.shutdown());

  test('a batch is padded to the smallest served size that holds it, and the rows come back right', async () => {
    assert.deepEqual((await call(`${base}/v2/models/mlp`)).json.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }]);
    const three: Tensor = { dtype: 'float32', dims: [3, 64], data: floats(3 * 64, 30) };
    const two: Tensor = { dtype: 'float32', dims: [2, 64], data: floats(2 * 64, 31) };
    for (const [version, t, padded] of [['1', three, 1], ['1', two, 1], ['2', two, 2]] as const) {
      const r = await infer(version, t);
      assert.equal(r.status, 200, r.body.toString());
      const out = r.json.outputs[0];
      const expected = (await directRun(MLP, { input: t })).logits!;
      assert.ok(maxAbsDiff({ dtype: 'float32', dims: out.shape, data: Float32Array.from(out.data) }, expected) < 1e-5);
      assert.equal(await padding(version), padded, `version ${version}, ${t.dims[0]} rows`);
    }
    const five = await infer('1', { dtype: 'float32', dims: [5, 64], data: floats(5 * 64, 32) });
    assert.equal(five.status, 400);
    assert.match(five.json.error, /has 5 rows; this model runs batches of at most 4 \(compiled sizes 1, 2, 4\)/);
  });

  test('a bundle whose variant file was changed is refused at start', async () => {
    const bad = path.join(dir, 'tampered.bundle');
    await compile(MLP, { output: bad, batchSizes: [1], check: 0 });
    fs.appendFileSync(path.join(bad, 'variants', 'cpu-fp32-b1.onnx'), Buffer.from([0]));
    await assert.rejects(InferenceServer.start({ model: bad, port: 0, workers: 1, log: createJsonLogger({ level: 'error', write: () => {} }) }), (e: unknown) => {
      assert.ok(e instanceof MlserveError);
      assert.equal(e.code, 'MLS_ERR_BUNDLE_VERIFY_FAILED');
      return true;
    });
  });
});

describe('a slow batcher (1 s delay, 8 rows, queue of 4): merging, overflow, deadlines, body limit, draining', () => {
  let server: InferenceServer;
  let base: string;
  const input = (rows: number, seed: number): Tensor => ({ dtype: 'float32', dims: [rows, 64], data: floats(rows * 64, seed) });
  const infer = (t: Tensor, extra: Record<string, unknown> = {}) => postJson(`${base}/v2/models/mlp/infer`, {
    inputs: [{ name: 'input', datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) }], ...extra,
  });
  const metrics = async () => parseMetrics((await call(`${base}/metrics`)).body.toString());
  const L = 'model="mlp",version="1"';

  /** Polls /metrics until `n` requests wait in the queue (bounded: the requests are already sent). */
  async function queued(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await metrics()).get(`mlserve_queue_depth{${L}}`) === n) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`the queue never held ${n} requests`);
  }

  before(async () => {
    server = await InferenceServer.start({
      model: MLP, port: 0, workers: 1, threadsPerWorker: 1, maxBatch: 8, maxDelayMs: 1000, queueLimit: 4,
      maxBodyBytes: 64 * 1024, log: createJsonLogger({ level: 'error', write: () => {} }),
    });
    base = server.url;
  });
  after(() => server.shutdown());

  test('requests of 1, 2, 3 and 2 rows sent together run as ONE batch of 8, and each gets its own rows back', async () => {
    const inputs = [input(1, 10), input(2, 11), input(3, 12), input(2, 13)];
    const replies = await Promise.all(inputs.map((t, i) => infer(t, { id: `r${i}` })));
    const m = await metrics();
    assert.equal(m.get(`mlserve_batches_total{${L}}`), 1, 'one batch for four requests');
    assert.equal(m.get(`mlserve_batch_size_bucket{${L},le="4"}`), 0);
    assert.equal(m.get(`mlserve_batch_size_bucket{${L},le="8"}`), 1, 'the batch held 8 rows');
    for (const [i, t] of inputs.entries()) {
      const r = replies[i]!;
      assert.equal(r.status, 200);
      assert.equal(r.json.id, `r${i}`);
      const out = r.json.outputs[0];
      assert.deepEqual(out.shape, [t.dims[0], 10]);
      const expected = (await directRun(MLP, { input: t })).logits!;
      assert.ok(maxAbsDiff({ dtype: 'float32', dims: out.shape, data: Float32Array.from(out.data) }, expected) < 1e-6, `request ${i} got its own rows`);
    }
  });

  test('past the queue limit a request gets 503 with Retry-After; the queued ones are answered', async () => {
    const held = [1, 2, 3, 4].map((s) => infer(input(1, s)));
    await queued(4);
    const refused = await infer(input(1, 5));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.json.error, /the request queue is full \(4 requests waiting\)/);
    for (const r of await Promise.all(held)) assert.equal(r.status, 200);
    assert.equal((await metrics()).get(`mlserve_inference_requests_total{${L},outcome="queue_full"}`), 1);
  });

  test('a request still queued at its deadline gets 504 and is never computed', async () => {
    const before = (await metrics()).get(`mlserve_batches_total{${L}}`);
    const r = await infer(input(1, 6), { parameters: { timeout: 50_000 } });
    assert.equal(r.status, 504);
    assert.match(r.json.error, /waited past its 50 ms deadline in the queue and was not computed/);
    const m = await metrics();
    assert.equal(m.get(`mlserve_batches_total{${L}}`), before);
    assert.equal(m.get(`mlserve_inference_requests_total{${L},outcome="timeout"}`), 1);
  });

  test('a body over the limit gets 413 before it is read — declared or chunked — and the connection closes', async () => {
    const send = (headers: Record<string, string | number>, total: number) => new Promise<{ status: number; connection: string | undefined; sent: number; json: any }>((resolve, reject) => {
      const req = http.request(`${base}/v2/models/mlp/infer`, { method: 'POST', headers, agent: false });
      let sent = 0;
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, sent, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 32);
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    });
    const total = 64 * 1024 * 1024;
    for (const headers of [{ 'Content-Length': total }, { 'Transfer-Encoding': 'chunked' }] as Array<Record<string, string | number>>) {
      const r = await send(headers, total);
      assert.equal(r.status, 413);
      assert.equal(r.connection, 'close');
      assert.equal(r.json.error, 'request body is larger than the 65536-byte limit');
      assert.ok(r.sent < total, `the client could not send the whole 64 MiB (sent ${r.sent})`);
    }
    const small = await call(`${base}/v2/models/mlp/ready`);
    assert.equal(small.status, 200, 'the server goes on serving');
  });

  test('loading and unloading over HTTP needs --model-control explicit (403 otherwise)', async () => {
    const r = await call(`${base}/v2/repository/models/mlp/unload`, { method: 'POST' });
    assert.equal(r.status, 403);
    assert.match(r.json.error, /unloading model 'mlp' is not allowed: the server runs with --model-control none/);
  });

  test('shutdown: a body still uploading is let in and answered, a new request on an open connection gets 503, a new connection is refused', async () => {
    /** One request over node:http, on `agent` (keep-alive: its socket is reused). */
    const send = (agent: http.Agent | false, method: string, target: string, body?: Buffer) => new Promise<{ status: number; connection: string | undefined; json: any }>((resolve, reject) => {
      const req = http.request(`${base}${target}`, { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {} });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, json: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const body = (t: Tensor) => Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) }] }));
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // Connection A: a request that waits in the queue (the 1 s delay) through the start of the shutdown.
    const first = send(keepAlive, 'POST', '/v2/models/mlp/infer', body(input(1, 20)));
    // Connection B: headers and half the body now, the rest later.
    const slowBody = body(input(2, 21));
    const slowUpload: { finish?: () => void } = {};
    const slow = new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = http.request(`${base}/v2/models/mlp/infer`, { method: 'POST', agent: false, headers: { 'Content-Length': slowBody.length } });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.write(slowBody.subarray(0, 100));
      slowUpload.finish = () => req.end(slowBody.subarray(100));
    });
    await queued(1);
    for (let i = 0; (await metrics()).get('mlserve_http_requests_in_flight') !== 3; i++) {
      assert.ok(i < 200, 'both requests reached the server');
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = server.shutdown();
    // A's request is answered when its delay runs out: the models are not drained while B is still coming in.
    const a = await first;
    assert.equal(a.status, 200);
    assert.notEqual(a.connection, 'close');
    const refused = await send(keepAlive, 'POST', '/v2/models/mlp/infer', body(input(1, 22)));
    assert.equal(refused.status, 503);
    assert.equal(refused.connection, 'close');
    assert.match(refused.json.error, /the server is shutting down/);
    await assert.rejects(send(false, 'GET', '/v2/health/live'), /ECONNREFUSED/);
    slowUpload.finish!();
    const b = await slow;
    assert.equal(b.status, 200);
    assert.deepEqual(b.json.outputs[0].shape, [2, 10]);
    await stopped;
    keepAlive.destroy();
  });
});
