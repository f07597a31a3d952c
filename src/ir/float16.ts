/**
 * Narrow floating-point formats that JavaScript has no type for: float16 and bfloat16 both ways
 * (exact round-to-nearest-even, overflow to ±Inf, subnormals, NaN kept NaN), and decoding of the
 * float8 and float4 codes ONNX stores (ONNX tensors keep them as raw bit patterns, which is what
 * tensor-data.ts hands out; these functions give the values).
 *
 * Encoders round the exact value of a JS number, so a float64 is rounded once, never through float32
 * first (double rounding would turn some ties the wrong way).
 */

/** An IEEE-754-style binary format with `exp` exponent bits and `mant` stored mantissa bits. */
interface IeeeFormat { readonly exp: number; readonly mant: number }

const FLOAT16: IeeeFormat = { exp: 5, mant: 10 };
const BFLOAT16: IeeeFormat = { exp: 8, mant: 7 };

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f; // exact: q has at most 53 significant bits and f is its integer part
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

function encodeIeee(value: number, { exp, mant }: IeeeFormat): number {
  const expMask = (1 << exp) - 1;
  const bias = (expMask >> 1);
  if (Number.isNaN(value)) return (expMask << mant) | (1 << (mant - 1)); // the canonical quiet NaN
  const sign = value < 0 || Object.is(value, -0) ? 1 << (exp + mant) : 0;
  const a = Math.abs(value);
  // Halfway between the largest finite value and 2^(bias+1): the largest finite mantissa is odd,
  // so a tie rounds up, to infinity.
  if (a >= (2 - 2 ** -(mant + 1)) * 2 ** bias) return sign | (expMask << mant);
  const eMin = 1 - bias;
  if (a < 2 ** eMin) {
    // Subnormal (or zero): a count of the smallest subnormal. Rounding up to 2^mant gives the
    // smallest normal's bit pattern, which is right.
    return sign | roundHalfEven(a * 2 ** (mant - eMin));
  }
  let e = Math.floor(Math.log2(a));
  // Math.log2 may be off by one next to a power of two; powers of two are exact, so fix it up.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const m = roundHalfEven(a * 2 ** (mant - e)); // in [2^mant, 2^(mant+1)]; the top end carries into e
  return sign | (((e + bias) << mant) + (m - (1 << mant)));
}

function decodeIeee(bits: number, { exp, mant }: IeeeFormat): number {
  const expMask = (1 << exp) - 1;
  const bias = expMask >> 1;
  const sign = (bits >> (exp + mant)) & 1 ? -1 : 1;
  const e = (bits >> mant) & expMask;
  const m = bits & ((1 << mant) - 1);
  if (e === expMask) return m === 0 ? sign * Infinity : Number.NaN;
  if (e === 0) return sign * m * 2 ** (1 - bias - mant);
  return sign * (2 ** mant + m) * 2 ** (e - bias - mant);
}

/** The value of float16 bits (0..0xffff). Exact: every float16 is a float32. */
export function float16BitsToNumber(bits: number): number {
  return decodeIeee(bits & 0xffff, FLOAT16);
}

/** The float16 bits nearest to `value` (ties to even); beyond ±65504 (+half an ulp) it is ±Inf, NaN is 0x7e00. */
export function numberToFloat16Bits(value: number): number {
  return encodeIeee(value, FLOAT16);
}

/** The value of bfloat16 bits (0..0xffff): the top half of a float32. */
export function bfloat16BitsToNumber(bits: number): number {
  return decodeIeee(bits & 0xffff, BFLOAT16);
}

/** The bfloat16 bits nearest to `value` (ties to even); NaN is 0x7fc0. */
export function numberToBfloat16Bits(value: number): number {
  return encodeIeee(value, BFLOAT16);
}

let float16Table: Float32Array | undefined;

/** float16 bits → float32 values (a 256 KiB table, built on first use, makes large weights fast). */
export function decodeFloat16Array(bits: Uint16Array): Float32Array {
  if (!float16Table) {
    float16Table = new Float32Array(0x10000);
    for (let i = 0; i < 0x10000; i++) float16Table[i] = decodeIeee(i, FLOAT16);
  }
  const table = float16Table;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** Values → float16 bits, each rounded to nearest even. */
export function encodeFloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeIeee(values[i]!, FLOAT16);
  return out;
}

/** bfloat16 bits → float32 values: the bits become the top half of each float32 (NaN payloads kept). */
export function decodeBfloat16Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  // Same-buffer Float32Array/Uint32Array views share the host's byte order, so this is endian-safe.
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16 >>> 0;
  return out;
}

/**
 * Values → bfloat16 bits, each rounded to nearest even. A Float32Array is rounded on its bits (the
 * usual float32 → bfloat16 conversion, which keeps NaN payloads); other inputs go through the exact
 * rounding of numberToBfloat16Bits. Both give the same bits for every float32 value that is not NaN.
 */
export function encodeBfloat16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  if (values instanceof Float32Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if ((w & 0x7fffffff) > 0x7f800000) out[i] = (w >>> 16) | 0x40; // NaN: stay NaN, quiet
      else out[i] = (w + 0x7fff + ((w >>> 16) & 1)) >>> 16;
    }
    return out;
  }
  for (let i = 0; i < values.length; i++) out[i] = encodeIeee(values[i]!, BFLOAT16);
  return out;
}

/** The float8 formats ONNX defines (FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0). */
export type Float8Format = 'e4m3fn' | 'e4m3fnuz' | 'e5m2' | 'e5m2fnuz' | 'e8m0';

/**
 * The value of a float8 code (0..255). "fn" formats have no infinities (e4m3fn: only S.1111.111 is NaN);
 * "uz" formats have no negative zero: 0x80 is their one NaN, and their exponent bias is one more.
 * e8m0 is an unsigned power of two, 2^(code-127), with 0xff as NaN.
 */
export function float8ToNumber(code: number, format: Float8Format): number {
  code &= 0xff;
  if (format === 'e8m0') return code === 0xff ? Number.NaN : 2 ** (code - 127);
  const mant = format === 'e5m2' || format === 'e5m2fnuz' ? 2 : 3;
  const expMask = format.startsWith('e5') ? 0x1f : 0xf;
  const uz = format.endsWith('uz');
  const bias = (expMask >> 1) + (uz ? 1 : 0);
  if (uz && code === 0x80) return Number.NaN;
  const sign = code & 0x80 ? -1 : 1;
  const e = (code >> mant) & expMask;
  const m = code & ((1 << mant) - 1);
  if (format === 'e5m2' && e === expMask) return m === 0 ? sign * Infinity : Number.NaN;
  if (format === 'e4m3fn' && e === expMask && m === (1 << mant) - 1) return Number.NaN;
  if (e === 0) return sign * m * 2 ** (1 - bias - mant);
  return sign * (2 ** mant + m) * 2 ** (e - bias - mant);
}

/** The value of a FLOAT4E2M1 code (0..15): sign, 2 exponent bits (bias 1), 1 mantissa bit; no Inf or NaN. */
export function float4e2m1ToNumber(code: number): number {
  const sign = code & 0x8 ? -1 : 1;
  const e = (code >> 1) & 0x3;
  const m = code & 1;
  return sign * (e === 0 ? m * 0.5 : (2 + m) * 2 ** (e - 2));
}
