/**
 * k-means from scratch on more colours than clusters (kmeans.ts's general case): restarts,
 * ranked on coarse bins when there are many colours, a swap search from the best, the best
 * few refined on the exact colours, and the winner polished. No I/O.
 */
import { allGrey, clusterGreyLine, createGreyLineScratch } from './grey-line.js';
import { heartbeat } from './heartbeat.js';
import { createInitScratch, initCentres } from './init.js';
import { lloyd, type LloydScratch, type PointSet } from './lloyd.js';
import { buildBins, emptyPointSet } from './point-sets.js';
import { createRng, restartSeed } from './random.js';
import { createSwapScratch, swapSearch } from './swap.js';
import type { InitMethod, Metric } from '../types.js';

/** Bits per channel of the coarse bins the restarts run on (one more where those are too few). */
const COARSE_BITS = 5;
/** Below this many distinct colours the restarts run on the exact colours directly. */
export const COARSE_MIN_DISTINCT = 12000;
/** How many of the best coarse restarts are refined on the exact colours. */
const REFINE_TOP = 2;
/**
 * Swap search and the tight final tolerance are spent only on palettes of up to this many
 * colours: that is where one misplaced centre costs whole percents of inertia, and where
 * each extra Lloyd run is cheap. Large palettes get restarts and exact refinement only.
 */
const SMALL_K = 32;
/** Swap-search attempts after the restarts (only when restarts > 1). */
const SWAP_ATTEMPTS = 10;
/**
 * Runs on the exact colours stop at this fraction of the tolerance: Lloyd's slow tail is
 * worth a few tenths of a percent of inertia (what separates us from scikit-learn's
 * best-of-10 on k = 16), and Hamerly's bounds make those late iterations cheap.
 */
const POLISH_TOLERANCE_FACTOR = 0.05;

/** What the restarts read of a run's options (kmeans.ts resolves them). */
export interface RestartOptions {
  readonly init: InitMethod;
  readonly metric: Metric;
  readonly restarts: number;
  readonly seed: number;
  readonly maxIterations: number;
  readonly refineIterations: number;
  readonly exactGrey: boolean;
}

/** A run's iteration hook for one phase and restart (undefined: none asked for). */
export type Reporter = (phase: 'coarse' | 'exact', restart: number) => ((iteration: number, objective: number) => void) | undefined;

/**
 * A search over `n` distinct colours (`srgb`, and `exact` in the working space) for `k`
 * clusters, k < n (so the k asked for: the tolerance of the polish depends on it);
 * `shiftTolerance` is the run's. Returns the steps it took in all and the winner's objective.
 */
export type RestartSearch = (srgb: ArrayLike<number>, n: number, k: number, o: RestartOptions, shiftTolerance: number, report: Reporter) => { iterations: number; inertia: number };

/**
 * The restarts of an engine, over its exact colours (`exact`), leaving the winning centres
 * in `best` and their colours' labels in `lloydScratch`; their own scratch persists between
 * runs.
 */
