import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildHistogram } from '../../src/kmeans/histogram.js';
import { createKMeans } from '../../src/kmeans/kmeans.js';

/**
 * Compares our inertia with scikit-learn's KMeans(n_clusters=k, n_init=10, random_state=0)
 * on the same pixels. The reference numbers are committed (made by
 * test/fixtures/make-sklearn-reference.py), so this runs without Python.
 */
interface Entry {
  file: string;
  step: number;
  width: number;
  height: number;
  pixelSum: number;
  distinctColors: number;
  k: number;
  inertia: number;
}

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const reference = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/sklearn-reference.json'), 'utf8')) as { entries: Entry[] };

/** Every `step`-th pixel in each direction, as RGBA, the way the Python script decimates. */
async function decimated(file: string, step: number): Promise<{ rgba: Uint8Array; width: number; height: number; sum: number }> {
  const { data, info } = await sharp(resolve(repoRoot, '../shared/corpus', file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const width = Math.ceil(info.width / step);
  const height = Math.ceil(info.height / step);
  const rgba = new Uint8Array(width * height * 4);
  let sum = 0;
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 4) {
      const s = (y * step * info.width + x * step) * info.channels;
      rgba[o] = data[s];
      rgba[o + 1] = data[s + 1];
      rgba[o + 2] = data[s + 2];
      rgba[o + 3] = 255;
      sum += data[s] + data[s + 1] + data[s + 2];
    }
  }
  return { rgba, width, height, sum };
}

describe('k-means vs scikit-learn (committed reference)', () => {
  const engine = createKMeans();
  for (const entry of reference.entries) {
    it(`${entry.file} /${entry.step}, k=${entry.k}: inertia within 0.5% of sklearn's`, async () => {
      const { rgba, width, height, sum } = await decimated(entry.file, entry.step);
      // Same pixels as Python saw: size, checksum and distinct-colour count all agree.
      expect([width, height]).toEqual([entry.width, entry.height]);
      expect(sum).toBe(entry.pixelSum);
      expect(buildHistogram(rgba).count).toBe(entry.distinctColors);
      const result = engine.run(rgba, { k: entry.k });
      expect(result.k).toBe(entry.k);
      expect(result.inertia).toBeLessThanOrEqual(entry.inertia * 1.005);
      // Sanity: no better than an impossible margin either (would hint at a wrong objective).
      expect(result.inertia).toBeGreaterThan(entry.inertia * 0.95);
    });
  }
});
