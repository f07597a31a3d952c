/**
 * What onnxruntime-node's CPU build can run, as static facts, so inspect can warn without loading the
 * model into a runtime. Every fact here was observed with onnxruntime-node 1.30.0 by creating sessions
 * for one-node models (test/inspect/runtime-support.test.ts re-checks them against the installed ORT):
 *
 * - Opsets: ai.onnx 7–26 (below 7 ORT loads the model but "only guarantees" 7+, and e.g. Add-1 has
 *   no kernel; 27 is refused as "under development"); ai.onnx.ml 1–5; com.microsoft,
 *   com.microsoft.nchwc, com.microsoft.experimental, ai.onnx.training, ai.onnx.preview.training and
 *   org.pytorch.aten 1 only; com.ms.internal.nhwc follows ai.onnx (to 26). Importing any other
 *   domain is accepted, but a node in it fails ("not a registered function/op") unless a model-local
 *   function defines it or a custom-op library is registered.
 * - The experimental ops ONNX dropped at opset 10 (Affine, Crop, DynamicSlice, ImageScaler,
 *   ParametricSoftplus, Scale, ScaledTanh, and the experimental forms of ThresholdedRelu and
 *   MeanVarianceNormalization) still RUN in ORT 1.30 in models of opset < 10 —
 *   ../shared/models/real/winml_fns_candy.onnx (opset 7: Crop ×7, ImageScaler, Affine) loads and
 *   runs — and are refused from opset 10 on. GivenTensorFill and GRUUnit have a schema but no CPU
 *   kernel; ConstantFill and ATen are not registered at all. The ONNX checker rejects all of them.
 * - Upsample (from 10) and Scatter (from 11) are refused as deprecated.
 * - ORT registers a few ops of its own in the ai.onnx domain: LayerNormalization at every opset
 *   (ONNX has it only from 17), SimplifiedLayerNormalization, MemcpyFromHost/ToHost.
 * - No CPU kernel: GlobalLpPool-22, RandomNormalLike-22, RandomUniformLike-22 (and Bernoulli-22, whose
 *   function body uses it), Swish from opset 25.
 */
import { ONNX_DEPRECATED_SINCE, ONNX_ML_OPERATOR_SINCE, ONNX_OPERATOR_SINCE } from './onnx-operators.js';

export const ORT_CHECKED_VERSION = '1.30.0';

export interface OpsetRange { min: number; max: number }

/** Domains onnxruntime's CPU build registers, with the opset versions it accepts. '' is ai.onnx. */
export const ORT_DOMAIN_OPSETS: ReadonlyMap<string, OpsetRange> = new Map([
  ['', { min: 7, max: 26 }],
  ['ai.onnx.ml', { min: 1, max: 5 }],
  ['ai.onnx.training', { min: 1, max: 1 }],
  ['ai.onnx.preview.training', { min: 1, max: 1 }],
  ['com.microsoft', { min: 1, max: 1 }],
  ['com.microsoft.nchwc', { min: 1, max: 1 }],
  ['com.microsoft.experimental', { min: 1, max: 1 }],
  ['com.ms.internal.nhwc', { min: 1, max: 26 }],
  ['org.pytorch.aten', { min: 1, max: 1 }],
]);

/** The domains ONNX itself defines; everything else is a custom domain. */
export const ONNX_STANDARD_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training']);

type LegacyKind = 'runs' | 'no-kernel' | 'not-registered';

/**
 * Experimental ops ONNX removed at opset 10, and what ORT does with them. `before` is the opset below
 * which the experimental form applies (ThresholdedRelu and MeanVarianceNormalization became standard
 * ops at 10 and 9; from then on they are ordinary operators).
 */
const LEGACY_EXPERIMENTAL: ReadonlyMap<string, { kind: LegacyKind; before: number }> = new Map([
  ['Affine', { kind: 'runs', before: 10 }],
  ['Crop', { kind: 'runs', before: 10 }],
  ['DynamicSlice', { kind: 'runs', before: 10 }],
  ['ImageScaler', { kind: 'runs', before: 10 }],
  ['ParametricSoftplus', { kind: 'runs', before: 10 }],
  ['Scale', { kind: 'runs', before: 10 }],
  ['ScaledTanh', { kind: 'runs', before: 10 }],
  ['ThresholdedRelu', { kind: 'runs', before: 10 }],
  ['MeanVarianceNormalization', { kind: 'runs', before: 9 }],
  ['GivenTensorFill', { kind: 'no-kernel', before: 10 }],
  ['GRUUnit', { kind: 'no-kernel', before: 10 }],
  ['ConstantFill', { kind: 'not-registered', before: 10 }],
  ['ATen', { kind: 'not-registered', before: 10 }],
]);

/** ai.onnx op versions ORT's CPU build has no kernel for: op → first opset without one. */
const NO_CPU_KERNEL_FROM: ReadonlyMap<string, number> = new Map([
  ['GlobalLpPool', 22],
  ['RandomNormalLike', 22],
  ['RandomUniformLike', 22],
  ['Bernoulli', 22],
  ['Swish', 25],
]);

