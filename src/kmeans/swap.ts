import { lloyd, type LloydOptions, type LloydScratch, type PointSet } from './lloyd.js';
import type { Rng } from './random.js';
import { search } from './init.js';

/**
 * Swap local search on top of Lloyd (in the spirit of Kanungo et al., "A local search
 * approximation algorithm for k-means clustering", 2004, and Lattanzi & Sohler's
 * LocalSearch++, 2019). Lloyd alone stops in the nearest local optimum: typically two
 * centres share one dense region while another region is served by a single far centre.
 * Restarts only fix that by luck. A swap moves the centre whose removal costs least onto
 * a point drawn in proportion to its cost, reruns Lloyd, and keeps the result only if the
 * objective went down, so the search never makes the answer worse.
 */
export interface SwapScratch {
  trial: Float64Array;
  removal: Float64Array;
  cumulative: Float64Array;
}

export function createSwapScratch(): SwapScratch {
  return { trial: new Float64Array(256 * 3), removal: new Float64Array(256), cumulative: new Float64Array(0) };
}

/**
 * Improve `centres` (k*3, working space; overwritten with the best found) by `attempts`
 * swaps. `objective` is the current objective of `centres` on `set`. Returns the final
 * objective and the Lloyd iterations spent.
 */
export function swapSearch(
  set: PointSet, centres: Float64Array, k: number, objective: number, attempts: number, rng: Rng,
  options: LloydOptions, lloydScratch: LloydScratch, scratch: SwapScratch,
): { objective: number; iterations: number } {
  const { n, points, weights } = set;
  const l1 = options.metric === 'manhattan';
  if (scratch.cumulative.length < n) scratch.cumulative = new Float64Array(n);
  const { trial, removal, cumulative } = scratch;
  let iterations = 0;
  if (k < 2) return { objective, iterations };
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Exact nearest and second-nearest distances for the current best centres.
    lloyd(set, centres, k, { metric: options.metric, maxIterations: 0, shiftTolerance: 0 }, lloydScratch);
    const { labels, upper, lower } = lloydScratch;
    removal.fill(0, 0, k);
    let running = 0;
    for (let i = 0; i < n; i++) {
      const u = upper[i];
      const l = lower[i];
      const w = weights[i];
      // Removing a point's centre sends it to its second-nearest centre (at most).
      removal[labels[i]] += l1 ? w * (l - u) : w * (l * l - u * u);
      cumulative[i] = running += l1 ? w * u : w * u * u;
    }
    if (!(running > 0)) break;
    let drop = 0;
    for (let j = 1; j < k; j++) if (removal[j] < removal[drop]) drop = j;
    // Draw the new position in proportion to cost, as k-means++ does.
    const lo = search(cumulative, n, rng() * running);
    trial.set(centres.subarray(0, k * 3));
    trial[drop * 3] = points[lo * 3];
    trial[drop * 3 + 1] = points[lo * 3 + 1];
    trial[drop * 3 + 2] = points[lo * 3 + 2];
    const outcome = lloyd(set, trial, k, options, lloydScratch);
    iterations += outcome.iterations;
    if (outcome.inertia < objective) {
      objective = outcome.inertia;
      centres.set(trial.subarray(0, k * 3));
    }
  }
  return { objective, iterations };
}
