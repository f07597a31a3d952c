import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferRecycler } from '../../src/serve/buffer-recycler.js';

test('a buffer given back is handed out again for the same byte size, in any dtype of that size', () => {
  const r = new BufferRecycler(2, 1 << 20);
  const buffer = new ArrayBuffer(32);
  r.give(buffer);
  assert.equal(r.heldBytes, 32);
  const other = r.allocate('float32', 4);
  assert.notEqual((other as Float32Array).buffer, buffer, '16 bytes: not the kept 32');
  const again = r.allocate('float64', 4) as Float64Array;
  assert.ok(again instanceof Float64Array);
  assert.equal(again.buffer, buffer);
  assert.equal(r.heldBytes, 0);
  assert.notEqual((r.allocate('float64', 4) as Float64Array).buffer, buffer, 'handed out once only');
});

test('keeps at most maxPerSize buffers of a size and maxBytes in all; strings are never recycled', () => {
  const r = new BufferRecycler(2, 100);
  for (let i = 0; i < 3; i++) r.give(new ArrayBuffer(40));
  assert.equal(r.heldBytes, 80);
  r.give(new ArrayBuffer(24));
  assert.equal(r.heldBytes, 80, 'over the byte cap: dropped');
  r.give(new ArrayBuffer(16));
  assert.equal(r.heldBytes, 96);
  assert.deepEqual(r.allocate('string', 2), ['', '']);
  assert.deepEqual([...r.allocate('uint8', 3) as Uint8Array], [0, 0, 0], 'no kept buffer: a fresh zeroed one');
});
