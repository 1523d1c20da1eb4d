/**
 * Distinct weighted points for k-means on caller-given points (`kmeansPoints`): identical
 * points are merged and their weights summed, so the engine works on each colour once.
 */
import { createBucketScratch, sortIndicesByChannel } from './update.js';

/**
 * Merge identical points (summing weights) by sorting indices lexicographically; drops
 * points whose weight is not positive. Returns the distinct count; `index` maps each
 * input point to its distinct entry or -1.
 */
export function dedupePoints(
  points: Float64Array, weights: Float64Array | null, items: number,
  outSrgb: Float64Array, outWeights: Float64Array, index: Int32Array,
): number {
  if (allBytes(points, items)) return dedupeBytePoints(points, weights, items, outSrgb, outWeights, index);
  const order = new Int32Array(items);
  let m = 0;
  for (let i = 0; i < items; i++) {
    const w = weights === null ? 1 : weights[i];
    if (w > 0) order[m++] = i;
    else index[i] = -1;
  }
  // In order of the first channel, then the second, then the third: stable sorts by each,
  // the last first (a comparator sort of the three took over a quarter of kmeansPoints'
  // time on a million random points).
  const used = new Int32Array(m);
  const scratch = createBucketScratch(m);
  sortIndicesByChannel(order.subarray(0, m), used, points, 2, scratch);
  sortIndicesByChannel(used, order.subarray(0, m), points, 1, scratch);
  sortIndicesByChannel(order.subarray(0, m), used, points, 0, scratch);
  let n = 0;
  for (let t = 0; t < m; t++) {
    const i = used[t];
    const p = i * 3;
    const w = weights === null ? 1 : weights[i];
    if (n > 0) {
      const q = (n - 1) * 3;
      if (outSrgb[q] === points[p] && outSrgb[q + 1] === points[p + 1] && outSrgb[q + 2] === points[p + 2]) {
        outWeights[n - 1] += w;
        index[i] = n - 1;
        continue;
      }
    }
    const q = n * 3;
    outSrgb[q] = points[p];
    outSrgb[q + 1] = points[p + 1];
    outSrgb[q + 2] = points[p + 2];
    outWeights[n] = w;
    index[i] = n++;
  }
  return n;
}

function allBytes(points: Float64Array, items: number): boolean {
  for (let i = 0; i < items * 3; i++) {
    const v = points[i];
    if (!(v >= 0 && v <= 255 && v === Math.floor(v))) return false;
  }
  return true;
}

/**
 * {@link dedupePoints} for whole-number sRGB points: one hash lookup each, no sort. The
 * table (open addressing, at least twice as many slots as points) follows the input's size:
 * a table of every colour (64 MiB, kept between calls) was faulted in a page per 4 KiB at
 * the colours' random places, 12 µs a page on this project's machine (`palette` of
 * realshort.mp4: 122 ms for its 148,537 colours).
 */
function dedupeBytePoints(
  points: Float64Array, weights: Float64Array | null, items: number,
  outSrgb: Float64Array, outWeights: Float64Array, index: Int32Array,
): number {
  // Distinct colours number at most 2^24: 2^25 slots keep the table at most half full.
  const bits = Math.min(25, Math.max(4, 32 - Math.clz32(Math.max(1, items) * 2 - 1)));
  const wrap = (1 << bits) - 1;
  const shift = 32 - bits;
  // Each slot: 1 + the distinct entry there, 0 for none; keys[d]: entry d's colour.
  const slots = new Int32Array(1 << bits);
  const keys = new Int32Array(Math.max(1, Math.min(items, 1 << 24)));
  let n = 0;
  for (let i = 0, p = 0; i < items; i++, p += 3) {
    const w = weights === null ? 1 : weights[i];
    if (!(w > 0)) {
      index[i] = -1;
      continue;
    }
    const key = (points[p] << 16) | (points[p + 1] << 8) | points[p + 2];
    // Fibonacci hashing: the top bits of key × 2^32/φ spread neighbouring colours apart.
    let h = Math.imul(key, 0x9e3779b1) >>> shift;
    let d = slots[h] - 1;
    while (d >= 0 && keys[d] !== key) {
      h = (h + 1) & wrap;
      d = slots[h] - 1;
    }
    if (d < 0) {
      d = n++;
      slots[h] = d + 1;
      keys[d] = key;
      outSrgb[d * 3] = points[p];
      outSrgb[d * 3 + 1] = points[p + 1];
      outSrgb[d * 3 + 2] = points[p + 2];
      outWeights[d] = 0;
    }
    outWeights[d] += w;
    index[i] = d;
  }
  return n;
}
