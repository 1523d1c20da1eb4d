import { ChromaseedError, invalidOption, isNumberIn, namesOf, refuseUnknownKeys, requireChoice, requireInRange, requireObject, withDefaults } from '../errors.js';
import type { ColorHistogram } from '../kmeans/histogram.js';
import type { ColourSearch } from '../map/map-histogram.js';
import { sameOpaqueColour, wordsOf } from '../pixel-words.js';
import { DEFAULT_MAX_ITERATIONS } from '../limits.js';

/**
 * Steadiness levers for seeded k-means. Seeding alone does not stop flicker: run to
 * convergence, seeded centroids still drift by fractions of a level each frame, which
 * changes rounded palette colours, and pixels near a cluster border switch entries.
 * These levers hold what has not really changed:
 */
export interface StabilityOptions {
  /** Lloyd iterations a seeded frame gets (the first frame and scene cuts get the full run). */
  frameIterations: number;
  /**
   * A palette colour stays as it was while keeping it raises its cluster's squared error
   * (sRGB) by at most this fraction: `n·‖c − old‖² ≤ paletteHold · Σ‖x − c‖²`. Relative,
   * so a smooth cluster tolerates a drift of a few levels while a tight one (a flat
   * colour, a clean palette GIF) follows its centroid closely; 0 = always follow.
   */
  paletteHold: number;
  /**
   * A pixel whose source colour changed by at most this much (max over channels, 0..255)
   * keeps last frame's palette entry, provided that entry is still within `pixelMargin`
   * of the nearest one (with dithering, of the dither's pick: DitherHold), in the seeded mode
   * and with one palette for the clip. -1 = off (every pixel exactly nearest, or as dithered).
   */
  pixelHold: number;
  /**
   * How much worse a held entry may be, relative: kept while its distance to the pixel (in
   * the run's metric and space; squared for euclidean) is at most `(1 + pixelMargin)` times
   * the nearest entry's.
   */
  pixelMargin: number;
  /**
   * Scene-cut detection: when a seeded frame's first-step objective exceeds the previous
   * frame's final objective by this factor, or the frame differs from the last far more
   * than frames typically do (scene-cut.ts) while fewer than half its pixels stay still,
   * the old palette no longer fits and the frame is re-initialised (with restarts)
   * instead; 0 = never.
   */
  sceneCut: number;
  /**
   * Every `refresh` frames (0 = never) a fresh clustering of the frame is tried as well and
   * adopted, its entries matched to the old ones, when its objective is lower than the
   * seeded one's by more than the fraction `refreshGain`.
   */
  refresh: number;
  refreshGain: number;
  /**
   * Euclidean metric: each entry is pulled toward its last position as if `anchor` times
   * the number of still pixels it served (source change ≤ 8 per channel) sat there, so an
   * entry that mostly paints unchanging content stays put while new content is taken up
   * by other entries; 0 = off.
   */
  anchor: number;
  /**
   * What repainting an unchanged pixel costs, in squared-error terms: a refresh that would
   * change the colours of pixels whose source is bit-identical to last frame's by d levels
   * counts `stillWeight · Σd²` against the squared error it removes, so a fresh palette is
   * adopted for new content, not at the price of repainting content that has not changed.
   * Acts only with `refresh`; 0 = off.
   */
  stillWeight: number;
  /**
   * Where the palette hold lets a colour go with a jump (the pixels it painted whose source
   * is bit-identical to last frame's would change by at least JUMP_LEVELS, to the nearest
   * colour of the new palette; or by less, where those pixels are at least STILL_MAJORITY of
   * its cluster), the colour stays while keeping it raises its cluster's
   * squared error by at most `paletteHold · errors` plus `jumpHold` times those pixels'
   * summed squared jump. Seeded frames only: not a fresh palette, nor an adopted refresh
   * (whose repaint `stillWeight` weighs); 0 = off.
   */
  jumpHold: number;
}

