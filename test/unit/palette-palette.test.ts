import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { makeEntry, paletteFromKMeans, toHex } from '../../src/palette/palette.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

describe('toHex / makeEntry', () => {
  it('formats, rounds and clamps', () => {
    expect(toHex(0, 0, 0)).toBe('#000000');
    expect(toHex(255, 128, 1)).toBe('#ff8001');
    expect(toHex(254.5, 15.49, -3)).toBe('#ff0f00');
    expect(toHex(300, 0.5, 9.5)).toBe('#ff010a');
    const e = makeEntry(10.4, 200.6, 99.5, 7, 0.25);
    expect(e).toEqual({ hex: '#0ac964', rgb: [10, 201, 100], centroid: [10.4, 200.6, 99.5], count: 7, proportion: 0.25 });
  });
});

describe('paletteFromKMeans', () => {
  it('turns per-quadrant means of a real photo into entries whose proportions sum to 1', async () => {
    // A k-means-shaped result computed from real pixels: the mean colour of each image
    // quadrant, with the quadrant's pixel count.
    const f = await loadStill(still('skimage__coffee.png'));
    const sums = new Float64Array(12);
    const counts = new Float64Array(4);
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        const q = (y < f.height / 2 ? 0 : 2) + (x < f.width / 2 ? 0 : 1);
        const o = (y * f.width + x) * 4;
        sums[q * 3] += f.data[o];
        sums[q * 3 + 1] += f.data[o + 1];
        sums[q * 3 + 2] += f.data[o + 2];
        counts[q]++;
      }
    }
    const centroids = sums.map((s, i) => s / counts[Math.floor(i / 3)]);
    const p = paletteFromKMeans({ k: 4, centroids, counts, inertia: 1e9, iterations: 3 });
    expect(p.k).toBe(4);
    expect(p.colors.reduce((a, c) => a + c.proportion, 0)).toBeCloseTo(1, 12);
    expect(p.colors.reduce((a, c) => a + c.count, 0)).toBe(600 * 400);
    for (let i = 0; i < 4; i++) {
      const c = p.colors[i];
      expect(c.centroid).toEqual([centroids[i * 3], centroids[i * 3 + 1], centroids[i * 3 + 2]]);
      expect(c.rgb).toEqual(c.centroid.map((v) => Math.round(v)));
      expect(c.hex).toMatch(/^#[0-9a-f]{6}$/);
      expect(parseInt(c.hex.slice(1), 16)).toBe((c.rgb[0] << 16) | (c.rgb[1] << 8) | c.rgb[2]);
    }
    // Quadrants of a real photo differ.
    expect(new Set(p.colors.map((c) => c.hex)).size).toBe(4);
  });

  it('drops empty clusters and reports k as the number of colours left', () => {
    const p = paletteFromKMeans({ k: 3, centroids: [1, 2, 3, 4, 5, 6, 7, 8, 9], counts: [5, 0, 15], inertia: 2, iterations: 1 });
    expect(p.k).toBe(2);
    expect(p.colors.map((c) => c.hex)).toEqual(['#010203', '#070809']);
    expect(p.colors.map((c) => c.proportion)).toEqual([0.25, 0.75]);
  });
});
