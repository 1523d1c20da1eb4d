import type { Metric } from '../types.js';

/**
 * Weighted Lloyd iterations with Hamerly's bounds (G. Hamerly, "Making k-means even
 * faster", SDM 2010). Each point keeps an upper bound on the distance to its own centre
 * and a lower bound on the distance to any other centre; when the bounds prove the label
 * cannot change, the point costs no distance computation at all. After the first few
 * iterations most points are skipped, which is what makes full-resolution k-means cheap.
 *
 * The bounds only need the triangle inequality, so the same scheme serves both metrics:
 * Euclidean (centre = weighted mean) and Manhattan (centre = per-channel weighted median).
 * The loops are duplicated per metric instead of branching per distance: they are the
 * hottest code in the engine.
 */

/** Weighted points in the working colour space. Arrays may be longer than `n`. */
export interface PointSet {
  n: number;
  /** `n * 3` coordinates in the working space. */
  points: Float64Array;
  /** `n` positive weights (pixel counts). */
  weights: Float64Array;
  /**
   * For Manhattan medians: per channel c, `orders[c * n .. c * n + n)` lists the point
   * indices sorted by that channel. Built on first use; the points never move, so the
   * sort is paid once per point set, not once per iteration.
   */
  orders: Int32Array | null;
}

/** Buffers reused across runs; grown on demand by {@link reserveLloydScratch}. */
export interface LloydScratch {
  /** Final cluster of each point after {@link lloyd}. */
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  /** Per cluster: weighted coordinate sums (k*3), total weight, shift of the centre. */
  sums: Float64Array;
  totals: Float64Array;
  shift: Float64Array;
  /** Per cluster: half the distance to the nearest other centre. */
  gap: Float64Array;
  previous: Float64Array;
  /** Per cluster weight accumulated so far while scanning for medians. */
  cumulative: Float64Array;
  done: Uint8Array;
}

export function createLloydScratch(): LloydScratch {
  return {
    labels: new Int32Array(0),
    upper: new Float64Array(0),
    lower: new Float64Array(0),
    sums: new Float64Array(0),
    totals: new Float64Array(0),
    shift: new Float64Array(0),
    gap: new Float64Array(0),
    previous: new Float64Array(0),
    cumulative: new Float64Array(0),
    done: new Uint8Array(0),
  };
}

/** Make sure `scratch` can hold `n` points and `k` clusters; grows (never shrinks) buffers. */
export function reserveLloydScratch(scratch: LloydScratch, n: number, k: number): void {
  if (scratch.labels.length < n) {
    // Grow with headroom so a clip whose frames vary a little does not reallocate each frame.
    const size = Math.max(n, Math.ceil(scratch.labels.length * 1.5));
    scratch.labels = new Int32Array(size);
    scratch.upper = new Float64Array(size);
    scratch.lower = new Float64Array(size);
  }
  if (scratch.totals.length < k) {
    scratch.sums = new Float64Array(k * 3);
    scratch.totals = new Float64Array(k);
    scratch.shift = new Float64Array(k);
    scratch.gap = new Float64Array(k);
    scratch.previous = new Float64Array(k * 3);
    scratch.cumulative = new Float64Array(k);
    scratch.done = new Uint8Array(k);
  }
}

export interface LloydOptions {
  metric: Metric;
  /** Upper limit on update steps; 0 only assigns labels. */
  maxIterations: number;
  /** Stop once the sum over centres of the squared shift (working space) is at most this. */
  shiftTolerance: number;
  /** Called after every update step with the objective of (labels, new centres). */
  onIteration?: (iteration: number, objective: number) => void;
  /** Euclidean only: centre j is pulled toward `centres[j]` with `weights[j]` pseudo-points. */
  anchors?: { centres: Float64Array; weights: Float64Array };
}

export interface LloydOutcome {
  /** Update steps performed. */
  iterations: number;
  /** Objective of the final labels (nearest centre) and centres, in the run's metric. */
  inertia: number;
}

/**
 * Run Lloyd's algorithm from the centres in `centres` (k*3, working space, updated in
 * place). Centre i stays centre i throughout: an empty cluster is re-seeded in place.
 * On return `scratch.labels[0..n)` holds each point's nearest centre.
 */
