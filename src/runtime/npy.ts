/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), read into and written from plain tensors.
 *
 * Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (uint16 LE in 1.0,
 * uint32 LE in 2.0/3.0), then a Python dict literal — `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (1, 3), }` — and the array data. Read: little- and big-endian (`<`, `>`, `|`) booleans,
 * signed and unsigned integers of 1–8 bytes and floats of 2, 4 and 8 bytes, in C order. Fortran order,
 * structured, string, object, complex and datetime arrays are refused with a reason. Written: 1.0 (or
 * 2.0 for a header over 64 KiB), little-endian, C order, the header padded so data starts on a 64-byte
 * boundary — what numpy.save writes.
 *
 * The header is parsed as data, never evaluated. Its length and the array size it declares are checked
 * against the file size before anything is allocated, so a hostile header cannot size an allocation.
 */
import { MlserveError } from '../errors.js';
import type { PlainDType, PlainTensor, PlainTensorData } from './plain-tensor.js';
import { readFileOrFail } from '../util/read-file-or-fail.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGNMENT = 64;

interface NpyType {
  dtype: Exclude<PlainDType, 'string'>;
  bytes: number;
  make: (n: number) => Exclude<PlainTensorData, string[]>;
  /** Reads element i of a DataView holding the data in the file's byte order. */
  get: (view: DataView, offset: number, littleEndian: boolean) => number | bigint;
}

