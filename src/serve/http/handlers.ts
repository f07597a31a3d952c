/**
 * One handler per endpoint: each translates a KServe v2 request into calls on the model repository and
 * its `Serving`s, and their answers (or MlserveErrors) into the protocol's responses. Nothing here
 * batches, queues or computes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MlserveError } from '../../errors.js';
import { parseInferenceRequest, parseJsonBody } from './inference-request.js';
import { encodeInferenceResponse } from './inference-response.js';
import type { ModelControl, ModelRepository } from './model-repository.js';
import { METRICS_CONTENT_TYPE, renderMetrics, type HttpCounters } from './prometheus-metrics.js';
import { readBody } from './read-body.js';
import { sendEmpty, sendInference, sendJson, sendText } from './respond.js';
import type { RouteName, RouteParams } from './router.js';
import { v2Datatype } from './v2-datatype.js';

export interface HandlerContext {
  repository: ModelRepository;
  http: HttpCounters;
  maxBodyBytes: number;
  modelControl: ModelControl;
  serverVersion: string;
  /** True once shutdown began: nothing new is accepted, health/ready says no. */
  draining(): boolean;
  /**
   * Counts an accepted inference request until it reaches its model (shutdown waits for those before it
   * drains the models); call the returned function once it has (or has failed). Idempotent.
   */
  admit(): () => void;
}

export type Handler = (ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, params: RouteParams) => Promise<void> | void;

/** Extensions of the protocol this server implements, as GET /v2 lists them (Triton's names). */
export const EXTENSIONS = ['binary_tensor_data', 'model_repository', 'statistics'] as const;

function headerLength(req: IncomingMessage): number | undefined {
  const h = req.headers['inference-header-content-length'];
  if (h === undefined) return undefined;
  const n = Number(h);
  if (typeof h !== 'string' || !/^\d+$/.test(h.trim()) || !Number.isSafeInteger(n)) {
    throw new MlserveError('MLS_ERR_SERVE_BAD_REQUEST', { reason: `Inference-Header-Content-Length must be a byte count, got '${String(h)}'` });
  }
  return n;
}

function requireModelControl(ctx: HandlerContext, action: string): void {
  if (ctx.modelControl !== 'explicit') throw new MlserveError('MLS_ERR_SERVE_MODEL_CONTROL_DISABLED', { action });
}

const healthLive: Handler = (_ctx, req, res) => sendEmpty(req, res, 200);

const healthReady: Handler = (ctx, req, res) => sendEmpty(req, res, !ctx.draining() && ctx.repository.ready ? 200 : 503);

const serverMetadata: Handler = (ctx, req, res) => {
  sendJson(req, res, 200, { name: 'mlserve', version: ctx.serverVersion, extensions: EXTENSIONS });
};

const modelMetadata: Handler = (ctx, req, res, params) => {
  const { name, serving } = ctx.repository.resolve(params.model!, params.version);
  const m = serving.metadata;
  const tensor = (t: { name: string; dtype: string; shape: number[] }) => ({ name: t.name, datatype: v2Datatype(t.dtype), shape: t.shape });
  sendJson(req, res, 200, {
    name,
    versions: ctx.repository.versionsOf(name),
    platform: m.platform,
    inputs: m.inputs.map(tensor),
    outputs: m.outputs.map(tensor),
  });
};

const modelReady: Handler = (ctx, req, res, params) => {
  const { serving } = ctx.repository.resolve(params.model!, params.version);
  sendEmpty(req, res, !ctx.draining() && serving.state === 'READY' ? 200 : 503);
};

const modelInfer: Handler = async (ctx, req, res, params) => {
  const admitted = ctx.admit();
  let outputs;
  let target;
  let request;
  try {
    // The model is looked up before the body is read: an unknown model is refused without reading it.
    target = ctx.repository.resolve(params.model!, params.version);
    const hl = headerLength(req);
    const body = await readBody(req, ctx.maxBodyBytes, hl);
    // metadata throws MLS_ERR_SERVE_NOT_READY (503) while the model loads or drains.
    request = parseInferenceRequest(body, hl, target.serving.metadata);
    const pending = target.serving.infer(request.inputs, request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs });
    admitted();
    outputs = await pending;
  } finally {
    admitted();
  }
  sendInference(res, encodeInferenceResponse({ name: target.name, version: target.version }, request.id, outputs, request.outputs));
};

/**
 * Triton's statistics extension, as far as the serving core counts: requests by success and failure,
 * rows and batches computed, and total queue and compute time (nanoseconds, as Triton reports them).
 */
const modelStats: Handler = (ctx, req, res, params) => {
  const served = params.model === undefined ? ctx.repository.served() : [ctx.repository.resolve(params.model, params.version)];
  const ns = (ms: number) => Math.round(ms * 1e6);
  sendJson(req, res, 200, {
    model_stats: served.map(({ name, version, serving }) => {
      const s = serving.stats();
      const failed = s.requests.bad_input + s.requests.not_ready + s.requests.queue_full + s.requests.timeout + s.requests.failed;
      return {
        name,
        version,
        inference_count: s.rows,
        execution_count: s.batches,
        inference_stats: {
          success: { count: s.requests.success },
          fail: { count: failed },
          queue: { count: s.queueTimeMs.count, ns: ns(s.queueTimeMs.sum) },
          compute_infer: { count: s.computeTimeMs.count, ns: ns(s.computeTimeMs.sum) },
        },
      };
    }),
  });
};

const repositoryIndex: Handler = async (ctx, req, res) => {
  const body = await readBody(req, ctx.maxBodyBytes);
  const options = body.length === 0 ? {} : parseJsonBody(body.toString('utf8'));
  const readyOnly = options['ready'] === true;
  sendJson(req, res, 200, ctx.repository.index().filter((e) => !readyOnly || e.state === 'READY'));
};

const repositoryLoad: Handler = async (ctx, req, res, params) => {
  requireModelControl(ctx, `loading model '${params.model!}'`);
  await readBody(req, ctx.maxBodyBytes);
  await ctx.repository.load(params.model!);
  sendEmpty(req, res, 200);
};

const repositoryUnload: Handler = async (ctx, req, res, params) => {
  requireModelControl(ctx, `unloading model '${params.model!}'`);
  await readBody(req, ctx.maxBodyBytes);
  await ctx.repository.unload(params.model!);
  sendEmpty(req, res, 200);
};

const metrics: Handler = (ctx, _req, res) => {
  const models = ctx.repository.served().map(({ name, version, serving }) => ({ name, version, ready: serving.state === 'READY', stats: serving.stats() }));
  sendText(res, 200, METRICS_CONTENT_TYPE, renderMetrics(models, ctx.http));
};

export const HANDLERS: Readonly<Record<RouteName, Handler>> = {
  'health-live': healthLive,
  'health-ready': healthReady,
  'server-metadata': serverMetadata,
  'model-metadata': modelMetadata,
  'model-ready': modelReady,
  'model-infer': modelInfer,
  'model-stats': modelStats,
  'repository-index': repositoryIndex,
  'repository-load': repositoryLoad,
  'repository-unload': repositoryUnload,
  metrics,
};

/** Endpoints that start new work, refused while the server drains; the rest keep answering. */
export const REFUSED_WHILE_DRAINING: ReadonlySet<RouteName> = new Set(['model-infer', 'repository-load', 'repository-unload']);
