import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16BitsToNumber } from '../../../src/ir/float16.js';
import { decodeJsonData, encodeJsonData } from '../../../src/serve/http/json-tensor-codec.js';

test('flat and nested data read the same, row-major, into the dtype\'s storage array', () => {
  const flat = decodeJsonData([1, 2, 3, 4, 5, 6], 'float32', 6);
  const nested = decodeJsonData([[[1, 2, 3]], [[4, 5, 6]]], 'float32', 6);
  assert.ok(flat instanceof Float32Array);
  assert.deepEqual([...flat], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(nested, flat);
  assert.deepEqual(decodeJsonData([[true, false]], 'bool', 2), Uint8Array.from([1, 0]));
  assert.deepEqual(decodeJsonData(['a', 'é'], 'string', 2), ['a', 'é']);
  assert.deepEqual(decodeJsonData([-1, 2 ** 40], 'int64', 2), BigInt64Array.from([-1n, 2n ** 40n]));
  assert.deepEqual(decodeJsonData([255, 0], 'uint8', 2), Uint8Array.from([255, 0]));
});

test('FP16 numbers are rounded to float16 bit patterns (round to nearest even)', () => {
  const bits = decodeJsonData([1, 0.1, 65504, 1e6, -2], 'float16', 5);
  assert.ok(bits instanceof Uint16Array);
  assert.deepEqual([...bits], [0x3c00, 0x2e66, 0x7bff, 0x7c00, 0xc000]);
  assert.equal(float16BitsToNumber(bits[1]!), 0.0999755859375);
});

test('wrong element kinds, out-of-range integers and wrong counts are refused with the reason', () => {
  assert.equal(decodeJsonData({ a: 1 }, 'float32', 1), "'data' must be an array, got object");
  assert.equal(decodeJsonData([1, 2, 3], 'float32', 4), "'data' holds 3 elements but the shape needs 4");
  assert.equal(decodeJsonData([[1, 2], [3]], 'float32', 4), "'data' holds 3 elements but the shape needs 4");
  assert.equal(decodeJsonData([1, '2'], 'float32', 2), 'data element 1 is "2", expected a number');
  assert.equal(decodeJsonData([1.5], 'int32', 1), "data element 0 is 1.5, expected an integer in int32's range [-2147483648, 2147483647]");
  assert.equal(decodeJsonData([256], 'uint8', 1), "data element 0 is 256, expected an integer in uint8's range [0, 255]");
  assert.equal(decodeJsonData([-1], 'uint64', 1), "data element 0 is -1, expected an integer in uint64's range");
  assert.equal(decodeJsonData([1], 'bool', 1), 'data element 0 is 1, expected true or false (BOOL)');
  assert.equal(decodeJsonData([null], 'string', 1), 'data element 0 is null, expected a string (BYTES)');
});

test('outputs are written flat; int64 exactly, FP16 as numbers, BOOL as true/false, non-finite floats as null', () => {
  assert.equal(encodeJsonData({ dtype: 'float32', dims: [2, 2], data: Float32Array.from([0.5, -1, 2, 3]) }), '[0.5,-1,2,3]');
  assert.equal(encodeJsonData({ dtype: 'int64', dims: [2], data: BigInt64Array.from([2n ** 62n + 1n, -3n]) }), '[4611686018427387905,-3]');
  assert.equal(encodeJsonData({ dtype: 'float16', dims: [2], data: Uint16Array.from([0x3c00, 0xc000]) }), '[1,-2]');
  assert.equal(encodeJsonData({ dtype: 'bool', dims: [2], data: Uint8Array.from([1, 0]) }), '[true,false]');
  assert.equal(encodeJsonData({ dtype: 'string', dims: [2], data: ['a"b', ''] }), '["a\\"b",""]');
  assert.equal(encodeJsonData({ dtype: 'float64', dims: [3], data: Float64Array.from([NaN, 1, -Infinity]) }), '[null,1,null]');
  assert.equal(encodeJsonData({ dtype: 'int8', dims: [2], data: Int8Array.from([-128, 7]) }), '[-128,7]');
  assert.deepEqual(JSON.parse(encodeJsonData({ dtype: 'float32', dims: [1], data: Float32Array.from([0.1]) })), [Math.fround(0.1)]);
});
