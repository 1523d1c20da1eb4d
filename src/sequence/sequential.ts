import { createKMeans, type KMeansResult } from '../kmeans/kmeans.js';
import type { ClusterOptions, Seeding } from '../options.js';
import type { Frame } from '../types.js';

/** One frame's palette: float centroids (sRGB) and the byte colours written out. */
export interface FramePalette {
  /** `size * 3` sRGB floats: what the next frame is seeded with. */
  readonly centroids: Float64Array;
  /** `size * 3` sRGB bytes: the colours pixels are mapped to. */
  readonly palette: Uint8Array;
  readonly size: number;
  /** k-means objective of this frame (in the run's metric and space). */
  readonly inertia: number;
  readonly iterations: number;
}

export interface SequentialOptions extends ClusterOptions {
  seeding: Exclude<Seeding, 'global'>;
}

/**
 * Per-frame k-means over a clip. With `seeded`, the first frame gets a full initialisation
 * (with restarts) and every later frame starts from the previous frame's centroids, so
 * entry i stays entry i and a colour that persists keeps its slot; with `none`, each
 * frame is clustered from scratch (a fresh seed per frame), the flickering baseline.
 */
export function createSequentialQuantizer(options: SequentialOptions): {
  next(frame: Frame): FramePalette;
  /** Forget the previous palette: the next frame gets a full initialisation. */
  reset(): void;
} {
  const engine = createKMeans();
  let previous: Float64Array | null = null;
  let frameIndex = 0;
  const { colors, init, restarts, metric, space, seed, maxIterations } = options;

  return {
    next(frame) {
      let result: KMeansResult;
      // A palette smaller than k (the last frame had fewer distinct colours, a fade from
      // black say) cannot seed k clusters; start fresh so the palette can grow back.
      if (options.seeding === 'seeded' && previous !== null && previous.length === colors * 3) {
        result = engine.run(frame.data, { k: colors, metric, space, maxIterations, initialCentroids: previous });
      } else {
        const frameSeed = options.seeding === 'none' ? (seed + frameIndex) >>> 0 : seed;
        const frameRestarts = options.seeding === 'none' ? 1 : restarts;
        result = engine.run(frame.data, { k: colors, init, metric, space, maxIterations, restarts: frameRestarts, seed: frameSeed });
      }
      frameIndex++;
      if (result.k > 0) previous = result.centroids.slice(0, result.k * 3);
      return toFramePalette(result);
    },
    reset() {
      previous = null;
    },
  };
}

export function toFramePalette(result: KMeansResult): FramePalette {
  const size = result.k;
  const centroids = result.centroids.slice(0, size * 3);
  const palette = new Uint8Array(size * 3);
  for (let i = 0; i < size * 3; i++) palette[i] = Math.round(centroids[i]);
  return { centroids, palette, size, inertia: result.inertia, iterations: result.iterations };
}
