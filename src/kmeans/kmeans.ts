import { fromSrgb, toSrgb } from '../color/space.js';
import { checkRgbaPixels, ChromaseedError, invalidOption, isBoxInside, isNumberIn, namesOf, refuseUnknownKeys, requireChoice, requireFlag, requireFunction, requireInRange, requireObject } from '../errors.js';
import { INITS, METRICS, SPACES } from '../options.js';
import type { ColorSpace, FrameDifference, InitMethod, Metric } from '../types.js';
import { dedupePoints } from './dedupe.js';
import { buildHistogram, createHistogram, type ColorHistogram } from './histogram.js';
import { heartbeat } from './heartbeat.js';
import { createFrameHistogram } from './frame-histogram.js';
import { createLloydScratch, lloyd, type LloydScratch } from './lloyd.js';
import { giveEachColourACentre } from './own-centres.js';
import { emptyPointSet, meanVariance, reservePoints } from './point-sets.js';
import { createRestarts, type Reporter } from './restarts.js';
import { DEFAULT_MAX_ITERATIONS, defaultRestarts, MAX_ITERATIONS, MAX_RESTARTS } from '../limits.js';

/** Below this many distinct colours the restarts run on the exact colours directly (restarts.ts). */
export { COARSE_MIN_DISTINCT } from './restarts.js';

/**
 * Weighted k-means over colours, the way the pipeline needs it:
 *  1. exact histogram: k-means on the distinct colours weighted by pixel count has the
 *     same objective as k-means on every pixel, and is much smaller;
 *  2. when there are many distinct colours, the restarts run on a coarse histogram
 *     (5 bits per channel, each bin at the exact weighted mean of its colours), which
 *     ranks starting points well at a small fraction of the cost;
 *  3. for k <= 32, a swap search (swap.ts) improves the best restart, escaping the local
 *     optima that restarts only avoid by luck;
 *  4. the best two coarse solutions are refined on the exact distinct colours (for
 *     k <= 32 with a 20x tighter tolerance), and the better one wins: a true local
 *     optimum of the full-resolution problem (every pixel counts, nothing is subsampled).
 * Colours that are all greys skip 2-4: on that line the global optimum is found exactly
 * (grey-line.ts; `exactGrey`), whatever the init, restarts and seed.
 * Warm starts (given centroids) skip all that: one Lloyd run on the exact colours.
 */
export interface KMeansOptions {
  /** Number of clusters, 1..256. */
  k: number;
  /** Seeding when `initialCentroids` is not given (default 'kmeans++'). */
  init?: InitMethod;
  /** 'euclidean' (mean centres, squared distances) or 'manhattan' (median centres, L1). Default 'euclidean'. */
  metric?: Metric;
  /** Space the distances are measured in (default 'rgb'). Centroids are reported in sRGB regardless. */
  space?: ColorSpace;
  /** Number of initialisations; the lowest objective wins (default 10, or 3 for k of 128 or more: defaultRestarts). Ignored with `initialCentroids`. */
  restarts?: number;
  /** PRNG seed (default 0): equal seeds give equal results. */
  seed?: number;
  /** Upper limit on Lloyd update steps per run (default 300). */
  maxIterations?: number;
  /**
   * Upper limit on the Lloyd steps of each run on the exact colours that follows the
   * restarts (default `maxIterations`): the refinement of each of the best coarse restarts,
   * then the final polish of the winner, so the winner gets at most twice this. With 0
   * the restart's centres come back as they are, labelled on the exact colours: a rough
   * clustering at a fraction of the cost. Ignored with `initialCentroids`.
   */
  refineIterations?: number;
  /**
   * Stop when the summed squared centre shift falls to `tolerance` x the mean per-channel
   * variance of the data (scikit-learn's `tol` convention; default 1e-4). Runs also stop
   * as soon as no label changes. For k <= 32 the final runs on the exact colours use
   * tolerance / 20 (cheap with Hamerly's bounds, and worth a few tenths of a percent).
   */
  tolerance?: number;
  /**
   * Warm start: k*3 sRGB floats (0..255). Centroid i of the result evolves from entry i.
   * With at most k distinct colours, each colour ends as a centroid of its own, exactly
   * (objective 0), however few steps `maxIterations` allows and whatever `anchorWeights`
   * pull; centroids no colour took stay where the run left them.
   */
  initialCentroids?: Float64Array;
  /**
   * With `initialCentroids` and the euclidean metric: pull centre i toward its starting
   * point as if `anchorWeights[i]` more pixels sat there. The sequence uses it to hold
   * palette entries that serve pixels the source left still (temporal regularisation:
   * the update then minimises the objective plus Σ w_i‖c_i − start_i‖²).
   */
  anchorWeights?: Float64Array;
  /**
   * Colours that are all greys are clustered exactly (grey-line.ts): the global optimum,
   * whatever `init`, `restarts` and `seed` (default true), but for weights and values whose
   * range its sums cannot carry exactly enough, or more than 65,536 distinct points, which
   * get the restarts. false runs the restarts as for any colours: the unseeded sequence's
   * random start per frame.
   */
  exactGrey?: boolean;
  /** Also return a label per pixel / point (default false). */
  labels?: boolean;
  /** Debug hook: called after every update step with the objective reached so far. */
  onIteration?: (event: KMeansIterationEvent) => void;
}

