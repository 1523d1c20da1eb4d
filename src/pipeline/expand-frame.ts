import type { Frame, IndexedFrame } from '../types.js';

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

/** Palette indices back to an RGBA frame (transparent pixels: alpha 0), into `out` if given. */
export function expandFrame(frame: IndexedFrame, out?: Uint8Array): Frame {
  const data = out ?? new Uint8Array(frame.width * frame.height * 4);
  expandToRgba(frame, data, 0);
  return { width: frame.width, height: frame.height, data };
}
