/**
 * The nearest two centres of a point without measuring all k of them, for large k.
 *
 * Checking every centre costs k distances a point; at k = 256 that is most of a video
 * frame's clustering time. But a centre j far from some centre g cannot be near a point
 * that is near g: by the triangle inequality d(x, c_j) ≥ d(c_g, c_j) − d(x, c_g). So with
 * the other centres listed in order of their distance from g, the search from a point near
 * g can stop at the first centre with d(c_g, c_j) − d(x, c_g) above the second-best distance
 * found so far: every centre after it is farther still. (The ordering idea is that of
 * "sort-means", S. J. Phillips, "Acceleration of k-means and related clustering
 * algorithms", ALENEX 2002.)
 *
 * The result is exactly the full scan's: the same nearest centre (the lowest index among
 * equally near ones), the same two smallest distances, bit for bit, as every distance is
 * computed by the same expression. Only centres proven farther than the second-best are
 * left out.
 */
export interface CentreNeighbours {
  /** k*k distances between centres (Euclidean, or Manhattan), row per centre. */
  pair: Float64Array;
  /**
   * Row g: the other centres in order of their distance from centre g when the row was
   * sorted, and those distances (`ordered`). Centres move a little every Lloyd step; rows
   * are sorted again only when they have moved enough to make the order a poor guide.
   */
  order: Uint8Array;
  ordered: Float64Array;
  /** `travel` when row g was sorted; -1: not sorted for these centres. */
  sortedAt: Float64Array;
  /**
   * Sum over the calls to `prepareNeighbours` of the largest move of any centre since the
   * call before: no centre moved farther than `travel - sortedAt[g]` since row g was sorted.
   */
  travel: number;
  /** The centres of the last call, to measure how far they have moved since. */
  seen: Float64Array;
  k: number;
  l1: boolean;
  /** Hamerly's gaps of the last call: how far row g's order may drift before it is sorted again. */
  gap: Float64Array;
  /** The largest distance between two centres, which scales the sort keys and the rounding slack. */
  widest: number;
  keys: Float64Array;
  /** Where a point with no label starts its search: the centre nearest to its cell's middle (see `prepareGuesses`). */
  guess: Uint8Array;
  /** The guess grid's box: lower corner and cells per unit, per channel; and its cells per channel. */
  box: Float64Array;
  cells: number;
}

/**
 * From this k up, the ordered search beats checking every centre. Measured on photos of
 * 0.3 MP (kmeansPixels, best of 3, same results): 6-9% slower at k = 16, 5-9% faster at 32,
 * 1.3 times as fast at 64, 1.7 at 128, 2.2 at 256.
 */
const NEIGHBOURS_MIN_K = 32;

/**
 * Nor does it pay with few points per centre: measuring the k^2 distances between centres
 * every step and sorting their rows then costs more than it saves. A GIF frame has at
 * most 256 colours, a black-and-white film a few hundred: chaplin.mp4 at k = 128 took 2.36 s
 * with the ordered search and 2.05 s without.
 */
const NEIGHBOURS_MIN_POINTS = 16;

/** Whether the ordered search pays for `k` centres and `points` points (see the two limits above). */
export function orderedSearchPays(k: number, points: number): boolean {
  return k >= NEIGHBOURS_MIN_K && points >= NEIGHBOURS_MIN_POINTS * k;
}

export function createNeighbours(): CentreNeighbours {
  const none = new Float64Array(0);
  return { pair: none, order: new Uint8Array(0), ordered: none, sortedAt: none, travel: 0, seen: none, k: 0, l1: false, gap: none, widest: 0, keys: none, guess: new Uint8Array(GUESS_CELLS ** 3), box: new Float64Array(6), cells: 1 };
}

/**
 * Measures the distances between `k` centres (at most 256) and fills Hamerly's `gap`
 * (half the distance to the nearest other centre) from them. Rows are sorted on first use
 * and kept while the centres move little: from one Lloyd step to the next, and from one
 * frame's last step to the next frame's first when it is seeded with them.
 */
