// How a new palette's entries are numbered after the last one's (palette-numbering.ts), on
// palettes small enough that the right numbering is plain to see.
import { describe, expect, it } from 'vitest';
import { createMatchScratch, keepPersistingSlots, matchEntries } from '../../src/sequence/palette-numbering.js';

/** Entries as a flat array, with room for `room` of them. */
const entries = (list: number[][], room = list.length) => {
  const out = new Float64Array(room * 3);
  list.forEach((c, i) => out.set(c, i * 3));
  return out;
};
const listOf = (flat: Float64Array, size: number) => Array.from({ length: size }, (_, i) => [...flat.subarray(i * 3, i * 3 + 3)]);

describe('matchEntries', () => {
  const old = entries([[0, 0, 0], [128, 0, 0], [0, 0, 255]]);

  it('puts each new entry in the slot of the old one it is nearest, as a whole', () => {
    const scratch = createMatchScratch();
    const moved = entries([[2, 0, 250], [1, 1, 1], [120, 4, 0]]);
    expect(matchEntries(moved, 3, old, 3, scratch)).toBe(3);
    expect(listOf(moved, 3)).toEqual([[1, 1, 1], [120, 4, 0], [2, 0, 250]]);
    expect([...scratch.slotOf.subarray(0, 3)]).toEqual([2, 0, 1]);
  });

  it('minimises the total move, where each entry taking its own nearest would not', () => {
    // Old greys 10 and 20; new 12 and 0. 10's nearest is 12, which would leave 0 to 20 (a
    // move of 20 levels); the least total puts 0 in 10's slot and 12 in 20's.
    const scratch = createMatchScratch();
    const fresh = entries([[12, 12, 12], [0, 0, 0]]);
    matchEntries(fresh, 2, entries([[10, 10, 10], [20, 20, 20]]), 2, scratch);
    expect(listOf(fresh, 2)).toEqual([[0, 0, 0], [12, 12, 12]]);
  });

  it('grows: the old entries keep their slots and a new colour takes the next one', () => {
    const scratch = createMatchScratch();
    const grown = entries([[0, 255, 0], [0, 0, 250], [130, 0, 0], [3, 3, 3]]);
    expect(matchEntries(grown, 4, old, 3, scratch)).toBe(4);
    expect(listOf(grown, 4)).toEqual([[3, 3, 3], [130, 0, 0], [0, 0, 250], [0, 255, 0]]);
  });

  it('shrinks: the new entry takes its old slot, the others stay as they were, unused', () => {
    const scratch = createMatchScratch();
    const shrunk = entries([[126, 2, 0]], 3);
    expect(matchEntries(shrunk, 1, old, 3, scratch)).toBe(3);
    expect(listOf(shrunk, 3)).toEqual([[0, 0, 0], [126, 2, 0], [0, 0, 255]]);
    expect(scratch.slotOf[0]).toBe(1);
  });
});

describe('keepPersistingSlots', () => {
  it('keeps a colour that persists in its old slot, rather than shifting a chain of entries by one', () => {
    // Greys: 10 left, 130 arrived, 50 and 90 stayed. The least total squared move would slide
    // 50 and 90 down a slot each; a slot whose colour changes repaints what it drew.
    const scratch = createMatchScratch();
    const old = [10, 10, 10, 50, 50, 50, 90, 90, 90];
    const fresh = entries([[50, 50, 51], [90, 90, 90], [130, 130, 130]]);
    keepPersistingSlots(fresh, 3, old, 3, scratch);
    expect(listOf(fresh, 3)).toEqual([[130, 130, 130], [50, 50, 51], [90, 90, 90]]);
    expect([...scratch.persistedSlot.subarray(0, 3)]).toEqual([1, 2, 0]);
  });

  it('moves nothing when no colour persists and none needs to', () => {
    const scratch = createMatchScratch();
    const fresh = entries([[200, 0, 0], [0, 200, 0]]);
    keepPersistingSlots(fresh, 2, [0, 0, 0, 255, 255, 255], 2, scratch);
    expect(listOf(fresh, 2)).toEqual([[200, 0, 0], [0, 200, 0]]);
    expect([...scratch.persistedSlot.subarray(0, 2)]).toEqual([0, 1]);
  });
});
