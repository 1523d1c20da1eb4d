import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createMapper, nearestIndex, type MapOptions } from '../../src/map/map-pixels.js';
import { colourDistance, fromSrgb } from '../../src/color/space.js';
import type { ColorSpace, Frame, Metric } from '../../src/types.js';
import { createRng } from '../../src/kmeans/random.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

const prng = createRng;

function randomBytes(n: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function frameOf(width: number, height: number, rgb: Uint8Array, alpha = 255): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = rgb[i * 3];
    data[i * 4 + 1] = rgb[i * 3 + 1];
    data[i * 4 + 2] = rgb[i * 3 + 2];
    data[i * 4 + 3] = alpha;
  }
  return { width, height, data };
}

/**
 * Independent brute force over a pre-converted palette (so a whole photo can be checked in
 * reasonable time). Same distance expression as the library's definition: squared Euclidean
 * or Manhattan, channels summed in order, lowest index on ties.
 */
function bruteForce(frame: Frame, palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): Uint8Array {
  const conv = fromSrgb(space);
  const pal = new Float64Array(size * 3);
  for (let i = 0; i < size; i++) conv(palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2], pal, i * 3);
  const q = new Float64Array(3);
  const n = frame.width * frame.height;
  const out = new Uint8Array(n);
  const memo = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = frame.data[i * 4];
    const g = frame.data[i * 4 + 1];
    const b = frame.data[i * 4 + 2];
    const key = (r << 16) | (g << 8) | b;
    const known = memo.get(key);
    if (known !== undefined) {
      out[i] = known;
      continue;
    }
    conv(r, g, b, q, 0);
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < size; k++) {
      const d0 = pal[k * 3] - q[0];
      const d1 = pal[k * 3 + 1] - q[1];
      const d2 = pal[k * 3 + 2] - q[2];
      const d = metric === 'manhattan' ? Math.abs(d0) + Math.abs(d1) + Math.abs(d2) : d0 * d0 + d1 * d1 + d2 * d2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    memo.set(key, best);
    out[i] = best;
  }
  return out;
}

const METRICS: Metric[] = ['euclidean', 'manhattan'];
const SPACES: ColorSpace[] = ['rgb', 'lab', 'oklab'];

