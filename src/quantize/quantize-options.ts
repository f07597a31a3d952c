/**
 * The knobs both int8 modes share, and their defaults: per-channel int8 weights and uint8
 * activations, which onnxruntime's CPU kernels run fastest (U8S8: on AVX2 / AVX-512 VNNI the
 * unsigned×signed byte dot product is the native instruction; measured numbers in bench/quantize.ts).
 */
export type QuantType = 'uint8' | 'int8';
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';

export interface QuantizeOptions {
  /** One scale per output channel of a weight where the consumer allows it. Default true. */
  perChannel?: boolean;
  /** Element type of quantized activations (static mode; dynamic is uint8 by the op). Default uint8. */
  activationType?: QuantType;
  /** Element type of quantized weights. Default int8. */
  weightType?: QuantType;
  /** Nodes (by name) left in float32. */
  excludeNodes?: readonly string[];
  /** Op types left in float32. */
  excludeOps?: readonly string[];
}

export interface ResolvedQuantizeOptions {
  perChannel: boolean;
  activationType: QuantType;
  weightType: QuantType;
  excludeNodes: ReadonlySet<string>;
  excludeOps: ReadonlySet<string>;
}

export function resolveQuantizeOptions(o: QuantizeOptions = {}): ResolvedQuantizeOptions {
  return {
    perChannel: o.perChannel ?? true,
    activationType: o.activationType ?? 'uint8',
    weightType: o.weightType ?? 'int8',
    excludeNodes: new Set(o.excludeNodes ?? []),
    excludeOps: new Set(o.excludeOps ?? []),
  };
}

export const DEFAULT_CALIBRATION_PERCENTILE = 99.99;
