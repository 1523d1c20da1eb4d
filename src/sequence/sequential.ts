import { checkRgbaFrame, ChromaseedError, invalidOption, isBoxInside, isBytes, refuseUnknownKeys } from '../errors.js';
import { createKMeans, type KMeansResult } from '../kmeans/kmeans.js';
import { createColourSearch } from '../map/map-histogram.js';
import { createSceneCutDetector, DEFAULT_SCENE_CUT } from './scene-cut.js';
import { requireResolvedClustering, RESOLVED_SEQUENCE_NAMES, type ClusterOptions, type Seeding } from '../options.js';
import type { ColorHistogram } from '../kmeans/histogram.js';
import type { ChangedBox, Frame, FrameDifference } from '../types.js';
import { changedBox, compareFrames, type FrameChange } from './frame-change.js';
import { createMatchScratch, keepPersistingSlots, matchEntries } from './palette-numbering.js';
import { createRefresher } from './refresh.js';
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

/** How a clustering from scratch may be cut short (`fresh` in createSequentialQuantizer, which refresh.ts is given too). */
export interface FreshRun {
  /** Lloyd steps at most per run (default: the sequence's --max-iterations). */
  iterations?: number;
  /** Lloyd steps at most per run on the exact colours after the restarts (default: `iterations`). */
  refineIterations?: number;
  /** As KMeansOptions has it (default true). */
  exactGrey?: boolean;
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
  /** The frame index of the last scene cut (-1: none yet), and how many came in a row each within CUT_SPACING of the one before (see cutRestarts). */
  let lastCut = -1;
  let closeCuts = 0;
  /**
   * `colourLabels`: the engine's labels are those of its last run, which is not always the
   * palette's (a declined refresh ran after the seeded run; a fresh palette's entries are
   * renumbered to match the old ones), so the sequence keeps its own copy.
   */
  let paletteLabels = new Int32Array(0);
  const keepLabels = (): void => {
    const count = engine.histogram.count;
    if (paletteLabels.length < count) paletteLabels = new Int32Array(Math.max(count, 2 * paletteLabels.length));
    paletteLabels.set(engine.colourLabels.subarray(0, count));
  };
  const counts = new Float64Array(256);
  const errors = new Float64Array(256);
  const colourSearch = createColourSearch();
  // Frame-difference half of the cut test (the objective jump is the other half). A large
  // difference while most pixels stay (a window opening in a screen recording) is new
  // content, not a new scene.
  const cuts = createSceneCutDetector({ ...DEFAULT_SCENE_CUT, inertiaFactor: Infinity, stillShare: 0.5 });
  const rounded = new Uint8Array(256 * 3);
  const matching = createMatchScratch();
  const { slotOf, persistedSlot } = matching;
  const anchorWeights = new Float64Array(256);
  const stillPerEntry = new Float64Array(256);
  const unchangedPerEntry = new Float64Array(256);
  /** The frame of the last `next`, whose colours the engine counted: what a changed box may be relative to. */
  let lastCounted: Uint8Array | null = null;
  /** The frame last compared as the newer one (its data) and how many of its pixels are opaque: what a comparison inside a box counts the rest from. */
  let lastCompared: Uint8Array | null = null;
  let lastComparedOpaque = 0;
  /** This frame's `changed` box, and the promise the engine's colour count may rely on. */
  let changed: ChangedBox | null | undefined;
  let difference: FrameDifference | undefined;
  const { colors, init, restarts, metric, space, seed, maxIterations } = options;
  // --max-iterations caps every run, a seeded frame's too (--stability none gives it 300).
  const frameIterations = Math.min(stability.frameIterations, maxIterations);

  /**
   * A clustering of the frame from scratch: `restartCount` initialisations, `iterations`
   * Lloyd steps at most per run, `refineIterations` per run on the exact colours after the
   * restarts, `exactGrey` as KMeansOptions has it. `counted`: the engine has already run on
   * this frame, so its colour histogram is reused rather than built again.
   */
  const fresh = (frame: Frame, counted: boolean, restartCount: number, { iterations = maxIterations, refineIterations = iterations, exactGrey = true }: FreshRun = {}): KMeansResult => {
    const o = { k: colors, init, metric, space, maxIterations: iterations, refineIterations, restarts: restartCount, seed: (seed + frameIndex) >>> 0, exactGrey };
    return counted ? engine.rerun(o) : engine.run(frame.data, o, difference);
  };
  const refresher = createRefresher({ engine, colors, restarts, metric, space, stability, frameIterations, fresh, matching, hold: { colourSearch, rounded, counts, errors } });

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
      size = matchEntries(centroids, size, previous.centroids, previous.size, matching);
      renumbered = slotOf;
    }
    // A new palette (fresh, or a refresh's blend) may have moved a colour that persists to
    // another slot: give it its slot back.
    if (previous !== null && (isFresh || refresh === 'adopted') && size >= previous.size) {
      keepPersistingSlots(centroids, size, previous.palette, previous.size, matching);
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
          keepLabels();
          // Now and then, a fresh clustering of the frame too (refresh.ts).
          const tried = refresher.refresh(frame, frameIndex, seeded, paletteLabels, previous, last);
          refresh = tried.refresh;
          if (tried.result !== null) {
            result = tried.result;
            keepLabels();
          }
        }
      }
      const isFresh = result === null;
      if (result === null) {
        refresher.newStart();
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

/** A k-means result as a palette of rounded colours (no holding: one-off palettes). */
export function toFramePalette(result: KMeansResult): FramePalette {
  const size = result.k;
  const centroids = result.centroids.slice(0, size * 3);
  const palette = holdPalette(centroids, null, size, 0, null, null, new Uint8Array(size * 3));
  return { centroids, palette, size, inertia: result.inertia, iterations: result.iterations, fresh: true, refresh: 'not tried' };
}
