import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildHistogram } from '../../src/kmeans/histogram.js';
import { createKMeans } from '../../src/kmeans/kmeans.js';
import { createColourSearch, createHistogramMapper } from '../../src/map/map-histogram.js';
import { nearestIndex } from '../../src/map/nearest.js';
import { createMapper } from '../../src/map/map-pixels.js';
import { corpus } from '../helpers/cli.js';
import type { ColorSpace, Metric } from '../../src/types.js';

describe('histogram mapping', () => {
  it("gives exactly the per-pixel mapper's answers on a real photo, every metric and space", async () => {
    const { data, info } = await sharp(path.join(corpus, 'stills/skimage__chelsea.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
    // A transparent band, so the mask is checked too.
    for (let i = 0; i < info.width * 10; i++) rgba[i * 4 + 3] = 0;
    const frame = { width: info.width, height: info.height, data: rgba };
    const histogram = buildHistogram(rgba);
    const viaHistogram = createHistogramMapper();
    const perPixel = createMapper();
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
    for (const metric of ['euclidean', 'manhattan'] as Metric[]) {
      for (const space of ['rgb', 'lab', 'oklab'] as ColorSpace[]) {
        const size = 16;
        const palette = Uint8Array.from({ length: size * 3 }, rand);
        const a = viaHistogram.map(histogram, info.width * info.height, palette, size, metric, space);
        const b = perPixel.map(frame, palette, size, { metric, space, dither: 'none' });
        expect(Buffer.from(a.transparent!).equals(Buffer.from(b.transparent!))).toBe(true);
        let mismatches = 0;
        for (let i = 0; i < a.indices.length; i++) if (a.transparent![i] === 0 && a.indices[i] !== b.indices[i]) mismatches++;
        expect(mismatches, `${metric}/${space}`).toBe(0);
      }
    }
  });

  it('writes every byte of the buffers it is given, so used ones serve as well as new ones', async () => {
    const { data, info } = await sharp(path.join(corpus, 'stills/skimage__chelsea.png')).resize(120).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const pixels = info.width * info.height;
    for (let i = 0; i < info.width * 5; i++) rgba[i * 4 + 3] = 0; // a transparent band
    const histogram = buildHistogram(rgba);
    const palette = Uint8Array.from({ length: 8 * 3 }, (_, i) => (i * 37) % 256);
    const used = createHistogramMapper((bytes) => new Uint8Array(bytes).fill(0xab));
    const fresh = createHistogramMapper();
    const opaqueBefore = { indices: new Uint8Array(pixels).fill(3), transparent: null };
    const maskedBefore = { indices: new Uint8Array(pixels).fill(3), transparent: new Uint8Array(pixels).fill(1, 0, info.width * 5) };
    // The whole frame, then a box over the frame before's mapping (with and without its mask).
    for (const kept of [undefined, { changed: { x0: 10, y0: 3, x1: 50, y1: 40 }, width: info.width, ...maskedBefore }, { changed: { x0: 0, y0: 0, x1: 9, y1: 9 }, width: info.width, ...opaqueBefore }]) {
      const a = used.map(histogram, pixels, palette, 8, 'euclidean', 'rgb', undefined, kept);
      const b = fresh.map(histogram, pixels, palette, 8, 'euclidean', 'rgb', undefined, kept);
      expect(Buffer.from(a.indices).equals(Buffer.from(b.indices))).toBe(true);
      expect(Buffer.from(a.transparent!).equals(Buffer.from(b.transparent!))).toBe(true);
    }
  });

  it('searched from k-means clusters at large k: the full scan\'s answers, ties included, whatever the hints', async () => {
    const { data } = await sharp(path.join(corpus, 'stills/skimage__astronaut.png')).resize(160).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const engine = createKMeans();
    const search = createColourSearch();
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 255;
    for (const metric of ['euclidean', 'manhattan'] as Metric[]) {
      for (const space of ['rgb', 'oklab'] as ColorSpace[]) {
        for (const k of [32, 256]) {
          const result = engine.run(rgba, { k, metric, space, restarts: 1, seed: 1 });
          const { count, colors } = engine.histogram;
          expect(count).toBeGreaterThan(16 * k); // where the ordered search is used
          // The palette as written: rounded centroids, with some entries repeated (exact ties:
          // the lower index must win) and a few moved away, so their clusters' hints mislead.
          const palette = Uint8Array.from(result.centroids, (v) => Math.round(v));
          palette.copyWithin(3, 0, 3);
          for (let i = 6; i < 18; i++) palette[i] = rand();
          const good = engine.colourLabels.slice(0, count);
          const junk = Int32Array.from({ length: count }, (_, i) => (i % 3 === 0 ? -1 : i % 3 === 1 ? k + 5 : rand() % k));
          for (const [name, hints] of [['k-means clusters', good], ['junk', junk]] as const) {
            const answers = search.nearestOfColours(engine.histogram, palette, k, metric, space, hints);
            let wrong = 0;
            for (let i = 0, c = 0; i < count; i++, c += 3) if (answers[i] !== nearestIndex(palette, k, colors[c], colors[c + 1], colors[c + 2], metric, space)) wrong++;
            expect(wrong, `${metric}/${space}/k=${k}/${name}`).toBe(0);
          }
        }
      }
    }
  });
});
