/**
 * The refresh lever (`StabilityOptions.refresh`). Seeded k-means only refines the palette it
 * was given; when the content has drifted away from it (a cluster starved, new colours
 * crowded into one), a fresh clustering fits much better. So now and then the frame is also
 * clustered from scratch, and the new colours are blended into the seeded palette when that
 * fits the frame clearly better, what repainting unchanged pixels costs counted in.
 *
 * No I/O. The sequence (sequential.ts) owns the engine and the scratch the refresh shares
 * with its own palette hold and numbering.
 */
import { COARSE_MIN_DISTINCT, type KMeansEngine, type KMeansResult } from '../kmeans/kmeans.js';
import { allGrey } from '../kmeans/grey-line.js';
import type { ColorHistogram } from '../kmeans/histogram.js';
import type { ColourSearch } from '../map/map-histogram.js';
import { createPaletteSearch } from '../map/nearest.js';
import { sameOpaqueColour, wordsOf } from '../pixel-words.js';
import type { ColorSpace, Frame, Metric } from '../types.js';
import { matchEntries, type MatchScratch } from './palette-numbering.js';
import type { FramePalette, FreshRun, PreviousFrame } from './sequential.js';
import { clusterErrors, holdPalette, type StabilityOptions } from './stability.js';

/** What the sequence hands a refresh: its engine, its options, and the scratch both use. */
export interface RefreshContext {
  /** The sequence's engine, whose colour histogram holds the frame's colours (counted by its seeded run). */
  readonly engine: KMeansEngine;
  readonly colors: number;
  readonly restarts: number;
  readonly metric: Metric;
  readonly space: ColorSpace;
  readonly stability: StabilityOptions;
  /** Lloyd steps a seeded frame gets (what settles the blend). */
  readonly frameIterations: number;
  /** Clusters the frame from scratch on the colours the engine has counted (`counted`), `restartCount` starts: the sequence's, whose seed follows the frame. */
  readonly fresh: (frame: Frame, counted: boolean, restartCount: number, run?: FreshRun) => KMeansResult;
  /** The numbering's scratch (palette-numbering.ts). */
  readonly matching: MatchScratch;
  /** The palette hold's scratch, which a refresh that measures its repaint (`adoptable`) leaves holding the seeded palette's clusters. */
  readonly hold: { readonly colourSearch: ColourSearch; readonly rounded: Uint8Array; readonly counts: Float64Array; readonly errors: Float64Array };
}

/** What a frame's refresh came to, and its clustering when adopted. */
export interface RefreshOutcome {
  readonly refresh: FramePalette['refresh'];
  readonly result: KMeansResult | null;
}

const NOT_TRIED: RefreshOutcome = { refresh: 'not tried', result: null };

export interface Refresher {
  /**
   * Frame `frameIndex`, clustered from the last palette into `seeded` (its colours' clusters
   * in `seededLabels`): tries a refresh when one is due, and gives its blended clustering
   * when adopted (`result`, null otherwise).
   */
  refresh(frame: Frame, frameIndex: number, seeded: KMeansResult, seededLabels: Int32Array, previous: FramePalette, last: PreviousFrame | undefined): RefreshOutcome;
  /** A new start (the first frame, a scene cut): its palette is new, so a back-off ends. */
  newStart(): void;
}

