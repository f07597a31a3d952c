/**
 * Reads and writes the numbers in an ONNX TensorProto, for every numeric data type, whichever field
 * holds them: raw_data (little-endian bytes) or the typed fields (float_data, int32_data, int64_data,
 * double_data, uint64_data) by the rules of onnx.proto.
 *
 * Each data type has one storage array (what readTensorData returns and makeTensor stores as is):
 *   float32 → Float32Array, float64 → Float64Array, int8/int16/int32 → Int8/16/32Array,
 *   uint8/uint16/uint32 → Uint8/16/32Array, int64 → BigInt64Array, uint64 → BigUint64Array,
 *   bool → Uint8Array (0/1), float16/bfloat16 → Uint16Array of the bits (float16.ts converts),
 *   float8 types → Uint8Array of the codes, complex64/complex128 → Float32Array/Float64Array with
 *   2 numbers per element (real first), int4/int2 → Int8Array of the values, uint4/uint2/float4e2m1 →
 *   Uint8Array of the values/codes (unpacked: one element per array slot).
 *
 * The size stored is checked against the dims before anything is allocated, so a hostile shape cannot
 * size an allocation. Byte order is handled with DataView, so this is right on any host; on a
 * little-endian host an aligned raw_data is returned as a view, without copying.
 */
import { MlserveError } from '../errors.js';
import { DataType, dataTypeName, rawByteLength } from '../onnx/data-type.js';
import { createMessage } from '../onnx/codec.js';
import type { Int64, TensorProto } from '../onnx/proto-types.js';
import {
  bfloat16BitsToNumber, decodeBfloat16Array, decodeFloat16Array, encodeBfloat16Array, encodeFloat16Array,
  float16BitsToNumber, float4e2m1ToNumber, float8ToNumber, numberToBfloat16Bits, numberToFloat16Bits,
  type Float8Format,
} from './float16.js';

export type TensorArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

type TensorArrayConstructor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor
  | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** Named in errors when the caller does not say which file a tensor came from. */
const IN_MEMORY = '(in memory)';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** How one data type is stored: its storage array, and where the typed fields keep it. */
interface Storage {
  readonly array: TensorArrayConstructor;
  /** Array slots per element: 2 for complex numbers, else 1. */
  readonly perElement: number;
  /** Bits per element when several elements pack into one byte (4 or 2), else 0. */
  readonly subByte: number;
  readonly signed: boolean;
  readonly field: 'float_data' | 'double_data' | 'int32_data' | 'int64_data' | 'uint64_data';
}

function storage(array: TensorArrayConstructor, field: Storage['field'], extra: Partial<Storage> = {}): Storage {
  return { array, field, perElement: 1, subByte: 0, signed: false, ...extra };
}

const STORAGE = new Map<number, Storage>([
  [DataType.FLOAT!, storage(Float32Array, 'float_data')],
  [DataType.DOUBLE!, storage(Float64Array, 'double_data')],
  [DataType.COMPLEX64!, storage(Float32Array, 'float_data', { perElement: 2 })],
  [DataType.COMPLEX128!, storage(Float64Array, 'double_data', { perElement: 2 })],
  [DataType.INT8!, storage(Int8Array, 'int32_data')],
  [DataType.UINT8!, storage(Uint8Array, 'int32_data')],
  [DataType.INT16!, storage(Int16Array, 'int32_data')],
  [DataType.UINT16!, storage(Uint16Array, 'int32_data')],
  [DataType.INT32!, storage(Int32Array, 'int32_data')],
  [DataType.BOOL!, storage(Uint8Array, 'int32_data')],
  [DataType.FLOAT16!, storage(Uint16Array, 'int32_data')],
  [DataType.BFLOAT16!, storage(Uint16Array, 'int32_data')],
  [DataType.FLOAT8E4M3FN!, storage(Uint8Array, 'int32_data')],
  [DataType.FLOAT8E4M3FNUZ!, storage(Uint8Array, 'int32_data')],
  [DataType.FLOAT8E5M2!, storage(Uint8Array, 'int32_data')],
  [DataType.FLOAT8E5M2FNUZ!, storage(Uint8Array, 'int32_data')],
  [DataType.FLOAT8E8M0!, storage(Uint8Array, 'int32_data')],
  [DataType.INT64!, storage(BigInt64Array, 'int64_data')],
  [DataType.UINT32!, storage(Uint32Array, 'uint64_data')],
  [DataType.UINT64!, storage(BigUint64Array, 'uint64_data')],
  // Sub-byte types: int32_data holds one packed byte per entry, like raw_data's bytes.
  [DataType.INT4!, storage(Int8Array, 'int32_data', { subByte: 4, signed: true })],
  [DataType.UINT4!, storage(Uint8Array, 'int32_data', { subByte: 4 })],
  [DataType.FLOAT4E2M1!, storage(Uint8Array, 'int32_data', { subByte: 4 })],
  [DataType.INT2!, storage(Int8Array, 'int32_data', { subByte: 2, signed: true })],
  [DataType.UINT2!, storage(Uint8Array, 'int32_data', { subByte: 2 })],
]);

