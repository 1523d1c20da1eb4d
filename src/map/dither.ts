import { fromSrgb, type Converter } from '../color/space.js';
import { wordsOf } from '../pixel-words.js';
import type { ColorSpace, Frame, Metric } from '../types.js';

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

/**
 * The pixel hold (StabilityOptions.pixelHold and pixelMargin) inside dithering: a pixel
 * whose source moved by at most `pixelHold` per channel since the frame before keeps the
 * entry it was written with there while that entry is at most `1 + pixelMargin` times as
 * far as the entry the dither picked, distances measured as the mapper measures "nearest"
 * (in the run's metric and space, squared for euclidean): error diffusion's from the pixel
 * plus the error it received, whose match the pick is, and it diffuses the kept entry's
 * error, so the error stays accounted for; ordered dithering's from the pixel.
 *
 * Under error diffusion, an unchanged pixel (its source bit-identical to the frame before's,
 * and both its entry there and the entry nearest its colour with the colours they had) is
 * written as it was, whatever the margin, and passes on only its own error, not the error
 * it received: an unchanged part of the frame is drawn exactly as before, and no error
 * builds up across it. (Held by the margin alone, still areas took on error from the pixels
 * that changed: playpause.gif 29.90 dB and flicker 0.241, now 30.90 and 0.065; cars.gif 27.17
 * and 0.792, now 28.01 and 0.000. Kept whatever the nearest entry, gifplayer-muybridge.gif
 * fell from 60.47 to 55.70 dB: a better entry for a still pixel, once the palette had one,
 * never reached it.)
 *
 * Why: a dithered pixel's entry hangs on more than its own colour. Floyd–Steinberg's on every
 * pixel before it, so a change anywhere re-draws the pattern in the still pixels after it;
 * ordered dithering's on its colour cell's pattern, which any palette change, or video
 * noise moving the pixel into the next cell, re-draws. Measured on `compare -k 16`'s seeded
 * row: cars.gif's flicker_static with Floyd–Steinberg 3.49 -> 0.000 (27.21 -> 28.01 dB),
 * realshort.mp4's with ordered dithering 4.96 -> 1.86 (24.90 -> 25.48 dB).
 */
export interface DitherHold {
  /** The frame before's source pixels (RGBA, this frame's size). */
  readonly before: Uint8Array;
  /** The entries the frame before's pixels were written with (an entry past this palette's is not kept). */
  readonly beforeIndices: Uint8Array;
  /** The frame before's palette, 3 bytes an entry: which entries kept their colours. */
  readonly beforePalette: Uint8Array;
  readonly pixelHold: number;
  readonly pixelMargin: number;
}

/** A hold made ready for one frame and its palette (readyHold), for heldEntry. */
export interface ReadyHold {
  readonly before: Uint8Array;
  /** `before` as words, a pixel each. */
  readonly beforeWords: Uint32Array;
  readonly beforeIndices: Uint8Array;
  /** 1 for each entry with the colour it had in the frame before's palette. */
  readonly unchanged: Uint8Array;
  readonly size: number;
  readonly still: number;
  readonly within: number;
  /** Euclidean in RGB: the distances straight from the palette's bytes. */
  readonly plain: boolean;
  readonly manhattan: boolean;
  readonly convert: Converter;
  /** Outside RGB, the palette in the run's space, and a pixel's colour converted. */
  readonly converted: Float64Array;
  readonly pixel: Float64Array;
}

/**
 * `hold` for a frame mapped to `palette` (`size` entries). Outside RGB the palette is
 * converted once here, and a pixel only where its pick and its kept entry differ: measured in
 * RGB under lab, the undithered hold once kept a blue 4.8 times farther by Lab distance than
 * the nearest entry (see holdPixels).
 */
