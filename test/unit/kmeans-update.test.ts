import { describe, expect, it } from 'vitest';
import { dedupePoints } from '../../src/kmeans/dedupe.js';
import { createChannelSortScratch, sortByChannel } from '../../src/kmeans/update.js';
import type { PointSet } from '../../src/kmeans/lloyd.js';
import { createRng } from '../../src/kmeans/random.js';

// Manhattan medians scan the points in each channel's order; sortByChannel builds those
// orders without a comparator. They must be what a stable comparator sort gives.
describe('sortByChannel', () => {
  it('orders each channel as a stable sort by value does, ties in index order', () => {
    const rng = createRng(11);
    const n = 5000;
    const points = new Float64Array(n * 3);
    for (let i = 0; i < n * 3; i++) {
      const c = i % 3;
      // Whole levels with many ties, fractions (bin means, Lab), negatives and a signed zero.
      points[i] = c === 0 ? Math.floor(rng() * 40) : c === 1 ? (rng() - 0.5) * 200 : rng() < 0.3 ? -0 : Math.round(rng() * 8) / 4 - 1;
    }
    const orders = sortByChannel({ n, points, weights: new Float64Array(n).fill(1), orders: null });
    for (let channel = 0; channel < 3; channel++) {
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a * 3 + channel] - points[b * 3 + channel] || a - b);
      expect(Array.from(orders.subarray(channel * n, channel * n + n))).toEqual(expected);
    }
  });

  it('orders values crowded into one bucket by a far outlier', () => {
    const rng = createRng(12);
    const n = 3000;
    const points = new Float64Array(n * 3);
    for (let i = 0; i < n * 3; i++) points[i] = Math.round(rng() * 500) / 500;
    points[7 * 3] = 1e9;
    points[8 * 3 + 1] = -1e9;
    const orders = sortByChannel({ n, points, weights: new Float64Array(n).fill(1), orders: null });
    for (let channel = 0; channel < 3; channel++) {
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a * 3 + channel] - points[b * 3 + channel] || a - b);
      expect(Array.from(orders.subarray(channel * n, channel * n + n))).toEqual(expected);
    }
  });

  it('orders a channel whose range is too narrow for its reciprocal (found by review: entries overwrote each other)', () => {
    const points = Float64Array.of(0, 0, 0, 0, 0, 0, 1e-310, 0, 0, 0, 0, 0, 5e-324, 0, 0);
    const orders = sortByChannel({ n: 5, points, weights: new Float64Array(5).fill(1), orders: null });
    expect(Array.from(orders.subarray(0, 5))).toEqual([0, 1, 3, 4, 2]);
  });

  it("reuses a set's room and one scratch from set to set, larger and smaller, as an engine does frame after frame", () => {
    const rng = createRng(14);
    const scratch = createChannelSortScratch();
    const set: PointSet = { n: 0, points: new Float64Array(0), weights: new Float64Array(0), orders: null, orderRoom: new Int32Array(0) };
    let rooms = 0;
    let lastRoom: Int32Array | undefined;
    for (const n of [900, 2500, 40, 2400, 1, 0, 3000, 700]) {
      set.n = n;
      set.points = new Float64Array(n * 3);
      // Few levels, many ties: a stale entry left from a larger set would show.
      for (let i = 0; i < n * 3; i++) set.points[i] = Math.floor(rng() * 30) / 3;
      const orders = sortByChannel(set, scratch);
      expect(orders.length).toBe(n * 3);
      if (set.orderRoom !== lastRoom) rooms++;
      lastRoom = set.orderRoom;
      for (let channel = 0; channel < 3; channel++) {
        const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => set.points[a * 3 + channel] - set.points[b * 3 + channel] || a - b);
        expect(Array.from(orders.subarray(channel * n, channel * n + n))).toEqual(expected);
      }
    }
    // Grown three times (900, 2500, 3000 points), not made anew for every set.
    expect(rooms).toBe(3);
  });

  it('handles no points and one point', () => {
    expect(sortByChannel({ n: 0, points: new Float64Array(0), weights: new Float64Array(0), orders: null })).toHaveLength(0);
    const one = sortByChannel({ n: 1, points: Float64Array.of(3, -1, 0.5), weights: Float64Array.of(2), orders: null });
    expect(Array.from(one)).toEqual([0, 0, 0]);
  });
});

// kmeansPoints merges identical points through three stable sorts by channel, the last first.
describe('dedupePoints on fractional points', () => {
  it('lists the distinct points in lexicographic order, weights summed, each input mapped to its entry', () => {
    const rng = createRng(13);
    const items = 4000;
    const points = new Float64Array(items * 3);
    const weights = new Float64Array(items);
    for (let i = 0; i < items; i++) {
      // Few values a channel, so that points repeat and share channels; some weights not positive.
      for (let c = 0; c < 3; c++) points[i * 3 + c] = Math.floor(rng() * 6) * 1.25 - (c === 1 ? 3 : 0);
      weights[i] = rng() < 0.1 ? 0 : 1 + Math.floor(rng() * 5);
    }
    const outSrgb = new Float64Array(items * 3);
    const outWeights = new Float64Array(items);
    const index = new Int32Array(items);
    const n = dedupePoints(points, weights, items, outSrgb, outWeights, index);
    const kept = Array.from({ length: items }, (_, i) => i).filter((i) => weights[i] > 0);
    const key = (i: number) => [0, 1, 2].map((c) => points[i * 3 + c]);
    const distinct = [...new Map(kept.map((i) => [key(i).join(','), key(i)])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(n).toBe(distinct.length);
    expect(Array.from(outSrgb.subarray(0, n * 3))).toEqual(distinct.flat());
    for (let i = 0; i < items; i++) {
      if (weights[i] > 0) expect(key(i)).toEqual(Array.from(outSrgb.subarray(index[i] * 3, index[i] * 3 + 3)));
      else expect(index[i]).toBe(-1);
    }
    const sums = new Float64Array(n);
    for (const i of kept) sums[index[i]] += weights[i];
    expect(Array.from(outWeights.subarray(0, n))).toEqual(Array.from(sums));
  });
});
