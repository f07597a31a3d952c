/**
 * The HTTP/1.1 server of `mlserve serve`: Node's own node:http (keep-alive, no framework — the protocol
 * is a dozen fixed routes, and a framework's plugin and validation layers would sit on the hot path of
 * every inference request for nothing), the router, the handlers and the model repository.
 *
 *   const server = await InferenceServer.start({ model: 'repo/', port: 0 });
 *   console.log(server.url);            // http://127.0.0.1:40123
 *   await server.shutdown();            // stop accepting, answer everything accepted, stop the models
 *
 * Life: `start` listens first (so /v2/health/live answers and /v2/health/ready says 503 while models
 * load), loads and warms up every model, and resolves once all are READY; a model that cannot load
 * makes `start` reject and close the server. `shutdown`: the listener closes (new connections are
 * refused), idle keep-alive connections close, requests arriving on open connections get 503
 * (MLS_ERR_SERVE_SHUTTING_DOWN) with `Connection: close`, every request already accepted is answered,
 * then the models drain and their workers stop.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlserveError } from '../../errors.js';
import { HANDLERS, REFUSED_WHILE_DRAINING, type HandlerContext } from './handlers.js';
import { createJsonLogger, type Logger } from './json-logger.js';
import { ModelRepository, type ModelControl, type SharedServingOptions } from './model-repository.js';
import { HttpCounters } from './prometheus-metrics.js';
import { ClientGoneError } from './read-body.js';
import { errorStatus, sendError } from './respond.js';
import { matchRoute } from './router.js';

export interface InferenceServerOptions extends SharedServingOptions {
  /** A model file, a bundle directory, or a model repository directory. */
  model: string;
  /** The model's name when `model` is a single model. */
  name?: string;
  /** Default 127.0.0.1: loopback only, unless asked. */
  host?: string;
  /** Default 8000; 0 picks a free port (see `port` after start). */
  port?: number;
  /** Largest request body; default 64 MiB. */
  maxBodyBytes?: number;
  /** 'explicit' allows loading and unloading models over HTTP; default 'none'. */
  modelControl?: ModelControl;
  log?: Logger;
  /** Version reported by GET /v2. */
  serverVersion?: string;
  /** Called once the server listens, before the models are loaded. */
  onListening?: (url: string) => void;
}

/** A count of things under way, and promises for the moments it reaches zero. */
class Pending {
  count = 0;
  private waiters: Array<() => void> = [];

  add(): void { this.count++; }

