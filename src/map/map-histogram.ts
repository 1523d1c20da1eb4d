import type { ColorHistogram } from '../kmeans/histogram.js';
import type { ColorSpace, Metric } from '../types.js';
import { fromSrgb } from '../color/space.js';
import { createPaletteSearch } from './nearest.js';

/**
 * Exact nearest-palette mapping that reuses the frame's colour histogram (built anyway by
 * k-means): each distinct colour is searched once, then pixels gather their answer
 * through `pixelIndex`, a sequential read, instead of a hashed cache lookup per pixel.
 * Same answers as `createMapper().map` without dithering.
 */
export function createHistogramMapper(): {
  map(histogram: ColorHistogram, pixels: number, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): { indices: Uint8Array; transparent: Uint8Array | null };
} {
  const search = createPaletteSearch();
  let answers = new Uint8Array(0);
  const q = new Float64Array(3);
  return {
    map(histogram, pixels, palette, size, metric, space) {
      search.prepare(palette, size, metric, space);
      const convert = fromSrgb(space);
      const { count, colors, pixelIndex } = histogram;
      if (answers.length < count) answers = new Uint8Array(Math.max(count, answers.length * 2));
      let hint = 0;
      for (let i = 0, c = 0; i < count; i++, c += 3) {
        convert(colors[c], colors[c + 1], colors[c + 2], q, 0);
        hint = answers[i] = search.nearest(q[0], q[1], q[2], hint);
      }
      const indices = new Uint8Array(pixels);
      let transparent: Uint8Array | null = null;
      for (let p = 0; p < pixels; p++) {
        const d = pixelIndex[p];
        if (d < 0) {
          transparent ??= new Uint8Array(pixels);
          transparent[p] = 1;
        } else {
          indices[p] = answers[d];
        }
      }
      return { indices, transparent };
    },
  };
}