/** Every name of StabilityOptions. */
export const STABILITY_NAMES = namesOf<StabilityOptions>({
  frameIterations: true, paletteHold: true, pixelHold: true, pixelMargin: true, sceneCut: true, refresh: true, refreshGain: true, anchor: true, stillWeight: true, jumpHold: true,
});

export const STABILITY_LEVELS = Object.freeze(['none', 'low', 'medium', 'high'] as const);
export type StabilityLevel = (typeof STABILITY_LEVELS)[number];

/** Presets, chosen from the sweeps kept in bench/RESULTS.md's History (Flicker and steadiness). Frozen: a change would reach every later run in the process. */
export const STABILITY_PRESETS: Readonly<Record<StabilityLevel, Readonly<StabilityOptions>>> = Object.freeze({
  none: Object.freeze({ frameIterations: DEFAULT_MAX_ITERATIONS, paletteHold: 0, pixelHold: -1, pixelMargin: 0, sceneCut: 0, refresh: 0, refreshGain: 0, anchor: 0, stillWeight: 0, jumpHold: 0 }),
  low: Object.freeze({ frameIterations: 10, paletteHold: 0.25, pixelHold: 4, pixelMargin: 0.25, sceneCut: 4, refresh: 8, refreshGain: 0.05, anchor: 0, stillWeight: 0.05, jumpHold: 0.5 }),
  medium: Object.freeze({ frameIterations: 5, paletteHold: 1, pixelHold: 8, pixelMargin: 0.5, sceneCut: 4, refresh: 4, refreshGain: 0.05, anchor: 0, stillWeight: 0.1, jumpHold: 1 }),
  high: Object.freeze({ frameIterations: 3, paletteHold: 3, pixelHold: 16, pixelMargin: 1, sceneCut: 4, refresh: 0, refreshGain: 0, anchor: 4, stillWeight: 0, jumpHold: 2 }),
});

/** A preset with any explicitly given lever replacing its value. */
export function resolveStability(level: StabilityLevel, overrides: Partial<StabilityOptions> = {}): StabilityOptions {
  requireChoice('--stability', STABILITY_LEVELS, level);
  const s = withDefaults(STABILITY_PRESETS[level], overrides, 'overrides', '{ paletteHold: 2 }');
  refuseUnknownKeys('resolveStability', overrides, STABILITY_NAMES);
  checkStability(s, 'resolveStability');
  return s;
}

/**
 * Every lever given, each in its range: what resolveStability makes, and what a per-frame
 * quantizer takes (built by hand, `{ anchor: 1 }` alone failed at the second frame, naming
 * maxIterations).
 */
export function checkStability(s: StabilityOptions, caller: string): void {
  requireObject(`${caller}'s stability`, 'STABILITY_PRESETS.medium, or resolveStability(level, overrides)', s);
  refuseUnknownKeys(`${caller}'s stability`, s, STABILITY_NAMES);
  const missing = STABILITY_NAMES.filter((name) => s[name] === undefined);
  if (missing.length > 0) throw new ChromaseedError('ERR_USAGE', `${caller}'s stability lacks ${missing.join(', ')}: give every lever, as resolveStability(level, overrides) or STABILITY_PRESETS do`);
  requireInRange('--frame-iterations', s.frameIterations, 1, 10_000, 'an integer');
  requireInRange('--palette-hold', s.paletteHold, 0, 1000);
  checkPixelHold(s.pixelHold, s.pixelMargin);
  // A factor below 1 would call every frame a cut: its seeded fit is never better than fresh.
  if (s.sceneCut !== 0 && !isNumberIn(s.sceneCut, 1, 1e9)) throw invalidOption('--scene-cut', '0 (off) or a number from 1 to 1000000000', s.sceneCut);
  requireInRange('--refresh', s.refresh, 0, 1e9, 'a whole number of frames');
  requireInRange('--refresh-gain', s.refreshGain, 0, 1);
  requireInRange('--anchor', s.anchor, 0, 1e6);
  requireInRange('--still-weight', s.stillWeight, 0, 1e6);
  requireInRange('--jump-hold', s.jumpHold, 0, 1e6);
}

