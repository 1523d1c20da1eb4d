import { wordsOf } from '../pixel-words.js';
import type { Frame } from '../types.js';
import { heldEntry, isUnchanged, type ReadyHold } from './pixel-hold.js';

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
  /** Per colour cell (see bayerDither): the palette its pattern was built for, 0 for none. */
  patternStamps: Uint32Array;
  patterns: Uint8Array;
}

export function createDitherScratch(): DitherScratch {
  return { errA: new Float64Array(0), errB: new Float64Array(0), patternStamps: new Uint32Array(0), patterns: new Uint8Array(0) };
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
 * With `hold`, still pixels may keep the frame before's entries (pixel-hold.ts: DitherHold, readyHold).
 * Returns the transparency mask (null when none).
 */
export function floydSteinbergDither(
  frame: Frame,
  palette: Uint8Array,
  lookup: Lookup,
  indices: Uint8Array,
  serpentine: boolean,
  scratch: DitherScratch,
  hold: ReadyHold | null,
): Uint8Array | null {
  const { width, height, data } = frame;
  const keptIndices = hold?.beforeIndices ?? null;
  const words = hold === null ? null : wordsOf(data);
  const beforeWords = hold?.beforeWords ?? null;
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
      const kept = keptIndices === null ? -1 : keptIndices[i];
      let r: number;
      let g: number;
      let b: number;
      let index: number;
      if (kept >= 0 && words![i] === beforeWords![i] && isUnchanged(hold!, data, j, kept, lookup)) {
        // Written as it was, passing on its own error alone (see DitherHold).
        r = data[j];
        g = data[j + 1];
        b = data[j + 2];
        index = kept;
      } else {
        r = data[j] + cur[e];
        g = data[j + 1] + cur[e + 1];
        b = data[j + 2] + cur[e + 2];
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
        index = lookup(((r + 0.5) | 0) | (((g + 0.5) | 0) << 8) | (((b + 0.5) | 0) << 16));
        if (kept >= 0 && kept !== index) index = heldEntry(hold!, data, palette, j, r, g, b, kept, index);
      }
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

/**
 * The classic recursive 4x4 Bayer index matrix (values 0..15, one per pattern entry),
 * row-major. (An 8x8 one, its values shifted down to the 16 entries, is this one tiled: it
 * was used here, and described as 8x8 where its layout repeated every 4 pixels.)
 */
const BAYER_4X4: Uint8Array = (() => {
  let m = new Uint8Array([0]);
  let n = 1;
  while (n < 4) {
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
 * sorted dark to light; the 4x4 Bayer matrix picks one of them per pixel. The pattern is
 * built as error diffusion along a line: entry n is the nearest to the colour plus part of
 * the error of entries 0..n-1 (ERROR_GAIN), so a colour a quarter of the way from black to
 * red takes 4 reds of 16.
 *
 * A pattern is built once per palette for each cell of 4x4x4 colours that pixels fall in,
 * from the cell's centre: a photo's megapixel has tens of thousands of cells against a
 * hundred thousand colours or more, and each pattern costs 16 searches. The 2 levels the
 * centre can be off are far below a pattern's step (1/16 of the distance between entries).
 * A pixel that is exactly a palette colour takes that entry, as it is.
 *
 * Why not one offset added to every pixel (the textbook Bayer, this function until now): its
 * size has to suit the whole palette and it moves colours along grey only. Measured on that
 * version: pixels that are exactly a palette colour changed (a flat #555555 with greys 85
 * apart: 44% of its pixels), colours that differ in hue were never mixed (a red-blue ramp at
 * k = 2 came out undithered), and moving an entry no pixel used re-thresholded still pixels
 * (flicker_static on chi.gif at k = 16: 0.616, undithered 0.011; now 0.013). Here a palette
 * colour is itself, any hue mixes, and a still pixel keeps its entry while its cell's
 * pattern does.
 *
 * `paletteId` (at least 1) changes with the palette: patterns of another palette are stale.
 * With `hold`, still pixels may keep the frame before's entries (pixel-hold.ts: DitherHold, readyHold).
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
  hold: ReadyHold | null,
): Uint8Array | null {
  const { width, height, data } = frame;
  const keptIndices = hold?.beforeIndices ?? null;
  if (scratch.patternStamps.length === 0) {
    scratch.patternStamps = new Uint32Array(CELLS);
    scratch.patterns = new Uint8Array(CELLS * PATTERN);
  }
  const { patternStamps, patterns } = scratch;
  rankByLuma(palette, size);
  let transparent: Uint8Array | null = null;
  let lastKey = -1;
  let exact = -1; // the last colour's entry when the colour is exactly that entry's, else -1
  let base = 0; // else the offset of its cell's pattern
  for (let y = 0, i = 0; y < height; y++) {
    const row = (y & 3) << 2;
    for (let x = 0; x < width; x++, i++) {
      const j = i * 4;
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(width * height);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const r = data[j];
      const g = data[j + 1];
      const b = data[j + 2];
      const key = r | (g << 8) | (b << 16);
      if (key !== lastKey) {
        lastKey = key;
        const nearest = lookup(key);
        const p = nearest * 3;
        exact = palette[p] === r && palette[p + 1] === g && palette[p + 2] === b ? nearest : -1;
        if (exact < 0) {
          const cell = ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2);
          base = cell * PATTERN;
          if (patternStamps[cell] !== paletteId) {
            buildPattern((r & 0xfc) + 1.5, (g & 0xfc) + 1.5, (b & 0xfc) + 1.5, palette, lookup, patterns, base);
            patternStamps[cell] = paletteId;
          }
        }
      }
      let index = exact >= 0 ? exact : patterns[base + BAYER_4X4[row | (x & 3)]];
      if (keptIndices !== null) {
        const kept = keptIndices[i];
        if (kept !== index) index = heldEntry(hold!, data, palette, j, r, g, b, kept, index);
      }
      indices[i] = index;
    }
  }
  return transparent;
}

/** Entries in a colour's pattern: 16 levels of mixing, one for each cell of the 4x4 matrix. */
const PATTERN = 16;
/** Colour cells of 4x4x4 levels: 64 a channel. */
const CELLS = 1 << 18;
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
 * the colour most exactly, but reaches for far entries; less keeps to the near ones, at some
 * cost in tone. Measured at 1 / 0.75 / 0.5 (on patterns per colour, before they went per
 * cell, which moved these figures by a few tenths): compare -k 16 (seeded) PSNR 27.85 / 28.43 /
 * 28.99 dB and flicker_static 2.81 / 2.71 / 2.58 on earth-transparent.gif, PSNR 26.28 /
 * 27.20 / 27.77 dB on cars.gif; the mean colour of bricks-color.jpeg in the 8 corners of the
 * RGB cube off by 0.25 / 2.2 / 4.4 levels, and a grey ramp in black and white at most 7.9 /
 * 8.1 / 15.1 levels off its grey (8-pixel-wide steps, each averaged).
 */
const ERROR_GAIN = 0.75;

/** A pattern's entries in the order they are picked, before sorting. */
const picks = new Uint8Array(PATTERN);

/**
 * Writes the pattern of colour (r, g, b), a cell's centre (see bayerDither), to
 * out[at .. at + PATTERN). Each pick, the nearest entry to the colour plus the error so far,
 * is looked up at the centre of that colour's cell too: those few cells are looked up again
 * and again, so nearly every pick is a hit in the mapper's cache.
 */
function buildPattern(r: number, g: number, b: number, palette: Uint8Array, lookup: Lookup, out: Uint8Array, at: number): void {
  let er = 0;
  let eg = 0;
  let eb = 0;
  for (let n = 0; n < PATTERN; n++) {
    let tr = (r + ERROR_GAIN * er + 0.5) | 0;
    let tg = (g + ERROR_GAIN * eg + 0.5) | 0;
    let tb = (b + ERROR_GAIN * eb + 0.5) | 0;
    tr = tr < 0 ? 0 : tr > 255 ? 255 : tr;
    tg = tg < 0 ? 0 : tg > 255 ? 255 : tg;
    tb = tb < 0 ? 0 : tb > 255 ? 255 : tb;
    const index = lookup((tr & 0xfc) | 2 | (((tg & 0xfc) | 2) << 8) | (((tb & 0xfc) | 2) << 16));
    picks[n] = index;
    const p = index * 3;
    er += r - palette[p];
    eg += g - palette[p + 1];
    eb += b - palette[p + 2];
  }
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
