/**
 * Exact colour histogram: the distinct opaque 24-bit colours of an RGBA buffer, how many
 * pixels carry each, and for every pixel the index of its colour in that list.
 * k-means runs on the distinct colours weighted by their counts, which gives exactly the
 * same objective as running on every pixel, at a fraction of the cost; the mapping stage
 * reuses `pixelIndex` to label pixels without a second lookup.
 */

import { ALPHA_MASK, COLOR_SHIFT, colorKey, wordsOf } from '../pixel-words.js';

// Module constants, not the imported bindings, so hot loops see them as constants.
const alphaMask = ALPHA_MASK;
const colorShift = COLOR_SHIFT;

/** Result of {@link buildHistogram}. Arrays may be longer than needed: read only `count` entries. */
export interface ColorHistogram {
  /** Number of distinct opaque colours. */
  count: number;
  /** Distinct colours as sRGB byte triples, in order of first appearance (in another order after a recount: frame-histogram.ts): `count * 3` used. */
  colors: Uint8Array;
  /** Pixels per distinct colour (whole numbers, stored as floats for the weighted k-means). */
  weights: Float64Array;
  /** Per pixel: index into `colors`, or -1 where alpha is 0. Length ≥ pixel count; left as it was by a count that does not index pixels (buildHistogram). */
  pixelIndex: Int32Array;
  /** Number of opaque pixels (alpha > 0) = sum of `weights`. */
  opaquePixels: number;
}

/**
 * Open-addressing hash from colour to index, sized to the colours (see countColors): a
 * frame's table fits in the CPU caches, where a lookup in a table of all 2^24 colours misses the cache for nearly
 * every new colour (measured: 43 ns per pixel on 320x240 frames, against
 * a few with the hash). Shared by all histograms (cleared before each build returns), as
 * JS runs one at a time.
 */
let hashSlots = new Int32Array(0);
/**
 * The table's largest size, 2^22 slots (32 MB): 2^21 colours. Past that, a table twice
 * their count would take at least what a slot for each of the 2^24 colours does (64 MB).
 */
const MAX_TABLE_BITS = 22;
/** Where an unindexed count writes every pixel's index (see buildHistogram). */
const NO_INDEX = new Int32Array(1);
/** Pixel counts per colour while counting (see countColors), shared like the hash. */
let tallyScratch = new Int32Array(0);

/**
 * How many distinct colours `rgba` holds among the pixels visible in `mask` (alpha ≠ 0; by
 * default `rgba` itself: its opaque colours), counted in a bit per colour: `seen` (2^24
 * bits, 2 MiB, whatever the image's size) may be the caller's, reused, and is left cleared.
 */
export function countDistinctColors(rgba: Uint8Array, mask: Uint8Array = rgba, seen: Uint32Array = new Uint32Array(1 << 19)): number {
  const words = wordsOf(rgba);
  const maskWords = mask === rgba ? words : wordsOf(mask);
  let count = 0;
  for (let p = 0; p < words.length; p++) {
    if ((maskWords[p] & alphaMask) === 0) continue;
    const key = (words[p] >>> colorShift) & 0xffffff;
    const bit = 1 << (key & 31);
    if ((seen[key >>> 5] & bit) === 0) {
      seen[key >>> 5] |= bit;
      count++;
    }
  }
  // Clear only the words this image touched instead of all 2 MiB.
  for (let p = 0; p < words.length; p++) seen[((words[p] >>> colorShift) & 0xffffff) >>> 5] = 0;
  return count;
}

/** An empty histogram whose buffers grow on demand and are reused by later builds. */
export function createHistogram(): ColorHistogram {
  return {
    count: 0,
    colors: new Uint8Array(0),
    weights: new Float64Array(0),
    pixelIndex: new Int32Array(0),
    opaquePixels: 0,
  };
}

/**
 * Count the distinct opaque colours of `rgba` (non-premultiplied RGBA bytes; pixels with
 * alpha 0 are skipped, any other alpha counts as opaque). Writes into `out` (growing its
 * buffers when too small) and returns it. `indexPixels` false leaves `out.pixelIndex` as it
 * was: for a palette alone, 4 bytes a pixel less to allocate and to fault in, which a new
 * array needs.
 */
export function buildHistogram(rgba: Uint8Array, out: ColorHistogram = createHistogram(), indexPixels = true): ColorHistogram {
  const pixels = rgba.length >>> 2;
  if (indexPixels && out.pixelIndex.length < pixels) out.pixelIndex = new Int32Array(pixels);
  // The table starts at the last call's colour count (frames of one clip have similar
  // counts), not at the pixel count: a table that fits in cache is what makes this pass
  // fast, and one sized to the pixels of a 12-megapixel photo of 230,000 colours took 256
  // MB. It grows as colours arrive.
  // (Never more than the pixels: a frame after a photo of millions of colours took a table for them.)
  const count = countColors(rgba, pixels, out, Math.min(pixels, Math.max(4096, 2 * lastDistinct)), indexPixels);
  lastDistinct = count;
  out.count = count;
  return out;
}

