import type { Frame } from '../types.js';

/**
 * Dithering on top of the exact nearest search. Both dithers work in sRGB bytes: the
 * dithered colour is clamped to 0..255 and rounded to a byte triple, so it can be looked up
 * in the mapper's 24-bit cache like any pixel colour.
 */

/** Packed colour (r | g << 8 | b << 16) -> palette index, exact, through the mapper's cache. */
export type Lookup = (key: number) => number;

/**
 * Per-mapper scratch: two error rows that grow to the widest frame seen and are then reused
 * (Floyd–Steinberg), and the colours' patterns (ordered dithering), allocated on first use.
 */
export interface DitherScratch {
  errA: Float64Array;
  errB: Float64Array;
  /** Colour of each pattern slot, -1 for none. */
  patternKeys: Int32Array;
  patterns: Uint8Array;
  /** The palette the patterns were built for (the mapper's count of palette changes). */
  patternsFor: number;
}

export function createDitherScratch(): DitherScratch {
  return { errA: new Float64Array(0), errB: new Float64Array(0), patternKeys: new Int32Array(0), patterns: new Uint8Array(0), patternsFor: -1 };
}

/**
 * Floyd–Steinberg error diffusion (7/16 right, 3/16 below-behind, 5/16 below, 1/16
 * below-ahead), in sRGB, with the error taken against the clamped (unrounded) wanted colour
 * so it cannot grow without bound. With `serpentine`, odd rows run right to left (the kernel
 * is mirrored), which avoids the diagonal "worm" artefacts of a plain raster scan.
 *
 * Transparent pixels (alpha 0) neither receive nor spread error: whatever share would land on
 * one is discarded when it is visited, and it pushes nothing on. Shares that would fall off
 * the frame edge are dropped too (into padding cells).
 *
 * Returns the transparency mask (null when none).
 */
export function floydSteinbergDither(
  frame: Frame,
  palette: Uint8Array,
  lookup: Lookup,
  indices: Uint8Array,
  serpentine: boolean,
  scratch: DitherScratch,
): Uint8Array | null {
  const { width, height, data } = frame;
  const rowLen = (width + 2) * 3; // one padding cell each side, so neighbours need no bounds checks
  if (scratch.errA.length < rowLen) {
    scratch.errA = new Float64Array(rowLen);
    scratch.errB = new Float64Array(rowLen);
  }
  let cur = scratch.errA;
  let next = scratch.errB;
  cur.fill(0, 0, rowLen);
  let transparent: Uint8Array | null = null;

  for (let y = 0; y < height; y++) {
    next.fill(0, 0, rowLen);
    const reverse = serpentine && (y & 1) === 1;
    const dir = reverse ? -1 : 1;
    const d3 = dir * 3;
    let x = reverse ? width - 1 : 0;
    for (let c = 0; c < width; c++, x += dir) {
      const i = y * width + x;
      const j = i * 4;
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(width * height);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const e = (x + 1) * 3;
      let r = data[j] + cur[e];
      let g = data[j + 1] + cur[e + 1];
      let b = data[j + 2] + cur[e + 2];
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      const key = ((r + 0.5) | 0) | (((g + 0.5) | 0) << 8) | (((b + 0.5) | 0) << 16);
      const index = lookup(key);
      indices[i] = index;
      const p = index * 3;
      const er = r - palette[p];
      const eg = g - palette[p + 1];
      const eb = b - palette[p + 2];
      // ahead on this row
      cur[e + d3] += er * (7 / 16);
      cur[e + d3 + 1] += eg * (7 / 16);
      cur[e + d3 + 2] += eb * (7 / 16);
      // next row: behind, below, ahead
      next[e - d3] += er * (3 / 16);
      next[e - d3 + 1] += eg * (3 / 16);
      next[e - d3 + 2] += eb * (3 / 16);
      next[e] += er * (5 / 16);
      next[e + 1] += eg * (5 / 16);
      next[e + 2] += eb * (5 / 16);
      next[e + d3] += er * (1 / 16);
      next[e + d3 + 1] += eg * (1 / 16);
      next[e + d3 + 2] += eb * (1 / 16);
    }
    const t = cur;
    cur = next;
    next = t;
  }
  return transparent;
}