export function readyHold(hold: DitherHold, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): ReadyHold {
  const plain = metric === 'euclidean' && space === 'rgb';
  const convert = fromSrgb(space);
  const converted = new Float64Array(plain ? 0 : size * 3);
  if (!plain) for (let e = 0; e < size * 3; e += 3) convert(palette[e], palette[e + 1], palette[e + 2], converted, e);
  const { before, beforeIndices, beforePalette, pixelHold, pixelMargin } = hold;
  const unchanged = new Uint8Array(256);
  for (let e = 0, o = 0; e < size && o + 2 < beforePalette.length; e++, o += 3) {
    unchanged[e] = palette[o] === beforePalette[o] && palette[o + 1] === beforePalette[o + 1] && palette[o + 2] === beforePalette[o + 2] ? 1 : 0;
  }
  return { before, beforeWords: wordsOf(before), beforeIndices, unchanged, size, still: pixelHold, within: 1 + pixelMargin, plain, manhattan: metric === 'manhattan', convert, converted, pixel: new Float64Array(3) };
}

/**
 * The entry the pixel whose bytes start at `j` is written with, where the dither picked
 * `picked` for the colour (r, g, b) and the frame before wrote the pixel with another entry,
 * `kept`: `kept` where the hold keeps it, else `picked`. The loops call it only where the
 * two differ, and it is kept small, its conversions outside RGB in a function of their own:
 * a call for every pixel made error diffusion 24% slower on test.webm, and this function
 * with the conversions written in, 12%.
 */
function heldEntry(h: ReadyHold, data: Uint8Array, palette: Uint8Array, j: number, r: number, g: number, b: number, kept: number, picked: number): number {
  const before = h.before;
  const still = h.still;
  if (kept >= h.size || before[j + 3] === 0) return picked;
  if (Math.abs(data[j] - before[j]) > still || Math.abs(data[j + 1] - before[j + 1]) > still || Math.abs(data[j + 2] - before[j + 2]) > still) return picked;
  if (!h.plain) return convertedHeld(h, r, g, b, kept, picked);
  const k = kept * 3;
  const p = picked * 3;
  const dKept = (r - palette[k]) ** 2 + (g - palette[k + 1]) ** 2 + (b - palette[k + 2]) ** 2;
  const dPicked = (r - palette[p]) ** 2 + (g - palette[p + 1]) ** 2 + (b - palette[p + 2]) ** 2;
  return dKept <= h.within * dPicked ? kept : picked;
}

/**
 * Whether the pixel whose bytes start at `j`, the same as in the frame before (the loop
 * compares them first, as words: most of a video's pixels differ) and written there with
 * `kept`, is unchanged (see DitherHold): `kept` and the entry nearest its colour (`lookup`)
 * both with their colours.
 */
function isUnchanged(h: ReadyHold, data: Uint8Array, j: number, kept: number, lookup: Lookup): boolean {
  const unchanged = h.unchanged;
  return unchanged[kept] === 1 && unchanged[lookup(data[j] | (data[j + 1] << 8) | (data[j + 2] << 16))] === 1;
}

/**
 * heldEntry's test outside RGB: distances in the run's metric and space, written out rather
 * than through colourDistance, as holdPixels' are: numbers handed back from a call V8 did
 * not inline became objects on the heap.
 */
function convertedHeld(h: ReadyHold, r: number, g: number, b: number, kept: number, picked: number): number {
  const { converted, pixel } = h;
  h.convert(r, g, b, pixel, 0);
  const k = kept * 3;
  const p = picked * 3;
  const a0 = pixel[0] - converted[k];
  const a1 = pixel[1] - converted[k + 1];
  const a2 = pixel[2] - converted[k + 2];
  const b0 = pixel[0] - converted[p];
  const b1 = pixel[1] - converted[p + 1];
  const b2 = pixel[2] - converted[p + 2];
  const dKept = h.manhattan ? Math.abs(a0) + Math.abs(a1) + Math.abs(a2) : a0 * a0 + a1 * a1 + a2 * a2;
  const dPicked = h.manhattan ? Math.abs(b0) + Math.abs(b1) + Math.abs(b2) : b0 * b0 + b1 * b1 + b2 * b2;
  return dKept <= h.within * dPicked ? kept : picked;
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
 * With `hold`, still pixels may keep the frame before's entries (DitherHold, readyHold).
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
 * With `hold`, still pixels may keep the frame before's entries (DitherHold, readyHold).
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
