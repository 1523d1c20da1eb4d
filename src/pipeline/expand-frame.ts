import type { Frame, IndexedFrame } from '../types.js';

/** Palette indices back to RGBA (transparent pixels get alpha 0), into `out` if given. */
export function expandFrame(frame: IndexedFrame, out?: Uint8Array): Frame {
  const { indices, palette, transparent, width, height } = frame;
  const data = out ?? new Uint8Array(width * height * 4);
  for (let i = 0, o = 0; i < indices.length; i++, o += 4) {
    const p = indices[i] * 3;
    data[o] = palette[p];
    data[o + 1] = palette[p + 1];
    data[o + 2] = palette[p + 2];
    data[o + 3] = transparent !== null && transparent[i] === 1 ? 0 : 255;
  }
  return { width, height, data };
}
