/**
 * The life of a served model:
 *
 *   LOADING ──► READY ──► DRAINING ──► STOPPED
 *      │          │           ▲
 *      └──► UNAVAILABLE(reason) ─┘ (stop)
 *
 * LOADING: workers are creating and warming up their sessions; READY only once every worker has run
 * every batch size it will be asked for. UNAVAILABLE carries the reason (load or warm-up failure, or every
 * worker lost). DRAINING: stop() was called; nothing new is accepted, everything accepted is finished.
 * Only READY accepts requests; every other state answers MLS_ERR_SERVE_NOT_READY (HTTP 503).
 */
import { MlserveError } from '../errors.js';

export type ModelState = 'LOADING' | 'READY' | 'UNAVAILABLE' | 'DRAINING' | 'STOPPED';

const NEXT: Readonly<Record<ModelState, readonly ModelState[]>> = {
  LOADING: ['READY', 'UNAVAILABLE', 'DRAINING'],
  READY: ['UNAVAILABLE', 'DRAINING'],
  UNAVAILABLE: ['DRAINING'],
  DRAINING: ['STOPPED'],
  STOPPED: [],
};

export class ModelLifecycle {
  private current: ModelState = 'LOADING';
  private why: MlserveError | undefined;
  private settleReady!: { resolve(): void; reject(e: MlserveError): void };
  /** Resolves on READY; rejects with the reason if the model never gets there. */
  readonly ready: Promise<void>;

  constructor(readonly model: string) {
    this.ready = new Promise<void>((resolve, reject) => { this.settleReady = { resolve, reject }; });
    // Whoever does not await `ready` must not see an unhandled rejection.
    this.ready.catch(() => {});
  }

  get state(): ModelState { return this.current; }

  /** Why the model is UNAVAILABLE (or became so before it was stopped). */
  get reason(): MlserveError | undefined { return this.why; }

  get accepting(): boolean { return this.current === 'READY'; }

  toReady(): void { this.move('READY'); this.settleReady.resolve(); }

  toUnavailable(reason: MlserveError): void {
    if (this.current === 'UNAVAILABLE') return;
    this.why = reason;
    this.move('UNAVAILABLE');
    this.settleReady.reject(reason);
  }

  toDraining(): void {
    const wasLoading = this.current === 'LOADING';
    this.move('DRAINING');
    if (wasLoading) this.settleReady.reject(this.notReady());
  }

  toStopped(): void { this.move('STOPPED'); }

  /** The error a request gets when the model does not accept it now. */
  notReady(): MlserveError {
    return new MlserveError('MLS_ERR_SERVE_NOT_READY', { model: this.model, state: this.current, reason: this.why?.message ?? '' });
  }

  private move(to: ModelState): void {
    if (!NEXT[this.current].includes(to)) throw new Error(`model '${this.model}': cannot go from ${this.current} to ${to}`);
    this.current = to;
  }
}
