/**
 * Distinct weighted points for k-means on caller-given points (`kmeansPoints`): identical
 * points are merged and their weights summed, so the engine works on each colour once.
 */
/**
 * Colour -> (index + 1) table over all 2^24 colours, 0 meaning "not seen", made on first
 * use. Each call clears exactly the entries it set before returning, so it is all zeros
 * between calls and never needs a full clear; JS runs one call at a time, so sharing it is
 * safe. Its pages are committed only where touched.
 */
let colorTable: Uint32Array | null = null;

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
  const used = order.subarray(0, m);
  used.sort((a, b) => points[a * 3] - points[b * 3] || points[a * 3 + 1] - points[b * 3 + 1] || points[a * 3 + 2] - points[b * 3 + 2]);
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

/** {@link dedupePoints} for whole-number sRGB points: one table lookup each, no sort. */
function dedupeBytePoints(
  points: Float64Array, weights: Float64Array | null, items: number,
  outSrgb: Float64Array, outWeights: Float64Array, index: Int32Array,
): number {
  const slots = (colorTable ??= new Uint32Array(1 << 24));
  let n = 0;
  for (let i = 0, p = 0; i < items; i++, p += 3) {
    const w = weights === null ? 1 : weights[i];
    if (!(w > 0)) {
      index[i] = -1;
      continue;
    }
    const key = (points[p] << 16) | (points[p + 1] << 8) | points[p + 2];
    let d = slots[key] - 1;
    if (d < 0) {
      d = n++;
      slots[key] = d + 1;
      outSrgb[d * 3] = points[p];
      outSrgb[d * 3 + 1] = points[p + 1];
      outSrgb[d * 3 + 2] = points[p + 2];
      outWeights[d] = 0;
    }
    outWeights[d] += w;
    index[i] = d;
  }
  for (let d = 0; d < n; d++) slots[(outSrgb[d * 3] << 16) | (outSrgb[d * 3 + 1] << 8) | outSrgb[d * 3 + 2]] = 0;
  return n;
}