const FLOAT8_FORMATS = new Map<number, Float8Format>([
  [DataType.FLOAT8E4M3FN!, 'e4m3fn'], [DataType.FLOAT8E4M3FNUZ!, 'e4m3fnuz'],
  [DataType.FLOAT8E5M2!, 'e5m2'], [DataType.FLOAT8E5M2FNUZ!, 'e5m2fnuz'], [DataType.FLOAT8E8M0!, 'e8m0'],
]);

function tensorLabel(t: TensorProto): string {
  return t.name ?? '';
}

function unsupported(what: string): MlserveError {
  return new MlserveError('MLS_ERR_UNSUPPORTED', { what });
}

/** True when the tensor's data is in raw_data (an absent field reads as undefined since codec.ts removes defaults). */
export function hasRawData(t: TensorProto): boolean {
  return t.raw_data instanceof Uint8Array && Object.prototype.hasOwnProperty.call(t, 'raw_data');
}

function int64Number(v: Int64): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** The dims as numbers; a negative or non-integer dim is a corrupt tensor. */
export function tensorDims(t: TensorProto, source = IN_MEMORY): number[] {
  return (t.dims ?? []).map((d) => {
    const n = int64Number(d);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new MlserveError('MLS_ERR_MODEL_CORRUPT', { file: source, reason: `tensor '${tensorLabel(t)}' has dim ${String(d)}` });
    }
    return n;
  });
}

/** The number of elements the dims declare (1 for a scalar). Floating point, so it never wraps. */
export function tensorElementCount(t: TensorProto, source = IN_MEMORY): number {
  return tensorDims(t, source).reduce((a, b) => a * b, 1);
}

/** The storage description of a numeric tensor, refusing what cannot be read as numbers. */
function numericStorage(t: TensorProto, source: string): Storage {
  const dataType = t.data_type ?? 0;
  const name = tensorLabel(t);
  if (t.segment) throw unsupported(`tensor '${name}' is one segment of a split tensor`);
  if (t.data_location === 1 && !hasRawData(t)) {
    throw unsupported(`tensor '${name}' keeps its data in an external file that was not loaded`);
  }
  if (dataType === DataType.STRING) throw unsupported(`tensor '${name}' holds strings, not numbers (read it with readStringData)`);
  const s = STORAGE.get(dataType);
  if (!s) throw unsupported(`tensor '${name}' of data type ${dataTypeName(dataType)}: no numeric reading`);
  return s;
}

function sizeMismatch(t: TensorProto, source: string, field: string, unit: 'bytes' | 'elements', expected: number, actual: number): MlserveError {
  return new MlserveError('MLS_ERR_TENSOR_SIZE_MISMATCH', { file: source, tensor: tensorLabel(t), field, unit, expected, actual });
}

/** raw_data, once its length is checked against the dims. */
function checkedRawData(t: TensorProto, source: string): Uint8Array {
  const raw = t.raw_data!;
  const expected = rawByteLength(t.data_type!, tensorElementCount(t, source))!;
  if (raw.length !== expected) throw sizeMismatch(t, source, 'raw_data', 'bytes', expected, raw.length);
  return raw;
}

