/**
 * mulberry32: a tiny 32-bit PRNG with a fixed sequence per seed, returning floats in [0, 1).
 * Shared by the fixture generators (whose committed bytes depend on this exact sequence) and the
 * random feeds of equivalence checks (so every check feeds the same numbers run after run).
 * Kept free of imports so any layer, fixtures included, can use it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
