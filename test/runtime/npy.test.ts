/**
 * .npy files: what numpy itself writes (every supported dtype, both byte orders, format versions 1.0,
 * 2.0 and 3.0, scalars and empty arrays) reads back to the same values; what we write numpy reads back;
 * and damaged or unsupported files fail with one clear error before any allocation they would size.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { decodeFloat16Array, encodeFloat16Array } from '../../src/ir/float16.js';
import { decodeNpy, encodeNpy, readNpyFile } from '../../src/runtime/npy.js';
import type { PlainTensor } from '../../src/runtime/plain-tensor.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlserve-npy-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const numpyAvailable = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function python(script: string, ...args: string[]): string {
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

function invalidReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MlserveError, String(e));
    assert.equal(e.code, 'MLS_ERR_TENSOR_FILE_INVALID');
    return (e.details as { reason: string }).reason;
  }
  assert.fail('expected an error');
}

/** Values as JSON-comparable numbers (bigints exact as strings, float16 decoded). */
function values(t: PlainTensor): unknown[] {
  if (t.dtype === 'float16') return Array.from(decodeFloat16Array(t.data as Uint16Array));
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
}

describe('files written by numpy', { skip: !numpyAvailable && 'numpy is not installed for /usr/bin/python3' }, () => {
  // Each case: file name, numpy expression, version; python prints dtype name, shape and values.
  const cases: Array<[string, string, string]> = [
    ['f4.npy', "np.array([[1.5, -2.25, 3e-8], [1e38, -0.0, 7]], dtype='<f4')", 'None'],
    ['f8_be.npy', "np.array([1/3, -1e300, 2.5], dtype='>f8')", 'None'],
    ['f2.npy', "np.array([0.5, -1.0, 65504, 6e-8], dtype='<f2')", 'None'],
    ['f2_be.npy', "np.array([0.5, -1.0, 2.0], dtype='>f2')", 'None'],
    ['i1.npy', "np.array([-128, 0, 127], dtype='i1')", 'None'],
    ['u1.npy', "np.array([0, 200, 255], dtype='u1')", 'None'],
    ['i2_be.npy', "np.array([-30000, 1, 2], dtype='>i2')", 'None'],
    ['u2.npy', "np.array([65535, 1], dtype='<u2')", 'None'],
    ['i4.npy', "np.arange(-6, 6, dtype='<i4').reshape(3, 2, 2)", 'None'],
    ['u4_be.npy', "np.array([4000000000, 7], dtype='>u4')", 'None'],
    ['i8.npy', "np.array([-9223372036854775808, 9223372036854775807, 16000], dtype='<i8')", 'None'],
    ['i8_be.npy', "np.array([[-5, 1 << 40]], dtype='>i8')", 'None'],
    ['u8.npy', "np.array([18446744073709551615, 3], dtype='<u8')", 'None'],
    ['b1.npy', 'np.array([[True, False, True]])', 'None'],
    ['scalar.npy', "np.array(16000, dtype='<i8')", 'None'],
    ['empty.npy', "np.zeros((0, 3), dtype='<f4')", 'None'],
    ['v2.npy', "np.arange(5, dtype='<f4')", '(2, 0)'],
    ['v3.npy', "np.arange(4, dtype='>i4').reshape(2, 2)", '(3, 0)'],
  ];
  const script = `
import json, sys, numpy as np
out = {}
for name, expr, version in json.loads(sys.argv[2]):
    a = eval(expr)
    with open(sys.argv[1] + '/' + name, 'wb') as f:
        np.lib.format.write_array(f, a, version=eval(version), allow_pickle=False)
    vals = a.astype(np.float64).ravel().tolist() if a.dtype.kind == 'f' else [str(v) if a.dtype.itemsize == 8 else int(v) for v in a.ravel().tolist()]
    out[name] = [np.dtype(a.dtype.newbyteorder('=')).name, list(a.shape), vals]
print(json.dumps(out))
`;
  const expected = JSON.parse(python(script, tmp, JSON.stringify(cases))) as Record<string, [string, number[], unknown[]]>;
  const ONNX_NAME: Record<string, string> = { bool: 'bool' };

  for (const [name] of cases) {
    test(name, () => {
      const [dtype, shape, vals] = expected[name]!;
      const t = readNpyFile(path.join(tmp, name));
      assert.equal(t.dtype, ONNX_NAME[dtype] ?? dtype);
      assert.deepEqual(t.dims, shape);
      const got = values(t);
      if (t.dtype === 'bool') assert.deepEqual(got, (vals as unknown[]).map((v) => (v === 'True' || v === 1 ? 1 : 0)));
      else if (t.dtype.startsWith('float')) assert.deepEqual(got.map(Number), vals);
      else assert.deepEqual(got.map(String), (vals as unknown[]).map(String));
    });
  }

  test('a Fortran-ordered matrix is refused with what to do instead', () => {
    python("import sys, numpy as np; np.save(sys.argv[1], np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))", path.join(tmp, 'fortran.npy'));
    assert.match(invalidReason(() => readNpyFile(path.join(tmp, 'fortran.npy'))), /Fortran \(column-major\) order.*ascontiguousarray/);
  });

  test('unsupported dtypes are named: complex, unicode, structured, object', () => {
    python(`
import sys, numpy as np
d = sys.argv[1]
np.save(d + '/c8.npy', np.array([1+2j], dtype='<c8'))
np.save(d + '/u.npy', np.array(['ab', 'c']))
np.save(d + '/rec.npy', np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')]))
np.save(d + '/obj.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)
`, tmp);
    assert.match(invalidReason(() => readNpyFile(path.join(tmp, 'c8.npy'))), /'<c8' \(complex numbers\) is not supported/);
    assert.match(invalidReason(() => readNpyFile(path.join(tmp, 'u.npy'))), /'<U2' \(unicode strings\)/);
    assert.match(invalidReason(() => readNpyFile(path.join(tmp, 'rec.npy'))), /structured dtypes/);
    assert.match(invalidReason(() => readNpyFile(path.join(tmp, 'obj.npy'))), /'\|O' \(Python objects\)/);
  });

  test('numpy reads what encodeNpy writes, values and dtype intact', () => {
    const tensors: Record<string, PlainTensor> = {
      'w_f32.npy': { dtype: 'float32', dims: [2, 2], data: Float32Array.from([1.5, -2, 0.1, 3]) },
      'w_f16.npy': { dtype: 'float16', dims: [3], data: encodeFloat16Array([0.5, -1, 2]) },
      'w_i64.npy': { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
      'w_u8.npy': { dtype: 'uint8', dims: [1, 3], data: Uint8Array.from([0, 128, 255]) },
      'w_bool.npy': { dtype: 'bool', dims: [2], data: Uint8Array.from([1, 0]) },
      'w_f64.npy': { dtype: 'float64', dims: [1], data: Float64Array.from([1 / 3]) },
    };
    for (const [name, t] of Object.entries(tensors)) fs.writeFileSync(path.join(tmp, name), encodeNpy(t));
    const read = JSON.parse(python(`
import json, sys, numpy as np
out = {}
for name in sys.argv[2:]:
    a = np.load(sys.argv[1] + '/' + name)
    out[name] = [a.dtype.str, list(a.shape), [float(v) for v in a.ravel().tolist()]]
print(json.dumps(out))
`, tmp, ...Object.keys(tensors))) as Record<string, [string, number[], number[]]>;
    assert.deepEqual(read['w_f32.npy'], ['<f4', [2, 2], Array.from(Float32Array.from([1.5, -2, 0.1, 3]))]);
    assert.deepEqual(read['w_f16.npy'], ['<f2', [3], [0.5, -1, 2]]);
    assert.deepEqual(read['w_i64.npy'], ['<i8', [], [16000]]);
    assert.deepEqual(read['w_u8.npy'], ['|u1', [1, 3], [0, 128, 255]]);
    assert.deepEqual(read['w_bool.npy'], ['|b1', [2], [1, 0]]);
    assert.deepEqual(read['w_f64.npy'], ['<f8', [1], [1 / 3]]);
  });
});

describe('encodeNpy → decodeNpy', () => {
  test('every dtype round-trips exactly, and the data starts 64-byte aligned', () => {
    const tensors: PlainTensor[] = [
      { dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, -2, 3.5, NaN, Infinity, -0]) },
      { dtype: 'float64', dims: [2], data: Float64Array.from([Math.PI, -1e-300]) },
      { dtype: 'float16', dims: [2], data: Uint16Array.from([0x3c00, 0xfbff]) },
      { dtype: 'int8', dims: [2], data: Int8Array.from([-128, 127]) },
      { dtype: 'uint8', dims: [1], data: Uint8Array.from([255]) },
      { dtype: 'int16', dims: [1], data: Int16Array.from([-32768]) },
      { dtype: 'uint16', dims: [1], data: Uint16Array.from([65535]) },
      { dtype: 'int32', dims: [1, 1], data: Int32Array.from([-2147483648]) },
      { dtype: 'uint32', dims: [1], data: Uint32Array.from([4294967295]) },
      { dtype: 'int64', dims: [], data: BigInt64Array.from([-(2n ** 63n)]) },
      { dtype: 'uint64', dims: [1], data: BigUint64Array.from([2n ** 64n - 1n]) },
      { dtype: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) },
      { dtype: 'float32', dims: [0, 4], data: new Float32Array(0) },
    ];
    for (const t of tensors) {
      const bytes = encodeNpy(t);
      const headerLength = new DataView(bytes.buffer).getUint16(8, true);
      assert.equal((10 + headerLength) % 64, 0);
      const back = decodeNpy(bytes);
      assert.equal(back.dtype, t.dtype);
      assert.deepEqual(back.dims, t.dims);
      assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>));
    }
  });

  test('strings cannot be written', () => {
    assert.throws(() => encodeNpy({ dtype: 'string', dims: [1], data: ['a'] }), /writing string tensors as \.npy/);
  });
});