/** numpy's type code (kind + item size) → the plain dtype it is fed as. */
const TYPES: Record<string, NpyType> = {
  b1: { dtype: 'bool', bytes: 1, make: (n) => new Uint8Array(n), get: (v, o) => (v.getUint8(o) ? 1 : 0) },
  i1: { dtype: 'int8', bytes: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  u1: { dtype: 'uint8', bytes: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  i2: { dtype: 'int16', bytes: 2, make: (n) => new Int16Array(n), get: (v, o, le) => v.getInt16(o, le) },
  u2: { dtype: 'uint16', bytes: 2, make: (n) => new Uint16Array(n), get: (v, o, le) => v.getUint16(o, le) },
  i4: { dtype: 'int32', bytes: 4, make: (n) => new Int32Array(n), get: (v, o, le) => v.getInt32(o, le) },
  u4: { dtype: 'uint32', bytes: 4, make: (n) => new Uint32Array(n), get: (v, o, le) => v.getUint32(o, le) },
  i8: { dtype: 'int64', bytes: 8, make: (n) => new BigInt64Array(n), get: (v, o, le) => v.getBigInt64(o, le) },
  u8: { dtype: 'uint64', bytes: 8, make: (n) => new BigUint64Array(n), get: (v, o, le) => v.getBigUint64(o, le) },
  // float16 stays as its bit pattern: that is how onnxruntime-node takes it.
  f2: { dtype: 'float16', bytes: 2, make: (n) => new Uint16Array(n), get: (v, o, le) => v.getUint16(o, le) },
  f4: { dtype: 'float32', bytes: 4, make: (n) => new Float32Array(n), get: (v, o, le) => v.getFloat32(o, le) },
  f8: { dtype: 'float64', bytes: 8, make: (n) => new Float64Array(n), get: (v, o, le) => v.getFloat64(o, le) },
};

const CODE_BY_DTYPE = new Map(Object.entries(TYPES).map(([code, t]) => [t.dtype, code]));

const NOT_SUPPORTED: Record<string, string> = {
  c: 'complex numbers', U: 'unicode strings', S: 'byte strings', a: 'byte strings', O: 'Python objects',
  V: 'raw or structured records', M: 'datetimes', m: 'timedeltas',
};

export function readNpyFile(file: string): PlainTensor {
  return decodeNpy(readFileOrFail(file), file);
}

/** Parses a whole .npy file; `file` names it in errors. The result owns its data (never a view on `bytes`). */
export function decodeNpy(bytes: Uint8Array, file = '(in memory)'): PlainTensor {
  const invalid = (reason: string): MlserveError => new MlserveError('MLS_ERR_TENSOR_FILE_INVALID', { file, reason });
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw invalid('not a NumPy .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw invalid('the file ends inside the header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw invalid(`.npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw invalid(`the header claims ${headerLength} bytes but the file has ${bytes.length - headerStart} after the preamble`);
  // 1.0 and 2.0 headers are latin-1 (in practice ASCII); 3.0 allows UTF-8 for structured field names.
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const header = parseHeader(headerText, invalid);

  const descr = header.descr;
  const order = descr[0]!;
  const code = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  const type = TYPES[code === '?' ? 'b1' : code];
  if (!type) {
    const what = NOT_SUPPORTED[code[0] ?? ''];
    throw invalid(`dtype '${descr}'${what ? ` (${what})` : ''} is not supported; use bool, int8–int64, uint8–uint64 or float16/32/64`);
  }
  if (order === '=') throw invalid(`dtype '${descr}' has native byte order, which a file cannot state; save it with an explicit '<' or '>'`);
  const littleEndian = order !== '>';
  if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
    throw invalid('the array is in Fortran (column-major) order; save numpy.ascontiguousarray(a) instead');
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const available = bytes.length - dataStart;
  // Compared in floating point before allocating: a huge shape fails here, not in an allocation.
  if (count * type.bytes !== available) {
    throw invalid(`shape (${header.shape.join(', ')}) of ${descr} needs ${count * type.bytes} data bytes but the file has ${available}`);
  }
  const data = type.make(count);
  for (let i = 0; i < count; i++) {
    (data as unknown as (number | bigint)[])[i] = type.get(view, dataStart + i * type.bytes, littleEndian);
  }
  return { dtype: type.dtype, dims: header.shape, data };
}

/** A .npy file's bytes for a plain tensor: little-endian, C order, data 64-byte aligned. */
export function encodeNpy(tensor: PlainTensor): Uint8Array {
  const code = CODE_BY_DTYPE.get(tensor.dtype as NpyType['dtype']);
  if (!code || Array.isArray(tensor.data)) throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `writing ${tensor.dtype} tensors as .npy` });
  const type = TYPES[code]!;
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  const dict = `{'descr': '${type.bytes === 1 ? '|' : '<'}${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces and end in '\n' so the data starts on an aligned offset, as numpy.save does.
  const padded = (preambleBytes: number) => Math.ceil((preambleBytes + dict.length + 1) / ALIGNMENT) * ALIGNMENT - preambleBytes;
  // Version 1.0 stores the header length in 16 bits; a longer header needs 2.0.
  const preamble = padded(10) <= 0xffff ? 10 : 12;
  const header = dict.padEnd(padded(preamble) - 1, ' ') + '\n';
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const src = tensor.data as Exclude<PlainTensorData, string[]>;
  if (src.length !== count) throw new Error(`encodeNpy: dims [${tensor.dims}] need ${count} elements, data has ${src.length}`);
  const out = new Uint8Array(preamble + header.length + count * type.bytes);
  out.set(MAGIC, 0);
  out[6] = preamble === 10 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (preamble === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  const dataStart = preamble + header.length;
  for (let i = 0; i < count; i++) {
    const o = dataStart + i * type.bytes;
    const v = src[i]!;
    switch (code) {
      case 'b1': view.setUint8(o, v ? 1 : 0); break;
      case 'i1': view.setInt8(o, v as number); break;
      case 'u1': view.setUint8(o, v as number); break;
      case 'i2': view.setInt16(o, v as number, true); break;
      case 'u2': case 'f2': view.setUint16(o, v as number, true); break;
      case 'i4': view.setInt32(o, v as number, true); break;
      case 'u4': view.setUint32(o, v as number, true); break;
      case 'i8': view.setBigInt64(o, v as bigint, true); break;
      case 'u8': view.setBigUint64(o, v as bigint, true); break;
      case 'f4': view.setFloat32(o, v as number, true); break;
      case 'f8': view.setFloat64(o, v as number, true); break;
    }
  }
  return out;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * The header dict, by a small tokenizer for the literals numpy writes: quoted strings, True/False,
 * integers (Python 2 wrote `3L`) and tuples of integers. Anything else is an error, not a guess.
 */
function parseHeader(text: string, invalid: (reason: string) => MlserveError): NpyHeader {
  let i = 0;
  const fail = (what: string): never => { throw invalid(`malformed header (${what} at character ${i}): ${JSON.stringify(text.trim().slice(0, 120))}`); };
  const skip = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const expect = (c: string) => { skip(); if (text[i] !== c) fail(`expected '${c}'`); i++; };
  const string = (): string => {
    skip();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return fail('expected a quoted string');
    const end = text.indexOf(quote, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const integer = (): number => {
    skip();
    const m = /^\d+L?/.exec(text.slice(i));
    if (!m) return fail('expected a non-negative integer');
    i += m[0].length;
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) fail(`dimension ${m[0]} is too large`);
    return n;
  };
  const value = (key: string): unknown => {
    skip();
    if (text.startsWith('True', i)) { i += 4; return true; }
    if (text.startsWith('False', i)) { i += 5; return false; }
    if (text[i] === "'" || text[i] === '"') return string();
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        skip();
        if (text[i] === ')') { i++; return dims; }
        dims.push(integer());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail("expected ',' or ')'");
      }
    }
    if (text[i] === '[' && key === 'descr') throw invalid('structured dtypes (records with named fields) are not supported');
    return fail(`unexpected value for '${key}'`);
  };
  const fields = new Map<string, unknown>();
  expect('{');
  for (;;) {
    skip();
    if (text[i] === '}') { i++; break; }
    const key = string();
    expect(':');
    fields.set(key, value(key));
    skip();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  skip();
  if (i !== text.length) fail('text after the dict');
  const descr = fields.get('descr');
  const fortranOrder = fields.get('fortran_order');
  const shape = fields.get('shape');
  if (typeof descr !== 'string') throw invalid("the header has no 'descr' string");
  if (typeof fortranOrder !== 'boolean') throw invalid("the header has no 'fortran_order' True/False");
  if (!Array.isArray(shape)) throw invalid("the header has no 'shape' tuple");
  return { descr, fortranOrder, shape: shape as number[] };
}