export function lloyd(set: PointSet, centres: Float64Array, k: number, options: LloydOptions, scratch: LloydScratch): LloydOutcome {
  const { n } = set;
  reserveLloydScratch(scratch, n, k);
  const l1 = options.metric === 'manhattan';
  if (l1 && set.orders === null) set.orders = sortByChannel(set);
  const labels = scratch.labels;
  labels.fill(-1, 0, n);
  if (l1) assignAllL1(set, centres, k, scratch);
  else assignAllL2(set, centres, k, scratch);
  if (!l1) accumulateSums(set, k, scratch);

  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    scratch.previous.set(centres.subarray(0, k * 3));
    if (l1) updateMedians(set, centres, k, scratch);
    else meansFromSums(centres, k, scratch, options.anchors);
    const reseeded = reseedEmpty(set, centres, k, scratch, l1);
    if (options.onIteration) options.onIteration(iterations, objective(set, centres, scratch, l1));

    // Centre shifts, in the metric's own distance (the bounds move by these amounts).
    const { shift, previous } = scratch;
    let squaredShift = 0;
    let maxShift = 0;
    let maxAt = -1;
    let secondShift = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      const dx = centres[c] - previous[c];
      const dy = centres[c + 1] - previous[c + 1];
      const dz = centres[c + 2] - previous[c + 2];
      const sq = dx * dx + dy * dy + dz * dz;
      squaredShift += sq;
      const s = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(sq);
      shift[j] = s;
      if (s > maxShift) {
        secondShift = maxShift;
        maxShift = s;
        maxAt = j;
      } else if (s > secondShift) {
        secondShift = s;
      }
    }
    const converged = !reseeded && squaredShift <= options.shiftTolerance;
    let changes: number;
    if (reseeded) {
      changes = l1 ? assignAllL1(set, centres, k, scratch) : assignAllL2(set, centres, k, scratch);
      if (!l1) accumulateSums(set, k, scratch);
    } else if (l1) {
      changes = assignHamerlyL1(set, centres, k, scratch, maxShift, maxAt, secondShift);
    } else {
      changes = assignHamerlyL2(set, centres, k, scratch, maxShift, maxAt, secondShift);
      // The sums are moved point by point as labels change; rebuild them now and then so
      // rounding cannot build up in Lab/Oklab (in RGB they are exact integers anyway).
      if ((iterations & 31) === 0) accumulateSums(set, k, scratch);
    }
    // The assignment above also serves as the final labelling when the shift was small.
    if (converged || changes === 0) break;
  }
  return { iterations, inertia: objective(set, centres, scratch, l1) };
}

/** Sum over points of weight x distance to the centre of its label (squared for L2). */
export function objective(set: PointSet, centres: Float64Array, scratch: LloydScratch, l1: boolean): number {
  const { n, points, weights } = set;
  const labels = scratch.labels;
  let total = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const c = labels[i] * 3;
    const dx = points[p] - centres[c];
    const dy = points[p + 1] - centres[c + 1];
    const dz = points[p + 2] - centres[c + 2];
    total += weights[i] * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz);
  }
  return total;
}

// The four assignment loops below (full and Hamerly, L2 and L1) each spell out the
// nearest-two-centres search rather than calling a shared helper: it is the innermost loop
// of k-means, and a helper returning two distances through a buffer measured 5-10% slower
// on 1 MP photos at k = 16.
function assignAllL2(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch): number {
  const { n, points } = set;
  const { labels, upper, lower } = scratch;
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      // Partial sums stop early once they cannot beat the second best (matters for large k).
      const dx = x - centres[c];
      let d = dx * dx;
      if (d >= second) continue;
      const dy = y - centres[c + 1];
      d += dy * dy;
      if (d >= second) continue;
      const dz = z - centres[c + 2];
      d += dz * dz;
      if (d < best) {
        second = best;
        best = d;
        bestAt = j;
      } else if (d < second) {
        second = d;
      }
    }
    if (labels[i] !== bestAt) changes++;
    labels[i] = bestAt;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
  }
  return changes;
}

function assignAllL1(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch): number {
  const { n, points } = set;
  const { labels, upper, lower } = scratch;
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      let d = Math.abs(x - centres[c]);
      if (d >= second) continue;
      d += Math.abs(y - centres[c + 1]);
      if (d >= second) continue;
      d += Math.abs(z - centres[c + 2]);
      if (d < best) {
        second = best;
        best = d;
        bestAt = j;
      } else if (d < second) {
        second = d;
      }
    }
    if (labels[i] !== bestAt) changes++;
    labels[i] = bestAt;
    upper[i] = best;
    lower[i] = second;
  }
  return changes;
}