describe('damaged files: one error, no allocation sized by the header', () => {
  const good = encodeNpy({ dtype: 'float32', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
  const withHeader = (header: string, data = new Uint8Array(0), version = 1): Uint8Array => {
    const pre = version === 1 ? 10 : 12;
    const out = new Uint8Array(pre + header.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const view = new DataView(out.buffer);
    if (version === 1) view.setUint16(8, header.length, true);
    else view.setUint32(8, header.length, true);
    for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
    out.set(data, pre + header.length);
    return out;
  };

  test('not an .npy file at all', () => {
    assert.match(invalidReason(() => decodeNpy(new TextEncoder().encode('hello, world'))), /no \\x93NUMPY magic/);
    assert.match(invalidReason(() => decodeNpy(new Uint8Array(0))), /magic/);
  });

  test('cut short: in the header, and in the data', () => {
    assert.match(invalidReason(() => decodeNpy(good.subarray(0, 40))), /header claims \d+ bytes/);
    assert.match(invalidReason(() => decodeNpy(good.subarray(0, good.length - 1))), /needs 16 data bytes but the file has 15/);
  });

  test('a header length or a shape far beyond the file fails on the size check', () => {
    const huge = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000), }\n", new Uint8Array(8));
    assert.match(invalidReason(() => decodeNpy(huge)), /needs 4e\+22 data bytes but the file has 8/);
    const bigHeader = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4), 2);
    new DataView(bigHeader.buffer).setUint32(8, 0xfffffff0, true);
    assert.match(invalidReason(() => decodeNpy(bigHeader)), /header claims 4294967280 bytes/);
  });

  test('extra bytes after the data are an error, not ignored', () => {
    const padded = new Uint8Array(good.length + 4);
    padded.set(good);
    assert.match(invalidReason(() => decodeNpy(padded)), /needs 16 data bytes but the file has 20/);
  });

  test('malformed headers are reported, never evaluated', () => {
    assert.match(invalidReason(() => decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': False}\n"))), /no 'shape' tuple/);
    assert.match(invalidReason(() => decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}\n"))), /malformed header/);
    assert.match(invalidReason(() => decodeNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n"))), /malformed header \(expected a non-negative integer/);
    assert.match(invalidReason(() => decodeNpy(withHeader("__import__('os').system('true')\n"))), /malformed header \(expected '\{'/);
    assert.match(invalidReason(() => decodeNpy(withHeader("{'descr': '=f4', 'fortran_order': False, 'shape': (1,)}\n", new Uint8Array(4)))), /native byte order/);
    const v9 = Uint8Array.from(good);
    v9[6] = 9;
    assert.match(invalidReason(() => decodeNpy(v9)), /version 9\.0 is not supported/);
  });

  test('errors name the file they came from', () => {
    const file = path.join(tmp, 'short.npy');
    fs.writeFileSync(file, good.subarray(0, good.length - 2));
    assert.throws(() => readNpyFile(file), (e: unknown) => e instanceof MlserveError && e.message.startsWith(`${file}: not a readable tensor file: `));
    assert.throws(() => readNpyFile(path.join(tmp, 'absent.npy')), (e: unknown) => e instanceof MlserveError && e.code === 'MLS_ERR_FILE_NOT_FOUND');
  });
});
