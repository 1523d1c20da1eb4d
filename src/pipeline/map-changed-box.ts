/**
 * One palette for the clip, undithered: a frame mapped only inside the box where it differs
 * from the frame before. Outside the box every pixel has the frame before's colour under the
 * same palette, so it keeps the frame before's entry: its nearest then and now, or one the
 * pixel hold kept, which the hold keeps again (it decides alike on the same colours). A GIF
 * that redraws a small part of its canvas is mostly outside (animated_gif.gif: 4% of it per
 * frame), where per-frame palettes map the box through their histograms (map-histogram.ts).
 *
 * Pure: no I/O. The box's pixels are copied out and mapped as a frame of their own.
 */
import type { Mapper, MapOptions } from '../map/map-pixels.js';
import { holdPixels } from '../map/pixel-hold.js';
import type { ChangedBox, Frame } from '../types.js';

/** The frame before, as it was written. */
export interface WrittenBefore {
  readonly source: Uint8Array;
  readonly indices: Uint8Array;
  readonly transparent: Uint8Array | null;
}

/** Buffers for a box's pixels, kept from frame to frame (grown as boxes grow). */
export interface BoxScratch {
  pixels: Uint8Array;
  beforePixels: Uint8Array;
  indices: Uint8Array;
  beforeIndices: Uint8Array;
}

export const createBoxScratch = (): BoxScratch => ({ pixels: new Uint8Array(0), beforePixels: new Uint8Array(0), indices: new Uint8Array(0), beforeIndices: new Uint8Array(0) });

/**
 * `frame` mapped to `palette` into `out` (at least width*height bytes), with the pixel hold
 * (`hold`, or none) inside `box` (null: nothing changed). The mask is new memory, or null
 * where no pixel is transparent.
 */
export function mapChangedBox(
  mapper: Mapper, frame: Frame, before: WrittenBefore, box: ChangedBox | null, palette: Uint8Array, size: number,
  options: MapOptions, hold: { readonly pixelHold: number; readonly pixelMargin: number } | null, out: Uint8Array, scratch: BoxScratch,
): { indices: Uint8Array; transparent: Uint8Array | null } {
  const { width } = frame;
  const n = width * frame.height;
  const indices = out.length === n ? out : out.subarray(0, n);
  indices.set(before.indices.subarray(0, n));
  let transparent = before.transparent === null ? null : before.transparent.slice(0, n);
  if (box === null) return { indices, transparent };
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  grow(scratch, w * h);
  const { pixels, beforePixels } = scratch;
  for (let r = 0; r < h; r++) {
    const from = ((box.y0 + r) * width + box.x0) * 4;
    pixels.set(frame.data.subarray(from, from + w * 4), r * w * 4);
    if (hold !== null) {
      beforePixels.set(before.source.subarray(from, from + w * 4), r * w * 4);
      scratch.beforeIndices.set(before.indices.subarray(from / 4, from / 4 + w), r * w);
    }
  }
  const inBox = pixels.subarray(0, w * h * 4);
  const mapped = mapper.map({ width: w, height: h, data: inBox }, palette, size, options, scratch.indices);
  if (hold !== null) holdPixels(inBox, beforePixels.subarray(0, w * h * 4), mapped.indices, scratch.beforeIndices, palette, size, hold, options.metric, options.space);
  if (mapped.transparent !== null && transparent === null) transparent = new Uint8Array(n);
  for (let r = 0; r < h; r++) {
    const at = (box.y0 + r) * width + box.x0;
    indices.set(mapped.indices.subarray(r * w, (r + 1) * w), at);
    if (transparent === null) continue;
    if (mapped.transparent === null) transparent.fill(0, at, at + w);
    else transparent.set(mapped.transparent.subarray(r * w, (r + 1) * w), at);
  }
  return { indices, transparent };
}

function grow(scratch: BoxScratch, cells: number): void {
  if (scratch.indices.length >= cells) return;
  scratch.pixels = new Uint8Array(cells * 4);
  scratch.beforePixels = new Uint8Array(cells * 4);
  scratch.indices = new Uint8Array(cells);
  scratch.beforeIndices = new Uint8Array(cells);
}