export function prepareNeighbours(nb: CentreNeighbours, centres: Float64Array, k: number, l1: boolean, gap: Float64Array): void {
  if (nb.sortedAt.length < k) {
    nb.pair = new Float64Array(k * k);
    nb.order = new Uint8Array(k * k);
    nb.ordered = new Float64Array(k * k);
    nb.sortedAt = new Float64Array(k).fill(-1);
    nb.keys = new Float64Array(k);
    nb.seen = new Float64Array(k * 3);
  }
  if (k !== nb.k || l1 !== nb.l1) {
    nb.sortedAt.fill(-1, 0, k);
    nb.travel = 0;
  } else {
    // How far the farthest-moving centre went since the last call.
    const seen = nb.seen;
    let moved = 0;
    for (let c = 0; c < k * 3; c += 3) {
      const dx = centres[c] - seen[c];
      const dy = centres[c + 1] - seen[c + 1];
      const dz = centres[c + 2] - seen[c + 2];
      const d = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (d > moved) moved = d;
    }
    // Rounded up, so that no move is lost to rounding however large the sum has grown: the
    // allowance must never fall short of the true moves.
    if (moved > 0) nb.travel = (nb.travel + moved) * (1 + 2 ** -50);
  }
  nb.seen.set(centres.subarray(0, k * 3));
  nb.l1 = l1;
  nb.gap = gap;
  const pair = nb.pair;
  gap.fill(Infinity, 0, k);
  let widest = 0;
  for (let a = 0, ca = 0; a < k; a++, ca += 3) {
    pair[a * k + a] = 0;
    for (let b = a + 1, cb = ca + 3; b < k; b++, cb += 3) {
      const dx = centres[ca] - centres[cb];
      const dy = centres[ca + 1] - centres[cb + 1];
      const dz = centres[ca + 2] - centres[cb + 2];
      const d = l1 ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : Math.sqrt(dx * dx + dy * dy + dz * dz);
      pair[a * k + b] = d;
      pair[b * k + a] = d;
      const half = 0.5 * d;
      if (half < gap[a]) gap[a] = half;
      if (half < gap[b]) gap[b] = half;
      if (d > widest) widest = d;
    }
  }
  nb.k = k;
  nb.widest = widest;
  // Keep `travel` on the scale of these centres (after other runs, restarts, another space):
  // start the count afresh, every row to be sorted again, once it has grown far beyond them.
  if (!(nb.travel <= 2 ** 20 * widest)) {
    nb.sortedAt.fill(-1, 0, k);
    nb.travel = 0;
  }
}

/**
 * How much closer than listed in row g a centre may be now: both ends of each distance
 * moved by at most `travel - sortedAt[g]`. Once that allowance outgrows half the gap to g's
 * nearest neighbour, the row is sorted again: from its last order (nearly sorted still)
 * while the drift is moderate, from scratch after a jump (new centres for a restart).
 * The thresholds were tuned on realshort.mp4 at k = 256 (4.65 s before the ordered
 * search; 3.1 s re-sorting from scratch only; 2.8 s with these).
 */
function rowAllowance(nb: CentreNeighbours, g: number): number {
  const at = nb.sortedAt[g];
  if (at >= 0) {
    const allowance = 2 * (nb.travel - at);
    if (allowance <= RESORT * nb.gap[g]) return allowance;
    insertionSortRow(nb, g);
  } else {
    sortRow(nb, g);
  }
  return 0;
}

const RESORT = 0.5;

/**
 * Sorts row g again from its last order, which the centres' moves have mostly left sorted,
 * or from scratch (sortRow) once it has shifted entries more than a full sort compares:
 * after a jump (new centres for a restart) the old order is no guide. Which of the two a
 * row needs was guessed from how far the centres had moved, against the gap to g's nearest
 * neighbour, but one entry jumping (a refresh's new colour) sent every row to a full sort,
 * and at k = 256 a palette of close entries (a test pattern's 5,000 colours) moved past
 * that guess nearly every frame: sorting took a third of the run (testsrc2, 400 frames of
 * 320x240, --refresh 0: 9.8 s, now 6.6 s; realshort.mp4 2.05 s either way).
 */
