import { describe, expect, it } from 'vitest';
import { assignAllL1, assignAllL2, assignHamerlyL1, assignHamerlyL2 } from '../../src/kmeans/assign.js';
import { createLloydScratch, reserveLloydScratch, type PointSet } from '../../src/kmeans/lloyd.js';
import { createNeighbours, found as distances, FOUND_BEST, FOUND_SECOND, nearestTwoL1, nearestTwoL2, prepareNeighbours } from '../../src/kmeans/neighbours.js';
import { kmeansPoints } from '../../src/kmeans/kmeans.js';
import { createRng } from '../../src/kmeans/random.js';

// At large k the assignment step searches the centres in order of distance; it must give
// exactly what the plain loops give.

/** The two smallest distances and the lowest index of the smallest, over every centre. */
function bruteForce(x: number, y: number, z: number, centres: Float64Array, k: number, l1: boolean): [number, number, number] {
  let best = Infinity;
  let second = Infinity;
  let at = 0;
  for (let j = 0; j < k; j++) {
    const dx = x - centres[j * 3];
    const dy = y - centres[j * 3 + 1];
    const dz = z - centres[j * 3 + 2];
    const d = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz;
    if (d < second) {
      if (d < best) {
        second = best;
        best = d;
        at = j;
      } else second = d;
    }
  }
  return [at, best, second];
}

/**
 * Centres on whole numbers with repeats (so ties are common), moved a little or a lot from
 * step to step, as Lloyd steps, restarts and the next frame's seeding move them.
 */
function* centreSteps(k: number, seed: number): Generator<Float64Array> {
  const rng = createRng(seed);
  const centres = new Float64Array(k * 3);
  const scatter = () => {
    for (let i = 0; i < k * 3; i++) centres[i] = Math.floor(rng() * 32) * 8;
    centres.copyWithin(3, 0, 3); // centre 1 = centre 0: an exact tie everywhere
  };
  scatter();
  for (let step = 0; step < 12; step++) {
    yield centres;
    if (step === 6) scatter();
    else {
      const size = step < 3 ? 0.5 : 6;
      for (let i = 0; i < k * 3; i++) if (rng() < 0.5) centres[i] += Math.round((rng() - 0.5) * size * 4) / 4;
    }
  }
}