export function createRestarts(exact: PointSet, best: Float64Array, lloydScratch: LloydScratch): RestartSearch {
  const coarse = emptyPointSet();
  const coarseBinOf = new Int32Array(1 << (3 * COARSE_BITS)).fill(-1);
  // 6-bit bins (1 MiB), made when a frame first needs them: most never do, and filling the
  // table at creation cost each engine about 4 ms of fresh memory.
  let fineBinOf: Int32Array | null = null;
  const fineBins = (): Int32Array => (fineBinOf ??= new Int32Array(1 << (3 * (COARSE_BITS + 1))).fill(-1));
  const initScratch = createInitScratch();
  const swapScratch = createSwapScratch();
  const greyScratch = createGreyLineScratch();
  const current = new Float64Array(256 * 3);
  // Best restarts so far, sorted by objective: centres (256*3 each), objective, iterations.
  const candidates = new Float64Array(REFINE_TOP * 768);
  const candidateInertia = new Float64Array(REFINE_TOP);
  const candidateIterations = new Float64Array(REFINE_TOP);

  /** Insert `current` among the kept candidates if it ranks in the top `top`; returns the new count. */
  function keepBest(inertia: number, iterations: number, k: number, top: number, kept: number): number {
    let at = kept;
    while (at > 0 && inertia < candidateInertia[at - 1]) at--;
    if (at >= top) return kept;
    const last = Math.min(kept, top - 1);
    for (let t = last; t > at; t--) {
      candidates.copyWithin(t * 768, (t - 1) * 768, (t - 1) * 768 + k * 3);
      candidateInertia[t] = candidateInertia[t - 1];
      candidateIterations[t] = candidateIterations[t - 1];
    }
    candidates.set(current.subarray(0, k * 3), at * 768);
    candidateInertia[at] = inertia;
    candidateIterations[at] = iterations;
    return Math.min(kept + 1, top);
  }

  /**
   * The general case, more colours than clusters: `o.restarts` initialisations (on coarse
   * colour bins when there are many colours), a swap search from the best, the best few
   * refined on the exact colours, and the winner polished; its centres are left in `best`.
   */
  function fromRestarts(srgb: ArrayLike<number>, n: number, k: number, o: RestartOptions, shiftTolerance: number, report: Reporter): { iterations: number; inertia: number } {
    const l1 = o.metric === 'manhattan';
    const polishTolerance = shiftTolerance * (k <= SMALL_K ? POLISH_TOLERANCE_FACTOR : 1);
    /** Lloyd on the exact colours from `best`, with the tighter tolerance; `before`: the steps that led there. */
    const polish = (before: number): { iterations: number; inertia: number } => {
      const polished = lloyd(exact, best, k, {
        metric: o.metric, maxIterations: o.refineIterations, shiftTolerance: polishTolerance, onIteration: report('exact', -99),
      }, lloydScratch);
      return { iterations: before + polished.iterations, inertia: polished.inertia };
    };
    // The optimum already: the polish only labels the colours (and would settle a tie).
    if (o.exactGrey && allGrey(srgb, n) && clusterGreyLine(exact, k, l1, best, greyScratch)) return polish(0);
    // Coarse bins need several points per cluster to rank restarts; large palettes get
    // 6-bit bins when 5-bit ones are too few, as long as they still shrink the problem.
    let useCoarse = false;
    if (n >= COARSE_MIN_DISTINCT) {
      useCoarse = buildBins(srgb, n, COARSE_BITS, exact, coarse, coarseBinOf) >= 8 * k;
      if (!useCoarse) useCoarse = buildBins(srgb, n, COARSE_BITS + 1, exact, coarse, fineBins()) >= 8 * k && coarse.n <= n / 2;
    }
    const target = useCoarse ? coarse : exact;
    // Keep the `top` best restarts: on coarse bins the ranking is only approximate, so
    // several of them are refined on the exact colours and the best exact one wins.
    const top = useCoarse ? Math.min(o.restarts, REFINE_TOP) : 1;
    let kept = 0;
    for (let r = 0; r < o.restarts; r++) {
      const rng = createRng(restartSeed(o.seed, r));
      let chosen = initCentres(o.init, target, k, rng, l1, current, initScratch);
      // Fewer positions than k can only happen on the coarse bins; duplicates of a chosen
      // centre become empty clusters that Lloyd re-seeds from the worst-served points.
      for (; chosen < k; chosen++) current.copyWithin(chosen * 3, 0, 3);
      const outcome = lloyd(target, current, k, {
        metric: o.metric, maxIterations: o.maxIterations, shiftTolerance, onIteration: report(useCoarse ? 'coarse' : 'exact', r),
      }, lloydScratch);
      kept = keepBest(outcome.inertia, outcome.iterations, k, top, kept);
      heartbeat();
    }
    // Swap search from the best restart (on the same data the restarts ran on).
    if (o.restarts > 1 && kept > 0 && k <= SMALL_K) {
      const centres = candidates.subarray(0, k * 3);
      const swapped = swapSearch(target, centres, k, candidateInertia[0], SWAP_ATTEMPTS, createRng(restartSeed(o.seed, -1)), {
        metric: o.metric, maxIterations: o.maxIterations, shiftTolerance,
      }, lloydScratch, swapScratch);
      candidateInertia[0] = swapped.objective;
      candidateIterations[0] += swapped.iterations;
    }
    let bestAt = 0;
    if (useCoarse) {
      for (let t = 0; t < kept; t++) {
        const centres = candidates.subarray(t * 768, t * 768 + k * 3);
        const lloydOptions = {
          metric: o.metric, maxIterations: o.refineIterations, shiftTolerance: polishTolerance, onIteration: report('exact', -1 - t),
        };
        const outcome = lloyd(exact, centres, k, lloydOptions, lloydScratch);
        candidateInertia[t] = outcome.inertia;
        candidateIterations[t] += outcome.iterations;
        if (outcome.inertia < candidateInertia[bestAt]) bestAt = t;
        heartbeat();
      }
    }
    best.set(candidates.subarray(bestAt * 768, bestAt * 768 + k * 3));
    // Polish the winner (after a coarse refinement that converged, a near no-op that
    // recovers the winner's labels).
    return polish(candidateIterations[bestAt]);
  }

  return fromRestarts;
}
