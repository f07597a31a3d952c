/**
 * BUNDLE_DIR/manifest.json: what `mlserve compile` built and from what — the model's provenance for
 * teams that must know exactly what runs. Written by compile, extended by `bench --select`, read by
 * inspect, bench and serve. `parseManifest` checks every field a reader relies on and names the first
 * one that is wrong; fields are only ever added (schemaVersion changes if a meaning does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../errors.js';
import { readJsonFile } from '../util/read-json-file.js';
import { PRECISIONS, type Precision } from './plan-variants.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SCHEMA_VERSION = 1;

export type OrtLevel = 'disabled' | 'basic' | 'extended' | 'all';
export const ORT_LEVELS: readonly OrtLevel[] = ['disabled', 'basic', 'extended', 'all'];

export interface ManifestVariant {
  id: string;
  /** Relative to the bundle directory, '/'-separated, inside it. */
  file: string;
  sha256: string;
  bytes: number;
  provider: string;
  precision: Precision;
  batchSize: number;
  /** Input name → fixed shape. */
  inputs: Record<string, number[]>;
  /** Input name → dtype. */
  inputTypes: Record<string, string>;
  /** Input name → batch axis, for inputs that have one. */
  batchAxes: Record<string, number>;
  /** Output name → shape, as the variant produced it in its provider. */
  outputs: Record<string, number[]>;
  outputTypes: Record<string, string>;
  /** mlserve passes that changed the graph, in pipeline order. */
  passes: string[];
  /** onnxruntime's offline optimization level that wrote the file. */
  optimizationLevel: OrtLevel;
  /** Which runtime and provider ran that offline optimization. */
  optimizedWith: string;
  /** Why a lower level than asked for was used, when it was. */
  levelNote?: string;
  /** Domain ('ai.onnx' for the default) → opset version, as the variant file imports them. */
  opset: Record<string, number>;
  /** The variant against the source model, in its provider. */
  check: { runs: number; atol: number; rtol: number; maxAbsError: number; maxRelError: number } | null;
  createdAt: string;
}

export interface ManifestSkip {
  provider: string;
  precision: string;
  batchSize: number;
  reason: string;
}

export interface SelectionEntry {
  batchSize: number;
  /** The chosen variant's id and file. */
  variant: string;
  file: string;
  provider: string;
  precision: string;
  throughput: number;
  p99Ms: number;
}

export interface ManifestSelection {
  selectedAt: string;
  /** Best by throughput (samples/s) among variants whose p99 latency is within `maxLatencyMs`. */
  maxLatencyMs: number | null;
  byBatchSize: SelectionEntry[];
  /** Ascending; each one gives more samples/s than every smaller one. */
  servedBatchSizes: number[];
  notServed: Array<{ batchSize: number; reason: string }>;
  bench: { threads: number; warmup: number; iterations: number | null; durationMs: number | null; host: string };
}

