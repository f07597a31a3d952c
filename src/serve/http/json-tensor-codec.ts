/**
 * Tensor data in the KServe v2 JSON form: `data` is an array of the tensor's elements in row-major order,
 * flat or nested to any depth (nesting is only flattened, never checked against the shape: the element
 * count is). BOOL elements are true/false, BYTES elements strings, every other type numbers; FP16 travels
 * as numbers and is rounded to float16 here (onnxruntime takes float16 as bit patterns).
 *
 * Output data is written flat, as Triton writes it. JSON has no NaN or ±Infinity, so a non-finite float is
 * written as null — ask for the output as binary data when that matters. INT64/UINT64 are written exactly
 * (JSON numbers have no size limit; JavaScript's JSON.parse would round past 2^53, but that is the reader's
 * choice to make).
 */
import { decodeFloat16Array, numberToFloat16Bits } from '../../ir/float16.js';
import { allocateData, type Tensor, type TensorData, type TensorDType } from '../tensor.js';

const INT_RANGE: Readonly<Partial<Record<TensorDType, readonly [number, number]>>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
  // Past 2^53 a JSON number has already been rounded by the parser; the range still bounds it.
  int64: [-(2 ** 63), 2 ** 63 - 1], uint64: [0, 2 ** 64 - 1],
};

/**
 * The storage array of `dtype` holding the elements of `data` (flat or nested arrays), or the reason it
 * cannot be read: not an array, an element of the wrong kind or out of range, or a count other than `count`.
 */
export function decodeJsonData(data: unknown, dtype: TensorDType, count: number): TensorData | string {
  if (!Array.isArray(data)) return `'data' must be an array, got ${data === null ? 'null' : typeof data}`;
  // Nested data is the common case for images; Array.prototype.flat is native and keeps the flat case free.
  const flat: unknown[] = data.some(Array.isArray) ? data.flat(Infinity) : data;
  if (flat.length !== count) return `'data' holds ${flat.length} elements but the shape needs ${count}`;
  const out = allocateData(dtype, count);
  const wrong = (i: number, want: string) => `data element ${i} is ${(JSON.stringify(flat[i]) ?? typeof flat[i]).slice(0, 40)}, expected ${want}`;
  switch (dtype) {
    case 'string': {
      const strings = out as string[];
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'string') return wrong(i, 'a string (BYTES)');
        strings[i] = v;
      }
      return out;
    }
    case 'bool': {
      const bytes = out as Uint8Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'boolean') return wrong(i, 'true or false (BOOL)');
        bytes[i] = v ? 1 : 0;
      }
      return out;
    }
    case 'float16': {
      const bits = out as Uint16Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'number') return wrong(i, 'a number');
        bits[i] = numberToFloat16Bits(v);
      }
      return out;
    }
    case 'float32':
    case 'float64': {
      const floats = out as Float32Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'number') return wrong(i, 'a number');
        floats[i] = v;
      }
      return out;
    }
    case 'int64':
    case 'uint64': {
      const [min, max] = INT_RANGE[dtype]!;
      const big = out as BigInt64Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return wrong(i, `an integer in ${dtype}'s range`);
        big[i] = BigInt(v);
      }
      return out;
    }
    default: {
      const [min, max] = INT_RANGE[dtype]!;
      const ints = out as Int32Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return wrong(i, `an integer in ${dtype}'s range [${min}, ${max}]`);
        ints[i] = v;
      }
      return out;
    }
  }
}

/** The JSON text of `t`'s elements as one flat array. */
export function encodeJsonData(t: Tensor): string {
  const d = t.data;
  switch (t.dtype) {
    case 'string':
      return JSON.stringify(d);
    case 'bool':
      return `[${Array.from(d as Uint8Array, (b) => (b ? 'true' : 'false')).join(',')}]`;
    case 'int64':
    case 'uint64':
      // bigint's toString is exact; JSON.stringify refuses bigints.
      return `[${(d as BigInt64Array).join(',')}]`;
    case 'float16':
      return floatsJson(decodeFloat16Array(d as Uint16Array));
    case 'float32':
    case 'float64':
      return floatsJson(d as Float32Array);
    default:
      return `[${(d as Int32Array).join(',')}]`;
  }
}

function floatsJson(values: Float32Array | Float64Array): string {
  // join() writes NaN and Infinity, which JSON has no words for; they are rare, so check once first.
  let finite = true;
  for (let i = 0; i < values.length && finite; i++) finite = Number.isFinite(values[i]!);
  if (finite) return `[${values.join(',')}]`;
  return `[${Array.from(values, (v) => (Number.isFinite(v) ? String(v) : 'null')).join(',')}]`;
}
