/**
 * `--precision fp16|int8` inside optimize(): which passes the option appends (after the float32
 * pipeline, run once, never in a preset), the calibration inputs static int8 needs, and the accuracy
 * report and gate every precision change gets — the converted model against the float32 original, in
 * onnxruntime, on the calibration inputs, the user's --inputs, or the check's random feeds.
 */
import { MlserveError } from '../errors.js';
import type { Model } from '../ir/model.js';
import { createConvertToFp16, type Fp16Options } from '../passes/convert-to-fp16.js';
import type { Pass } from '../passes/pass.js';
import type { PassRecord } from '../passes/pass-manager.js';
import { createQuantizeDynamic } from '../passes/quantize-dynamic.js';
import { createQuantizeStatic } from '../passes/quantize-static.js';
import { loadCalibrationSets, type CalibrationSet } from '../quantize/calibration-inputs.js';
import { DEFAULT_CALIBRATION_PERCENTILE, type CalibrationMethod, type QuantizeOptions } from '../quantize/quantize-options.js';
import { modelInputSpecs } from '../runtime/model-inputs.js';
import type { OrtTensor } from '../runtime/ort-session.js';
import { DEFAULT_ACCURACY_GATE, describeFailure, evaluateGate, parseAccuracyGate, type AccuracyGate, type GateResult } from './accuracy-gate.js';
import { measureAccuracy, type AccuracyReport } from './accuracy-report.js';

export type Precision = 'fp16' | 'int8';
export type QuantMode = 'dynamic' | 'static';

export interface PrecisionOptions extends Fp16Options, QuantizeOptions {
  precision: Precision;
  /** int8 only; default dynamic. */
  quantMode?: QuantMode;
  /** Static int8: the folder of calibration inputs (--calibration DIR). */
  calibration?: string;
  /** Static int8, library use: calibration feeds given directly (instead of a folder). */
  calibrationFeeds?: Record<string, OrtTensor>[];
  calibrationMethod?: CalibrationMethod;
  /** For the percentile method; default 99.99. */
  calibrationPercentile?: number;
  /** The accuracy the change must keep (default cosine ≥ 0.99); a spec string is parsed. */
  maxAccuracyLoss?: AccuracyGate | string;
}

export interface PrecisionReport {
  precision: Precision;
  quantMode?: QuantMode;
  calibration?: { source: string; sets: number; method: CalibrationMethod; percentile?: number };
  /** What the precision passes did (also in the report's pass list). */
  passes: PassRecord[];
  accuracy: AccuracyReport;
  gate: GateResult;
}

/** A checked copy of the options; throws on combinations that cannot work. */
export function resolvePrecision(o: PrecisionOptions): PrecisionOptions & { gate: AccuracyGate } {
  const invalid = (option: string, value: string, reason: string) => new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option, value, reason });
  if (o.precision !== 'fp16' && o.precision !== 'int8') throw invalid('--precision', String(o.precision), 'expected fp16 or int8');
  const mode = o.quantMode ?? 'dynamic';
  if (o.precision === 'fp16') {
    if (o.quantMode !== undefined) throw invalid('--quant-mode', o.quantMode, 'only applies to --precision int8');
    if (o.calibration !== undefined) throw invalid('--calibration', o.calibration, 'only static int8 quantization is calibrated');
  } else {
    if (mode !== 'dynamic' && mode !== 'static') throw invalid('--quant-mode', String(mode), 'expected dynamic or static');
    if (mode === 'dynamic' && (o.activationType ?? 'uint8') !== 'uint8') {
      throw invalid('--activation-type', String(o.activationType), 'dynamic quantization quantizes activations with DynamicQuantizeLinear, which is uint8 only');
    }
    if (mode === 'dynamic' && o.calibration !== undefined) throw invalid('--calibration', o.calibration, 'dynamic quantization measures activations at run time; calibration is for --quant-mode static');
  }
  const p = o.calibrationPercentile;
  if (p !== undefined && !(p > 50 && p <= 100)) throw invalid('--calib-percentile', String(p), 'expected a percentile in (50, 100], e.g. 99.99');
  const gate = typeof o.maxAccuracyLoss === 'string' ? parseAccuracyGate(o.maxAccuracyLoss) : o.maxAccuracyLoss ?? DEFAULT_ACCURACY_GATE;
  return { ...o, quantMode: o.precision === 'int8' ? mode : undefined, gate };
}

/** Calibration sets for static int8 (undefined otherwise); a missing --calibration is an error there. */
export function calibrationSets(o: PrecisionOptions, model: Model, file: string): CalibrationSet[] | undefined {
  if (o.precision !== 'int8' || o.quantMode !== 'static') return undefined;
  if (o.calibrationFeeds) return o.calibrationFeeds.map((feeds, i) => ({ source: `feeds[${i}]`, feeds }));
  if (o.calibration === undefined) throw new MlserveError('MLS_ERR_CALIBRATION_REQUIRED', { file });
  return loadCalibrationSets(o.calibration, modelInputSpecs(model));
}

/** The passes --precision appends to the pipeline. */
export function precisionPasses(o: PrecisionOptions, calibration: CalibrationSet[] | undefined): Pass[] {
  if (o.precision === 'fp16') return [createConvertToFp16(o)];
  if (o.quantMode === 'static') {
    return [createQuantizeStatic({
      ...o, calibration: calibration ?? [], method: o.calibrationMethod ?? (o.calibrationPercentile !== undefined ? 'percentile' : 'minmax'),
      percentile: o.calibrationPercentile ?? DEFAULT_CALIBRATION_PERCENTILE,
    })];
  }
  return [createQuantizeDynamic(o)];
}

/**
 * The accuracy report of `candidate` against the float32 original and the verdict of the gate;
 * throws MLS_ERR_ACCURACY_GATE_FAILED (nothing is written then) when the gate is not met.
 */
export async function judgePrecision(
  input: string,
  candidate: Uint8Array,
  o: PrecisionOptions & { gate: AccuracyGate },
  feeds: { sets: Record<string, OrtTensor>[]; source: AccuracyReport['inputs'] },
  passes: PassRecord[],
  calibration: CalibrationSet[] | undefined,
): Promise<PrecisionReport> {
  const accuracy = await measureAccuracy(input, candidate, feeds.sets, feeds.source);
  const gate = evaluateGate(accuracy, o.gate);
  const report: PrecisionReport = { precision: o.precision, passes, accuracy, gate };
  if (o.quantMode) report.quantMode = o.quantMode;
  if (calibration) {
    const method = o.calibrationMethod ?? (o.calibrationPercentile !== undefined ? 'percentile' : 'minmax');
    report.calibration = {
      source: o.calibration ?? 'feeds', sets: calibration.length, method,
      ...(method === 'percentile' ? { percentile: o.calibrationPercentile ?? DEFAULT_CALIBRATION_PERCENTILE } : {}),
    };
  }
  if (!gate.ok) {
    throw new MlserveError('MLS_ERR_ACCURACY_GATE_FAILED', {
      file: input, precision: o.precision === 'fp16' ? 'float16' : `int8 (${o.quantMode})`,
      failures: gate.failures.slice(0, 3).map(describeFailure).join('; ') + (gate.failures.length > 3 ? `; and ${gate.failures.length - 3} more` : ''),
    });
  }
  return report;
}
