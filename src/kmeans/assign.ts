/**
 * The assignment step of Lloyd's algorithm: each point's nearest centre, for both metrics,
 * either by checking every centre or with Hamerly's bounds (see lloyd.ts). Each function
 * returns how many labels changed.
 */
import type { LloydScratch, PointSet } from './lloyd.js';
import { found, FOUND_BEST, FOUND_SECOND, guessFor, nearestTwoL1, nearestTwoL2, prepareGuesses, type CentreNeighbours } from './neighbours.js';

// The four assignment loops below (full and Hamerly, L2 and L1) each spell out the
// nearest-two-centres search rather than calling a shared helper: it is the innermost loop
// of k-means. A helper returning two distances through a buffer measured 5-10% slower on
// 1 MP photos at k = 16; one returning the index and leaving both distances in module
// variables (no allocation) measured 2-13% slower on three photos at k = 4-64 (kmeansPixels,
// best of 5, alternating with this code in one process), though not in isolation.
// With `neighbours` (large k, see neighbours.ts) the search goes outward from a centre near
// the point instead: its label when it has one, else the centre nearest to its cell.
export function assignAllL2(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch, neighbours: CentreNeighbours | null = null): number {
  const { n, points } = set;
  const { labels, upper, lower } = scratch;
  if (neighbours !== null) return assignAllOrdered(set, centres, scratch, neighbours, false);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      const dx = x - centres[c];
      const dy = y - centres[c + 1];
      const dz = z - centres[c + 2];
      const d = dx * dx + dy * dy + dz * dz;
      if (d < second) {
        if (d < best) {
          second = best;
          best = d;
          bestAt = j;
        } else second = d;
      }
    }
    if (labels[i] !== bestAt) changes++;
    labels[i] = bestAt;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
  }
  return changes;
}

export function assignAllL1(set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch, neighbours: CentreNeighbours | null = null): number {
  const { n, points } = set;
  const { labels, upper, lower } = scratch;
  if (neighbours !== null) return assignAllOrdered(set, centres, scratch, neighbours, true);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      const d = Math.abs(x - centres[c]) + Math.abs(y - centres[c + 1]) + Math.abs(z - centres[c + 2]);
      if (d < second) {
        if (d < best) {
          second = best;
          best = d;
          bestAt = j;
        } else second = d;
      }
    }
    if (labels[i] !== bestAt) changes++;
    labels[i] = bestAt;
    upper[i] = best;
    lower[i] = second;
  }
  return changes;
}

/**
 * The full assignment by the ordered search (large k). Labels are -1 on a first assignment
 * (lloyd fills them), the last step's after a reseed; the guess grid is made when a point
 * without one first needs it.
 */
function assignAllOrdered(set: PointSet, centres: Float64Array, scratch: LloydScratch, neighbours: CentreNeighbours, l1: boolean): number {
  const { n, points } = set;
  const { labels, upper, lower } = scratch;
  const search = l1 ? nearestTwoL1 : nearestTwoL2;
  let changes = 0;
  let guessing = false;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    let from = labels[i];
    if (from < 0) {
      if (!guessing) prepareGuesses(neighbours, points, n, centres);
      guessing = true;
      from = guessFor(neighbours, x, y, z);
    }
    const at = search(x, y, z, centres, neighbours, from);
    if (labels[i] !== at) changes++;
    labels[i] = at;
    // Hamerly's bounds are distances: the squared Euclidean ones are rooted.
    upper[i] = l1 ? found[FOUND_BEST] : Math.sqrt(found[FOUND_BEST]);
    lower[i] = l1 ? found[FOUND_SECOND] : Math.sqrt(found[FOUND_SECOND]);
  }
  return changes;
}

/** Half the distance from each centre to its nearest other centre (Hamerly's s(j)). */
function fillGaps(centres: Float64Array, k: number, gap: Float64Array, l1: boolean): void {
  gap.fill(Infinity, 0, k);
  for (let a = 0, ca = 0; a < k; a++, ca += 3) {
    for (let b = a + 1, cb = ca + 3; b < k; b++, cb += 3) {
      const dx = centres[ca] - centres[cb];
      const dy = centres[ca + 1] - centres[cb + 1];
      const dz = centres[ca + 2] - centres[cb + 2];
      const d = 0.5 * (l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(dx * dx + dy * dy + dz * dz));
      if (d < gap[a]) gap[a] = d;
      if (d < gap[b]) gap[b] = d;
    }
  }
}

