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
  /** The points grouped by their nearest chosen centre, for the pruned trials (see PlusPlusGroups). */
  groups: PlusPlusGroups;
}

/**
 * The chosen centres' clusters, kept by greedy k-means++ at k of PRUNE_FROM or more, so
 * that a trial measures only the clusters a candidate can take points from.
 *
 * A point x nearest to chosen centre c_j, at distance r, cannot come nearer to a
 * candidate y when d(y, c_j) ≥ 2r: d(x, y) ≥ d(y, c_j) − r ≥ r (the triangle inequality,
 * which Manhattan distance obeys as well). So a cluster whose farthest point lies within
 * half the candidate's distance from its centre keeps its whole cost, which is summed
 * once per step instead of point by point per trial. Late in a large k, most trials touch
 * a few clusters near the candidate.
 */
interface PlusPlusGroups {
  /** Per point: distance to its nearest chosen centre, unweighted (squared for L2). */
  spread: Float64Array;
  /** Per point: which chosen centre that is. */
  owner: Int32Array;
  /**
   * Point indices, cluster by cluster: cluster j's are members[first[j] .. end[j]). Twice
   * the points' room: a new centre's cluster is written after the last one (at `tail`),
   * and the clusters it took points from shrink in place; when the tail lacks room for the
   * points a new centre might take, all are packed to the front again (regroup).
   */
  members: Int32Array;
  first: Int32Array;
  end: Int32Array;
  tail: number;
  /** Per cluster, while a centre joins: whether it can take points from it. */
  reached: Uint8Array;
  /** Per cluster: the sum of its points' `closest`, and its points' largest `spread`. */
  cost: Float64Array;
  radius: Float64Array;
}

export function createInitScratch(): InitScratch {
  const none = new Float64Array(0);
  return {
    closest: none, cumulative: none,
    groups: {
      spread: none, owner: new Int32Array(0), members: new Int32Array(0), first: new Int32Array(256), end: new Int32Array(256), tail: 0, reached: new Uint8Array(256),
      cost: new Float64Array(256), radius: new Float64Array(256),
    },
  };
}

function reserve(scratch: InitScratch, n: number): void {
  if (scratch.closest.length < n) {
    scratch.closest = new Float64Array(n);
    scratch.cumulative = new Float64Array(n);
  }
}

function reserveGroups(groups: PlusPlusGroups, n: number): void {
  if (groups.spread.length < n) {
    groups.spread = new Float64Array(n);
    groups.owner = new Int32Array(n);
    groups.members = new Int32Array(2 * n);
  }
}

/**
 * Choose up to `k` centres (at most 256) into `out` (k*3, working space). Returns how many were chosen:
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
    const d = weights[i] * distance(points, p, cx, cy, cz, l1);
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
 * At k of PRUNE_FROM or more, the trials skip the clusters a candidate cannot reach (see
 * PlusPlusGroups): the same draws and the same totals but for rounding (the order of the
 * sums, and a colour at the very midpoint of its centre and a candidate, skipped, that the
 * full scan might find nearer by the last bit of a double).
 */
function initPlusPlus(set: PointSet, k: number, rng: Rng, l1: boolean, out: Float64Array, scratch: InitScratch): number {
  const { n, points } = set;
  const { closest, cumulative } = scratch;
  const groups = k >= PRUNE_FROM ? scratch.groups : null;
  copyPoint(set, pickByWeight(set, rng, scratch), out, 0);
  let potential = groups ? groupAroundFirst(set, out, l1, closest, groups) : absorb(set, out, 0, l1, closest);
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
      const total = groups
        ? reachableCost(set, out, chosen, points[q], points[q + 1], points[q + 2], l1, closest, groups)
        : costWith(set, points[q], points[q + 1], points[q + 2], l1, closest, false);
      if (total < bestPotential) {
        bestPotential = total;
        bestIndex = candidate;
      }
    }
    copyPoint(set, bestIndex, out, chosen);
    potential = groups ? absorbReachable(set, out, chosen, l1, closest, groups) : absorb(set, out, chosen, l1, closest);
  }
  return k;
}

/**
 * From this k up, greedy k-means++ keeps its clusters to prune its trials. Below it the
 * trials scan every point, as they always have: with few centres a candidate reaches most
 * clusters anyway, and keeping the groups made k = 16 a few percent slower.
 */
const PRUNE_FROM = 32;

/** Every point joins the first centre's cluster; returns the total cost. */
function groupAroundFirst(set: PointSet, out: Float64Array, l1: boolean, closest: Float64Array, groups: PlusPlusGroups): number {
  const { n, points, weights } = set;
  reserveGroups(groups, n);
  const { spread, owner } = groups;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const d = distance(points, p, out[0], out[1], out[2], l1);
    spread[i] = d;
    closest[i] = weights[i] * d;
    owner[i] = 0;
  }
  return regroup(n, 1, closest, groups);
}