export interface BundleManifest {
  schemaVersion: number;
  kind: 'mlserve-bundle';
  createdAt: string;
  source: { file: string; sha256: string; bytes: number };
  mlserve: string;
  onnxruntime: { node: string; web?: string };
  compile: {
    providers: string[];
    batchSizes: number[];
    precisions: string[];
    inputShapes: Record<string, number[]>;
    fixDims: Record<string, number>;
    batchDim: string | null;
    passes: string;
    optimizationLevel: OrtLevel;
  };
  variants: ManifestVariant[];
  skipped: ManifestSkip[];
  selection?: ManifestSelection;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** A variant path that stays inside the bundle: relative, no '..', no backslashes. */
export function isSafeBundlePath(file: string): boolean {
  if (file === '' || file.includes('\\') || file.includes('\0') || path.posix.isAbsolute(file) || /^[a-zA-Z]:/.test(file)) return false;
  return file.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Checks the fields readers rely on; throws MLS_ERR_BUNDLE_MANIFEST_INVALID naming the first bad one. */
export function parseManifest(json: unknown, file: string): BundleManifest {
  const fail = (reason: string): never => {
    throw new MlserveError('MLS_ERR_BUNDLE_MANIFEST_INVALID', { file, reason });
  };
  const obj = (v: unknown, where: string): Record<string, unknown> =>
    (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`${where} must be an object`));
  const str = (v: unknown, where: string): string => (typeof v === 'string' ? v : fail(`${where} must be a string`));
  const int = (v: unknown, where: string, min = 0): number => (Number.isSafeInteger(v) && (v as number) >= min ? (v as number) : fail(`${where} must be an integer ≥ ${min}`));
  const shapes = (v: unknown, where: string): Record<string, number[]> => {
    const o = obj(v, where);
    for (const [k, dims] of Object.entries(o)) {
      if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${where}.${k} must be an array of non-negative integers`);
    }
    return o as Record<string, number[]>;
  };

  const m = obj(json, 'the manifest');
  if (m['kind'] !== 'mlserve-bundle') fail("kind must be 'mlserve-bundle'");
  const version = int(m['schemaVersion'], 'schemaVersion', 1);
  if (version > MANIFEST_SCHEMA_VERSION) fail(`schemaVersion ${version} is newer than this mlserve reads (${MANIFEST_SCHEMA_VERSION}); upgrade mlserve`);
  const source = obj(m['source'], 'source');
  str(source['file'], 'source.file');
  if (!SHA256.test(str(source['sha256'], 'source.sha256'))) fail('source.sha256 must be 64 lowercase hex digits');
  int(source['bytes'], 'source.bytes');
  str(m['mlserve'], 'mlserve');
  str(obj(m['onnxruntime'], 'onnxruntime')['node'], 'onnxruntime.node');
  str(m['createdAt'], 'createdAt');
  if (!Array.isArray(m['variants'])) fail('variants must be an array');
  const ids = new Set<string>();
  const files = new Set<string>();
  (m['variants'] as unknown[]).forEach((raw, i) => {
    const at = `variants[${i}]`;
    const v = obj(raw, at);
    const id = str(v['id'], `${at}.id`);
    if (ids.has(id)) fail(`${at}.id '${id}' is used twice`);
    ids.add(id);
    const f = str(v['file'], `${at}.file`);
    if (!isSafeBundlePath(f)) fail(`${at}.file '${f}' must be a relative path inside the bundle`);
    if (files.has(f)) fail(`${at}.file '${f}' is used twice`);
    files.add(f);
    if (!SHA256.test(str(v['sha256'], `${at}.sha256`))) fail(`${at}.sha256 must be 64 lowercase hex digits`);
    int(v['bytes'], `${at}.bytes`);
    str(v['provider'], `${at}.provider`);
    if (!(PRECISIONS as readonly string[]).includes(str(v['precision'], `${at}.precision`))) fail(`${at}.precision must be one of ${PRECISIONS.join(', ')}`);
    int(v['batchSize'], `${at}.batchSize`, 1);
    shapes(v['inputs'], `${at}.inputs`);
    shapes(v['outputs'], `${at}.outputs`);
    obj(v['batchAxes'], `${at}.batchAxes`);
    if (!Array.isArray(v['passes'])) fail(`${at}.passes must be an array`);
    if (!(ORT_LEVELS as readonly string[]).includes(str(v['optimizationLevel'], `${at}.optimizationLevel`))) fail(`${at}.optimizationLevel must be one of ${ORT_LEVELS.join(', ')}`);
    obj(v['opset'], `${at}.opset`);
    str(v['createdAt'], `${at}.createdAt`);
  });
  if (m['selection'] !== undefined) {
    const s = obj(m['selection'], 'selection');
    if (!Array.isArray(s['byBatchSize'])) fail('selection.byBatchSize must be an array');
    (s['byBatchSize'] as unknown[]).forEach((raw, i) => {
      const e = obj(raw, `selection.byBatchSize[${i}]`);
      if (!ids.has(str(e['variant'], `selection.byBatchSize[${i}].variant`))) fail(`selection.byBatchSize[${i}].variant '${String(e['variant'])}' is not a variant of the bundle`);
      int(e['batchSize'], `selection.byBatchSize[${i}].batchSize`, 1);
    });
    if (!Array.isArray(s['servedBatchSizes']) || !s['servedBatchSizes'].every((b) => Number.isSafeInteger(b) && b >= 1)) fail('selection.servedBatchSizes must be an array of positive integers');
    const chosen = new Set((s['byBatchSize'] as Array<{ batchSize: number }>).map((e) => e.batchSize));
    for (const b of s['servedBatchSizes'] as number[]) if (!chosen.has(b)) fail(`selection.servedBatchSizes lists ${b}, which selection.byBatchSize does not`);
  }
  return m as unknown as BundleManifest;
}

export function manifestPath(dir: string): string {
  return path.join(dir, MANIFEST_FILE);
}

export function isBundleDir(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && fs.existsSync(manifestPath(dir));
  } catch {
    return false;
  }
}

export function readManifest(dir: string): BundleManifest {
  const file = manifestPath(dir);
  const json = readJsonFile(file, (reason, cause) => new MlserveError('MLS_ERR_BUNDLE_MANIFEST_INVALID', { file, reason }, { cause }));
  return parseManifest(json, file);
}

/** Writes manifest.json atomically: a temporary file beside it, then a rename. */
export function writeManifest(dir: string, manifest: BundleManifest): void {
  const file = manifestPath(dir);
  const tmp = path.join(dir, `.${MANIFEST_FILE}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new MlserveError('MLS_ERR_WRITE_FAILED', { file, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
  }
}
