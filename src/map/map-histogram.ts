import type { ColorHistogram } from '../kmeans/histogram.js';
import { createNeighbours, nearestTwoL1, nearestTwoL2, orderedSearchPays, prepareNeighbours } from '../kmeans/neighbours.js';
import type { ColorSpace, FrameDifference, Metric } from '../types.js';
import { fromSrgb } from '../color/space.js';
import { createPaletteSearch } from './nearest.js';

/**
 * The nearest palette entry of every distinct colour of a histogram, exactly: the same
 * answers, ties included (the lowest index), as a scan of every entry.
 *
 * With `hints` (each colour's cluster in the k-means run just done: KMeansEngine.colourLabels)
 * and a large palette, a colour's search starts at the entry of its cluster and goes
 * through the other entries in order of their distance from it, stopping where the
 * triangle inequality rules out the rest (the ordered search of kmeans/neighbours.ts). The
 * entry of its cluster is nearly always the nearest, so few others are measured, where the
 * grid search builds a candidate list for every cell the colours touch, against a palette
 * that changes every frame.
 */
export interface ColourSearch {
  /** Per distinct colour of `histogram`: its nearest entry of `palette` (`histogram.count` answers, valid until the next call). */
  nearestOfColours(histogram: ColorHistogram, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace, hints?: Int32Array): Uint8Array;
}

export function createColourSearch(): ColourSearch {
  const search = createPaletteSearch();
  const neighbours = createNeighbours();
  const entries = new Float64Array(256 * 3); // the palette in the working space
  const gap = new Float64Array(256);
  let answers = new Uint8Array(0);
  const q = new Float64Array(3);
  return {
    nearestOfColours(histogram, palette, size, metric, space, hints) {
      const convert = fromSrgb(space);
      const { count, colors } = histogram;
      if (answers.length < count) answers = new Uint8Array(Math.max(count, answers.length * 2));
      // The same rule as k-means' own use of the ordered search: below it, measuring the
      // size^2 distances between entries costs more than it saves.
      if (hints !== undefined && orderedSearchPays(size, count)) {
        for (let j = 0; j < size * 3; j += 3) convert(palette[j], palette[j + 1], palette[j + 2], entries, j);
        const l1 = metric === 'manhattan';
        prepareNeighbours(neighbours, entries, size, l1, gap);
        const nearest = l1 ? nearestTwoL1 : nearestTwoL2;
        for (let i = 0, c = 0; i < count; i++, c += 3) {
          convert(colors[c], colors[c + 1], colors[c + 2], q, 0);
          const hint = hints[i];
          answers[i] = nearest(q[0], q[1], q[2], entries, neighbours, hint >= 0 && hint < size ? hint : 0);
        }
      } else {
        search.prepare(palette, size, metric, space);
        let hint = 0;
        for (let i = 0, c = 0; i < count; i++, c += 3) {
          convert(colors[c], colors[c + 1], colors[c + 2], q, 0);
          hint = answers[i] = search.nearestIn(q, 0, hint);
        }
      }
      return answers;
    },
  };
}

/**
 * The frame before's mapping, for a frame that differs from it only inside `changed` and
 * whose pixels outside it map as they did (the same palette: see quantizeClip).
 */
export interface KeptMapping extends FrameDifference {
  readonly indices: Uint8Array;
  readonly transparent: Uint8Array | null;
}

/**
 * Exact nearest-palette mapping that reuses the frame's colour histogram (built anyway by
 * k-means): each distinct colour is searched once (see ColourSearch), then pixels gather
 * their answer through `pixelIndex`, a sequential read, instead of a hashed cache lookup
 * per pixel. Same answers as `createMapper().map` without dithering. With `kept`, the
 * frame before's answers are copied and only the pixels inside its box gathered.
 */
export function createHistogramMapper(
  /**
   * The buffers for the indices and the transparency mask, `bytes` long: new or used ones
   * (every byte is written), as long as none holds the `kept` mapping it copies from.
   */
  allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): {
  map(histogram: ColorHistogram, pixels: number, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace, hints?: Int32Array, kept?: KeptMapping): { indices: Uint8Array; transparent: Uint8Array | null };
} {
  const colours = createColourSearch();
  return {
    map(histogram, pixels, palette, size, metric, space, hints, kept) {
      const answers = colours.nearestOfColours(histogram, palette, size, metric, space, hints);
      const { pixelIndex } = histogram;
      const indices = allocate(pixels);
      // A mask only where some pixel is transparent; 0 is the index of one that is.
      const transparent = histogram.opaquePixels < pixels ? allocate(pixels) : null;
      if (kept === undefined) {
        // Two loops, so a frame with no transparent pixel tests for none.
        if (transparent === null) {
          for (let p = 0; p < pixels; p++) indices[p] = answers[pixelIndex[p]];
        } else {
          for (let p = 0; p < pixels; p++) {
            const d = pixelIndex[p];
            indices[p] = d < 0 ? 0 : answers[d];
            transparent[p] = d < 0 ? 1 : 0;
          }
        }
        return { indices, transparent };
      }
      indices.set(kept.indices);
      if (transparent !== null) {
        if (kept.transparent !== null) transparent.set(kept.transparent);
        else transparent.fill(0);
      }
      const { x0, y0, x1, y1 } = kept.changed ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
      for (let y = y0; y < y1; y++) {
        for (let p = y * kept.width + x0, end = y * kept.width + x1; p < end; p++) {
          const d = pixelIndex[p];
          indices[p] = d < 0 ? 0 : answers[d];
          if (transparent !== null) transparent[p] = d < 0 ? 1 : 0;
        }
      }
      return { indices, transparent };
    },
  };
}
