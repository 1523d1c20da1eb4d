import type { PointSet } from './lloyd.js';

/**
 * Exact k-means (and k-medians) for colours that all lie on the grey axis (r = g = b):
 * black-and-white film, a Muybridge plate, a greyscale GIF. There every colour space the
 * engine offers measures along one line (rgb's channels move together; lab's and oklab's
 * a and b are zero), and in one dimension the best clusters are runs of consecutive
 * values, so dynamic programming over the sorted values finds the global optimum, where
 * restarts of Lloyd's method only find a good local one (the idea of Wang and Song's
 * Ckmeans.1d.dp). On wuffs' muybridge.gif at k = 16, its objective read as PSNR (mean
 * over frames, centres unrounded): one start 38.75 dB, ten restarts 39.11, the optimum 39.19.
 *
 * The table is filled row by row (clusters 1..k); within a row the best split point never
 * moves left as the end moves right, so each row is found by divide and conquer in
 * O(n log n) cost evaluations, each O(1) from prefix sums (O(log n) for medians).
 */

/** Past this many table cells (k × (n + 1) split points) the problem is left to the restarts: 16 MB. */
const MAX_CELLS = 1 << 22;
/**
 * Nor more distinct points than this (a frame's greys are at most 256): sorting millions of
 * float points made the exact solution slower than the restarts (2.1 M points, k = 2: 5.0
 * against 3.0 to 4.8 s).
 */
const MAX_POINTS = 1 << 16;

export interface GreyLineScratch {
  order: Int32Array;
  /** Prefix sums over the sorted values: weight, weight × value, weight × value². */
  weight: Float64Array;
  first: Float64Array;
  second: Float64Array;
  /** Best cost of the sorted prefix of length j with the row's number of clusters: last row, this row. */
  before: Float64Array;
  now: Float64Array;
  /** Per row and end j: where the row's last cluster begins. */
  split: Int32Array;
}

export function createGreyLineScratch(): GreyLineScratch {
  return {
    order: new Int32Array(0), weight: new Float64Array(0), first: new Float64Array(0), second: new Float64Array(0),
    before: new Float64Array(0), now: new Float64Array(0), split: new Int32Array(0),
  };
}

/** Whether each of the `n` sRGB colours (`srgb`, n × 3) is a grey: its three channels equal. */
export function allGrey(srgb: ArrayLike<number>, n: number): boolean {
  for (let c = 0; c < n * 3; c += 3) {
    if (srgb[c] !== srgb[c + 1] || srgb[c] !== srgb[c + 2]) return false;
  }
  return true;
}

/**
 * The optimal `k` centres (k < set.n) of `set`, whose points are greys in the working
 * space, written to `centres` (k × 3): each cluster's weighted mean (`l1` false) or its
 * weighted median point (`l1`), in increasing lightness. Returns false, writing
 * nothing, where the restarts are left to it: a great many distinct float points, or
 * weights and values whose range the prefix sums cannot carry exactly enough.
 */
