import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { createKMeans, type KMeansIterationEvent } from '../../src/kmeans/kmeans.js';
import { createRng } from '../../src/kmeans/random.js';
import { createSequentialQuantizer } from '../../src/sequence/sequential.js';
import { STABILITY_PRESETS } from '../../src/sequence/stability.js';
import { corpus } from '../helpers/cli.js';

/**
 * Grey levels `values` with `weights`: the best cost of `k` clusters, each a run of the sorted
 * values, every way to cut them tried through a plain O(k n²) table (each run's cost summed
 * point by point, its centre the mean, or for `l1` the best of its points).
 */
function bruteForce(values: number[], weights: number[], k: number, l1: boolean): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const x = order.map((i) => values[i]);
  const w = order.map((i) => weights[i]);
  const cost = (i: number, j: number): number => {
    if (l1) {
      let best = Infinity;
      for (let m = i; m < j; m++) {
        let c = 0;
        for (let t = i; t < j; t++) c += w[t] * Math.abs(x[t] - x[m]);
        best = Math.min(best, c);
      }
      return best;
    }
    let total = 0;
    let sum = 0;
    for (let t = i; t < j; t++) {
      total += w[t];
      sum += w[t] * x[t];
    }
    let c = 0;
    for (let t = i; t < j; t++) c += w[t] * (x[t] - sum / total) ** 2;
    return c;
  };
  const n = x.length;
  let row = Array.from({ length: n + 1 }, (_, j) => (j === 0 ? 0 : cost(0, j)));
  for (let clusters = 2; clusters <= k; clusters++) {
    const next = new Array<number>(n + 1).fill(Infinity);
    for (let j = clusters; j <= n; j++) for (let i = clusters - 1; i < j; i++) next[j] = Math.min(next[j], row[i] + cost(i, j));
    row = next;
  }
  return row[n];
}

/** The k-means objective (sRGB, squared: three equal channels) of the grey frame's best `k` levels. */
function optimumOfGreys(rgba: Uint8Array, k: number): number {
  const count = new Float64Array(256);
  for (let p = 0; p < rgba.length; p += 4) if (rgba[p + 3] !== 0) count[rgba[p]]++;
  const levels = [...count.keys()].filter((v) => count[v] > 0);
  return 3 * bruteForce(levels, levels.map((v) => count[v]), k, false);
}

function muybridgeFrames(): Uint8Array[] {
  const gif = decodeGif(readFileSync(path.join(corpus, 'gifs', 'wuffs__muybridge.gif')), 'muybridge.gif');
  return [...gif.frames()].map((f) => f.data);
}

