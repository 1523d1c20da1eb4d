import type { Frame } from '../types.js';

/**
 * Dithering on top of the exact nearest search. Both dithers work in sRGB bytes: the
 * dithered colour is clamped to 0..255 and rounded to a byte triple, so it can be looked up
 * in the mapper's 24-bit cache like any pixel colour.
 */

/** Packed colour (r | g << 8 | b << 16) -> palette index, exact, through the mapper's cache. */
export type Lookup = (key: number) => number;

/** Per-mapper scratch: two error rows that grow to the widest frame seen and are then reused. */
export interface DitherScratch {
  errA: Float64Array;
  errB: Float64Array;
}

export function createDitherScratch(): DitherScratch {
  return { errA: new Float64Array(0), errB: new Float64Array(0) };
}

/**
 * Floyd–Steinberg error diffusion (7/16 right, 3/16 below-behind, 5/16 below, 1/16
 * below-ahead), in sRGB, with the error taken against the clamped (unrounded) wanted colour
 * so it cannot grow without bound. With `serpentine`, odd rows run right to left (the kernel
 * is mirrored), which avoids the diagonal "worm" artefacts of a plain raster scan.
 *
 * Transparent pixels (alpha 0) neither receive nor spread error: whatever share would land on
 * one is discarded when it is visited, and it pushes nothing on. Shares that would fall off
 * the frame edge are dropped too (into padding cells).
 *
 * Returns the transparency mask (null when none).
 */
export function floydSteinbergDither(
  frame: Frame,
  palette: Uint8Array,
  lookup: Lookup,
  indices: Uint8Array,
  serpentine: boolean,
  scratch: DitherScratch,
): Uint8Array | null {
  const { width, height, data } = frame;
  const rowLen = (width + 2) * 3; // one padding cell each side, so neighbours need no bounds checks
  if (scratch.errA.length < rowLen) {
    scratch.errA = new Float64Array(rowLen);
    scratch.errB = new Float64Array(rowLen);
  }
  let cur = scratch.errA;
  let next = scratch.errB;
  cur.fill(0, 0, rowLen);
  let transparent: Uint8Array | null = null;

  for (let y = 0; y < height; y++) {
    next.fill(0, 0, rowLen);
    const reverse = serpentine && (y & 1) === 1;
    const dir = reverse ? -1 : 1;
    const d3 = dir * 3;
    let x = reverse ? width - 1 : 0;
    for (let c = 0; c < width; c++, x += dir) {
      const i = y * width + x;
      const j = i * 4;
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(width * height);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const e = (x + 1) * 3;
      let r = data[j] + cur[e];
      let g = data[j + 1] + cur[e + 1];
      let b = data[j + 2] + cur[e + 2];
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      const key = ((r + 0.5) | 0) | (((g + 0.5) | 0) << 8) | (((b + 0.5) | 0) << 16);
      const index = lookup(key);
      indices[i] = index;
      const p = index * 3;
      const er = r - palette[p];
      const eg = g - palette[p + 1];
      const eb = b - palette[p + 2];
      // ahead on this row
      cur[e + d3] += er * (7 / 16);
      cur[e + d3 + 1] += eg * (7 / 16);
      cur[e + d3 + 2] += eb * (7 / 16);
      // next row: behind, below, ahead
      next[e - d3] += er * (3 / 16);
      next[e - d3 + 1] += eg * (3 / 16);
      next[e - d3 + 2] += eb * (3 / 16);
      next[e] += er * (5 / 16);
      next[e + 1] += eg * (5 / 16);
      next[e + 2] += eb * (5 / 16);
      next[e + d3] += er * (1 / 16);
      next[e + d3 + 1] += eg * (1 / 16);
      next[e + d3 + 2] += eb * (1 / 16);
    }
    const t = cur;
    cur = next;
    next = t;
  }
  return transparent;
}

/** The classic recursive 8x8 Bayer index matrix (values 0..63), row-major. */
const BAYER_8X8: Uint8Array = (() => {
  let m = new Uint8Array([0]);
  let n = 1;
  while (n < 8) {
    const next = new Uint8Array(4 * n * n);
    const w = 2 * n;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const v = 4 * m[y * n + x];
        next[y * w + x] = v;
        next[y * w + x + n] = v + 2;
        next[(y + n) * w + x] = v + 3;
        next[(y + n) * w + x + n] = v + 1;
      }
    }
    m = next;
    n = w;
  }
  return m;
})();

/**
 * How far ordered dithering may push a colour, in sRGB units per channel: the mean, over the
 * palette's colours, of the Euclidean RGB distance to the nearest *different* palette colour.
 * For a grid-like palette this is the step between neighbouring levels, so a colour between
 * two neighbours is mixed from them in proportion to where it lies; a sparse palette gets
 * stronger noise, a dense one weaker. 0 when the palette has a single distinct colour.
 */
function bayerAmplitude(palette: Uint8Array, size: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < size; i++) {
    let best = Infinity;
    const r = palette[i * 3];
    const g = palette[i * 3 + 1];
    const b = palette[i * 3 + 2];
    for (let k = 0; k < size; k++) {
      const dr = palette[k * 3] - r;
      const dg = palette[k * 3 + 1] - g;
      const db = palette[k * 3 + 2] - b;
      const d = dr * dr + dg * dg + db * db;
      if (d > 0 && d < best) best = d;
    }
    if (best !== Infinity) {
      sum += Math.sqrt(best);
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

const offsets = new Float64Array(64);

/**
 * Ordered dithering with the 8x8 Bayer matrix: each pixel gets the same offset on all three
 * channels, ((M[y%8][x%8] + 0.5) / 64 − 0.5) × amplitude, i.e. 64 levels symmetric around 0
 * spanning one `bayerAmplitude` step, then is rounded, clamped and mapped exactly. A colour
 * exactly halfway between two palette colours therefore lands on each in half the cells.
 * Transparent pixels are only marked. Returns the transparency mask (null when none).
 */
export function bayerDither(
  frame: Frame,
  palette: Uint8Array,
  size: number,
  lookup: Lookup,
  indices: Uint8Array,
): Uint8Array | null {
  const { width, height, data } = frame;
  const amp = bayerAmplitude(palette, size);
  for (let k = 0; k < 64; k++) offsets[k] = ((BAYER_8X8[k] + 0.5) / 64 - 0.5) * amp;
  let transparent: Uint8Array | null = null;
  for (let y = 0, i = 0; y < height; y++) {
    const row = (y & 7) << 3;
    for (let x = 0; x < width; x++, i++) {
      const j = i * 4;
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(width * height);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const o = offsets[row | (x & 7)] + 0.5; // + 0.5: round to nearest via truncation below
      let r = (data[j] + o) | 0;
      let g = (data[j + 1] + o) | 0;
      let b = (data[j + 2] + o) | 0;
      // `| 0` truncates toward zero, so values in (-1, 0) already became 0; clamp the rest.
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      indices[i] = lookup(r | (g << 8) | (b << 16));
    }
  }
  return transparent;
}