/**
 * onnxruntime's own operators in the ai.onnx domain (its optimizers insert them; files may hold them),
 * with the opset below which they are ORT's rather than ONNX's (Infinity: never ONNX's).
 * LayerNormalization runs in ORT at any opset, but ONNX defines it only from 17.
 */
const ORT_ONNX_DOMAIN_OPS: ReadonlyMap<string, number> = new Map([
  ['LayerNormalization', 17],
  ['SimplifiedLayerNormalization', Infinity],
  ['MemcpyFromHost', Infinity],
  ['MemcpyToHost', Infinity],
]);

export type OpSupport =
  | { status: 'ok' }
  /** ORT runs it, but it is outside today's ONNX: other runtimes and the ONNX checker refuse it. */
  | { status: 'legacy'; reason: string }
  | { status: 'unsupported'; reason: string };

const OK: OpSupport = { status: 'ok' };

/** Why ORT refuses an opset import, or undefined when it accepts it. `domain` '' is ai.onnx. */
export function opsetSupport(domain: string, version: number): string | undefined {
  const range = ORT_DOMAIN_OPSETS.get(domain);
  if (!range) return undefined;
  const name = domain || 'ai.onnx';
  if (version > range.max) return `${name} opset ${version} is newer than onnxruntime ${ORT_CHECKED_VERSION} supports (up to ${range.max})`;
  if (version < range.min) {
    return domain === ''
      ? `ai.onnx opset ${version}: onnxruntime only guarantees opset ${range.min} and above; older op versions may have no kernel`
      : `${name} opset ${version} is older than onnxruntime supports (from ${range.min})`;
  }
  return undefined;
}

/**
 * Whether ORT's CPU build can run `opType` of `domain` in a model importing `opset` for that domain.
 * `localFunctions` holds the model's functions as `domain::name`; a node calling one is always fine.
 */
export function opSupport(domain: string, opType: string, opset: number | undefined, localFunctions: ReadonlySet<string> = new Set()): OpSupport {
  if (localFunctions.has(`${domain}::${opType}`)) return OK;
  if (domain === '') return onnxOpSupport(opType, opset ?? 0);
  if (domain === 'ai.onnx.ml') {
    const since = ONNX_ML_OPERATOR_SINCE.get(opType);
    if (since === undefined) return { status: 'unsupported', reason: 'not an ai.onnx.ml operator' };
    if (opset !== undefined && since > opset) return { status: 'unsupported', reason: `first defined at ai.onnx.ml opset ${since}; the model imports ${opset}` };
    return OK;
  }
  // Per-op tables for ORT's own domains would go stale with every release; the domain is what we check.
  if (ORT_DOMAIN_OPSETS.has(domain)) return OK;
  return { status: 'unsupported', reason: `domain '${domain}' is not registered in onnxruntime (it needs a custom-op library)` };
}

function onnxOpSupport(opType: string, opset: number): OpSupport {
  const legacy = LEGACY_EXPERIMENTAL.get(opType);
  if (legacy && opset < legacy.before) {
    switch (legacy.kind) {
      case 'runs': {
        const reason = ONNX_OPERATOR_SINCE.has(opType)
          ? `experimental form, before ONNX standardized the op at opset ${legacy.before}`
          : `experimental op, dropped from ONNX at opset ${legacy.before}`;
        return { status: 'legacy', reason };
      }
      case 'no-kernel':
        return { status: 'unsupported', reason: 'dropped experimental op; onnxruntime has no CPU kernel for it' };
      case 'not-registered':
        return { status: 'unsupported', reason: 'dropped experimental op; onnxruntime does not register it' };
    }
  }
  const ortOwnBelow = ORT_ONNX_DOMAIN_OPS.get(opType);
  if (ortOwnBelow !== undefined && opset < ortOwnBelow) {
    return { status: 'legacy', reason: Number.isFinite(ortOwnBelow)
      ? `onnxruntime's own op below opset ${ortOwnBelow}, where ONNX defines it`
      : "onnxruntime's own op, not an ONNX one" };
  }
  const since = ONNX_OPERATOR_SINCE.get(opType);
  if (since === undefined) {
    if (legacy) return { status: 'unsupported', reason: `experimental op removed from ONNX at opset ${legacy.before}; onnxruntime runs it only in models of opset < ${legacy.before}` };
    return { status: 'unsupported', reason: 'not an ai.onnx operator' };
  }
  if (since > opset) return { status: 'unsupported', reason: `first defined at opset ${since}; the model imports ${opset}` };
  const deprecated = ONNX_DEPRECATED_SINCE.get(opType);
  if (deprecated !== undefined && opset >= deprecated) return { status: 'unsupported', reason: `deprecated from opset ${deprecated}` };
  const noKernel = NO_CPU_KERNEL_FROM.get(opType);
  if (noKernel !== undefined && opset >= noKernel) return { status: 'unsupported', reason: `onnxruntime's CPU build has no kernel for opset ${noKernel}+` };
  return OK;
}