/** The pixel hold's two levers, each in its range (also what a `nearest` transfer takes). */
export function checkPixelHold(pixelHold: number, pixelMargin: number): void {
  // -1 is off; -0.5 was taken, as off, without a word.
  if (pixelHold !== -1 && !isNumberIn(pixelHold, 0, 255)) throw invalidOption('--pixel-hold', '-1 (off) or a number from 0 to 255', pixelHold);
  requireInRange('--pixel-margin', pixelMargin, 0, 1000);
}

/**
 * Per-cluster pixel counts and squared errors (sRGB) of a frame against `centroids`,
 * computed over its distinct colours (the k-means histogram) rather than its pixels:
 * each colour is assigned to its nearest rounded centroid once (searched from its k-means
 * cluster, `hints`, where given) and weighted by its pixel count. What `holdPalette` weighs
 * a colour change against.
 */
export function clusterErrors(histogram: ColorHistogram, centroids: Float64Array, size: number, search: ColourSearch, hints: Int32Array | undefined, scratch: Uint8Array, counts: Float64Array, errors: Float64Array): void {
  counts.fill(0, 0, size);
  errors.fill(0, 0, size);
  for (let i = 0; i < size * 3; i++) scratch[i] = Math.round(centroids[i]);
  const nearest = search.nearestOfColours(histogram, scratch, size, 'euclidean', 'rgb', hints);
  const { count, colors, weights } = histogram;
  for (let i = 0, o = 0; i < count; i++, o += 3) {
    const r = colors[o];
    const g = colors[o + 1];
    const b = colors[o + 2];
    const c = nearest[i];
    const j = c * 3;
    const dr = r - centroids[j];
    const dg = g - centroids[j + 1];
    const db = b - centroids[j + 2];
    const w = weights[i];
    counts[c] += w;
    errors[c] += w * (dr * dr + dg * dg + db * db);
  }
}

/**
 * What keeping entry i's last colour adds to its cluster's squared error (sRGB): its pixels
 * times the squared distance from their centroid to that colour.
 */
function keepingCost(centroids: Float64Array, previous: Uint8Array, counts: Float64Array, i: number): number {
  const j = i * 3;
  return counts[i] * ((centroids[j] - previous[j]) ** 2 + (centroids[j + 1] - previous[j + 1]) ** 2 + (centroids[j + 2] - previous[j + 2]) ** 2);
}

/**
 * The palette bytes to write for this frame: entry i keeps last frame's colour while
 * `counts[i]·‖c_i − old_i‖² ≤ hold · errors[i]` (keeping it costs little of the cluster's
 * squared error; an entry with no pixels this frame costs nothing and keeps its colour),
 * otherwise it takes its rounded centroid. Keeping the exact bytes is what lets a still
 * pixel keep exactly its colour. Writes into `out` (size*3).
 */
export function holdPalette(
  centroids: Float64Array,
  previous: Uint8Array | null,
  size: number,
  hold: number,
  counts: Float64Array | null,
  errors: Float64Array | null,
  out: Uint8Array,
): Uint8Array {
  for (let i = 0, j = 0; i < size; i++, j += 3) {
    if (previous !== null && hold > 0 && counts !== null && errors !== null && j + 2 < previous.length && keepingCost(centroids, previous, counts, i) <= hold * errors[i]) {
      out[j] = previous[j];
      out[j + 1] = previous[j + 1];
      out[j + 2] = previous[j + 2];
      continue;
    }
    out[j] = Math.round(centroids[j]);
    out[j + 1] = Math.round(centroids[j + 1]);
    out[j + 2] = Math.round(centroids[j + 2]);
  }
  return out;
}

/**
 * How far (Euclidean RGB levels) a released colour must move the still pixels it painted
 * for the jump hold to weigh it: a visible jump, not the drift the palette hold governs
 * (unless those pixels are STILL_MAJORITY of its cluster).
 * Chosen on the animation benchmark's clips: weighed from 24 levels, the hold also kept
 * smaller moves on earth.gif, which fell 0.04 dB, under its PSNR bar (35.14, bar 35.15).
 */
export const JUMP_LEVELS = 30;

