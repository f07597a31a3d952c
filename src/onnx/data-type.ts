/**
 * ONNX TensorProto.DataType: enum value, the name users see (numpy-style, as onnx.helper prints them),
 * and the storage width in bits (0 for strings, whose size is not fixed).
 */
export interface DataTypeInfo {
  readonly id: number;
  /** ONNX's name: 'float32', 'int64', 'float8e4m3fn', … */
  readonly name: string;
  /** The TensorProto.DataType enum name: 'FLOAT', 'INT64', … */
  readonly enumName: string;
  readonly bits: number;
}

const TABLE: readonly DataTypeInfo[] = [
  { id: 1, name: 'float32', enumName: 'FLOAT', bits: 32 },
  { id: 2, name: 'uint8', enumName: 'UINT8', bits: 8 },
  { id: 3, name: 'int8', enumName: 'INT8', bits: 8 },
  { id: 4, name: 'uint16', enumName: 'UINT16', bits: 16 },
  { id: 5, name: 'int16', enumName: 'INT16', bits: 16 },
  { id: 6, name: 'int32', enumName: 'INT32', bits: 32 },
  { id: 7, name: 'int64', enumName: 'INT64', bits: 64 },
  { id: 8, name: 'string', enumName: 'STRING', bits: 0 },
  { id: 9, name: 'bool', enumName: 'BOOL', bits: 8 },
  { id: 10, name: 'float16', enumName: 'FLOAT16', bits: 16 },
  { id: 11, name: 'float64', enumName: 'DOUBLE', bits: 64 },
  { id: 12, name: 'uint32', enumName: 'UINT32', bits: 32 },
  { id: 13, name: 'uint64', enumName: 'UINT64', bits: 64 },
  { id: 14, name: 'complex64', enumName: 'COMPLEX64', bits: 64 },
  { id: 15, name: 'complex128', enumName: 'COMPLEX128', bits: 128 },
  { id: 16, name: 'bfloat16', enumName: 'BFLOAT16', bits: 16 },
  { id: 17, name: 'float8e4m3fn', enumName: 'FLOAT8E4M3FN', bits: 8 },
  { id: 18, name: 'float8e4m3fnuz', enumName: 'FLOAT8E4M3FNUZ', bits: 8 },
  { id: 19, name: 'float8e5m2', enumName: 'FLOAT8E5M2', bits: 8 },
  { id: 20, name: 'float8e5m2fnuz', enumName: 'FLOAT8E5M2FNUZ', bits: 8 },
  { id: 21, name: 'uint4', enumName: 'UINT4', bits: 4 },
  { id: 22, name: 'int4', enumName: 'INT4', bits: 4 },
  { id: 23, name: 'float4e2m1', enumName: 'FLOAT4E2M1', bits: 4 },
  { id: 24, name: 'float8e8m0', enumName: 'FLOAT8E8M0', bits: 8 },
  { id: 25, name: 'uint2', enumName: 'UINT2', bits: 2 },
  { id: 26, name: 'int2', enumName: 'INT2', bits: 2 },
];

const BY_ID = new Map(TABLE.map((t) => [t.id, t]));
const BY_NAME = new Map(TABLE.map((t) => [t.name, t]));

export const DataType = Object.freeze(Object.fromEntries(TABLE.map((t) => [t.enumName, t.id]))) as Readonly<Record<string, number>>;

export function dataTypeInfo(id: number): DataTypeInfo | undefined {
  return BY_ID.get(id);
}

/** 'float32' for 1; 'undefined' for 0; 'dtype(99)' for values this schema does not know. */
export function dataTypeName(id: number | undefined): string {
  if (id === undefined || id === 0) return 'undefined';
  return BY_ID.get(id)?.name ?? `dtype(${id})`;
}

export function dataTypeByName(name: string): DataTypeInfo | undefined {
  return BY_NAME.get(name);
}

export const ALL_DATA_TYPES: readonly DataTypeInfo[] = TABLE;

/**
 * Bytes that `count` elements occupy in raw_data (sub-byte types are packed, rounded up).
 * Returns undefined for strings. Uses floating point, so an absurd declared count never overflows into
 * a small positive number.
 */
export function rawByteLength(id: number, count: number): number | undefined {
  const info = BY_ID.get(id);
  if (!info || info.bits === 0) return undefined;
  return Math.ceil((count * info.bits) / 8);
}
