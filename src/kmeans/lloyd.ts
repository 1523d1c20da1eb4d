import { grownLength } from '../limits.js';
import type { Metric } from '../types.js';
import { assignAllL1, assignAllL2, assignHamerlyL1, assignHamerlyL2 } from './assign.js';
import { createNeighbours, orderedSearchPays, prepareNeighbours, type CentreNeighbours } from './neighbours.js';
import { accumulateSums, createChannelSortScratch, meansFromSums, reseedEmpty, sortByChannel, updateMedians, type ChannelSortScratch } from './update.js';

/**
 * Weighted Lloyd iterations with Hamerly's bounds (G. Hamerly, "Making k-means even
 * faster", SDM 2010). Each point keeps an upper bound on the distance to its own centre
 * and a lower bound on the distance to any other centre; when the bounds prove the label
 * cannot change, the point costs no distance computation at all. After the first few
 * iterations most points are skipped, which is what makes full-resolution k-means cheap.
 *
 * The bounds only need the triangle inequality, so the same scheme serves both metrics:
 * Euclidean (centre = weighted mean) and Manhattan (centre = per-channel weighted median).
 * The assignment loops (assign.ts) are written out per metric instead of branching per
 * distance: they are the hottest code in the engine. The update step is in update.ts.
 */

/** Weighted points in the working colour space. Arrays may be longer than `n`. */
export interface PointSet {
  n: number;
  /** `n * 3` coordinates in the working space. */
  points: Float64Array;
  /** `n` positive weights (pixel counts). */
  weights: Float64Array;
  /**
   * For Manhattan medians: per channel c, `orders[c * n .. c * n + n)` lists the point
   * indices sorted by that channel. Built on first use; the points never move, so the
   * sort is paid once per point set, not once per iteration.
   */
  orders: Int32Array | null;
  /** Where `orders` is written, kept while the set holds other points (see sortByChannel). */
  orderRoom?: Int32Array;
}

/** Buffers reused across runs; grown on demand by {@link reserveLloydScratch}. */
export interface LloydScratch {
  /** Final cluster of each point after {@link lloyd}. */
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  /** Per cluster: weighted coordinate sums (k*3), total weight, shift of the centre. */
  sums: Float64Array;
  totals: Float64Array;
  shift: Float64Array;
  /** Per cluster: half the distance to the nearest other centre. */
  gap: Float64Array;
  previous: Float64Array;
  /** Per cluster weight accumulated so far while scanning for medians. */
  cumulative: Float64Array;
  done: Uint8Array;
  /** Centres ordered by distance from each other, for the assignment at large k. */
  neighbours: CentreNeighbours;
  /** What the Manhattan medians' channel orders are sorted with (sortByChannel). */
  channelSort: ChannelSortScratch;
}

export function createLloydScratch(): LloydScratch {
  return {
    labels: new Int32Array(0),
    upper: new Float64Array(0),
    lower: new Float64Array(0),
    sums: new Float64Array(0),
    totals: new Float64Array(0),
    shift: new Float64Array(0),
    gap: new Float64Array(0),
    previous: new Float64Array(0),
    cumulative: new Float64Array(0),
    done: new Uint8Array(0),
    neighbours: createNeighbours(),
    channelSort: createChannelSortScratch(),
  };
}

/** Make sure `scratch` can hold `n` points and `k` clusters; grows (never shrinks) buffers. */
export function reserveLloydScratch(scratch: LloydScratch, n: number, k: number): void {
  if (scratch.labels.length < n) {
    const size = grownLength(scratch.labels.length, n);
    scratch.labels = new Int32Array(size);
    scratch.upper = new Float64Array(size);
    scratch.lower = new Float64Array(size);
  }
  if (scratch.totals.length < k) {
    scratch.sums = new Float64Array(k * 3);
    scratch.totals = new Float64Array(k);
    scratch.shift = new Float64Array(k);
    scratch.gap = new Float64Array(k);
    scratch.previous = new Float64Array(k * 3);
    scratch.cumulative = new Float64Array(k);
    scratch.done = new Uint8Array(k);
  }
}

export interface LloydOptions {
  metric: Metric;
  /** Upper limit on update steps; 0 only assigns labels. */
  maxIterations: number;
  /** Stop once the sum over centres of the squared shift (working space) is at most this. */
  shiftTolerance: number;
  /** Called after every update step with the objective of (labels, new centres). */
  onIteration?: (iteration: number, objective: number) => void;
  /** Measure the objective after the first update step (LloydOutcome.firstStep), hook or not. */
  measureFirstStep?: boolean;
  /** Euclidean only: centre j is pulled toward `centres[j]` with `weights[j]` pseudo-points. */
  anchors?: { centres: Float64Array; weights: Float64Array };
}