  done(): void {
    if (--this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  none(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export class InferenceServer {
  readonly repository: ModelRepository;
  readonly log: Logger;
  private readonly http = new HttpCounters();
  private readonly server: http.Server;
  private readonly context: HandlerContext;
  private draining = false;
  private stopping: Promise<void> | undefined;
  /** HTTP requests not yet answered. */
  private readonly unanswered = new Pending();
  /** Inference requests accepted but not yet handed to their model (reading the body, parsing). */
  private readonly admitting = new Pending();
  private address: AddressInfo | undefined;

  /** Listens, loads every model, and resolves once all are READY. */
  static async start(options: InferenceServerOptions): Promise<InferenceServer> {
    const server = new InferenceServer(options);
    await server.listen(options.host ?? DEFAULT_HOST, options.port ?? DEFAULT_PORT);
    options.onListening?.(server.url);
    server.log.info('listening', { url: server.url });
    try {
      await server.repository.loadAll();
    } catch (e) {
      await server.shutdown();
      throw e;
    }
    server.log.info('ready', { url: server.url, models: server.repository.served().map((s) => `${s.name}/${s.version}`) });
    return server;
  }

  private constructor(options: InferenceServerOptions) {
    this.log = options.log ?? createJsonLogger();
    const { model, name, host: _host, port: _port, maxBodyBytes, modelControl, log: _log, serverVersion, onListening: _cb, ...serving } = options;
    this.repository = new ModelRepository({ path: model, ...(name !== undefined ? { name } : {}), serving, log: this.log });
    this.context = {
      repository: this.repository,
      http: this.http,
      maxBodyBytes: maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      modelControl: modelControl ?? 'none',
      serverVersion: serverVersion ?? '0.0.0',
      draining: () => this.draining,
      admit: () => {
        this.admitting.add();
        let done = false;
        return () => { if (!done) { done = true; this.admitting.done(); } };
      },
    };
    // noDelay: a small response must not sit behind Nagle's algorithm waiting for the client's delayed ACK.
    this.server = http.createServer({ noDelay: true }, (req, res) => this.handle(req, res));
    // `Expect: 100-continue` (curl sends it for bodies over 1 MiB): a body over the limit is refused before
    // the client sends it; any other request is told to go on and handled as usual.
    this.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!(Number(req.headers['content-length']) > this.context.maxBodyBytes)) res.writeContinue();
      this.handle(req, res);
    });
  }

  get host(): string { return this.address?.address ?? ''; }
  get port(): number { return this.address?.port ?? 0; }
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  /** True when every model is READY and the server is not shutting down. */
  get ready(): boolean { return !this.draining && this.repository.ready; }

  /** HTTP requests being handled now. */
  get inFlight(): number { return this.http.inFlight; }

  /**
   * Stops accepting, answers every request already accepted, stops every model. Safe to call more than
   * once; every call resolves when the server is down.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.drainAndClose();
    return this.stopping;
  }

  private listen(host: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        reject(new MlserveError('MLS_ERR_SERVE_LISTEN_FAILED', { host, port, reason: e.code ?? e.message }, { cause: e }));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.log.error('server error', { error: e }));
        this.address = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  private async drainAndClose(): Promise<void> {
    this.draining = true;
    this.log.info('shutting down', { inFlight: this.http.inFlight });
    const closed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.server.closeIdleConnections();
    // Requests still on their way to a model (a body being uploaded) are let in first; then the models
    // drain: their queued batches go at once instead of waiting out --max-delay-ms.
    await this.admitting.none();
    await Promise.all([this.repository.stopAll(), this.unanswered.none()]);
    // Every request was answered; what is left open is idle keep-alive connections.
    this.server.closeAllConnections();
    await closed;
    this.log.info('stopped');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = performance.now();
    const match = matchRoute(req.method ?? 'GET', req.url ?? '/');
    const endpoint = match.kind === 'match' ? match.route : 'unknown';
    this.http.inFlight++;
    this.unanswered.add();
    res.once('close', () => {
      this.http.inFlight--;
      this.unanswered.done();
      // 499 (nginx's "client closed request"): the connection ended before the response did.
      this.http.count(endpoint, res.writableFinished ? res.statusCode : 499);
      if (this.log.enabled('debug')) {
        this.log.debug('request', { method: req.method, url: req.url, status: res.statusCode, ms: +(performance.now() - started).toFixed(3) });
      }
    });
    // Every response of a draining server closes its connection, so no client reuses it.
    if (this.draining) res.setHeader('Connection', 'close');
    if (match.kind === 'no-route') {
      sendError(req, res, new MlserveError('MLS_ERR_SERVE_NO_ROUTE', { method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, allow: match.allow.join(', ') }));
      return;
    }
    if (this.draining && REFUSED_WHILE_DRAINING.has(match.route)) {
      sendError(req, res, new MlserveError('MLS_ERR_SERVE_SHUTTING_DOWN', {}));
      return;
    }
    let result;
    try {
      result = HANDLERS[match.route](this.context, req, res, match.params);
    } catch (e) {
      this.fail(req, res, e);
      return;
    }
    if (result) result.catch((e: unknown) => this.fail(req, res, e));
  }

  private fail(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
    if (e instanceof ClientGoneError) {
      res.destroy();
      return;
    }
    if (this.draining) res.setHeader('Connection', 'close');
    const { status } = errorStatus(e);
    if (status >= 500 && status !== 503 && status !== 504) this.log.error('request failed', { method: req.method, url: req.url, status, error: e });
    sendError(req, res, e);
  }
}
