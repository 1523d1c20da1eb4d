import type { ColorSpace, Metric } from '../types.js';
import { checkPaletteBytes, invalidOption, requireChoice } from '../errors.js';
import { METRICS, SPACES } from '../options.js';
import { colourDistance, fromSrgb } from '../color/space.js';
import { createGridSearch } from './grid-search.js';
import { createSlabSearch } from './slab-search.js';

/**
 * Exact nearest-palette-colour search.
 *
 * "Exact" means: the same answer as the brute-force `nearestIndex` below, bit for bit,
 * including ties (lowest palette index wins). Both compute the distance with the same
 * floating-point expression in the same order (channel 0, then 1, then 2), so even
 * near-ties in Lab/Oklab resolve identically; the fast search only skips candidates that a
 * (conservatively rounded) lower bound proves cannot win.
 */

/**
 * Brute-force reference: index of the palette colour nearest to sRGB (r, g, b) under
 * `metric` in `space`; ties go to the lowest index. O(size) conversions per call, so it is
 * for tests and one-off look-ups; mapping a frame uses `createPaletteSearch` plus a cache.
 */
export function nearestIndex(
  palette: Uint8Array,
  size: number,
  r: number,
  g: number,
  b: number,
  metric: Metric = 'euclidean',
  space: ColorSpace = 'rgb',
): number {
  checkPaletteBytes(palette);
  if (!Number.isInteger(size) || size < 1 || palette.length < size * 3) throw invalidOption('size', `an integer from 1 to ${Math.floor(palette.length / 3)} (the palette's colours)`, size);
  requireChoice('metric', METRICS, metric);
  requireChoice('space', SPACES, space);
  // A NaN is no nearer to any colour than to another: the answer was entry 0 whatever the palette.
  for (const [name, value] of [['r', r], ['g', g], ['b', b]] as const) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 255)) throw invalidOption(name, 'a number from 0 to 255 (an sRGB channel)', value);
  }
  const conv = fromSrgb(space);
  const q = new Float64Array(3);
  const p = new Float64Array(3);
  conv(r, g, b, q, 0);
  let best = 0;
  let bestDist = Infinity;
  for (let i = 0, j = 0; i < size; i++, j += 3) {
    conv(palette[j], palette[j + 1], palette[j + 2], p, 0);
    const d = colourDistance(metric, p[0], p[1], p[2], q[0], q[1], q[2]);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

export interface PaletteSearch {
  /** Load a palette (`size` sRGB triples) for the given metric and space. Allocates nothing. */
  prepare(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void;
  /**
   * Nearest palette index for a colour already converted to the working space. `hint` is a
   * palette index likely to be near (e.g. the previous pixel's answer): it only tightens the
   * search bound early and never changes the result.
   */
  nearest(q0: number, q1: number, q2: number, hint?: number): number;
  /**
   * `nearest` of the colour at q[o], q[o + 1], q[o + 2]: for callers whose colour is in an
   * array (converted to Lab or Oklab, fractional). Handed over as three arguments, each
   * such number became a new object on the heap where the call was not inlined: 200 MB
   * over test.webm's 94 frames at `--space lab`.
   */
  nearestIn(q: Float64Array, o: number, hint?: number): number;
}

/**
 * The mapper's search: a lazily built two-level grid of candidate lists (grid-search.ts) for
 * every colour inside the working-space box it covers, and a principal-axis slab search
 * (slab-search.ts) for anything outside. Both are exact; the palette is converted once.
 */
export function createPaletteSearch(): PaletteSearch {
  const raw = new Float64Array(256 * 3); // working-space palette, in palette order
  const grid = createGridSearch();
  const slab = createSlabSearch();
  let slabReady = false;
  let manhattan = false;
  let n = 0;

  function prepare(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    const conv = fromSrgb(space);
    for (let i = 0, j = 0; i < size; i++, j += 3) conv(palette[j], palette[j + 1], palette[j + 2], raw, j);
    manhattan = metric === 'manhattan';
    n = size;
    grid.prepare(raw, size, manhattan, space);
    slabReady = false; // sorted only if a colour ever falls outside the grid
  }

  const at = new Float64Array(3);
  function nearest(q0: number, q1: number, q2: number, hint = -1): number {
    at[0] = q0;
    at[1] = q1;
    at[2] = q2;
    return nearestIn(at, 0, hint);
  }

  function nearestIn(q: Float64Array, o: number, hint = -1): number {
    const index = grid.nearest(q, o);
    if (index >= 0) return index;
    if (!slabReady) {
      slab.prepare(raw, n, manhattan);
      slabReady = true;
    }
    return slab.nearest(q[o], q[o + 1], q[o + 2], hint);
  }

  return { prepare, nearest, nearestIn };
}
