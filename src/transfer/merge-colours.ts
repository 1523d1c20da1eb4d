import type { IndexedFrame } from '../types.js';

/**
 * `frame` with each palette colour once: where several entries hold one colour (a transfer
 * gives a source of fewer colours than the target's k clusters several of them alike), they
 * become one entry, and the pixels are renumbered. The picture is the same, its file smaller:
 * a one-colour source painted over a photo at k = 16 came out a PNG of 16 entries, all one
 * colour, the pixels spread over them (28 KiB for 312x442 pixels; 133 bytes with the one
 * entry). `frame` itself where no colour repeats; new indices otherwise. Pure: no I/O.
 */
export function mergeRepeatedColours(frame: IndexedFrame): IndexedFrame {
  const { palette, size } = frame;
  const entryOf = new Map<number, number>();
  const renumber = new Uint8Array(256);
  const merged = new Uint8Array(size * 3);
  let kept = 0;
  for (let e = 0, j = 0; e < size; e++, j += 3) {
    const colour = (palette[j] << 16) | (palette[j + 1] << 8) | palette[j + 2];
    let to = entryOf.get(colour);
    if (to === undefined) {
      to = kept++;
      entryOf.set(colour, to);
      merged.set(palette.subarray(j, j + 3), to * 3);
    }
    renumber[e] = to;
  }
  if (kept === size) return frame;
  // (A transparent pixel's index is filler below `size`: renumbered alike.)
  const indices = new Uint8Array(frame.indices.length);
  for (let p = 0; p < indices.length; p++) indices[p] = renumber[frame.indices[p]];
  return { ...frame, indices, palette: merged.slice(0, kept * 3), size: kept };
}