/**
 * A smaller move is weighed too where the still pixels an entry painted are at least this
 * share of its cluster: then the move mostly repaints still content (a screen recording's
 * window border, a diagram's lines) to suit the few pixels that joined it.
 */
export const STILL_MAJORITY = 0.5;

/** holdJumps' scratch: the palette as a pass found it, and the entries holdPalette released (1). */
const passPalette = new Uint8Array(256 * 3);
const releasedEntries = new Uint8Array(256);

/**
 * The jump hold (StabilityOptions.jumpHold), after holdPalette: `palette` holds the colours
 * it chose, and an entry it released stays at its `previous` colour where the jump is worth
 * avoiding. A still pixel's jump is measured to the nearest colour of the new palette, where
 * it would go: an entry that moves far, from a colour another entry still has, repaints
 * nothing. `stillPixels` gives, per entry, the pixels painted with it last frame whose source
 * is unchanged, for the entries it is given (1 in a mask: those holdPalette released, the
 * only ones this may hold); it is asked only when holdPalette released some entry. Changes
 * `palette` in place.
 *
 * Each pass decides every entry against the palette as the pass began, so the entries' order
 * does not matter. A colour held back can lengthen another's jump (its still pixels were
 * going to that colour), so passes repeat until one holds nothing more; holding only puts
 * old colours back, so that comes after at most `size` passes.
 */
export function holdJumps(
  centroids: Float64Array,
  previous: Uint8Array,
  palette: Uint8Array,
  size: number,
  options: StabilityOptions,
  counts: Float64Array,
  errors: Float64Array,
  stillPixels: (entries: Uint8Array) => Float64Array,
): void {
  for (let i = 0, j = 0; i < size; i++, j += 3) releasedEntries[i] = palette[j] !== previous[j] || palette[j + 1] !== previous[j + 1] || palette[j + 2] !== previous[j + 2] ? 1 : 0;
  let still: Float64Array | null = null;
  for (let heldOne = true; heldOne; ) {
    heldOne = false;
    passPalette.set(palette.subarray(0, size * 3));
    for (let i = 0, j = 0; i < size; i++, j += 3) {
      const pr = previous[j];
      const pg = previous[j + 1];
      const pb = previous[j + 2];
      if (passPalette[j] === pr && passPalette[j + 1] === pg && passPalette[j + 2] === pb) continue;
      let jump = Infinity;
      for (let m = 0; m < size * 3; m += 3) jump = Math.min(jump, (passPalette[m] - pr) ** 2 + (passPalette[m + 1] - pg) ** 2 + (passPalette[m + 2] - pb) ** 2);
      still ??= stillPixels(releasedEntries);
      if (jump < JUMP_LEVELS * JUMP_LEVELS && still[i] < STILL_MAJORITY * counts[i]) continue;
      if (keepingCost(centroids, previous, counts, i) <= options.paletteHold * errors[i] + options.jumpHold * still[i] * jump) {
        palette[j] = pr;
        palette[j + 1] = pg;
        palette[j + 2] = pb;
        heldOne = true;
      }
    }
  }
}

/**
 * Per entry marked 1 in `entries` (`size` of them; `out` is 0 for the others), the pixels
 * `previousIndices` painted with it whose source is the same colour in both frames and
 * opaque in both: what a colour change of that entry would certainly repaint. A pixel of
 * another entry is passed over after one look at its index: on an 800x600 frame of 16
 * entries, counting one took 1 ms once optimised (4.5 ms the first time), counting all 2 ms
 * (9 ms).
 */
export function unchangedPixelsPerEntry(source: Uint8Array, previousSource: Uint8Array, previousIndices: Uint8Array, entries: Uint8Array, size: number, out: Float64Array): Float64Array {
  out.fill(0, 0, size);
  const now = wordsOf(source);
  const before = wordsOf(previousSource);
  for (let p = 0; p < previousIndices.length; p++) {
    const entry = previousIndices[p];
    if (entry < size && entries[entry] === 1 && sameOpaqueColour(now[p], before[p])) out[entry]++;
  }
  return out;
}
