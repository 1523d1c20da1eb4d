import { createKMeans, type KMeansResult } from '../kmeans/kmeans.js';
import { createPaletteSearch } from '../map/nearest.js';
import { createSceneCutDetector, DEFAULT_SCENE_CUT } from './scene-cut.js';
import type { ClusterOptions, Seeding } from '../options.js';
import type { ColorHistogram } from '../kmeans/histogram.js';
import type { Frame } from '../types.js';
import { clusterErrors, holdPalette, STABILITY_PRESETS, type StabilityOptions } from './stability.js';

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
  /** True when this frame was clustered from scratch (first frame, scene cut, unseeded). */
  readonly fresh: boolean;
}

export interface SequentialOptions extends ClusterOptions {
  seeding: Exclude<Seeding, 'global'>;
  stability?: StabilityOptions;
}

/**
 * Per-frame k-means over a clip. With `seeded`, the first frame gets a full initialisation
 * (with restarts) and every later frame starts from the previous frame's centroids, so
 * entry i stays entry i and a colour that persists keeps its slot; with `none`, each
 * frame is clustered from scratch (a fresh seed per frame), the flickering baseline.
 */
export function createSequentialQuantizer(options: SequentialOptions): {
  next(frame: Frame): FramePalette;
  /** The colour histogram of the frame last passed to `next` (valid until the next call). */
  readonly histogram: ColorHistogram;
  /** Forget the previous palette: the next frame gets a full initialisation. */
  reset(): void;
} {
  const engine = createKMeans();
  const stability = options.stability ?? STABILITY_PRESETS.none;
  let previous: FramePalette | null = null;
  let frameIndex = 0;
  const counts = new Float64Array(256);
  const errors = new Float64Array(256);
  const search = createPaletteSearch();
  // Frame-difference half of the cut test (the objective jump is the other half).
  const cuts = createSceneCutDetector({ ...DEFAULT_SCENE_CUT, inertiaFactor: Infinity });
  const rounded = new Uint8Array(256 * 3);
  const { colors, init, restarts, metric, space, seed, maxIterations } = options;

  const fresh = (frame: Frame): KMeansResult => {
    const unseeded = options.seeding === 'none';
    return engine.run(frame.data, {
      k: colors,
      init,
      metric,
      space,
      maxIterations,
      restarts: unseeded ? 1 : restarts,
      seed: unseeded ? (seed + frameIndex) >>> 0 : seed,
    });
  };

  return {
    get histogram() {
      return engine.histogram;
    },
    next(frame) {
      let result: KMeansResult | null = null;
      // A palette smaller than k (the last frame had fewer distinct colours, a fade from
      // black say) cannot seed k clusters; start fresh so the palette can grow back.
      const differenceCut = stability.sceneCut > 0 && cuts.next(frame, NaN);
      if (options.seeding === 'seeded' && previous !== null && previous.size === colors && !differenceCut) {
        let firstStep = Infinity;
        const seeded = engine.run(frame.data, {
          k: colors,
          metric,
          space,
          maxIterations: stability.frameIterations,
          initialCentroids: previous.centroids,
          onIteration: (e) => {
            if (e.iteration === 1) firstStep = e.objective;
          },
        });
        const cut = stability.sceneCut > 0 && firstStep > stability.sceneCut * Math.max(previous.inertia, 1);
        if (!cut) result = seeded;
      }
      const isFresh = result === null;
      result ??= fresh(frame);
      frameIndex++;
      const size = result.k;
      const centroids = result.centroids.slice(0, size * 3);
      const held = isFresh ? null : previous!.palette;
      if (held !== null && stability.paletteHold > 0) clusterErrors(engine.histogram, centroids, size, search, rounded, counts, errors);
      const palette = holdPalette(centroids, held, size, stability.paletteHold, counts, errors, new Uint8Array(size * 3));
      const out: FramePalette = { centroids, palette, size, inertia: result.inertia, iterations: result.iterations, fresh: isFresh };
      if (size > 0) previous = out;
      return out;
    },
    reset() {
      previous = null;
    },
  };
}

/** A k-means result as a palette of rounded colours (no holding: one-off palettes). */
export function toFramePalette(result: KMeansResult): FramePalette {
  const size = result.k;
  const centroids = result.centroids.slice(0, size * 3);
  const palette = holdPalette(centroids, null, size, 0, null, null, new Uint8Array(size * 3));
  return { centroids, palette, size, inertia: result.inertia, iterations: result.iterations, fresh: true };
}