function insertionSortRow(nb: CentreNeighbours, g: number): void {
  const { k, pair, order, ordered } = nb;
  const row = g * k;
  const end = row + k - 1;
  let shifts = k * Math.log2(k);
  for (let t = row; t < end; t++) ordered[t] = pair[row + order[t]];
  for (let t = row + 1; t < end; t++) {
    const j = order[t];
    const d = ordered[t];
    let m = t - 1;
    while (m >= row && ordered[m] > d) {
      order[m + 1] = order[m];
      ordered[m + 1] = ordered[m];
      m--;
    }
    order[m + 1] = j;
    ordered[m + 1] = d;
    shifts -= t - 1 - m;
    if (shifts < 0) {
      sortRow(nb, g);
      return;
    }
  }
  nb.sortedAt[g] = nb.travel;
}

function sortRow(nb: CentreNeighbours, g: number): void {
  const { k, pair, keys, order, ordered } = nb;
  const row = g * k;
  // Sort keys pack the distance, scaled to 44 bits, above the centre's index (8 bits): a
  // plain numeric sort of doubles then orders the indices, with no comparator to call.
  // The packed distance is rounded down, so `ordered` holds lower bounds, in order.
  // (Divided by widest first: 2^44 / widest overflows for widest below 1e-295.)
  const widest = nb.widest > 0 ? nb.widest : 1;
  let m = 0;
  for (let j = 0; j < k; j++) if (j !== g) keys[m++] = Math.floor((pair[row + j] / widest) * 2 ** 44) * 256 + j;
  const list = keys.subarray(0, m).sort();
  for (let t = 0; t < m; t++) {
    const key = list[t];
    order[row + t] = key % 256;
    ordered[row + t] = (Math.floor(key / 256) / 2 ** 44) * widest;
  }
  nb.sortedAt[g] = nb.travel;
}

/**
 * Cells per channel, at most, of the grid that gives unlabelled points a centre to search
 * from; fewer for fewer points (one search per cell must cost less than it saves: at k = 32
 * and 520 points, 12 per channel made a first assignment 8 times as slow as checking every
 * centre).
 */
const GUESS_CELLS = 8;

/**
 * For a first assignment, where points have no label yet: the box around the points is cut
 * into cells (up to GUESS_CELLS per channel, about one per 4 points) and each cell's middle
 * gets its nearest centre, so a point's search starts from a centre near it. (The previous
 * point's nearest, which came free, was a poor start on video frames: the first assignments
 * took a quarter of a 320x240 clip's time at k = 256.) Costs one pass over the points and
 * one search per cell.
 */
export function prepareGuesses(nb: CentreNeighbours, points: Float64Array, n: number, centres: Float64Array): void {
  const cells = Math.max(1, Math.min(GUESS_CELLS, Math.floor(Math.cbrt(n / 4))));
  nb.cells = cells;
  const box = nb.box;
  for (let c = 0; c < 3; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = c; p < n * 3; p += 3) {
      const v = points[p];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    box[c] = lo;
    box[c + 3] = hi > lo ? cells / (hi - lo) : 0;
  }
  const search = nb.l1 ? nearestTwoL1 : nearestTwoL2;
  const step = (c: number) => (box[c + 3] > 0 ? 1 / box[c + 3] : 0);
  const s0 = step(0);
  const s1 = step(1);
  const s2 = step(2);
  let g = 0;
  for (let a = 0, cell = 0; a < cells; a++) {
    for (let b = 0; b < cells; b++) {
      for (let c = 0; c < cells; c++, cell++) {
        g = search(box[0] + (a + 0.5) * s0, box[1] + (b + 0.5) * s1, box[2] + (c + 0.5) * s2, centres, nb, g);
        nb.guess[cell] = g;
      }
    }
  }
}

/** The centre to start a search from for a point with no label (see `prepareGuesses`). */
export function guessFor(nb: CentreNeighbours, x: number, y: number, z: number): number {
  const { box, cells } = nb;
  const last = cells - 1;
  const a = Math.min(last, ((x - box[0]) * box[3]) | 0);
  const b = Math.min(last, ((y - box[1]) * box[4]) | 0);
  const c = Math.min(last, ((z - box[2]) * box[5]) | 0);
  return nb.guess[(a * cells + b) * cells + c];
}

