/**
 * The colour histogram of a clip's frames, one after another, that recounts only the pixels
 * whose RGBA word changed since the frame before, where that is cheaper than counting the
 * frame again.
 *
 * Counting a pixel is cheap when it repeats its left neighbour's colour (flat areas) and
 * costs a hash lookup when it does not (dithered or photographic content). A cinemagraph,
 * a dithered photo with a small moving part, has both: most pixels need a lookup, and
 * almost none change from frame to frame (animated_gif.gif: 60% and 0.8%). Recounting then
 * takes one pass that compares each pixel with the last frame's and hashes only the few
 * that changed. On flat colours a fresh count costs about what that comparison does, so
 * those frames are counted afresh, without the copy of the frame that recounting needs:
 * unless the caller says the frame changed only inside a box of at most half of it (a GIF
 * whose frames redraw part of their canvas). Then the pixels in the box are compared with
 * the colours the histogram gave them, which needs no copy.
 *
 * The result is the histogram `buildHistogram` gives, with its colours in another order
 * after a recount: colours kept from the last frame first, in their order, then new ones.
 */

import { buildHistogram, lastLookupShare, refillSlots, type ColorHistogram } from './histogram.js';
import { ALPHA_MASK, COLOR_SHIFT, colorKey, wordsOf } from '../pixel-words.js';
import type { FrameDifference } from '../types.js';

// Module constants, not the imported bindings, so hot loops see them as constants.
const alphaMask = ALPHA_MASK;
const colorShift = COLOR_SHIFT;

/** A fresh count with at least this share of its pixels hashed makes the next frame try a recount... */
const RECOUNT_LOOKUP_SHARE = 0.35;
/**
 * ...when it has at most one colour per this many pixels: a GIF's few hundred colours, not a
 * video frame's hundred thousand (1280x720 big_buck_bunny: 0.73 of its pixels hashed, 41 of
 * 720 frames recountable, and copying the frame and hashing its colours after each fresh
 * count cost 8% of the counting).
 */
const RECOUNT_PIXELS_PER_COLOUR = 16;
/** At most this share of the pixels changed, or the frame is counted afresh. */
const RECOUNT_CHANGED_SHARE = 0.1;
/** One pixel in this many is compared to estimate how much of a frame changed. */
const SAMPLE_STRIDE = 97;
/**
 * A frame of flat colours is recounted inside its changed box when the box holds at most
 * this share of the pixels: comparing a pixel with the colour the histogram gave it costs
 * about half of counting it afresh.
 */
const RECOUNT_BOX_SHARE = 0.5;

export interface FrameHistogram {
  /**
   * Counts `rgba`'s colours into the histogram given at creation and returns it. With
   * `difference` (a promise that every pixel outside `changed` is the pixel of the frame
   * counted last), a recount looks only inside it.
   */
  count(rgba: Uint8Array, difference?: FrameDifference): ColorHistogram;
  /** How many of the frames counted so far were recounted from the frame before. */
  readonly recounts: number;
}

