import { describe, expect, it } from 'vitest';
import { mergeRepeatedColours } from '../../src/transfer/merge-colours.js';
import type { IndexedFrame } from '../../src/types.js';

const frame = (palette: number[], indices: number[], transparent: number[] | null = null): IndexedFrame => ({
  width: indices.length, height: 1, delayMs: 40, palette: Uint8Array.from(palette), size: palette.length / 3,
  indices: Uint8Array.from(indices), transparent: transparent && Uint8Array.from(transparent),
});

describe('mergeRepeatedColours', () => {
  it('keeps each colour once, in the order it first comes, and renumbers the pixels; the mask is kept', () => {
    const a = [10, 20, 30], b = [40, 50, 60], c = [70, 80, 90];
    const merged = mergeRepeatedColours(frame([...a, ...b, ...a, ...c, ...b], [0, 1, 2, 3, 4, 2, 0], [0, 0, 0, 0, 0, 1, 0]));
    expect(merged.size).toBe(3);
    expect([...merged.palette]).toEqual([...a, ...b, ...c]);
    expect([...merged.indices]).toEqual([0, 1, 0, 2, 1, 0, 0]);
    expect([...merged.transparent!]).toEqual([0, 0, 0, 0, 0, 1, 0]);
  });

  it('returns a frame whose colours are all different as it is', () => {
    const distinct = frame([1, 2, 3, 1, 2, 4], [0, 1, 1]);
    expect(mergeRepeatedColours(distinct)).toBe(distinct);
  });
});
