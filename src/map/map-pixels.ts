import type { ColorSpace, Frame, Metric } from '../types.js';
import { checkPalette, checkRgbaFrame, ChromaseedError, isBoxInside, isBytes, kindOf, namesOf, refuseUnknownKeys, requireChoice, requireFlag, requireInRange, requireObject } from '../errors.js';
import { fromSrgb } from '../color/space.js';
import { sameColors } from '../pixel-words.js';
import { DITHERS, METRICS, SPACES, type DitherMode } from '../options.js';
import { createPaletteSearch } from './nearest.js';
import { bayerDither, createDitherScratch, floydSteinbergDither, type Lookup } from './dither.js';
import { readyHold, type DitherHold } from './pixel-hold.js';
import type { KeptMapping } from './map-histogram.js';

export type { DitherHold } from './pixel-hold.js';

export { nearestIndex } from './nearest.js';

/** How pixels are mapped: nearest colour only, error diffusion, or ordered (4x4 Bayer). */
export type Dither = DitherMode;

export interface MapOptions {
  metric: Metric;
  space: ColorSpace;
  dither: Dither;
  /** Floyd–Steinberg only: alternate scan direction row by row (default true). */
  serpentine?: boolean;
}

/** Each pixel its nearest colour in Euclidean RGB, undithered: what METRICS.md's figures measure, and a mapping's defaults. */
export const PLAIN_MAP: Readonly<MapOptions> = Object.freeze({ metric: 'euclidean', space: 'rgb', dither: 'none' });

/** Every name of MapOptions. */
const MAP_NAMES: readonly string[] = namesOf<MapOptions>({ metric: true, space: true, dither: true, serpentine: true });

/** Refuses map options that are not MapOptions, naming `caller` for a key it does not read. */
export function checkMapOptions(options: MapOptions, caller: string): void {
  requireObject('options', "{ metric: 'euclidean', space: 'rgb', dither: 'none' }", options);
  refuseUnknownKeys(caller, options, MAP_NAMES);
  requireChoice('metric', METRICS, options.metric);
  requireChoice('space', SPACES, options.space);
  requireChoice('dither', DITHERS, options.dither ?? 'none');
  requireFlag('serpentine', options.serpentine);
}

/** Every name of DitherHold. */
const HOLD_NAMES: readonly string[] = namesOf<DitherHold>({ before: true, beforeIndices: true, beforePalette: true, pixelHold: true, pixelMargin: true });

/** Refuses a hold that is not a DitherHold for a frame of `pixels` pixels, or one given without dithering. */
function checkDitherHold(hold: DitherHold, pixels: number, dither: Dither): void {
  requireObject('hold', '{ before, beforeIndices, beforePalette, pixelHold, pixelMargin }', hold);
  refuseUnknownKeys("a mapper's hold", hold, HOLD_NAMES);
  if (dither === 'none') throw new ChromaseedError('ERR_USAGE', "a mapper's hold acts on dithered mapping (undithered, every pixel is its nearest entry)");
  const bytes = (name: string, value: unknown, length: number, what: string, atLeast: boolean): void => {
    if (isBytes(value) && (atLeast ? value.length >= length : value.length === length)) return;
    throw new ChromaseedError('ERR_INPUT', `${name} is the frame before's ${length} ${what}, a Uint8Array${atLeast ? ' at least that long' : ''}, not ${isBytes(value) ? `${value.length} bytes` : kindOf(value)}`);
  };
  bytes('hold.before', hold.before, pixels * 4, 'RGBA bytes', false);
  bytes('hold.beforeIndices', hold.beforeIndices, pixels, 'palette indices', true);
  if (!(isBytes(hold.beforePalette) && hold.beforePalette.length % 3 === 0 && hold.beforePalette.length <= 256 * 3)) {
    throw new ChromaseedError('ERR_INPUT', `hold.beforePalette is the frame before's palette, a Uint8Array of 3 bytes an entry (256 at most), not ${isBytes(hold.beforePalette) ? `${hold.beforePalette.length} bytes` : kindOf(hold.beforePalette)}`);
  }
  requireInRange('hold.pixelHold', hold.pixelHold, 0, 255);
  requireInRange('hold.pixelMargin', hold.pixelMargin, 0, 1000);
}

/** Refuses a kept mapping that is not one of a frame of this size, or one given with dithering. */
function checkKept(kept: KeptMapping, width: number, height: number, dither: Dither): void {
  requireObject('kept', '{ changed, width, indices, transparent }', kept);
  if (dither !== 'none') throw new ChromaseedError('ERR_USAGE', "a mapper's kept mapping acts on undithered mapping (a dithered pixel's entry hangs on its neighbours)");
  const n = width * height;
  const { changed, indices, transparent } = kept;
  if (kept.width !== width || !(isBytes(indices) && indices.length >= n) || !(transparent === null || (isBytes(transparent) && transparent.length >= n)) || !(changed === null || isBoxInside(changed, width, height))) {
    throw new ChromaseedError('ERR_INPUT', `a kept mapping is the frame before's { indices, transparent } (${n} bytes each, or transparent null) and a box { x0, y0, x1, y1 } inside this ${width}x${height} frame (or null), with its width`);
  }
}

