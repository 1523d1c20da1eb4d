/**
 * A GIF frame's transparent index (gif-encode.ts): the slot its transparent pixels, and
 * with differencing its unchanged ones, are written with. Pure: typed arrays in and out.
 */
import { OPAQUE } from './canvas-boxes.js';

/** The frame being written (the encoder's held-back frame), and what the encoder's pass over its rectangle counted. */
export interface HeldFrame {
  /** The frame as drawn, a packed colour a pixel (canvas-boxes.ts): redrawn where a colour is given up. */
  readonly target: Uint32Array;
  /** Its palette indices, and its palette (sRGB byte triples). */
  readonly indices: Uint8Array;
  readonly palette: Uint8Array;
  readonly width: number;
  /** The rectangle it is written over: x0, y0, x1, y1, inclusive. */
  readonly rect: Int32Array;
  /** 1 at index + 1 for each index a changed pixel uses (scanRect). */
  readonly changedUses: Uint8Array;
  /** How often each index is drawn in the rectangle (a full 256 only). */
  readonly counts: Uint32Array;
  /** Filled with each index's index as written (the identity, but for a colour given up). */
  readonly remap: Uint8Array;
}

/** The transparent index (-1: none), the table's length, and whether a colour was given up (`remap` is not the identity). */
export interface TransparentChoice {
  readonly ti: number;
  readonly paletteLength: number;
  readonly remapped: boolean;
}

/**
 * The frame's transparent index and table length, when it wants one (`wanted`) among its
 * `size` colours. An index no changed pixel uses is free at no cost (where it turns
 * transparent, the canvas shows that same colour), looked for when `countUses`; else the slot
 * after the colours; in a full 256, the least-used colour is given up, only when `mayDrop`
 * (transparency needed, its own or a clearing's, or most of the rectangle unchanged): without
 * a transparent slot every unchanged pixel is written again, and at -k 256 move-resize.gif
 * came out 28 MB instead of 2.8.
 */
export function chooseTransparentIndex(size: number, wanted: boolean, countUses: boolean, mayDrop: boolean, frame: HeldFrame): TransparentChoice {
  const { remap, changedUses } = frame;
  for (let i = 0; i < size; i++) remap[i] = i;
  if (!wanted) return { ti: -1, paletteLength: size, remapped: false };
  if (countUses) for (let i = 0; i < size; i++) if (changedUses[i + 1] === 0) return { ti: i, paletteLength: size, remapped: false };
  if (size < 256) return { ti: size, paletteLength: size + 1, remapped: false };
  if (!mayDrop) return { ti: -1, paletteLength: size, remapped: false };
  return { ti: dropLeastUsedColour(frame), paletteLength: size, remapped: true };
}

/**
 * 256 colours and a transparent pixel: frees the rectangle's least-used index by drawing its
 * pixels with the nearest other colour (in `remap`, and in `target`, so that the encoder's
 * model of the canvas stays what the decoder will show). Returns the index freed.
 */
function dropLeastUsedColour({ target, indices, palette, width, rect, counts, remap }: HeldFrame): number {
  const [rx0, ry0, rx1, ry1] = rect;
  let victim = 0;
  for (let i = 1; i < 256; i++) if (counts[i] < counts[victim]) victim = i;
  const v = victim * 3;
  let best = -1;
  let bestDist = Infinity;
  for (let i = 0, j = 0; i < 256; i++, j += 3) {
    if (i === victim) continue;
    const dr = palette[j] - palette[v];
    const dg = palette[j + 1] - palette[v + 1];
    const db = palette[j + 2] - palette[v + 2];
    const d = dr * dr + dg * dg + db * db;
    if (d < bestDist) { bestDist = d; best = i; }
  }
  remap[victim] = best;
  const replacement = OPAQUE | (palette[best * 3] << 16) | (palette[best * 3 + 1] << 8) | palette[best * 3 + 2];
  for (let y = ry0; y <= ry1; y++) {
    for (let p = y * width + rx0, end = y * width + rx1; p <= end; p++) {
      if (target[p] !== 0 && indices[p] === victim) target[p] = replacement;
    }
  }
  return victim;
}