export function createRefresher(context: RefreshContext): Refresher {
  const { engine, colors, restarts, metric, space, stability, frameIterations, fresh, matching } = context;
  const { colourSearch, rounded, counts, errors } = context.hold;
  /** Frames from one refresh to the next where refreshes back off: `stability.refresh`, doubled after each that is declined (see REFRESH_MAX_BACKOFF). */
  let refreshGap = stability.refresh;
  /** Frames where refreshes back off skip them before this frame index. */
  let backOffUntil = 0;
  const search = createPaletteSearch();
  const currentSearch = createPaletteSearch();
  const candidateWritten = new Uint8Array(256 * 3);
  const seededWritten = new Uint8Array(256 * 3);
  let candidateOf = new Int32Array(0);
  let currentOf = new Int32Array(0);

  /** More colours than entries, and all greys: where the exact clustering (grey-line.ts) applies. */
  const isGreyLine = (histogram: ColorHistogram): boolean => histogram.count > colors && allGrey(histogram.colors, histogram.count);

  /**
   * A fresh clustering blended into the seeded one (on greys, the exact optimum itself,
   * entries renumbered), or null when it does not win by a clear margin (see adoptable).
   */
  const refreshed = (frame: Frame, seeded: KMeansResult, seededLabels: Int32Array, previous: FramePalette, last: PreviousFrame | undefined, greys: boolean): KMeansResult | null => {
    // A short run is enough to show where the seeded palette is missing colours. Where the
    // full clustering, with its restarts, costs little (a GIF's frames), its better optimum
    // is what makes a refresh worth adopting: earth.gif 34.79 -> 35.19 dB for flicker
    // 0.489 -> 0.506 (one start run to convergence gave the short run's 34.79). Greys have
    // their optimum, found exactly whatever the start (grey-line.ts).
    const full = engine.histogram.count * colors <= FULL_REFRESH_WORK;
    const candidate = greys ? fresh(frame, true, 1) : full ? fresh(frame, true, restarts) : fresh(frame, true, 1, { iterations: REFRESH_ITERATIONS, refineIterations: REFRESH_REFINE_ITERATIONS });
    if (candidate.k !== colors) return null;
    const blend = candidate.centroids.slice(0, colors * 3);
    matchEntries(blend, colors, seeded.centroids, colors, matching);
    // The optimum is taken whole, entries matched to the old ones: a blend with the seeded
    // entries, and Lloyd steps from it, would leave it for a worse local optimum. Tried on
    // every frame, it must win by GREY_GAIN_FACTOR times the gain (see there).
    if (greys) {
      const optimum = engine.rerun({ k: colors, metric, space, maxIterations: 0, initialCentroids: blend });
      return adoptable(frame, optimum, seeded, seededLabels, previous, last, Math.min(1, GREY_GAIN_FACTOR * stability.refreshGain));
    }
    // Keep the seeded entries the fresh clustering agrees with (so they stay put) and take
    // its centroids only where it found something the seeded palette misses, entries
    // matched to the old ones; a few Lloyd steps from that blend settle it.
    let replaced = 0;
    for (let i = 0; i < colors * 3; i += 3) {
      const d = (blend[i] - seeded.centroids[i]) ** 2 + (blend[i + 1] - seeded.centroids[i + 1]) ** 2 + (blend[i + 2] - seeded.centroids[i + 2]) ** 2;
      if (d <= REFRESH_KEEP * REFRESH_KEEP) {
        blend[i] = seeded.centroids[i];
        blend[i + 1] = seeded.centroids[i + 1];
        blend[i + 2] = seeded.centroids[i + 2];
      } else replaced++;
    }
    if (replaced === 0) return null;
    return adoptable(frame, engine.rerun({ k: colors, metric, space, maxIterations: frameIterations, initialCentroids: blend }), seeded, seededLabels, previous, last);
  };

  /**
   * `candidate` when it fits the frame better than `seeded` by the fraction `gain` (the
   * refresh gain unless said), plus what repainting unchanged pixels costs (`stillWeight`)
   * relative to the seeded palette's squared error; else null.
   */
  const adoptable = (frame: Frame, candidate: KMeansResult, seeded: KMeansResult, seededLabels: Int32Array, previous: FramePalette, last: PreviousFrame | undefined, gain = stability.refreshGain): KMeansResult | null => {
    const bar = (1 - gain) * seeded.inertia;
    if (candidate.inertia >= bar) return null;
    if (last === undefined || stability.stillWeight === 0) return candidate;
    // Only now, with the candidate good enough on its own, is the repaint worth measuring, on
    // the bytes each choice would really write (held colours included).
    const candidateBytes = written(candidate.centroids, previous.palette, candidateWritten, engine.colourLabels);
    const seededBytes = written(seeded.centroids, previous.palette, seededWritten, seededLabels);
    // The palette hold's bytes, not the jump hold's, though a declined refresh leaves the seeded
    // palette to both: counting the jump hold here too changed playpause.gif alone, where it
    // declined the refresh of frame 204, and refreshes at 208 and 236 were adopted instead
    // (flicker 0.055 -> 0.070).
    let error = 0; // the seeded palette's squared error (sRGB), left in `errors` by written()
    for (let i = 0; i < colors; i++) error += errors[i];
    const extra = extraRepaint(frame, last, previous.palette, candidateBytes, seededBytes);
    if (extra <= 0) return candidate;
    return candidate.inertia < bar - (error > 0 ? (stability.stillWeight * extra) / error : Infinity) * seeded.inertia ? candidate : null;
  };

  /**
   * The palette bytes `centroids` would be written as after the palette hold, into `out`;
   * leaves their clusters' pixel counts and squared errors in `counts` and `errors`.
   */
  const written = (centroids: Float64Array, held: Uint8Array, out: Uint8Array, labels: Int32Array): Uint8Array => {
    clusterErrors(engine.histogram, centroids, colors, colourSearch, labels, rounded, counts, errors);
    return holdPalette(centroids, held, colors, stability.paletteHold, counts, errors, out);
  };

  /**
   * How much more writing `candidate` than `current` would repaint: the squared change
   * between last frame's output (`palette`, `last.indices`) and each pixel mapped to its nearest colour of either
   * palette, summed over the pixels whose source is bit-identical to last frame's, and
   * subtracted. Only identical pixels count: they are certainly unchanged content (a screen
   * recording's desktop, a GIF's background), where a colour change is plain flicker; a
   * pixel that moved a little (video noise, slow motion) may well deserve the better
   * colour. Measured on the corpus, counting every pixel within the METRICS.md threshold
   * of 8 cost handheld video (imageio cockatoo) 0.1 dB.
   */
  const extraRepaint = (frame: Frame, last: PreviousFrame, palette: Uint8Array, candidate: Uint8Array, current: Uint8Array): number => {
    search.prepare(candidate, colors, 'euclidean', 'rgb');
    currentSearch.prepare(current, colors, 'euclidean', 'rgb');
    // Each distinct colour's nearest entries are searched once, on first use, not once per
    // pixel: the frame's histogram (this frame's, counted by the seeded run) numbers them.
    const { pixelIndex, count } = engine.histogram;
    if (candidateOf.length < count) {
      candidateOf = new Int32Array(count);
      currentOf = new Int32Array(count);
    }
    candidateOf.fill(-1, 0, count);
    const d = frame.data;
    const now = wordsOf(d);
    const before = wordsOf(last.source);
    let candidateTotal = 0;
    let currentTotal = 0;
    for (let p = 0; p < last.indices.length; p++) {
      if (!sameOpaqueColour(now[p], before[p])) continue;
      const colour = pixelIndex[p];
      if (candidateOf[colour] < 0) {
        const o = p * 4;
        candidateOf[colour] = search.nearest(d[o], d[o + 1], d[o + 2]);
        currentOf[colour] = currentSearch.nearest(d[o], d[o + 1], d[o + 2]);
      }
      const e = last.indices[p] * 3;
      const c = candidateOf[colour] * 3;
      candidateTotal += (candidate[c] - palette[e]) ** 2 + (candidate[c + 1] - palette[e + 1]) ** 2 + (candidate[c + 2] - palette[e + 2]) ** 2;
      const h = currentOf[colour] * 3;
      currentTotal += (current[h] - palette[e]) ** 2 + (current[h + 1] - palette[e + 1]) ** 2 + (current[h + 2] - palette[e + 2]) ** 2;
    }
    return candidateTotal - currentTotal;
  };

  return {
    refresh(frame, frameIndex, seeded, seededLabels, previous, last) {
      if (stability.refresh <= 0) return NOT_TRIED;
      // Whether a declined refresh backs off: where it costs what one on a frame of many colours does at k = 16 (BACKOFF_MIN_WORK).
      const costly = engine.histogram.count * Math.max(colors, 16) >= BACKOFF_MIN_WORK;
      const greys = isGreyLine(engine.histogram);
      if (!((greys || frameIndex % stability.refresh === 0) && (!costly || frameIndex >= backOffUntil))) return NOT_TRIED;
      const blended = refreshed(frame, seeded, seededLabels, previous, last, greys);
      const backOff = blended === null && costly;
      refreshGap = backOff ? Math.min(2 * refreshGap, REFRESH_MAX_BACKOFF * stability.refresh) : stability.refresh;
      backOffUntil = backOff ? frameIndex + refreshGap : 0;
      return { refresh: blended !== null ? 'adopted' : 'declined', result: blended };
    },
    newStart() {
      refreshGap = stability.refresh;
      backOffUntil = 0;
    },
  };
}

