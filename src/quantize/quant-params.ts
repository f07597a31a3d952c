/**
 * Scale and zero-point maths of linear quantization, as ONNX defines it:
 *
 *   q = saturate(round(x / scale) + zero_point)        x ≈ (q − zero_point) · scale
 *
 * with round half to even (QuantizeLinear's rounding). From a real range [rmin, rmax]:
 *  - the range is widened to include 0, so 0 is exactly representable (padding, ReLU zeros);
 *  - asymmetric: scale = (rmax − rmin) / (qmax − qmin), zero_point = round(qmin − rmin / scale);
 *  - symmetric: rmax = max(|rmin|, |rmax|), rmin = −rmax, and int8 uses [−127, 127] so the grid is
 *    symmetric around a zero point of 0 (weights; what onnxruntime's quantizer does too);
 *  - a range of width 0 (all zeros) gets scale 1, zero point at 0's place.
 * Scales are float32 in the model, so everything here rounds a scale to float32 before using it.
 */
import type { QuantType } from './quantize-options.js';

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** The integer range used for values of `type`; symmetric int8 leaves out −128. */
export function quantRange(type: QuantType, symmetric = false): [number, number] {
  if (type === 'uint8') return [0, 255];
  return symmetric ? [-127, 127] : [-128, 127];
}

export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function computeQuantParams(rmin: number, rmax: number, type: QuantType, symmetric: boolean): QuantParams {
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`cannot quantize the range [${rmin}, ${rmax}]`);
  const [qmin, qmax] = quantRange(type, symmetric);
  if (symmetric) {
    const absmax = Math.max(-lo, hi);
    lo = -absmax;
    hi = absmax;
  }
  if (hi === lo) return { scale: 1, zeroPoint: type === 'uint8' && symmetric ? 128 : 0 };
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  if (symmetric) return { scale, zeroPoint: type === 'uint8' ? 128 : 0 };
  const zeroPoint = Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - lo / scale)));
  return { scale, zeroPoint };
}

/** q for one value, saturated to the full range of `type` (as QuantizeLinear does). */
export function quantizeValue(x: number, p: QuantParams, type: QuantType): number {
  const [qmin, qmax] = type === 'uint8' ? [0, 255] : [-128, 127];
  return Math.min(qmax, Math.max(qmin, roundHalfEven(x / p.scale) + p.zeroPoint));
}

export interface QuantizedWeights {
  data: Int8Array | Uint8Array;
  /** One per channel along `axis`, or one in all. */
  scales: Float32Array;
  zeroPoints: number[];
}

/**
 * A weight tensor quantized per tensor (`axis` undefined) or per channel along `axis`: each slice
 * gets the params of its own value range.
 */
export function quantizeWeights(values: Float32Array, dims: readonly number[], axis: number | undefined, type: QuantType, symmetric: boolean): QuantizedWeights {
  const data = type === 'uint8' ? new Uint8Array(values.length) : new Int8Array(values.length);
  if (axis === undefined) {
    const p = paramsOf(values, 0, values.length, 1, 1, type, symmetric);
    for (let i = 0; i < values.length; i++) data[i] = quantizeValue(values[i]!, p, type);
    return { data, scales: Float32Array.of(p.scale), zeroPoints: [p.zeroPoint] };
  }
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const zeroPoints: number[] = [];
  for (let c = 0; c < channels; c++) {
    const p = paramsOf(values, c * inner, inner, outer, channels * inner, type, symmetric);
    scales[c] = p.scale;
    zeroPoints.push(p.zeroPoint);
    for (let o = 0; o < outer; o++) {
      const base = o * channels * inner + c * inner;
      for (let i = 0; i < inner; i++) data[base + i] = quantizeValue(values[base + i]!, p, type);
    }
  }
  return { data, scales, zeroPoints };
}

/** Params of the strided slice: `outer` runs of `run` values starting at `start`, `stride` apart. */
function paramsOf(values: Float32Array, start: number, run: number, outer: number, stride: number, type: QuantType, symmetric: boolean): QuantParams {
  let lo = Infinity;
  let hi = -Infinity;
  for (let o = 0; o < outer; o++) {
    const base = start + o * stride;
    for (let i = base; i < base + run; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) lo = hi = 0;
  return computeQuantParams(lo, hi, type, symmetric);
}

/** A bias as int32 for a consumer whose input and weight scales are known: scale = sx · sw[c], zero point 0. */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: Float32Array): { data: Int32Array; scales: Float32Array } {
  const perChannel = weightScales.length > 1;
  const scales = new Float32Array(perChannel ? values.length : 1);
  const data = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) {
    const s = Math.fround(inputScale * weightScales[perChannel ? c : 0]!);
    if (perChannel || c === 0) scales[perChannel ? c : 0] = s;
    const q = s === 0 ? 0 : roundHalfEven(values[c]! / s);
    data[c] = Math.max(-2147483648, Math.min(2147483647, q));
  }
  return { data, scales };
}
