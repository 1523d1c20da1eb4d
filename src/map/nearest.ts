import type { ColorSpace, Metric } from '../types.js';
import { fromSrgb } from '../color/space.js';

/**
 * Exact nearest-palette-colour search.
 *
 * "Exact" means: the same answer as the brute-force `nearestIndex` below, bit for bit,
 * including ties (lowest palette index wins). Both compute the distance with the same
 * floating-point expression in the same order (channel 0, then 1, then 2), so even
 * near-ties in Lab/Oklab resolve identically; the fast search only skips candidates that a
 * (conservatively rounded) lower bound proves cannot win.
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
  /**
   * Nearest palette index for a colour already converted to the working space. `hint` is a
   * palette index likely to be near (e.g. the previous pixel's answer): it only tightens the
   * search bound early and never changes the result.
   */
  nearest(q0: number, q1: number, q2: number, hint?: number): number;
}

/**
 * Slack on the projection bound, in working-space units. The projection and the key are
 * computed in floating point, so the bound could exceed the true distance by a few ulps
 * (values are at most ~10^3, so errors are ~10^-12); subtracting this keeps the pruning
 * conservative, so it can only look at more candidates, never skip the winner.
 */
const BOUND_SLACK = 1e-6;

/**
 * A reusable search structure. The palette is converted once and projected on its principal
 * axis u (unit vector of largest variance, by power iteration on the 3x3 covariance; for RGB
 * palettes of photos this is roughly the grey diagonal, far better than any single channel).
 * Entries are sorted by their projection ("key"). A query binary-searches its own key, then
 * scans outwards in both directions. By Cauchy–Schwarz |u·(c−q)| ≤ ‖c−q‖₂ ≤ ‖c−q‖₁, so the key
 * difference bounds the distance from below under both metrics; each scan stops once that
 * bound exceeds the best distance so far. Inside the slab, partial sums exit early.
 */
