/**
 * Writes a ModelProto to disk atomically: everything goes to temporary files beside the target,
 * which are renamed into place only once fully written, so a failed or interrupted save never
 * leaves a half-written model. Tensors at or above `externalData.thresholdBytes` go to one side
 * file (default `<model file name>.data`), each at a 4 KiB-aligned offset so runtimes can map it.
 * A model whose encoding would pass protobuf's 2 GiB limit is written with external data even
 * when none was asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { encodeModel } from './codec.js';
import { DATA_LOCATION_EXTERNAL } from './external-data.js';
import type { ModelProto, TensorProto } from './proto-types.js';
import { visitModelTensors } from './visit-tensors.js';

export interface ExternalDataOptions {
  /** Tensors whose raw bytes are at least this many go to the side file. */
  thresholdBytes: number;
  /** Side file name, relative to the model's folder. */
  location?: string;
}

export interface WriteModelOptions {
  externalData?: ExternalDataOptions;
}

const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
const AUTO_EXTERNAL_THRESHOLD_BYTES = 1024;
const EXTERNAL_ALIGNMENT = 4096;

export interface WriteResult {
  file: string;
  bytes: number;
  externalDataFile?: string;
  externalDataBytes?: number;
}

export function writeModelFile(model: ModelProto, file: string, options: WriteModelOptions = {}): WriteResult {
  let external = options.externalData;
  if (!external && rawBytesTotal(model) >= PROTOBUF_LIMIT_BYTES) {
    external = { thresholdBytes: AUTO_EXTERNAL_THRESHOLD_BYTES };
  }
  if (!external) {
    const bytes = encodeModel(model);
    atomicWrite(file, [bytes]);
    return { file, bytes: bytes.length };
  }
  return writeWithExternalData(model, file, external);
}

function writeWithExternalData(model: ModelProto, file: string, options: ExternalDataOptions): WriteResult {
  const location = options.location ?? `${path.basename(file)}.data`;
  const chosen: TensorProto[] = [];
  visitModelTensors(model, (t) => {
    if (t.raw_data !== undefined && t.raw_data.length >= options.thresholdBytes && t.data_location !== DATA_LOCATION_EXTERNAL) chosen.push(t);
  });

  const chunks: Uint8Array[] = [];
  const saved = new Map<TensorProto, Pick<TensorProto, 'raw_data' | 'external_data' | 'data_location'>>();
  let offset = 0;
  try {
    // Swap each chosen tensor's bytes for an external reference just for the encode, then restore:
    // the caller's model is never left changed, and no weights are copied.
    for (const t of chosen) {
      const data = t.raw_data!;
      const padding = (EXTERNAL_ALIGNMENT - (offset % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
      if (padding > 0) chunks.push(new Uint8Array(padding));
      offset += padding;
      saved.set(t, { raw_data: t.raw_data, external_data: t.external_data, data_location: t.data_location });
      delete t.raw_data;
      t.external_data = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(data.length) },
      ];
      t.data_location = DATA_LOCATION_EXTERNAL;
      chunks.push(data);
      offset += data.length;
    }
    const bytes = encodeModel(model);
    const dataFile = path.join(path.dirname(file), location);
    atomicWriteMany([{ file: dataFile, chunks }, { file, chunks: [bytes] }]);
    return { file, bytes: bytes.length, externalDataFile: dataFile, externalDataBytes: offset };
  } finally {
    for (const [t, prev] of saved) {
      t.raw_data = prev.raw_data;
      t.external_data = prev.external_data;
      if (prev.data_location === undefined) delete t.data_location; else t.data_location = prev.data_location;
    }
  }
}

function rawBytesTotal(model: ModelProto): number {
  let total = 0;
  visitModelTensors(model, (t) => { total += t.raw_data?.length ?? 0; });
  return total;
}

function atomicWrite(file: string, chunks: Uint8Array[]): void {
  atomicWriteMany([{ file, chunks }]);
}

/** Writes every file to a temporary name first; renames happen only after all are complete. */
function atomicWriteMany(targets: { file: string; chunks: Uint8Array[] }[]): void {
  const temps: string[] = [];
  try {
    for (const target of targets) {
      const temp = `${target.file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      temps.push(temp);
      const fd = fs.openSync(temp, 'w');
      try {
        for (const chunk of target.chunks) fs.writeSync(fd, chunk);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    targets.forEach((target, i) => fs.renameSync(temps[i]!, target.file));
  } catch (e) {
    for (const temp of temps) fs.rmSync(temp, { force: true });
    const failed = targets.find((t) => String((e as Error).message).includes(path.basename(t.file)))?.file ?? targets[targets.length - 1]!.file;
    throw new MlserveError('MLS_ERR_WRITE_FAILED', { file: failed, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
  }
}
