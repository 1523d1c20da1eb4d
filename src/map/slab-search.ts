/**
 * The slab search: exact nearest palette colour by projection on the palette's principal axis.
 * Distances use the same expressions, in the same order, as `nearestIndex` in nearest.ts.
 */

export interface SlabSearch {
  /** `palette`: `size` working-space colours (kept by reference until the next prepare). */
  prepare(palette: Float64Array, size: number, manhattan: boolean): void;
  /** Nearest index (lowest on ties); `hint` (-1 for none) only tightens the first bound. */
  nearest(q0: number, q1: number, q2: number, hint: number): number;
}

/**
 * Slack on the projection bound, in working-space units. The projection and the key are
 * computed in floating point, so the bound could exceed the true distance by a few ulps
 * (values are at most ~10^3, so errors are ~10^-12); subtracting this keeps the pruning
 * conservative, so it can only look at more candidates, never skip the winner.
 */
const BOUND_SLACK = 1e-6;

/**
 * Exact nearest search without a grid (used for colours outside the grid's box). The
 * working-space palette is projected on its principal axis u (unit vector of largest
 * variance, by power iteration on the 3x3 covariance; for RGB palettes of photos this is
 * roughly the grey diagonal, far better than any single channel).
 * Entries are sorted by their projection ("key"). A query binary-searches its own key, then
 * scans outwards in both directions. By Cauchy–Schwarz |u·(c−q)| ≤ ‖c−q‖₂ ≤ ‖c−q‖₁, so the key
 * difference bounds the distance from below under both metrics; each scan stops once that
 * bound exceeds the best distance so far. Inside the slab, partial sums exit early.
 */
export function createSlabSearch(): SlabSearch {
  const coords = new Float64Array(256 * 3); // working-space palette, in sorted order
  const keys = new Float64Array(256); // projection of coords[s] on the axis, ascending
  const order = new Uint16Array(256); // original palette index of sorted slot s
  const slotOf = new Uint16Array(256); // sorted slot of original palette index
  let raw: Float64Array = new Float64Array(0); // working-space palette, in palette order
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

  function prepare(palette: Float64Array, size: number, isManhattan: boolean): void {
    raw = palette;
    n = size;
    manhattan = isManhattan;
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

  function nearest(q0: number, q1: number, q2: number, hint: number): number {
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

  return { prepare, nearest };
}