/**
 * On a frame of many colours (a video's: the engine clusters it on coarse bins), a refresh
 * that is not adopted doubles the gap to the next one, up to this many times `--refresh`;
 * one that is adopted, or a new start, sets it back. There the fresh clustering almost
 * never wins (none of 8 on realshort.mp4, 23 on test.webm, 14 on each 320x240 clip; 5 of
 * 69 on cockatoo.mp4) but cost a tenth to a fifth of the run (test.webm 0.46 of 3.0 s at
 * k = 16, 2.3 of 8.4 s at k = 256). GIF frames, of few colours, keep the plain schedule:
 * their refreshes are cheap and win now and then (earth.gif 3 of 10, partial_gif_decode
 * 1 of 2), and backing off there cost up to 0.4 dB (earth.gif 34.79 -> 34.41,
 * partial_gif_decode 28.00 -> 27.59).
 */
const REFRESH_MAX_BACKOFF = 8;

/**
 * Declined refreshes back off on frames whose refresh costs as much as one on a frame of
 * many colours (COARSE_MIN_DISTINCT) at k = 16, in distinct colours × k, k counted as 16 at
 * least: at k = 16 and below, those frames of many colours alone, as before; at k = 256,
 * also a test pattern's 5,000 to 6,000 colours, where a refresh was 5 times a plain frame's
 * work and 70 of 99 were declined (testsrc2, 400 frames of 320x240: 16.5 s against
 * ffmpeg's 5.7).
 */