export function assignHamerlyL2(
  set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch,
  maxShift: number, maxAt: number, secondShift: number, neighbours: CentreNeighbours | null = null,
): number {
  const { n, points, weights } = set;
  const { labels, upper, lower, shift, gap, sums, totals } = scratch;
  // With neighbours, prepareNeighbours has filled the gaps from the same distances.
  if (neighbours === null) fillGaps(centres, k, gap, false);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const a = labels[i];
    // Own centre moved by shift[a]; every other centre by at most the largest other shift.
    let u = upper[i] + shift[a];
    const l = lower[i] - (a === maxAt ? secondShift : maxShift);
    lower[i] = l;
    const bound = gap[a] > l ? gap[a] : l;
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    const ca = a * 3;
    let dx = x - centres[ca];
    let dy = y - centres[ca + 1];
    let dz = z - centres[ca + 2];
    u = Math.sqrt(dx * dx + dy * dy + dz * dz);
    upper[i] = u;
    if (u <= bound) continue;
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    if (neighbours !== null) {
      bestAt = nearestTwoL2(x, y, z, centres, neighbours, a);
      best = found[FOUND_BEST];
      second = found[FOUND_SECOND];
    } else {
      for (let j = 0, c = 0; j < k; j++, c += 3) {
        dx = x - centres[c];
        dy = y - centres[c + 1];
        dz = z - centres[c + 2];
        const d = dx * dx + dy * dy + dz * dz;
        if (d < second) {
          if (d < best) {
            second = best;
            best = d;
            bestAt = j;
          } else second = d;
        }
      }
    }
    if (bestAt !== a) {
      changes++;
      labels[i] = bestAt;
      // Move the point's weight between the running sums the next means come from.
      const w = weights[i];
      const cb = bestAt * 3;
      sums[ca] -= w * x;
      sums[ca + 1] -= w * y;
      sums[ca + 2] -= w * z;
      sums[cb] += w * x;
      sums[cb + 1] += w * y;
      sums[cb + 2] += w * z;
      totals[a] -= w;
      totals[bestAt] += w;
    }
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
  }
  return changes;
}

export function assignHamerlyL1(
  set: PointSet, centres: Float64Array, k: number, scratch: LloydScratch,
  maxShift: number, maxAt: number, secondShift: number, neighbours: CentreNeighbours | null = null,
): number {
  const { n, points } = set;
  const { labels, upper, lower, shift, gap } = scratch;
  if (neighbours === null) fillGaps(centres, k, gap, true);
  let changes = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const a = labels[i];
    let u = upper[i] + shift[a];
    const l = lower[i] - (a === maxAt ? secondShift : maxShift);
    lower[i] = l;
    const bound = gap[a] > l ? gap[a] : l;
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    const x = points[p];
    const y = points[p + 1];
    const z = points[p + 2];
    const ca = a * 3;
    u = Math.abs(x - centres[ca]) + Math.abs(y - centres[ca + 1]) + Math.abs(z - centres[ca + 2]);
    upper[i] = u;
    if (u <= bound) continue;
    let best = Infinity;
    let second = Infinity;
    let bestAt = 0;
    if (neighbours !== null) {
      bestAt = nearestTwoL1(x, y, z, centres, neighbours, a);
      best = found[FOUND_BEST];
      second = found[FOUND_SECOND];
    } else {
      for (let j = 0, c = 0; j < k; j++, c += 3) {
        const d = Math.abs(x - centres[c]) + Math.abs(y - centres[c + 1]) + Math.abs(z - centres[c + 2]);
        if (d < second) {
          if (d < best) {
            second = best;
            best = d;
            bestAt = j;
          } else second = d;
        }
      }
    }
    if (bestAt !== a) {
      changes++;
      labels[i] = bestAt;
    }
    upper[i] = best;
    lower[i] = second;
  }
  return changes;
}