async function loadStill(name: string): Promise<Frame> {
  const { data, info } = await sharp(CORPUS + 'stills/' + name)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A palette of `k` colours sampled from the frame itself (duplicates possible: ties). */
function paletteFromFrame(frame: Frame, k: number, rand: () => number): Uint8Array {
  const pal = new Uint8Array(k * 3);
  const n = frame.width * frame.height;
  for (let i = 0; i < k; i++) {
    const p = Math.floor(rand() * n) * 4;
    pal[i * 3] = frame.data[p];
    pal[i * 3 + 1] = frame.data[p + 1];
    pal[i * 3 + 2] = frame.data[p + 2];
  }
  return pal;
}

describe('nearestIndex (reference)', () => {
  it('picks the nearest colour and the lowest index on ties', () => {
    const pal = new Uint8Array([10, 10, 10, 200, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    expect(nearestIndex(pal, 5, 190, 5, 5)).toBe(1);
    // (1,0,0) is 1 away from both (0,0,0) at index 2 and (2,0,0) at index 3; index 4 duplicates 2.
    expect(nearestIndex(pal, 5, 1, 0, 0)).toBe(2);
    expect(nearestIndex(pal, 5, 1, 0, 0, 'manhattan')).toBe(2);
    expect(nearestIndex(pal, 5, 0, 0, 0, 'euclidean', 'lab')).toBe(2);
  });
});

describe('createMapper().map exactness', () => {
  for (const metric of METRICS) {
    for (const space of SPACES) {
      it(`random colours, ${metric} in ${space}, k = 16 and 256`, () => {
        const rand = prng(7);
        const mapper = createMapper();
        for (const k of [16, 256]) {
          const palette = randomBytes(k * 3, rand);
          const w = 40;
          const h = 25;
          const frame = frameOf(w, h, randomBytes(w * h * 3, rand));
          const { indices, transparent } = mapper.map(frame, palette, k, { metric, space, dither: 'none' });
          expect(transparent).toBeNull();
          for (let i = 0; i < w * h; i++) {
            const want = nearestIndex(palette, k, frame.data[i * 4], frame.data[i * 4 + 1], frame.data[i * 4 + 2], metric, space);
            if (indices[i] !== want) expect({ pixel: i, got: indices[i] }).toEqual({ pixel: i, got: want });
          }
        }
      });
    }
  }

  it('matches brute force on every pixel of a real photo, each metric and space', async () => {
    const frame = await loadStill('skimage__chelsea.png');
    expect(frame.width * frame.height).toBe(451 * 300);
    const mapper = createMapper();
    const rand = prng(11);
    for (const k of [16, 256]) {
      const palette = paletteFromFrame(frame, k, rand);
      for (const metric of METRICS) {
        for (const space of SPACES) {
          const { indices } = mapper.map(frame, palette, k, { metric, space, dither: 'none' });
          const want = bruteForce(frame, palette, k, metric, space);
          let mismatches = 0;
          for (let i = 0; i < want.length; i++) if (indices[i] !== want[i]) mismatches++;
          expect(`${metric}/${space}/k=${k}: ${mismatches} mismatches`).toBe(`${metric}/${space}/k=${k}: 0 mismatches`);
        }
      }
    }
  });

  it('resolves ties to the lowest index whichever side of the sort they are on', () => {
    const mapper = createMapper();
    const opts: MapOptions = { metric: 'euclidean', space: 'rgb', dither: 'none' };
    const frame = frameOf(1, 1, new Uint8Array([1, 0, 0]));
    expect(mapper.map(frame, new Uint8Array([0, 0, 0, 2, 0, 0]), 2, opts).indices[0]).toBe(0);
    expect(mapper.map(frame, new Uint8Array([2, 0, 0, 0, 0, 0]), 2, opts).indices[0]).toBe(0);
    // Duplicates: the first copy wins.
    expect(mapper.map(frame, new Uint8Array([9, 9, 9, 1, 0, 0, 1, 0, 0]), 3, opts).indices[0]).toBe(1);
    expect(mapper.map(frame, new Uint8Array([9, 9, 9, 2, 0, 0, 0, 0, 0]), 3, { ...opts, metric: 'manhattan' }).indices[0]).toBe(1);
  });

  it('reuses `out` and keeps cache entries from an old palette out of a new one', () => {
    const rand = prng(3);
    const w = 64;
    const h = 32;
    const frame = frameOf(w, h, randomBytes(w * h * 3, rand));
    const p1 = randomBytes(8 * 3, rand);
    const p2 = randomBytes(8 * 3, rand);
    const mapper = createMapper();
    const out = new Uint8Array(w * h);
    const opts: MapOptions = { metric: 'euclidean', space: 'rgb', dither: 'none' };
    const a = mapper.map(frame, p1, 8, opts, out);
    expect(a.indices).toBe(out);
    // A longer `out` lends its first w*h bytes: the indices were all of it, past the frame's pixels.
    const longer = new Uint8Array(w * h + 100).fill(7);
    const lent = mapper.map(frame, p1, 8, opts, longer);
    expect(lent.indices.length).toBe(w * h);
    expect(lent.indices.buffer).toBe(longer.buffer);
    expect(Array.from(lent.indices)).toEqual(Array.from(out));
    expect(longer[w * h]).toBe(7);
    const want1 = bruteForce(frame, p1, 8, 'euclidean', 'rgb');
    expect(Array.from(out)).toEqual(Array.from(want1));
    // Same colours, new palette: every cached answer is stale.
    const b = mapper.map(frame, p2, 8, opts);
    expect(Array.from(b.indices)).toEqual(Array.from(bruteForce(frame, p2, 8, 'euclidean', 'rgb')));
    // Palette mutated in place (same array object) must also be noticed.
    p2[0] ^= 0xff;
    p2[4] ^= 0x55;
    const c = mapper.map(frame, p2, 8, opts);
    expect(Array.from(c.indices)).toEqual(Array.from(bruteForce(frame, p2, 8, 'euclidean', 'rgb')));
    // Same palette, other space: new answers.
    const d = mapper.map(frame, p2, 8, { ...opts, space: 'oklab' });
    expect(Array.from(d.indices)).toEqual(Array.from(bruteForce(frame, p2, 8, 'euclidean', 'oklab')));
    // Back to the first palette.
    const e = mapper.map(frame, p1, 8, opts);
    expect(Array.from(e.indices)).toEqual(Array.from(want1));
    // A smaller size of the same bytes is a different palette.
    const f = mapper.map(frame, p1, 3, opts);
    expect(Math.max(...f.indices)).toBeLessThan(3);
    expect(Array.from(f.indices)).toEqual(Array.from(bruteForce(frame, p1, 3, 'euclidean', 'rgb')));
  });
});

describe('colour cache', () => {
  it('stays exact when more distinct colours than cache slots collide and evict', () => {
    // 700x500 random colours: ~350k distinct keys through a 2^18-slot direct-mapped cache,
    // mapped twice with the same palette so the second pass reads surviving and evicted slots.
    const rand = prng(21);
    const w = 700;
    const h = 500;
    const frame = frameOf(w, h, randomBytes(w * h * 3, rand));
    const palette = randomBytes(16 * 3, rand);
    const mapper = createMapper();
    const want = bruteForce(frame, palette, 16, 'manhattan', 'lab');
    for (let pass = 0; pass < 2; pass++) {
      const { indices } = mapper.map(frame, palette, 16, { metric: 'manhattan', space: 'lab', dither: 'none' });
      let mismatches = 0;
      for (let i = 0; i < want.length; i++) if (indices[i] !== want[i]) mismatches++;
      expect(mismatches).toBe(0);
    }
  });
});

describe('one mapper across frames (as a clip is mapped)', () => {
  it('a palette that differs only in its last byte is a new palette: the cached answers are not reused', () => {
    const mapper = createMapper();
    const pixel = frameOf(1, 1, Uint8Array.of(0, 0, 200));
    const options: MapOptions = { metric: 'euclidean', space: 'rgb', dither: 'none' };
    expect(mapper.map(pixel, Uint8Array.of(0, 0, 100, 0, 0, 0), 2, options).indices[0]).toBe(0);
    expect(mapper.map(pixel, Uint8Array.of(0, 0, 100, 0, 0, 255), 2, options).indices[0]).toBe(1);
  });

  it("Floyd–Steinberg starts each frame afresh (no error carried over from the last), serpentine unless told otherwise", () => {
    const rand = prng(5);
    const frame = frameOf(16, 4, randomBytes(16 * 4 * 3, rand));
    const palette = randomBytes(4 * 3, rand);
    const mapper = createMapper();
    const fs = (serpentine?: boolean) => Array.from(mapper.map(frame, palette, 4, { metric: 'euclidean', space: 'rgb', dither: 'floyd-steinberg', serpentine }).indices);
    const first = fs();
    expect(fs()).toEqual(first);
    expect(Array.from(createMapper().map(frame, palette, 4, { metric: 'euclidean', space: 'rgb', dither: 'floyd-steinberg' }).indices)).toEqual(first);
    expect(fs(true)).toEqual(first);
    expect(fs(false)).not.toEqual(first);
  });
});

describe('degenerate palettes', () => {
  it('a single colour, or 256 copies of one colour, maps everything to index 0', () => {
    const rand = prng(33);
    const frame = frameOf(50, 20, randomBytes(50 * 20 * 3, rand));
    const mapper = createMapper();
    const one = new Uint8Array([12, 200, 7]);
    const same = new Uint8Array(256 * 3).map((_, i) => one[i % 3]);
    for (const space of SPACES) {
      for (const dither of ['none', 'floyd-steinberg', 'bayer'] as const) {
        for (const [pal, size] of [[one, 1], [same, 256]] as const) {
          const { indices } = mapper.map(frame, pal, size, { metric: 'euclidean', space, dither });
          expect(Math.max(...indices)).toBe(0);
        }
      }
    }
  });
});

describe('transparency', () => {
  it('marks alpha-0 pixels in a mask and maps the rest, semi-transparent included', () => {
    const w = 4;
    const h = 2;
    const data = new Uint8Array(w * h * 4);
    const palette = new Uint8Array([0, 0, 0, 255, 255, 255]);
    for (let i = 0; i < w * h; i++) {
      const v = i % 2 === 0 ? 250 : 5;
      data.set([v, v, v, i === 2 || i === 5 ? 0 : i === 3 ? 1 : 255], i * 4);
    }
    const mapper = createMapper();
    for (const dither of ['none', 'floyd-steinberg', 'bayer'] as const) {
      const { indices, transparent } = mapper.map({ width: w, height: h, data }, palette, 2, { metric: 'euclidean', space: 'rgb', dither });
      expect(transparent).not.toBeNull();
      expect(Array.from(transparent!)).toEqual([0, 0, 1, 0, 0, 1, 0, 0]);
      if (dither === 'none') expect(Array.from(indices)).toEqual([1, 0, 0, 0, 1, 0, 1, 0]);
    }
    data[2 * 4 + 3] = 9;
    data[5 * 4 + 3] = 9;
    expect(mapper.map({ width: w, height: h, data }, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'none' }).transparent).toBeNull();
  });

  it('transparent pixels neither receive nor spread Floyd–Steinberg error', () => {
    // Row: grey 128 pixels separated by transparent ones; palette black/white.
    // With no diffusion across the gaps, every isolated grey pixel is mapped on its own.
    const w = 9;
    const data = new Uint8Array(w * 4);
    for (let x = 0; x < w; x++) data.set([100, 100, 100, x % 2 === 0 ? 255 : 0], x * 4);
    const mapper = createMapper();
    const { indices, transparent } = mapper.map({ width: w, height: 1, data }, new Uint8Array([0, 0, 0, 255, 255, 255]), 2, {
      metric: 'euclidean',
      space: 'rgb',
      dither: 'floyd-steinberg',
    });
    expect(Array.from(transparent!)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    for (let x = 0; x < w; x += 2) expect(indices[x]).toBe(0);
    // Control: the same row without the gaps does receive error and is dithered.
    for (let x = 0; x < w; x++) data[x * 4 + 3] = 255;
    const control = mapper.map({ width: w, height: 1, data }, new Uint8Array([0, 0, 0, 255, 255, 255]), 2, {
      metric: 'euclidean',
      space: 'rgb',
      dither: 'floyd-steinberg',
    });
    expect(Array.from(control.indices).filter((v) => v === 1).length).toBeGreaterThan(0);
  });
});

describe('dithering', () => {
  const opts = (dither: MapOptions['dither'], serpentine?: boolean): MapOptions => ({ metric: 'euclidean', space: 'rgb', dither, serpentine });

  it('a flat colour halfway between two palette colours becomes a ~50/50 mix', () => {
    const w = 64;
    const h = 64;
    const palette = new Uint8Array([50, 50, 50, 150, 150, 150, 0, 255, 0]);
    const frame = frameOf(w, h, new Uint8Array(w * h * 3).fill(100));
    const mapper = createMapper();
    for (const [dither, serp] of [['floyd-steinberg', true], ['floyd-steinberg', false], ['bayer', undefined]] as const) {
      const { indices } = mapper.map(frame, palette, 3, opts(dither, serp));
      const counts = [0, 0, 0];
      for (const v of indices) counts[v]++;
      expect(counts[2]).toBe(0);
      expect(Math.abs(counts[1] / (w * h) - 0.5)).toBeLessThan(0.02);
    }
    // Undithered, the whole area takes one colour (the tie goes to index 0).
    expect(new Set(mapper.map(frame, palette, 3, opts('none')).indices)).toEqual(new Set([0]));
  });

  it('bayer mixes in proportion to position between neighbours', () => {
    // (25,0,0) is a quarter of the way from (0,0,0) to (100,0,0): 16 of the 64 matrix cells.
    const w = 16;
    const h = 16;
    const frame = frameOf(w, h, new Uint8Array(w * h * 3).map((_, i) => (i % 3 === 0 ? 25 : 0)));
    const { indices } = createMapper().map(frame, new Uint8Array([0, 0, 0, 100, 0, 0]), 2, opts('bayer'));
    expect(indices.reduce((s, v) => s + v, 0)).toBe(w * h * 0.25);
  });

  it('bayer leaves a palette colour as it is, in every metric and space (a flat grey with greys 85 apart around it changed 44% of its pixels)', () => {
    const frame = frameOf(64, 64, new Uint8Array(64 * 64 * 3).fill(85));
    const greys = new Uint8Array([0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]);
    const mapper = createMapper();
    for (const metric of METRICS) {
      for (const space of SPACES) {
        expect([metric, space, new Set(mapper.map(frame, greys, 4, { metric, space, dither: 'bayer' }).indices)]).toEqual([metric, space, new Set([1])]);
      }
    }
  });

  it('bayer mixes colours that differ in hue, not only in lightness (a purple between red and blue came out all one)', () => {
    const frame = frameOf(16, 16, new Uint8Array(16 * 16 * 3).map((_, i) => (i % 3 === 1 ? 0 : 128)));
    const { indices } = createMapper().map(frame, new Uint8Array([255, 0, 0, 0, 0, 255]), 2, opts('bayer'));
    expect(indices.reduce((s, v) => s + v, 0)).toBe((16 * 16) / 2);
  });

  it('bayer keeps a pixel whose colour does not use the entry that moved (any move re-thresholded every pixel)', () => {
    const ramp = frameOf(256, 8, new Uint8Array(256 * 8 * 3).map((_, i) => Math.floor(i / 3) % 256));
    const mapper = createMapper();
    const greys = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255];
    const before = mapper.map(ramp, new Uint8Array([...greys, 250, 0, 0]), 5, opts('bayer')).indices.slice();
    const after = mapper.map(ramp, new Uint8Array([...greys, 200, 0, 0]), 5, opts('bayer')).indices;
    expect(new Set(before)).toEqual(new Set([0, 1, 2, 3]));
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('bayer keeps the tone of a grey ramp in black and white (it squeezed 0..224 into 56..183)', () => {
    // Steps 8 pixels wide: the 4x4 matrix's every column twice within one step.
    const ramp = frameOf(256, 64, new Uint8Array(256 * 64 * 3).map((_, i) => (Math.floor(i / 3) % 256) & ~7));
    const { indices } = createMapper().map(ramp, new Uint8Array([0, 0, 0, 255, 255, 255]), 2, opts('bayer'));
    for (let x0 = 0; x0 < 256; x0 += 8) {
      let white = 0;
      for (let y = 0; y < 64; y++) for (let x = x0; x < x0 + 8; x++) white += indices[y * 256 + x];
      expect(Math.abs((255 * white) / (8 * 64) - x0)).toBeLessThan(10);
    }
  });

  it('on a photo: only palette indices, and the mean colour is kept', async () => {
    const frame = await loadStill('wuffs__bricks-color.jpeg');
    // The eight corners of the RGB cube: their hull holds every colour, so error diffusion
    // can always reproduce the average (a palette sampled from the photo might not).
    const k = 8;
    const palette = new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 255, 0, 255, 0, 255, 255, 255, 255, 255]);
    const mapper = createMapper();
    const n = frame.width * frame.height;
    const meanError = (indices: Uint8Array): number => {
      const d = [0, 0, 0];
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) d[c] += (palette[indices[i] * 3 + c] - frame.data[i * 4 + c]) / n;
      return Math.hypot(d[0], d[1], d[2]);
    };
    const plain = mapper.map(frame, palette, k, opts('none')).indices.slice();
    const errPlain = meanError(plain);
    expect(errPlain).toBeGreaterThan(10);
    for (const [dither, bound] of [['floyd-steinberg', 1], ['bayer', 3]] as const) {
      const { indices } = mapper.map(frame, palette, k, opts(dither));
      expect(Math.max(...indices)).toBeLessThan(k);
      expect(meanError(indices)).toBeLessThan(bound);
    }
  });

  it('is deterministic and serpentine differs from a plain raster', async () => {
    const frame = await loadStill('wuffs__bricks-color.jpeg');
    const palette = paletteFromFrame(frame, 6, prng(9));
    const a = createMapper().map(frame, palette, 6, opts('floyd-steinberg', true)).indices;
    const b = createMapper().map(frame, palette, 6, opts('floyd-steinberg', true)).indices;
    const c = createMapper().map(frame, palette, 6, opts('floyd-steinberg', false)).indices;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('the pixel hold inside dithering (a hold)', () => {
  const opts = (dither: MapOptions['dither']): MapOptions => ({ metric: 'euclidean', space: 'rgb', dither });
  const hold = (before: Frame, beforeIndices: Uint8Array, pixelHold = 8, pixelMargin = 0.5, beforePalette = bw) => ({ before: before.data, beforeIndices, beforePalette, pixelHold, pixelMargin });
  /** A flat grey field (a 50/50 black and white mix) under a first row that changes from frame to frame. */
  const field = (top: number): Frame => frameOf(64, 64, new Uint8Array(64 * 64 * 3).map((_, i) => (i < 64 * 3 ? top : 128)));
  const bw = new Uint8Array([0, 0, 0, 255, 255, 255]);
  const changedBelowRow0 = (a: Uint8Array, b: Uint8Array): number => a.subarray(64).reduce((n, v, i) => n + (v !== b[64 + i] ? 1 : 0), 0);

  it("Floyd–Steinberg: a change in the first row re-draws the still field below it, unless held", () => {
    const mapper = createMapper();
    const first = mapper.map(field(40), bw, 2, opts('floyd-steinberg')).indices.slice();
    const free = mapper.map(field(200), bw, 2, opts('floyd-steinberg')).indices.slice();
    // Without the hold, the error the new first row spreads re-draws most of the field.
    expect(changedBelowRow0(free, first)).toBeGreaterThan(1000);
    // Held, with the palette as it was, the field is unchanged: written as it was, every pixel,
    // and the first row's error stops at it.
    const held = mapper.map(field(200), bw, 2, opts('floyd-steinberg'), undefined, hold(field(40), first)).indices;
    expect(changedBelowRow0(held, first)).toBe(0);
    // With the white entry moved a level, no pixel is unchanged: the margin alone holds
    // nearly every still one (it keeps a pixel whose colour plus error lies within 55% of
    // the way to the other entry) ...
    const moved = new Uint8Array([0, 0, 0, 254, 254, 254]);
    const byMargin = mapper.map(field(200), moved, 2, opts('floyd-steinberg'), undefined, hold(field(40), first)).indices;
    expect(changedBelowRow0(byMargin, first)).toBeGreaterThan(0);
    expect(changedBelowRow0(byMargin, first)).toBeLessThan(300);
    // ... and the error is still diffused: the field stays a half-and-half mix.
    const white = byMargin.subarray(64).reduce((n: number, v) => n + v, 0);
    expect(Math.abs(white / (63 * 64) - 0.5)).toBeLessThan(0.02);
  });

  it('Floyd–Steinberg: a still pixel whose entry moved is not unchanged, though the entry nearest its colour stayed: the margin decides', () => {
    const mapper = createMapper();
    const grey = frameOf(64, 64, new Uint8Array(64 * 64 * 3).fill(128));
    const palette = new Uint8Array([0, 0, 0, 255, 255, 255, 60, 60, 60]);
    const first = mapper.map(grey, palette, 3, opts('floyd-steinberg')).indices.slice();
    expect(new Set(first)).toEqual(new Set([1, 2]));
    // White becomes blue, past a margin of 0.1 from any grey; 60, the entry nearest the field, stays.
    const moved = new Uint8Array([0, 0, 0, 0, 0, 255, 60, 60, 60]);
    const held = mapper.map(grey, moved, 3, opts('floyd-steinberg'), undefined, hold(grey, first, 8, 0.1, palette)).indices;
    const whiteBefore = first.reduce((n: number, v) => n + (v === 1 ? 1 : 0), 0);
    const kept = held.reduce((n: number, v, i) => n + (v === 1 && first[i] === 1 ? 1 : 0), 0);
    // The pixels that were white are drawn again, none kept as they were.
    expect([whiteBefore > 100, kept]).toEqual([true, 0]);
    // The grey pixels are unchanged, and written as they were.
    expect(held.every((v, i) => first[i] !== 2 || v === 2)).toBe(true);
  });

  it('Floyd–Steinberg: a still pixel is not unchanged where the entry nearest its colour is new, so a better entry reaches it (kept, gifplayer-muybridge.gif lost 4.8 dB)', () => {
    const mapper = createMapper();
    const first = mapper.map(field(40), bw, 2, opts('floyd-steinberg')).indices.slice();
    // A grey entry comes: the field, 128, is within 0.5 of it, and every pixel of it takes it.
    const withGrey = new Uint8Array([0, 0, 0, 255, 255, 255, 128, 128, 128]);
    const held = mapper.map(field(40), withGrey, 3, opts('floyd-steinberg'), undefined, hold(field(40), first)).indices;
    expect(new Set(held.subarray(64))).toEqual(new Set([2]));
  });

  it('ordered dithering: an entry moved re-draws the patterns that use it, unless held', () => {
    const mapper = createMapper();
    const grey = frameOf(32, 32, new Uint8Array(32 * 32 * 3).fill(100));
    const palette = new Uint8Array([60, 60, 60, 140, 140, 140]);
    const before = mapper.map(grey, palette, 2, opts('bayer')).indices.slice();
    const moved = new Uint8Array([60, 60, 60, 170, 170, 170]);
    expect(changedBelowRow0(mapper.map(grey, moved, 2, opts('bayer')).indices.slice(), before)).toBeGreaterThan(100);
    // (The light entry moved 30 levels away from the pixels: kept within a margin of 3, (70/40)^2 - 1 = 2.06 needed.)
    expect(Array.from(mapper.map(grey, moved, 2, opts('bayer'), undefined, hold(grey, before, 8, 3, palette)).indices)).toEqual(Array.from(before));
    expect(Array.from(mapper.map(grey, moved, 2, opts('bayer'), undefined, hold(grey, before, 8, 2, palette)).indices)).not.toEqual(Array.from(before));
  });

  it('keeps nothing where the source moved by more than pixelHold, where the kept entry is past the margin, is not in the palette, or was transparent', () => {
    const mapper = createMapper();
    const grey = (v: number, alpha = 255) => frameOf(32, 32, new Uint8Array(32 * 32 * 3).fill(v), alpha);
    // Two entries, in a longer buffer whose sixth colour is the pixels' own: an index past the
    // palette's size must not reach it.
    const palette = new Uint8Array([60, 60, 60, 140, 140, 140, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 100, 100]);
    const before = mapper.map(grey(100), palette, 2, opts('bayer')).indices.slice();
    const plain = (v: number) => Array.from(mapper.map(grey(v), palette, 2, opts('bayer')).indices);
    const held = (v: number, pixelHold: number, pixelMargin: number, indices = before, last = grey(100)) => Array.from(mapper.map(grey(v), palette, 2, opts('bayer'), undefined, hold(last, indices, pixelHold, pixelMargin, palette.subarray(0, 6))).indices);
    // A pixel clear in the frame before had no entry to keep (its index there is filler).
    expect(held(110, 255, 1000, before, grey(100, 0))).toEqual(plain(110));
    expect(plain(110)).not.toEqual(Array.from(before));
    // 110 moved 10 levels: held at pixelHold 10, not at 9.
    expect(held(110, 10, 1000)).toEqual(Array.from(before));
    expect(held(110, 9, 1000)).toEqual(plain(110));
    // At 72, the dark entry is 12 away and the light one 68: the light one is kept only within a margin of (68/12)^2 - 1 = 31.1.
    expect(held(72, 255, 32)).toEqual(Array.from(before));
    expect(held(72, 255, 30)).toEqual(plain(72));
    // An entry the palette no longer has is not kept.
    expect(held(100, 255, 1000, new Uint8Array(32 * 32).fill(5))).toEqual(plain(100));
  });

  it('measures as "nearest" is measured, in the run\'s metric and space (measured in RGB under lab, the undithered hold kept a blue 4.8 times farther)', () => {
    const rand = prng(5);
    const n = 2000;
    const frame = frameOf(n, 1, randomBytes(n * 3, rand));
    const palette = new Uint8Array([40, 40, 40, 0, 0, 200, 200, 180, 20]);
    const keptBlue = new Uint8Array(n).fill(1);
    let differ = 0;
    for (const metric of METRICS) {
      for (const space of SPACES) {
        const mapper = createMapper();
        const o = { metric, space, dither: 'bayer' } as const;
        const picked = mapper.map(frame, palette, 3, o).indices.slice();
        const held = mapper.map(frame, palette, 3, o, undefined, hold(frame, keptBlue, 0, 0.5, palette)).indices;
        const convert = fromSrgb(space);
        const at = (rgb: ArrayLike<number>, i: number) => { const out = new Float64Array(3); convert(rgb[i], rgb[i + 1], rgb[i + 2], out, 0); return out; };
        for (let i = 0; i < n; i++) {
          const x = at(frame.data, i * 4);
          const d = (e: number) => { const c = at(palette, e * 3); return colourDistance(metric, x[0], x[1], x[2], c[0], c[1], c[2]); };
          const expected = picked[i] === 1 || d(1) <= 1.5 * d(picked[i]) ? 1 : picked[i];
          if (held[i] !== expected) expect.fail(`${metric} in ${space}, pixel ${i}: ${held[i]}, not ${expected}`);
          if (expected !== picked[i]) differ++;
        }
      }
    }
    // The hold kept blue where the pick was another entry, in every metric and space together, on many pixels.
    expect(differ).toBeGreaterThan(100);
  });

  it('is refused without dithering, and for arrays of another frame', () => {
    const mapper = createMapper();
    const frame = frameOf(2, 1, new Uint8Array(6));
    const h = hold(frame, new Uint8Array(2));
    expect(() => mapper.map(frame, bw, 2, opts('none'), undefined, h)).toThrow(/hold acts on dithered mapping/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, before: new Uint8Array(4) })).toThrow(/^hold.before is the frame before's 8 RGBA bytes, a Uint8Array, not 4 bytes$/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, beforeIndices: [0, 1] as unknown as Uint8Array })).toThrow(/^hold.beforeIndices is the frame before's 2 palette indices, a Uint8Array at least that long, not an Array$/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, beforePalette: new Uint8Array(4) })).toThrow(/^hold.beforePalette is the frame before's palette, a Uint8Array of 3 bytes an entry \(256 at most\), not 4 bytes$/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, pixelHold: -1 })).toThrow(/hold.pixelHold/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, pixelMargin: Number.NaN })).toThrow(/hold.pixelMargin/);
    expect(() => mapper.map(frame, bw, 2, opts('bayer'), undefined, { ...h, margin: 1 } as never)).toThrow(/margin/);
  });

  it('Floyd–Steinberg: a pixel whose source moved past the hold is drawn anew, though its old entry and the entry nearest its new colour both kept their colours', () => {
    const mapper = createMapper();
    const black = frameOf(8, 8, new Uint8Array(8 * 8 * 3));
    const white = frameOf(8, 8, new Uint8Array(8 * 8 * 3).fill(255));
    const first = mapper.map(black, bw, 2, opts('floyd-steinberg')).indices.slice();
    expect(first.every((v) => v === 0)).toBe(true);
    // Black to white: far past a hold of 8, so no pixel is "unchanged", whatever the palette did.
    const held = mapper.map(white, bw, 2, opts('floyd-steinberg'), undefined, hold(black, first)).indices;
    expect(held.every((v) => v === 1)).toBe(true);
  });
});

describe('validation', () => {
  it('rejects bad sizes and options with ChromaseedError', () => {
    const mapper = createMapper();
    const frame = frameOf(2, 1, new Uint8Array(6));
    const o: MapOptions = { metric: 'euclidean', space: 'rgb', dither: 'none' };
    expect(() => mapper.map(frame, new Uint8Array(3), -1, o)).toThrow(/size/);
    expect(() => mapper.map(frame, new Uint8Array(3 * 257), 257, o)).toThrow(/size/);
    // An empty palette maps only a frame with no opaque pixel.
    expect(() => mapper.map(frame, new Uint8Array(0), 0, o)).toThrow(/pixel 0 is opaque, but the palette is empty/);
    const clear = { width: 2, height: 1, data: new Uint8Array(8) };
    expect(mapper.map(clear, new Uint8Array(0), 0, o).transparent).toEqual(Uint8Array.of(1, 1));
    expect(() => mapper.map(frame, new Uint8Array(3), 2, o)).toThrow(/palette has 3 bytes/);
    expect(() => mapper.map(frame, new Uint8Array(3), 1, { ...o, space: 'hsv' as ColorSpace })).toThrow(/space/);
    expect(() => mapper.map({ width: 3, height: 1, data: frame.data }, new Uint8Array(3), 1, o)).toThrow(/expected 3x1x4/);
    expect(() => mapper.map(frame, new Uint8Array(3), 1, o, new Uint8Array(1))).toThrow(/output buffer/);
  });
});

/** Floyd–Steinberg as the textbook has it: the error diffused 7/16 ahead, 3/16 behind below, 5/16 below, 1/16 ahead below; shares off the canvas dropped. */
function textbookFloydSteinberg(frame: Frame, palette: Uint8Array, size: number, serpentine: boolean): number[] {
  const { width, height, data } = frame;
  const err = new Float64Array(width * height * 3);
  const out: number[] = new Array(width * height).fill(0);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let y = 0; y < height; y++) {
    const reverse = serpentine && y % 2 === 1;
    const dir = reverse ? -1 : 1;
    for (let c = 0; c < width; c++) {
      const x = reverse ? width - 1 - c : c;
      const i = y * width + x;
      const v = [0, 1, 2].map((ch) => clamp(data[i * 4 + ch] + err[i * 3 + ch]));
      const index = nearestIndex(palette, size, Math.floor(v[0] + 0.5), Math.floor(v[1] + 0.5), Math.floor(v[2] + 0.5));
      out[i] = index;
      const spread = (dx: number, dy: number, share: number) => {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || nx >= width || ny >= height) return;
        for (let ch = 0; ch < 3; ch++) err[(ny * width + nx) * 3 + ch] += (v[ch] - palette[index * 3 + ch]) * share;
      };
      spread(dir, 0, 7 / 16);
      spread(-dir, 1, 3 / 16);
      spread(0, 1, 5 / 16);
      spread(dir, 1, 1 / 16);
    }
  }
  return out;
}