/** The classic recursive 8x8 Bayer index matrix (values 0..63), row-major. */
const BAYER_8X8: Uint8Array = (() => {
  let m = new Uint8Array([0]);
  let n = 1;
  while (n < 8) {
    const next = new Uint8Array(4 * n * n);
    const w = 2 * n;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const v = 4 * m[y * n + x];
        next[y * w + x] = v;
        next[y * w + x + n] = v + 2;
        next[(y + n) * w + x] = v + 3;
        next[(y + n) * w + x + n] = v + 1;
      }
    }
    m = next;
    n = w;
  }
  return m;
})();

/**
 * Ordered dithering for any palette (Knoll's pattern dithering): each colour gets a pattern
 * of PATTERN palette entries whose mean is near the colour, as far as the palette allows,
 * sorted dark to light; the 8x8 Bayer matrix picks one of them per pixel (4 matrix cells
 * each). The pattern is built as error diffusion along a line: entry n is the nearest to the
 * colour plus part of the error of entries 0..n-1 (ERROR_GAIN), so a colour a quarter of the
 * way from black to red takes 4 reds of 16.
 *
 * Why not one offset added to every pixel (the textbook Bayer, this function until now): its
 * size has to suit the whole palette and it moves colours along grey only. Measured on that
 * version: pixels that are exactly a palette colour changed (a flat #555555 with greys 85
 * apart: 44% of its pixels), colours that differ in hue were never mixed (a red-blue ramp at
 * k = 2 came out undithered), and moving an entry no pixel used re-thresholded still pixels
 * (flicker_static on chi.gif at k = 16: 0.616, undithered 0.011; now 0.013). Here a palette
 * colour has a pattern of itself alone, any hue mixes, and a still pixel keeps its entry
 * while its colour's pattern does.
 *
 * Transparent pixels are only marked. Returns the transparency mask (null when none).
 */
export function bayerDither(
  frame: Frame,
  palette: Uint8Array,
  size: number,
  lookup: Lookup,
  indices: Uint8Array,
  scratch: DitherScratch,
  paletteId: number,
): Uint8Array | null {
  const { width, height, data } = frame;
  if (scratch.patternKeys.length === 0) {
    scratch.patternKeys = new Int32Array(PATTERN_SLOTS).fill(-1);
    scratch.patterns = new Uint8Array(PATTERN_SLOTS * PATTERN);
  } else if (scratch.patternsFor !== paletteId) {
    scratch.patternKeys.fill(-1);
  }
  scratch.patternsFor = paletteId;
  const { patternKeys, patterns } = scratch;
  rankByLuma(palette, size);
  let transparent: Uint8Array | null = null;
  let lastKey = -1;
  let base = 0;
  for (let y = 0, i = 0; y < height; y++) {
    const row = (y & 7) << 3;
    for (let x = 0; x < width; x++, i++) {
      const j = i * 4;
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(width * height);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const key = data[j] | (data[j + 1] << 8) | (data[j + 2] << 16);
      if (key !== lastKey) {
        // Murmur3's finaliser: Fibonacci hashing alone gave a 1280x720 video frame's 15,207
        // colours 38,120 builds in 2^16 slots (neighbouring colours collide), this 19,889.
        let h = key ^ (key >>> 16);
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        const slot = h >>> (32 - PATTERN_SLOT_BITS);
        base = slot * PATTERN;
        if (patternKeys[slot] !== key) {
          buildPattern(data[j], data[j + 1], data[j + 2], palette, lookup, patterns, base);
          patternKeys[slot] = key;
        }
        lastKey = key;
      }
      indices[i] = patterns[base + (BAYER_8X8[row | (x & 7)] >> 2)];
    }
  }
  return transparent;
}

