import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bfloat16BitsToNumber, decodeBfloat16Array, decodeFloat16Array, encodeBfloat16Array, encodeFloat16Array,
  float16BitsToNumber, float4e2m1ToNumber, float8ToNumber, numberToBfloat16Bits, numberToFloat16Bits,
} from '../../src/ir/float16.js';

const isNaNBits16 = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
const isNaNBitsBf16 = (bits: number) => (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;

test('float16: known bit patterns', () => {
  assert.equal(numberToFloat16Bits(1), 0x3c00);
  assert.equal(numberToFloat16Bits(-2), 0xc000);
  assert.equal(numberToFloat16Bits(65504), 0x7bff);
  assert.equal(numberToFloat16Bits(2 ** -24), 0x0001);
  assert.equal(numberToFloat16Bits(2 ** -14), 0x0400);
  assert.equal(numberToFloat16Bits(0), 0x0000);
  assert.equal(numberToFloat16Bits(-0), 0x8000);
  assert.equal(numberToFloat16Bits(Infinity), 0x7c00);
  assert.equal(numberToFloat16Bits(-Infinity), 0xfc00);
  assert.equal(float16BitsToNumber(0x3c00), 1);
  assert.equal(float16BitsToNumber(0x7bff), 65504);
  assert.equal(float16BitsToNumber(0x0001), 2 ** -24);
  assert.equal(float16BitsToNumber(0x03ff), 1023 * 2 ** -24);
  assert.equal(float16BitsToNumber(0x7c00), Infinity);
  assert.equal(float16BitsToNumber(0xfc00), -Infinity);
  assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
  assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
  assert.ok(Number.isNaN(float16BitsToNumber(0x7c01)));
  assert.ok(Number.isNaN(float16BitsToNumber(0xfe00)));
});

test('float16: overflow, underflow and NaN', () => {
  assert.equal(numberToFloat16Bits(65519.99), 0x7bff); // just under the halfway point to 2^16
  assert.equal(numberToFloat16Bits(65520), 0x7c00); // the tie goes to the even neighbour: Inf
  assert.equal(numberToFloat16Bits(1e6), 0x7c00);
  assert.equal(numberToFloat16Bits(-1e300), 0xfc00);
  assert.equal(numberToFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal: 0 is even
  assert.equal(numberToFloat16Bits(-(2 ** -25)), 0x8000);
  assert.equal(numberToFloat16Bits(2 ** -25 * 1.0000001), 0x0001);
  assert.equal(numberToFloat16Bits(3 * 2 ** -25), 0x0002); // 1.5 subnormal steps: tie to 2
  assert.equal(numberToFloat16Bits(1e-8), 0x0000);
  assert.equal(numberToFloat16Bits(Number.MIN_VALUE), 0x0000);
  assert.equal(numberToFloat16Bits(2 ** -14 - 2 ** -25), 0x0400); // rounds up out of the subnormals
  assert.ok(isNaNBits16(numberToFloat16Bits(Number.NaN)));
  assert.ok(Number.isNaN(float16BitsToNumber(numberToFloat16Bits(Number.NaN))));
});

test('float16: ties round to even, as numpy does', () => {
  // Expected bits from numpy: np.array(v, np.float64).astype(np.float16).view(np.uint16)
  const cases: [number, number][] = [
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66], [2 ** -14 - 2 ** -26, 0x0400],
    [2049, 0x6800], [2051, 0x6802], [2050, 0x6801], [-2049, 0xe800],
  ];
  for (const [v, bits] of cases) assert.equal(numberToFloat16Bits(v), bits, `${v}`);
});

test('float16: every value round-trips, and every midpoint rounds to the even neighbour', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const v = float16BitsToNumber(bits);
    if (isNaNBits16(bits)) {
      assert.ok(Number.isNaN(v));
      continue;
    }
    assert.equal(numberToFloat16Bits(v), bits, `bits 0x${bits.toString(16)}`);
    // The value is a float32, so Math.fround leaves it alone.
    assert.equal(Math.fround(v), v);
    const next = bits + 1;
    if ((bits & 0x7fff) >= 0x7bff) continue; // no finite neighbour above
    const w = float16BitsToNumber(next);
    const mid = (v + w) / 2; // exact in float64
    const even = (bits & 1) === 0 ? bits : next;
    assert.equal(numberToFloat16Bits(mid), even, `midpoint above 0x${bits.toString(16)}`);
    const up = mid + Math.abs(w - v) * 2 ** -20;
    const down = mid - Math.abs(w - v) * 2 ** -20;
    // For negative numbers "next" is further from zero.
    const [nearUp, nearDown] = v >= 0 && !Object.is(v, -0) ? [next, bits] : [bits, next];
    assert.equal(numberToFloat16Bits(up), nearUp, `above midpoint of 0x${bits.toString(16)}`);
    assert.equal(numberToFloat16Bits(down), nearDown, `below midpoint of 0x${bits.toString(16)}`);
  }
});