/**
 * The tensor's values in their storage array (see the file header). Treat the result as read-only:
 * on a little-endian host an aligned raw_data comes back as a view on the model's bytes.
 * `source` (the model file) names the tensor's origin in errors.
 */
export function readTensorData(t: TensorProto, source = IN_MEMORY): TensorArray {
  const s = numericStorage(t, source);
  const dataType = t.data_type!;
  const count = tensorElementCount(t, source);
  if (hasRawData(t)) {
    const raw = checkedRawData(t, source);
    return s.subByte ? unpackSubByte(raw, count, s) : decodeRawData(raw, s.array, count * s.perElement);
  }
  const values = (t[s.field] ?? []) as readonly (number | Int64)[];
  const expected = s.subByte ? Math.ceil((count * s.subByte) / 8) : count * s.perElement;
  if (values.length !== expected) throw sizeMismatch(t, source, s.field, 'elements', expected, values.length);
  if (s.subByte) return unpackSubByte(Uint8Array.from(values as number[]), count, s);
  if (s.array === BigInt64Array || s.array === BigUint64Array) {
    const out = new s.array(values.length);
    const width = s.array === BigInt64Array ? BigInt.asIntN : BigInt.asUintN;
    for (let i = 0; i < values.length; i++) out[i] = width(64, int64ToBigInt(values[i]!));
    return out;
  }
  if (dataType === DataType.BOOL) return Uint8Array.from(values as number[], (v) => (v ? 1 : 0));
  if (s.field === 'uint64_data') return Uint32Array.from(values, (v) => (typeof v === 'number' ? v : v.low) >>> 0);
  // The storage array's own conversion is the spec's: int32_data keeps 8/16-bit values and float16
  // bits one per entry, and float_data values are float32 already.
  return (s.array as Float64ArrayConstructor).from(values as number[]);
}

function int64ToBigInt(v: Int64): bigint {
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high) << 32n) | BigInt(v.low >>> 0);
}

/**
 * `count` elements of storage type `array` from little-endian bytes. A view when the host is
 * little-endian and the bytes are aligned for the element; otherwise a copy read with DataView.
 */
function decodeRawData(raw: Uint8Array, array: TensorArrayConstructor, count: number): TensorArray {
  const size = array.BYTES_PER_ELEMENT;
  if (HOST_LITTLE_ENDIAN && raw.byteOffset % size === 0) return new array(raw.buffer as ArrayBuffer, raw.byteOffset, count);
  const out = new array(count);
  if (size === 1) {
    (out as Uint8Array).set(raw.subarray(0, count));
    return out;
  }
  // Copy the bits through an unsigned view of the same width: exact for floats (NaN payloads too).
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (size === 2) {
    const o = new Uint16Array(out.buffer);
    for (let i = 0; i < count; i++) o[i] = view.getUint16(i * 2, true);
  } else if (size === 4) {
    const o = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) o[i] = view.getUint32(i * 4, true);
  } else {
    const o = new BigUint64Array(out.buffer);
    for (let i = 0; i < count; i++) o[i] = view.getBigUint64(i * 8, true);
  }
  return out;
}

/** Little-endian bytes of a storage array (a new buffer). */
function encodeRawData(data: TensorArray): Uint8Array {
  const size = data.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(data.byteLength);
  if (size === 1) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return bytes;
  }
  const view = new DataView(bytes.buffer);
  const n = data.length;
  if (size === 2) {
    const d = new Uint16Array(data.buffer, data.byteOffset, n);
    for (let i = 0; i < n; i++) view.setUint16(i * 2, d[i]!, true);
  } else if (size === 4) {
    const d = new Uint32Array(data.buffer, data.byteOffset, n);
    for (let i = 0; i < n; i++) view.setUint32(i * 4, d[i]!, true);
  } else {
    const d = new BigUint64Array(data.buffer, data.byteOffset, n);
    for (let i = 0; i < n; i++) view.setBigUint64(i * 8, d[i]!, true);
  }
  return bytes;
}

