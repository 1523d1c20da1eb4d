import { describe, expect, it } from 'vitest';
import { scanRect, type RectInput, type RectScan } from '../../src/encode/scan-rect.js';

/** A frame drawn over a canvas: `changeShare` of its pixels differ, `clearShare` are transparent, in runs of `run`. */
function frameOverCanvas(seed: number, changeShare: number, clearShare: number, run: number, size: number) {
  const width = 37, height = 23, n = width * height;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const colour = (i: number) => 0x1000000 | (i * 0x010203);
  const indices = new Uint8Array(n);
  const target = new Uint32Array(n);
  const base = new Uint32Array(n);
  let changes = false, clear = false, index = 0;
  for (let p = 0; p < n; p++) {
    if (p % run === 0) {
      changes = random() < changeShare;
      clear = random() < clearShare;
      index = Math.floor(random() * size);
    }
    indices[p] = index;
    target[p] = clear ? 0 : colour(index);
    base[p] = changes ? colour((index + 1) % 256) : target[p];
  }
  return { target, base, indices, width, rect: Int32Array.of(3, 2, 30, 20) };
}

function scan(frame: ReturnType<typeof frameOverCanvas>, comparesWithCanvas: boolean, size: number, noisy: boolean) {
  const input: RectInput = {
    ...frame, comparesWithCanvas, mark: comparesWithCanvas && size < 256 ? size : -1,
    candidate: new Uint8Array(28 * 19), changedUses: new Uint8Array(257), counts: size === 256 ? new Uint32Array(256) : null,
  };
  const out: RectScan = { needsTransparency: false, unchanged: 0, plainRuns: 0, differenceRuns: 0, flips: 0 };
  scanRect(input, noisy, out);
  return { out, candidate: input.mark >= 0 ? input.candidate : null, changedUses: input.changedUses.subarray(1), counts: input.counts };
}

describe('scanRect: its loops with and without branches find the same', () => {
  it.each([
    ['video noise', 0.5, 0, 1],
    ['noise with clear specks', 0.5, 0.1, 1],
    ['long runs', 0.3, 0.05, 40],
    ['nothing changed', 0, 0, 7],
    ['everything clear', 0.5, 1, 5],
  ])('%s, at 5, 16 and 256 colours, compared with the canvas and not', (_, changeShare, clearShare, run) => {
    for (const size of [5, 16, 256]) {
      for (const comparesWithCanvas of [true, false]) {
        const frame = frameOverCanvas(3 + size, changeShare, clearShare, run, size);
        const withBranches = scan(frame, comparesWithCanvas, size, false);
        expect(scan(frame, comparesWithCanvas, size, true), `${size} colours, compared: ${comparesWithCanvas}`).toEqual(withBranches);
      }
    }
  });

  it('counts what it is said to: unchanged and transparent pixels, runs and flips, on a row of eight', () => {
    // Indices 1 1 2 2 3 3 4 4: the third and fourth unchanged, the seventh transparent.
    const width = 8;
    const indices = Uint8Array.of(1, 1, 2, 2, 3, 3, 4, 4);
    const target = Uint32Array.from(indices, (i, p) => (p === 6 ? 0 : 0x1000000 | i));
    const base = Uint32Array.from(target, (t, p) => (p === 2 || p === 3 ? t : 0x1000000 | 99));
    for (const noisy of [false, true]) {
      const input: RectInput = { target, base, indices, width, rect: Int32Array.of(0, 0, 7, 0), comparesWithCanvas: true, mark: 5, candidate: new Uint8Array(8), changedUses: new Uint8Array(257), counts: null };
      const out: RectScan = { needsTransparency: false, unchanged: 0, plainRuns: 0, differenceRuns: 0, flips: 0 };
      scanRect(input, noisy, out);
      // Plain: 1 1 2 2 3 3 -1 4 (5 runs); difference: 1 1 -1 -1 3 3 -1 4 (5 runs, and 5 flips
      // counting the first pixel's, from the start's -2).
      expect(out).toEqual({ needsTransparency: true, unchanged: 2, plainRuns: 5, differenceRuns: 5, flips: 5 });
      expect([...input.candidate]).toEqual([1, 1, 5, 5, 3, 3, 5, 4]);
      expect([...input.changedUses.subarray(1, 6)]).toEqual([0, 1, 0, 1, 1]);
    }
  });
});
