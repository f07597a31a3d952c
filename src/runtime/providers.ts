/**
 * Execution providers: which ones this machine can use, and sessions on any of them behind one
 * interface. `cpu`, `webgpu`, `cuda`, `tensorrt`, `coreml` and `dml` run in onnxruntime-node (the ones
 * its build for this platform lists in `listSupportedBackends()`); `wasm` runs in onnxruntime-web, in
 * this Node process.
 *
 * Usability is decided by evidence, not by the list alone: a listed provider whose binaries are not
 * bundled must have its shared library present, and any GPU provider must create and run a one-node
 * session. That probe runs in a child process, because a failing GPU provider prints native warnings
 * straight onto stderr (Dawn's "Couldn't load Vulkan") that must not reach the user's terminal.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlserveError } from '../errors.js';
import { createSession, ort, type OrtSession, type OrtTensor } from './ort-session.js';
import type { OutputTensor } from './run-session.js';

export const PROVIDER_NAMES = ['cpu', 'wasm', 'webgpu', 'cuda', 'tensorrt', 'coreml', 'dml'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderStatus {
  name: ProviderName;
  runtime: 'onnxruntime-node' | 'onnxruntime-web';
  usable: boolean;
  /** Why it is not usable (or, for a usable one, a note such as how it was checked). */
  reason?: string;
}

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

const require = createRequire(import.meta.url);

/** onnxruntime-node's native folder for this platform, where not-bundled provider libraries land. */
function nodeBinaryDir(): string {
  const index = require.resolve('onnxruntime-node');
  return path.join(path.dirname(index), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

const SHARED_LIBRARY: Partial<Record<ProviderName, string>> = { cuda: 'onnxruntime_providers_cuda', tensorrt: 'onnxruntime_providers_tensorrt' };

const PLATFORM_ONLY: Partial<Record<ProviderName, string>> = { coreml: 'macOS', dml: 'Windows' };

function hasSharedLibrary(base: string): boolean {
  const dir = nodeBinaryDir();
  const names = process.platform === 'win32' ? [`${base}.dll`] : [`lib${base}.so`, `lib${base}.dylib`];
  return names.some((n) => fs.existsSync(path.join(dir, n)));
}

/** Versions of the runtimes mlserve runs models in; `web` is absent when onnxruntime-web is not installed. */
export function runtimeVersions(): { node: string; web?: string } {
  const versions: { node: string; web?: string } = { node: ort.env.versions.node ?? ort.env.versions.common };
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('onnxruntime-web')), '..', 'package.json'), 'utf8')) as { version: string };
    versions.web = pkg.version;
  } catch {
    // not installed: wasm is then reported unusable
  }
  return versions;
}

const statusCache = new Map<ProviderName, Promise<ProviderStatus>>();

/** Whether `name` can run here; probes at most once per process. */
export function providerStatus(name: ProviderName): Promise<ProviderStatus> {
  let status = statusCache.get(name);
  if (!status) {
    status = decideStatus(name);
    statusCache.set(name, status);
  }
  return status;
}

export async function listProviders(): Promise<ProviderStatus[]> {
  return Promise.all(PROVIDER_NAMES.map((p) => providerStatus(p)));
}

async function decideStatus(name: ProviderName): Promise<ProviderStatus> {
  if (name === 'wasm') {
    const web = runtimeVersions().web;
    return web
      ? { name, runtime: 'onnxruntime-web', usable: true, reason: `onnxruntime-web ${web} in Node` }
      : { name, runtime: 'onnxruntime-web', usable: false, reason: 'onnxruntime-web is not installed (npm install onnxruntime-web)' };
  }
  const status = (usable: boolean, reason?: string): ProviderStatus => ({ name, runtime: 'onnxruntime-node', usable, ...(reason ? { reason } : {}) });
  if (name === 'cpu') return status(true);
  const version = runtimeVersions().node;
  const listed = ort.listSupportedBackends();
  const entry = listed.find((b) => b.name === name);
  if (!entry) {
    const only = PLATFORM_ONLY[name];
    return status(false, `onnxruntime-node ${version} for ${process.platform}-${process.arch} does not include it`
      + `${only ? ` (it exists only on ${only})` : ''}; this build has ${listed.map((b) => b.name).join(', ')}`);
  }
  const library = SHARED_LIBRARY[name];
  if (!entry.bundled && library && !hasSharedLibrary(library)) {
    return status(false, `its binaries are not installed: onnxruntime-node ${version} downloads lib${library} only when installed with `
      + `--onnxruntime-node-install=cuda12 (Linux x64, with CUDA 12 and cuDNN 9${name === 'tensorrt' ? ' and TensorRT 10' : ''} on the machine)`);
  }
  const probe = await probeInChild(name);
  return probe.ok ? status(true, 'a test session ran') : status(false, probe.reason);
}

