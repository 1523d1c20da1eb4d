import type { ColorSpace, Metric } from '../types.js';
import { fromSrgb } from '../color/space.js';

/**
 * Exact nearest-palette-colour search.
 *
 * "Exact" means: the same answer as the brute-force `nearestIndex` below, bit for bit,
 * including ties (lowest palette index wins). Both compute the distance with the same
 * floating-point expression in the same order (channel 0, then 1, then 2), so even
 * near-ties in Lab/Oklab resolve identically; the fast search only skips candidates that a
 * lower bound proves cannot win.
 */

/** Distance between two working-space colours: squared Euclidean or Manhattan. */
function distance(metric: Metric, p0: number, p1: number, p2: number, q0: number, q1: number, q2: number): number {
  const d0 = p0 - q0;
  const d1 = p1 - q1;
  const d2 = p2 - q2;
  return metric === 'manhattan' ? Math.abs(d0) + Math.abs(d1) + Math.abs(d2) : d0 * d0 + d1 * d1 + d2 * d2;
}

/**
 * Brute-force reference: index of the palette colour nearest to sRGB (r, g, b) under
 * `metric` in `space`; ties go to the lowest index. O(size) conversions per call, so it is
 * for tests and one-off look-ups; mapping a frame uses `createPaletteSearch` plus a cache.
 */
export function nearestIndex(
  palette: Uint8Array,
  size: number,
  r: number,
  g: number,
  b: number,
  metric: Metric = 'euclidean',
  space: ColorSpace = 'rgb',
): number {
  const conv = fromSrgb(space);
  const q = new Float64Array(3);
  const p = new Float64Array(3);
  conv(r, g, b, q, 0);
  let best = 0;
  let bestDist = Infinity;
  for (let i = 0, j = 0; i < size; i++, j += 3) {
    conv(palette[j], palette[j + 1], palette[j + 2], p, 0);
    const d = distance(metric, p[0], p[1], p[2], q[0], q[1], q[2]);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

export interface PaletteSearch {
  /** Load a palette (`size` sRGB triples) for the given metric and space. Allocates nothing. */
  prepare(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void;
  /** Nearest palette index for a colour already converted to the working space. */
  nearest(q0: number, q1: number, q2: number): number;
}

/**
 * A reusable search structure. The palette is converted once and sorted along its widest
 * working-space channel (the "axis"). A query binary-searches its own axis value, then scans
 * outwards in both directions; a candidate's axis difference alone is a lower bound of its
 * distance (for squared Euclidean: da² ≤ d0²+d1²+d2²; for Manhattan: |da| ≤ |d0|+|d1|+|d2|;
 * floating-point addition of non-negative terms never decreases), so each scan stops as soon as
 * that bound exceeds the best distance found. Within the slab, partial sums exit early.
 */
export function createPaletteSearch(): PaletteSearch {
  const coords = new Float64Array(256 * 3); // working-space palette, in sorted order
  const keys = new Float64Array(256); // coords[s*3 + axis], ascending
  const order = new Uint16Array(256); // original palette index of sorted slot s
  const raw = new Float64Array(256 * 3); // working-space palette, in palette order
  const tmp = new Uint16Array(256);
  let n = 0;
  let axis = 0;
  let manhattan = false;

  function prepare(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    n = size;
    manhattan = metric === 'manhattan';
    const conv = fromSrgb(space);
    for (let i = 0, j = 0; i < size; i++, j += 3) conv(palette[j], palette[j + 1], palette[j + 2], raw, j);
    // Widest channel by variance: the slab it cuts is the thinnest relative to the spread.
    let bestVar = -1;
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < size; i++) {
        const v = raw[i * 3 + c];
        s += v;
        s2 += v * v;
      }
      const v = s2 / size - (s / size) * (s / size);
      if (v > bestVar) {
        bestVar = v;
        axis = c;
      }
    }
    // Insertion sort by (axis value, index): at most 256 entries, no allocation, stable.
    for (let i = 0; i < size; i++) {
      const v = raw[i * 3 + axis];
      let s = i;
      while (s > 0 && raw[tmp[s - 1] * 3 + axis] > v) {
        tmp[s] = tmp[s - 1];
        s--;
      }
      tmp[s] = i;
    }
    for (let s = 0; s < size; s++) {
      const i = tmp[s];
      order[s] = i;
      coords[s * 3] = raw[i * 3];
      coords[s * 3 + 1] = raw[i * 3 + 1];
      coords[s * 3 + 2] = raw[i * 3 + 2];
      keys[s] = raw[i * 3 + axis];
    }
  }

  function nearest(q0: number, q1: number, q2: number): number {
    const qa = axis === 0 ? q0 : axis === 1 ? q1 : q2;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < qa) lo = mid + 1;
      else hi = mid;
    }
    let best = Infinity;
    let bestIdx = 0x7fffffff;
    // Four near-identical loops (two directions x two metrics) rather than a branch per
    // candidate: this is the innermost loop of the whole mapping stage.
    if (!manhattan) {
      for (let s = lo; s < n; s++) {
        const da = keys[s] - qa;
        if (da * da > best) break;
        const j = s * 3;
        const d0 = coords[j] - q0;
        let d = d0 * d0;
        if (d > best) continue;
        const d1 = coords[j + 1] - q1;
        d += d1 * d1;
        if (d > best) continue;
        const d2 = coords[j + 2] - q2;
        d += d2 * d2;
        if (d < best || (d === best && order[s] < bestIdx)) {
          best = d;
          bestIdx = order[s];
        }
      }
      for (let s = lo - 1; s >= 0; s--) {
        const da = keys[s] - qa;
        if (da * da > best) break;
        const j = s * 3;
        const d0 = coords[j] - q0;
        let d = d0 * d0;
        if (d > best) continue;
        const d1 = coords[j + 1] - q1;
        d += d1 * d1;
        if (d > best) continue;
        const d2 = coords[j + 2] - q2;
        d += d2 * d2;
        if (d < best || (d === best && order[s] < bestIdx)) {
          best = d;
          bestIdx = order[s];
        }
      }
    } else {
      for (let s = lo; s < n; s++) {
        const da = keys[s] - qa;
        if (da > best) break;
        const j = s * 3;
        let d = Math.abs(coords[j] - q0);
        if (d > best) continue;
        d += Math.abs(coords[j + 1] - q1);
        if (d > best) continue;
        d += Math.abs(coords[j + 2] - q2);
        if (d < best || (d === best && order[s] < bestIdx)) {
          best = d;
          bestIdx = order[s];
        }
      }
      for (let s = lo - 1; s >= 0; s--) {
        const da = qa - keys[s];
        if (da > best) break;
        const j = s * 3;
        let d = Math.abs(coords[j] - q0);
        if (d > best) continue;
        d += Math.abs(coords[j + 1] - q1);
        if (d > best) continue;
        d += Math.abs(coords[j + 2] - q2);
        if (d < best || (d === best && order[s] < bestIdx)) {
          best = d;
          bestIdx = order[s];
        }
      }
    }
    return bestIdx;
  }

  return { prepare, nearest };
}