export interface KMeansIterationEvent {
  /** 'coarse' = a restart on the coarse histogram; 'exact' = on the distinct colours. */
  phase: 'coarse' | 'exact';
  /**
   * Restart index (0 for a warm start); -1, -2: the refinement on the exact colours of the
   * best and second-best coarse restart; -99: the final polish. Swap-search steps are not
   * reported.
   */
  restart: number;
  /** 1-based update step within this run. */
  iteration: number;
  /** Objective (in the run's metric and space) of the labels and updated centres. */
  objective: number;
}

export interface KMeansResult {
  /**
   * Clusters returned: `requestedK`, or the number of distinct colours if smaller (0 if all
   * transparent). A warm start keeps `requestedK` (entry i stays entry i), some clusters
   * then empty.
   */
  k: number;
  requestedK: number;
  /** Distinct opaque colours (or distinct weighted points) in the input. */
  distinctColors: number;
  /** True when the input has fewer distinct colours than `requestedK`. */
  tooFewColors: boolean;
  /** k*3 sRGB floats, 0..255. */
  centroids: Float64Array;
  /** Pixels (or point weight) per cluster. */
  counts: Float64Array;
  /** counts / total, summing to 1 (empty input: all zero). */
  proportions: Float64Array;
  /**
   * Warm starts (`initialCentroids`) only: the objective after the first update step from
   * the given centres, in the run's metric and space. How well those centres fit: a seeded
   * frame's scene-cut test compares it with the frame before's `inertia`.
   */
  firstStepInertia?: number;
  /** Objective of the result, in the run's metric and space (scikit-learn's `inertia_` for rgb/euclidean). */
  inertia: number;
  /** Lloyd update steps of the returned solution (coarse + exact refinement). */
  iterations: number;
  /** Per pixel / point: cluster index, or -1 for transparent pixels / zero-weight points. */
  labels?: Int16Array;
}

/** A reusable engine: buffers are allocated on first use and kept for later calls. */
export interface KMeansEngine {
  /**
   * k-means on the opaque pixels of `rgba` (RGBA bytes; alpha 0 = ignored). `difference`
   * (an engine made with `frames`): where `rgba` differs from the frame of the last run,
   * a promise that lets its colours be recounted there only.
   */
  run(rgba: Uint8Array, options: KMeansOptions, difference?: FrameDifference): KMeansResult;
  /** k-means again on the pixels of the last `run` (another start, say), reusing its colour count. */
  rerun(options: KMeansOptions): KMeansResult;
  /** k-means on `points` (n*3 sRGB floats) with optional weights (null = all 1; <= 0 ignored). */
  runPoints(points: Float64Array, weights: Float64Array | null, options: KMeansOptions): KMeansResult;
  /** The exact histogram of the last `run` (valid until the next call; read only: with `frames`, the next count starts from it). */
  readonly histogram: ColorHistogram;
  /**
   * After `run` or `rerun`: per distinct colour of `histogram`, its cluster in the last
   * result, the centre nearest to it then (`histogram.count` entries; valid until the next
   * call). Where mapping starts its search for the colour's nearest palette entry.
   */
  readonly colourLabels: Int32Array;
}

