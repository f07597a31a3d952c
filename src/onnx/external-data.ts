/**
 * External data (TensorProto.data_location = EXTERNAL): tensor bytes kept in side files named by
 * `location`, relative to the model's folder, at `offset` for `length` bytes.
 * On load the bytes become `raw_data` views on the side file (read once per file); a location that
 * escapes the model's folder is refused before anything is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import type { StringStringEntryProto, TensorProto } from './proto-types.js';

export const DATA_LOCATION_EXTERNAL = 1;

export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number | undefined;
}

export function isExternal(tensor: TensorProto): boolean {
  return tensor.data_location === DATA_LOCATION_EXTERNAL;
}

export function externalDataRef(tensor: TensorProto): ExternalDataRef {
  const entry = (key: string) => tensor.external_data.find((e: StringStringEntryProto) => e.key === key)?.value;
  const numberField = (key: string): number | undefined => {
    const raw = entry(key);
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= 0 ? n : Number.NaN;
  };
  return { location: entry('location') ?? '', offset: numberField('offset') ?? 0, length: numberField('length') };
}

/** Resolves `location` inside `modelDir`, refusing absolute paths and paths that climb out of it. */
export function resolveExternalLocation(modelFile: string, modelDir: string, tensorName: string, location: string): string {
  const resolved = path.resolve(modelDir, location);
  const rel = path.relative(modelDir, resolved);
  if (location === '' || path.isAbsolute(location) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new MlserveError('MLS_ERR_EXTERNAL_DATA_OUTSIDE', { file: modelFile, tensor: tensorName, location });
  }
  return resolved;
}

/**
 * Replaces the external reference of every tensor in `tensors` by a raw_data view on its side file.
 * Side files are read whole, once each; offsets and lengths are checked against the real file size,
 * never trusted to size an allocation.
 */
export function inlineExternalData(modelFile: string, tensors: Iterable<TensorProto>): void {
  const modelDir = path.dirname(path.resolve(modelFile));
  const files = new Map<string, Buffer>();
  for (const tensor of tensors) {
    const name = tensor.name ?? '';
    const ref = externalDataRef(tensor);
    const file = resolveExternalLocation(modelFile, modelDir, name, ref.location);
    const fail = (reason: string) =>
      new MlserveError('MLS_ERR_EXTERNAL_DATA_MISSING', { file: modelFile, tensor: name, location: ref.location, reason });
    if (Number.isNaN(ref.offset) || (ref.length !== undefined && Number.isNaN(ref.length))) {
      throw fail('offset or length is not a non-negative integer');
    }
    let data = files.get(file);
    if (!data) {
      try {
        data = fs.readFileSync(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw fail(code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(e)})`);
      }
      files.set(file, data);
    }
    const length = ref.length ?? data.length - ref.offset;
    if (ref.offset + length > data.length || length < 0) {
      throw fail(`needs bytes ${ref.offset}..${ref.offset + length} but the file has ${data.length}`);
    }
    tensor.raw_data = data.subarray(ref.offset, ref.offset + length);
    tensor.external_data = [];
    delete tensor.data_location;
  }
}
