/**
 * Which side files a model's tensors live in, and how many bytes each holds. Loading a model pulls
 * external data in and drops the references, so this reads them from the file's own bytes: a second
 * decode, paid only by files that contain the encoded key 'location' at all (a fast byte search), so
 * a large model without external data is never decoded twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeModel } from '../onnx/codec.js';
import { externalDataRef, isExternal } from '../onnx/external-data.js';
import { visitModelTensors } from '../onnx/visit-tensors.js';
import type { ExternalDataFile, ExternalDataSummary } from './report-types.js';

/** StringStringEntryProto { key: "location" } on the wire: field 1, length 8, the bytes. */
const LOCATION_KEY = Buffer.from([0x0a, 0x08, ...Buffer.from('location', 'latin1')]);

/** `bytes` must already have loaded cleanly (decodeModelBytes), so every reference resolves. */
export function externalDataUsage(bytes: Uint8Array, modelFile: string): ExternalDataSummary {
  const summary: ExternalDataSummary = { tensors: 0, bytes: 0, files: [] };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buffer.indexOf(LOCATION_KEY) < 0) return summary;

  const byLocation = new Map<string, ExternalDataFile>();
  const dir = path.dirname(path.resolve(modelFile));
  visitModelTensors(decodeModel(bytes), (t) => {
    if (!isExternal(t)) return;
    const ref = externalDataRef(t);
    let entry = byLocation.get(ref.location);
    if (!entry) byLocation.set(ref.location, (entry = { location: ref.location, tensors: 0, bytes: 0 }));
    // Without `length` the tensor runs to the end of the file.
    const length = ref.length ?? Math.max(0, fileSize(path.resolve(dir, ref.location)) - ref.offset);
    entry.tensors += 1;
    entry.bytes += length;
    summary.tensors += 1;
    summary.bytes += length;
  });
  summary.files = [...byLocation.values()];
  return summary;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
