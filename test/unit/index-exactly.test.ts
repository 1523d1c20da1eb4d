import { describe, expect, it } from 'vitest';
import { createExactScratch, indexExactly } from '../../src/map/index-exactly.js';
import { mergePanelPalettes } from '../../src/render/side-by-side.js';
import type { IndexedFrame } from '../../src/types.js';

/** A 1-row frame of RGBA pixels. */
const row = (...pixels: [number, number, number, number][]) => ({ width: pixels.length, height: 1, data: Uint8Array.from(pixels.flat()), delayMs: 40 });

describe('indexExactly', () => {
  it("gives a frame's own colours, in the order they appear, alpha 0 transparent and any other alpha opaque", () => {
    const frame = row([9, 8, 7, 255], [1, 2, 3, 255], [0, 0, 0, 0], [9, 8, 7, 255], [1, 2, 3, 1], [0, 0, 0, 255]);
    const out = indexExactly(frame, 3, createExactScratch())!;
    expect([out.width, out.height, out.size, out.delayMs]).toEqual([6, 1, 3, 40]);
    expect(Array.from(out.palette.subarray(0, 9))).toEqual([9, 8, 7, 1, 2, 3, 0, 0, 0]);
    expect([0, 1, 3, 4, 5].map((i) => out.indices[i])).toEqual([0, 1, 0, 1, 2]);
    expect(Array.from(out.transparent!)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('gives null once there are more colours than asked for, and reuses its scratch for the next frame', () => {
    const scratch = createExactScratch();
    // 256 distinct colours: red 0 to 255, green its high four bits.
    const many = { width: 256, height: 1, data: Uint8Array.from({ length: 1024 }, (_, i) => (i % 4 === 3 ? 255 : i % 4 === 1 ? (i >> 2) & 0xf0 : i % 4 === 0 ? i >> 2 : 0)), delayMs: 10 };
    expect(indexExactly(many, 255, scratch)).toBeNull();
    expect(indexExactly(many, 256, scratch)!.size).toBe(256);
    const opaque = indexExactly(row([5, 5, 5, 255], [5, 5, 5, 255]), 1, scratch)!;
    expect([opaque.size, opaque.transparent, Array.from(opaque.indices)]).toEqual([1, null, [0, 0]]);
  });
});

describe('mergePanelPalettes', () => {
  const panel = (...colours: number[][]): IndexedFrame => ({ width: 1, height: 1, indices: new Uint8Array(1), palette: Uint8Array.from(colours.flat()), size: colours.length, transparent: null, delayMs: 0 });

  it("puts the caption's black and white first and takes a colour the palette already has once", () => {
    const merged = mergePanelPalettes([panel([10, 20, 30], [0, 0, 0]), panel([40, 50, 60], [10, 20, 30], [255, 255, 255])]);
    expect(merged.size).toBe(4);
    expect(Array.from(merged.palette)).toEqual([0, 0, 0, 255, 255, 255, 10, 20, 30, 40, 50, 60]);
    expect(merged.places.map((p) => Array.from(p))).toEqual([[2, 0], [3, 2, 1]]);
  });

  it('counts past 256 entries, for the caller to see that they do not fit one GIF frame', () => {
    const distinct = (from: number) => panel(...Array.from({ length: 200 }, (_, i) => [from + i, 7, 7]));
    expect(mergePanelPalettes([distinct(0), distinct(50)]).size).toBe(2 + 250);
    expect(mergePanelPalettes([distinct(0), distinct(55)]).size).toBe(2 + 255);
  });
});
