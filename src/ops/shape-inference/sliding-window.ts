/**
 * Output length of one spatial axis under a sliding window (Conv, pooling) or its transpose
 * (ConvTranspose), with ONNX's auto_pad modes. Symbolic input lengths are kept where the formula is
 * the identity (stride 1 with "same" padding), and otherwise become a fresh symbol, so later ops can
 * still say "same as that"; an unknown (null) length stays unknown.
 */
import type { Dim } from '../../ir/tensor-type.js';
import { derivedSymbol } from './rule-helpers.js';
import type { InferenceContext } from './shape-rule.js';

export interface WindowAxis {
  /** Kernel length along the axis; a dim because Conv may only know it from a symbolic weight shape. */
  kernel: Dim;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
}

/** The window parameters a Conv/pool node's attributes give, one entry per spatial axis. */
export function windowAxes(ctx: InferenceContext, kernel: Dim[]): WindowAxis[] {
  const n = kernel.length;
  const strides = ctx.node.intsAttribute('strides') ?? [];
  const dilations = ctx.node.intsAttribute('dilations') ?? [];
  const pads = ctx.node.intsAttribute('pads') ?? [];
  return kernel.map((k, i) => ({
    kernel: k,
    stride: strides[i] ?? 1,
    dilation: dilations[i] ?? 1,
    padBegin: pads[i] ?? 0,
    padEnd: pads[i + n] ?? 0,
  }));
}

/** auto_pad as written; some exporters write '' for NOTSET. */
export function autoPad(ctx: InferenceContext): string {
  const mode = ctx.node.stringAttribute('auto_pad', 'NOTSET');
  return mode === '' ? 'NOTSET' : mode;
}

function effectiveKernel(a: WindowAxis): number | undefined {
  return typeof a.kernel === 'number' ? (a.kernel - 1) * a.dilation + 1 : undefined;
}

/** Conv / pooling output length: floor((in + pads - effective kernel) / stride) + 1, or its auto_pad forms. */
export function windowOutputDim(ctx: InferenceContext, input: Dim, a: WindowAxis, mode: string, ceilMode = false): Dim {
  const ek = effectiveKernel(a);
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    if (typeof input === 'number') return Math.ceil(input / a.stride);
    return a.stride === 1 ? input : derivedSymbol(ctx, input);
  }
  if (mode === 'VALID') {
    if (ek === 1 && a.stride === 1) return input;
    if (typeof input === 'number' && ek !== undefined) return Math.ceil((input - ek + 1) / a.stride);
    return derivedSymbol(ctx, input);
  }
  const padTotal = a.padBegin + a.padEnd;
  // Identity: every window position of a stride-1 window whose padding makes up for its extent.
  if (a.stride === 1 && ek !== undefined && padTotal === ek - 1) return input;
  if (typeof input !== 'number' || ek === undefined) return derivedSymbol(ctx, input);
  const span = input + padTotal - ek;
  if (!ceilMode) return Math.floor(span / a.stride) + 1;
  let out = Math.ceil(span / a.stride) + 1;
  // The last window must start inside the input or its leading padding, not in the trailing padding.
  if ((out - 1) * a.stride >= input + a.padBegin) out--;
  return out;
}

/**
 * ConvTranspose output length: stride * (in - 1) + output_padding + effective kernel - pads, or
 * in * stride under SAME_*.
 */
export function transposedOutputDim(ctx: InferenceContext, input: Dim, a: WindowAxis, mode: string, outputPadding: number): Dim {
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    if (typeof input === 'number') return input * a.stride;
    return a.stride === 1 ? input : derivedSymbol(ctx, input);
  }
  const ek = effectiveKernel(a);
  const padTotal = mode === 'VALID' ? 0 : a.padBegin + a.padEnd;
  if (ek !== undefined && a.stride === 1 && outputPadding + ek - 1 - padTotal === 0) return input;
  if (typeof input !== 'number' || ek === undefined) return derivedSymbol(ctx, input);
  return a.stride * (input - 1) + outputPadding + ek - padTotal;
}
