// The GIF encoder's pure parts on small frames whose answers are known: where a frame must be
// written (canvas-boxes.ts), which index its transparent pixels take (transparent-index.ts),
// and its plain indices over a rectangle (scan-rect.ts's plainRect).
import { describe, expect, it } from 'vitest';
import { findChangedBox, findClearBox, OPAQUE } from '../../src/encode/canvas-boxes.js';
import { plainRect } from '../../src/encode/scan-rect.js';
import { chooseTransparentIndex, type HeldFrame } from '../../src/encode/transparent-index.js';

const W = 6, H = 5;
const red = OPAQUE | 0xff0000, blue = OPAQUE | 0x0000ff;

/** A W x H canvas of `fill`, with `at` (x, y, colour) drawn on it. */
function canvas(fill: number, ...at: [number, number, number][]): Uint32Array {
  const c = new Uint32Array(W * H).fill(fill);
  for (const [x, y, colour] of at) c[y * W + x] = colour;
  return c;
}

describe('findChangedBox', () => {
  it('bounds the pixels that differ, whatever the order they are found in', () => {
    const box = new Int32Array(4);
    findChangedBox(canvas(red, [4, 1, blue], [1, 3, blue], [2, 2, 0]), canvas(red), W, H, 0, H - 1, box);
    expect([...box]).toEqual([1, 1, 4, 3]);
  });

  it('looks in the rows it is given only, and says none with x1 = -1', () => {
    const box = new Int32Array(4);
    const target = canvas(red, [0, 0, blue], [5, 4, blue]);
    findChangedBox(target, canvas(red), W, H, 1, 3, box);
    expect(box[2]).toBe(-1);
    findChangedBox(target, canvas(red), W, H, 2, 4, box);
    expect([...box]).toEqual([5, 4, 5, 4]);
    findChangedBox(canvas(red), canvas(red), W, H, 0, H - 1, box);
    expect(box[2]).toBe(-1);
  });
});

describe('findClearBox', () => {
  it('bounds the drawn pixels the next frame makes transparent, not those already transparent', () => {
    const box = new Int32Array(4);
    const target = canvas(red, [0, 0, 0], [5, 4, 0]);
    const next = canvas(blue, [0, 0, 0], [2, 1, 0], [3, 3, 0], [5, 4, 0]);
    expect(findClearBox(target, next, W, H, 0, H - 1, box)).toBe(true);
    expect([...box]).toEqual([2, 1, 3, 3]);
  });

  it('is false where the next frame clears nothing that was drawn', () => {
    const box = new Int32Array(4);
    expect(findClearBox(canvas(0), canvas(0), W, H, 0, H - 1, box)).toBe(false);
    expect(findClearBox(canvas(red), canvas(blue), W, H, 0, H - 1, box)).toBe(false);
  });
});

/** A held frame of `size` colours (grey levels 0, 1, 2, ...), pixel p drawn with index p mod `used`, its rectangle the whole canvas. */
function held(size: number, used: number): HeldFrame & { changedUses: Uint8Array; counts: Uint32Array } {
  const n = W * H;
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < size; i++) palette.fill(i, i * 3, i * 3 + 3);
  const indices = new Uint8Array(n);
  const target = new Uint32Array(n);
  const counts = new Uint32Array(256);
  for (let p = 0; p < n; p++) {
    indices[p] = p % used;
    target[p] = OPAQUE | (indices[p] * 0x010101);
    counts[indices[p]]++;
  }
  return { target, indices, palette, width: W, rect: Int32Array.of(0, 0, W - 1, H - 1), changedUses: new Uint8Array(257), counts, remap: new Uint8Array(256) };
}

describe('chooseTransparentIndex', () => {
  it('wants none: no index, the table as it is, the identity remap', () => {
    const frame = held(16, 16);
    expect(chooseTransparentIndex(16, false, true, true, frame)).toEqual({ ti: -1, paletteLength: 16, remapped: false });
    expect([...frame.remap.subarray(0, 16)]).toEqual([...Array(16).keys()]);
  });

  it('takes an index no changed pixel uses, at no cost to the table, where uses were counted', () => {
    const frame = held(16, 16);
    frame.changedUses.fill(1, 1, 17);
    frame.changedUses[1 + 5] = 0;
    expect(chooseTransparentIndex(16, true, true, false, frame)).toEqual({ ti: 5, paletteLength: 16, remapped: false });
    // Not counted: the slot after the colours.
    expect(chooseTransparentIndex(16, true, false, false, frame)).toEqual({ ti: 16, paletteLength: 17, remapped: false });
  });

  it('in a full 256, gives up the least-used colour for its nearest only when it may, redrawing its pixels', () => {
    const frame = held(256, 30);
    frame.changedUses.fill(1);
    // Indices 30 to 255 are drawn nowhere: the least used is the first of them, 30, and its
    // nearest other colours are 29 and 31, equally near: the first found, 29.
    expect(chooseTransparentIndex(256, true, true, false, frame)).toEqual({ ti: -1, paletteLength: 256, remapped: false });
    expect(chooseTransparentIndex(256, true, true, true, frame)).toEqual({ ti: 30, paletteLength: 256, remapped: true });
    expect(frame.remap[30]).toBe(29);
    // A drawn colour given up (the one counted least, here 7, drawn at pixels 7 and 22):
    // its opaque pixels take the nearest colour's, in the model of the canvas too, and a
    // transparent one stays so.
    const busy = held(256, 15);
    busy.changedUses.fill(1);
    busy.counts.fill(1);
    busy.counts[7] = 0;
    busy.target[22] = 0;
    const { ti } = chooseTransparentIndex(256, true, true, true, busy);
    expect(ti).toBe(7);
    expect(busy.remap[7]).toBe(6);
    expect(busy.target[7]).toBe(OPAQUE | 0x060606);
    expect(busy.target[22]).toBe(0);
  });
});

describe('plainRect', () => {
  const indices = Uint8Array.from({ length: W * H }, (_, p) => p);
  const identity = Uint8Array.from({ length: 256 }, (_, i) => i);

  it('is a view of the indices for full-width rows, and a copy of a narrower rectangle', () => {
    const out = new Uint8Array(W * H);
    const full = plainRect(canvas(red), indices, identity, W, Int32Array.of(0, 1, W - 1, 2), -1, false, out);
    expect(full.buffer).toBe(indices.buffer);
    expect([...full]).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...plainRect(canvas(red), indices, identity, W, Int32Array.of(2, 3, 3, 4), -1, false, out)]).toEqual([20, 21, 26, 27]);
  });

  it('writes transparent pixels as the transparent index and the rest through the remap', () => {
    const remap = identity.slice();
    remap[21] = 99;
    const out = new Uint8Array(W * H);
    const target = canvas(red, [2, 3, 0]);
    expect([...plainRect(target, indices, remap, W, Int32Array.of(2, 3, 3, 4), 200, true, out)]).toEqual([200, 99, 26, 27]);
    // A transparent index alone: the rest as they are.
    expect([...plainRect(target, indices, identity, W, Int32Array.of(2, 3, 3, 4), 200, false, out)]).toEqual([200, 21, 26, 27]);
  });
});