/** Per metric, the distance measure `closest` weighs: L1, or squared L2. */
function distance(points: Float64Array, p: number, cx: number, cy: number, cz: number, l1: boolean): number {
  const dx = points[p] - cx;
  const dy = points[p + 1] - cy;
  const dz = points[p + 2] - cz;
  return l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz;
}

/**
 * Whether the candidate (cx, cy, cz) can take points from chosen centre j's cluster: it is
 * nearer to that centre than twice the cluster's farthest point (in squared terms for L2,
 * four times).
 */
function reaches(out: Float64Array, j: number, cx: number, cy: number, cz: number, l1: boolean, radius: Float64Array): boolean {
  return distance(out, j * 3, cx, cy, cz, l1) < (l1 ? 2 : 4) * radius[j];
}

/** costWith over the clusters of the first `chosen` centres, each taken whole where the candidate cannot reach it. */
function reachableCost(
  set: PointSet, out: Float64Array, chosen: number, cx: number, cy: number, cz: number,
  l1: boolean, closest: Float64Array, groups: PlusPlusGroups,
): number {
  const { points, weights } = set;
  const { members, first, end, cost, radius } = groups;
  let total = 0;
  for (let j = 0; j < chosen; j++) {
    if (!reaches(out, j, cx, cy, cz, l1, radius)) {
      total += cost[j];
      continue;
    }
    for (let m = first[j], last = end[j]; m < last; m++) {
      const i = members[m];
      const d = weights[i] * distance(points, i * 3, cx, cy, cz, l1);
      total += d < closest[i] ? d : closest[i];
    }
  }
  return total;
}

/**
 * Centre `chosen` joins: the points it is nearer to leave the clusters it can reach for a
 * new one, and those clusters' costs and radii are measured again. Returns the total cost.
 */
function absorbReachable(set: PointSet, out: Float64Array, chosen: number, l1: boolean, closest: Float64Array, groups: PlusPlusGroups): number {
  const { n, points, weights } = set;
  const { spread, owner, members, first, end, cost, radius, reached } = groups;
  const c = chosen * 3;
  const cx = out[c];
  const cy = out[c + 1];
  const cz = out[c + 2];
  // The new cluster takes at most the reached clusters' points: pack first if the tail lacks room for them.
  let reachable = 0;
  for (let j = 0; j < chosen; j++) {
    reached[j] = reaches(out, j, cx, cy, cz, l1, radius) ? 1 : 0;
    if (reached[j]) reachable += end[j] - first[j];
  }
  if (groups.tail + reachable > 2 * n) regroup(n, chosen, closest, groups);
  const start = groups.tail;
  let tail = start;
  let total = 0;
  // The new cluster's cost and radius, summed as its points arrive (in the order they are listed).
  let newCost = 0;
  let newRadius = 0;
  for (let j = 0; j < chosen; j++) {
    if (!reached[j]) {
      total += cost[j];
      continue;
    }
    let kept = first[j];
    let keptCost = 0;
    let keptRadius = 0;
    for (let m = first[j], last = end[j]; m < last; m++) {
      const i = members[m];
      const d = distance(points, i * 3, cx, cy, cz, l1);
      const weighted = weights[i] * d;
      if (weighted < closest[i]) {
        closest[i] = weighted;
        spread[i] = d;
        owner[i] = chosen;
        members[tail++] = i;
        newCost += weighted;
        if (d > newRadius) newRadius = d;
      } else {
        members[kept++] = i;
        keptCost += closest[i];
        if (spread[i] > keptRadius) keptRadius = spread[i];
      }
    }
    end[j] = kept;
    cost[j] = keptCost;
    radius[j] = keptRadius;
    total += keptCost;
  }
  first[chosen] = start;
  end[chosen] = tail;
  cost[chosen] = newCost;
  radius[chosen] = newRadius;
  groups.tail = tail;
  return total + newCost;
}

/**
 * Packs the clusters of `clusters` centres to the front of `members` from each point's
 * owner (a counting sort), with their costs and radii; returns the total cost.
 */
function regroup(n: number, clusters: number, closest: Float64Array, groups: PlusPlusGroups): number {
  const { spread, owner, members, first, end, cost, radius } = groups;
  end.fill(0, 0, clusters);
  for (let i = 0; i < n; i++) end[owner[i]]++;
  for (let j = 0, at = 0; j < clusters; j++) {
    first[j] = at;
    at += end[j];
    end[j] = first[j];
  }
  cost.fill(0, 0, clusters);
  radius.fill(0, 0, clusters);
  for (let i = 0; i < n; i++) {
    const j = owner[i];
    members[end[j]++] = i;
    cost[j] += closest[i];
    if (spread[i] > radius[j]) radius[j] = spread[i];
  }
  groups.tail = n;
  let total = 0;
  for (let j = 0; j < clusters; j++) total += cost[j];
  return total;
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
      const d = distance(points, p, out[c], out[c + 1], out[c + 2], l1);
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