/** Packed bytes → one element per slot; the first element sits in the least significant bits. */
function unpackSubByte(packed: Uint8Array, count: number, s: Storage): Int8Array | Uint8Array {
  const bits = s.subByte;
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = s.signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = (packed[Math.floor(i / perByte)]! >> ((i % perByte) * bits)) & mask;
    out[i] = s.signed && v >> (bits - 1) ? v - (1 << bits) : v;
  }
  return out;
}

function packSubByte(values: Int8Array | Uint8Array, s: Storage): Uint8Array {
  const bits = s.subByte;
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) {
    out[Math.floor(i / perByte)]! |= (values[i]! & mask) << ((i % perByte) * bits);
  }
  return out;
}

/** The strings of a STRING tensor, decoded as UTF-8. */
export function readStringData(t: TensorProto, source = IN_MEMORY): string[] {
  if (t.data_type !== DataType.STRING) throw unsupported(`tensor '${tensorLabel(t)}' has data type ${dataTypeName(t.data_type)}, not string`);
  const count = tensorElementCount(t, source);
  const values = t.string_data ?? [];
  if (values.length !== count) throw sizeMismatch(t, source, 'string_data', 'elements', count, values.length);
  const decoder = new TextDecoder();
  return values.map((b) => decoder.decode(b));
}

/**
 * The tensor's data as little-endian bytes, exactly what raw_data would hold, whichever field stores
 * it (a view on raw_data when it is there). Strings have no such bytes and are refused.
 */
export function tensorRawBytes(t: TensorProto, source = IN_MEMORY): Uint8Array {
  const s = numericStorage(t, source);
  if (hasRawData(t)) return checkedRawData(t, source);
  const data = readTensorData(t, source);
  return s.subByte ? packSubByte(data as Int8Array | Uint8Array, s) : encodeRawData(data);
}

/** A converter from storage slot to number, for the types whose slots are codes rather than values. */
function slotDecoder(dataType: number): ((v: number) => number) | undefined {
  if (dataType === DataType.FLOAT16) return float16BitsToNumber;
  if (dataType === DataType.BFLOAT16) return bfloat16BitsToNumber;
  if (dataType === DataType.FLOAT4E2M1) return float4e2m1ToNumber;
  const f8 = FLOAT8_FORMATS.get(dataType);
  if (f8) {
    const table = Array.from({ length: 256 }, (_, code) => float8ToNumber(code, f8));
    return (code) => table[code]!;
  }
  return undefined;
}

function refuseComplex(t: TensorProto): void {
  if (t.data_type === DataType.COMPLEX64 || t.data_type === DataType.COMPLEX128) {
    throw unsupported(`tensor '${tensorLabel(t)}' is ${dataTypeName(t.data_type)}; it has no single real value per element`);
  }
}

/**
 * The tensor's values as float32, converting every real numeric type (float16/bfloat16/float8/float4
 * decoded, integers rounded to float32). A float32 tensor comes back as readTensorData gives it, which
 * may be a view on the model's bytes: copy it before writing to it.
 */
export function readTensorAsFloat32(t: TensorProto, source = IN_MEMORY): Float32Array {
  refuseComplex(t);
  const data = readTensorData(t, source);
  const dataType = t.data_type!;
  if (dataType === DataType.FLOAT) return data as Float32Array;
  if (dataType === DataType.FLOAT16) return decodeFloat16Array(data as Uint16Array);
  if (dataType === DataType.BFLOAT16) return decodeBfloat16Array(data as Uint16Array);
  const decode = slotDecoder(dataType);
  if (decode) return Float32Array.from(data as Uint8Array, decode);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, Number);
  return Float32Array.from(data as Float64Array);
}

/**
 * The tensor's values as plain numbers (float16 & co. decoded; int64/uint64 through Number, so exact
 * up to 2^53). Meant for small tensors: shapes, axes, scales.
 */
export function readTensorAsNumbers(t: TensorProto, source = IN_MEMORY): number[] {
  refuseComplex(t);
  const data = readTensorData(t, source);
  const decode = slotDecoder(t.data_type!);
  if (decode) return Array.from(data as Uint8Array, decode);
  return Array.from(data as Float64Array, Number);
}

