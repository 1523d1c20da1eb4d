import { checkRgbaFrame, ChromaseedError, invalidOption, isBoxInside, isBytes, refuseUnknownKeys } from '../errors.js';
import { COARSE_MIN_DISTINCT, createKMeans, type KMeansResult } from '../kmeans/kmeans.js';
import { allGrey } from '../kmeans/grey-line.js';
import { createColourSearch } from '../map/map-histogram.js';
import { createPaletteSearch } from '../map/nearest.js';
import { solveAssignment } from '../transfer/hungarian.js';
import { createSceneCutDetector, DEFAULT_SCENE_CUT } from './scene-cut.js';
import { requireResolvedClustering, RESOLVED_SEQUENCE_NAMES, type ClusterOptions, type Seeding } from '../options.js';
import type { ColorHistogram } from '../kmeans/histogram.js';
import type { ChangedBox, Frame, FrameDifference } from '../types.js';
import { sameOpaqueColour, wordsOf } from '../pixel-words.js';
import { changedBox, compareFrames, type FrameChange } from './frame-change.js';
import { checkStability, clusterErrors, holdJumps, holdPalette, STABILITY_PRESETS, unchangedPixelsPerEntry, type StabilityOptions } from './stability.js';

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
  /** Whether a refresh (`StabilityOptions.refresh`) was tried on this frame, and if so whether its blend was taken. */
  readonly refresh: 'not tried' | 'declined' | 'adopted';
}

/** The frame before: its source pixels (RGBA bytes, its `data`, as they were) and the palette entry each was written with. */
export interface PreviousFrame {
  readonly source: Uint8Array;
  readonly indices: Uint8Array;
  /** Where this frame can differ from `source` (TimedFrame.changedWithin): outside it, the same bytes. */
  readonly changedWithin?: ChangedBox;
}

export interface SequentialOptions extends ClusterOptions {
  /** `seeded` or `none`; `global` (what resolveSequenceOptions may give) is refused: one palette for a clip is clipPalette's. */
  seeding: Seeding;
  stability?: StabilityOptions;
}

/** The frame before, as a caller passed it: its arrays, of this frame's size, and its box inside the frame. */
function checkFrameBefore(last: PreviousFrame, frame: Frame): void {
  if (!(isBytes(last.source) && isBytes(last.indices))) {
    throw new ChromaseedError('ERR_INPUT', 'the frame before is { source, indices }: its RGBA bytes (the frame\'s data) and its palette indices, each a Uint8Array or Uint8ClampedArray');
  }
  if (last.source.length !== frame.data.length || last.indices.length * 4 !== frame.data.length) {
    throw new ChromaseedError('ERR_INPUT', `the frame before has ${last.source.length / 4} pixels and ${last.indices.length} indices; this frame has ${frame.data.length / 4} (pass it only when the sizes match)`);
  }
  if (last.changedWithin !== undefined) checkChangedWithin(last.changedWithin, frame.width, frame.height);
}

/** A caller's changedWithin is read as array bounds: one outside the frame would compare bytes that are not there. */
export function checkChangedWithin(box: ChangedBox, width: number, height: number): void {
  if (!isBoxInside(box, width, height)) {
    throw new ChromaseedError('ERR_INPUT', `changedWithin is a box { x0, y0, x1, y1 } of whole numbers inside the ${width}x${height} frame, not ${JSON.stringify(box)}`);
  }
}

/**
 * Per-frame k-means over a clip. With `seeded`, the first frame gets a full initialisation
 * (with restarts) and every later frame starts from the previous frame's centroids, so
 * entry i stays entry i and a colour that persists keeps its slot; with `none`, each
 * frame is clustered from scratch (a fresh seed per frame), the flickering baseline.
 */
