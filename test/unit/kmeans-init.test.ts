import { describe, expect, it } from 'vitest';
import { createInitScratch, initCentres, search } from '../../src/kmeans/init.js';
import type { PointSet } from '../../src/kmeans/lloyd.js';
import { createRng, type Rng } from '../../src/kmeans/random.js';

// From 32 centres on, greedy k-means++ measures a candidate only over the clusters it can
// reach. It must choose exactly the centres the plain greedy k-means++ chooses: with whole
// coordinates and weights every cost is a whole number, so no sum's order can change one.

/** Greedy k-means++ as written in the papers: every trial measured over every point. */
function plainPlusPlus(set: PointSet, k: number, rng: Rng, l1: boolean): number[][] {
  const { n, points, weights } = set;
  const cost = (i: number, c: number[]) => {
    const d = [0, 1, 2].map((a) => points[i * 3 + a] - c[a]);
    return weights[i] * (l1 ? d.reduce((s, x) => s + Math.abs(x), 0) : d.reduce((s, x) => s + x * x, 0));
  };
  // First index whose running sum exceeds target, stepping back off zero-mass entries.
  const draw = (mass: number[]) => {
    const sums: number[] = [];
    let running = 0;
    for (const m of mass) sums.push((running += m));
    const target = rng() * running;
    let at = sums.findIndex((s) => s > target);
    if (at < 0) at = n - 1;
    while (at > 0 && sums[at] === sums[at - 1]) at--;
    return at;
  };
  const point = (i: number) => [points[i * 3], points[i * 3 + 1], points[i * 3 + 2]];
  const centres = [point(draw(Array.from(weights.subarray(0, n))))];
  let closest = Array.from({ length: n }, (_, i) => cost(i, centres[0]));
  const trials = 2 + Math.floor(Math.log(k));
  while (centres.length < k && closest.some((c) => c > 0)) {
    let best: number[] | null = null;
    let bestTotal = Infinity;
    const mass = closest.slice();
    for (let t = 0; t < trials; t++) {
      const candidate = point(draw(mass));
      const total = closest.reduce((s, c, i) => s + Math.min(c, cost(i, candidate)), 0);
      if (total < bestTotal) {
        bestTotal = total;
        best = candidate;
      }
    }
    centres.push(best!);
    closest = closest.map((c, i) => Math.min(c, cost(i, best!)));
  }
  return centres;
}

/** Whole-numbered colours in a few blobs of different spreads, with repeats, weighted 1 to 20. */
function blobs(n: number, seed: number): PointSet {
  const rng = createRng(seed);
  const points = new Float64Array(n * 3);
  const weights = new Float64Array(n);
  const middles = Array.from({ length: 12 }, () => [rng() * 255, rng() * 255, rng() * 255, 4 + rng() * 40]);
  for (let i = 0; i < n; i++) {
    const [x, y, z, spread] = middles[Math.floor(rng() * middles.length)];
    const around = (m: number) => Math.max(0, Math.min(255, Math.round(m + (rng() - 0.5) * spread)));
    points.set([around(x), around(y), around(z)], i * 3);
    weights[i] = 1 + Math.floor(rng() * 20);
  }
  return { n, points, weights, orders: null };
}

describe('greedy k-means++ with pruned trials', () => {
  for (const l1 of [false, true]) {
    for (const k of [32, 64, 200]) {
      it(`chooses the plain algorithm's centres (${l1 ? 'manhattan' : 'euclidean'}, k = ${k})`, () => {
        const set = blobs(3000, k + (l1 ? 1 : 0));
        const out = new Float64Array(256 * 3);
        const scratch = createInitScratch();
        // The scratch is reused across runs, as an engine reuses it across restarts and frames.
        for (const seed of [1, 2]) {
          const chosen = initCentres('kmeans++', set, k, createRng(seed), l1, out, scratch);
          const expected = plainPlusPlus(set, k, createRng(seed), l1);
          expect(chosen).toBe(expected.length);
          expect(Array.from(out.subarray(0, chosen * 3))).toEqual(expected.flat());
        }
      });
    }
  }

  it('stops at the number of distinct points when there are fewer than k', () => {
    // 40 distinct colours, each repeated: k = 64 can place only 40 centres.
    const base = blobs(40, 7);
    const n = 400;
    const points = new Float64Array(n * 3);
    const weights = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) points.set(base.points.subarray((i % 40) * 3, (i % 40) * 3 + 3), i * 3);
    const set: PointSet = { n, points, weights, orders: null };
    const out = new Float64Array(256 * 3);
    const chosen = initCentres('kmeans++', set, 64, createRng(3), false, out, createInitScratch());
    const expected = plainPlusPlus(set, 64, createRng(3), false);
    expect(expected.length).toBeLessThanOrEqual(40);
    expect(chosen).toBe(expected.length);
    expect(Array.from(out.subarray(0, chosen * 3))).toEqual(expected.flat());
  });
});

describe('initialisation at its edges', () => {
  it("'farthest' stops when every point sits on a chosen centre, rather than choose one twice", () => {
    const set: PointSet = { n: 3, points: Float64Array.of(0, 0, 0, 0, 0, 0, 255, 255, 255), weights: Float64Array.of(1, 1, 1), orders: null };
    const out = new Float64Array(9);
    expect(initCentres('farthest', set, 3, createRng(1), false, out, createInitScratch())).toBe(2);
  });

  it('search gives the first index whose running sum exceeds the target, on an exact tie too', () => {
    const cumulative = Float64Array.of(1, 2, 3);
    expect(search(cumulative, 3, 0)).toBe(0);
    expect(search(cumulative, 3, 1)).toBe(1);
    expect(search(cumulative, 3, 2)).toBe(2);
  });
});