/** The range a value must lie in for each integer storage array, as bigints so 64-bit bounds are exact. */
function integerRange(dataType: number, s: Storage): [bigint, bigint] | undefined {
  const signed = (bits: number): [bigint, bigint] => [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
  const unsigned = (bits: number): [bigint, bigint] => [0n, (1n << BigInt(bits)) - 1n];
  if (s.subByte) return s.signed ? signed(s.subByte) : unsigned(s.subByte);
  switch (s.array) {
    case Int8Array: return signed(8);
    case Uint8Array: return unsigned(8);
    case Int16Array: return signed(16);
    case Uint16Array: return unsigned(16);
    case Int32Array: return signed(32);
    case Uint32Array: return unsigned(32);
    case BigInt64Array: return signed(64);
    case BigUint64Array: return unsigned(64);
    default: return undefined;
  }
}

/** `data` as the storage array of `dataType`: taken as is when it already is one, else converted from values. */
function toStorageArray(name: string, dataType: number, s: Storage, data: TensorArray | readonly number[] | readonly bigint[]): TensorArray {
  const fail = (why: string) => new RangeError(`makeTensor '${name}' (${dataTypeName(dataType)}): ${why}`);
  const range = integerRange(dataType, s);
  if (data instanceof s.array && !(s.subByte || dataType === DataType.BOOL)) return data;
  if (FLOAT8_FORMATS.has(dataType)) throw fail('float8 data must be a Uint8Array of codes');
  if (dataType === DataType.FLOAT4E2M1 && !(data instanceof Uint8Array)) throw fail('float4e2m1 data must be a Uint8Array of codes');
  if (dataType === DataType.FLOAT16 || dataType === DataType.BFLOAT16) {
    const f16 = dataType === DataType.FLOAT16;
    if (data instanceof Float32Array) return f16 ? encodeFloat16Array(data) : encodeBfloat16Array(data);
    return Uint16Array.from(data as ArrayLike<number | bigint>, (v) => (f16 ? numberToFloat16Bits : numberToBfloat16Bits)(Number(v)));
  }
  if (dataType === DataType.BOOL) return Uint8Array.from(data as ArrayLike<number | bigint>, (v) => (v ? 1 : 0));
  if (!range) return (s.array as Float64ArrayConstructor).from(data as ArrayLike<number | bigint>, Number);
  const out = new s.array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (typeof v !== 'bigint' && !Number.isInteger(v)) throw fail(`element ${i} is ${v}, not an integer`);
    const big = BigInt(v);
    if (big < range[0] || big > range[1]) throw fail(`element ${i} is ${v}, outside ${range[0]}..${range[1]}`);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = big;
    else out[i] = Number(v);
  }
  return out;
}

/**
 * A new TensorProto holding `data` in raw_data (little-endian). `data` is either the dtype's storage
 * array (stored as is, e.g. a Uint16Array of float16 bits) or values to convert (numbers, bigints or
 * another array: float16/bfloat16 are rounded to nearest even, integers must be whole and in range).
 * float8 and float4e2m1 data must be Uint8Array codes. Its length must be the element count of `dims`
 * (twice that for complex types). Misuse is a RangeError: a bug in the caller, not in the model.
 */
export function makeTensor(name: string, dataType: number, dims: readonly number[], data: TensorArray | readonly number[] | readonly bigint[]): TensorProto {
  const s = STORAGE.get(dataType);
  if (!s) throw new RangeError(`makeTensor '${name}': data type ${dataTypeName(dataType)} is not numeric`);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`makeTensor '${name}': dim ${d} is not a non-negative integer`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count * s.perElement) {
    throw new RangeError(`makeTensor '${name}': dims [${dims.join(', ')}] need ${count * s.perElement} values, got ${data.length}`);
  }
  const stored = toStorageArray(name, dataType, s, data);
  const raw = s.subByte ? packSubByte(stored as Int8Array | Uint8Array, s) : encodeRawData(stored);
  return createMessage<TensorProto>('TensorProto', { name, data_type: dataType, dims: [...dims], raw_data: raw });
}

/** Whether `dataType` is one readTensorData can read (every numeric type, sub-byte and float8 included). */
export function isNumericDataType(dataType: number): boolean {
  return STORAGE.has(dataType);
}
