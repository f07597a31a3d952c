/**
 * Where a served model comes from: one .onnx file (any batch size when its batch axis is dynamic), or a
 * list of fixed-batch variants of the same model, one file per compiled batch size (what `mlserve compile`
 * bundles will hold). A bundle directory's manifest is read by the compile issue's code once it exists;
 * until then a directory is served through its `model.onnx`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';

export interface ModelVariant {
  /** The batch size this file was compiled for; null when its batch axis is dynamic. */
  batchSize: number | null;
  file: string;
}

export type ModelSource =
  | { kind: 'file'; file: string }
  | { kind: 'variants'; variants: Array<{ batchSize: number; file: string }> };

/** The variants to load for `source` (a path, or an explicit source), with every file checked to exist. */
export function resolveModelSource(source: string | ModelSource): ModelVariant[] {
  const variants: ModelVariant[] = typeof source === 'string' ? [{ batchSize: null, file: fileOf(source) }]
    : source.kind === 'file' ? [{ batchSize: null, file: source.file }]
      : source.variants.map((v) => ({ batchSize: v.batchSize, file: v.file }));
  if (variants.length === 0) throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: 'model', value: '[]', reason: 'a variant list needs at least one variant' });
  const sizes = new Set<number>();
  for (const v of variants) {
    if (v.batchSize !== null) {
      if (!Number.isSafeInteger(v.batchSize) || v.batchSize < 1) {
        throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: 'model', value: String(v.batchSize), reason: `batch size of ${v.file} must be a positive integer` });
      }
      if (sizes.has(v.batchSize)) throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: 'model', value: String(v.batchSize), reason: 'two variants share this batch size' });
      sizes.add(v.batchSize);
    }
    if (!fs.existsSync(v.file)) throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: v.file });
  }
  return variants;
}

/** A model name for messages and URLs: the file's (or directory's) base name without `.onnx`. */
export function defaultModelName(source: string | ModelSource): string {
  const file = typeof source === 'string' ? source : source.kind === 'file' ? source.file : source.variants[0]?.file ?? 'model';
  const base = path.basename(file, '.onnx');
  return base === 'model' ? path.basename(path.dirname(path.resolve(file))) : base;
}

function fileOf(p: string): string {
  if (!fs.existsSync(p)) throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: p });
  if (!fs.statSync(p).isDirectory()) return p;
  const model = path.join(p, 'model.onnx');
  if (!fs.existsSync(model)) throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `serving the directory ${p}: it has no model.onnx (bundle manifests are not read yet)` });
  return model;
}