describe('k-means of colours that are all greys: solved exactly', () => {
  it('finds the best clustering, as trying every cut of the sorted levels does (both metrics)', () => {
    const engine = createKMeans();
    const rng = createRng(7);
    for (let trial = 0; trial < 120; trial++) {
      const n = 4 + (trial % 8);
      const k = 1 + (trial % Math.min(5, n - 1));
      const values: number[] = [];
      while (values.length < n) {
        const v = Math.floor(rng() * 256);
        if (!values.includes(v)) values.push(v);
      }
      const weights = values.map(() => 1 + Math.floor(rng() * 30));
      const points = Float64Array.from(values.flatMap((v) => [v, v, v]));
      for (const metric of ['euclidean', 'manhattan'] as const) {
        const result = engine.runPoints(points, Float64Array.from(weights), { k, metric });
        // Distances between greys in rgb: √3 (squared: 3) times the level difference, and 3 times in L1.
        const best = 3 * bruteForce(values, weights, k, metric === 'manhattan');
        expect(result.inertia).toBeCloseTo(best, 6);
      }
    }
  });

  it('weights and values past what its sums carry exactly are left to the restarts; tiny weights are fine (found by QA)', () => {
    const engine = createKMeans();
    const run = (values: number[], weights: number[] | null, k: number, exactGrey = true) =>
      engine.runPoints(Float64Array.from(values.flatMap((v) => [v, v, v])), weights === null ? null : Float64Array.from(weights), { k, exactGrey }).inertia;
    // Two greys weighing 10^15 beside ten of weight 1: the sums lost the light ones' costs (900 against 375).
    const light = [100, 105, 110, 115, 120, 125, 130, 135, 140, 145];
    const heavy = [1e15, 1e15, ...light.map(() => 1)];
    expect(run([0, 255, ...light], heavy, 6)).toBeCloseTo(3 * bruteForce([0, 255, ...light], heavy, 6, false), 6);
    // One grey at -10^10 (33,264 against 20,520).
    const far = [-1e10, ...Array.from({ length: 21 }, (_, i) => i * 12)];
    expect(run(far, null, 5)).toBeCloseTo(3 * bruteForce(far, far.map(() => 1), 5, false), 6);
    // Weights of 10^-200: their squares are zero (14,140 against 10,920.5).
    const levels = [0, 12, 30, 31, 60, 90, 100, 101, 140, 180, 200, 250];
    expect(run(levels, levels.map(() => 1e-200), 4) / 1e-200).toBeCloseTo(3 * bruteForce(levels, levels.map(() => 1), 4, false), 6);
  });

  it("reaches each muybridge.gif frame's optimum, below the restarts' in all", () => {
    const engine = createKMeans();
    let exactTotal = 0;
    let restartsTotal = 0;
    let missed = 0;
    for (const frame of muybridgeFrames()) {
      const exact = engine.run(frame, { k: 16 });
      const restarts = engine.run(frame, { k: 16, exactGrey: false });
      expect(exact.inertia).toBeCloseTo(optimumOfGreys(frame, 16), 3);
      expect(exact.inertia).toBeLessThanOrEqual(restarts.inertia * (1 + 1e-12));
      if (exact.inertia < restarts.inertia * 0.999) missed++;
      exactTotal += exact.inertia;
      restartsTotal += restarts.inertia;
    }
    // The restarts missed it on all 15 frames by more than 0.1%: 214,234 against 218,216 in all.
    expect(missed).toBeGreaterThan(0);
    expect(exactTotal).toBeLessThan(restartsTotal);
  });

  it('in every colour space: no worse than the restarts, and the same whatever the seed and start', () => {
    const frame = muybridgeFrames()[5];
    const engine = createKMeans();
    for (const space of ['rgb', 'lab', 'oklab'] as const) {
      for (const metric of ['euclidean', 'manhattan'] as const) {
        const a = engine.run(frame, { k: 12, space, metric, seed: 1, init: 'random' });
        const b = engine.run(frame, { k: 12, space, metric, seed: 2, restarts: 1 });
        const restarts = engine.run(frame, { k: 12, space, metric, exactGrey: false });
        expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
        expect(a.inertia).toBeLessThanOrEqual(restarts.inertia * (1 + 1e-9));
      }
    }
  });

  it('only when every colour is a grey, and not with exactGrey: false', () => {
    const frame = muybridgeFrames()[3];
    const engine = createKMeans();
    const phases = (rgba: Uint8Array, exactGrey?: boolean): string[] => {
      const seen = new Set<string>();
      engine.run(rgba, { k: 16, exactGrey, onIteration: (e: KMeansIterationEvent) => void seen.add(`${e.phase} ${e.restart < 0 ? e.restart : 'restart'}`) });
      return [...seen].sort();
    };
    // Exact: only the final polish reports, no restart runs.
    expect(phases(frame)).toEqual(['exact -99']);
    expect(phases(frame, false)).toContain('exact restart');
    const tinted = frame.slice();
    tinted[0] = tinted[1] + 1; // one pixel not quite grey
    expect(phases(tinted)).toContain('exact restart');
  });

  it("the unseeded sequence keeps its random start per frame on greys; the seeded one's first frame is the optimum", () => {
    const frames = muybridgeFrames();
    const first = { width: 30, height: 20, data: frames[0] };
    const palettes = (seeding: 'seeded' | 'none', seed: number) => {
      const q = createSequentialQuantizer({ colors: 16, init: 'kmeans++', restarts: 10, metric: 'euclidean', space: 'rgb', seed, maxIterations: 300, seeding, stability: STABILITY_PRESETS.medium });
      return q.next(first);
    };
    expect(Array.from(palettes('none', 1).palette)).not.toEqual(Array.from(palettes('none', 2).palette));
    const seeded = palettes('seeded', 1);
    expect(Array.from(palettes('seeded', 2).palette)).toEqual(Array.from(seeded.palette));
    expect(seeded.inertia).toBeCloseTo(optimumOfGreys(frames[0], 16), 3);
  });
});
