/**
 * An inference worker (a worker_threads entry point): owns one onnxruntime session per model variant,
 * warms each up, then computes one batch at a time for the pool. onnxruntime's `run` blocks the thread
 * it is called on for the whole inference; here that thread is this worker, never the event loop.
 *
 * A failure inside a run is answered as a plain error; the worker keeps serving. A crash (the thread
 * dying) is handled by the pool.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { isMlserveError, MlserveError } from '../errors.js';
import { numberToFloat16Bits } from '../ir/float16.js';
import { createSession, type OrtSession } from '../runtime/ort-session.js';
import { fromOrtTensor, toOrtTensor } from '../runtime/plain-tensor.js';
import { sessionSignature, type SessionSignature } from '../runtime/session-signature.js';
import { sessionBatching } from './model-interface.js';
import { allocateData, elementCount, type Tensor } from './tensor.js';
import { ownedTensor, transferList, type FromWorker, type PlainError, type ToWorker, type WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.js runs as a worker thread');
const init = workerData as WorkerInit;

/** Nice value for inference threads (0 is normal, 19 lowest). */
const WORKER_NICE = 10;

// Compute yields to the event loop: on Linux a thread has its own nice value, so lowering this one
// keeps the main thread (accepting, batching, health checks) prompt while every core computes.
// Measured on the PP-OCR classifier at 64 clients: health p99 24–72 ms → 14–17 ms, throughput unchanged.
try {
  os.setPriority(0, WORKER_NICE);
} catch {
  // Not permitted or not supported here: run at the default priority.
}

interface Loaded {
  batchSize: number | null;
  file: string;
  session: OrtSession;
  signature: SessionSignature;
}

const loaded: Loaded[] = [];

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function plain(e: unknown, wrap: (reason: string) => MlserveError): PlainError {
  return (isMlserveError(e) ? e : wrap(e instanceof Error ? e.message : String(e))).toPlain();
}

/**
 * Inputs for one warm-up run at `batch` rows (undefined: the session has no batch axis): zeros, or the
 * value the user gave for that input.
 */
function warmupInputs(signature: SessionSignature, batch: number | undefined): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const input of signature.inputs) {
    const given = init.warmup.shapes[input.name];
    const dims = input.shape.map((d, axis) => (batch !== undefined && axis === 0 ? batch : d ?? given?.[axis] ?? 1));
    const dtype = input.dtype as Tensor['dtype'];
    const data = allocateData(dtype, elementCount(dims));
    const value = init.warmup.values?.[input.name];
    if (value !== undefined) fillWith(data, dtype, value);
    feeds[input.name] = { dtype, dims, data };
  }
  return feeds;
}

/** Every element `value`, in `dtype`'s storage (float16 as its bits, bool as 0 or 1). */
function fillWith(data: Tensor['data'], dtype: Tensor['dtype'], value: number): void {
  if (Array.isArray(data)) data.fill(String(value));
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(BigInt(Math.trunc(value)));
  else if (dtype === 'float16') (data as Uint16Array).fill(numberToFloat16Bits(value));
  else if (dtype === 'bool') (data as Uint8Array).fill(value ? 1 : 0);
  else (data as Float32Array).fill(value);
}

/** How the warm-up inputs were made, for its error message: "zeros", or "zeros and sr=16000". */
function warmupDescription(): string {
  const values = Object.entries(init.warmup.values ?? {}).map(([n, v]) => `${n}=${v}`);
  return values.length === 0 ? 'zeros' : `zeros and ${values.join(', ')}`;
}

async function start(): Promise<void> {
  for (const v of init.variants) {
    try {
      const session = await createSession(v.file, { threads: init.threads });
      loaded.push({ batchSize: v.batchSize, file: v.file, session, signature: sessionSignature(session) });
    } catch (e) {
      post({ type: 'init-failed', error: plain(e, (reason) => new MlserveError('MLS_ERR_SERVE_LOAD_FAILED', { model: init.model, file: v.file, reason })) });
      return;
    }
  }
  // Warm-up: every session runs once at every batch size it will be asked for, so the first real
  // request does not pay for memory arenas, thread pools and first-run kernel choices.
  let runs = 0;
  for (const l of loaded) {
    const b = sessionBatching(l.signature);
    const sizes = b.kind === 'dynamic' ? init.warmup.batchSizes : [undefined];
    // The largest batch size that ran: a model whose graph pins the batch its inputs declare dynamic
    // (a Reshape to [1, …]) runs at 1 and fails above, and the error says so.
    let ranAt: number | undefined;
    for (const size of sizes) {
      const feeds = warmupInputs(l.signature, size);
      try {
        await l.session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toOrtTensor(t)])));
        runs++;
        ranAt = size;
      } catch (e) {
        const shapes = Object.entries(feeds).map(([n, t]) => `${n}[${t.dims.join(',')}]`).join(' ');
        const error = (reason: string) => new MlserveError('MLS_ERR_SERVE_WARMUP_FAILED', { model: init.model, file: l.file, inputs: warmupDescription(), shapes, reason, ranAtBatch: ranAt });
        post({ type: 'init-failed', error: plain(e, error) });
        return;
      }
    }
  }
  post({ type: 'ready', signatures: loaded.map((l) => l.signature), warmupRuns: runs });
}

/** The session compiled for `batchSize`, else the one that takes any batch size. */
function sessionFor(batchSize: number): Loaded | undefined {
  return loaded.find((l) => l.batchSize === batchSize) ?? loaded.find((l) => l.batchSize === null);
}

async function run(id: number, batchSize: number, inputs: Record<string, Tensor>): Promise<void> {
  try {
    const target = sessionFor(batchSize);
    if (!target) throw new Error(`no session for batch size ${batchSize}`);
    const feeds = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, toOrtTensor(t)]));
    const started = performance.now();
    const results = await target.session.run(feeds);
    const computeMs = performance.now() - started;
    const outputs: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(results)) outputs[name] = ownedTensor(fromOrtTensor(t));
    const outputBuffers = transferList(Object.values(outputs));
    // The inputs go back to the pool for reuse, unless an output lives in the same memory.
    const spent = transferList(Object.values(inputs)).filter((b) => !outputBuffers.includes(b));
    post({ type: 'result', id, outputs, computeMs, spent }, [...outputBuffers, ...spent]);
  } catch (e) {
    post({ type: 'failed', id, error: plain(e, (reason) => new MlserveError('MLS_ERR_SERVE_INFERENCE_FAILED', { model: init.model, reason })) });
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'run') {
    // Test hook: die mid-batch the way a crashing native library would take the thread down.
    if (m.exitForTest) process.exit(70);
    void run(m.id, m.batchSize, m.inputs);
  } else if (m.type === 'close') {
    void Promise.allSettled(loaded.map((l) => l.session.release())).then(() => port.close());
  }
});

void start();