export function createSequentialQuantizer(options: SequentialOptions): {
  /**
   * `last`: the previous frame's source and output, when it has this frame's size. The
   * still-pixel levers need it; without it the frame-difference cut test keeps a copy of
   * each frame to compare with.
   */
  next(frame: Frame, last?: PreviousFrame | null): FramePalette;
  /** The colour histogram of the frame last passed to `next` (valid until the next call). */
  readonly histogram: ColorHistogram;
  /** Per colour of `histogram`: the entry of the last returned palette whose cluster k-means put it in, where mapping starts its search (`histogram.count` entries). */
  readonly colourLabels: Int32Array;
  /**
   * Where the frame last passed to `next` differs from the `last` frame passed with it: a
   * box, or null where nothing changed; undefined without a `last` (or with one that is
   * this frame's own buffer).
   */
  readonly changed: ChangedBox | null | undefined;
} {
  requireResolvedClustering(options, 'createSequentialQuantizer', 'resolveSequenceOptions');
  // What resolveSequenceOptions gives is taken whole (its dither is the caller's, who maps).
  refuseUnknownKeys('createSequentialQuantizer', options, RESOLVED_SEQUENCE_NAMES);
  if (options.stability !== undefined) checkStability(options.stability, 'createSequentialQuantizer');
  if (options.seeding !== 'seeded' && options.seeding !== 'none') {
    throw invalidOption('seeding', "'seeded' or 'none' here (one palette for the whole clip: quantizeClip or clipPalette)", options.seeding);
  }
  const engine = createKMeans({ frames: true });
  const stability = options.stability ?? STABILITY_PRESETS.none;
  let previous: FramePalette | null = null;
  /** Clusters the last palette's frame had: fewer than its entries when some are kept unused (matchEntries). */
  let previousClusters = 0;
  let frameIndex = 0;
  /** Frames from one refresh to the next where refreshes back off: `stability.refresh`, doubled after each that is declined (see REFRESH_MAX_BACKOFF). */
  let refreshGap = stability.refresh;
  /** Frames where refreshes back off skip them before this frame index. */
  let backOffUntil = 0;
  /** The frame index of the last scene cut (-1: none yet), and how many came in a row each within CUT_SPACING of the one before (see cutRestarts). */
  let lastCut = -1;
  let closeCuts = 0;
  /**
   * `colourLabels`: the engine's labels are those of its last run, which is not always the
   * palette's (a declined refresh ran after the seeded run; a fresh palette's entries are
   * renumbered to match the old ones), so the sequence keeps its own copy.
   */
  let paletteLabels = new Int32Array(0);
  const slotOf = new Uint8Array(256);
  const keepLabels = (): void => {
    const count = engine.histogram.count;
    if (paletteLabels.length < count) paletteLabels = new Int32Array(Math.max(count, 2 * paletteLabels.length));
    paletteLabels.set(engine.colourLabels.subarray(0, count));
  };
  const counts = new Float64Array(256);
  const errors = new Float64Array(256);
  const search = createPaletteSearch();
  const currentSearch = createPaletteSearch();
  const colourSearch = createColourSearch();
  // Frame-difference half of the cut test (the objective jump is the other half). A large
  // difference while most pixels stay (a window opening in a screen recording) is new
  // content, not a new scene.
  const cuts = createSceneCutDetector({ ...DEFAULT_SCENE_CUT, inertiaFactor: Infinity, stillShare: 0.5 });
  const rounded = new Uint8Array(256 * 3);
  const order = new Float64Array(256 * 3);
  const cost = new Float64Array(256 * 256);
  const taken = new Uint8Array(256);
  const persisting = new Int16Array(256);
  const persistedSlot = new Uint8Array(256);
  const anchorWeights = new Float64Array(256);
  const stillPerEntry = new Float64Array(256);
  const unchangedPerEntry = new Float64Array(256);
  const candidateWritten = new Uint8Array(256 * 3);
  const seededWritten = new Uint8Array(256 * 3);
  /** The frame of the last `next`, whose colours the engine counted: what a changed box may be relative to. */
  let lastCounted: Uint8Array | null = null;
  /** The frame last compared as the newer one (its data) and how many of its pixels are opaque: what a comparison inside a box counts the rest from. */
  let lastCompared: Uint8Array | null = null;
  let lastComparedOpaque = 0;
  /** This frame's `changed` box, and the promise the engine's colour count may rely on. */
  let changed: ChangedBox | null | undefined;
  let difference: FrameDifference | undefined;
  let candidateOf = new Int32Array(0);
  let currentOf = new Int32Array(0);
  const { colors, init, restarts, metric, space, seed, maxIterations } = options;
  // --max-iterations caps every run, a seeded frame's too (--stability none gives it 300).
  const frameIterations = Math.min(stability.frameIterations, maxIterations);

  /**
   * A clustering of the frame from scratch: `restartCount` initialisations, `iterations`
   * Lloyd steps at most per run, `refineIterations` per run on the exact colours after the
   * restarts, `exactGrey` as KMeansOptions has it. `counted`: the engine has already run on
   * this frame, so its colour histogram is reused rather than built again.
   */
  const fresh = (frame: Frame, counted: boolean, restartCount: number, { iterations = maxIterations, refineIterations = iterations, exactGrey = true }: { iterations?: number; refineIterations?: number; exactGrey?: boolean } = {}): KMeansResult => {
    const o = { k: colors, init, metric, space, maxIterations: iterations, refineIterations, restarts: restartCount, seed: (seed + frameIndex) >>> 0, exactGrey };
    return counted ? engine.rerun(o) : engine.run(frame.data, o, difference);
  };

  /** More colours than entries, and all greys: where the exact clustering (grey-line.ts) applies. */
  const isGreyLine = (histogram: ColorHistogram): boolean => histogram.count > colors && allGrey(histogram.colors, histogram.count);

  /**
   * A fresh clustering blended into the seeded one (on greys, the exact optimum itself,
   * entries renumbered), or null when it does not win by a clear margin (see adoptable).
   */
  const refreshed = (frame: Frame, seeded: KMeansResult, previous: FramePalette, last: PreviousFrame | undefined, greys: boolean): KMeansResult | null => {
    // A short run is enough to show where the seeded palette is missing colours. Where the
    // full clustering, with its restarts, costs little (a GIF's frames), its better optimum
    // is what makes a refresh worth adopting: earth.gif 34.79 -> 35.19 dB for flicker
    // 0.489 -> 0.506 (one start run to convergence gave the short run's 34.79). Greys have
    // their optimum, found exactly whatever the start (grey-line.ts).
    const full = engine.histogram.count * colors <= FULL_REFRESH_WORK;
    const candidate = greys ? fresh(frame, true, 1) : full ? fresh(frame, true, restarts) : fresh(frame, true, 1, { iterations: REFRESH_ITERATIONS, refineIterations: REFRESH_REFINE_ITERATIONS });
    if (candidate.k !== colors) return null;
    const blend = candidate.centroids.slice(0, colors * 3);
    matchEntries(blend, colors, seeded.centroids, colors, order, cost, taken, slotOf);
    // The optimum is taken whole, entries matched to the old ones: a blend with the seeded
    // entries, and Lloyd steps from it, would leave it for a worse local optimum. Tried on
    // every frame, it must win by GREY_GAIN_FACTOR times the gain (see there).
    if (greys) {
      const optimum = engine.rerun({ k: colors, metric, space, maxIterations: 0, initialCentroids: blend });
      return adoptable(frame, optimum, seeded, previous, last, Math.min(1, GREY_GAIN_FACTOR * stability.refreshGain));
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
    return adoptable(frame, engine.rerun({ k: colors, metric, space, maxIterations: frameIterations, initialCentroids: blend }), seeded, previous, last);
  };

  /**
   * `candidate` when it fits the frame better than `seeded` by the fraction `gain` (the
   * refresh gain unless said), plus what repainting unchanged pixels costs (`stillWeight`)
   * relative to the seeded palette's squared error; else null.
   */
  const adoptable = (frame: Frame, candidate: KMeansResult, seeded: KMeansResult, previous: FramePalette, last: PreviousFrame | undefined, gain = stability.refreshGain): KMeansResult | null => {
    const bar = (1 - gain) * seeded.inertia;
    if (candidate.inertia >= bar) return null;
    if (last === undefined || stability.stillWeight === 0) return candidate;
    // Only now, with the candidate good enough on its own, is the repaint worth measuring, on
    // the bytes each choice would really write (held colours included).
    const candidateBytes = written(candidate.centroids, previous.palette, candidateWritten, engine.colourLabels);
    const seededBytes = written(seeded.centroids, previous.palette, seededWritten, paletteLabels);
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

  /**
   * The frame's clustering as palette entries (`size` of them), numbered as the entries
   * before were, and the frame's colour labels renumbered to match.
   *
   * A new clustering numbers its clusters arbitrarily: each gets the slot of the old entry
   * it is closest to, so colours that persist keep their entry (and, through the palette
   * hold, their exact bytes) even across a refresh, a cut, or a palette that grows (a clip
   * whose first frames have fewer than k colours) or shrinks (a frame of fewer colours than
   * the palette has: the other entries stay, unused). A frame with no opaque pixel has no
   * palette: it leaves the last one as it was.
   */
  function numberAsBefore(result: KMeansResult, isFresh: boolean, refresh: FramePalette['refresh']): { centroids: Float64Array; size: number } {
    let size = result.k;
    const centroids = new Float64Array(Math.max(size, previous?.size ?? 0) * 3);
    centroids.set(result.centroids.subarray(0, size * 3));
    // The slot each cluster's entry went to, where the entries were renumbered.
    let renumbered: Uint8Array | null = null;
    if (previous !== null && isFresh && size > 0) {
      size = matchEntries(centroids, size, previous.centroids, previous.size, order, cost, taken, slotOf);
      renumbered = slotOf;
    }
    // A new palette (fresh, or a refresh's blend) may have moved a colour that persists to
    // another slot: give it its slot back.
    if (previous !== null && (isFresh || refresh === 'adopted') && size >= previous.size) {
      keepPersistingSlots(centroids, size, previous.palette, previous.size, { order, cost, taken, persisting, slotOf: persistedSlot });
      // After a matching, the two moves made one: each cluster's entry went to slotOf[j], then on.
      if (renumbered !== null) for (let j = 0; j < result.k; j++) slotOf[j] = persistedSlot[slotOf[j]];
      else renumbered = persistedSlot;
    }
    // The colours' clusters were numbered before the moves: number them as the entries now
    // are, in one pass over the frame's colours.
    if (renumbered !== null) for (let i = 0; i < engine.histogram.count; i++) paletteLabels[i] = renumbered[paletteLabels[i]];
    return { centroids: centroids.subarray(0, size * 3), size };
  }

  return {
    get histogram() {
      return engine.histogram;
    },
    get colourLabels() {
      return paletteLabels;
    },
    get changed() {
      return changed;
    },
    next(frame, given) {
      checkRgbaFrame(frame);
      const last = given ?? undefined;
      if (last !== undefined) checkFrameBefore(last, frame);
      // No box where the frame before is this frame's own buffer (a source that redraws one
      // canvas in place): what it held is gone, and "nothing changed" would freeze the
      // output on old content. Nor in a frame of no pixels (0 wide or high): no box fits it, and
      // the engine refused the one it was given ("a run's difference is ...") at the second frame.
      changed = last === undefined || last.source === frame.data || frame.data.length === 0 ? undefined : changedBox(frame.data, last.source, frame.width, last.changedWithin);
      const where: FrameDifference | undefined = changed !== undefined ? { changed, width: frame.width } : undefined;
      // The colour count may look only inside the box when the frame before is the one it counted.
      difference = where !== undefined && last!.source === lastCounted ? where : undefined;
      if (options.seeding === 'none') {
        // The baseline: a random start per frame, as unseeded k-means has, even where the
        // exact grey solution exists (that would make it steadier than unseeded k-means is).
        const result = fresh(frame, false, 1, { exactGrey: false });
        lastCounted = frame.data;
        frameIndex++;
        keepLabels();
        return toFramePalette(result);
      }
      const anchoring = stability.anchor > 0;
      let change: FrameChange | null = null;
      if (last && (stability.sceneCut > 0 || anchoring)) {
        // The anchor's still pixels per entry need the whole frame; the cut test, only the box.
        const known = where !== undefined && !anchoring && last.source === lastCompared ? { ...where, beforeOpaquePixels: lastComparedOpaque } : undefined;
        change = compareFrames(frame.data, last.source, anchoring ? { beforeIndices: last.indices, counts: stillPerEntry } : null, known);
        lastCompared = frame.data;
        lastComparedOpaque = change.nowOpaquePixels;
      }
      let result: KMeansResult | null = null;
      let refresh: FramePalette['refresh'] = 'not tried';
      let counted = false;
      // Without the frame before (a first frame, another size, a caller that does not pass
      // it), the detector compares with its own copy of the last frame it saw. The
      // objective-jump test below has no "mostly still" exception: when the old palette
      // fits that badly, a fresh start pays anyway.
      const differenceCut = stability.sceneCut > 0 && (change !== null ? cuts.nextChange(change, NaN) : cuts.next(frame, NaN));
      // Whether this frame is a scene cut, by either test.
      let isCut = differenceCut;
      // A frame the same as the one before (and so the frame the engine last counted) keeps
      // the palette it had: Lloyd steps from it, or a refresh, could only move it. A still clip
      // of 9,000 colours at --stability none, whose first clustering had not quite converged,
      // repainted up to 8% of its pixels from frame to frame.
      if (changed === null && difference !== undefined && previous !== null && !differenceCut) {
        lastCounted = frame.data;
        frameIndex++;
        return { ...previous, iterations: 0, fresh: false, refresh: 'not tried' };
      }
      // A palette smaller than k, or with entries the last frame left unused (it had fewer
      // distinct colours, a fade from black say), cannot seed k clusters; start fresh so the
      // palette can grow back.
      if (previous !== null && previous.size === colors && previousClusters === colors && !differenceCut) {
        const seeded = engine.run(frame.data, {
          k: colors,
          metric,
          space,
          maxIterations: frameIterations,
          initialCentroids: previous.centroids,
          anchorWeights: change !== null && anchoring ? scaled(stillPerEntry, stability.anchor, anchorWeights) : undefined,
        }, difference);
        counted = true;
        // How well the last palette fits this frame after one step (no step: no colours at all).
        const firstStep = seeded.firstStepInertia ?? Infinity;
        const cut = stability.sceneCut > 0 && firstStep > stability.sceneCut * Math.max(previous.inertia, 1);
        isCut = cut;
        if (!cut) {
          result = seeded;
          // Seeded k-means only refines the palette it was given; when the content has drifted
          // away from it (a cluster starved, new colours crowded into one), a fresh clustering
          // fits much better. Try one now and then.
          keepLabels();
          // Whether a declined refresh backs off: where it costs what one on a frame of many colours does at k = 16 (BACKOFF_MIN_WORK).
          const costly = engine.histogram.count * Math.max(colors, 16) >= BACKOFF_MIN_WORK;
          const greys = stability.refresh > 0 && isGreyLine(engine.histogram);
          if (stability.refresh > 0 && (greys || frameIndex % stability.refresh === 0) && (!costly || frameIndex >= backOffUntil)) {
            const blended = refreshed(frame, seeded, previous, last, greys);
            if (blended !== null) {
              result = blended;
              keepLabels();
            }
            refresh = blended !== null ? 'adopted' : 'declined';
            const backOff = blended === null && costly;
            refreshGap = backOff ? Math.min(2 * refreshGap, REFRESH_MAX_BACKOFF * stability.refresh) : stability.refresh;
            backOffUntil = backOff ? frameIndex + refreshGap : 0;
          }
        }
      }
      const isFresh = result === null;
      if (result === null) {
        // A new start (the first frame, a scene cut) also ends a back-off: its palette is new.
        refreshGap = stability.refresh;
        backOffUntil = 0;
        let restartCount = restarts;
        if (isCut) {
          closeCuts = lastCut >= 0 && frameIndex - lastCut < CUT_SPACING ? closeCuts + 1 : 0;
          lastCut = frameIndex;
          restartCount = cutRestarts(restarts, closeCuts);
        }
        result = fresh(frame, counted, restartCount);
        keepLabels();
      }
      lastCounted = frame.data;
      frameIndex++;
      const { centroids, size } = numberAsBefore(result, isFresh, refresh);
      const continues = previous !== null && previous.size === size;
      const held = continues ? previous!.palette : null;
      // Only with a frame before that is not this frame's own buffer (a source that redraws one
      // canvas in place, where every pixel would look unchanged): where `changed` is known.
      const jumpHold = held !== null && changed !== undefined && stability.jumpHold > 0 && !isFresh && refresh !== 'adopted';
      if (held !== null && (stability.paletteHold > 0 || jumpHold)) clusterErrors(engine.histogram, centroids, size, colourSearch, paletteLabels, rounded, counts, errors);
      const palette = holdPalette(centroids, held, size, stability.paletteHold, counts, errors, new Uint8Array(size * 3));
      if (jumpHold) holdJumps(centroids, held!, palette, size, stability, counts, errors, (entries) => unchangedPixelsPerEntry(frame.data, last!.source, last!.indices, entries, size, unchangedPerEntry));
      const out: FramePalette = { centroids, palette, size, inertia: result.inertia, iterations: result.iterations, fresh: isFresh, refresh };
      if (size > 0) {
        previous = out;
        previousClusters = result.k;
      }
      return out;
    },
  };
}

function scaled(values: Float64Array, factor: number, out: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) out[i] = values[i] * factor;
  return out;
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
 * Past CUT_GRACE scene cuts in a row, each within CUT_SPACING frames of the one before, each
 * gets half the restarts of the one before (one at least): a strobe, a slideshow of a frame
 * a picture, or two sources interleaved frame by frame cut on every frame, and each cut's
 * full restarts made seeded k = 256 five times as slow as unseeded k-means (300 frames of
 * 640x480 alternating between two photos: 230 s against 49; ffmpeg's per-frame palettes
 * 16 s). A few cuts close together keep every restart: halving from the first new start
 * raised animated-loop-3.gif's flicker by 39% (new starts at frames 0, 1, 5, 6). Other new
 * starts (the first frame, a palette growing back) neither count nor back off.
 */
const CUT_SPACING = 8;
const CUT_GRACE = 3;

/** The restarts of a scene cut that is the `closeCuts`-th in a row close to the one before (see CUT_SPACING). */
export function cutRestarts(restarts: number, closeCuts: number): number {
  return Math.max(1, Math.floor(restarts / 2 ** Math.max(0, closeCuts - CUT_GRACE)));
}

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

/**
 * Reorders `centroids` (`size`*3, in place) by a minimum-total-distance one-to-one matching
 * with the old entries (Hungarian method). When the palette keeps its size or grows, old
 * entry i's match takes slot i and the new colours the slots after the old ones; when it
 * shrinks (the frame has fewer colours than the old palette entries: each new entry is one
 * of its colours exactly), each new entry takes the slot of the old one it matched, and the
 * old entries no new one matched keep their slots and colours, unused by this frame, so that
 * no entry moves and one whose colour comes back is still there (`centroids` then needs room
 * for `oldSize` entries). Returns the palette's size: `size`, or `oldSize` when it shrinks.
 * `slotOf[j]`: the slot entry j went to.
 */
function matchEntries(centroids: Float64Array, size: number, old: Float64Array, oldSize: number, order: Float64Array, cost: Float64Array, taken: Uint8Array, slotOf: Uint8Array): number {
  const grows = size >= oldSize;
  // Rows are the smaller side, as the solver wants.
  const rows = grows ? oldSize : size;
  const cols = grows ? size : oldSize;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const o = (grows ? r : c) * 3;
      const n = (grows ? c : r) * 3;
      const dr = old[o] - centroids[n];
      const dg = old[o + 1] - centroids[n + 1];
      const db = old[o + 2] - centroids[n + 2];
      cost[r * cols + c] = dr * dr + dg * dg + db * db;
    }
  }
  const assignment = solveAssignment(cost, rows, cols);
  order.set(centroids.subarray(0, size * 3));
  const place = (from: number, slot: number): void => {
    slotOf[from] = slot;
    centroids[slot * 3] = order[from * 3];
    centroids[slot * 3 + 1] = order[from * 3 + 1];
    centroids[slot * 3 + 2] = order[from * 3 + 2];
  };
  if (grows) {
    taken.fill(0, 0, size);
    for (let i = 0; i < oldSize; i++) {
      place(assignment[i], i);
      taken[assignment[i]] = 1;
    }
    let next = oldSize;
    for (let j = 0; j < size; j++) if (taken[j] === 0) place(j, next++);
    return size;
  }
  centroids.set(old.subarray(0, oldSize * 3));
  for (let j = 0; j < size; j++) place(j, assignment[j]);
  return oldSize;
}