/** Entries in a colour's pattern: 16 levels of mixing, each taking 4 of the 64 matrix cells. */
const PATTERN = 16;
/** Patterns cached per palette, direct-mapped by colour (a collision only costs a rebuild). */
const PATTERN_SLOT_BITS = 16;
const PATTERN_SLOTS = 1 << PATTERN_SLOT_BITS;
/** Each palette entry's place from dark to light (luma, then index), to sort a pattern by. */
const rank = new Uint8Array(256);
const order = new Uint8Array(256);
const luma = new Float64Array(256);

function rankByLuma(palette: Uint8Array, size: number): void {
  for (let i = 0; i < size; i++) {
    luma[i] = 0.299 * palette[i * 3] + 0.587 * palette[i * 3 + 1] + 0.114 * palette[i * 3 + 2];
    order[i] = i;
  }
  order.subarray(0, size).sort((a, b) => luma[a] - luma[b] || a - b);
  for (let i = 0; i < size; i++) rank[order[i]] = i;
}

/**
 * The share of the error so far that the next pick corrects. All of it makes a pattern's mean
 * the colour most exactly, but reaches for far entries; half keeps to the near ones. Measured
 * at k = 16 (compare, seeded): PSNR 27.85 -> 28.99 dB and flicker_static 2.81 -> 2.58 on
 * earth-transparent.gif, 26.28 -> 27.77 dB on cars.gif, and the local mean (8x8 box, k = 8)
 * 0.1–0.2 dB closer on hibiscus.jpg and kodim03.png.
 */
const ERROR_GAIN = 0.5;

/** A pattern's entries in the order they are picked, before sorting. */
const picks = new Uint8Array(PATTERN);

/**
 * Writes colour (r, g, b)'s pattern (see bayerDither) to out[at .. at + PATTERN). The first
 * entry is the colour's exact nearest; the later ones, which only need to be near the colour
 * plus the error so far, are looked up at the centre of the error-shifted colour's 4x4x4
 * cell: those few cells are looked up again and again, so nearly every later pick is a hit in
 * the mapper's cache (exact picks made the pattern dither 3x slower on a 1280x720 frame).
 */
function buildPattern(r: number, g: number, b: number, palette: Uint8Array, lookup: Lookup, out: Uint8Array, at: number): void {
  let er = 0;
  let eg = 0;
  let eb = 0;
  let n = 0;
  for (; n < PATTERN; n++) {
    let index: number;
    if (n === 0) index = lookup(r | (g << 8) | (b << 16));
    else {
      let tr = (r + ERROR_GAIN * er + 0.5) | 0;
      let tg = (g + ERROR_GAIN * eg + 0.5) | 0;
      let tb = (b + ERROR_GAIN * eb + 0.5) | 0;
      tr = tr < 0 ? 0 : tr > 255 ? 255 : tr;
      tg = tg < 0 ? 0 : tg > 255 ? 255 : tg;
      tb = tb < 0 ? 0 : tb > 255 ? 255 : tb;
      index = lookup((tr & 0xfc) | 2 | (((tg & 0xfc) | 2) << 8) | (((tb & 0xfc) | 2) << 16));
    }
    picks[n] = index;
    const p = index * 3;
    er += r - palette[p];
    eg += g - palette[p + 1];
    eb += b - palette[p + 2];
    // Back to no error: the picks repeat from here (a palette colour is a pattern of itself).
    if (er === 0 && eg === 0 && eb === 0) break;
  }
  for (let m = n + 1; m < PATTERN; m++) picks[m] = picks[m % (n + 1)];
  // Sorted dark to light, so the matrix's low cells take the dark entries.
  for (let m = 0; m < PATTERN; m++) {
    const index = picks[m];
    const place = rank[index];
    let q = m;
    while (q > 0 && rank[out[at + q - 1]] > place) {
      out[at + q] = out[at + q - 1];
      q--;
    }
    out[at + q] = index;
  }
}
