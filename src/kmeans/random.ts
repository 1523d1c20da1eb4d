/**
 * Seeded pseudo-random numbers for k-means initialisation. The core never touches
 * Math.random, so the same seed gives the same palette on every machine and run.
 */

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit mixer): tiny, fast, and good enough for picking
 * seeds; its 2^32 period far exceeds the draws one k-means run needs.
 * @param seed any integer; only its low 32 bits matter.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seed for restart `index` of a run seeded with `seed`: restarts get unrelated streams
 * rather than overlapping windows of one stream, so adding a restart never changes
 * what the earlier ones do.
 */
export function restartSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
