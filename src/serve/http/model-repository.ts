/**
 * The models a server serves, by name and version, each version one `Serving` (its own batcher and
 * workers).
 *
 * What the path given to `mlserve serve` holds decides the layout:
 * - a .onnx file, or a directory holding `model.onnx` or `manifest.json` (a compiled bundle): one model,
 *   version "1", named by --name or after the file;
 * - any other directory: a repository `DIR/<name>/<version>/` (Triton's layout), every version directory a
 *   positive integer holding `model.onnx` or a bundle. Every version found is loaded; a request that names
 *   no version goes to the newest (highest number).
 *
 * Bundles (a directory with manifest.json) are served through the variants their manifest selects (see
 * bundle-source.ts); any other directory through its model.onnx.
 *
 * With model control 'explicit', `load` re-reads one model's directory (new versions start, versions gone
 * from disk stop, failed ones retry) and `unload` drains and stops every version of it. Loads and unloads
 * of one model run one at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlserveError } from '../../errors.js';
import { defaultModelName } from '../model-source.js';
import { Serving, type ServingOptions } from '../serving.js';
import { bundleModelSource, isBundleDir } from './bundle-source.js';
import type { Logger } from './json-logger.js';

export type ModelControl = 'none' | 'explicit';

/** Options every model is served with (everything but where it comes from and its name). */
export type SharedServingOptions = Omit<ServingOptions, 'model' | 'name'>;

export interface ModelRepositoryOptions {
  /** A model file, a bundle or model directory, or a repository directory. */
  path: string;
  /** The name of a single model (not allowed with a repository). */
  name?: string;
  serving: SharedServingOptions;
  log: Logger;
}

export interface VersionOnDisk {
  version: string;
  /** What `Serving` is given: a .onnx file or a directory. */
  path: string;
}

export interface IndexEntry {
  name: string;
  version: string;
  /** READY, LOADING, UNAVAILABLE, … (Serving's states); UNAVAILABLE with reason 'unloaded' / 'not loaded'. */
  state: string;
  reason?: string;
}

export interface ServedVersion {
  name: string;
  version: string;
  serving: Serving;
}

interface ModelEntry {
  /** Loaded versions, by version string. */
  versions: Map<string, Serving>;
  /** Set by unload; cleared by load. */
  unloaded: boolean;
}

/** True when `dir` is one served model rather than a repository of them. */
function isModelDirectory(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.onnx')) || fs.existsSync(path.join(dir, 'manifest.json'));
}

/** Versions of one model directory, oldest first; directories that are not positive integers are skipped. */
export function versionsOnDisk(modelDir: string): VersionOnDisk[] {
  if (!fs.existsSync(modelDir) || !fs.statSync(modelDir).isDirectory()) return [];
  return fs.readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[1-9]\d*$/.test(e.name) && isModelDirectory(path.join(modelDir, e.name)))
    .map((e) => ({ version: e.name, path: path.join(modelDir, e.name) }))
    .sort((a, b) => Number(a.version) - Number(b.version));
}

export class ModelRepository {
  private readonly models = new Map<string, ModelEntry>();
  /** Per model name: the tail of its chain of loads and unloads. */
  private readonly busy = new Map<string, Promise<unknown>>();
  /** Where each model's versions are looked for: a repository subdirectory, or the single model's path. */
  private readonly single: { name: string; path: string } | undefined;
  private readonly root: string;
  private closed = false;

