import { describe, expect, it } from 'vitest';
import { createPaletteSearch, nearestIndex } from '../../src/map/nearest.js';
import { fromSrgb } from '../../src/color/space.js';
import type { ColorSpace, Metric } from '../../src/types.js';
import { createRng } from '../../src/kmeans/random.js';

const prng = createRng;

/** Brute force over working-space coordinates, lowest index on ties. */
function brute(pal: Float64Array, size: number, metric: Metric, q0: number, q1: number, q2: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < size; i++) {
    const d0 = pal[i * 3] - q0;
    const d1 = pal[i * 3 + 1] - q1;
    const d2 = pal[i * 3 + 2] - q2;
    const d = metric === 'manhattan' ? Math.abs(d0) + Math.abs(d1) + Math.abs(d2) : d0 * d0 + d1 * d1 + d2 * d2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

describe('createPaletteSearch', () => {
  const cases: [Metric, ColorSpace][] = [
    ['euclidean', 'rgb'],
    ['manhattan', 'rgb'],
    ['euclidean', 'lab'],
    ['manhattan', 'oklab'],
  ];
  for (const [metric, space] of cases) {
    it(`is exact inside and outside the gamut grid (${metric}, ${space}), with and without a hint`, () => {
      const rand = prng(metric.length * 7 + space.length);
      const search = createPaletteSearch();
      for (const k of [1, 2, 16, 256]) {
        const palette = new Uint8Array(k * 3).map(() => Math.floor(rand() * 256));
        // Some duplicates, so ties occur.
        if (k >= 16) palette.copyWithin(9, 0, 6);
        search.prepare(palette, k, metric, space);
        const pal = new Float64Array(k * 3);
        const conv = fromSrgb(space);
        for (let i = 0; i < k; i++) conv(palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2], pal, i * 3);
        const q = new Float64Array(3);
        for (let t = 0; t < 3000; t++) {
          if (t % 2 === 0) {
            // A real sRGB colour (the grid path).
            conv(Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256), q, 0);
          } else {
            // Far outside any gamut box: the slab-search fallback.
            for (let c = 0; c < 3; c++) q[c] = (rand() - 0.5) * 1200;
          }
          const want = brute(pal, k, metric, q[0], q[1], q[2]);
          const hint = Math.floor(rand() * k);
          expect(search.nearest(q[0], q[1], q[2])).toBe(want);
          expect(search.nearest(q[0], q[1], q[2], hint)).toBe(want);
        }
        // Exactly on palette colours (zero distance, and the duplicate pair).
        for (let i = 0; i < k; i++) {
          expect(search.nearest(pal[i * 3], pal[i * 3 + 1], pal[i * 3 + 2])).toBe(brute(pal, k, metric, pal[i * 3], pal[i * 3 + 1], pal[i * 3 + 2]));
        }
      }
    });
  }

  it('agrees with nearestIndex on sRGB input', () => {
    const search = createPaletteSearch();
    const palette = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128]);
    search.prepare(palette, 4, 'euclidean', 'oklab');
    const q = new Float64Array(3);
    const conv = fromSrgb('oklab');
    for (const [r, g, b] of [
      [250, 10, 10],
      [100, 120, 140],
      [0, 0, 200],
      [128, 128, 128],
    ]) {
      conv(r, g, b, q, 0);
      expect(search.nearest(q[0], q[1], q[2])).toBe(nearestIndex(palette, 4, r, g, b, 'euclidean', 'oklab'));
    }
  });
});
