import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBinaryData, encodeBinaryData } from '../../../src/serve/http/binary-tensor-codec.js';

test('numeric data is viewed in place when aligned and copied when not, with the same values', () => {
  const values = Float32Array.from([1.5, -2, 3.25]);
  const aligned = new Uint8Array(16);
  aligned.set(new Uint8Array(values.buffer), 4);
  const view = decodeBinaryData(aligned.subarray(4, 16), 'float32', 3) as Float32Array;
  assert.deepEqual([...view], [1.5, -2, 3.25]);
  assert.equal(view.buffer, aligned.buffer, 'an aligned view shares the body\'s memory');

  const odd = new Uint8Array(13);
  odd.set(new Uint8Array(values.buffer), 1);
  const copy = decodeBinaryData(odd.subarray(1, 13), 'float32', 3) as Float32Array;
  assert.deepEqual([...copy], [1.5, -2, 3.25]);
  assert.notEqual(copy.buffer, odd.buffer);

  const int64 = decodeBinaryData(new Uint8Array(BigInt64Array.from([-(2n ** 62n), 5n]).buffer), 'int64', 2);
  assert.deepEqual(int64, BigInt64Array.from([-(2n ** 62n), 5n]));
});

test('BYTES elements are 4-byte little-endian lengths followed by their bytes, both ways', () => {
  const encoded = encodeBinaryData(['ab', '', 'é']);
  assert.deepEqual([...encoded], [2, 0, 0, 0, 97, 98, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0xa9]);
  assert.deepEqual(decodeBinaryData(encoded, 'string', 3), ['ab', '', 'é']);
  assert.equal(decodeBinaryData(encoded, 'string', 2), 'binary data holds 3 BYTES elements but the shape needs 2');
  assert.equal(decodeBinaryData(encoded.subarray(0, 5), 'string', 1), 'BYTES element 0: 2 bytes announced, 1 left');
  assert.equal(decodeBinaryData(encoded.subarray(0, 8), 'string', 2), 'BYTES element 1: its 4-byte length is cut off at byte 6');
});

test('a byte count that does not match the shape is refused; numeric output bytes are a view, not a copy', () => {
  assert.equal(decodeBinaryData(new Uint8Array(10), 'float32', 3), 'binary data holds 10 bytes but the shape needs 3 elements of 4 bytes = 12');
  assert.equal(decodeBinaryData(new Uint8Array(2), 'bool', 3), 'binary data holds 2 bytes but the shape needs 3 elements of 1 byte = 3');
  const out = Float32Array.from([1, 2, 3, 4]).subarray(1, 3);
  const bytes = encodeBinaryData(out);
  assert.equal(bytes.buffer, out.buffer);
  assert.equal(bytes.byteOffset, 4);
  assert.equal(bytes.byteLength, 8);
});