test('float16 arrays agree with the scalar conversions', () => {
  const all = new Uint16Array(0x10000).map((_, i) => i);
  const decoded = decodeFloat16Array(all);
  for (let i = 0; i < all.length; i++) {
    const v = float16BitsToNumber(i);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(decoded[i]!));
    else assert.ok(Object.is(decoded[i], v), `0x${i.toString(16)}`);
  }
  const values = [1, 65504, 65520, 2 ** -24, -0, Number.NaN, 0.1, 1e-8];
  assert.deepEqual([...encodeFloat16Array(values)], values.map(numberToFloat16Bits));
  assert.deepEqual([...encodeFloat16Array(Float32Array.from(values))], values.map((v) => numberToFloat16Bits(Math.fround(v))));
});

test('float16 from float64 rounds once, not through float32', () => {
  // Just above the midpoint between 1 and 1+2^-10: float32 rounding would land exactly on the
  // midpoint (a tie, to even: 1.0); the exact value rounds up.
  const v = 1 + 2 ** -11 + 2 ** -40;
  assert.equal(Math.fround(v), 1 + 2 ** -11);
  assert.equal(numberToFloat16Bits(v), 0x3c01);
  assert.equal(numberToFloat16Bits(Math.fround(v)), 0x3c00);
});

test('bfloat16: known bit patterns, overflow, subnormals, NaN', () => {
  assert.equal(numberToBfloat16Bits(1), 0x3f80);
  assert.equal(numberToBfloat16Bits(-2), 0xc000);
  assert.equal(numberToBfloat16Bits(3.140625), 0x4049);
  assert.equal(bfloat16BitsToNumber(0x4049), 3.140625);
  assert.equal(bfloat16BitsToNumber(0x7f7f), 255 * 2 ** 120); // the largest finite bfloat16
  assert.equal(numberToBfloat16Bits(255 * 2 ** 120), 0x7f7f);
  assert.equal(numberToBfloat16Bits(3.4028234663852886e38), 0x7f80); // float32 max rounds up to Inf
  assert.equal(numberToBfloat16Bits(2 ** -133), 0x0001); // the smallest subnormal
  assert.equal(bfloat16BitsToNumber(0x0001), 2 ** -133);
  assert.equal(numberToBfloat16Bits(2 ** -134), 0x0000); // tie to even: zero
  assert.equal(numberToBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie to even: down
  assert.equal(numberToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie to even: up
  assert.equal(numberToBfloat16Bits(Infinity), 0x7f80);
  assert.equal(numberToBfloat16Bits(-Infinity), 0xff80);
  assert.ok(isNaNBitsBf16(numberToBfloat16Bits(Number.NaN)));
  assert.ok(Number.isNaN(bfloat16BitsToNumber(0x7fc0)));
  assert.ok(Number.isNaN(bfloat16BitsToNumber(0xff81)));
});

test('bfloat16: every value round-trips, and every midpoint rounds to the even neighbour', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const v = bfloat16BitsToNumber(bits);
    if (isNaNBitsBf16(bits)) continue;
    assert.equal(numberToBfloat16Bits(v), bits);
    if ((bits & 0x7fff) >= 0x7f7f) continue;
    const w = bfloat16BitsToNumber(bits + 1);
    const even = (bits & 1) === 0 ? bits : bits + 1;
    assert.equal(numberToBfloat16Bits((v + w) / 2), even, `midpoint above 0x${bits.toString(16)}`);
  }
});