/** Number of colours the last build found: the size guess for the next one. */
let lastDistinct = 0;
/** See lastLookupShare. */
let lookupShare = 0;

/**
 * The share of the last build's pixels that took a hash lookup rather than repeating their
 * left neighbour's colour: what counting a pixel costs, low for flat colours, high for
 * dithered or photographic ones (see frame-histogram.ts).
 */
export function lastLookupShare(): number {
  return lookupShare;
}

/** Where a counting pass stands between scanColors' calls (shared: one pass runs at a time). */
const pass = { count: 0, opaque: 0, hashed: 0, previousKey: -1, previousIndex: -1 };

/**
 * One counting pass, its table sized for `room` colours at first and doubled whenever it
 * is half full (linear probing slows past that); past 2^21 colours, countEveryColour
 * goes on from there (the table left empty).
 */
function countColors(rgba: Uint8Array, pixels: number, out: ColorHistogram, room: number, indexPixels: boolean): number {
  let bits = 4;
  while (1 << bits < 2 * room && bits < MAX_TABLE_BITS) bits++;
  // Key and value side by side, so a probe touches one cache line, not two.
  if (hashSlots.length < 2 << bits) hashSlots = new Int32Array(2 << bits);
  reserveColours(out, 0, 1 << (bits - 1));
  // Unindexed, every pixel's index goes to one slot: a mask, not a test in the loop.
  const pixelIndex = indexPixels ? out.pixelIndex : NO_INDEX;
  const indexMask = indexPixels ? -1 : 0;
  pass.count = pass.opaque = pass.hashed = 0;
  pass.previousKey = pass.previousIndex = -1;
  for (let p = scanColors(rgba, 0, pixels, bits, out.colors, pixelIndex, indexMask); p < pixels; p = scanColors(rgba, p, pixels, bits, out.colors, pixelIndex, indexMask)) {
    // Pixel p has a colour the table, half full, does not hold.
    const { count } = pass;
    if (bits === MAX_TABLE_BITS) {
      clearSlots(out.colors, count, bits);
      return countEveryColour(rgba, p, pixels, out, pixelIndex, indexMask);
    }
    // A table twice the size, refilled from the colour list (the indices stay).
    bits++;
    hashSlots = refillSlots(hashSlots, bits, out.colors, count);
    reserveColours(out, count, 1 << (bits - 1));
  }
  clearSlots(out.colors, pass.count, bits);
  return finishCount(out, pass.count, pass.opaque, pass.hashed, pixels);
}

/**
 * Counts the pixels of `rgba` from `from` into the table of 2^`bits` slots (hashSlots) and
 * the tallies, up to the end (returns `pixels`) or to a pixel of a new colour when the
 * table is half full (returns its index, nothing of it counted). Whatever the table's size,
 * what the loop reads is constant here: the loop every video frame takes.
 */
function scanColors(rgba: Uint8Array, from: number, pixels: number, bits: number, colors: Uint8Array, pixelIndex: Int32Array, indexMask: number): number {
  const slots = hashSlots;
  const tally = tallyScratch;
  const capacity = 1 << bits;
  const mask = capacity - 1;
  const shift = 32 - bits;
  let { count, opaque, hashed, previousKey, previousIndex } = pass;
  // One 32-bit load per pixel instead of four byte loads.
  const words = wordsOf(rgba);
  let p = from;
  for (; p < pixels; p++) {
    const word = words[p];
    if ((word & alphaMask) === 0) {
      pixelIndex[p & indexMask] = -1;
      continue;
    }
    const key = (word >>> colorShift) & 0xffffff;
    // Neighbouring pixels often share a colour (flat areas, GIF frames): skip the lookup.
    if (key === previousKey) {
      opaque++;
      pixelIndex[p & indexMask] = previousIndex;
      tally[previousIndex]++;
      continue;
    }
    // Stored keys are colour + 1 so that 0 marks an empty slot; Fibonacci hashing spreads
    // neighbouring colours over the table.
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
      if (2 * count === capacity) break;
      index = count++;
      slots[2 * slot] = key + 1;
      slots[2 * slot + 1] = index;
      tally[index] = 0;
      const c = index * 3, o = p * 4;
      colors[c] = rgba[o];
      colors[c + 1] = rgba[o + 1];
      colors[c + 2] = rgba[o + 2];
    }
    opaque++;
    hashed++;
    tally[index]++;
    pixelIndex[p & indexMask] = index;
    previousKey = key;
    previousIndex = index;
  }
  pass.count = count;
  pass.opaque = opaque;
  pass.hashed = hashed;
  pass.previousKey = previousKey;
  pass.previousIndex = previousIndex;
  return p;
}

