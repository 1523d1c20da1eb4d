import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createQualityMeter, histogramInertia, indexedColors, inertia, MAX_PSNR, psnrFromMse } from '../../src/metrics/quality.js';
import { countDistinctColors } from '../../src/kmeans/histogram.js';
import { buildHistogram } from '../../src/kmeans/histogram.js';
import { createMapper } from '../../src/map/map-pixels.js';
import type { Frame, IndexedFrame } from '../../src/types.js';
import { expandFrame } from '../helpers/expand-frame.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import { openInput } from '../../src/io/open-input.js';
import { resolveSequenceOptions } from '../../src/options.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** Frame from a list of [r, g, b] or [r, g, b, a] pixels. */
function frame(width: number, height: number, pixels: number[][]): Frame {
  const data = new Uint8Array(width * height * 4);
  pixels.forEach((p, i) => data.set([p[0], p[1], p[2], p[3] ?? 255], i * 4));
  return { width, height, data };
}

const flat = (n: number, rgb: number[]): number[][] => Array.from({ length: n }, () => rgb.slice());

/** One frame's PSNR, as a meter given that frame alone measures it. */
function framePsnr(source: Frame, output: Frame): number | null {
  const meter = createQualityMeter();
  meter.add(source, output);
  return meter.result().psnr_per_frame[0];
}

