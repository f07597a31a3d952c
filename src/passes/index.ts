/**
 * The pass registry: every pass, in the order pipelines run them — eliminations, folding, fusions,
 * precision last. Presets are derived from each pass's kind. No pass registers itself by being
 * imported; a pass exists when it is listed here.
 */
import eliminateDeadCode from './eliminate-dead-code.js';
import eliminateIdentity from './eliminate-identity.js';
import type { Pass, PassKind } from './pass.js';

export const PASSES: readonly Pass[] = [
  // eliminations and folding
  eliminateIdentity,
  eliminateDeadCode,
  // fusions
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