export function createPaletteSearch(): PaletteSearch {
  const coords = new Float64Array(256 * 3); // working-space palette, in sorted order
  const keys = new Float64Array(256); // projection of coords[s] on the axis, ascending
  const order = new Uint16Array(256); // original palette index of sorted slot s
  const slotOf = new Uint16Array(256); // sorted slot of original palette index
  const raw = new Float64Array(256 * 3); // working-space palette, in palette order
  const rawKey = new Float64Array(256);
  const tmp = new Uint16Array(256);
  let n = 0;
  let u0 = 1;
  let u1 = 0;
  let u2 = 0;
  let manhattan = false;

  /** Principal axis of the converted palette into u0..u2 (unit length). */
  function principalAxis(size: number): void {
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < size * 3; i += 3) {
      m0 += raw[i];
      m1 += raw[i + 1];
      m2 += raw[i + 2];
    }
    m0 /= size;
    m1 /= size;
    m2 /= size;
    let c00 = 0;
    let c01 = 0;
    let c02 = 0;
    let c11 = 0;
    let c12 = 0;
    let c22 = 0;
    for (let i = 0; i < size * 3; i += 3) {
      const a = raw[i] - m0;
      const b = raw[i + 1] - m1;
      const c = raw[i + 2] - m2;
      c00 += a * a;
      c01 += a * b;
      c02 += a * c;
      c11 += b * b;
      c12 += b * c;
      c22 += c * c;
    }
    // Start from the widest channel so a degenerate (single-line) palette still converges.
    let x = c00 >= c11 && c00 >= c22 ? 1 : 0;
    let y = x === 0 && c11 >= c22 ? 1 : 0;
    let z = x === 0 && y === 0 ? 1 : 0;
    x += 0.01;
    y += 0.01;
    z += 0.01;
    for (let it = 0; it < 32; it++) {
      const nx = c00 * x + c01 * y + c02 * z;
      const ny = c01 * x + c11 * y + c12 * z;
      const nz = c02 * x + c12 * y + c22 * z;
      const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (!(len > 0)) break; // all palette colours equal: any axis works
      x = nx / len;
      y = ny / len;
      z = nz / len;
    }
    const len = Math.sqrt(x * x + y * y + z * z);
    u0 = x / len;
    u1 = y / len;
    u2 = z / len;
  }

  function prepare(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    n = size;
    manhattan = metric === 'manhattan';
    const conv = fromSrgb(space);
    for (let i = 0, j = 0; i < size; i++, j += 3) conv(palette[j], palette[j + 1], palette[j + 2], raw, j);
    principalAxis(size);
    for (let i = 0, j = 0; i < size; i++, j += 3) rawKey[i] = u0 * raw[j] + u1 * raw[j + 1] + u2 * raw[j + 2];
    // Insertion sort by key: at most 256 entries, no allocation.
    for (let i = 0; i < size; i++) {
      const v = rawKey[i];
      let s = i;
      while (s > 0 && rawKey[tmp[s - 1]] > v) {
        tmp[s] = tmp[s - 1];
        s--;
      }
      tmp[s] = i;
    }
    for (let s = 0; s < size; s++) {
      const i = tmp[s];
      order[s] = i;
      slotOf[i] = s;
      coords[s * 3] = raw[i * 3];
      coords[s * 3 + 1] = raw[i * 3 + 1];
      coords[s * 3 + 2] = raw[i * 3 + 2];
      keys[s] = rawKey[i];
    }
  }

  function slabNearest(q0: number, q1: number, q2: number, hint: number): number {
    const qk = u0 * q0 + u1 * q1 + u2 * q2;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < qk) lo = mid + 1;
      else hi = mid;
    }
    let best = Infinity;
    let bestIdx = 0x7fffffff;
    if (hint >= 0 && hint < n) {
      const j = slotOf[hint] * 3;
      const d0 = coords[j] - q0;
      const d1 = coords[j + 1] - q1;
      const d2 = coords[j + 2] - q2;
      best = manhattan ? Math.abs(d0) + Math.abs(d1) + Math.abs(d2) : d0 * d0 + d1 * d1 + d2 * d2;
      bestIdx = hint;
    }
    // Four near-identical loops (two directions x two metrics) rather than a branch per
    // candidate: this is the innermost loop of the whole mapping stage.
    if (!manhattan) {
      for (let s = lo; s < n; s++) {
        const da = keys[s] - qk - BOUND_SLACK;
        if (da > 0 && da * da > best) break;
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
        const da = qk - keys[s] - BOUND_SLACK;
        if (da > 0 && da * da > best) break;
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
        if (keys[s] - qk - BOUND_SLACK > best) break;
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
        if (qk - keys[s] - BOUND_SLACK > best) break;
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

  // ---- Lazy two-level grid of candidate lists ----------------------------------------------
  // The working-space gamut box is cut into FINE^3 cells, grouped COARSE^3 at a time. The first
  // query that lands in a cell (per palette) builds that cell's candidate list: every palette
  // entry whose distance to the cell box could be as small as D, where D is the smallest
  // "distance to the farthest point of the box" over the entries considered. The true nearest
  // colour of any point in the box is within D of that point, so it, and anything tied with
  // it, is always kept. A fine cell filters its coarse cell's list instead of the whole palette
  // (the nearest colour of a point in the fine cell is on the coarse list), so building costs
  // O(coarse list) rather than O(k). Lists keep palette order, so a strict `<` scan returns the
  // lowest index on ties. Cells are built only where pixels fall: a new palette costs nothing
  // up front, which matters when every frame of a clip brings its own palette.
  const coarseGen = new Uint32Array(COARSE_CELLS);
  const coarseStart = new Int32Array(COARSE_CELLS);
  const coarseLen = new Uint16Array(COARSE_CELLS);
  const coarseUses = new Uint32Array(COARSE_CELLS);
  const coarsePool = new Uint8Array(COARSE_CELLS * 256);
  let coarseTop = 0;
  const fineGen = new Uint32Array(FINE_CELLS);
  const fineStart = new Int32Array(FINE_CELLS);
  const fineLen = new Uint16Array(FINE_CELLS);
  let finePool = new Uint8Array(1 << 20);
  let fineTop = 0;
  let gen = 0;
  let box: Float64Array = gamutBox('rgb');
  const everyIndex = new Uint8Array(256).map((_, i) => i);

  /**
   * Append to `dst` (from `dstTop`) the entries of `src[start, start+len)` that may be nearest
   * for some point of the box [lo, hi] (widened by CELL_EPS against rounding). Returns the new top.
   */
  function filter(src: Uint8Array, start: number, len: number, cw: number, x: number, y: number, z: number, dst: Uint8Array, dstTop: number): number {
    const lo0 = box[0] + x * cw * box[6] - CELL_EPS;
    const hi0 = box[0] + (x + 1) * cw * box[6] + CELL_EPS;
    const lo1 = box[1] + y * cw * box[7] - CELL_EPS;
    const hi1 = box[1] + (y + 1) * cw * box[7] + CELL_EPS;
    const lo2 = box[2] + z * cw * box[8] - CELL_EPS;
    const hi2 = box[2] + (z + 1) * cw * box[8] + CELL_EPS;
    const end = start + len;
    let limit = Infinity;
    for (let p = start; p < end; p++) {
      const j = src[p] * 3;
      const f0 = Math.max(raw[j] - lo0, hi0 - raw[j]);
      const f1 = Math.max(raw[j + 1] - lo1, hi1 - raw[j + 1]);
      const f2 = Math.max(raw[j + 2] - lo2, hi2 - raw[j + 2]);
      const far = manhattan ? f0 + f1 + f2 : f0 * f0 + f1 * f1 + f2 * f2;
      if (far < limit) limit = far;
    }
    limit = limit * (1 + 1e-9) + 1e-9; // rounding slack: keep the pruning conservative
    for (let p = start; p < end; p++) {
      const i = src[p];
      const j = i * 3;
      const c0 = raw[j];
      const c1 = raw[j + 1];
      const c2 = raw[j + 2];
      const e0 = c0 < lo0 ? lo0 - c0 : c0 > hi0 ? c0 - hi0 : 0;
      const e1 = c1 < lo1 ? lo1 - c1 : c1 > hi1 ? c1 - hi1 : 0;
      const e2 = c2 < lo2 ? lo2 - c2 : c2 > hi2 ? c2 - hi2 : 0;
      const near = manhattan ? e0 + e1 + e2 : e0 * e0 + e1 * e1 + e2 * e2;
      if (near <= limit) dst[dstTop++] = i;
    }
    return dstTop;
  }

  function buildCoarse(coarse: number, cx: number, cy: number, cz: number): void {
    coarseStart[coarse] = coarseTop;
    coarseTop = filter(everyIndex, 0, n, SPLIT, cx, cy, cz, coarsePool, coarseTop);
    coarseLen[coarse] = coarseTop - coarseStart[coarse];
    coarseUses[coarse] = 0;
    coarseGen[coarse] = gen;
  }

  function buildFine(cell: number, coarse: number, x: number, y: number, z: number): void {
    const len = coarseLen[coarse];
    if (fineTop + len > finePool.length) {
      // Grows rarely (amortised doubling) and is kept for later frames.
      const bigger = new Uint8Array(Math.max(finePool.length * 2, fineTop + len));
      bigger.set(finePool.subarray(0, fineTop));
      finePool = bigger;
    }
    fineStart[cell] = fineTop;
    fineTop = filter(coarsePool, coarseStart[coarse], len, 1, x, y, z, finePool, fineTop);
    fineLen[cell] = fineTop - fineStart[cell];
    fineGen[cell] = gen;
  }

  function nearest(q0: number, q1: number, q2: number, hint = -1): number {
    const x = Math.floor((q0 - box[0]) * box[9]);
    const y = Math.floor((q1 - box[1]) * box[10]);
    const z = Math.floor((q2 - box[2]) * box[11]);
    // Outside the gamut box (cannot happen for real sRGB input, but the box for Lab/Oklab is
    // sampled): fall back to the slab search, which needs no grid.
    if (x < 0 || x >= FINE || y < 0 || y >= FINE || z < 0 || z >= FINE) return slabNearest(q0, q1, q2, hint);
    const cell = (x * FINE + y) * FINE + z;
    let pool = finePool;
    let start = fineStart[cell];
    let end = start + fineLen[cell];
    if (fineGen[cell] !== gen) {
      const cx = (x / SPLIT) | 0;
      const cy = (y / SPLIT) | 0;
      const cz = (z / SPLIT) | 0;
      const coarse = (cx * COARSE + cy) * COARSE + cz;
      if (coarseGen[coarse] !== gen) buildCoarse(coarse, cx, cy, cz);
      if (coarseUses[coarse] < FINE_AFTER) {
        // A fine cell costs two passes over the coarse list to build, so the first queries
        // of a coarse cell just scan the coarse list: sparse regions (and small frames with
        // a fresh palette each) never pay for cells they would use once or twice.
        coarseUses[coarse]++;
        pool = coarsePool;
        start = coarseStart[coarse];
        end = start + coarseLen[coarse];
      } else {
        buildFine(cell, coarse, x, y, z);
        pool = finePool;
        start = fineStart[cell];
        end = start + fineLen[cell];
      }
    }
    let best = Infinity;
    let bestIdx = 0;
    // Two copies of the scan, one per metric, to keep the branch out of the loop.
    if (!manhattan) {
      for (let p = start; p < end; p++) {
        const i = pool[p];
        const j = i * 3;
        const d0 = raw[j] - q0;
        let d = d0 * d0;
        if (d >= best) continue;
        const d1 = raw[j + 1] - q1;
        d += d1 * d1;
        if (d >= best) continue;
        const d2 = raw[j + 2] - q2;
        d += d2 * d2;
        if (d < best) {
          best = d;
          bestIdx = i;
        }
      }
    } else {
      for (let p = start; p < end; p++) {
        const i = pool[p];
        const j = i * 3;
        let d = Math.abs(raw[j] - q0);
        if (d >= best) continue;
        d += Math.abs(raw[j + 1] - q1);
        if (d >= best) continue;
        d += Math.abs(raw[j + 2] - q2);
        if (d < best) {
          best = d;
          bestIdx = i;
        }
      }
    }
    return bestIdx;
  }

  function prepareAll(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    prepare(palette, size, metric, space);
    box = gamutBox(space);
    coarseTop = 0;
    fineTop = 0;
    gen++;
    if (gen > 0xfffffff0) {
      coarseGen.fill(0);
      fineGen.fill(0);
      gen = 1;
    }
  }

  return { prepare: prepareAll, nearest };
}

/** Coarse cells per axis of the candidate grid, and fine cells per coarse cell per axis. */
const COARSE = 8;
const SPLIT = 4;
const FINE = COARSE * SPLIT;
const COARSE_CELLS = COARSE * COARSE * COARSE;
const FINE_CELLS = FINE * FINE * FINE;
/** Queries a coarse cell answers from its own list before its fine cells are built. */
const FINE_AFTER = 64;
/** Cell boxes are widened by this much so rounding in the cell computation cannot matter. */
const CELL_EPS = 1e-6;

const boxes = new Map<ColorSpace, Float64Array>();

/**
 * [min0, min1, min2, max0, max1, max2, fine cell size 0..2, 1 / fine cell size 0..2] of the
 * working-space image of the sRGB cube: for rgb, 0..255 widened by half a unit; for lab/oklab, the bounding box of the
 * cube's faces sampled every 5 steps (the extremes lie on the surface), widened by 2 units.
 * A colour outside it is still mapped exactly, by the slab search.
 */
function gamutBox(space: ColorSpace): Float64Array {
  let b = boxes.get(space);
  if (b !== undefined) return b;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  if (space === 'rgb') {
    // Half a unit beyond 0..255 on each side, so 255 falls inside the last cell.
    min.fill(-0.5);
    max.fill(255.5);
  } else {
    const conv = fromSrgb(space);
    const o = new Float64Array(3);
    const steps: number[] = [];
    for (let v = 0; v < 255; v += 5) steps.push(v);
    steps.push(255);
    for (const fixed of [0, 255]) {
      for (const a of steps) {
        for (const c of steps) {
          for (let face = 0; face < 3; face++) {
            if (face === 0) conv(fixed, a, c, o, 0);
            else if (face === 1) conv(a, fixed, c, o, 0);
            else conv(a, c, fixed, o, 0);
            for (let k = 0; k < 3; k++) {
              if (o[k] < min[k]) min[k] = o[k];
              if (o[k] > max[k]) max[k] = o[k];
            }
          }
        }
      }
    }
    for (let k = 0; k < 3; k++) {
      min[k] -= 2;
      max[k] += 2;
    }
  }
  b = new Float64Array(12);
  for (let k = 0; k < 3; k++) {
    b[k] = min[k];
    b[k + 3] = max[k];
    b[k + 6] = (max[k] - min[k]) / FINE;
    b[k + 9] = FINE / (max[k] - min[k]);
  }
  boxes.set(space, b);
  return b;
}
