/**
 * The update step of Lloyd's algorithm: centres from the labels (weighted means or
 * per-channel weighted medians), and re-seeding of clusters left empty.
 */
import { grownLength } from '../limits.js';
import type { LloydScratch, PointSet } from './lloyd.js';

/** Weighted coordinate sums and total weight per cluster, from scratch. */
export function accumulateSums(set: PointSet, k: number, scratch: LloydScratch): void {
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
export function meansFromSums(centres: Float64Array, k: number, scratch: LloydScratch, anchors?: { centres: Float64Array; weights: Float64Array }): void {
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
export function updateMedians(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch): void {
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
export function reseedEmpty(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch, l1: boolean): boolean {
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
      // A point alone in its cluster is not taken, or that cluster would empty in turn: it
      // can cost something only when an anchor pulls its centre off it.
      if (cost > worstCost && totals[labels[i]] > weights[i]) {
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
    // The point shares its cluster with others (see above), so no cluster empties here.
    totals[labels[worst]] -= weights[worst];
    totals[j] = weights[worst];
    labels[worst] = j;
    moved = true;
  }
  return moved;
}

/**
 * Point indices sorted by each channel, for the weighted medians; equal values keep their
 * points' order (which value a median lands on does not depend on it, but it keeps runs
 * reproducible). A comparator sort of the indices called back into JavaScript for every
 * comparison, on numbers V8 boxed: on Manhattan video runs it took about 40% of the time.
 */
export function sortByChannel(set: PointSet, scratch: ChannelSortScratch = createChannelSortScratch()): Int32Array {
  const { n, points } = set;
  // Written where the set's last orders were, and sorted with the last sort's buffers: new
  // ones, a frame's worth each time (24 bytes a point), were fresh memory, faulted in a page
  // at a time (test.webm at --metric manhattan: 11,700 more page faults than euclidean).
  let room = set.orderRoom;
  if (room === undefined || room.length < n * 3) room = set.orderRoom = new Int32Array(grownLength(room?.length ?? 0, n * 3));
  const orders = room.subarray(0, n * 3);
  if (scratch.identity.length < n) {
    const size = grownLength(scratch.identity.length, n);
    scratch.identity = new Int32Array(size);
    for (let i = 0; i < size; i++) scratch.identity[i] = i;
    scratch.buckets = createBucketScratch(size);
  }
  const identity = scratch.identity.subarray(0, n);
  for (let channel = 0; channel < 3; channel++) sortIndicesByChannel(identity, orders.subarray(channel * n, channel * n + n), points, channel, scratch.buckets);
  return orders;
}

/** The buffers sortByChannel sorts with, kept from one point set to the next. */
export interface ChannelSortScratch {
  /** 0, 1, 2...: the indices in their own order, written once. */
  identity: Int32Array;
  buckets: BucketScratch;
}

export function createChannelSortScratch(): ChannelSortScratch {
  return { identity: new Int32Array(0), buckets: createBucketScratch(0) };
}

/** Buffers for sortIndicesByChannel, for up to `n` indices (longer ones serve too). */
export interface BucketScratch {
  bucketOf: Int32Array;
  end: Int32Array;
}

export function createBucketScratch(n: number): BucketScratch {
  return { bucketOf: new Int32Array(n), end: new Int32Array(n + 1) };
}

/**
 * The indices of `input` (into `points`, 3 channels a point) into `output` (as long),
 * sorted by channel `channel`'s value; equal values keep their order in `input` (a stable
 * sort, so passes channel by channel, the last first, sort by all three). A bucket sort:
 * the values' range cut into as many buckets as indices (a bucket's number never decreases
 * as the value grows, so buckets come in value order), the indices placed by a counting
 * sort, then each bucket put in order by insertion, usually among a handful of values (a
 * bucket of one repeated value needs no move at all).
 */
export function sortIndicesByChannel(input: Int32Array, output: Int32Array, points: Float64Array, channel: number, scratch: BucketScratch): void {
  const n = input.length;
  const { bucketOf, end } = scratch;
  let low = Infinity;
  let high = -Infinity;
  for (let t = 0; t < n; t++) {
    const value = points[input[t] * 3 + channel];
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const scale = high > low ? (n - 1) / (high - low) : 0;
  end.fill(0, 0, n + 1);
  for (let t = 0; t < n; t++) {
    // NaN (0 x Infinity: a range too narrow for its reciprocal) goes to the first bucket,
    // which keeps the buckets in value order: only the lowest values meet that product.
    const bucket = Math.floor((points[input[t] * 3 + channel] - low) * scale);
    bucketOf[t] = bucket >= 0 ? Math.min(n - 1, bucket) : 0;
    end[bucketOf[t] + 1]++;
  }
  for (let b = 0; b < n; b++) end[b + 1] += end[b];
  // end[b] is bucket b's start until its indices are placed, then its end.
  for (let t = 0; t < n; t++) output[end[bucketOf[t]]++] = input[t];
  for (let b = 0, from = 0; b < n; from = end[b], b++) {
    if (end[b] - from > 1) sortBucket(output, from, end[b], points, channel);
  }
}

/**
 * Insertion sort of order[from, to) by value, ties kept in place; should values crowd into
 * one bucket out of order (a far outlier squeezing the rest together), past a budget of
 * moves the slice is sorted by a comparator instead (a typed array's sort is stable, and
 * insertion has kept equal values in their order so far).
 */
function sortBucket(order: Int32Array, from: number, to: number, points: Float64Array, channel: number): void {
  let budget = 8 * (to - from);
  for (let t = from + 1; t < to; t++) {
    const index = order[t];
    const value = points[index * 3 + channel];
    let m = t - 1;
    while (m >= from && points[order[m] * 3 + channel] > value) {
      order[m + 1] = order[m];
      m--;
    }
    order[m + 1] = index;
    budget -= t - 1 - m;
    if (budget < 0) {
      order.subarray(from, to).sort((a, b) => points[a * 3 + channel] - points[b * 3 + channel]);
      return;
    }
  }
}
