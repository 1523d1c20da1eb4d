import type { ColorSpace } from '../types.js';
import { fromSrgb } from '../color/space.js';

/**
 * The grid search: exact nearest palette colour through lazily built candidate lists.
 *
 * The working-space box is cut into FINE^3 cells, grouped COARSE^3 at a time. The first
 * query that lands in a cell (per palette) builds that cell's candidate list: every palette
 * entry whose distance to the cell box could be as small as D, where D is the smallest
 * "distance to the farthest point of the box" over the entries considered. The true nearest
 * colour of any point in the box is within D of that point, so it, and anything tied with
 * it, is always kept. A fine cell filters its coarse cell's list instead of the whole palette
 * (the nearest colour of a point in the fine cell is on the coarse list), so building costs
 * O(coarse list) rather than O(k). Lists keep palette order, so a strict `<` scan returns the
 * lowest index on ties. Cells are built only where pixels fall: a new palette costs nothing
 * up front, which matters when every frame of a clip brings its own palette.
 */

export interface GridSearch {
  /** `palette`: `size` working-space colours (kept by reference until the next prepare). */
  prepare(palette: Float64Array, size: number, manhattan: boolean, space: ColorSpace): void;
  /** Nearest index (lowest on ties), or -1 when the colour lies outside the grid's box. */
  nearest(q: Float64Array, o: number): number;
}

export function createGridSearch(): GridSearch {
  let raw: Float64Array = new Float64Array(0);
  let n = 0;
  let manhattan = false;

  const coarseGen = new Uint32Array(COARSE_CELLS);
  const coarseStart = new Int32Array(COARSE_CELLS);
  const coarseLen = new Uint16Array(COARSE_CELLS);
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
  const nearBuf = new Float64Array(256);

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
    // One pass computes both bounds per entry: "far" (to the farthest box point) feeds the
    // limit, "near" (to the nearest box point) is kept for the filtering pass below.
    let limit = Infinity;
    for (let p = start, t = 0; p < end; p++, t++) {
      const j = src[p] * 3;
      const c0 = raw[j];
      const c1 = raw[j + 1];
      const c2 = raw[j + 2];
      const f0 = Math.max(c0 - lo0, hi0 - c0);
      const f1 = Math.max(c1 - lo1, hi1 - c1);
      const f2 = Math.max(c2 - lo2, hi2 - c2);
      const e0 = c0 < lo0 ? lo0 - c0 : c0 > hi0 ? c0 - hi0 : 0;
      const e1 = c1 < lo1 ? lo1 - c1 : c1 > hi1 ? c1 - hi1 : 0;
      const e2 = c2 < lo2 ? lo2 - c2 : c2 > hi2 ? c2 - hi2 : 0;
      let far: number;
      if (manhattan) {
        far = f0 + f1 + f2;
        nearBuf[t] = e0 + e1 + e2;
      } else {
        far = f0 * f0 + f1 * f1 + f2 * f2;
        nearBuf[t] = e0 * e0 + e1 * e1 + e2 * e2;
      }
      if (far < limit) limit = far;
    }
    limit = limit * (1 + 1e-9) + 1e-9; // rounding slack: keep the pruning conservative
    for (let p = start, t = 0; p < end; p++, t++) if (nearBuf[t] <= limit) dst[dstTop++] = src[p];
    return dstTop;
  }

  function buildCoarse(coarse: number, cx: number, cy: number, cz: number): void {
    coarseStart[coarse] = coarseTop;
    coarseTop = filter(everyIndex, 0, n, SPLIT, cx, cy, cz, coarsePool, coarseTop);
    coarseLen[coarse] = coarseTop - coarseStart[coarse];
    coarseGen[coarse] = gen;
  }

  function buildFine(cell: number, x: number, y: number, z: number): void {
    const cx = (x / SPLIT) | 0;
    const cy = (y / SPLIT) | 0;
    const cz = (z / SPLIT) | 0;
    const coarse = (cx * COARSE + cy) * COARSE + cz;
    if (coarseGen[coarse] !== gen) buildCoarse(coarse, cx, cy, cz);
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

  function nearest(q: Float64Array, o: number): number {
    const q0 = q[o];
    const q1 = q[o + 1];
    const q2 = q[o + 2];
    const x = Math.floor((q0 - box[0]) * box[9]);
    const y = Math.floor((q1 - box[1]) * box[10]);
    const z = Math.floor((q2 - box[2]) * box[11]);
    // Outside the box (cannot happen for sRGB input in rgb; the Lab/Oklab box is estimated).
    if (x < 0 || x >= FINE || y < 0 || y >= FINE || z < 0 || z >= FINE) return -1;
    const cell = (x * FINE + y) * FINE + z;
    if (fineGen[cell] !== gen) buildFine(cell, x, y, z);
    const pool = finePool;
    const start = fineStart[cell];
    const end = start + fineLen[cell];
    let best = Infinity;
    let bestIdx = 0;
    // Two copies of the scan, one per metric, to keep the branch out of the loop.
    if (!manhattan) {
      for (let p = start; p < end; p++) {
        const i = pool[p];
        const j = i * 3;
        const d0 = raw[j] - q0;
        const d1 = raw[j + 1] - q1;
        const d2 = raw[j + 2] - q2;
        const d = d0 * d0 + d1 * d1 + d2 * d2;
        if (d < best) {
          best = d;
          bestIdx = i;
        }
      }
    } else {
      for (let p = start; p < end; p++) {
        const i = pool[p];
        const j = i * 3;
        const d = Math.abs(raw[j] - q0) + Math.abs(raw[j + 1] - q1) + Math.abs(raw[j + 2] - q2);
        if (d < best) {
          best = d;
          bestIdx = i;
        }
      }
    }
    return bestIdx;
  }

  function prepare(palette: Float64Array, size: number, isManhattan: boolean, space: ColorSpace): void {
    raw = palette;
    n = size;
    manhattan = isManhattan;
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

  return { prepare, nearest };
}

/** Coarse cells per axis of the candidate grid, and fine cells per coarse cell per axis. */
const COARSE = 8;
const SPLIT = 4;
const FINE = COARSE * SPLIT;
const COARSE_CELLS = COARSE * COARSE * COARSE;
const FINE_CELLS = FINE * FINE * FINE;
/** Cell boxes are widened by this much so rounding in the cell computation cannot matter. */
const CELL_EPS = 1e-6;

const boxes = new Map<ColorSpace, Float64Array>();

/**
 * [min0, min1, min2, max0, max1, max2, fine cell size 0..2, 1 / fine cell size 0..2] of
 * the box the grid covers in the working space. For rgb: 0..255 widened by half a unit. For
 * lab/oklab: the bounding box of the sRGB cube's faces sampled every 5 steps, widened by 2
 * units; that is only an estimate of the gamut's extent, which is fine: a colour outside
 * the box is still mapped exactly, by the slab search, just more slowly.
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
