import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlserveError } from '../../../src/errors.js';
import { parseInferenceRequest } from '../../../src/serve/http/inference-request.js';
import { encodeInferenceResponse } from '../../../src/serve/http/inference-response.js';
import type { ServingMetadata } from '../../../src/serve/serving.js';

const model: ServingMetadata = {
  name: 'm', platform: 'onnxruntime_onnx',
  inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 2] }, { name: 'ids', dtype: 'int64', shape: [-1] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }, { name: 'z', dtype: 'int64', shape: [-1] }],
  batching: { kind: 'dynamic' }, maxBatch: 8, maxDelayMs: 2, dispatchWhenIdle: false, workers: 1, threadsPerWorker: 1,
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** A binary-extension body: the JSON header, then the raw chunks. */
function binaryBody(header: unknown, ...chunks: ArrayBufferView[]): { body: Buffer; headerLength: number } {
  const head = json(header);
  return { body: Buffer.concat([head, ...chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]), headerLength: head.length };
}

function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof MlserveError, String(e));
    return `${e.httpStatus} ${e.message}`;
  }
  return 'no error';
}

test('a JSON request gives tensors, the id, all outputs by default, and the timeout in ms', () => {
  const r = parseInferenceRequest(json({
    id: 'r1', parameters: { timeout: 2500 },
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]] }, { name: 'ids', datatype: 'INT64', shape: [2], data: [7, 8] }],
  }), undefined, model);
  assert.equal(r.id, 'r1');
  assert.equal(r.timeoutMs, 2.5);
  assert.deepEqual(r.inputs['x'], { dtype: 'float32', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
  assert.deepEqual(r.inputs['ids'], { dtype: 'int64', dims: [2], data: BigInt64Array.from([7n, 8n]) });
  assert.deepEqual(r.outputs, [{ name: 'y', binary: false }, { name: 'z', binary: false }]);
});

test('binary inputs are read in header order after the JSON; outputs can be chosen and asked for as binary', () => {
  const { body, headerLength } = binaryBody({
    parameters: { binary_data_output: true },
    inputs: [
      { name: 'ids', datatype: 'INT64', shape: [1], parameters: { binary_data_size: 8 } },
      { name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
    ],
    outputs: [{ name: 'z', parameters: { binary_data: false } }, { name: 'y' }],
  }, BigInt64Array.from([42n]), Float32Array.from([0.5, -0.5]));
  const r = parseInferenceRequest(body, headerLength, model);
  assert.deepEqual([...(r.inputs['ids']!.data as BigInt64Array)], [42n]);
  assert.deepEqual([...(r.inputs['x']!.data as Float32Array)], [0.5, -0.5]);
  assert.deepEqual(r.outputs, [{ name: 'z', binary: false }, { name: 'y', binary: true }]);
});

test('protocol errors are 400 with the reason; unknown inputs and wrong datatypes name the input', () => {
  const x = { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] };
  const ids = { name: 'ids', datatype: 'INT64', shape: [1], data: [1] };
  assert.match(failure(() => parseInferenceRequest(Buffer.from('{"inputs": ['), undefined, model)), /^400 bad request: malformed JSON/);
  assert.equal(failure(() => parseInferenceRequest(json([1]), undefined, model)), '400 bad request: the body must be a JSON object');
  assert.equal(failure(() => parseInferenceRequest(json({}), undefined, model)), "400 bad request: 'inputs' must be an array of tensors");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [{ ...x, name: 'image' }] }), undefined, model)),
    "400 model 'm': input 'image': the model has no such input (its inputs: x, ids)");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [{ ...x, datatype: 'FP64' }] }), undefined, model)),
    "400 model 'm': input 'x': datatype is FP64, the model needs FP32");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [{ ...x, datatype: 'FLOAT' }] }), undefined, model)),
    "400 model 'm': input 'x': datatype \"FLOAT\" is not one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [{ ...x, shape: [1, 3] }] }), undefined, model)),
    "400 model 'm': input 'x': 'data' holds 2 elements but the shape needs 3");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [{ ...x, shape: [1, -2] }] }), undefined, model)),
    "400 model 'm': input 'x': shape must be an array of non-negative integers, got [1,-2]");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [x, x] }), undefined, model)), "400 model 'm': input 'x': given twice");
  assert.equal(failure(() => parseInferenceRequest(json({ id: 5, inputs: [x, ids] }), undefined, model)), "400 bad request: 'id' must be a string, got 5");
  assert.equal(failure(() => parseInferenceRequest(json({ inputs: [x, ids], outputs: [{ name: 'w' }] }), undefined, model)),
    "400 bad request: output 'w': the model has no such output (its outputs: y, z)");
  const short = binaryBody({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }] }, Float32Array.from([1]));
  assert.equal(failure(() => parseInferenceRequest(short.body, short.headerLength, model)),
    "400 bad request: input 'x': binary_data_size 8 runs past the end of the binary data (4 bytes left)");
  const extra = binaryBody({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }] }, Float32Array.from([1, 2, 3]));
  assert.equal(failure(() => parseInferenceRequest(extra.body, extra.headerLength, model)),
    "400 bad request: the binary data after the JSON header is 12 bytes, but the inputs' binary_data_size add up to 8");
  assert.equal(failure(() => parseInferenceRequest(extra.body, extra.body.length + 1, model)),
    `400 bad request: Inference-Header-Content-Length is ${extra.body.length + 1} but the body has only ${extra.body.length} bytes`);
});

test('a response lists the outputs asked for; binary ones carry their size and follow the JSON as views', () => {
  const y = Float32Array.from([1, 2, 3, 4]);
  const outputs = { y: { dtype: 'float32' as const, dims: [2, 2], data: y.subarray(0, 4) }, z: { dtype: 'int64' as const, dims: [2], data: BigInt64Array.from([1n, 2n]) } };
  const r = encodeInferenceResponse({ name: 'm', version: '3' }, 'q"1', outputs, [{ name: 'z', binary: false }, { name: 'y', binary: true }]);
  assert.deepEqual(JSON.parse(r.json), {
    model_name: 'm', model_version: '3', id: 'q"1',
    outputs: [
      { name: 'z', datatype: 'INT64', shape: [2], data: [1, 2] },
      { name: 'y', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: 16 } },
    ],
  });
  assert.equal(r.binary.length, 1);
  assert.equal(r.binary[0]!.buffer, y.buffer);
  const plain = encodeInferenceResponse({ name: 'm', version: '1' }, undefined, outputs, [{ name: 'y', binary: false }]);
  assert.equal(plain.json, '{"model_name":"m","model_version":"1","outputs":[{"name":"y","datatype":"FP32","shape":[2,2],"data":[1,2,3,4]}]}');
  assert.deepEqual(plain.binary, []);
});
