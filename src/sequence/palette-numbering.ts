/**
 * Numbering a new palette's entries as the last palette's were: a new clustering (a fresh
 * start, a scene cut, a refresh's candidate) numbers its clusters arbitrarily, and an entry
 * that moved to another slot would repaint every pixel drawn with it. Pure: typed arrays in,
 * the same arrays reordered.
 */
import { solveAssignment } from '../transfer/hungarian.js';

/** Scratch of the matchings, for palettes of up to 256 entries (createMatchScratch). */
export interface MatchScratch {
  readonly order: Float64Array;
  readonly cost: Float64Array;
  readonly taken: Uint8Array;
  /** Where matchEntries leaves its result: the slot each entry went to. */
  readonly slotOf: Uint8Array;
  /** Where keepPersistingSlots leaves its result, likewise. */
  readonly persistedSlot: Uint8Array;
  readonly persisting: Int16Array;
}

export function createMatchScratch(): MatchScratch {
  return {
    order: new Float64Array(256 * 3), cost: new Float64Array(256 * 256), taken: new Uint8Array(256),
    slotOf: new Uint8Array(256), persistedSlot: new Uint8Array(256), persisting: new Int16Array(256),
  };
}

/**
 * Reorders `centroids` (`size`*3, in place) by a minimum-total-distance one-to-one matching
 * with the old entries (Hungarian method). When the palette keeps its size or grows, old
 * entry i's match takes slot i and the new colours the slots after the old ones; when it
 * shrinks (the frame has fewer colours than the old palette entries: each new entry is one
 * of its colours exactly), each new entry takes the slot of the old one it matched, and the
 * old entries no new one matched keep their slots and colours, unused by this frame, so that
 * no entry moves and one whose colour comes back is still there (`centroids` then needs room
 * for `oldSize` entries). Returns the palette's size: `size`, or `oldSize` when it shrinks.
 * `scratch.slotOf[j]`: the slot entry j went to.
 */
export function matchEntries(centroids: Float64Array, size: number, old: Float64Array, oldSize: number, scratch: MatchScratch): number {
  const { order, cost, taken, slotOf } = scratch;
  const grows = size >= oldSize;
  // Rows are the smaller side, as the solver wants.
  const rows = grows ? oldSize : size;
  const cols = grows ? size : oldSize;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const o = (grows ? r : c) * 3;
      const n = (grows ? c : r) * 3;
      const dr = old[o] - centroids[n];
      const dg = old[o + 1] - centroids[n + 1];
      const db = old[o + 2] - centroids[n + 2];
      cost[r * cols + c] = dr * dr + dg * dg + db * db;
    }
  }
  const assignment = solveAssignment(cost, rows, cols);
  order.set(centroids.subarray(0, size * 3));
  const place = (from: number, slot: number): void => {
    slotOf[from] = slot;
    copyEntry(order, from, centroids, slot);
  };
  if (grows) {
    taken.fill(0, 0, size);
    for (let i = 0; i < oldSize; i++) {
      place(assignment[i], i);
      taken[assignment[i]] = 1;
    }
    let next = oldSize;
    for (let j = 0; j < size; j++) if (taken[j] === 0) place(j, next++);
    return size;
  }
  centroids.set(old.subarray(0, oldSize * 3));
  for (let j = 0; j < size; j++) place(j, assignment[j]);
  return oldSize;
}

/**
 * An entry within this distance (sRGB units) of an old one, each the other's nearest, is
 * the same colour persisting.
 */
const PERSISTS = 2;

/** Far above any sum of the costs below, so that no matching takes a pair it bars. */
const BARRED = 1e6;

/**
 * Renumbers a new palette's `size` entries (`centroids`, in place) so that each colour that
 * persists from `old` (the last palette's `oldSize` written colours, which the palette hold
 * may have kept while a centroid drifted; at most `size`) sits in its old slot, moving as
 * few other entries as that takes, each displaced one to the free slot whose old colour is
 * nearest. The minimum total squared move that matchEntries and a refresh's blend make
 * would rather shift a chain of entries by one slot each than leave one where it was and
 * move another far: a fresh palette of greys with one level new had every entry above it
 * move up a slot (pigs_in_a_polka.gif: 20 such frames in 30, exact levels included), and a
 * slot whose colour changes repaints what the palette hold, the pixel hold, the timeline
 * and a transfer draw with it. `scratch.persistedSlot[j]`: the slot entry j went to.
 */
export function keepPersistingSlots(centroids: Float64Array, size: number, old: ArrayLike<number>, oldSize: number, scratch: MatchScratch): void {
  const { order, cost, taken, persisting, persistedSlot: slotOf } = scratch;
  const distance = (o: number, n: number): number => (old[o * 3] - centroids[n * 3]) ** 2 + (old[o * 3 + 1] - centroids[n * 3 + 1]) ** 2 + (old[o * 3 + 2] - centroids[n * 3 + 2]) ** 2;
  /** Of `count` entries, the one `d` puts nearest. */
  const nearest = (count: number, d: (other: number) => number): number => {
    let best = 0;
    let bestDistance = d(0);
    for (let j = 1; j < count; j++) {
      const dj = d(j);
      if (dj < bestDistance) {
        best = j;
        bestDistance = dj;
      }
    }
    return best;
  };
  // persisting[o]: the new entry that is old entry o's colour, or -1; taken[n]: whether new entry n is one.
  persisting.fill(-1, 0, size);
  taken.fill(0, 0, size);
  for (let o = 0; o < oldSize; o++) {
    const n = nearest(size, (j) => distance(o, j));
    if (distance(o, n) <= PERSISTS * PERSISTS && nearest(oldSize, (j) => distance(j, n)) === o) {
      persisting[o] = n;
      taken[n] = 1;
    }
  }
  // A persisting colour to its old slot; every other entry stays where it is (0), or moves
  // (1, and a little more the farther the slot's old colour: under 0.2, so that the number of
  // moves comes first; a slot with no old colour, 1).
  for (let o = 0; o < size; o++) {
    for (let n = 0; n < size; n++) {
      cost[o * size + n] = persisting[o] >= 0 ? (persisting[o] === n ? 0 : BARRED) : taken[n] === 1 ? BARRED : o === n ? 0 : o < oldSize ? 1 + distance(o, n) / 1e6 : 1;
    }
  }
  const assignment = solveAssignment(cost, size, size);
  order.set(centroids.subarray(0, size * 3));
  for (let o = 0; o < size; o++) {
    const n = assignment[o];
    slotOf[n] = o;
    copyEntry(order, n, centroids, o);
  }
}

/** Entry `from` of `source` (3 values an entry) into slot `slot` of `target`. */
function copyEntry(source: Float64Array, from: number, target: Float64Array, slot: number): void {
  target[slot * 3] = source[from * 3];
  target[slot * 3 + 1] = source[from * 3 + 1];
  target[slot * 3 + 2] = source[from * 3 + 2];
}
