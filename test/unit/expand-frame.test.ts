import { describe, expect, it } from 'vitest';
import { bleedIntoClear } from '../../src/pipeline/expand-frame.js';

type Rgb = [number, number, number];

/** An RGBA frame from rows of pixels: null is clear (0,0,0,0), a triple opaque. */
function frameOf(rows: (Rgb | null)[][]): Uint8Array {
  return Uint8Array.from(rows.flat().flatMap((px) => (px === null ? [0, 0, 0, 0] : [...px, 255])));
}

describe('bleedIntoClear', () => {
  it("gives a clear pixel within 2 of an opaque one the nearest one's colour (ties: the first in reading order) and leaves it clear; farther ones stay black", () => {
    const R: Rgb = [200, 10, 20];
    const B: Rgb = [10, 20, 200];
    const rgba = frameOf([
      [null, null, null, null, null],
      [null, R, null, B, null],
      [null, null, null, null, null],
      [null, null, null, null, null],
      [null, null, null, null, null],
    ]);
    bleedIntoClear(rgba, 5, 5);
    const clear = (px: Rgb) => [...px, 0];
    const black = [0, 0, 0, 0];
    expect(Array.from(rgba)).toEqual([
      clear(R), clear(R), clear(R), clear(B), clear(B),
      clear(R), [...R, 255], clear(R), [...B, 255], clear(B),
      clear(R), clear(R), clear(R), clear(B), clear(B),
      clear(R), clear(R), clear(R), clear(R), clear(B),
      black, black, black, black, black,
    ].flat());
  });

  it('leaves a frame with no opaque pixel, or none clear, as it was', () => {
    const empty = new Uint8Array(4 * 3 * 4);
    bleedIntoClear(empty, 4, 3);
    expect(empty.every((v) => v === 0)).toBe(true);
    const opaque = frameOf([[[1, 2, 3], [4, 5, 6]]]);
    const before = opaque.slice();
    bleedIntoClear(opaque, 2, 1);
    expect(opaque).toEqual(before);
  });
});