describe('nearest two centres, searched outward from a centre (large k)', () => {
  for (const l1 of [false, true]) {
    for (const k of [32, 97, 256]) {
      it(`${l1 ? 'Manhattan' : 'Euclidean'}, k = ${k}: the same nearest centre (lowest index on ties) and the same two distances as checking every centre`, () => {
        const rng = createRng(k);
        const nb = createNeighbours();
        const gap = new Float64Array(k);
        let checked = 0;
        for (const centres of centreSteps(k, k + (l1 ? 1 : 0))) {
          prepareNeighbours(nb, centres, k, l1, gap);
          for (let q = 0; q < 400; q++) {
            // Points on the centres' grid (ties) and between; searched from a near centre and from a random one.
            const x = q % 2 ? Math.floor(rng() * 32) * 8 : rng() * 255;
            const y = q % 2 ? Math.floor(rng() * 32) * 8 : rng() * 255;
            const z = q % 2 ? Math.floor(rng() * 32) * 8 : rng() * 255;
            const [at, best, second] = bruteForce(x, y, z, centres, k, l1);
            for (const from of [at, Math.floor(rng() * k)]) {
              const found = (l1 ? nearestTwoL1 : nearestTwoL2)(x, y, z, centres, nb, from);
              expect([found, distances[FOUND_BEST], distances[FOUND_SECOND]]).toEqual([at, best, second]);
              checked++;
            }
          }
          // Hamerly's gap: half the distance from each centre to its nearest other one.
          for (let a = 0; a < k; a++) {
            const nearestOther = bruteForce(centres[a * 3], centres[a * 3 + 1], centres[a * 3 + 2], centres, k, l1)[2];
            expect(gap[a]).toBe(0.5 * (l1 ? nearestOther : Math.sqrt(nearestOther)));
          }
        }
        expect(checked).toBe(12 * 400 * 2);
      });
    }
  }

  it('stays exact on one set of neighbours reused across scales, from 1e-300 to 1e20 (moves lost to rounding, keys that overflow, distances that underflow)', () => {
    // A review found all three: a running sum of moves that had outgrown new, small moves;
    // sort keys scaled by 2^44 / widest, infinite below 1e-295; and Euclidean distances
    // below 1e-150, whose squares lose their precision.
    const k = 48;
    const rng = createRng(11);
    for (const l1 of [false, true]) {
      const nb = createNeighbours();
      const gap = new Float64Array(k);
      for (const scale of [1, 1e20, 1, 1e-160, 1e-300, 1]) {
        const centres = new Float64Array(k * 3).map(() => Math.floor(rng() * 64) * 4 * scale);
        for (let step = 0; step < 40; step++) {
          // Moves far smaller than the centres' spread, many times over.
          for (let i = 0; i < k * 3; i++) centres[i] += (rng() - 0.5) * 1e-9 * scale;
          prepareNeighbours(nb, centres, k, l1, gap);
          for (let q = 0; q < 60; q++) {
            const x = rng() * 256 * scale;
            const y = rng() * 256 * scale;
            const z = rng() * 256 * scale;
            const [at, best, second] = bruteForce(x, y, z, centres, k, l1);
            const found = (l1 ? nearestTwoL1 : nearestTwoL2)(x, y, z, centres, nb, Math.floor(rng() * k));
            expect([found, distances[FOUND_BEST], distances[FOUND_SECOND]]).toEqual([at, best, second]);
          }
        }
      }
    }
  });

  it('an engine that clustered vast coordinates before clusters ordinary ones as a fresh one does', () => {
    const points = (scale: number) => {
      const rng = createRng(3);
      return new Float64Array(9000).map(() => rng() * scale);
    };
    const options = { k: 64, seed: 5, restarts: 1 };
    for (const metric of ['euclidean', 'manhattan'] as const) {
      const before = kmeansPoints(points(255), null, { ...options, metric });
      kmeansPoints(points(1e20), null, { ...options, metric });
      const after = kmeansPoints(points(255), null, { ...options, metric });
      expect(after.inertia).toBe(before.inertia);
      expect(after.centroids).toEqual(before.centroids);
    }
  });

  it('gives the assignment steps the labels and bounds of a scan of every centre, Lloyd step after Lloyd step', () => {
    const k = 64;
    const n = 3000;
    const rng = createRng(5);
    const spread = new Float64Array(n * 3).map(() => Math.floor(rng() * 256));
    // All points on one plane: a channel the first assignment's guess grid cannot divide.
    const flat = spread.map((v, i) => (i % 3 === 2 ? 128 : v));
    for (const [points, l1] of [[spread, false], [spread, true], [flat, false]] as const) {
      const set: PointSet = { n, points, weights: new Float64Array(n).fill(1), orders: null };
      const plain = createLloydScratch();
      const searched = createLloydScratch();
      reserveLloydScratch(plain, n, k);
      reserveLloydScratch(searched, n, k);
      plain.labels.fill(-1);
      searched.labels.fill(-1);
      let step = 0;
      let previous: Float64Array | null = null;
      for (const centres of centreSteps(k, 9)) {
        prepareNeighbours(searched.neighbours, centres, k, l1, searched.gap);
        if (previous === null || step === 7) {
          // Full assignments: the first one, and after the centres were scattered afresh.
          const a = (l1 ? assignAllL1 : assignAllL2)(set, centres, k, plain);
          const b = (l1 ? assignAllL1 : assignAllL2)(set, centres, k, searched, searched.neighbours);
          expect(b).toBe(a);
        } else {
          // Hamerly steps: shifts measured as lloyd() measures them.
          let maxShift = 0;
          let maxAt = -1;
          let secondShift = 0;
          for (let j = 0; j < k; j++) {
            const d = [0, 1, 2].map((c) => centres[j * 3 + c] - previous![j * 3 + c]);
            const s = l1 ? d.reduce((t, v) => t + Math.abs(v), 0) : Math.hypot(...d);
            plain.shift[j] = s;
            searched.shift[j] = s;
            if (s > maxShift) {
              secondShift = maxShift;
              maxShift = s;
              maxAt = j;
            } else if (s > secondShift) secondShift = s;
          }
          const a = (l1 ? assignHamerlyL1 : assignHamerlyL2)(set, centres, k, plain, maxShift, maxAt, secondShift);
          const b = (l1 ? assignHamerlyL1 : assignHamerlyL2)(set, centres, k, searched, maxShift, maxAt, secondShift, searched.neighbours);
          expect(b).toBe(a);
        }
        expect(searched.labels.subarray(0, n)).toEqual(plain.labels.subarray(0, n));
        expect(searched.upper.subarray(0, n)).toEqual(plain.upper.subarray(0, n));
        expect(searched.lower.subarray(0, n)).toEqual(plain.lower.subarray(0, n));
        previous = centres.slice();
        step++;
      }
    }
  });
});