export interface MappedFrame {
  /** Palette index per pixel; 0 (meaningless) where `transparent[i]` is 1. */
  indices: Uint8Array;
  /** 1 where the source alpha is 0; null when the frame has no such pixel. A new array per call. */
  transparent: Uint8Array | null;
}

export interface Mapper {
  /**
   * Map `frame.data` (width*height*4 RGBA) to indices into `palette` (size*3 sRGB bytes).
   * Every opaque or semi-transparent pixel gets its exact nearest palette colour (alpha is
   * ignored unless it is 0, which marks the pixel transparent). `out` is reused if given
   * (its first width*height bytes, when it is longer: `indices` is then that part of it).
   * `hold`: still pixels keep the frame before's entries (DitherHold). Dithered mapping only,
   * and refused without it: undithered, every pixel is its nearest entry, and the hold for
   * that (pixel-hold.ts's holdPixels) acts after mapping.
   * `kept` (undithered only): the frame before's mapping under this palette, and the box
   * outside which this frame is the same bytes: it is copied there, and only the box mapped
   * (as createHistogramMapper's map does). The mask handed back is then new memory.
   */
  map(frame: Frame, palette: Uint8Array, size: number, options: MapOptions, out?: Uint8Array, hold?: DitherHold, kept?: KeptMapping): MappedFrame;
}

/**
 * Colour cache: a direct-mapped table of 2^18 slots (1.25 MiB) keyed by the packed 24-bit
 * colour. Each slot stores the full key next to the index, so a collision only evicts an
 * entry and costs a repeat search later: the answers are always exact.
 *
 * Why not the 2^24-entry table with generation stamps: measured on this project's machines,
 * a 64 MiB table costs a cache and TLB miss per pixel whenever the colours are scattered
 * (every dithered pixel; every pixel of a small video frame with a fresh palette), e.g.
 * 320x240 frames with a new 16-colour Lab palette each frame took 5.6–7.3 ms per frame with
 * it and 3.9 ms with this one, while a 1 MP photo took the same (~29 ms) with either. This
 * table stays in L2/L3, and clearing it when the palette changes (a 1 MiB fill) is cheaper
 * than the misses it avoids. An unchanged palette keeps the table, so a clip mapped with
 * one global palette reuses earlier frames' answers.
 */
const CACHE_BITS = 18;
const CACHE_SIZE = 1 << CACHE_BITS;
/** Fibonacci hashing spreads neighbouring colours (which differ in the low bits) over the table. */
const HASH = 0x9e3779b1;

/**
 * A mapper owns the colour cache, the palette search structure and the dithering scratch;
 * all are allocated once and reused for every frame it maps.
 */