export interface LloydOutcome {
  /** Update steps performed. */
  iterations: number;
  /** Objective of the final labels (nearest centre) and centres, in the run's metric. */
  inertia: number;
  /** With `measureFirstStep` (or a hook): the objective after the first update step; NaN otherwise. */
  firstStep: number;
}

/**
 * Run Lloyd's algorithm from the centres in `centres` (k*3, working space, updated in
 * place). Centre i stays centre i throughout: an empty cluster is re-seeded in place.
 * On return `scratch.labels[0..n)` holds each point's nearest centre.
 */
export function lloyd(set: PointSet, centres: Float64Array, k: number, options: LloydOptions, scratch: LloydScratch): LloydOutcome {
  const { n } = set;
  reserveLloydScratch(scratch, n, k);
  const l1 = options.metric === 'manhattan';
  if (l1 && set.orders === null) set.orders = sortByChannel(set, scratch.channelSort);
  const labels = scratch.labels;
  labels.fill(-1, 0, n);
  // At large k, each assignment searches the centres in order of distance (neighbours.ts).
  const neighbours = orderedSearchPays(k, n) ? scratch.neighbours : null;
  const prepare = (): CentreNeighbours | null => {
    if (neighbours !== null) prepareNeighbours(neighbours, centres, k, l1, scratch.gap);
    return neighbours;
  };
  if (l1) assignAllL1(set, centres, k, scratch, prepare());
  else assignAllL2(set, centres, k, scratch, prepare());
  if (!l1) accumulateSums(set, k, scratch);

  let iterations = 0;
  let firstStep = NaN;
  while (iterations < options.maxIterations) {
    iterations++;
    scratch.previous.set(centres.subarray(0, k * 3));
    if (l1) updateMedians(set, centres, k, scratch);
    else meansFromSums(centres, k, scratch, options.anchors);
    const reseeded = reseedEmpty(set, centres, k, scratch, l1);
    // Measured only when asked: it is a pass over the points.
    if (options.onIteration || (options.measureFirstStep && iterations === 1)) {
      const value = objective(set, centres, scratch, l1);
      if (iterations === 1) firstStep = value;
      options.onIteration?.(iterations, value);
    }

    // Centre shifts, in the metric's own distance (the bounds move by these amounts).
    const { shift, previous } = scratch;
    let squaredShift = 0;
    let maxShift = 0;
    let maxAt = -1;
    let secondShift = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      const dx = centres[c] - previous[c];
      const dy = centres[c + 1] - previous[c + 1];
      const dz = centres[c + 2] - previous[c + 2];
      const sq = dx * dx + dy * dy + dz * dz;
      squaredShift += sq;
      const s = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(sq);
      shift[j] = s;
      if (s > maxShift) {
        secondShift = maxShift;
        maxShift = s;
        maxAt = j;
      } else if (s > secondShift) {
        secondShift = s;
      }
    }
    const converged = !reseeded && squaredShift <= options.shiftTolerance;
    let changes: number;
    if (reseeded) {
      changes = l1 ? assignAllL1(set, centres, k, scratch, prepare()) : assignAllL2(set, centres, k, scratch, prepare());
      if (!l1) accumulateSums(set, k, scratch);
    } else if (l1) {
      changes = assignHamerlyL1(set, centres, k, scratch, maxShift, maxAt, secondShift, prepare());
    } else {
      changes = assignHamerlyL2(set, centres, k, scratch, maxShift, maxAt, secondShift, prepare());
      // The sums are moved point by point as labels change; rebuild them now and then so
      // rounding cannot build up in Lab/Oklab (in RGB they are exact integers anyway).
      if ((iterations & 31) === 0) accumulateSums(set, k, scratch);
    }
    // The assignment above also serves as the final labelling when the shift was small.
    // After a re-seed the centres were computed before a point moved to the empty cluster,
    // so one more update step is due even when no other label changed (the donor's centre
    // still counted that point: 8 black and 8 red pixels from starts (100,0,0) and (0,0,255)
    // ended at (127.5,0,0) for the red cluster).
    if (converged || (changes === 0 && !reseeded)) break;
  }
  return { iterations, inertia: objective(set, centres, scratch, l1), firstStep };
}

/** Sum over points of weight x distance to the centre of its label (squared for L2). */
function objective(set: PointSet, centres: Float64Array, scratch: LloydScratch, l1: boolean): number {
  const { n, points, weights } = set;
  const labels = scratch.labels;
  let total = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const c = labels[i] * 3;
    const dx = points[p] - centres[c];
    const dy = points[p + 1] - centres[c + 1];
    const dz = points[p + 2] - centres[c + 2];
    total += weights[i] * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz);
  }
  return total;
}