/** `histogram`: where the counts go (its buffers are replaced as they grow). */
export function createFrameHistogram(histogram: ColorHistogram): FrameHistogram {
  /** Whether `last` holds the frame the histogram counts, so the next frame may be recounted. */
  let tracking = false;
  /** The last frame's pixels, as words: a copy, since the caller may reuse its buffer. */
  let last = new Uint32Array(0);
  /** Pixels per colour, as integers (a float increment is boxed until a loop is optimized). */
  let tally = new Int32Array(0);
  // Colour -> index, open addressing with linear probing: key + 1 (0 = empty) and index side
  // by side. Kept from frame to frame, where buildHistogram's table is emptied after each count.
  let slots = new Int32Array(0);
  let bits = 0;
  /** Whether `slots` holds the histogram's colours (built when a recount first needs it). */
  let hashed = false;
  /** Old index -> new index while removing colours no pixel has any more. */
  let renumber = new Int32Array(0);
  /** Pixels of the frame the histogram counts (its `pixelIndex` holds that many); 0: none yet. */
  let counted = 0;

  /** Refills the table with the histogram's colours, sized for `room` of them at load 1/2. */
  const rehash = (room: number): void => {
    bits = 4;
    while (1 << bits < 2 * room) bits++;
    slots = refillSlots(slots, bits, histogram.colors, histogram.count);
    hashed = true;
  };

  /**
   * Grows the per-colour arrays to hold `room` colours (at least doubling), keeping the first
   * `count` colours and tallies. The weights are not kept: they are written from the
   * tallies once the count is done.
   */
  const reserve = (room: number): void => {
    if (tally.length < room) {
      const grown = new Int32Array(Math.max(room, 2 * tally.length));
      grown.set(tally.subarray(0, histogram.count));
      tally = grown;
    }
    if (histogram.weights.length < room) {
      const size = Math.max(room, 2 * histogram.weights.length);
      const colors = new Uint8Array(size * 3);
      colors.set(histogram.colors.subarray(0, histogram.count * 3));
      histogram.colors = colors;
      histogram.weights = new Float64Array(size);
    }
  };

  const countAfresh = (rgba: Uint8Array, words: Uint32Array): ColorHistogram => {
    buildHistogram(rgba, histogram);
    counted = words.length;
    tracking = lastLookupShare() >= RECOUNT_LOOKUP_SHARE && histogram.count * RECOUNT_PIXELS_PER_COLOUR <= words.length;
    hashed = false;
    if (tracking) {
      reserve(histogram.count);
      for (let i = 0; i < histogram.count; i++) tally[i] = histogram.weights[i];
      if (last.length !== words.length) last = new Uint32Array(words.length);
      last.set(words);
    }
    return histogram;
  };

  /** The share of pixels that changed since the last frame, estimated from one in SAMPLE_STRIDE. */
  const changedShare = (words: Uint32Array): number => {
    let changed = 0;
    let samples = 0;
    for (let p = SAMPLE_STRIDE >> 1; p < words.length; p += SAMPLE_STRIDE, samples++) if (words[p] !== last[p]) changed++;
    return samples === 0 ? 0 : changed / samples;
  };

  /**
   * Moves the changed pixels from their old colours to their new ones; false (the counts
   * left half done) when more than RECOUNT_CHANGED_SHARE of the pixels changed. A pixel has
   * changed when its word differs from `last`'s, or without `tracking` (no copy of the last
   * frame), from the colour the histogram gave it.
   */
  const recount = (rgba: Uint8Array, words: Uint32Array, difference: FrameDifference | undefined): boolean => {
    const most = Math.floor(words.length * RECOUNT_CHANGED_SHARE);
    const byRecord = !tracking;
    if (byRecord) {
      // The tallies are kept only while tracking; the weights hold the same counts.
      reserve(histogram.count);
      for (let i = 0; i < histogram.count; i++) tally[i] = histogram.weights[i];
    }
    reserve(histogram.count + most);
    if (!hashed) rehash(histogram.count);
    const { pixelIndex, colors } = histogram;
    let mask = (1 << bits) - 1;
    let shift = 32 - bits;
    let count = histogram.count;
    let opaque = histogram.opaquePixels;
    let changed = 0;
    // The whole frame as one row, or the rows of the changed box (none when nothing changed).
    const box = difference === undefined ? { x0: 0, y0: 0, x1: words.length, y1: 1 } : (difference.changed ?? { x0: 0, y0: 0, x1: 0, y1: 0 });
    const rowLength = difference === undefined ? words.length : difference.width;
    for (let y = box.y0; y < box.y1; y++) {
      for (let p = y * rowLength + box.x0, end = y * rowLength + box.x1; p < end; p++) {
        const word = words[p];
        const old = pixelIndex[p];
        if (byRecord ? sameAsCounted(word, old, colors) : word === last[p]) continue;
        if (++changed > most) return false;
        if (!byRecord) last[p] = word;
        if (old >= 0) {
          opaque--;
          tally[old]--;
        }
        if ((word & alphaMask) === 0) {
          pixelIndex[p] = -1;
          continue;
        }
        opaque++;
        // Room for one more colour at load 1/2 (the table is sized to the colours, for the cache).
        if (2 * (count + 1) > 1 << bits) {
          histogram.count = count;
          rehash(2 * (count + 1));
          mask = (1 << bits) - 1;
          shift = 32 - bits;
        }
        const key = (word >>> colorShift) & 0xffffff;
        // The probe of histogram.ts's countColors, written out again: as a shared function it
        // made that count 30% slower on animated_gif.gif (not inlined in its loop).
        let slot = Math.imul(key, 0x9e3779b1) >>> shift;
        let index = -1;
        for (;;) {
          const stored = slots[2 * slot];
          if (stored === key + 1) {
            index = slots[2 * slot + 1];
            break;
          }
          if (stored === 0) break;
          slot = (slot + 1) & mask;
        }
        if (index < 0) {
          index = count++;
          slots[2 * slot] = key + 1;
          slots[2 * slot + 1] = index;
          tally[index] = 0;
          const c = index * 3;
          const o = p * 4;
          colors[c] = rgba[o];
          colors[c + 1] = rgba[o + 1];
          colors[c + 2] = rgba[o + 2];
        }
        tally[index]++;
        pixelIndex[p] = index;
      }
    }
    histogram.count = count;
    histogram.opaquePixels = opaque;
    return true;
  };

  /**
   * Drops the colours no pixel has any more (k-means reads every listed colour as present),
   * keeping the others' order, and renumbers the pixels.
   */
  const dropEmpty = (): void => {
    const { colors, pixelIndex, count } = histogram;
    let kept = 0;
    while (kept < count && tally[kept] > 0) kept++;
    if (kept === count) return;
    const firstGone = kept;
    if (renumber.length < count) renumber = new Int32Array(Math.max(count, 2 * renumber.length));
    for (let i = kept; i < count; i++) {
      if (tally[i] === 0) {
        renumber[i] = -1;
        continue;
      }
      renumber[i] = kept;
      tally[kept] = tally[i];
      colors[3 * kept] = colors[3 * i];
      colors[3 * kept + 1] = colors[3 * i + 1];
      colors[3 * kept + 2] = colors[3 * i + 2];
      kept++;
    }
    histogram.count = kept;
    // Only pixels pointing past the first vanished colour get a new number, and only they are
    // written: move-resize.gif drops a colour in 284 of its 355 frames, and this pass over
    // every pixel took 680 ms of its run when it wrote each one back, 460 ms now.
    for (let p = 0; p < counted; p++) {
      const d = pixelIndex[p];
      if (d > firstGone) pixelIndex[p] = renumber[d];
    }
    rehash(kept);
  };

  let recounts = 0;
  return {
    count(rgba, difference) {
      const words = wordsOf(rgba);
      // While tracking, `last` is a copy of the counted frame, as long as it.
      const recountable = words.length === counted && (tracking
        ? changedShare(words) <= RECOUNT_CHANGED_SHARE
        : difference !== undefined && boxShare(difference, words.length) <= RECOUNT_BOX_SHARE);
      if (!recountable || !recount(rgba, words, difference)) return countAfresh(rgba, words);
      recounts++;
      dropEmpty();
      const { weights, count } = histogram;
      for (let i = 0; i < count; i++) weights[i] = tally[i];
      return histogram;
    },
    get recounts() {
      return recounts;
    },
  };
}

/** The share of a frame's `pixels` inside the difference's changed box (0 when nothing changed). */
function boxShare(difference: FrameDifference, pixels: number): number {
  const box = difference.changed;
  return box === null ? 0 : ((box.x1 - box.x0) * (box.y1 - box.y0)) / pixels;
}

/** Whether a pixel's word shows what the histogram counted for it: colour `index`, or transparent (-1). */
function sameAsCounted(word: number, index: number, colors: Uint8Array): boolean {
  if (index < 0) return (word & alphaMask) === 0;
  const c = 3 * index;
  return (word & alphaMask) !== 0 && ((word >>> colorShift) & 0xffffff) === colorKey(colors[c], colors[c + 1], colors[c + 2]);
}