describe('psnr', () => {
  it('matches 10·log10(255²/MSE) for a known MSE, capped at 100 dB for identical frames', () => {
    const src = frame(2, 2, flat(4, [0, 0, 0]));
    // One channel of one pixel off by 10: MSE = 100 / (4 pixels × 3 channels).
    const out = frame(2, 2, [[10, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const want = 10 * Math.log10((255 * 255 * 12) / 100);
    expect(framePsnr(src, out)).toBeCloseTo(want, 10);
    expect(framePsnr(src, src)).toBe(MAX_PSNR);
    expect(psnrFromMse(255 * 255)).toBe(0);

    const meter = createQualityMeter();
    meter.add(src, out);
    meter.add(src, src);
    const r = meter.result();
    expect(r.psnr_per_frame).toEqual([framePsnr(src, out), MAX_PSNR]);
    expect(r.psnr).toBeCloseTo((want + MAX_PSNR) / 2, 10);
  });

  it('caps a near-lossless frame at 100 dB too: one level off in one channel of 300x300 would score 102.4', () => {
    const src = frame(300, 300, flat(300 * 300, [128, 128, 128]));
    const out = frame(300, 300, [[129, 128, 128], ...flat(300 * 300 - 1, [128, 128, 128])]);
    expect(10 * Math.log10((255 * 255 * 300 * 300 * 3) / 1)).toBeCloseTo(102.44, 2);
    expect(framePsnr(src, out)).toBe(MAX_PSNR);
    const meter = createQualityMeter();
    meter.add(src, out);
    expect(meter.result().psnr).toBe(MAX_PSNR);
  });

  it('leaves pixels transparent in the source out of the MSE', () => {
    const src = frame(2, 1, [[50, 50, 50], [0, 0, 0, 0]]);
    const out = frame(2, 1, [[53, 50, 46], [255, 255, 255]]);
    // Only the first pixel counts: MSE = (9 + 0 + 16) / 3.
    expect(framePsnr(src, out)).toBeCloseTo(10 * Math.log10((255 * 255 * 3) / 25), 10);
    expect(framePsnr(frame(1, 1, [[1, 2, 3, 0]]), frame(1, 1, [[9, 9, 9]]))).toBeNull();
  });
});

describe('temporal metrics', () => {
  it('a still clip mapped the same way every frame has zero flicker, flips and excess', () => {
    const src = frame(3, 1, [[10, 20, 30], [200, 100, 0], [0, 0, 0]]);
    const out = frame(3, 1, [[12, 20, 30], [200, 90, 0], [0, 0, 0]]);
    const meter = createQualityMeter();
    for (let t = 0; t < 4; t++) meter.add(src, out);
    const r = meter.result();
    expect(r.frames).toBe(4);
    expect(r.flicker_static).toBe(0);
    expect(r.flip_static).toBe(0);
    expect(r.excess_change).toBe(0);
    expect(r.colors).toBe(3);
  });

  it("ignores the output's alpha: a still pixel whose output turns transparent with its RGB kept is no flip", () => {
    const src = frame(2, 1, flat(2, [100, 100, 100]));
    const meter = createQualityMeter();
    meter.add(src, frame(2, 1, flat(2, [96, 96, 96])));
    meter.add(src, frame(2, 1, [[96, 96, 96, 0], [96, 96, 96]]));
    expect(meter.result()).toMatchObject({ flicker_static: 0, flip_static: 0, excess_change: 0 });
  });

  it('a one-pixel flip on a still source gives its exact value', () => {
    const src = frame(2, 2, flat(4, [100, 100, 100]));
    const a = frame(2, 2, flat(4, [96, 96, 96]));
    // Pixel 0 flips by (3, 4, 0): ‖Δout‖ = 5, over 4 still pixels.
    const b = frame(2, 2, [[99, 100, 96], [96, 96, 96], [96, 96, 96], [96, 96, 96]]);
    const meter = createQualityMeter();
    meter.add(src, a);
    meter.add(src, b);
    let r = meter.result();
    expect(r.flicker_static).toBe(5 / 4);
    expect(r.flip_static).toBe(1 / 4);
    expect(r.excess_change).toBe(5 / 4);
    // A third, unchanged frame: the pair (1, 2) has no change, so the means halve.
    meter.add(src, b);
    r = meter.result();
    expect(r.flicker_static).toBe(5 / 8);
    expect(r.flip_static).toBe(1 / 8);
    expect(r.excess_change).toBe(5 / 8);
  });

  it('excess_change counts only output change beyond the source change', () => {
    const s0 = frame(3, 1, [[0, 0, 0], [0, 0, 0], [50, 50, 50]]);
    const s1 = frame(3, 1, [[30, 40, 0], [30, 40, 0], [50, 50, 50]]);
    const o0 = frame(3, 1, [[0, 0, 0], [0, 0, 0], [50, 50, 50]]);
    // Pixel 0: source moves 50, output 60 → 10 extra. Pixel 1: output moves 20 < 50 → 0.
    // Pixel 2: source still, output moves (0, 0, 7) → 7 extra.
    const o1 = frame(3, 1, [[0, 0, 60], [12, 16, 0], [50, 50, 57]]);
    const meter = createQualityMeter();
    meter.add(s0, o0);
    meter.add(s1, o1);
    const r = meter.result();
    expect(r.excess_change).toBeCloseTo((10 + 0 + 7) / 3, 12);
    // Only pixel 2 is still (pixels 0 and 1 move by 40 > 8 on one channel).
    expect(r.flicker_static).toBe(7);
    expect(r.flip_static).toBe(1);
  });

  it('uses max over channels ≤ 8 for "still", and leaves out pairs with no still pixel', () => {
    const meter = createQualityMeter();
    const s0 = frame(2, 1, [[0, 0, 0], [100, 100, 100]]);
    // Both pixels move by 9 on one channel: nothing is still in pair (0, 1).
    const s1 = frame(2, 1, [[9, 0, 0], [100, 91, 100]]);
    // Pair (1, 2): pixel 0 moves by exactly 8 (still), pixel 1 by 20 (moving).
    const s2 = frame(2, 1, [[17, 8, 1], [120, 91, 100]]);
    const o0 = frame(2, 1, [[0, 0, 0], [100, 100, 100]]);
    const o1 = frame(2, 1, [[0, 0, 0], [100, 100, 200]]); // big change, but on a moving pixel
    const o2 = frame(2, 1, [[6, 8, 0], [100, 100, 200]]); // still pixel changes by 10
    meter.add(s0, o0);
    meter.add(s1, o1);
    let r = meter.result();
    expect(r.flicker_static).toBeNull();
    expect(r.flip_static).toBeNull();
    expect(r.excess_change).not.toBeNull();
    meter.add(s2, o2);
    r = meter.result();
    expect(r.flicker_static).toBe(10);
    expect(r.flip_static).toBe(1);
  });

  it('a single frame reports null for every pair metric', () => {
    const meter = createQualityMeter();
    meter.add(frame(1, 1, [[1, 2, 3]]), frame(1, 1, [[1, 2, 4]]));
    const r = meter.result();
    expect(r.frames).toBe(1);
    expect(r.flicker_static).toBeNull();
    expect(r.flip_static).toBeNull();
    expect(r.excess_change).toBeNull();
    expect(r.psnr).not.toBeNull();
  });

  it('leaves pixels transparent in either source frame out of the pair sums', () => {
    const meter = createQualityMeter();
    meter.add(frame(2, 1, [[10, 10, 10], [10, 10, 10, 0]]), frame(2, 1, [[10, 10, 10], [0, 0, 0]]));
    meter.add(frame(2, 1, [[10, 10, 10], [10, 10, 10]]), frame(2, 1, [[10, 10, 13], [255, 255, 255]]));
    const r = meter.result();
    // Only pixel 0 counts in the pair: it is still and changes by 3.
    expect(r.flicker_static).toBe(3);
    expect(r.flip_static).toBe(1);
    expect(r.excess_change).toBe(3);
  });

  it('keeps its own copy of the previous frames (callers may reuse buffers)', () => {
    const meter = createQualityMeter();
    const src = frame(1, 1, [[50, 50, 50]]);
    const out = frame(1, 1, [[40, 40, 40]]);
    meter.add(src, out);
    out.data[0] = 43; // (43,40,44) vs (40,40,40): a change of 5
    out.data[2] = 44;
    meter.add(src, out);
    expect(meter.result().flicker_static).toBe(5);
  });

  it('rejects frames of mismatched sizes', () => {
    const meter = createQualityMeter();
    expect(() => meter.add(frame(2, 1, flat(2, [0, 0, 0])), frame(1, 1, [[0, 0, 0]]))).toThrow(/output frame is 1x1/);
    meter.add(frame(1, 1, [[0, 0, 0]]), frame(1, 1, [[0, 0, 0]]));
    expect(() => meter.add(frame(2, 1, flat(2, [0, 0, 0])), frame(2, 1, flat(2, [0, 0, 0])))).toThrow(/earlier frames are 1x1/);
  });
});

describe('per-pixel still pairs and flips (compare --flicker-map)', () => {
  it('counts, pixel by pixel, the still pairs and the flips among them that flip_static averages', () => {
    // Pixel 0 still throughout, its output flipping in pair 2 only; pixel 1 still, never
    // flipping; pixel 2 moving in pair 1 (its flip there is no still flip), still in pair 2;
    // pixel 3 transparent in frame 1, so in neither pair.
    const s0 = frame(4, 1, [[100, 100, 100], [50, 50, 50], [0, 0, 0], [9, 9, 9]]);
    const s1 = frame(4, 1, [[104, 100, 100], [50, 50, 50], [90, 0, 0], [9, 9, 9, 0]]);
    const s2 = frame(4, 1, [[104, 100, 100], [50, 50, 50], [90, 0, 0], [9, 9, 9]]);
    const o0 = frame(4, 1, [[96, 96, 96], [48, 48, 48], [0, 0, 0], [8, 8, 8]]);
    const o1 = frame(4, 1, [[96, 96, 96], [48, 48, 48], [88, 0, 0], [8, 8, 8]]);
    const o2 = frame(4, 1, [[120, 96, 96], [48, 48, 48], [88, 0, 0], [8, 8, 8]]);
    const meter = createQualityMeter({ perPixel: true });
    expect(meter.stillFlips()).toBeNull();
    meter.add(s0, o0);
    meter.add(s1, o1);
    meter.add(s2, o2);
    const counts = meter.stillFlips()!;
    expect(counts).toMatchObject({ width: 4, height: 1 });
    expect([...counts.stillPairs]).toEqual([2, 2, 1, 0]);
    expect([...counts.flips]).toEqual([1, 0, 0, 0]);
    // flip_static: pair 1 has 2 still pixels, no flip; pair 2 has 3, one flip.
    expect(meter.result().flip_static).toBe((0 / 2 + 1 / 3) / 2);
    // The meter's own arrays: a later frame counts on in them.
    meter.add(s2, o0);
    expect([...counts.flips]).toEqual([2, 0, 1, 0]);
    expect([...counts.stillPairs]).toEqual([3, 3, 2, 1]);
  });

  it('counts from indexed output too, and not at all unless asked; refuses a bad option', () => {
    const src = frame(2, 1, flat(2, [100, 100, 100]));
    const indexed = (i0: number): IndexedFrame => ({ width: 2, height: 1, indices: new Uint8Array([i0, 0]), palette: new Uint8Array([100, 100, 100, 90, 90, 90]), size: 2, transparent: null, delayMs: 100 });
    const meter = createQualityMeter({ perPixel: true });
    const plain = createQualityMeter();
    for (const m of [meter, plain]) [0, 1, 1].forEach((i) => m.add(src, indexed(i)));
    expect([...meter.stillFlips()!.flips]).toEqual([1, 0]);
    expect([...meter.stillFlips()!.stillPairs]).toEqual([2, 2]);
    expect(plain.stillFlips()).toBeNull();
    expect(plain.result()).toEqual(meter.result());
    expect(() => createQualityMeter({ perPixels: true } as never)).toThrow(/unknown option "perPixels" for createQualityMeter; did you mean "perPixel"\?/);
    expect(() => createQualityMeter({ perPixel: 'yes' } as never)).toThrow(/expected true or false for perPixel/);
    expect(() => createQualityMeter(null as never)).toThrow(/expected an object such as \{ perPixel: true \}/);
  });
});

describe('colors and inertia', () => {
  it('colors is the most distinct visible colours in any one output frame', () => {
    const meter = createQualityMeter();
    const src3 = frame(3, 2, flat(6, [0, 0, 0]));
    meter.add(src3, frame(3, 2, [[1, 0, 0], [2, 0, 0], [1, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0]]));
    // 5 distinct colours, but one sits on a pixel transparent in the source.
    const srcT = frame(3, 2, [...flat(5, [0, 0, 0]), [0, 0, 0, 0]]);
    meter.add(srcT, frame(3, 2, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [9, 9, 9], [9, 9, 9], [7, 7, 7]]));
    expect(meter.result().colors).toBe(4);
    expect(countDistinctColors(frame(2, 1, [[5, 5, 5], [5, 5, 6]]).data)).toBe(2);
    // The bit set is left cleared for its next user: the same frame counts the same again.
    const seen = new Uint32Array(1 << 19);
    const { data } = frame(3, 1, [[1, 2, 3], [1, 2, 3], [250, 0, 9]]);
    expect([countDistinctColors(data, data, seen), countDistinctColors(data, data, seen), seen.every((w) => w === 0)]).toEqual([2, 2, true]);
  });

  it('inertia sums squared RGB distances to the nearest palette colour', () => {
    const palette = new Uint8Array([0, 0, 0, 10, 0, 0]);
    // (3,0,0) → 9 to black. (7,4,0) → to (10,0,0): 9 + 16 = 25. The transparent pixel is left out.
    const f = frame(3, 1, [[3, 0, 0], [7, 4, 0], [200, 200, 200, 0]]);
    expect(inertia(f, palette, 2)).toBe(34);
  });

  it('inertia on a real photo equals a brute-force sum', async () => {
    const { data, info } = await sharp(CORPUS + 'stills/wuffs__bricks-color.jpeg').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const f: Frame = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const palette = new Uint8Array([20, 20, 20, 120, 60, 40, 180, 120, 90, 90, 90, 100, 230, 220, 210]);
    let want = 0;
    for (let j = 0; j < f.data.length; j += 4) {
      let best = Infinity;
      for (let k = 0; k < 5; k++) {
        const d = (f.data[j] - palette[k * 3]) ** 2 + (f.data[j + 1] - palette[k * 3 + 1]) ** 2 + (f.data[j + 2] - palette[k * 3 + 2]) ** 2;
        if (d < best) best = d;
      }
      want += best;
    }
    expect(inertia(f, palette, 5, createMapper())).toBe(want);
    // From the photo's colour histogram, each distinct colour once: the same sum.
    expect(histogramInertia(buildHistogram(f.data), palette, 5)).toBe(want);
  });

  it('histogramInertia leaves transparent pixels out, is 0 for an empty palette on transparent pixels only, and checks what inertia checks (it returned 0 or a sum for an empty palette, a size past it, -1 or NaN)', () => {
    const f = frame(3, 1, [[0, 0, 0], [10, 0, 0], [200, 200, 200, 0]]);
    const palette = new Uint8Array([0, 0, 0, 255, 255, 255]);
    expect(histogramInertia(buildHistogram(f.data), palette, 2)).toBe(inertia(f, palette, 2));
    expect(histogramInertia(buildHistogram(f.data), palette, 2)).toBe(100);
    expect(histogramInertia(buildHistogram(frame(1, 1, [[9, 9, 9, 0]]).data), palette, 0)).toBe(0);
    expect(() => inertia(f, palette, 0)).toThrow('pixel 0 is opaque, but the palette is empty');
    expect(() => histogramInertia(buildHistogram(f.data), palette, 0)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'the histogram counts 2 opaque colours, but the palette is empty' }));
    for (const size of [9, -1, Number.NaN]) {
      const message = (() => {
        try {
          inertia(f, palette, size);
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message, String(size)).toBeDefined();
      expect(() => histogramInertia(buildHistogram(f.data), palette, size), String(size)).toThrow(message);
    }
    expect(() => histogramInertia(null as never, palette, 2)).toThrow(/^a histogram is \{ count, colors, weights \}/);
  });
});

describe('on a real animated GIF', () => {
  it('the streaming meter agrees with a whole-clip computation of the definitions', async () => {
    // libvips composites every frame to the full canvas; frames are stacked vertically.
    const img = sharp(CORPUS + 'gifs/imageio__newtonscradle.gif', { pages: -1 });
    const meta = await img.metadata();
    const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const w = info.width;
    const h = meta.pageHeight!;
    const count = info.height / h;
    expect(count).toBe(36);
    const size = w * h * 4;
    const sources: Frame[] = [];
    for (let t = 0; t < count; t++) sources.push({ width: w, height: h, data: new Uint8Array(data.subarray(t * size, (t + 1) * size)) });

    // Output: each frame mapped to a fixed 12-colour palette taken from frame 0.
    const palette = new Uint8Array(12 * 3);
    for (let k = 0; k < 12; k++) palette.set(sources[0].data.subarray(k * 997 * 4, k * 997 * 4 + 3), k * 3);
    const mapper = createMapper();
    const outputs = sources.map((s) => {
      const { indices } = mapper.map(s, palette, 12, { metric: 'euclidean', space: 'rgb', dither: 'none' });
      const o = new Uint8Array(size);
      for (let i = 0; i < w * h; i++) o.set([palette[indices[i] * 3], palette[indices[i] * 3 + 1], palette[indices[i] * 3 + 2], 255], i * 4);
      return { width: w, height: h, data: o };
    });

    const meter = createQualityMeter();
    for (let t = 0; t < count; t++) meter.add(sources[t], outputs[t]);
    const r = meter.result();

    // Whole-clip reference, written directly from METRICS.md.
    const px = (f: Frame, i: number): number[] => [f.data[i * 4], f.data[i * 4 + 1], f.data[i * 4 + 2]];
    const dist = (a: number[], b: number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    let psnr = 0;
    const colorSets: number[] = [];
    for (let t = 0; t < count; t++) {
      let se = 0;
      const seen = new Set<string>();
      for (let i = 0; i < w * h; i++) {
        const a = px(sources[t], i);
        const b = px(outputs[t], i);
        se += (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
        seen.add(b.join());
      }
      psnr += 10 * Math.log10((255 * 255) / (se / (w * h * 3)));
      colorSets.push(seen.size);
    }
    psnr /= count;
    const flick: number[] = [];
    const flips: number[] = [];
    const excess: number[] = [];
    for (let t = 1; t < count; t++) {
      let sc = 0;
      let fs = 0;
      let fl = 0;
      let ex = 0;
      for (let i = 0; i < w * h; i++) {
        const s0 = px(sources[t - 1], i);
        const s1 = px(sources[t], i);
        const o0 = px(outputs[t - 1], i);
        const o1 = px(outputs[t], i);
        const dOut = dist(o1, o0);
        ex += Math.max(0, dOut - dist(s1, s0));
        if (Math.max(Math.abs(s1[0] - s0[0]), Math.abs(s1[1] - s0[1]), Math.abs(s1[2] - s0[2])) <= 8) {
          sc++;
          fs += dOut;
          if (o1.join() !== o0.join()) fl++;
        }
      }
      excess.push(ex / (w * h));
      if (sc > 0) {
        flick.push(fs / sc);
        flips.push(fl / sc);
      }
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

    expect(r.frames).toBe(count);
    expect(r.psnr!).toBeCloseTo(psnr, 9);
    expect(r.colors).toBe(Math.max(...colorSets));
    expect(r.colors).toBeLessThanOrEqual(12);
    expect(r.flicker_static!).toBeCloseTo(mean(flick), 9);
    expect(r.flip_static!).toBeCloseTo(mean(flips), 9);
    expect(r.excess_change!).toBeCloseTo(mean(excess), 9);
    // A fixed palette over a real clip: some still pixels do flip (noise around thresholds), but few.
    expect(r.flip_static!).toBeGreaterThan(0);
    expect(r.flip_static!).toBeLessThan(0.2);
  });
});

describe('indexedColors', () => {
  it("counts the colours a frame's opaque pixels show, not its palette's entries (quantize --json gave the palette's size)", () => {
    // Entries 0..3: red, green, red again, blue; blue is used only under a transparent pixel.
    const palette = new Uint8Array([255, 0, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255]);
    const frame = { width: 4, height: 1, indices: new Uint8Array([0, 2, 1, 3]), palette, size: 4, transparent: new Uint8Array([0, 0, 0, 1]), delayMs: 100 };
    expect(indexedColors(frame)).toBe(2);
    expect(indexedColors({ ...frame, transparent: null })).toBe(3);
    expect(indexedColors({ ...frame, transparent: new Uint8Array([1, 1, 1, 1]) })).toBe(0);
    // The meter counts where the source is opaque only, and a transparent output pixel there is black, as expanded.
    const source = { width: 4, height: 1, data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 255]) };
    // Blue is drawn under the source's transparent pixel 1 here.
    const blueHidden = { ...frame, indices: new Uint8Array([0, 3, 1, 2]) };
    const meter = createQualityMeter();
    meter.add(source, blueHidden);
    expect(meter.result().colors).toBe(3); // red (pixel 0), green (2), black (3, transparent)
    expect(meter.result().colors).toBe(countDistinctColors(expandFrame(blueHidden).data, source.data));
  });

  it('gives the quality meter the same figures from an indexed output as from it expanded, on every frame of a real clip with transparency', async () => {
    const source = await openInput(`${CORPUS}gifs/gifcontrols__earth-transparent.gif`, { maxPixels: 1e8, maxFrames: 1e5 });
    const options = resolveSequenceOptions({ colors: 16 });
    const byPixel = createQualityMeter();
    const byIndex = createQualityMeter();
    let frames = 0;
    for await (const q of quantizeClip(async () => source, options)) {
      const expanded = expandFrame(q.indexed);
      byPixel.add(q.source, expanded);
      byIndex.add(q.source, q.indexed);
      frames++;
    }
    expect(frames).toBe(source.info.frameCount);
    expect(byIndex.result()).toEqual(byPixel.result());
    expect(byIndex.result().colors).toBeGreaterThan(8);
    expect(byIndex.result().flip_static).toBeGreaterThan(0);
  });

  it('takes indexed and RGBA outputs mixed, and goes on as before after a frame it refused', async () => {
    const source = await openInput(`${CORPUS}gifs/gifcontrols__earth-transparent.gif`, { maxPixels: 1e8, maxFrames: 1e5 });
    const expanded = createQualityMeter();
    const mixed = createQualityMeter();
    let f = 0;
    for await (const q of quantizeClip(async () => source, resolveSequenceOptions({ colors: 16 }))) {
      expanded.add(q.source, expandFrame(q.indexed));
      if (f === 3) {
        // An index past the palette, then a frame of another size: both refused, nothing counted.
        expect(() => mixed.add(q.source, { ...q.indexed, size: 1, indices: new Uint8Array(q.indexed.indices.length).fill(5), transparent: null })).toThrow(RangeError);
        expect(() => mixed.add({ width: 1, height: 1, data: new Uint8Array(4) }, { ...q.indexed, width: 1, height: 1 })).toThrow(/frame has|earlier frames|output frame/);
      }
      mixed.add(q.source, f % 3 === 1 ? expandFrame(q.indexed) : q.indexed);
      if (++f === 12) break;
    }
    expect(mixed.result()).toEqual(expanded.result());
  });

  it('refuses an indexed output whose opaque pixel points past its palette, or of another size than the source', () => {
    const source = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) };
    const frame = { width: 2, height: 1, indices: new Uint8Array([0, 2]), palette: new Uint8Array(9), size: 2, transparent: null, delayMs: 0 };
    expect(() => createQualityMeter().add(source, frame)).toThrow('palette index 2 is not below size 2');
    // Under a transparent pixel an index means nothing.
    expect(() => createQualityMeter().add(source, { ...frame, transparent: new Uint8Array([0, 1]) })).not.toThrow();
    expect(() => createQualityMeter().add(source, { ...frame, width: 1, indices: new Uint8Array([0]) })).toThrow('output frame is 1x1, source is 2x1');
  });
});
