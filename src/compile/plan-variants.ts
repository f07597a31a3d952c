/**
 * Which variants to build: provider × precision × batch size, each with every input's fixed shape.
 * Pure — no files, no onnxruntime — so the rules can be table-tested:
 *
 * - The batch dim of an input is the dim named by `batchDim` wherever the input has it, else the
 *   input's leading dim when that is symbolic (named or unknown). Inputs without one (a sample-rate
 *   scalar, a fixed-size state) keep their shape in every variant.
 * - Every other dim must end up a number: declared, set by `fixDims` (by symbol) or by `inputShapes`
 *   (the whole shape; its batch axis is replaced by each batch size, so `x=1,3,48,320` serves for all).
 * - A batch size the model cannot take (no input has a batch dim, and the size is not 1) is skipped
 *   with a reason rather than failing the whole compile.
 */
import { MlserveError } from '../errors.js';
import type { Dim } from '../ir/tensor-type.js';
import type { InputSpec } from '../runtime/random-inputs.js';

export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface VariantRequest {
  /** The model's real inputs, as declared. */
  inputs: readonly InputSpec[];
  providers: readonly string[];
  batchSizes: readonly number[];
  precisions: readonly Precision[];
  inputShapes?: ReadonlyMap<string, readonly number[]>;
  fixDims?: Readonly<Record<string, number>>;
  /** The symbolic dim that is the batch dim (--batch-dim); default: each input's symbolic leading dim. */
  batchDim?: string;
  /** For messages. */
  file?: string;
}

export interface PlannedVariant {
  /** `cpu-fp32-b4`: unique in a bundle. */
  id: string;
  /** Relative to the bundle, '/'-separated. */
  file: string;
  provider: string;
  precision: Precision;
  batchSize: number;
  /** Input name → fixed shape. */
  inputs: Record<string, number[]>;
  /** Input name → its batch axis, for the inputs that have one. */
  batchAxes: Record<string, number>;
}

export interface SkippedVariant {
  provider: string;
  precision: Precision;
  batchSize: number;
  reason: string;
}

export interface VariantPlan {
  variants: PlannedVariant[];
  skipped: SkippedVariant[];
  /** The batch dim's symbol when all batched inputs share one: fixing it also fixes outputs declared with it. */
  batchSymbol?: string;
}

export function variantId(provider: string, precision: string, batchSize: number): string {
  return `${provider}-${precision}-b${batchSize}`;
}

export function shapeText(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]` : '[?]';
}

/** Input name → batch axis, for the inputs that have a batch dim. */
export function batchAxes(inputs: readonly InputSpec[], batchDim?: string): Record<string, number> {
  const axes: Record<string, number> = {};
  for (const spec of inputs) {
    if (!spec.shape) continue;
    const axis = batchDim !== undefined ? spec.shape.indexOf(batchDim) : typeof spec.shape[0] === 'number' || spec.shape.length === 0 ? -1 : 0;
    if (axis >= 0) axes[spec.name] = axis;
  }
  if (batchDim !== undefined && Object.keys(axes).length === 0) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
      option: '--batch-dim', value: batchDim,
      reason: `no input has a dim named '${batchDim}' (inputs: ${inputs.map((i) => `${i.name} ${shapeText(i.shape)}`).join(', ')})`,
    });
  }
  return axes;
}

/** Every input's shape with the batch axis set to `batchSize`; throws MLS_ERR_SHAPE_UNFIXED for a dim left without a size. */
export function fixedShapes(request: VariantRequest, axes: Record<string, number>, batchSize: number): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const spec of request.inputs) {
    const given = request.inputShapes?.get(spec.name);
    const base: Dim[] = given ? [...given] : (spec.shape ?? []).map((d) => (typeof d === 'string' && request.fixDims?.[d] !== undefined ? request.fixDims[d]! : d));
    if (!given && !spec.shape) {
      throw new MlserveError('MLS_ERR_SHAPE_UNFIXED', { file: request.file ?? 'model', input: spec.name, shape: '[?]', dims: 'its rank is unknown' });
    }
    const axis = axes[spec.name];
    if (axis !== undefined && axis < base.length) base[axis] = batchSize;
    const missing = base.map((d, i) => (typeof d === 'number' && d >= 0 ? undefined : d === null ? `axis ${i}` : `'${d}'`)).filter((d) => d !== undefined);
    if (missing.length > 0) {
      throw new MlserveError('MLS_ERR_SHAPE_UNFIXED', { file: request.file ?? 'model', input: spec.name, shape: shapeText(spec.shape), dims: missing.join(', ') });
    }
    shapes[spec.name] = base as number[];
  }
  return shapes;
}

export function planVariants(request: VariantRequest): VariantPlan {
  const axes = batchAxes(request.inputs, request.batchDim);
  const symbols = new Set(request.inputs.filter((s) => axes[s.name] !== undefined).map((s) => s.shape![axes[s.name]!]));
  const symbol = symbols.size === 1 ? [...symbols][0] : undefined;
  if (typeof symbol === 'string' && symbol !== '' && request.fixDims?.[symbol] !== undefined) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
      option: '--fix-dim', value: `${symbol}=${request.fixDims[symbol]}`, reason: `'${symbol}' is the batch dim, which each variant sets from --batch`,
    });
  }
  const batched = Object.keys(axes).length > 0;
  const sizes = [...new Set(request.batchSizes)].sort((a, b) => a - b);
  const variants: PlannedVariant[] = [];
  const skipped: SkippedVariant[] = [];
  for (const provider of request.providers) {
    for (const precision of request.precisions) {
      for (const batchSize of sizes) {
        if (!batched && batchSize !== 1) {
          skipped.push({ provider, precision, batchSize, reason: 'no input has a symbolic leading (batch) dim, so the model takes one fixed batch (name one with --batch-dim)' });
          continue;
        }
        const id = variantId(provider, precision, batchSize);
        variants.push({ id, file: `variants/${id}.onnx`, provider, precision, batchSize, inputs: fixedShapes(request, axes, batchSize), batchAxes: { ...axes } });
      }
    }
  }
  return { variants, skipped, ...(typeof symbol === 'string' && symbol !== '' ? { batchSymbol: symbol } : {}) };
}