/** Half the distance from each centre to its nearest other centre (Hamerly's s(j)). */
function fillGaps(centres: Float64Array, k: number, gap: Float64Array, l1: boolean): void {
  gap.fill(Infinity, 0, k);
  for (let a = 0, ca = 0; a < k; a++, ca += 3) {
    for (let b = a + 1, cb = ca + 3; b < k; b++, cb += 3) {
      const dx = centres[ca] - centres[cb];
      const dy = centres[ca + 1] - centres[cb + 1];
      const dz = centres[ca + 2] - centres[cb + 2];
      const d = 0.5 * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(dx * dx + dy * dy + dz * dz));
      if (d < gap[a]) gap[a] = d;
      if (d < gap[b]) gap[b] = d;
    }
  }
}

function assignHamerlyL2(
  set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch,
  maxShift: number, maxAt: number, secondShift: number,
): number {
  const { n, points, weights } = set;
  const { labels, upper, lower, shift, gap, sums, totals } = scratch;
  fillGaps(centres, k, gap, false);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const a = labels[i];
    // Own centre moved by shift[a]; every other centre by at most the largest other shift.
    let u = upper[i] + shift[a];
    const l = lower[i] - (a === maxAt ? secondShift : maxShift);
    lower[i] = l;
    const bound = gap[a] > l ? gap[a] : l;
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    const ca = a * 3;
    let dx = x - centres[ca];
    let dy = y - centres[ca + 1];
    let dz = z - centres[ca + 2];
    u = Math.sqrt(dx * dx + dy * dy + dz * dz);
    upper[i] = u;
    if (u <= bound) continue;
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      dx = x - centres[c];
      let d = dx * dx;
      if (d >= second) continue;
      dy = y - centres[c + 1];
      d += dy * dy;
      if (d >= second) continue;
      dz = z - centres[c + 2];
      d += dz * dz;
      if (d < best) {
        second = best;
        best = d;
        bestAt = j;
      } else if (d < second) {
        second = d;
      }
    }
    if (bestAt !== a) {
      changes++;
      labels[i] = bestAt;
      // Move the point's weight between the running sums the next means come from.
      const w = weights[i];
      const cb = bestAt * 3;
      sums[ca] -= w * x;
      sums[ca + 1] -= w * y;
      sums[ca + 2] -= w * z;
      sums[cb] += w * x;
      sums[cb + 1] += w * y;
      sums[cb + 2] += w * z;
      totals[a] -= w;
      totals[bestAt] += w;
    }
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
  }
  return changes;
}

function assignHamerlyL1(
  set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch,
  maxShift: number, maxAt: number, secondShift: number,
): number {
  const { n, points } = set;
  const { labels, upper, lower, shift, gap } = scratch;
  fillGaps(centres, k, gap, true);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const a = labels[i];
    let u = upper[i] + shift[a];
    const l = lower[i] - (a === maxAt ? secondShift : maxShift);
    lower[i] = l;
    const bound = gap[a] > l ? gap[a] : l;
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    const ca = a * 3;
    u = Math.abs(x - centres[ca]) + Math.abs(y - centres[ca + 1]) + Math.abs(z - centres[ca + 2]);
    upper[i] = u;
    if (u <= bound) continue;
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      let d = Math.abs(x - centres[c]);
      if (d >= second) continue;
      d += Math.abs(y - centres[c + 1]);
      if (d >= second) continue;
      d += Math.abs(z - centres[c + 2]);
      if (d < best) {
        second = best;
        best = d;
        bestAt = j;
      } else if (d < second) {
        second = d;
      }
    }
    if (bestAt !== a) {
      changes++;
      labels[i] = bestAt;
    }
    upper[i] = best;
    lower[i] = second;
  }
  return changes;
}

/** Weighted coordinate sums and total weight per cluster, from scratch. */
function accumulateSums(set: PointSet, k: number, scratch: LloydScratch): void {
  const { n, points, weights } = set;
  const { labels, sums, totals } = scratch;
  sums.fill(0, 0, k * 3);
  totals.fill(0, 0, k);
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const w = weights[i];
    const c = labels[i] * 3;
    sums[c] += w * points[p];
    sums[c + 1] += w * points[p + 1];
    sums[c + 2] += w * points[p + 2];
    totals[labels[i]] += w;
  }
}