  constructor(private readonly options: ModelRepositoryOptions) {
    const p = options.path;
    if (!fs.existsSync(p)) throw new MlserveError('MLS_ERR_FILE_NOT_FOUND', { file: p });
    this.root = p;
    if (!fs.statSync(p).isDirectory() || isModelDirectory(p)) {
      this.single = { name: options.name ?? defaultModelName(p).replace(/\.bundle$/, ''), path: p };
    } else if (options.name !== undefined) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '--name', value: options.name, reason: `names a single model, but ${p} is a model repository (its models are named after their directories)` });
    }
  }

  /** Every model and its versions as they are on disk now; `warn` logs the directories skipped. */
  scan(warn = false): Map<string, VersionOnDisk[]> {
    if (this.single) return new Map([[this.single.name, [{ version: '1', path: this.single.path }]]]);
    const found = new Map<string, VersionOnDisk[]>();
    for (const e of fs.readdirSync(this.root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory()) continue;
      const versions = versionsOnDisk(path.join(this.root, e.name));
      if (versions.length > 0) found.set(e.name, versions);
      else if (warn) this.options.log.warn('skipping a directory of the model repository that holds no version', { dir: path.join(this.root, e.name) });
    }
    return found;
  }

  /** Loads every model found and resolves once all are READY; rejects with the first failure (after stopping all). */
  async loadAll(): Promise<void> {
    const found = this.scan(true);
    if (found.size === 0) {
      throw new MlserveError('MLS_ERR_SERVE_REPOSITORY_INVALID', { dir: this.root, reason: 'no model found: no <name>/<version>/ directory holds a model.onnx or a bundle' });
    }
    const started: Promise<void>[] = [];
    try {
      for (const [name, versions] of found) {
        const entry: ModelEntry = { versions: new Map(), unloaded: false };
        this.models.set(name, entry);
        for (const v of versions) started.push(this.startVersion(name, entry, v));
      }
      await Promise.all(started);
    } catch (e) {
      await Promise.allSettled(started);
      await this.stopAll();
      throw e;
    }
  }

  /** The Serving for a request: the named version, or the newest loaded one. Throws MODEL_NOT_FOUND (404). */
  resolve(name: string, version?: string): ServedVersion {
    const entry = this.models.get(name);
    const notFound = (reason: string) => new MlserveError('MLS_ERR_SERVE_MODEL_NOT_FOUND', { model: name, version: version ?? '', reason });
    if (!entry) throw notFound(`no such model (served: ${[...this.models.keys()].join(', ') || 'none'})`);
    if (entry.versions.size === 0) throw notFound(entry.unloaded ? `it is unloaded (POST /v2/repository/models/${name}/load loads it)` : 'no version is loaded');
    if (version === undefined) {
      const newest = [...entry.versions.keys()].sort((a, b) => Number(b) - Number(a))[0]!;
      return { name, version: newest, serving: entry.versions.get(newest)! };
    }
    const serving = entry.versions.get(version);
    if (!serving) throw notFound(`no such version (versions: ${this.versionsOf(name).join(', ')})`);
    return { name, version, serving };
  }

  /** Loaded versions of `name`, oldest first. */
  versionsOf(name: string): string[] {
    return [...(this.models.get(name)?.versions.keys() ?? [])].sort((a, b) => Number(a) - Number(b));
  }

  /** Every loaded version, for metrics and readiness. */
  served(): ServedVersion[] {
    const out: ServedVersion[] = [];
    for (const [name, entry] of this.models) {
      for (const version of this.versionsOf(name)) out.push({ name, version, serving: entry.versions.get(version)! });
    }
    return out;
  }

  /** True when every loaded version is READY (an unloaded model does not count). */
  get ready(): boolean {
    if (this.closed) return false;
    return this.served().every((s) => s.serving.state === 'READY');
  }

  /** The repository index: every model and version on disk or loaded, with its state. */
  index(): IndexEntry[] {
    const onDisk = this.scan();
    const names = new Set([...onDisk.keys(), ...this.models.keys()]);
    const out: IndexEntry[] = [];
    for (const name of [...names].sort()) {
      const entry = this.models.get(name);
      const versions = new Set([...(onDisk.get(name) ?? []).map((v) => v.version), ...(entry?.versions.keys() ?? [])]);
      for (const version of [...versions].sort((a, b) => Number(a) - Number(b))) {
        const serving = entry?.versions.get(version);
        if (serving) {
          const reason = serving.unavailableReason?.message;
          out.push({ name, version, state: serving.state, ...(reason ? { reason } : {}) });
        } else {
          out.push({ name, version, state: 'UNAVAILABLE', reason: entry?.unloaded ? 'unloaded' : 'not loaded' });
        }
      }
    }
    return out;
  }

  /** (Re)loads one model from disk; resolves once every version is READY, or rejects with the first failure. */
  load(name: string): Promise<void> {
    return this.serialize(name, async () => {
      const versions = (this.single ? this.scan() : new Map([[name, versionsOnDisk(path.join(this.root, name))]])).get(name) ?? [];
      if (versions.length === 0) {
        throw new MlserveError('MLS_ERR_SERVE_MODEL_NOT_FOUND', { model: name, version: '', reason: `the repository has no such model (looked for ${this.single ? this.single.path : path.join(this.root, name, '<version>')})` });
      }
      let entry = this.models.get(name);
      if (!entry) {
        entry = { versions: new Map(), unloaded: false };
        this.models.set(name, entry);
      }
      entry.unloaded = false;
      const wanted = new Set(versions.map((v) => v.version));
      const gone = [...entry.versions].filter(([v]) => !wanted.has(v));
      for (const [v] of gone) entry.versions.delete(v);
      const starting: Promise<void>[] = [];
      for (const v of versions) {
        const current = entry.versions.get(v.version);
        if (current && (current.state === 'READY' || current.state === 'LOADING')) continue;
        if (current) await current.stop();
        starting.push(this.startVersion(name, entry, v));
      }
      await Promise.all([...starting, ...gone.map(([, s]) => s.stop())]);
      this.options.log.info('model loaded', { model: name, versions: this.versionsOf(name) });
    });
  }

  /** Drains and stops every version of `name`; its requests get 404 until it is loaded again. */
  unload(name: string): Promise<void> {
    return this.serialize(name, async () => {
      const entry = this.models.get(name);
      if (!entry) throw new MlserveError('MLS_ERR_SERVE_MODEL_NOT_FOUND', { model: name, version: '', reason: `no such model (served: ${[...this.models.keys()].join(', ') || 'none'})` });
      const servings = [...entry.versions.values()];
      entry.versions.clear();
      entry.unloaded = true;
      await Promise.all(servings.map((s) => s.stop()));
      this.options.log.info('model unloaded', { model: name });
    });
  }

  /** Stops every model, finishing every request already accepted. */
  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.models.values()].flatMap((e) => [...e.versions.values()].map((s) => s.stop())));
  }

  private async startVersion(name: string, entry: ModelEntry, v: VersionOnDisk): Promise<void> {
    const log = this.options.log;
    log.info('loading model', { model: name, version: v.version, path: v.path });
    const started = performance.now();
    const serving = Serving.load({ ...this.options.serving, model: isBundleDir(v.path) ? bundleModelSource(v.path) : v.path, name });
    entry.versions.set(v.version, serving);
    try {
      await serving.ready;
    } catch (e) {
      log.error('model failed to load', { model: name, version: v.version, error: e });
      throw e;
    }
    const m = serving.metadata;
    log.info('model ready', { model: name, version: v.version, ms: Math.round(performance.now() - started), batching: m.batching.kind, maxBatch: m.maxBatch, maxDelayMs: m.maxDelayMs, dispatchWhenIdle: m.dispatchWhenIdle, workers: m.workers, threadsPerWorker: m.threadsPerWorker });
  }

  private serialize<T>(name: string, work: () => Promise<T>): Promise<T> {
    const next = (this.busy.get(name) ?? Promise.resolve()).then(work);
    const tail = next.catch(() => {});
    this.busy.set(name, tail);
    void tail.then(() => { if (this.busy.get(name) === tail) this.busy.delete(name); });
    return next;
  }
}
