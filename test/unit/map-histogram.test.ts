import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildHistogram } from '../../src/kmeans/histogram.js';
import { createHistogramMapper } from '../../src/map/map-histogram.js';
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
});
