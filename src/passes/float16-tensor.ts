/**
 * A float32 tensor as float16, with the values float16 cannot hold clamped and counted:
 *  - beyond ±65504 (the largest finite float16) → ±65504, instead of becoming ±Inf;
 *  - non-zero but so small float16 would round it to 0 (|x| ≤ 2⁻²⁵) → ±2⁻²⁴, the smallest
 *    subnormal, so an epsilon added before a division or a square root never becomes 0.
 * ±Inf and NaN stay what they are (an exporter's -Inf mask is meant). Everything else is rounded
 * to nearest even, bit-exactly as numberToFloat16Bits does, but on the float32 bits: about 50×
 * faster, which matters for tens of millions of weights.
 */
import { readTensorAsFloat32, tensorDims } from '../ir/tensor-data.js';
import { makeTensor } from '../ir/tensor-data.js';
import { DataType } from '../onnx/data-type.js';
import type { TensorProto } from '../onnx/proto-types.js';

export interface Float16Conversion {
  bits: Uint16Array;
  /** Finite values beyond ±65504 set to ±65504. */
  clampedOverflow: number;
  /** Non-zero values that would have become 0, set to ±2⁻²⁴. */
  clampedUnderflow: number;
}

const MAX_HALF_BITS = 0x7bff;
/** 65504 as float32 bits. */
const MAX_HALF_AS_FLOAT = 0x477fe000;
/** 2⁻¹⁴, the smallest normal float16, as float32 bits. */
const MIN_NORMAL_AS_FLOAT = 0x38800000;
/** 2⁻²⁵ as float32 bits: at or below this float16 rounds to 0. */
const ROUNDS_TO_ZERO_AS_FLOAT = 0x33000000;

export function float32ToFloat16(values: Float32Array): Float16Conversion {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const bits = new Uint16Array(values.length);
  let clampedOverflow = 0;
  let clampedUnderflow = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const sign = (w >>> 16) & 0x8000;
    const abs = w & 0x7fffffff;
    if (abs >= 0x7f800000) {
      bits[i] = abs > 0x7f800000 ? sign | 0x7e00 : sign | 0x7c00;
    } else if (abs > MAX_HALF_AS_FLOAT) {
      // Between 65504 and 65520 rounding gives 65504 anyway; only beyond it is a value changed.
      if (Math.abs(values[i]!) >= 65520) clampedOverflow++;
      bits[i] = sign | MAX_HALF_BITS;
    } else if (abs >= MIN_NORMAL_AS_FLOAT) {
      const exponent = (abs >>> 23) - 127 + 15;
      const mantissa = abs & 0x7fffff;
      let h = (exponent << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry moves into the exponent, as it should
      bits[i] = sign | h;
    } else if (abs === 0) {
      bits[i] = sign;
    } else if (abs <= ROUNDS_TO_ZERO_AS_FLOAT) {
      clampedUnderflow++;
      bits[i] = sign | 1;
    } else {
      // Subnormal: a count of 2⁻²⁴ steps, rounded half to even (exact in float64).
      const q = Math.abs(values[i]!) * 16777216;
      const f = Math.floor(q);
      const d = q - f;
      bits[i] = sign | (d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f);
    }
  }
  return { bits, clampedOverflow, clampedUnderflow };
}

/** A float32 TensorProto as a float16 one under the same name and dims (raw_data). */
export function tensorToFloat16(tensor: TensorProto, source?: string): { tensor: TensorProto } & Omit<Float16Conversion, 'bits'> {
  const values = readTensorAsFloat32(tensor, source);
  const { bits, clampedOverflow, clampedUnderflow } = float32ToFloat16(values);
  const converted = makeTensor(tensor.name ?? '', DataType.FLOAT16!, tensorDims(tensor, source), bits);
  if (tensor.name === undefined) delete converted.name;
  if (tensor.doc_string !== undefined) converted.doc_string = tensor.doc_string;
  return { tensor: converted, clampedOverflow, clampedUnderflow };
}
