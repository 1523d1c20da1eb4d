/**
 * The weighted point sets k-means runs on (lloyd.ts's PointSet): their room, the coarse bins
 * of a set of colours (on which restarts are ranked cheaply), and their spread. No I/O.
 */
import { grownLength } from '../limits.js';
import type { PointSet } from './lloyd.js';

/** A set of no points, given room by reservePoints. */
export function emptyPointSet(): PointSet {
  return { n: 0, points: new Float64Array(0), weights: new Float64Array(0), orders: null, orderRoom: new Int32Array(0) };
}

/** Makes room in `set` for `n` points (its orders dropped: the points change). */
export function reservePoints(set: PointSet, n: number): void {
  if (set.weights.length < n) {
    const size = grownLength(set.weights.length, n);
    set.points = new Float64Array(size * 3);
    set.weights = new Float64Array(size);
  }
  set.n = n;
  set.orders = null;
}

/**
 * Fill `set` with the `bits`-per-channel bins of `exact` (`n` colours, `srgb` their sRGB
 * values; each bin at the weighted mean of its colours, in the working space, with their
 * total weight); returns the bin count. `binOf` (2^(3 bits) entries, all -1) is left so.
 */
export function buildBins(srgb: ArrayLike<number>, n: number, bits: number, exact: PointSet, set: PointSet, binOf: Int32Array): number {
  reservePoints(set, Math.min(n, binOf.length));
  const shift = 8 - bits;
  const { points: cp, weights: cw } = set;
  const { points: ep, weights: ew } = exact;
  let bins = 0;
  for (let i = 0, c = 0; i < n; i++, c += 3) {
    // Clamp and floor so float sRGB points (runPoints) bin like bytes do.
    const key = (channelBits(srgb[c], shift) << (2 * bits)) | (channelBits(srgb[c + 1], shift) << bits) | channelBits(srgb[c + 2], shift);
    let b = binOf[key];
    if (b < 0) {
      b = binOf[key] = bins++;
      cw[b] = 0;
      cp[b * 3] = cp[b * 3 + 1] = cp[b * 3 + 2] = 0;
    }
    const w = ew[i];
    cw[b] += w;
    cp[b * 3] += w * ep[c];
    cp[b * 3 + 1] += w * ep[c + 1];
    cp[b * 3 + 2] += w * ep[c + 2];
  }
  for (let b = 0; b < bins; b++) {
    const w = cw[b];
    cp[b * 3] /= w;
    cp[b * 3 + 1] /= w;
    cp[b * 3 + 2] /= w;
  }
  binOf.fill(-1);
  set.n = bins;
  return bins;
}

function channelBits(v: number, shift: number): number {
  const b = v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
  return b >> shift;
}

/** Weighted mean over channels of the per-channel variance (scales the tolerance). */
export function meanVariance(set: PointSet): number {
  const { n, points, weights } = set;
  let total = 0;
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    total += weights[i];
    for (let c = 0; c < 3; c++) mean[c] += weights[i] * points[i * 3 + c];
  }
  let variance = 0;
  for (let c = 0; c < 3; c++) {
    const m = mean[c] / total;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = points[i * 3 + c] - m;
      s += weights[i] * d * d;
    }
    variance += s / total;
  }
  return variance / 3;
}