/**
 * countColors for millions of colours (a photo's noise), going on from pixel `from` with
 * the colours counted so far (`pass`): a slot for each of the 2^24 colours there are (64 MB)
 * takes less memory than a table of twice their count, and no probing. The same loop
 * otherwise, written out again so that scanColors', which every video frame takes, tests
 * no mode.
 */
function countEveryColour(rgba: Uint8Array, from: number, pixels: number, out: ColorHistogram, pixelIndex: Int32Array, indexMask: number): number {
  const indexOf = new Int32Array(1 << 24); // colour -> index + 1; 0: not seen
  let { count, opaque, hashed, previousKey, previousIndex } = pass;
  let { colors, tally } = reserveColours(out, count, 2 * count);
  for (let i = 0; i < count; i++) indexOf[colorKey(colors[3 * i], colors[3 * i + 1], colors[3 * i + 2])] = i + 1;
  const words = wordsOf(rgba);
  for (let p = from; p < pixels; p++) {
    const word = words[p];
    if ((word & alphaMask) === 0) {
      pixelIndex[p & indexMask] = -1;
      continue;
    }
    opaque++;
    const key = (word >>> colorShift) & 0xffffff;
    if (key === previousKey) {
      pixelIndex[p & indexMask] = previousIndex;
      tally[previousIndex]++;
      continue;
    }
    hashed++;
    let index = indexOf[key] - 1;
    if (index < 0) {
      if (count === tally.length || 3 * count === colors.length) ({ colors, tally } = reserveColours(out, count, 2 * count));
      index = count++;
      indexOf[key] = index + 1;
      tally[index] = 0;
      const c = index * 3, o = p * 4;
      colors[c] = rgba[o];
      colors[c + 1] = rgba[o + 1];
      colors[c + 2] = rgba[o + 2];
    }
    tally[index]++;
    pixelIndex[p & indexMask] = index;
    previousKey = key;
    previousIndex = index;
  }
  return finishCount(out, count, opaque, hashed, pixels);
}

/** The weights from the tallies, and the pass's other figures; returns `count`. */
function finishCount(out: ColorHistogram, count: number, opaque: number, hashed: number, pixels: number): number {
  lookupShare = pixels > 0 ? hashed / pixels : 0;
  const { weights } = out;
  for (let i = 0; i < count; i++) weights[i] = tallyScratch[i];
  out.opaquePixels = opaque;
  return count;
}

/**
 * `slots` (key + 1 and index side by side, as the counting table has them) with room for
 * 2^`bits` slots, emptied, and the first `count` colours of `colors` put in, each at its
 * index: the counting table as it grows, and frame-histogram.ts's own. Returns the array
 * (a new one when `slots` was too small).
 */
export function refillSlots(slots: Int32Array<ArrayBuffer>, bits: number, colors: Uint8Array, count: number): Int32Array<ArrayBuffer> {
  if (slots.length < 2 << bits) slots = new Int32Array(2 << bits);
  else slots.fill(0, 0, 2 << bits);
  const mask = (1 << bits) - 1;
  for (let i = 0, c = 0; i < count; i++, c += 3) {
    const key = colorKey(colors[c], colors[c + 1], colors[c + 2]);
    let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
    while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = key + 1;
    slots[2 * slot + 1] = i;
  }
  return slots;
}

/**
 * Room for `room` colours (at most 2^24) in `out`'s colour list and weights, and in the
 * tallies (which count as integers: a float increment is boxed, a heap allocation, until
 * a loop is optimized, which on a short clip is for much of its run), keeping the first
 * `count` colours and tallies; the weights are written from the tallies at the end.
 */
function reserveColours(out: ColorHistogram, count: number, room: number): { colors: Uint8Array; tally: Int32Array } {
  const size = Math.min(room, 1 << 24);
  if (out.colors.length < 3 * size) {
    const colors = new Uint8Array(3 * size);
    colors.set(out.colors.subarray(0, 3 * count));
    out.colors = colors;
    out.weights = new Float64Array(size);
  }
  if (tallyScratch.length < size) {
    const tally = new Int32Array(size);
    tally.set(tallyScratch.subarray(0, count));
    tallyScratch = tally;
  }
  return { colors: out.colors, tally: tallyScratch };
}

/**
 * Leave the shared table empty for the next call: clear only the slots used (linear
 * probing lets us find each again from its colour) when they are few.
 */
function clearSlots(colors: Uint8Array, count: number, bits: number): void {
  const slots = hashSlots;
  if (count * 8 < 1 << bits) {
    const mask = (1 << bits) - 1;
    for (let i = 0, c = 0; i < count; i++, c += 3) {
      const key = colorKey(colors[c], colors[c + 1], colors[c + 2]);
      let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
      while (slots[2 * slot] !== key + 1) slot = (slot + 1) & mask;
      slots[2 * slot] = 0;
    }
  } else {
    slots.fill(0, 0, 2 << bits);
  }
}