export function createMapper(): Mapper {
  const cacheKeys = new Int32Array(CACHE_SIZE).fill(-1); // -1: empty (keys are 0..2^24-1)
  const cacheIndex = new Uint8Array(CACHE_SIZE);
  const search = createPaletteSearch();
  // Identity of the palette the cache and search structure were built for.
  const lastPalette = new Uint8Array(256 * 3);
  let lastSize = 0;
  let lastMetric: Metric | null = null;
  let lastSpace: ColorSpace | null = null;
  let convert = fromSrgb('rgb');
  let isRgb = true;
  const q = new Float64Array(3);
  /** Last answer: neighbouring pixels usually share it, so it seeds the slab search's bound. */
  let hint = -1;
  const ditherScratch = createDitherScratch();
  /** Counts palette changes: ordered dithering's patterns hold for one palette. */
  let paletteId = 0;

  function samePalette(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): boolean {
    return size === lastSize && metric === lastMetric && space === lastSpace && sameColors(palette, lastPalette, size);
  }

  function loadPalette(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    if (samePalette(palette, size, metric, space)) return;
    cacheKeys.fill(-1);
    lastPalette.set(palette.subarray(0, size * 3));
    lastSize = size;
    lastMetric = metric;
    lastSpace = space;
    convert = fromSrgb(space);
    isRgb = space === 'rgb';
    search.prepare(palette, size, metric, space);
    hint = -1;
    paletteId++;
  }

  /** Cache miss: convert the colour once, search, remember. `key` = r | g << 8 | b << 16. */
  function resolve(key: number, slot: number): number {
    const r = key & 0xff;
    const g = (key >>> 8) & 0xff;
    const b = key >>> 16;
    let index: number;
    if (isRgb) {
      index = search.nearest(r, g, b, hint);
    } else {
      convert(r, g, b, q, 0);
      index = search.nearestIn(q, 0, hint);
    }
    hint = index;
    cacheKeys[slot] = key;
    cacheIndex[slot] = index;
    return index;
  }

  /** Index for a packed colour through the cache: what the dithering loops call. */
  const lookup: Lookup = (key: number): number => {
    const slot = Math.imul(key, HASH) >>> (32 - CACHE_BITS);
    return cacheKeys[slot] === key ? cacheIndex[slot] : resolve(key, slot);
  };

  function map(frame: Frame, palette: Uint8Array, size: number, options: MapOptions, out?: Uint8Array, hold?: DitherHold, kept?: KeptMapping): MappedFrame {
    checkRgbaFrame(frame);
    const { width, height, data } = frame;
    const n = width * height;
    checkPalette(palette, size);
    checkMapOptions(options, "a mapper's map");
    const dither = options.dither ?? 'none';
    if (out !== undefined && !(isBytes(out) && out.length >= n)) {
      throw new ChromaseedError('ERR_INPUT', `the output buffer for ${n} palette indices is a Uint8Array of at least ${n} bytes, not ${isBytes(out) ? `${out.length} bytes` : kindOf(out)}`);
    }
    if (hold !== undefined) checkDitherHold(hold, n, dither);
    if (kept !== undefined) checkKept(kept, width, height, dither);
    // A larger `out` lends its first n bytes: the indices handed back are the frame's, n of them.
    const indices = out === undefined ? new Uint8Array(n) : out.length === n ? out : out.subarray(0, n);
    // An empty palette is what k-means gives a frame with no opaque pixel: all transparent.
    if (size === 0) return { indices: indices.fill(0, 0, n), transparent: transparentOnly(data, n) };
    loadPalette(palette, size, options.metric, options.space);

    let transparent: Uint8Array | null;
    const held = hold === undefined ? null : readyHold(hold, palette, size, options.metric, options.space);
    if (dither === 'floyd-steinberg') {
      transparent = floydSteinbergDither(frame, palette, lookup, indices, options.serpentine ?? true, ditherScratch, held);
    } else if (dither === 'bayer') {
      transparent = bayerDither(frame, palette, size, lookup, indices, ditherScratch, paletteId, held);
    } else if (kept === undefined) {
      transparent = mapPlain(data, 0, n, indices, null);
    } else {
      transparent = mapKept(data, n, indices, kept);
    }
    return { indices, transparent };
  }

  function transparentOnly(data: Uint8Array, n: number): Uint8Array {
    for (let j = 3; j < n * 4; j += 4) {
      if (data[j] !== 0) throw new ChromaseedError('ERR_INPUT', `pixel ${(j - 3) / 4} is opaque, but the palette is empty`);
    }
    return new Uint8Array(n).fill(1);
  }

  /**
   * The undithered hot loop over pixels [from, to): one cache probe per pixel, a search per
   * new colour. A transparent pixel is marked in `transparent` (made, all clear, when null);
   * an opaque one is left as it is there. Hands back the mask.
   */
  function mapPlain(data: Uint8Array, from: number, to: number, indices: Uint8Array, transparent: Uint8Array | null): Uint8Array | null {
    let lastKey = -1;
    let lastIndex = 0;
    for (let i = from, j = from * 4; i < to; i++, j += 4) {
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(indices.length);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const key = data[j] | (data[j + 1] << 8) | (data[j + 2] << 16);
      // Runs of one colour (flat areas, cartoons, letterboxing) skip even the cache probe.
      if (key !== lastKey) {
        const slot = Math.imul(key, HASH) >>> (32 - CACHE_BITS);
        lastIndex = cacheKeys[slot] === key ? cacheIndex[slot] : resolve(key, slot);
        lastKey = key;
      }
      indices[i] = lastIndex;
    }
    return transparent;
  }

  /** `kept`'s mapping copied, then the rows of its box mapped over it (see Mapper.map). */
  function mapKept(data: Uint8Array, n: number, indices: Uint8Array, kept: KeptMapping): Uint8Array | null {
    indices.set(kept.indices.subarray(0, n));
    let transparent: Uint8Array | null = kept.transparent === null ? null : kept.transparent.slice(0, n);
    const { x0, y0, x1, y1 } = kept.changed ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
    for (let row = y0 * kept.width; row < y1 * kept.width; row += kept.width) {
      // The box's pixels are marked anew: clear where they are transparent now.
      transparent?.fill(0, row + x0, row + x1);
      transparent = mapPlain(data, row + x0, row + x1, indices, transparent);
    }
    return transparent;
  }

  return { map };
}