const BACKOFF_MIN_WORK = COARSE_MIN_DISTINCT * 16;

/**
 * A refresh's candidate is the full clustering (`restarts` starts) while the frame's
 * distinct colours times k are at most this, else the short run below. At k = 16 that is
 * frames of up to 512 colours, a GIF's: 4 ms on earth.gif (178 colours) against 1 ms for
 * one start. Beyond, it costs more than it is worth: 50 ms a refresh on cockatoo.mp4 at
 * --width 120 (3,300 colours, k = 16), which took the run from 2.9 to 5.9 s, and on
 * playpause.gif at k = 64 (up to 1,100 colours) 2.1 -> 2.7 s.
 */
const FULL_REFRESH_WORK = 8192;

/** Lloyd steps of the short candidate a refresh compares against. */
const REFRESH_ITERATIONS = 10;

/**
 * Lloyd steps at most of each run on the exact colours after the short candidate's start:
 * on frames of many colours (video), where the start runs on coarse bins, a refinement and
 * a polish of at most 2 steps each instead of a tight refinement to convergence; on frames
 * of fewer the start already ran on the exact colours and only the polish is capped. The
 * candidate only shows where the seeded palette is missing colours, and its blend is
 * refined on the exact colours anyway; the tight refinement cost realshort.mp4 and the pan
 * a tenth of their clustering time, mostly on refreshes that are then not adopted.
 */
const REFRESH_REFINE_ITERATIONS = 2;

/**
 * A frame of greys tries its exact optimum as a refresh on every frame, and adopts it when
 * its objective is lower by this many times the refresh gain: more often tried, so asked
 * for more. At 1 (the plain gain, 0.05 at medium) pigs_in_a_polka.gif, a black-and-white
 * cartoon, went from 36.79 dB and flicker 3.83 to 37.38 dB and 5.66; at 2, 37.32 dB and
 * 5.32; at 3, 37.03 dB and 4.52, while muybridge.gif fell from 38.80 dB (at 2) to 38.52,
 * below the 0.5 dB over ffmpeg per-frame (38.17) that at 2 it clears.
 */
const GREY_GAIN_FACTOR = 2;

/** A refresh keeps a seeded entry whose fresh counterpart lies within this (sRGB units). */
const REFRESH_KEEP = 12;