/**
 * An entry within this distance (sRGB units) of an old one, each the other's nearest, is
 * the same colour persisting.
 */
const PERSISTS = 2;

/** Far above any sum of the costs below, so that no matching takes a pair it bars. */
const BARRED = 1e6;

/**
 * Renumbers a new palette's `size` entries (`centroids`, in place) so that each colour that
 * persists from `old` (the last palette's `oldSize` written colours, which the palette hold
 * may have kept while a centroid drifted; at most `size`) sits in its old slot, moving as
 * few other entries as that takes, each displaced one to the free slot whose old colour is
 * nearest. The minimum total squared move that matchEntries and a refresh's blend make
 * would rather shift a chain of entries by one slot each than leave one where it was and
 * move another far: a fresh palette of greys with one level new had every entry above it
 * move up a slot (pigs_in_a_polka.gif: 20 such frames in 30, exact levels included), and a
 * slot whose colour changes repaints what the palette hold, the pixel hold, the timeline
 * and a transfer draw with it. `slotOf[j]`: the slot entry j went to.
 */
function keepPersistingSlots(
  centroids: Float64Array, size: number, old: ArrayLike<number>, oldSize: number,
  { order, cost, taken, persisting, slotOf }: { order: Float64Array; cost: Float64Array; taken: Uint8Array; persisting: Int16Array; slotOf: Uint8Array },
): void {
  const distance = (o: number, n: number): number => (old[o * 3] - centroids[n * 3]) ** 2 + (old[o * 3 + 1] - centroids[n * 3 + 1]) ** 2 + (old[o * 3 + 2] - centroids[n * 3 + 2]) ** 2;
  /** Of `count` entries, the one `d` puts nearest. */
  const nearest = (count: number, d: (other: number) => number): number => {
    let best = 0;
    let bestDistance = d(0);
    for (let j = 1; j < count; j++) {
      const dj = d(j);
      if (dj < bestDistance) {
        best = j;
        bestDistance = dj;
      }
    }
    return best;
  };
  // persisting[o]: the new entry that is old entry o's colour, or -1; taken[n]: whether new entry n is one.
  persisting.fill(-1, 0, size);
  taken.fill(0, 0, size);
  for (let o = 0; o < oldSize; o++) {
    const n = nearest(size, (j) => distance(o, j));
    if (distance(o, n) <= PERSISTS * PERSISTS && nearest(oldSize, (j) => distance(j, n)) === o) {
      persisting[o] = n;
      taken[n] = 1;
    }
  }
  // A persisting colour to its old slot; every other entry stays where it is (0), or moves
  // (1, and a little more the farther the slot's old colour: under 0.2, so that the number of
  // moves comes first; a slot with no old colour, 1).
  for (let o = 0; o < size; o++) {
    for (let n = 0; n < size; n++) {
      cost[o * size + n] = persisting[o] >= 0 ? (persisting[o] === n ? 0 : BARRED) : taken[n] === 1 ? BARRED : o === n ? 0 : o < oldSize ? 1 + distance(o, n) / 1e6 : 1;
    }
  }
  const assignment = solveAssignment(cost, size, size);
  order.set(centroids.subarray(0, size * 3));
  for (let o = 0; o < size; o++) {
    const n = assignment[o];
    slotOf[n] = o;
    centroids[o * 3] = order[n * 3];
    centroids[o * 3 + 1] = order[n * 3 + 1];
    centroids[o * 3 + 2] = order[n * 3 + 2];
  }
}

/** A k-means result as a palette of rounded colours (no holding: one-off palettes). */
export function toFramePalette(result: KMeansResult): FramePalette {
  const size = result.k;
  const centroids = result.centroids.slice(0, size * 3);
  const palette = holdPalette(centroids, null, size, 0, null, null, new Uint8Array(size * 3));
  return { centroids, palette, size, inertia: result.inertia, iterations: result.iterations, fresh: true, refresh: 'not tried' };
}
