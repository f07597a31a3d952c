/**
 * Does a bundle hold exactly what its manifest says? Every variant file must exist inside the bundle
 * with the recorded size and sha256. Problems are collected, not thrown one at a time, so `inspect`
 * can list them all; `assertBundleIntact` turns them into one MLS_ERR_BUNDLE_VERIFY_FAILED for
 * commands that must not run a tampered model.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { readManifest, type BundleManifest, type ManifestVariant } from './bundle-manifest.js';

export interface VariantCheck {
  id: string;
  file: string;
  ok: boolean;
  /** 'missing', 'size 123 bytes, manifest says 456', 'sha256 abc…, manifest says def…' */
  problem?: string;
}

export interface BundleVerification {
  dir: string;
  manifest: BundleManifest;
  ok: boolean;
  variants: VariantCheck[];
}

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export function variantPath(dir: string, variant: Pick<ManifestVariant, 'file'>): string {
  return path.join(dir, ...variant.file.split('/'));
}

export function checkVariant(dir: string, variant: ManifestVariant): VariantCheck {
  const base = { id: variant.id, file: variant.file };
  const file = variantPath(dir, variant);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { ...base, ok: false, problem: 'missing' };
  }
  if (!stat.isFile()) return { ...base, ok: false, problem: 'not a file' };
  if (stat.size !== variant.bytes) return { ...base, ok: false, problem: `size ${stat.size} bytes, manifest says ${variant.bytes}` };
  const actual = sha256File(file);
  if (actual !== variant.sha256) return { ...base, ok: false, problem: `sha256 ${actual.slice(0, 12)}…, manifest says ${variant.sha256.slice(0, 12)}…` };
  return { ...base, ok: true };
}

/** Reads the manifest (schema-checked) and checks the variants (all, or those `only` names by id). */
export function verifyBundle(dir: string, only?: ReadonlySet<string>): BundleVerification {
  const manifest = readManifest(dir);
  const variants = manifest.variants.filter((v) => !only || only.has(v.id)).map((v) => checkVariant(dir, v));
  return { dir, manifest, ok: variants.every((v) => v.ok), variants };
}

export function assertBundleIntact(verification: BundleVerification): BundleManifest {
  if (verification.ok) return verification.manifest;
  const problems = verification.variants.filter((v) => !v.ok).map((v) => `${v.file}: ${v.problem}`).join('; ');
  throw new MlserveError('MLS_ERR_BUNDLE_VERIFY_FAILED', { dir: verification.dir, problems });
}
