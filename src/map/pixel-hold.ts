/**
 * The pixel hold (StabilityOptions.pixelHold and pixelMargin), one rule for every mapping: a
 * pixel the source left (nearly) unchanged keeps last frame's palette entry while that entry
 * is almost as close as the one the mapping picked, so pixels near a border between two
 * entries do not switch back and forth. Undithered, the pick is the nearest entry and the
 * hold is a pass after mapping (holdPixels); dithered, it acts inside the dithering
 * (dither.ts), where the pick is the dither's.
 */
import { fromSrgb, type Converter } from '../color/space.js';
import { wordsOf } from '../pixel-words.js';
import type { ColorSpace, Metric } from '../types.js';
import type { Lookup } from './dither.js';

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
  /** 1 for each entry with the colour it had in the frame before's palette (none without it). */
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

/** What readyHold takes: a DitherHold, whose frame before's palette the undithered hold does without. */
type HoldInput = Omit<DitherHold, 'beforePalette'> & { readonly beforePalette?: Uint8Array };

/**
 * `hold` for a frame mapped to `palette` (`size` entries). Outside RGB the palette is
 * converted once here, and a pixel only where its pick and its kept entry differ: measured in
 * RGB under lab, the hold once kept a blue 4.8 times farther by Lab distance than the nearest
 * entry.
 */
export function readyHold(hold: HoldInput, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): ReadyHold {
  const plain = metric === 'euclidean' && space === 'rgb';
  const convert = fromSrgb(space);
  const converted = new Float64Array(plain ? 0 : size * 3);
  if (!plain) for (let e = 0; e < size * 3; e += 3) convert(palette[e], palette[e + 1], palette[e + 2], converted, e);
  const { before, beforeIndices, beforePalette, pixelHold, pixelMargin } = hold;
  const unchanged = new Uint8Array(256);
  for (let e = 0, o = 0; beforePalette !== undefined && e < size && o + 2 < beforePalette.length; e++, o += 3) {
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
export function heldEntry(h: ReadyHold, data: Uint8Array, palette: Uint8Array, j: number, r: number, g: number, b: number, kept: number, picked: number): number {
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
export function isUnchanged(h: ReadyHold, data: Uint8Array, j: number, kept: number, lookup: Lookup): boolean {
  const unchanged = h.unchanged;
  return unchanged[kept] === 1 && unchanged[lookup(data[j] | (data[j + 1] << 8) | (data[j + 2] << 16))] === 1;
}

/**
 * heldEntry's test outside RGB: distances in the run's metric and space, written out rather
 * than through colourDistance, and an entry handed back, not the two distances: numbers
 * handed back from a call V8 did not inline became objects on the heap, two a pixel held
 * (155 MB over test.webm at `--space lab`).
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

/**
 * The undithered hold, after mapping: `indices` holds this frame's exact nearest entries and
 * is changed in place, a pixel keeping `previousIndices`' entry where heldEntry keeps it.
 * Only pixels whose entry would change are examined.
 */
export function holdPixels(
  source: Uint8Array,
  previousSource: Uint8Array,
  indices: Uint8Array,
  previousIndices: Uint8Array,
  palette: Uint8Array,
  size: number,
  options: { readonly pixelHold: number; readonly pixelMargin: number },
  metric: Metric = 'euclidean',
  space: ColorSpace = 'rgb',
): void {
  const { pixelHold, pixelMargin } = options;
  if (pixelHold < 0) return;
  const hold = readyHold({ before: previousSource, beforeIndices: previousIndices, pixelHold, pixelMargin }, palette, size, metric, space);
  const holdRange = (start: number, end: number): void => {
    for (let i = start, o = start * 4; i < end; i++, o += 4) {
      const prev = previousIndices[i];
      const now = indices[i];
      // A pixel transparent here has no entry to keep (its index is filler; heldEntry checks the frame before's).
      if (prev === now || source[o + 3] === 0) continue;
      indices[i] = heldEntry(hold, source, palette, o, source[o], source[o + 1], source[o + 2], prev, now);
    }
  };
  // Most pixels keep their entry: skip them four at a time.
  const nowWords = wordsOf(indices);
  const previousWords = wordsOf(previousIndices);
  for (let w = 0; w < nowWords.length; w++) {
    if (nowWords[w] !== previousWords[w]) holdRange(w * 4, w * 4 + 4);
  }
  holdRange(nowWords.length * 4, indices.length);
}
