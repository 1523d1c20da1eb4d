import { ALPHA_MASK, COLOR_MASK } from '../pixel-words.js';
import type { IndexedFrame } from '../types.js';

/**
 * Palette indices to RGBA in `out`. Transparent pixels get colour black and alpha
 * `transparentAlpha`: 255 for video (no alpha channel, so black), 0 for PNG.
 * Returns whether the frame had any transparent pixel. An opaque pixel's index at or past
 * the frame's `size` is a RangeError (the GIF encoder's check), not a colour read from
 * whatever the palette holds there.
 */
export function expandToRgba(frame: IndexedFrame, out: Uint8Array, transparentAlpha: number): boolean {
  const { indices, palette, transparent } = frame;
  const n = frame.width * frame.height;
  let anyTransparent = false;
  let top = -1;
  // Separate loops so the common opaque case has no per-pixel mask test.
  if (transparent) {
    for (let p = 0, o = 0; p < n; p++, o += 4) {
      if (transparent[p]) {
        out[o] = 0;
        out[o + 1] = 0;
        out[o + 2] = 0;
        out[o + 3] = transparentAlpha;
        anyTransparent = true;
      } else {
        const i = indices[p];
        if (i > top) top = i;
        const j = i * 3;
        out[o] = palette[j];
        out[o + 1] = palette[j + 1];
        out[o + 2] = palette[j + 2];
        out[o + 3] = 255;
      }
    }
  } else {
    for (let p = 0, o = 0; p < n; p++, o += 4) {
      const i = indices[p];
      if (i > top) top = i;
      const j = i * 3;
      out[o] = palette[j];
      out[o + 1] = palette[j + 1];
      out[o + 2] = palette[j + 2];
      out[o + 3] = 255;
    }
  }
  if (top >= frame.size) throw new RangeError(`palette index ${top} is not below size ${frame.size}`);
  return anyTransparent;
}

/**
 * A full-colour frame copied into `out` as a writer takes it, the way the quantizer reads
 * alpha: 0 is a transparent pixel (colour black, alpha `transparentAlpha`, as in
 * expandToRgba), anything else opaque (alpha 255). A half-transparent pixel written as it
 * is would show its colour in H.264, which has no alpha, and its alpha in a PNG: the same
 * frame would look different in each output. Returns whether any pixel was transparent.
 */
export function copyRgbaForOutput(data: Uint8Array, out: Uint8Array, transparentAlpha: number): boolean {
  let anyTransparent = false;
  for (let o = 0; o < data.length; o += 4) {
    if (data[o + 3] === 0) {
      out[o] = 0;
      out[o + 1] = 0;
      out[o + 2] = 0;
      out[o + 3] = transparentAlpha;
      anyTransparent = true;
    } else {
      out[o] = data[o];
      out[o + 1] = data[o + 1];
      out[o + 2] = data[o + 2];
      out[o + 3] = 255;
    }
  }
  return anyTransparent;
}

/** How far (in pixels, across or diagonally) an opaque pixel's colour spreads into clear ones. */
const BLEED = 2;

/**
 * Gives each clear pixel of an RGBA frame (alpha 0, left so) within BLEED pixels of an opaque
 * one the colour of the nearest such pixel. A video with alpha stores colour at half
 * resolution (4:2:0), filtered wider still: clear pixels left black darkened the opaque
 * pixels beside them (a WebM of earth-transparent.gif: its edge pixels 7.2 levels too dark in
 * blue; 2.3 with only the adjacent ones filled, 0.1 with these). Farther ones stay black, which
 * costs nothing to store frame after frame (every clear pixel filled, that WebM grew by 9%,
 * against 2.4% so). `rgba` must be 4-byte aligned (a buffer of its own).
 */
export function bleedIntoClear(rgba: Uint8Array, width: number, height: number): void {
  const words = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  const alphaMask = ALPHA_MASK;
  const colourMask = COLOR_MASK;
  // Each row's first and last opaque column (first > last: none), so that a row is searched
  // only where an opaque pixel can be within reach; most clear pixels of a frame are not.
  const first = new Int32Array(height).fill(width);
  const last = new Int32Array(height).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((words[y * width + x] & alphaMask) === 0) continue;
      if (first[y] === width) first[y] = x;
      last[y] = x;
    }
  }
  for (let y = 0; y < height; y++) {
    let from = width;
    let to = -1;
    for (let ny = Math.max(0, y - BLEED), y1 = Math.min(height - 1, y + BLEED); ny <= y1; ny++) {
      from = Math.min(from, first[ny] - BLEED);
      to = Math.max(to, last[ny] + BLEED);
    }
    for (let x = Math.max(0, from); x <= Math.min(width - 1, to); x++) {
      if ((words[y * width + x] & alphaMask) !== 0) continue;
      // The nearest ring first; neighbours are tested by their alpha, so a pixel filled here (still clear) is no source.
      search: for (let r = 1; r <= BLEED; r++) {
        const x0 = Math.max(0, x - r);
        const x1 = Math.min(width - 1, x + r);
        for (let ny = Math.max(0, y - r), y1 = Math.min(height - 1, y + r); ny <= y1; ny++) {
          for (let nx = x0; nx <= x1; nx++) {
            const w = words[ny * width + nx];
            if ((w & alphaMask) !== 0) {
              words[y * width + x] = w & colourMask;
              break search;
            }
          }
        }
      }
    }
  }
}
