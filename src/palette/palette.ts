/**
 * The palette the `palette` command reports: one entry per k-means cluster, built from the
 * engine's flat typed arrays into plain objects that the formatters and renderers share.
 */
import { checkColourCounts, ChromaseedError, invalidOption, kindOf, requireInRange, requireObject } from '../errors.js';

/** One palette colour. */
export interface PaletteEntry {
  /** `#rrggbb`, lower case, from the rounded centroid. */
  readonly hex: string;
  /** The centroid rounded to bytes: what a GIF, CSS or GIMP palette would store. */
  readonly rgb: readonly [number, number, number];
  /** The cluster centroid as float sRGB (0..255), before rounding. */
  readonly centroid: readonly [number, number, number];
  /** Pixels (or summed pixel weights, in vivid mode) assigned to this colour. */
  readonly count: number;
  /** `count` over the total of all counts, 0..1; the entries' proportions sum to 1. */
  readonly proportion: number;
}

/** A palette with the k-means figures it came from. */
export interface Palette {
  /** Number of entries in `colors` (clusters that received no pixel are left out). */
  readonly k: number;
  /** The engine's objective, in its metric and space (scikit-learn's `inertia_` for rgb and euclidean; chroma-weighted with `vivid`). */
  readonly inertia: number;
  /** Lloyd iterations the engine ran. */
  readonly iterations: number;
  readonly colors: readonly PaletteEntry[];
}

/**
 * The part of the engine's `KMeansResult` a palette needs. Declared structurally so this
 * module depends only on the shape of the result, not on the engine's module.
 */
export interface KMeansPaletteSource {
  readonly k: number;
  /** `k * 3` float sRGB values, 0..255. */
  readonly centroids: ArrayLike<number>;
  /** `k` pixel counts (or weight sums). */
  readonly counts: ArrayLike<number>;
  readonly inertia: number;
  readonly iterations: number;
}

/**
 * Refuses anything but an array of palette entries as `makeEntry` builds them, naming the
 * first field that is not (`colors[1].rgb`): an entry of another shape failed deep inside
 * the sort ("undefined is not iterable") or was formatted as "undefined" and "NaN%".
 */
export function checkPaletteEntries(colors: unknown, name: string): asserts colors is readonly PaletteEntry[] {
  if (!Array.isArray(colors)) throw invalidOption(name, "an array of palette entries (a palette's colors)", colors);
  const isTriple = (v: unknown, isPart: (x: unknown) => boolean): boolean => Array.isArray(v) && v.length === 3 && v.every(isPart);
  const isByte = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255;
  const fields: readonly [keyof PaletteEntry, string, (v: unknown) => boolean][] = [
    ['hex', 'a colour written #rrggbb', (v) => typeof v === 'string' && /^#[0-9a-f]{6}$/i.test(v)],
    ['rgb', 'three bytes, 0 to 255', (v) => isTriple(v, isByte)],
    ['centroid', 'three finite numbers', (v) => isTriple(v, Number.isFinite)],
    ['count', 'a number of pixels, 0 or more', (v) => Number.isFinite(v) && (v as number) >= 0],
    ['proportion', 'a share from 0 to 1', (v) => Number.isFinite(v) && (v as number) >= 0 && (v as number) <= 1],
  ];
  colors.forEach((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object') throw invalidOption(`${name}[${i}]`, "a palette entry ({ hex, rgb, centroid, count, proportion }: paletteFromKMeans's)", entry);
    for (const [field, expected, fits] of fields) {
      const value = (entry as Record<string, unknown>)[field];
      if (!fits(value)) throw new ChromaseedError('ERR_USAGE', `expected ${expected} for ${name}[${i}].${field} but received ${shown(value)}`);
    }
  });
}

/** A value as a message shows it: an array, a string or an object as JSON where it can be, anything else as it prints (NaN, not JSON's null). */
function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === null || (typeof value !== 'object' && typeof value !== 'string')) return String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    // A cycle or a BigInt.
  }
  return kindOf(value);
}

function byte(v: number): number {
  const r = Math.round(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** `#rrggbb` for three byte values (rounded and clamped to 0..255). */
export function toHex(r: number, g: number, b: number): string {
  return '#' + ((1 << 24) | (byte(r) << 16) | (byte(g) << 8) | byte(b)).toString(16).slice(1);
}

/** One entry from a float sRGB colour; `proportion` is given by the caller. */
export function makeEntry(r: number, g: number, b: number, count: number, proportion: number): PaletteEntry {
  return {
    hex: toHex(r, g, b),
    rgb: [byte(r), byte(g), byte(b)],
    centroid: [r, g, b],
    count,
    proportion,
  };
}

/**
 * Build the palette from a k-means result. Entries keep the engine's order (the sort step
 * reorders them); clusters with a zero count are dropped, since an empty cluster is not a
 * colour of the image. Proportions are recomputed from the counts so they always sum to 1.
 */
export function paletteFromKMeans(result: KMeansPaletteSource): Palette {
  requireObject('paletteFromKMeans', "a k-means result ({ k, centroids, counts, inertia, iterations }: kmeansPixels's)", result);
  requireInRange('k', result.k, 0, 256, 'a whole number of colours');
  checkColourCounts('paletteFromKMeans', result.centroids, result.counts, result.k);
  let total = 0;
  for (let i = 0; i < result.k; i++) total += result.counts[i];
  const colors: PaletteEntry[] = [];
  for (let i = 0, j = 0; i < result.k; i++, j += 3) {
    const count = result.counts[i];
    if (!(count > 0)) continue;
    const c = result.centroids;
    colors.push(makeEntry(c[j], c[j + 1], c[j + 2], count, total > 0 ? count / total : 0));
  }
  return { k: colors.length, inertia: result.inertia, iterations: result.iterations, colors };
}

