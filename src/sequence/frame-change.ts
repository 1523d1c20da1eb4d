import { STILL_THRESHOLD } from '../metrics/quality.js';
import { ALPHA_MASK, COLOR_SHIFT, firstDifference, lastDifference, wordsOf } from '../pixel-words.js';
import type { ChangedBox } from '../types.js';

// Module constants, not the imported bindings, so hot loops see them as constants.
const alphaMask = ALPHA_MASK;
const colorShift = COLOR_SHIFT;
const stillMax = STILL_THRESHOLD;

/** How a frame differs from the one before, from one pass over both. */
export interface FrameChange {
  /** Mean absolute difference over the RGB channels of pixels opaque in both (0..255). */
  readonly difference: number;
  /** Pixels opaque in both frames. */
  readonly opaquePixels: number;
  /** Of those, the ones no channel of which moved by more than STILL_THRESHOLD (the METRICS.md "still" pixels). */
  readonly stillPixels: number;
}

/** Still pixels counted per palette entry of the frame before (see `compareFrames`). */
export interface StillPerEntry {
  /** The entry each pixel of the frame before was written with. */
  readonly beforeIndices: Uint8Array;
  /** Filled with the counts (256 entries, overwritten). */
  readonly counts: Float64Array;
}

/**
 * Compares `now` with `before` (RGBA, same size): the mean difference the scene-cut test
 * reads and the still pixels the "mostly still" test reads. With `perEntry`, also counts
 * how many still pixels each palette entry of the frame before painted (what the `anchor`
 * lever weighs).
 */
export function compareFrames(now: Uint8Array, before: Uint8Array, perEntry: StillPerEntry | null): FrameChange {
  let sum = 0;
  let opaque = 0;
  let stillPixels = 0;
  perEntry?.counts.fill(0);
  const nowWords = wordsOf(now);
  const beforeWords = wordsOf(before);
  for (let p = 0; p < nowWords.length; p++) {
    const a = nowWords[p];
    const b = beforeWords[p];
    if ((a & alphaMask) === 0 || (b & alphaMask) === 0) continue;
    opaque++;
    // Bit-identical pixels (most of a GIF's or a screen recording's) need no arithmetic.
    if (a === b) {
      stillPixels++;
      if (perEntry !== null) perEntry.counts[perEntry.beforeIndices[p]]++;
      continue;
    }
    // The three colour bytes, in whichever order the word holds them: the sums and the
    // per-channel test treat the channels alike. Math.abs, not `d < 0 ? -d : d`, which V8
    // compiles to a branch that video's noise mispredicts (15-20% slower on cockatoo.mp4).
    const x = a >>> colorShift;
    const y = b >>> colorShift;
    const ar = Math.abs((x & 0xff) - (y & 0xff));
    const ag = Math.abs(((x >>> 8) & 0xff) - ((y >>> 8) & 0xff));
    const ab = Math.abs(((x >>> 16) & 0xff) - ((y >>> 16) & 0xff));
    sum += ar + ag + ab;
    // 1 when no channel moved by more than the threshold, else 0, without a branch: in
    // video the outcome is close to random from pixel to pixel, and mispredictions cost more.
    const isStill = 1 + (((stillMax - ar) | (stillMax - ag) | (stillMax - ab)) >> 31);
    stillPixels += isStill;
    if (perEntry !== null) perEntry.counts[perEntry.beforeIndices[p]] += isStill;
  }
  return { difference: opaque > 0 ? sum / (opaque * 3) : 0, opaquePixels: opaque, stillPixels };
}

/**
 * Where `now` differs from `before` (RGBA, same size, rows of `width` pixels), any byte of
 * a pixel; null where nowhere. Found from the edges in: the rows above and below the box
 * are compared whole, the rows between only up to the box's columns as found so far, so
 * a frame that changed in a small part costs about a comparison of the rest, and one that
 * changed at its corners (video) next to nothing. (Worked out in compareFrames' own pass,
 * it made that pass 40 to 70% slower on GIFs, for the same answer.)
 */
export function changedBox(now: Uint8Array, before: Uint8Array, width: number): ChangedBox | null {
  const bytes = now.length - (now.length & 3);
  const firstByte = firstDifference(now, before, bytes);
  if (firstByte === bytes) return null;
  // The first and the last pixel that differ.
  const first = firstByte >>> 2;
  const last = (lastDifference(now, before, bytes) - 1) >>> 2;
  const a = wordsOf(now);
  const b = wordsOf(before);
  const y0 = Math.floor(first / width);
  const y1 = Math.floor(last / width) + 1;
  let x0 = Math.min(first - y0 * width, last - (y1 - 1) * width);
  let x1 = Math.max(first - y0 * width, last - (y1 - 1) * width) + 1;
  for (let row = y0 * width; row < y1 * width; row += width) {
    for (let x = 0; x < x0; x++) {
      if (a[row + x] !== b[row + x]) {
        x0 = x;
        break;
      }
    }
    for (let x = width - 1; x >= x1; x--) {
      if (a[row + x] !== b[row + x]) {
        x1 = x + 1;
        break;
      }
    }
  }
  return { x0, y0, x1, y1 };
}
