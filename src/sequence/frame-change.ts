import { STILL_THRESHOLD } from '../metrics/quality.js';
import { ALPHA_MASK, COLOR_SHIFT, firstDifference, lastDifference, wordsOf } from '../pixel-words.js';
import type { ChangedBox, FrameDifference } from '../types.js';

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
  /** Pixels opaque in the newer frame, whatever the older has there: what the next comparison's `known` starts from. */
  readonly nowOpaquePixels: number;
}

/** Still pixels counted per palette entry of the frame before (see `compareFrames`). */
export interface StillPerEntry {
  /** The entry each pixel of the frame before was written with. */
  readonly beforeIndices: Uint8Array;
  /** Filled with the counts (256 entries, overwritten). */
  readonly counts: Float64Array;
}

/** What is known before comparing: outside `changed` the two frames are the same bytes, and the frame before has `beforeOpaquePixels` opaque pixels (its `nowOpaquePixels` when it was compared). */
export interface KnownChange extends FrameDifference {
  readonly beforeOpaquePixels: number;
}

// What compareRange counted, added up over its calls since the last reset (one comparison
// at a time; a module scratch, so a box's rows allocate nothing).
const counted = { sum: 0, opaque: 0, still: 0, nowOpaque: 0, beforeOnly: 0 };

function resetCounted(): void {
  counted.sum = 0;
  counted.opaque = 0;
  counted.still = 0;
  counted.nowOpaque = 0;
  counted.beforeOnly = 0;
}

/** Compares pixels [from, to) of two frames' words, adding to `counted`. */
function compareRange(nowWords: Uint32Array, beforeWords: Uint32Array, from: number, to: number, perEntry: StillPerEntry | null): void {
  let sum = 0;
  let opaque = 0;
  let stillPixels = 0;
  let nowOnly = 0;
  let beforeOnly = 0;
  for (let p = from; p < to; p++) {
    const a = nowWords[p];
    const b = beforeWords[p];
    if ((a & alphaMask) === 0 || (b & alphaMask) === 0) {
      // Counted here, off the path of pixels opaque in both (all of a video's).
      if ((a & alphaMask) !== 0) nowOnly++;
      else if ((b & alphaMask) !== 0) beforeOnly++;
      continue;
    }
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
  counted.sum += sum;
  counted.opaque += opaque;
  counted.still += stillPixels;
  counted.nowOpaque += opaque + nowOnly;
  counted.beforeOnly += beforeOnly;
}

/**
 * Compares `now` with `before` (RGBA, same size): the mean difference the scene-cut test
 * reads and the still pixels the "mostly still" test reads. With `perEntry`, also counts
 * how many still pixels each palette entry of the frame before painted (what the `anchor`
 * lever weighs). With `known` (and no `perEntry`), only the box is compared: every opaque
 * pixel outside it is opaque in both and still, and how many there are follows from the
 * frame before's count (a GIF that redraws a fifth of its canvas: a fifth of the pass).
 */
export function compareFrames(now: Uint8Array, before: Uint8Array, perEntry: StillPerEntry | null, known?: KnownChange): FrameChange {
  perEntry?.counts.fill(0);
  resetCounted();
  const nowWords = wordsOf(now);
  const beforeWords = wordsOf(before);
  let outside = 0;
  if (known === undefined || perEntry !== null) {
    compareRange(nowWords, beforeWords, 0, nowWords.length, perEntry);
  } else {
    const { changed: box, width } = known;
    if (box !== null) {
      for (let row = box.y0 * width; row < box.y1 * width; row += width) compareRange(nowWords, beforeWords, row + box.x0, row + box.x1, null);
    }
    // The frame before's opaque pixels that are not in the box.
    outside = known.beforeOpaquePixels - counted.opaque - counted.beforeOnly;
  }
  const opaque = outside + counted.opaque;
  return { difference: opaque > 0 ? counted.sum / (opaque * 3) : 0, opaquePixels: opaque, stillPixels: outside + counted.still, nowOpaquePixels: outside + counted.nowOpaque };
}

/**
 * Where `now` differs from `before` (RGBA, same size, rows of `width` pixels), any byte of
 * a pixel; null where nowhere. Found from the edges in: the rows above and below the box
 * are compared whole, the rows between only up to the box's columns as found so far, so
 * a frame that changed in a small part costs about a comparison of the rest, and one that
 * changed at its corners (video) next to nothing. (Worked out in compareFrames' own pass,
 * it made that pass 40 to 70% slower on GIFs, for the same answer.)
 */
export function changedBox(now: Uint8Array, before: Uint8Array, width: number, within?: ChangedBox): ChangedBox | null {
  if (within !== undefined) return changedBoxWithin(wordsOf(now), wordsOf(before), width, within);
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

/**
 * changedBox where the frames are known to be the same outside `within`: only its rows are
 * searched, each from the left to its first difference and from the right down to the
 * widest column found so far.
 */
function changedBoxWithin(a: Uint32Array, b: Uint32Array, width: number, within: ChangedBox): ChangedBox | null {
  let x0 = within.x1;
  let x1 = within.x0;
  let y0 = -1;
  let y1 = -1;
  for (let y = within.y0, row = y * width; y < within.y1; y++, row += width) {
    let x = within.x0;
    while (x < within.x1 && a[row + x] === b[row + x]) x++;
    if (x === within.x1) continue;
    if (y0 < 0) y0 = y;
    y1 = y + 1;
    if (x < x0) x0 = x;
    let r = within.x1 - 1;
    const stop = x > x1 - 1 ? x : x1 - 1;
    while (r > stop && a[row + r] === b[row + r]) r--;
    if (r + 1 > x1) x1 = r + 1;
  }
  return y0 < 0 ? null : { x0, y0, x1, y1 };
}