describe('Floyd–Steinberg against the textbook, and its hold', () => {
  it('gives exactly the textbook indices, in both scan orders', () => {
    const width = 13;
    const height = 7;
    const data = new Uint8Array(width * height * 4);
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p += 4) {
        data[p] = (x * 19 + y * 7) % 256;
        data[p + 1] = (x * 5 + y * 31) % 256;
        data[p + 2] = (255 - x * 11 - y * 13 + 512) % 256;
        data[p + 3] = 255;
      }
    }
    const frame: Frame = { width, height, data };
    const palette = Uint8Array.of(3, 7, 250, 240, 20, 11, 30, 200, 60, 200, 190, 180, 90, 60, 120);
    for (const serpentine of [true, false]) {
      const got = Array.from(createMapper().map(frame, palette, 5, { metric: 'euclidean', space: 'rgb', dither: 'floyd-steinberg', serpentine }).indices);
      expect(got).toEqual(textbookFloydSteinberg(frame, palette, 5, serpentine));
    }
  });

  it('lets a still pixel go whose entry moved, in blue alone', () => {
    const frame: Frame = { width: 1, height: 1, data: Uint8Array.of(0, 0, 0, 255) };
    const beforePalette = Uint8Array.of(0, 0, 0, 10, 10, 10);
    const palette = Uint8Array.of(0, 0, 200, 10, 10, 10); // entry 0 moved in blue only; entry 1 the same
    const hold = { before: frame.data.slice(), beforeIndices: Uint8Array.of(0), beforePalette, pixelHold: 8, pixelMargin: 0.5 };
    const { indices } = createMapper().map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'floyd-steinberg' }, undefined, hold);
    expect(Array.from(indices)).toEqual([1]); // (0,0,200) is far from black: its old entry is not kept
  });

  it('a mapper reused with the same palette under another metric maps by the new one (its cache is not reused)', () => {
    // (100,100,100): nearest by squared distance is (135,135,100) (2450 < 3600); by L1, (160,100,100) (60 < 70).
    const frame = { width: 1, height: 1, data: Uint8Array.of(100, 100, 100, 255) };
    const palette = Uint8Array.of(160, 100, 100, 135, 135, 100);
    const mapper = createMapper();
    expect(Array.from(mapper.map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'none' }).indices)).toEqual([1]);
    expect(Array.from(mapper.map(frame, palette, 2, { metric: 'manhattan', space: 'rgb', dither: 'none' }).indices)).toEqual([0]);
    expect(Array.from(mapper.map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'none' }).indices)).toEqual([1]);
  });
});
