/**
 * What a served model accepts and returns, and how it batches — derived from the sessions' own view of
 * their inputs and outputs — and the check every request passes at `infer`, so a bad request fails fast
 * with a 400-class error on the main thread instead of inside a worker.
 *
 * The batch axis is axis 0 of every input and output. A model batches
 * - 'dynamic': every input's axis 0 is dynamic; a batch runs at exactly its row count;
 * - 'fixed': every input's axis 0 is the same fixed size (a variant list, or one file exported at batch 1);
 *   a batch is padded to the smallest of those sizes that holds it;
 * - 'none': the inputs share no batch axis (a scalar input, a batch on another axis, mixed fixed sizes);
 *   each request then runs alone, exactly as given.
 */
import { MlserveError } from '../errors.js';
import type { SessionSignature, TensorSignature } from '../runtime/session-signature.js';
import type { ModelVariant } from './model-source.js';
import { toTensor, type Tensor, type TensorLike } from './tensor.js';

export type Batching = { kind: 'dynamic' } | { kind: 'fixed'; sizes: number[] } | { kind: 'none' };

export interface ModelInterface {
  name: string;
  /** For batched models the batch dim is null (dynamic), whatever the variants were compiled for. */
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  batching: Batching;
}

type SessionBatching = { kind: 'dynamic' } | { kind: 'fixed'; size: number } | { kind: 'none' };

/** How one session batches, judged from its inputs' axis 0. */
export function sessionBatching(signature: SessionSignature): SessionBatching {
  const { inputs } = signature;
  if (inputs.length === 0 || inputs.some((i) => i.shape.length === 0)) return { kind: 'none' };
  const first = inputs.map((i) => i.shape[0]);
  if (first.every((d) => d === null)) return { kind: 'dynamic' };
  const size = first[0];
  if (typeof size === 'number' && size >= 1 && first.every((d) => d === size)) return { kind: 'fixed', size };
  return { kind: 'none' };
}

const withDynamicBatch = (t: TensorSignature): TensorSignature => ({ ...t, shape: t.shape.length > 0 ? [null, ...t.shape.slice(1)] : [] });
const describe = (list: TensorSignature[]) => list.map((t) => `${t.name}:${t.dtype}[${t.shape.slice(1).map((d) => d ?? '?').join(',')}]`).join(' ');

/** The interface of a model loaded from `variants`, whose sessions report `signatures` (same order). */
export function modelInterface(name: string, variants: readonly ModelVariant[], signatures: readonly SessionSignature[]): ModelInterface {
  const first = signatures[0];
  if (!first || signatures.length !== variants.length) throw new Error('modelInterface: one signature per variant');
  const fail = (file: string, reason: string) => new MlserveError('MLS_ERR_SERVE_LOAD_FAILED', { model: name, file, reason });
  if (variants.length === 1 && variants[0]!.batchSize === null) {
    const b = sessionBatching(first);
    const batching: Batching = b.kind === 'fixed' ? { kind: 'fixed', sizes: [b.size] } : b;
    const batched = batching.kind !== 'none';
    return {
      name,
      inputs: batched ? first.inputs.map(withDynamicBatch) : first.inputs,
      outputs: batched ? first.outputs.map(withDynamicBatch) : first.outputs,
      batching,
    };
  }
  const inputs = first.inputs.map(withDynamicBatch);
  const outputs = first.outputs.map(withDynamicBatch);
  variants.forEach((v, i) => {
    const sig = signatures[i]!;
    const b = sessionBatching(sig);
    if (v.batchSize === null || b.kind !== 'fixed' || b.size !== v.batchSize) {
      throw fail(v.file, `listed as the batch-${v.batchSize} variant, but its inputs' axis 0 is ${sig.inputs.map((t) => t.shape[0] ?? '?').join(',')}`);
    }
    const got = describe(sig.inputs) + ' → ' + describe(sig.outputs);
    const want = describe(inputs) + ' → ' + describe(outputs);
    if (got !== want) throw fail(v.file, `its inputs and outputs (${got}) differ from the other variants' (${want})`);
  });
  const sizes = variants.map((v) => v.batchSize!).sort((a, b) => a - b);
  return { name, inputs, outputs, batching: { kind: 'fixed', sizes } };
}

export interface ValidRequest {
  /** The inputs as plain tensors, in the model's input order. Data is not copied. */
  tensors: Record<string, Tensor>;
  /** Rows along the batch axis (1 for an unbatched model). */
  rows: number;
  /** Equal for requests that can be stacked: their non-batch dims match. */
  key: string;
}

/**
 * Checks `inputs` against the model: every input present and no other, element types, ranks, fixed dims,
 * one row count shared by all inputs, and (for a fixed-batch model) no more rows than the largest
 * compiled batch size — such a request is rejected, not split, so a request is always computed whole.
 */
export function validateRequest(model: ModelInterface, inputs: Readonly<Record<string, TensorLike>>): ValidRequest {
  const bad = (input: string, reason: string) => new MlserveError('MLS_ERR_SERVE_BAD_INPUT', { model: model.name, input, reason });
  if (inputs === null || typeof inputs !== 'object') throw bad('*', 'inputs must be an object of tensors by input name');
  const expected = new Set(model.inputs.map((i) => i.name));
  for (const name of Object.keys(inputs)) {
    if (!expected.has(name)) throw bad(name, `the model has no such input (its inputs: ${[...expected].join(', ')})`);
  }
  const batched = model.batching.kind !== 'none';
  const tensors: Record<string, Tensor> = {};
  const keyParts: string[] = [];
  let rows: number | undefined;
  for (const spec of model.inputs) {
    const given = inputs[spec.name];
    if (given === undefined) throw bad(spec.name, 'missing: the model needs it');
    const t = toTensor(given);
    if (typeof t === 'string') throw bad(spec.name, t);
    if (t.dtype !== spec.dtype) throw bad(spec.name, `element type is ${t.dtype}, the model needs ${spec.dtype}`);
    if (t.dims.length !== spec.shape.length) throw bad(spec.name, `has ${t.dims.length} dims [${t.dims.join(',')}], the model needs ${spec.shape.length} [${spec.shape.map((d) => d ?? -1).join(',')}]`);
    spec.shape.forEach((d, axis) => {
      if (d !== null && t.dims[axis] !== d && !(batched && axis === 0)) {
        throw bad(spec.name, `dim ${axis} is ${t.dims[axis]}, the model needs ${d} (shape [${spec.shape.map((x) => x ?? -1).join(',')}])`);
      }
    });
    if (batched) {
      const n = t.dims[0]!;
      if (n < 1) throw bad(spec.name, 'has no rows: the batch dim (axis 0) must be at least 1');
      if (rows !== undefined && n !== rows) throw bad(spec.name, `has ${n} rows but the other inputs have ${rows}: all inputs share the batch dim (axis 0)`);
      rows = n;
      keyParts.push(t.dims.slice(1).join('x'));
    }
    tensors[spec.name] = t;
  }
  if (model.batching.kind === 'fixed') {
    const largest = Math.max(...model.batching.sizes);
    if (rows! > largest) {
      throw bad(model.inputs[0]!.name, `has ${rows} rows; this model runs batches of at most ${largest} (compiled sizes ${model.batching.sizes.join(', ')}): send at most ${largest} rows per request`);
    }
  }
  return { tensors, rows: rows ?? 1, key: keyParts.join('|') };
}