interface Resolved {
  k: number;
  init: InitMethod;
  metric: Metric;
  space: ColorSpace;
  restarts: number;
  seed: number;
  maxIterations: number;
  refineIterations: number;
  tolerance: number;
  initialCentroids: Float64Array | undefined;
  anchorWeights: Float64Array | undefined;
  exactGrey: boolean;
  labels: boolean;
  onIteration: ((event: KMeansIterationEvent) => void) | undefined;
}

/**
 * A run's `difference`, read as array bounds: { width, changed } with `changed` null or a box
 * of whole numbers inside the frame (5 failed with "cannot read properties of undefined").
 */
function checkDifference(difference: FrameDifference, pixels: number): void {
  const { width, changed } = difference ?? {};
  const height = pixels / width;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && (changed === null || isBoxInside(changed, width, height)))) {
    throw new ChromaseedError('ERR_INPUT', `a run's difference is { width, changed }: the frame's width (a whole divisor of its ${pixels} pixels) and null or a box { x0, y0, x1, y1 } inside it, not ${JSON.stringify(difference) ?? String(difference)}`);
  }
}

/** Every name of KMeansOptions. */
const KMEANS_NAMES: readonly string[] = namesOf<KMeansOptions>({
  k: true, init: true, metric: true, space: true, restarts: true, seed: true, maxIterations: true, refineIterations: true,
  tolerance: true, initialCentroids: true, anchorWeights: true, exactGrey: true, labels: true, onIteration: true,
});

function resolve(options: KMeansOptions): Resolved {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'an object such as { k: 8 }', options);
  refuseUnknownKeys('k-means', options, KMEANS_NAMES);
  const k = options.k;
  requireInRange('k', k, 1, 256, 'an integer');
  const initial = options.initialCentroids;
  if (initial !== undefined && initial.length !== k * 3) {
    throw invalidOption('initialCentroids', `${k * 3} numbers (k*3)`, `${initial.length} numbers`);
  }
  const restarts = options.restarts ?? defaultRestarts(k);
  requireInRange('restarts', restarts, 1, MAX_RESTARTS, 'an integer');
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  requireInRange('maxIterations', maxIterations, 0, MAX_ITERATIONS, 'an integer');
  const refineIterations = options.refineIterations ?? maxIterations;
  requireInRange('refineIterations', refineIterations, 0, MAX_ITERATIONS, 'an integer');
  const init = requireChoice('init', INITS, options.init ?? 'kmeans++');
  const metric = requireChoice('metric', METRICS, options.metric ?? 'euclidean');
  const space = requireChoice('space', SPACES, options.space ?? 'rgb');
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw invalidOption('seed', 'an integer', seed);
  const tolerance = options.tolerance ?? 1e-4;
  if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance < Infinity)) throw invalidOption('tolerance', 'a number >= 0', tolerance);
  if (initial !== undefined && !initial.every(Number.isFinite)) throw invalidOption('initialCentroids', 'finite numbers', 'a NaN or an infinity');
  const anchors = options.anchorWeights;
  if (anchors !== undefined) {
    if (!(anchors !== null && typeof anchors === 'object' && anchors.length >= k)) throw invalidOption('anchorWeights', `${k} weights >= 0 (one per centroid)`, anchors === null || typeof anchors !== 'object' ? anchors : `${anchors.length} numbers`);
    const bad = Array.prototype.findIndex.call(anchors, (w: unknown, i: number) => i < k && !isNumberIn(w, 0, Number.MAX_VALUE));
    if (bad >= 0) throw invalidOption(`anchorWeights[${bad}]`, 'a finite weight >= 0', anchors[bad]);
  }
  requireFlag('exactGrey', options.exactGrey);
  requireFlag('labels', options.labels);
  requireFunction('onIteration', options.onIteration);
  return {
    k,
    init,
    metric,
    space,
    restarts: initial ? 1 : restarts,
    seed,
    maxIterations,
    refineIterations,
    tolerance,
    initialCentroids: initial,
    anchorWeights: anchors,
    exactGrey: options.exactGrey ?? true,
    labels: options.labels ?? false,
    onIteration: options.onIteration,
  };
}

