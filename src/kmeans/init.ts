import type { InitMethod } from '../types.js';
import type { PointSet } from './lloyd.js';
import type { Rng } from './random.js';

/**
 * Starting centres for Lloyd's algorithm, picked among the (weighted) points.
 * Every method stops early when all points already coincide with a chosen centre: the
 * returned count is then the number of distinct points, which is how "k is larger than
 * the number of colours" is detected without a separate de-duplication pass.
 */

/** Per-point buffers for initialisation, grown on demand. */
export interface InitScratch {
  /** Per point: weight x distance (squared for L2) to the nearest chosen centre. */
  closest: Float64Array;
  /** Running sums of `closest`, for sampling by binary search. */
  cumulative: Float64Array;
}

export function createInitScratch(): InitScratch {
  return { closest: new Float64Array(0), cumulative: new Float64Array(0) };
}

function reserve(scratch: InitScratch, n: number): void {
  if (scratch.closest.length < n) {
    scratch.closest = new Float64Array(n);
    scratch.cumulative = new Float64Array(n);
  }
}

/**
 * Choose up to `k` centres into `out` (k*3, working space). Returns how many were chosen:
 * `k`, or fewer when the points have fewer than `k` distinct positions.
 * @param l1 Manhattan metric: costs are weight x L1 distance instead of x squared L2.
 */
export function initCentres(
  method: InitMethod, set: PointSet, k: number, rng: Rng, l1: boolean, out: Float64Array, scratch: InitScratch,
): number {
  reserve(scratch, set.n);
  if (set.n === 0 || k === 0) return 0;
  // No centre chosen yet: every point is infinitely far from one.
  scratch.closest.fill(Infinity, 0, set.n);
  if (method === 'farthest') return initFarthest(set, k, rng, l1, out, scratch);
  if (method === 'random') return initRandom(set, k, rng, l1, out, scratch);
  return initPlusPlus(set, k, rng, l1, out, scratch);
}

/** Index of a point drawn with probability proportional to its weight. */
function pickByWeight(set: PointSet, rng: Rng, scratch: InitScratch): number {
  const { n, weights } = set;
  const cumulative = scratch.cumulative;
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += weights[i];
  return search(cumulative, n, rng() * total);
}

/** First index whose running sum exceeds `target` (clamped to the last positive entry). */
export function search(cumulative: Float64Array, n: number, target: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  // Floating rounding can land on a zero-mass tail entry: step back to real mass.
  while (lo > 0 && cumulative[lo] === cumulative[lo - 1]) lo--;
  return lo;
}

function copyPoint(set: PointSet, index: number, out: Float64Array, slot: number): void {
  const p = index * 3;
  const c = slot * 3;
  out[c] = set.points[p];
  out[c + 1] = set.points[p + 1];
  out[c + 2] = set.points[p + 2];
}

/**
 * Sum over points of min(closest[i], weight x distance to (cx, cy, cz)): the cost once that
 * position is a centre too. `commit`: also lower `closest` to match.
 */
function costWith(set: PointSet, cx: number, cy: number, cz: number, l1: boolean, closest: Float64Array, commit: boolean): number {
  const { n, points, weights } = set;
  let total = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const dx = points[p] - cx;
    const dy = points[p + 1] - cy;
    const dz = points[p + 2] - cz;
    const d = weights[i] * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz);
    const m = d < closest[i] ? d : closest[i];
    if (commit) closest[i] = m;
    total += m;
  }
  return total;
}

/** Centre `slot` of `out` joins the chosen ones: lowers `closest` and returns the new cost. */
function absorb(set: PointSet, out: Float64Array, slot: number, l1: boolean, closest: Float64Array): number {
  const c = slot * 3;
  return costWith(set, out[c], out[c + 1], out[c + 2], l1, closest, true);
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007, with the greedy trials scikit-learn
 * uses): each new centre is the best of 2 + ln(k) candidates drawn with probability
 * proportional to their current cost, "best" meaning the lowest total cost afterwards.
 */
function initPlusPlus(set: PointSet, k: number, rng: Rng, l1: boolean, out: Float64Array, scratch: InitScratch): number {
  const { n, points } = set;
  const { closest, cumulative } = scratch;
  copyPoint(set, pickByWeight(set, rng, scratch), out, 0);
  let potential = absorb(set, out, 0, l1, closest);
  const trials = 2 + Math.floor(Math.log(k));
  for (let chosen = 1; chosen < k; chosen++) {
    if (!(potential > 0)) return chosen;
    let running = 0;
    for (let i = 0; i < n; i++) cumulative[i] = running += closest[i];
    let bestIndex = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = search(cumulative, n, rng() * running);
      const q = candidate * 3;
      const total = costWith(set, points[q], points[q + 1], points[q + 2], l1, closest, false);
      if (total < bestPotential) {
        bestPotential = total;
        bestIndex = candidate;
      }
    }
    copyPoint(set, bestIndex, out, chosen);
    potential = absorb(set, out, chosen, l1, closest);
  }
  return k;
}

/** First centre drawn by weight; each next one is the point farthest from all chosen. */
function initFarthest(set: PointSet, k: number, rng: Rng, l1: boolean, out: Float64Array, scratch: InitScratch): number {
  const { n, points } = set;
  const closest = scratch.closest;
  copyPoint(set, pickByWeight(set, rng, scratch), out, 0);
  // Plain distances here (not weighted): "farthest" is about colour, not pixel count.
  for (let chosen = 0; ; chosen++) {
    const c = chosen * 3;
    let farthest = -1;
    let farthestDistance = 0;
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      const dx = points[p] - out[c];
      const dy = points[p + 1] - out[c + 1];
      const dz = points[p + 2] - out[c + 2];
      const d = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz;
      if (d < closest[i]) closest[i] = d;
      if (closest[i] > farthestDistance) {
        farthestDistance = closest[i];
        farthest = i;
      }
    }
    if (chosen + 1 === k) return k;
    if (farthest < 0) return chosen + 1;
    copyPoint(set, farthest, out, chosen + 1);
  }
}

/** k distinct points, each drawn by weight among the points not yet on a chosen centre. */
function initRandom(set: PointSet, k: number, rng: Rng, l1: boolean, out: Float64Array, scratch: InitScratch): number {
  const { n, weights } = set;
  const { closest, cumulative } = scratch;
  copyPoint(set, pickByWeight(set, rng, scratch), out, 0);
  absorb(set, out, 0, l1, closest);
  for (let chosen = 1; chosen < k; chosen++) {
    let running = 0;
    // Mass only for points at a positive distance, so no colour is picked twice.
    for (let i = 0; i < n; i++) cumulative[i] = running += closest[i] > 0 ? weights[i] : 0;
    if (!(running > 0)) return chosen;
    copyPoint(set, search(cumulative, n, rng() * running), out, chosen);
    absorb(set, out, chosen, l1, closest);
  }
  return k;
}
