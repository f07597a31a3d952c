/**
 * Tensor batching: stacking requests along axis 0, zero padding, and splitting outputs back into each
 * request's rows as views on the batch's buffer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyTensor, sliceRows, splitOutputs, splitRows, stackInputs, stackRows } from '../../src/serve/batch.js';
import type { Tensor } from '../../src/serve/tensor.js';

/** rows × width float32 tensor whose element (r, c) is base + r * width + c. */
function ramp(rows: number, width: number, base: number): Tensor {
  return { dtype: 'float32', dims: [rows, width], data: Float32Array.from({ length: rows * width }, (_, i) => base + i) };
}

describe('stackRows', () => {
  test('3 + 2 rows padded to 8: the parts in order, then 3 zero rows', () => {
    const a = ramp(3, 2, 100);
    const b = ramp(2, 2, 200);
    const batch = stackRows([a, b], 8);
    assert.deepEqual(batch.dims, [8, 2]);
    assert.deepEqual([...batch.data as Float32Array], [100, 101, 102, 103, 104, 105, 200, 201, 202, 203, 0, 0, 0, 0, 0, 0]);
    assert.equal((batch.data as Float32Array).byteOffset, 0);
    assert.equal((batch.data as Float32Array).byteLength, (batch.data as Float32Array).buffer.byteLength, 'owns its whole buffer (transferable)');
  });

  test('a single request is copied, never aliased, so transferring the batch cannot detach the caller\'s array', () => {
    const a = ramp(2, 3, 0);
    const batch = stackRows([a]);
    assert.notEqual((batch.data as Float32Array).buffer, (a.data as Float32Array).buffer);
    assert.deepEqual([...batch.data as Float32Array], [...a.data as Float32Array]);
  });

  test('a view into a larger buffer stacks only its own elements', () => {
    const backing = new Float32Array([9, 9, 1, 2, 3, 4, 9, 9]);
    const view: Tensor = { dtype: 'float32', dims: [2, 2], data: backing.subarray(2, 6) };
    assert.deepEqual([...stackRows([view], 3).data as Float32Array], [1, 2, 3, 4, 0, 0]);
  });

  test('int64, bool and string tensors stack and pad with 0n, false and ""', () => {
    const i64 = stackRows([{ dtype: 'int64', dims: [1, 2], data: BigInt64Array.from([5n, 6n]) }], 2);
    assert.deepEqual([...i64.data as BigInt64Array], [5n, 6n, 0n, 0n]);
    const bools = stackRows([{ dtype: 'bool', dims: [1], data: Uint8Array.from([1]) }, { dtype: 'bool', dims: [1], data: Uint8Array.from([1]) }], 4);
    assert.deepEqual([...bools.data as Uint8Array], [1, 1, 0, 0]);
    const strs = stackRows([{ dtype: 'string', dims: [2], data: ['x', 'y'] }], 3);
    assert.deepEqual(strs.data, ['x', 'y', '']);
    assert.deepEqual(strs.dims, [3]);
  });

  test('stale storage (a recycled batch buffer) is overwritten: parts, then padding zeroed', () => {
    const stale = () => (_dtype: string, length: number) => new Float32Array(length).fill(-7);
    const batch = stackRows([ramp(1, 2, 10), ramp(1, 2, 20)], 4, stale());
    assert.deepEqual([...batch.data as Float32Array], [10, 11, 20, 21, 0, 0, 0, 0]);
    const i64 = stackRows([{ dtype: 'int64', dims: [1, 1], data: BigInt64Array.from([5n]) }], 3, () => BigInt64Array.from([9n, 9n, 9n]));
    assert.deepEqual([...i64.data as BigInt64Array], [5n, 0n, 0n]);
  });

  test('refuses parts whose dtype or non-batch dims differ, and a batch too small for its rows', () => {
    assert.throws(() => stackRows([ramp(1, 2, 0), ramp(1, 3, 0)]), /does not stack/);
    assert.throws(() => stackRows([ramp(1, 2, 0), { dtype: 'float64', dims: [1, 2], data: new Float64Array(2) }]), /does not stack/);
    assert.throws(() => stackRows([ramp(3, 2, 0)], 2), /do not fit/);
  });
});

describe('splitting', () => {
  test('sliceRows is a view on the same memory', () => {
    const t = ramp(4, 3, 0);
    const s = sliceRows(t, 1, 2);
    assert.deepEqual(s.dims, [2, 3]);
    assert.deepEqual([...s.data as Float32Array], [3, 4, 5, 6, 7, 8]);
    assert.equal((s.data as Float32Array).buffer, (t.data as Float32Array).buffer);
  });

  test('splitRows by 3, 2 of an 8-row batch drops the 3 padding rows', () => {
    const parts = splitRows(ramp(8, 1, 0), [3, 2]);
    assert.deepEqual(parts.map((p) => [...p.data as Float32Array]), [[0, 1, 2], [3, 4]]);
  });

  test('stack → split round trip gives each request exactly its rows, for every output', () => {
    const requests = [{ x: ramp(1, 4, 0) }, { x: ramp(3, 4, 100) }, { x: ramp(2, 4, 200) }];
    const batch = stackInputs(requests, 8);
    assert.deepEqual(batch.x!.dims, [8, 4]);
    // A model with two outputs: y = x (same shape) and z = the first element of each row, [8, 1].
    const x = batch.x!.data as Float32Array;
    const z = Float32Array.from({ length: 8 }, (_, r) => x[r * 4]!);
    const parts = splitOutputs({ y: batch.x!, z: { dtype: 'float32', dims: [8, 1], data: z } }, [1, 3, 2], 8);
    requests.forEach((req, i) => {
      assert.deepEqual([...parts[i]!.y!.data as Float32Array], [...req.x.data as Float32Array]);
      assert.deepEqual(parts[i]!.y!.dims, req.x.dims);
      assert.deepEqual(parts[i]!.z!.dims, [req.x.dims[0], 1]);
    });
    assert.deepEqual([...parts[2]!.z!.data as Float32Array], [200, 204]);
  });

  test('an output whose axis 0 is not the batch is handed whole to a lone unpadded request, and refused otherwise', () => {
    const odd: Tensor = { dtype: 'float32', dims: [1076, 2], data: new Float32Array(2152) };
    const [only] = splitOutputs({ odd }, [1], 1);
    assert.equal(only!.odd, odd);
    assert.throws(() => splitOutputs({ odd }, [1, 1], 2), /cannot be split between requests/);
    assert.throws(() => splitOutputs({ odd }, [1], 2), /cannot be split/);
  });

  test('copyTensor owns a fresh buffer, also for scalars', () => {
    const scalar: Tensor = { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) };
    const c = copyTensor(scalar);
    assert.deepEqual(c, scalar);
    assert.notEqual((c.data as BigInt64Array).buffer, (scalar.data as BigInt64Array).buffer);
  });

  test('copyTensor fills storage from an allocator (a recycled buffer) whole, and copies strings', () => {
    const stale = new Float32Array([9, 9, 9]);
    const c = copyTensor({ dtype: 'float32', dims: [3], data: Float32Array.from([1, 2, 3]) }, () => stale);
    assert.equal(c.data, stale);
    assert.deepEqual([...c.data as Float32Array], [1, 2, 3]);
    assert.deepEqual(copyTensor({ dtype: 'string', dims: [2], data: ['a', 'b'] }).data, ['a', 'b']);
  });
});
