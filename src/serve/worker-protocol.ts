/**
 * The messages between the worker pool (main thread) and an inference worker. Tensors travel as plain
 * objects whose buffers are transferred, not copied; errors travel as `{ code, message, details }` and are
 * rebuilt as MlserveError on the main thread.
 */
import type { SessionSignature } from '../runtime/session-signature.js';
import type { ModelVariant } from './model-source.js';
import type { Tensor } from './tensor.js';

export interface WorkerInit {
  model: string;
  variants: ModelVariant[];
  threads: number;
  warmup: {
    /** Batch sizes to warm up a dynamic-batch session at (a fixed one warms up at its own size). */
    batchSizes: number[];
    /** Full input shapes to take dynamic non-batch dims from; other dynamic dims are 1. */
    shapes: Record<string, number[]>;
    /** Inputs filled with this value instead of zeros (a sample rate, a token id); absent: zeros. */
    values?: Record<string, number>;
  };
}

export interface PlainError {
  code: string;
  message: string;
  details: unknown;
}

export type ToWorker =
  | { type: 'run'; id: number; batchSize: number; inputs: Record<string, Tensor>; exitForTest?: boolean }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; signatures: SessionSignature[]; warmupRuns: number }
  | { type: 'init-failed'; error: PlainError }
  /** `spent`: the batch's input buffers, handed back for the next batch to be stacked into. */
  | { type: 'result'; id: number; outputs: Record<string, Tensor>; computeMs: number; spent: ArrayBuffer[] }
  | { type: 'failed'; id: number; error: PlainError };

/** The buffers to transfer with `tensors`: each owned ArrayBuffer once; shared memory and strings need none. */
export function transferList(tensors: Iterable<Tensor>): ArrayBuffer[] {
  const list = new Set<ArrayBuffer>();
  for (const t of tensors) {
    if (ArrayBuffer.isView(t.data) && t.data.buffer instanceof ArrayBuffer) list.add(t.data.buffer);
  }
  return [...list];
}

/**
 * `t` ready to be transferred: as is when its data is the whole of its buffer, else a copy — transferring
 * the buffer behind a partial view would take memory that is not the tensor's (and detach its neighbours).
 */
export function ownedTensor(t: Tensor): Tensor {
  if (!ArrayBuffer.isView(t.data) || !(t.data.buffer instanceof ArrayBuffer)) return t;
  const view = t.data as Float32Array;
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return t;
  return { dtype: t.dtype, dims: t.dims, data: view.slice() as unknown as Tensor['data'] };
}
