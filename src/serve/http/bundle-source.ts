/**
 * A compiled bundle (`mlserve compile`, src/compile/) as what `Serving` loads: one fixed-batch variant per
 * batch size worth serving.
 *
 * - After `bench --select`: the batch sizes the selection serves (`selection.servedBatchSizes`), each
 *   with the variant it chose — so a batch of n rows is padded to the smallest of THOSE sizes ≥ n, never
 *   to a size the benchmark found no faster.
 * - Before any selection: the bundle's cpu fp32 variant of each batch size.
 *
 * The chosen variants' sizes and sha256 are checked against the manifest first; a bundle that does not
 * match is refused (MLS_ERR_BUNDLE_VERIFY_FAILED). Variants run in onnxruntime-node's CPU provider, the
 * serving workers' only one (a 'wasm' variant is a plain ONNX file too, optimized by that same provider).
 *
 * The serving core (src/serve/model-source.ts) serves a directory through its model.onnx; the repository
 * turns a bundle directory into this variant list instead, and a library caller can pass the same list
 * to `Serving.start` as `model`.
 */
import { MlserveError } from '../../errors.js';
import { isBundleDir, readManifest, type ManifestVariant } from '../../compile/bundle-manifest.js';
import { assertBundleIntact, variantPath, verifyBundle } from '../../compile/verify-bundle.js';
import type { ModelSource } from '../model-source.js';

export { isBundleDir };

/** The variants of the bundle in `dir` to serve, verified. */
export function bundleModelSource(dir: string): ModelSource {
  const manifest = readManifest(dir);
  const byId = new Map(manifest.variants.map((v) => [v.id, v]));
  let chosen: ManifestVariant[];
  if (manifest.selection) {
    const selection = manifest.selection;
    chosen = selection.servedBatchSizes.map((size) => byId.get(selection.byBatchSize.find((e) => e.batchSize === size)!.variant)!);
  } else {
    const bySize = new Map<number, ManifestVariant>();
    for (const v of manifest.variants) if (v.provider === 'cpu' && v.precision === 'fp32' && !bySize.has(v.batchSize)) bySize.set(v.batchSize, v);
    chosen = [...bySize.values()];
  }
  if (chosen.length === 0) {
    throw new MlserveError('MLS_ERR_UNSUPPORTED', { what: `serving the bundle ${dir}: ${manifest.selection ? 'its selection serves no batch size' : 'it has no cpu fp32 variant (run `mlserve bench --select` on it to choose variants)'}` });
  }
  assertBundleIntact(verifyBundle(dir, new Set(chosen.map((v) => v.id))));
  return { kind: 'variants', variants: chosen.map((v) => ({ batchSize: v.batchSize, file: variantPath(dir, v) })).sort((a, b) => a.batchSize - b.batchSize) };
}