export function clusterGreyLine(set: PointSet, k: number, l1: boolean, centres: Float64Array, scratch: GreyLineScratch): boolean {
  const { n, points, weights } = set;
  if (k >= n || n > MAX_POINTS || k * (n + 1) > MAX_CELLS) return false;
  // Weights counted in units of the lightest (tiny weights squared to zero), values measured
  // from the mean, so the prefix sums cancel less.
  let lightest = Infinity;
  let total = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (weights[i] < lightest) lightest = weights[i];
    total += weights[i];
    mean += weights[i] * points[i * 3];
  }
  mean /= total;
  reserve(scratch, n, k);
  const { order, weight, first, second, split } = scratch;
  // Along the line: the first coordinate (r in rgb, L in lab and oklab).
  for (let i = 0; i < n; i++) order[i] = i;
  order.subarray(0, n).sort((a, b) => points[a * 3] - points[b * 3]);
  const value = (t: number): number => points[order[t] * 3] - mean;
  const reach = Math.max(-value(0), value(n - 1));
  let gap = Infinity;
  for (let t = 1; t < n; t++) gap = Math.min(gap, value(t) - value(t - 1));
  // A cluster's cost is a difference of prefix sums, exact to about 2^-52 of the sum of
  // squares. Where that rounding could outweigh the lightest point moved to its nearest
  // neighbour (a weight 10^13 times another's, a point at 10^10, greys 10^-8 apart among
  // heavy ones), the restarts are safer.
  if (!((total / lightest) * (reach / gap) ** 2 <= 2 ** 52)) return false;
  weight[0] = first[0] = second[0] = 0;
  for (let t = 0; t < n; t++) {
    const w = weights[order[t]] / lightest;
    const x = value(t);
    weight[t + 1] = weight[t] + w;
    first[t + 1] = first[t] + w * x;
    second[t + 1] = second[t] + w * x * x;
  }
  /** The weighted median's position among the sorted values [i, j). */
  const median = (i: number, j: number): number => {
    const half = weight[i] + (weight[j] - weight[i]) / 2;
    let lo = i;
    let hi = j - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weight[mid + 1] >= half) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  /** What the sorted values [i, j) cost as one cluster. */
  const cost = l1
    ? (i: number, j: number): number => {
        const m = median(i, j);
        const x = value(m);
        return x * (weight[m] - weight[i]) - (first[m] - first[i]) + (first[j] - first[m + 1]) - x * (weight[j] - weight[m + 1]);
      }
    : (i: number, j: number): number => {
        const w = weight[j] - weight[i];
        const s = first[j] - first[i];
        const q = second[j] - second[i] - (s * s) / w;
        return q > 0 ? q : 0;
      };

  let before = scratch.before;
  let now = scratch.now;
  for (let j = 1; j <= n; j++) before[j] = cost(0, j);
  for (let row = 1; row < k; row++) {
    // Row `row` (row + 1 clusters): ends j from row + 1 to n, the last cluster starting at
    // i in [row, j - 1].
    const cells = row * (n + 1);
    const fill = (jLo: number, jHi: number, iLo: number, iHi: number): void => {
      if (jLo > jHi) return;
      const j = (jLo + jHi) >> 1;
      let bestI = iLo;
      let best = Infinity;
      for (let i = iLo, last = Math.min(iHi, j - 1); i <= last; i++) {
        const c = before[i] + cost(i, j);
        if (c < best) {
          best = c;
          bestI = i;
        }
      }
      now[j] = best;
      split[cells + j] = bestI;
      fill(jLo, j - 1, iLo, bestI);
      fill(j + 1, jHi, bestI, iHi);
    };
    fill(row + 1, n, row, n - 1);
    [before, now] = [now, before];
  }
  // Walk the splits back from the whole range, writing each cluster's centre.
  let end = n;
  for (let row = k - 1; row >= 0; row--) {
    const start = row === 0 ? 0 : split[row * (n + 1) + end];
    writeCentre(set, order, start, end, l1 ? median(start, end) : -1, centres, row * 3);
    end = start;
  }
  return true;
}

/** Cluster [start, end) of the sorted points, into centres[o..o+3): its weighted mean, or (`at` >= 0) the point at sorted position `at`. */
function writeCentre(set: PointSet, order: Int32Array, start: number, end: number, at: number, centres: Float64Array, o: number): void {
  const { points, weights } = set;
  if (at >= 0) {
    const p = order[at] * 3;
    centres[o] = points[p];
    centres[o + 1] = points[p + 1];
    centres[o + 2] = points[p + 2];
    return;
  }
  let w = 0;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let t = start; t < end; t++) {
    const i = order[t];
    const p = i * 3;
    w += weights[i];
    a += weights[i] * points[p];
    b += weights[i] * points[p + 1];
    c += weights[i] * points[p + 2];
  }
  centres[o] = a / w;
  centres[o + 1] = b / w;
  centres[o + 2] = c / w;
}

function reserve(scratch: GreyLineScratch, n: number, k: number): void {
  if (scratch.order.length < n) {
    scratch.order = new Int32Array(n);
    scratch.weight = new Float64Array(n + 1);
    scratch.first = new Float64Array(n + 1);
    scratch.second = new Float64Array(n + 1);
    scratch.before = new Float64Array(n + 1);
    scratch.now = new Float64Array(n + 1);
  }
  if (scratch.split.length < k * (n + 1)) scratch.split = new Int32Array(k * (n + 1));
}
