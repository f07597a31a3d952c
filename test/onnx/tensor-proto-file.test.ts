/**
 * .pb tensor files: a real one from the ONNX test data reads; anything that is not one TensorProto
 * whose data matches its dims fails with one error naming the file and the problem.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { makeTensor } from '../../src/ir/tensor-data.js';
import { createMessage, encodeModel, encodeTensor } from '../../src/onnx/codec.js';
import { DataType } from '../../src/onnx/data-type.js';
import type { ModelProto, StringStringEntryProto, TensorProto } from '../../src/onnx/proto-types.js';
import { decodeTensorProtoFile, readTensorProtoFile } from '../../src/onnx/tensor-proto-file.js';
import { repoRoot } from '../support/corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-pb-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const resnetOutput = path.join(repoRoot, '..', 'shared', 'models', 'onnx-light', 'light_resnet50_output_0.pb');

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MlserveError, String(e));
    assert.equal(e.code, 'MLS_ERR_TENSOR_FILE_INVALID', e.message);
    return (e.details as { reason: string }).reason;
  }
  assert.fail('expected an error');
}

test('the ONNX test data output of ResNet-50 reads as float32 [1, 1000]', { skip: !fs.existsSync(resnetOutput) && 'no ../shared/models' }, () => {
  const t = readTensorProtoFile(resnetOutput);
  assert.equal(t.data_type, DataType.FLOAT);
  assert.deepEqual(t.dims.map(Number), [1, 1000]);
});

test('a tensor we encode reads back with its name', () => {
  const file = path.join(tmp, 'x.pb');
  fs.writeFileSync(file, encodeTensor(makeTensor('x', DataType.INT64!, [2], [1n, 2n])));
  const t = readTensorProtoFile(file);
  assert.equal(t.name, 'x');
  assert.deepEqual(t.dims.map(Number), [2]);
});

test('empty, garbage and truncated files', () => {
  assert.match(reason(() => decodeTensorProtoFile(new Uint8Array(0), 'e.pb')), /the file is empty/);
  assert.match(reason(() => decodeTensorProtoFile(new TextEncoder().encode('{"not": "a tensor"}'), 'g.pb')), /not a serialized ONNX TensorProto/);
  const bytes = encodeTensor(makeTensor('x', DataType.FLOAT!, [4, 4], new Float32Array(16)));
  assert.match(reason(() => decodeTensorProtoFile(bytes.subarray(0, bytes.length - 5), 't.pb')), /not a serialized ONNX TensorProto|needs 64 bytes/);
});

test('a model file is not a tensor file', () => {
  const model = createMessage<ModelProto>('ModelProto', { ir_version: 8, producer_name: 'x' });
  assert.match(reason(() => decodeTensorProtoFile(encodeModel(model), 'm.pb')), /not a serialized ONNX TensorProto|no data_type/);
});

test('data that does not match the dims is caught before anything reads it', () => {
  const t = makeTensor('x', DataType.FLOAT!, [2, 2], new Float32Array(4));
  t.dims = [1000000, 1000000];
  assert.match(reason(() => decodeTensorProtoFile(encodeTensor(t), 'big.pb')), /shape \[1000000,1000000\] needs 4000000000000 bytes but raw_data holds 16/);
  const typed = createMessage<TensorProto>('TensorProto', { data_type: DataType.FLOAT!, dims: [3], float_data: [1, 2] });
  assert.match(reason(() => decodeTensorProtoFile(encodeTensor(typed), 'typed.pb')), /needs 3 elements but float_data holds 2/);
  const negative = createMessage<TensorProto>('TensorProto', { data_type: DataType.FLOAT!, dims: [-1], float_data: [1] });
  assert.match(reason(() => decodeTensorProtoFile(encodeTensor(negative), 'neg.pb')), /dim -1 is not a non-negative integer/);
});

test('external data, segments and unknown data types are refused', () => {
  const ext = createMessage<TensorProto>('TensorProto', {
    name: 'w', data_type: DataType.FLOAT!, dims: [1], data_location: 1,
    external_data: [createMessage<StringStringEntryProto>('StringStringEntryProto', { key: 'location', value: 'w.bin' })],
  });
  assert.match(reason(() => decodeTensorProtoFile(encodeTensor(ext), 'ext.pb')), /external file/);
  const unknown = createMessage<TensorProto>('TensorProto', { data_type: 99, dims: [1], raw_data: new Uint8Array(4) });
  assert.match(reason(() => decodeTensorProtoFile(encodeTensor(unknown), 'u.pb')), /unknown data_type 99/);
});

test('a missing file is MLS_ERR_FILE_NOT_FOUND naming it', () => {
  const file = path.join(tmp, 'absent.pb');
  assert.throws(() => readTensorProtoFile(file), (e: unknown) => e instanceof MlserveError && e.code === 'MLS_ERR_FILE_NOT_FOUND' && e.message.includes(file));
});
