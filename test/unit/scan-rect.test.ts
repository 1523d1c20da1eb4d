import { describe, expect, it } from 'vitest';
import { mixRect, scanRect, type RectInput, type RectScan } from '../../src/encode/scan-rect.js';

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
  const out: RectScan = { needsTransparency: false, unchanged: 0, plainRuns: 0, differenceRuns: 0, mixedRuns: 0, flips: 0 };
  scanRect(input, noisy, out);
  return { out, candidate: input.mark >= 0 ? input.candidate : null, changedUses: input.changedUses.subarray(1), counts: input.counts };
}

/** Frames to scan: a name, then frameOverCanvas's share changed, share clear and run length. */
const FRAMES: [string, number, number, number][] = [
  ['video noise', 0.5, 0, 1],
  ['noise with clear specks', 0.5, 0.1, 1],
  ['short runs', 0.5, 0.2, 3],
  ['long runs', 0.3, 0.05, 40],
  ['nothing changed', 0, 0, 7],
  ['everything clear', 0.5, 1, 5],
];

describe('scanRect: its loops with and without branches find the same', () => {
  it.each(FRAMES)('%s, at 5, 16 and 256 colours, compared with the canvas and not', (_, changeShare, clearShare, run) => {
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
      const out: RectScan = { needsTransparency: false, unchanged: 0, plainRuns: 0, differenceRuns: 0, mixedRuns: 0, flips: 0 };
      scanRect(input, noisy, out);
      // Plain: 1 1 2 2 3 3 -1 4 (5 runs); difference: 1 1 -1 -1 3 3 -1 4 (5 runs, and 5 flips
      // counting the first pixel's, from the start's -2); mixed: 5 too, the unchanged 2s
      // joining neither neighbour whichever way they are written.
      expect(out).toEqual({ needsTransparency: true, unchanged: 2, plainRuns: 5, differenceRuns: 5, mixedRuns: 5, flips: 5 });
      expect([...input.candidate]).toEqual([1, 1, 5, 5, 3, 3, 5, 4]);
      expect([...input.changedUses.subarray(1, 6)]).toEqual([0, 1, 0, 1, 1]);
    }
  });
});

/** Runs of equal values in `values`. */
function runsOf(values: ArrayLike<number>): number {
  let runs = 0;
  for (let q = 0; q < values.length; q++) if (q === 0 || values[q] !== values[q - 1]) runs++;
  return runs;
}

describe('mixRect: unchanged pixels as their colour or transparent, for the fewest runs', () => {
  /** The indices each pixel of the rectangle may be written as: its own where changed, `ti` where clear, either where unchanged. */
  function allowed(frame: ReturnType<typeof frameOverCanvas>, ti: number): number[][] {
    const { target, base, indices, width, rect } = frame;
    const sets: number[][] = [];
    for (let y = rect[1]; y <= rect[3]; y++) {
      for (let p = y * width + rect[0]; p <= y * width + rect[2]; p++) {
        sets.push(target[p] === 0 ? [ti] : target[p] === base[p] ? [indices[p], ti] : [indices[p]]);
      }
    }
    return sets;
  }

  /** The fewest runs any choice gives, by dynamic programming over each pixel's choices. */
  function fewestRuns(sets: number[][]): number {
    let best = new Map<number, number>(sets[0].map((i) => [i, 1]));
    for (const set of sets.slice(1)) {
      const low = Math.min(...best.values());
      best = new Map(set.map((i) => [i, Math.min(low + 1, best.get(i) ?? Infinity)]));
    }
    return Math.min(...best.values());
  }

  it.each(FRAMES)('%s: every pixel is written as it may be, and the runs are the fewest possible, as scanRect counts them, and at most those of either other encoding', (_, changeShare, clearShare, run) => {
    for (const size of [5, 16]) {
      const frame = frameOverCanvas(5 + size, changeShare, clearShare, run, size);
      const ti = size;
      const out = new Uint8Array(28 * 19);
      const runs = mixRect(frame.target, frame.base, frame.indices, Uint8Array.from({ length: 256 }, (_, i) => i), frame.width, frame.rect, ti, out);
      const sets = allowed(frame, ti);
      sets.forEach((set, q) => expect(set, `pixel ${q}`).toContain(out[q]));
      expect(runs).toBe(runsOf(out));
      expect(runs).toBe(fewestRuns(sets));
      for (const noisy of [false, true]) {
        const { out: scanned } = scan(frame, true, size, noisy);
        expect(scanned.mixedRuns, `scanRect's count, ${noisy ? 'without' : 'with'} branches`).toBe(runs);
        expect(runs).toBeLessThanOrEqual(Math.min(scanned.plainRuns, scanned.differenceRuns));
      }
    }
  });

  it('on a row: an unchanged speck in a changed area takes the area\'s index, an unchanged stretch is transparent, and a remapped colour is written as its stand-in', () => {
    // Indices 1 1 1 1 2 2 2 2 9 9: the second pixel and the last six unchanged (9 given up
    // for the transparent index, drawn as 3).
    const indices = Uint8Array.of(1, 1, 1, 1, 2, 2, 2, 2, 9, 9);
    const target = Uint32Array.from(indices, (i) => 0x1000000 | i);
    const base = Uint32Array.from(target, (t, p) => (p === 1 || p >= 4 ? t : 0x1000000 | 99));
    const remap = Uint8Array.from({ length: 256 }, (_, i) => (i === 9 ? 3 : i));
    const out = new Uint8Array(10);
    expect(mixRect(target, base, indices, remap, 10, Int32Array.of(0, 0, 9, 0), 9, out)).toBe(2);
    expect([...out]).toEqual([1, 1, 1, 1, 9, 9, 9, 9, 9, 9]);
    // Changed from the fifth pixel on: the 9s are written as 3.
    const changed = Uint32Array.from(base, (b, p) => (p >= 4 ? 0x1000000 | 99 : b));
    expect(mixRect(target, changed, indices, remap, 10, Int32Array.of(0, 0, 9, 0), 9, out)).toBe(3);
    expect([...out]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
  });
});