/**
 * Create an engine whose scratch buffers persist across calls (one per clip, not per frame).
 * `frames`: `run` is given the frames of one clip, in order. A frame that differs little
 * from the one before, in content whose colour changes from pixel to pixel (a dithered
 * cinemagraph), then has its colours recounted where its pixels changed rather than
 * counted again (frame-histogram.ts; a copy of the last frame is kept for that). Same
 * colours and counts, listed in another order, which can change which of equally random
 * starts a fresh clustering takes.
 */
export function createKMeans(options: { frames?: boolean } = {}): KMeansEngine {
  refuseUnknownKeys('createKMeans', requireObject('options', '{ frames: true }', options), ['frames']);
  const frames = options.frames ?? false;
  if (typeof frames !== 'boolean') throw invalidOption('frames', 'true or false', frames);
  return createEngine(frames, true);
}

/**
 * createKMeans, and an engine whose `run` gives each pixel its colour's index
 * (`histogram.pixelIndex`; see buildHistogram) always, or, without `alwaysIndex`, only for
 * a run that asks for labels (read through it): the module's engine, whose histogram
 * nobody reads, keeps no index for a palette (4 bytes a pixel).
 */
function createEngine(frames: boolean, alwaysIndex: boolean): KMeansEngine {
  const histogram = createHistogram();
  const frameHistogram = frames ? createFrameHistogram(histogram) : null;
  const exact = emptyPointSet();
  const lloydScratch: LloydScratch = createLloydScratch();
  const best = new Float64Array(256 * 3);
  const colourOfCentre = new Int32Array(256);
  // Steps 2-4 of the general case (restarts.ts).
  const fromRestarts = createRestarts(exact, best, lloydScratch);
  // Dedupe buffers for runPoints.
  let pointSrgb = new Float64Array(0);
  let pointWeights = new Float64Array(0);
  let pointIndex = new Int32Array(0);

  /**
   * k-means on `n` distinct sRGB colours `srgb` with `weights`; `index` maps each input
   * item (pixel or point) to its distinct colour or -1.
   */
  function solve(srgb: ArrayLike<number>, weights: Float64Array, n: number, index: Int32Array, items: number, o: Resolved): KMeansResult {
    const requestedK = o.k;
    if (n === 0) return emptyResult(requestedK, o.labels ? items : -1);
    reservePoints(exact, n);
    exact.weights.set(weights.subarray(0, n));
    const convert = fromSrgb(o.space);
    for (let c = 0; c < n * 3; c += 3) convert(srgb[c], srgb[c + 1], srgb[c + 2], exact.points, c);
    const shiftTolerance = o.tolerance * meanVariance(exact);
    const hook = o.onIteration;
    const report: Reporter = (phase, restart) => (hook ? (iteration: number, objective: number) => hook({ phase, restart, iteration, objective }) : undefined);

    let k = requestedK;
    let iterations = 0;
    let inertia: number;
    let firstStepInertia: number | undefined;
    // Where each colour has a centre of its own: which colour each centre is (-1: one no colour took).
    let colourOf: Int32Array | null = null;
    if (o.initialCentroids) {
      // Warm start: one run from the given centres, indices preserved.
      const initial = o.initialCentroids;
      for (let c = 0; c < k * 3; c += 3) convert(initial[c], initial[c + 1], initial[c + 2], best, c);
      const anchors = o.anchorWeights && o.metric === 'euclidean' ? { centres: best.slice(0, k * 3), weights: o.anchorWeights } : undefined;
      const outcome = lloyd(exact, best, k, { metric: o.metric, maxIterations: o.maxIterations, shiftTolerance, onIteration: report('exact', 0), anchors, measureFirstStep: true }, lloydScratch);
      iterations = outcome.iterations;
      inertia = outcome.inertia;
      if (outcome.iterations > 0) firstStepInertia = outcome.firstStep;
      if (n <= k) {
        giveEachColourACentre(exact, best, k, lloydScratch.labels, colourOfCentre);
        colourOf = colourOfCentre;
        inertia = 0;
      }
    } else if (n <= requestedK) {
      // Every colour gets its own cluster: exact, no iterations needed.
      k = n;
      for (let c = 0; c < n * 3; c++) best[c] = exact.points[c];
      reserveLabels(n);
      for (let i = 0; i < n; i++) lloydScratch.labels[i] = colourOfCentre[i] = i;
      colourOf = colourOfCentre;
      inertia = 0;
    } else {
      ({ iterations, inertia } = fromRestarts(srgb, n, k, o, shiftTolerance, report));
    }
    const result = finish(srgb, n, k, requestedK, iterations, inertia, index, items, o, colourOf);
    if (firstStepInertia !== undefined) result.firstStepInertia = firstStepInertia;
    return result;
  }

  function reserveLabels(n: number): void {
    if (lloydScratch.labels.length < n) lloydScratch.labels = new Int32Array(n);
  }

  function finish(
    srgb: ArrayLike<number>, n: number, k: number, requestedK: number, iterations: number, inertia: number,
    index: Int32Array, items: number, o: Resolved, colourOf: Int32Array | null = null,
  ): KMeansResult {
    const labels = lloydScratch.labels;
    const counts = new Float64Array(k);
    const w = exact.weights;
    let total = 0;
    for (let i = 0; i < n; i++) {
      counts[labels[i]] += w[i];
      total += w[i];
    }
    const proportions = new Float64Array(k);
    for (let j = 0; j < k; j++) proportions[j] = counts[j] / total;
    const centroids = new Float64Array(k * 3);
    const back = toSrgb(o.space);
    for (let c = 0; c < k * 3; c += 3) back(best[c], best[c + 1], best[c + 2], centroids, c);
    // A centre that is one colour reports that colour, not its space round trip.
    if (colourOf !== null) for (let j = 0; j < k; j++) if (colourOf[j] >= 0) reportColour(srgb, colourOf[j], centroids, j);
    const result: KMeansResult = {
      k, requestedK, distinctColors: n, tooFewColors: n < requestedK,
      centroids, counts, proportions, inertia, iterations,
    };
    if (o.labels) {
      const out = new Int16Array(items);
      for (let p = 0; p < items; p++) {
        const d = index[p];
        out[p] = d < 0 ? -1 : labels[d];
      }
      result.labels = out;
    }
    return result;
  }

  let histogramPixels = -1;

  function run(rgba: Uint8Array, options: KMeansOptions, difference?: FrameDifference): KMeansResult {
    checkRgbaPixels('rgba', rgba);
    const o = resolve(options);
    if (difference !== undefined) checkDifference(difference, rgba.length >>> 2);
    if (frameHistogram !== null) frameHistogram.count(rgba, difference);
    else buildHistogram(rgba, histogram, alwaysIndex || o.labels);
    heartbeat();
    histogramPixels = rgba.length >>> 2;
    return solve(histogram.colors, histogram.weights, histogram.count, histogram.pixelIndex, histogramPixels, o);
  }

  function rerun(options: KMeansOptions): KMeansResult {
    if (histogramPixels < 0) throw new ChromaseedError('ERR_USAGE', 'rerun() clusters the pixels of the last run() again, and this engine has had no run() yet: call run(rgba, options) first');
    return solve(histogram.colors, histogram.weights, histogram.count, histogram.pixelIndex, histogramPixels, resolve(options));
  }

  function runPoints(points: Float64Array, weights: Float64Array | null, options: KMeansOptions): KMeansResult {
    const o = resolve(options);
    if (points === null || typeof points !== 'object' || typeof points.length !== 'number') throw invalidOption('points', 'n*3 sRGB numbers (a Float64Array)', points);
    if (weights !== null && (typeof weights !== 'object' || typeof weights.length !== 'number')) throw invalidOption('weights', 'null or one number per point (a Float64Array)', weights);
    if (points.length % 3 !== 0) throw invalidOption('points', 'a length that is a multiple of 3', `${points.length} numbers`);
    const items = points.length / 3;
    if (weights !== null && weights.length !== items) throw invalidOption('weights', `${items} weights (one per point)`, `${weights.length} weights`);
    // One NaN, or sums that overflow, would silently turn every centroid and the objective
    // into NaN. (Points outside 0..255 are allowed; centroids are clamped when reported.)
    for (let i = 0; i < points.length; i++) if (!isNumberIn(points[i], -1e100, 1e100)) throw invalidOption(`points[${i}]`, 'a finite number of at most 1e100 in size', points[i]);
    if (weights !== null) {
      let total = 0;
      for (let i = 0; i < items; i++) {
        if (!isNumberIn(weights[i], -Infinity, Infinity)) throw invalidOption(`weights[${i}]`, 'a number (<= 0 ignores the point)', weights[i]);
        if (weights[i] > 0) total += weights[i];
      }
      if (!(total <= Number.MAX_SAFE_INTEGER)) throw invalidOption('weights', `a total of at most ${Number.MAX_SAFE_INTEGER} (scale them down)`, total);
    }
    if (pointIndex.length < items) {
      pointIndex = new Int32Array(items);
      pointSrgb = new Float64Array(items * 3);
      pointWeights = new Float64Array(items);
    }
    const n = dedupePoints(points, weights, items, pointSrgb, pointWeights, pointIndex);
    return solve(pointSrgb, pointWeights, n, pointIndex, items, o);
  }

  // One run at a time: a run started from another's onIteration hook wrote its colours into
  // the buffers the outer run was still reading, and the outer result came out wrong, silently.
  const alone = <A extends unknown[]>(name: string, work: (...args: A) => KMeansResult) => (...args: A): KMeansResult => {
    if (runningEngines.has(engine)) throw new ChromaseedError('ERR_USAGE', `${name}() was called on a k-means engine that is running (from its onIteration hook): run it on another engine (createKMeans()), or after this run returns`);
    runningEngines.add(engine);
    try {
      return work(...args);
    } finally {
      runningEngines.delete(engine);
    }
  };

  const engine: KMeansEngine = {
    run: alone('run', run),
    rerun: alone('rerun', rerun),
    runPoints: alone('runPoints', runPoints),
    histogram,
    get colourLabels() {
      return lloydScratch.labels;
    },
  };
  return engine;
}