test('bfloat16 arrays: the float32 bit path agrees with exact rounding, NaN stays NaN', () => {
  // Deterministic pseudo-random float32 bit patterns plus the edge cases.
  const words = new Uint32Array(20000);
  let x = 0x12345678;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    words[i] = x >>> 0;
  }
  words.set([0x3f808000, 0x3f818000, 0x7f7fffff, 0xff7fffff, 0x00008000, 0x00018000, 0x7f800000, 0x7fc00000, 0x7f800001, 0xffffffff, 0x80000000], 0);
  const floats = new Float32Array(words.buffer);
  const fast = encodeBfloat16Array(floats);
  const exact = encodeBfloat16Array(Array.from(floats));
  for (let i = 0; i < floats.length; i++) {
    if (Number.isNaN(floats[i])) {
      assert.ok(isNaNBitsBf16(fast[i]!), `NaN 0x${words[i]!.toString(16)} → 0x${fast[i]!.toString(16)}`);
      assert.ok(isNaNBitsBf16(exact[i]!));
    } else {
      assert.equal(fast[i], exact[i], `0x${words[i]!.toString(16)}`);
    }
  }
  assert.equal(fast[2], 0x7f80); // float32 max rounds to Inf
  assert.equal(fast[8], 0x7fc0); // a signalling NaN becomes a quiet NaN, not Inf
  const back = decodeBfloat16Array(Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x0001, 0x7fc1]));
  assert.deepEqual([...back.subarray(0, 4)], [1, -2, Infinity, 2 ** -133]);
  assert.ok(Number.isNaN(back[4]));
});

test('float8 codes decode per format', () => {
  const cases: [Parameters<typeof float8ToNumber>[1], number, number][] = [
    ['e4m3fn', 0x38, 1], ['e4m3fn', 0xb8, -1], ['e4m3fn', 0x7e, 448], ['e4m3fn', 0x01, 2 ** -9], ['e4m3fn', 0x78, 256],
    ['e4m3fnuz', 0x40, 1], ['e4m3fnuz', 0x7f, 240], ['e4m3fnuz', 0x01, 2 ** -10], ['e4m3fnuz', 0x00, 0],
    ['e5m2', 0x3c, 1], ['e5m2', 0x7b, 57344], ['e5m2', 0x7c, Infinity], ['e5m2', 0xfc, -Infinity], ['e5m2', 0x01, 2 ** -16],
    ['e5m2fnuz', 0x40, 1], ['e5m2fnuz', 0x7f, 57344], ['e5m2fnuz', 0x01, 2 ** -17], ['e5m2fnuz', 0xc0, -1],
    ['e8m0', 127, 1], ['e8m0', 0, 2 ** -127], ['e8m0', 254, 2 ** 127], ['e8m0', 130, 8],
  ];
  for (const [format, code, value] of cases) assert.equal(float8ToNumber(code, format), value, `${format} 0x${code.toString(16)}`);
  for (const [format, code] of [['e4m3fn', 0x7f], ['e4m3fn', 0xff], ['e4m3fnuz', 0x80], ['e5m2', 0x7d], ['e5m2', 0xff], ['e5m2fnuz', 0x80], ['e8m0', 0xff]] as const) {
    assert.ok(Number.isNaN(float8ToNumber(code, format)), `${format} 0x${code.toString(16)} is NaN`);
  }
  // e4m3fn has no infinity: exponent all ones with a mantissa other than 111 is a number.
  assert.equal(float8ToNumber(0x7c, 'e4m3fn'), 384);
});

test('float4e2m1 codes decode to the eight magnitudes and their negatives', () => {
  const values = Array.from({ length: 16 }, (_, c) => float4e2m1ToNumber(c));
  assert.deepEqual(values.slice(0, 8), [0, 0.5, 1, 1.5, 2, 3, 4, 6]);
  assert.deepEqual(values.slice(9), [-0.5, -1, -1.5, -2, -3, -4, -6]);
  assert.ok(Object.is(values[8], -0));
});
