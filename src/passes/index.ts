/**
 * The pass registry: every pass, in the order pipelines run them — eliminations, folding, fusions,
 * precision last. Presets are derived from each pass's kind. No pass registers itself by being
 * imported; a pass exists when it is listed here.
 */
import eliminateCommonSubexpression from './eliminate-common-subexpression.js';
import eliminateDeadCode from './eliminate-dead-code.js';
import eliminateIdentity from './eliminate-identity.js';
import eliminateNopArithmetic from './eliminate-nop-arithmetic.js';
import eliminateNopCast from './eliminate-nop-cast.js';
import eliminateNopConcat from './eliminate-nop-concat.js';
import eliminateNopDropout from './eliminate-nop-dropout.js';
import eliminateNopExpand from './eliminate-nop-expand.js';
import eliminateNopPad from './eliminate-nop-pad.js';
import eliminateNopReshape from './eliminate-nop-reshape.js';
import eliminateNopSlice from './eliminate-nop-slice.js';
import eliminateNopSplit from './eliminate-nop-split.js';
import eliminateNopTranspose from './eliminate-nop-transpose.js';
import foldConstants from './fold-constants.js';
import foldShapes from './fold-shapes.js';
import foldReshapeShape from './fold-reshape-shape.js';
import fuseConsecutiveReshapes from './fuse-consecutive-reshapes.js';
import fuseConsecutiveTransposes from './fuse-consecutive-transposes.js';
import fuseAddIntoConvBias from './fuse-add-into-conv-bias.js';
import fuseBnIntoConv from './fuse-bn-into-conv.js';
import fuseConsecutiveMulAdd from './fuse-consecutive-mul-add.js';
import fuseGelu from './fuse-gelu.js';
import fuseLayerNorm from './fuse-layer-norm.js';
import fuseMatmulAddIntoGemm from './fuse-matmul-add-into-gemm.js';
import fusePadIntoConv from './fuse-pad-into-conv.js';
import fuseTransposesThroughElementwise from './fuse-transposes-through-elementwise.js';
import convertToFp16 from './convert-to-fp16.js';
import quantizeDynamic from './quantize-dynamic.js';
import quantizeStatic from './quantize-static.js';
import type { Pass, PassKind } from './pass.js';

export const PASSES: readonly Pass[] = [
  // eliminations and folding
  eliminateIdentity,
  eliminateNopDropout,
  foldShapes,
  foldReshapeShape,
  foldConstants,
  eliminateNopCast,
  eliminateNopReshape,
  eliminateNopExpand,
  eliminateNopTranspose,
  fuseConsecutiveTransposes,
  fuseConsecutiveReshapes,
  eliminateNopPad,
  eliminateNopSlice,
  eliminateNopConcat,
  eliminateNopSplit,
  eliminateNopArithmetic,
  eliminateDeadCode,
  eliminateCommonSubexpression,
  // fusions
  fuseBnIntoConv,
  fuseAddIntoConvBias,
  fuseLayerNorm,
  fuseGelu,
  fuseMatmulAddIntoGemm,
  fuseConsecutiveMulAdd,
  fusePadIntoConv,
  fuseTransposesThroughElementwise,
  // precision: always last, in no preset (--precision appends them); add fusions above this line
  convertToFp16,
  quantizeDynamic,
  quantizeStatic,
];

export type Preset = 'O0' | 'O1' | 'O2';

const PRESET_KINDS: Record<Preset, readonly PassKind[]> = {
  O0: [],
  O1: ['eliminate', 'fold'],
  O2: ['eliminate', 'fold', 'fuse'],
};

export function presetPasses(preset: Preset): Pass[] {
  const kinds = PRESET_KINDS[preset];
  return PASSES.filter((p) => kinds.includes(p.kind));
}

export function passByName(name: string): Pass | undefined {
  return PASSES.find((p) => p.name === name);
}
