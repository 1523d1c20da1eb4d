import { describe, expect, it } from 'vitest';
import { bleedIntoClear, expandToRgba } from '../../src/pipeline/expand-frame.js';
import type { IndexedFrame } from '../../src/types.js';

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

describe('expandToRgba', () => {
  it('refuses an opaque pixel whose index is the palette size or past it, rather than reading a colour from beyond the palette', () => {
    const palette = Uint8Array.of(10, 20, 30, 40, 50, 60, 70, 80, 90); // three colours stored, two in use
    const frame = (indices: number[], transparent: Uint8Array | null = null): IndexedFrame => ({ width: 2, height: 1, indices: Uint8Array.from(indices), palette, size: 2, transparent, delayMs: 100 });
    const out = new Uint8Array(8);
    expect(expandToRgba(frame([0, 1]), out, 0)).toBe(false);
    expect([...out]).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
    expect(() => expandToRgba(frame([1, 2]), out, 0)).toThrow(RangeError);
    // A transparent pixel's index is filler, not checked; the pixel is black with the alpha asked for.
    expect(expandToRgba(frame([2, 0], Uint8Array.of(1, 0)), out, 255)).toBe(true);
    expect([...out]).toEqual([0, 0, 0, 255, 10, 20, 30, 255]);
  });
});