function probeInChild(name: ProviderName): Promise<{ ok: true } | { ok: false; reason: string }> {
  const script = fileURLToPath(new URL('./provider-probe-child.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [script, name], { timeout: 60_000, encoding: 'utf8' }, (error, stdout) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as { ok: true } | { ok: false; reason: string });
      } catch {
        resolve({ ok: false, reason: `the probe session crashed (${error?.message.split('\n')[0] ?? 'no output'})` });
      }
    });
  });
}

/**
 * The providers a command was asked for, in order and without repeats: unknown names are a usage
 * error, known but unusable ones a MLS_ERR_PROVIDER_UNAVAILABLE naming the reason.
 */
export async function requireProviders(names: readonly string[], option = '--provider'): Promise<ProviderName[]> {
  const wanted: ProviderName[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (!isProviderName(name)) {
      throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value: raw, reason: `unknown execution provider (known: ${PROVIDER_NAMES.join(', ')})` });
    }
    if (!wanted.includes(name)) wanted.push(name);
  }
  for (const name of wanted) {
    const status = await providerStatus(name);
    if (!status.usable) throw new MlserveError('MLS_ERR_PROVIDER_UNAVAILABLE', { provider: name, reason: status.reason ?? 'unknown reason' });
  }
  return wanted;
}

/** What both runtimes' sessions have in common, as the bench loop calls it. */
export interface RawSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { type: string; dims: readonly number[]; data: unknown }>>;
  release(): Promise<void>;
}

export interface ProviderSession {
  readonly provider: ProviderName;
  /** The runtime's own session: a benchmark times `raw.run(feeds)` and nothing else. */
  readonly raw: RawSession;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** `feeds` as tensors of this session's runtime (onnxruntime-web has its own Tensor class). */
  adoptFeeds(feeds: Record<string, OrtTensor>): Record<string, unknown>;
  /** One run, outputs detached from the runtime's tensor objects. */
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OutputTensor>>;
  release(): Promise<void>;
}

export interface ProviderSessionOptions {
  threads?: number;
  /** Default 'all': hardware-specific rewrites belong to load time on the machine that runs the model. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

type OrtWeb = typeof import('onnxruntime-web');
let ortWebModule: Promise<OrtWeb> | undefined;
let wasmThreads: number | undefined;

/**
 * onnxruntime-web reads `env.wasm.numThreads` once, when its WebAssembly module starts; later sessions
 * in the same process keep that count. This returns the count in force (undefined before the first session).
 */
export function wasmThreadCount(): number | undefined {
  return wasmThreads;
}

async function loadOrtWeb(threads: number): Promise<OrtWeb> {
  if (!ortWebModule) {
    ortWebModule = import('onnxruntime-web').then((m) => {
      m.env.wasm.numThreads = threads;
      m.env.logLevel = 'fatal';
      wasmThreads = threads;
      return m;
    });
  }
  return ortWebModule;
}

export async function createProviderSession(provider: ProviderName, model: Uint8Array | string, options: ProviderSessionOptions = {}): Promise<ProviderSession> {
  const threads = options.threads ?? 1;
  const level = options.graphOptimizationLevel ?? 'all';
  if (provider === 'wasm') {
    const web = await loadOrtWeb(threads);
    const bytes = typeof model === 'string' ? new Uint8Array(fs.readFileSync(model)) : model;
    const session = await web.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: level, logSeverityLevel: 4 });
    const adopt = (feeds: Record<string, OrtTensor>) => Object.fromEntries(Object.entries(feeds).map(([name, t]) =>
      [name, new web.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
    return wrap(provider, session as unknown as RawSession, adopt);
  }
  const session: OrtSession = await createSession(model, { threads, graphOptimizationLevel: level, executionProviders: [provider] });
  return wrap(provider, session as unknown as RawSession, (feeds) => feeds);
}

function wrap(provider: ProviderName, raw: RawSession, adoptFeeds: (feeds: Record<string, OrtTensor>) => Record<string, unknown>): ProviderSession {
  return {
    provider,
    raw,
    inputNames: raw.inputNames,
    outputNames: raw.outputNames,
    adoptFeeds,
    async run(feeds) {
      const results = await raw.run(adoptFeeds(feeds));
      const out: Record<string, OutputTensor> = {};
      for (const [name, t] of Object.entries(results)) out[name] = { dtype: t.type, dims: [...t.dims], data: t.data as OutputTensor['data'] };
      return out;
    },
    release: () => raw.release(),
  };
}
