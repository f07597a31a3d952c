/**
 * The model's states and how the pieces around them are decided: lifecycle transitions, how a session
 * batches (from its inputs' axis 0), and the default workers × threads for a core count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { defaultParallelism } from '../../src/serve/default-parallelism.js';
import { ModelLifecycle } from '../../src/serve/model-lifecycle.js';
import { sessionBatching } from '../../src/serve/model-interface.js';
import { warmupBatchSizes } from '../../src/serve/serving.js';
import type { TensorSignature } from '../../src/runtime/session-signature.js';

describe('ModelLifecycle', () => {
  test('LOADING → READY → DRAINING → STOPPED; only READY accepts', async () => {
    const l = new ModelLifecycle('m');
    assert.equal(l.accepting, false);
    l.toReady();
    await l.ready;
    assert.equal(l.accepting, true);
    l.toDraining();
    assert.equal(l.accepting, false);
    assert.match(l.notReady().message, /model 'm' is not ready \(DRAINING\)/);
    l.toStopped();
    assert.throws(() => l.toReady(), /cannot go from STOPPED to READY/);
  });

  test('LOADING → UNAVAILABLE keeps the reason, rejects `ready` with it, and every refusal quotes it', async () => {
    const l = new ModelLifecycle('m');
    const why = new MlserveError('MLS_ERR_SERVE_LOAD_FAILED', { model: 'm', file: 'm.onnx', reason: 'bad protobuf' });
    l.toUnavailable(why);
    await assert.rejects(l.ready, (e) => e === why);
    assert.equal(l.reason, why);
    const refusal = l.notReady();
    assert.equal(refusal.code, 'MLS_ERR_SERVE_NOT_READY');
    assert.equal(refusal.httpStatus, 503);
    assert.match(refusal.message, /\(UNAVAILABLE: model 'm': cannot load m\.onnx: bad protobuf\)/);
    l.toDraining();
    l.toStopped();
  });
});

describe('sessionBatching', () => {
  const sig = (...shapes: Array<Array<number | null>>) => ({
    inputs: shapes.map((shape, i): TensorSignature => ({ name: `i${i}`, dtype: 'float32', shape })),
    outputs: [],
  });
  const table: Array<[string, ReturnType<typeof sig>, ReturnType<typeof sessionBatching>]> = [
    ['every input\'s axis 0 dynamic → dynamic', sig([null, 64], [null, 3, null]), { kind: 'dynamic' }],
    ['every input\'s axis 0 fixed at 4 → fixed 4', sig([4, 64], [4]), { kind: 'fixed', size: 4 }],
    ['exported at batch 1 → fixed 1', sig([1, 3, 224, 224]), { kind: 'fixed', size: 1 }],
    ['a scalar input → none', sig([null, 64], []), { kind: 'none' }],
    ['axis 0 fixed on one input, dynamic on another → none', sig([2, 64], [null, 64]), { kind: 'none' }],
    ['axis 0 fixed at different sizes → none', sig([2, 64], [3, 64]), { kind: 'none' }],
    ['no inputs → none', sig(), { kind: 'none' }],
  ];
  for (const [says, signature, expected] of table) {
    test(says, () => assert.deepEqual(sessionBatching(signature), expected));
  }
});

describe('defaults', () => {
  const table: Array<[number, Parameters<typeof defaultParallelism>[1], ReturnType<typeof defaultParallelism>]> = [
    [1, {}, { workers: 1, threadsPerWorker: 1 }],
    [2, {}, { workers: 2, threadsPerWorker: 1 }],
    [4, {}, { workers: 4, threadsPerWorker: 1 }],
    [16, {}, { workers: 4, threadsPerWorker: 4 }],
    [2, { workers: 1 }, { workers: 1, threadsPerWorker: 2 }],
    [8, { threadsPerWorker: 4 }, { workers: 2, threadsPerWorker: 4 }],
    [2, { workers: 3, threadsPerWorker: 2 }, { workers: 3, threadsPerWorker: 2 }],
  ];
  for (const [cores, given, expected] of table) {
    test(`${cores} cores, given ${JSON.stringify(given)} → ${expected.workers} workers × ${expected.threadsPerWorker} threads`, () => {
      assert.deepEqual(defaultParallelism(cores, given), expected);
    });
  }

  test('a dynamic-batch session warms up at powers of two up to maxBatch, and maxBatch', () => {
    assert.deepEqual(warmupBatchSizes(1), [1]);
    assert.deepEqual(warmupBatchSizes(8), [1, 2, 4, 8]);
    assert.deepEqual(warmupBatchSizes(12), [1, 2, 4, 8, 12]);
  });
});