/** Engines in the middle of a run (see createKMeans' `alone`). */
const runningEngines = new WeakSet<KMeansEngine>();

function emptyResult(requestedK: number, items: number): KMeansResult {
  const result: KMeansResult = {
    k: 0, requestedK, distinctColors: 0, tooFewColors: true,
    centroids: new Float64Array(0), counts: new Float64Array(0), proportions: new Float64Array(0),
    inertia: 0, iterations: 0,
  };
  if (items >= 0) result.labels = new Int16Array(items).fill(-1);
  return result;
}

let shared: KMeansEngine | null = null;

/** `work` on the module's engine, or, called from inside a run on it (an onIteration hook), on an engine of its own. */
function onSharedEngine(work: (engine: KMeansEngine) => KMeansResult): KMeansResult {
  shared ??= createEngine(false, false);
  return work(runningEngines.has(shared) ? createEngine(false, false) : shared);
}

/**
 * k-means on the opaque pixels of an RGBA image (alpha 0 pixels are ignored).
 * Uses a module-level engine, so repeated calls reuse its buffers (a call from inside a
 * run, in its onIteration hook, gets an engine of its own).
 * @example
 * const { centroids, proportions } = kmeansPixels(rgba, { k: 8, seed: 1 });
 */
export function kmeansPixels(rgba: Uint8Array, options: KMeansOptions): KMeansResult {
  return onSharedEngine((engine) => engine.run(rgba, options));
}

/** k-means on weighted points (n*3 sRGB floats 0..255); `weights` null = every point weighs 1. */
export function kmeansPoints(points: Float64Array, weights: Float64Array | null, options: KMeansOptions): KMeansResult {
  return onSharedEngine((engine) => engine.runPoints(points, weights, options));
}

/** Colour `i` of `srgb`, clamped to 0..255 (points given to runPoints may lie outside), as centroid `j`. */
function reportColour(srgb: ArrayLike<number>, i: number, centroids: Float64Array, j: number): void {
  for (let c = 0; c < 3; c++) {
    const v = srgb[i * 3 + c];
    centroids[j * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