/**
 * Centres = weighted means (sums / totals), with any anchor's pseudo-points included;
 * empty clusters keep their centre.
 */
function meansFromSums(centres: Float64Array, k: number, scratch: LloydScratch, anchors?: { centres: Float64Array; weights: Float64Array }): void {
  const { sums, totals } = scratch;
  for (let j = 0, c = 0; j < k; j++, c += 3) {
    const t = totals[j];
    if (t <= 0) continue;
    const a = anchors ? anchors.weights[j] : 0;
    if (a > 0) {
      const at = anchors!.centres;
      centres[c] = (sums[c] + a * at[c]) / (t + a);
      centres[c + 1] = (sums[c + 1] + a * at[c + 1]) / (t + a);
      centres[c + 2] = (sums[c + 2] + a * at[c + 2]) / (t + a);
    } else {
      centres[c] = sums[c] / t;
      centres[c + 1] = sums[c + 1] / t;
      centres[c + 2] = sums[c + 2] / t;
    }
  }
}

/**
 * Centres = per-channel weighted medians: scanning points in channel order, a cluster's
 * median is the first value at which its running weight reaches half its total. That
 * value minimises the weighted sum of absolute deviations along the channel, and L1
 * separates by channel, so the update never increases the Manhattan objective.
 */
function updateMedians(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch): void {
  const { n, points, weights } = set;
  const orders = set.orders as Int32Array;
  const { labels, totals, cumulative, done } = scratch;
  totals.fill(0, 0, k);
  for (let i = 0; i < n; i++) totals[labels[i]] += weights[i];
  for (let channel = 0; channel < 3; channel++) {
    cumulative.fill(0, 0, k);
    done.fill(0, 0, k);
    let remaining = 0;
    for (let j = 0; j < k; j++) if (totals[j] > 0) remaining++;
    const base = channel * n;
    for (let t = 0; t < n && remaining > 0; t++) {
      const i = orders[base + t];
      const a = labels[i];
      if (done[a] === 1) continue;
      const c = (cumulative[a] += weights[i]);
      if (c * 2 >= totals[a]) {
        centres[a * 3 + channel] = points[i * 3 + channel];
        done[a] = 1;
        remaining--;
      }
    }
  }
}

/**
 * Give every empty cluster the point that costs the objective most (weight x distance):
 * moving an unused centre onto it lowers the objective by exactly that cost, and the
 * centre keeps its index, which the frame-to-frame warm start relies on. A cluster stays
 * empty (keeping its old centre) only when every point already sits on a centre.
 * Returns whether any centre was moved, in which case the bounds are stale.
 */
function reseedEmpty(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch, l1: boolean): boolean {
  const { totals, labels } = scratch;
  let moved = false;
  for (let j = 0; j < k; j++) {
    if (totals[j] > 0) continue;
    const { n, points, weights } = set;
    let worst = -1;
    let worstCost = 0;
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      const c = labels[i] * 3;
      const dx = points[p] - centres[c];
      const dy = points[p + 1] - centres[c + 1];
      const dz = points[p + 2] - centres[c + 2];
      const cost = weights[i] * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz);
      if (cost > worstCost) {
        worstCost = cost;
        worst = i;
      }
    }
    if (worst < 0) break;
    const p = worst * 3;
    const c = j * 3;
    centres[c] = points[p];
    centres[c + 1] = points[p + 1];
    centres[c + 2] = points[p + 2];
    // A point with positive cost shares its cluster with others, so no cluster empties here.
    totals[labels[worst]] -= weights[worst];
    totals[j] = weights[worst];
    labels[worst] = j;
    moved = true;
  }
  return moved;
}

/** Point indices sorted by each channel, for the weighted medians. */
function sortByChannel(set: PointSet): Int32Array {
  const { n, points } = set;
  const orders = new Int32Array(n * 3);
  const keys = new Float64Array(n);
  for (let channel = 0; channel < 3; channel++) {
    for (let i = 0; i < n; i++) keys[i] = points[i * 3 + channel];
    const order = orders.subarray(channel * n, channel * n + n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => keys[a] - keys[b]);
  }
  return orders;
}
