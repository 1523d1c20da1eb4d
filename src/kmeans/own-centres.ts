import type { PointSet } from './lloyd.js';

/**
 * At most k colours: the optimum gives each colour a centre of its own (objective 0), and a
 * fresh clustering does so directly. A warm start can stop short of it: with its Lloyd steps
 * capped (a seeded frame gets a few) or centres pulled back by anchors, two colours may share
 * a centre while another centre has none (at k = 16 with --stability high, a frame of 13
 * colours after frames of many came out with 45 of its 576 pixels off). This finishes the
 * job and keeps the warm start's numbering, so that a colour stays in the entry it had: each
 * centre that has colours takes the one nearest to it, and each colour left over takes the
 * nearest centre that has none.
 *
 * `labels` (each colour's centre) and `centres` (working space) are updated in place;
 * `colourOf[j]` is left as the colour centre j took, or -1 for a centre with none.
 */
export function giveEachColourACentre(set: PointSet, centres: Float64Array, k: number, labels: Int32Array, colourOf: Int32Array): void {
  const { n, points } = set;
  colourOf.fill(-1, 0, k);
  for (let i = 0; i < n; i++) {
    const j = labels[i];
    const d = squaredDistance(points, i, centres, j);
    if (colourOf[j] < 0 || d < distances[j]) {
      colourOf[j] = i;
      distances[j] = d;
    }
  }
  for (let i = 0; i < n; i++) {
    if (colourOf[labels[i]] === i) continue;
    // n <= k and this colour has no centre yet: at most n - 1 are taken, so one is free.
    let free = -1;
    let nearest = Infinity;
    for (let j = 0; j < k; j++) {
      if (colourOf[j] >= 0) continue;
      const d = squaredDistance(points, i, centres, j);
      if (d < nearest) {
        free = j;
        nearest = d;
      }
    }
    colourOf[free] = i;
    labels[i] = free;
  }
  for (let j = 0; j < k; j++) {
    const i = colourOf[j];
    if (i >= 0) centres.set(points.subarray(i * 3, i * 3 + 3), j * 3);
  }
}

/** Per centre, the distance to the nearest of its colours (k is at most 256). */
const distances = new Float64Array(256);

function squaredDistance(points: Float64Array, i: number, centres: Float64Array, j: number): number {
  const p = i * 3;
  const c = j * 3;
  return (points[p] - centres[c]) ** 2 + (points[p + 1] - centres[c + 1]) ** 2 + (points[p + 2] - centres[c + 2]) ** 2;
}