/**
 * Absolute slack for distances too small for relative rounding bounds: squared distances
 * below 2^-1022 lose precision (gradual underflow), up to ~3e-162 once square-rooted.
 */
const MIN_PAD = 1e-150;

/**
 * Nearest and second-nearest distances found by the last search (squared for Euclidean):
 * `found[FOUND_BEST]` and `found[FOUND_SECOND]`. A typed array, not two module variables:
 * a number written to a module's (or a closure's) variable is boxed, one new heap number
 * per write, and the searches write two for every colour they place (at k = 256,
 * realshort.mp4 allocated 165 MB of them in its Lloyd steps, and collected them).
 */
export const found = new Float64Array(2);
export const FOUND_BEST = 0;
export const FOUND_SECOND = 1;

/**
 * The centre nearest to (x, y, z) under squared Euclidean distance, searched outward from
 * centre `g` (best when `g` is near the point: its label, or a neighbouring point's).
 * Leaves the two smallest squared distances in `found`.
 */
export function nearestTwoL2(x: number, y: number, z: number, centres: Float64Array, nb: CentreNeighbours, g: number): number {
  const k = nb.k;
  const allowance = rowAllowance(nb, g);
  const { pair, order, ordered } = nb;
  const row = g * k;
  const cg = g * 3;
  let dx = x - centres[cg];
  let dy = y - centres[cg + 1];
  let dz = z - centres[cg + 2];
  let best = dx * dx + dy * dy + dz * dz;
  let second = Infinity;
  let bestAt = g;
  const fromG = Math.sqrt(best);
  const pad = nb.widest * 1e-12 + MIN_PAD;
  let limit = Infinity;
  for (let t = 0; t < k - 1; t++) {
    // Every centre from here on is at least this far from g now, and so out of reach.
    if (ordered[row + t] - allowance > limit) break;
    const j = order[row + t];
    if (pair[row + j] > limit) continue;
    const c = j * 3;
    dx = x - centres[c];
    dy = y - centres[c + 1];
    dz = z - centres[c + 2];
    const d = dx * dx + dy * dy + dz * dz;
    if (d <= second) {
      // Ties go to the lower index, as in a scan of every centre in index order.
      if (d < best || (d === best && j < bestAt)) {
        second = best;
        best = d;
        bestAt = j;
      } else second = d;
      limit = (fromG + Math.sqrt(second)) * (1 + 1e-9) + pad;
    }
  }
  found[FOUND_BEST] = best;
  found[FOUND_SECOND] = second;
  return bestAt;
}

/**
 * {@link nearestTwoL2} for the Manhattan distance. Written out again, as assign.ts's loops
 * are, rather than one function with the metric as a flag: that version measured 1-3%
 * slower on whole runs at k = 256 (realshort.mp4 2.70 -> 2.76 s, with --metric manhattan
 * 3.66 -> 3.76 s; best of 3, alternating), with the same output.
 */
export function nearestTwoL1(x: number, y: number, z: number, centres: Float64Array, nb: CentreNeighbours, g: number): number {
  const k = nb.k;
  const allowance = rowAllowance(nb, g);
  const { pair, order, ordered } = nb;
  const row = g * k;
  const cg = g * 3;
  let best = Math.abs(x - centres[cg]) + Math.abs(y - centres[cg + 1]) + Math.abs(z - centres[cg + 2]);
  let second = Infinity;
  let bestAt = g;
  const fromG = best;
  const pad = nb.widest * 1e-12 + MIN_PAD;
  let limit = Infinity;
  for (let t = 0; t < k - 1; t++) {
    // Every centre from here on is at least this far from g now, and so out of reach.
    if (ordered[row + t] - allowance > limit) break;
    const j = order[row + t];
    if (pair[row + j] > limit) continue;
    const c = j * 3;
    const d = Math.abs(x - centres[c]) + Math.abs(y - centres[c + 1]) + Math.abs(z - centres[c + 2]);
    if (d <= second) {
      if (d < best || (d === best && j < bestAt)) {
        second = best;
        best = d;
        bestAt = j;
      } else second = d;
      limit = (fromG + second) * (1 + 1e-9) + pad;
    }
  }
  found[FOUND_BEST] = best;
  found[FOUND_SECOND] = second;
  return bestAt;
}
