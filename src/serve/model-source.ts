/**
 * Where a served model comes from: one .onnx file (any batch size when its batch axis is dynamic), or a
 * list of fixed-batch variants of the same model, one file per compiled batch size. A bundle directory
 * written by `mlserve compile` (it has manifest.json) is served through the variants `bench --select`
 * chose, one per batch size worth serving; before any selection, through its cpu fp32 variants (the
 * serving workers run onnxruntime-node). The files served are verified against the manifest's hashes
 * first. A directory without a manifest is served through its `model.onnx`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isBundleDir, readManifest, type ManifestVariant } from '../compile/bundle-manifest.js';
import { assertBundleIntact, variantPath, verifyBundle } from '../compile/verify-bundle.js';
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
  const variants: ModelVariant[] = typeof source === 'string' ? (isBundleDir(source) ? bundleVariants(source) : [{ batchSize: null, file: fileOf(source) }])
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
  if (!fs.existsSync(model)) throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `serving the directory ${p}: it has neither manifest.json (a bundle written by mlserve compile) nor model.onnx` });
  return model;
}

/** The variants of a compiled bundle to serve: the selection's, else one cpu fp32 variant per batch size. */
export function bundleVariants(dir: string): ModelVariant[] {
  const manifest = readManifest(dir);
  let chosen: ManifestVariant[];
  if (manifest.selection) {
    const byId = new Map(manifest.variants.map((v) => [v.id, v]));
    chosen = manifest.selection.servedBatchSizes.map((size) => {
      const entry = manifest.selection!.byBatchSize.find((e) => e.batchSize === size)!;
      return byId.get(entry.variant)!;
    });
  } else {
    const bySize = new Map<number, ManifestVariant>();
    const preferred = [...manifest.variants].sort((a, b) => rank(a) - rank(b));
    for (const v of preferred) if (!bySize.has(v.batchSize)) bySize.set(v.batchSize, v);
    chosen = [...bySize.values()].sort((a, b) => a.batchSize - b.batchSize);
  }
  if (chosen.length === 0) throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `serving the bundle ${dir}: its manifest lists no variants` });
  assertBundleIntact(verifyBundle(dir, new Set(chosen.map((v) => v.id))));
  return chosen.map((v) => ({ batchSize: v.batchSize, file: variantPath(dir, v) }));
}

/** Lower is preferred when no selection was made: cpu fp32 first, as the serving workers run onnxruntime-node. */
function rank(v: ManifestVariant): number {
  return (v.provider === 'cpu' ? 0 : 2) + (v.precision === 'fp32' ? 0 : 1);
}
