/** How a frame differs from the one before, from one pass over both. */
export interface FrameChange {
  /** Mean absolute difference over the RGB channels of pixels opaque in both (0..255). */
  readonly difference: number;
  /** Pixels opaque in both frames. */
  readonly opaquePixels: number;
  /** Of those, the ones no channel of which moved by more than 8 (the METRICS.md "still" pixels). */
  readonly stillPixels: number;
}

/** Still pixels counted per palette entry of the frame before (see `compareFrames`). */
export interface StillPerEntry {
  /** The entry each pixel of the frame before was written with. */
  readonly beforeIndices: Uint8Array;
  /** Filled with the counts (256 entries, overwritten). */
  readonly counts: Float64Array;
}

/**
 * `bytes` as 32-bit words (one per RGBA pixel, or one per four palette indices), for loops
 * that skip identical runs a word at a time. A view when the bytes are 4-aligned (every
 * frame this package makes), else a copy.
 */
export function wordsOf(bytes: Uint8Array): Uint32Array {
  const aligned = (bytes.byteOffset & 3) === 0 ? bytes : bytes.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
}

/**
 * Compares `now` with `before` (RGBA, same size): the mean difference the scene-cut test
 * reads and the still pixels the "mostly still" test reads. With `perEntry`, also counts
 * how many still pixels each palette entry of the frame before painted (what the `anchor`
 * lever weighs).
 */
export function compareFrames(now: Uint8Array, before: Uint8Array, perEntry: StillPerEntry | null): FrameChange {
  let sum = 0;
  let opaque = 0;
  let stillPixels = 0;
  perEntry?.counts.fill(0);
  const nowWords = wordsOf(now);
  const beforeWords = wordsOf(before);
  for (let p = 0, o = 0; o < now.length; p++, o += 4) {
    if (now[o + 3] === 0 || before[o + 3] === 0) continue;
    opaque++;
    // Bit-identical pixels (most of a GIF's or a screen recording's) need no arithmetic.
    if (nowWords[p] === beforeWords[p]) {
      stillPixels++;
      if (perEntry !== null) perEntry.counts[perEntry.beforeIndices[p]]++;
      continue;
    }
    const dr = now[o] - before[o];
    const dg = now[o + 1] - before[o + 1];
    const db = now[o + 2] - before[o + 2];
    const ar = dr < 0 ? -dr : dr;
    const ag = dg < 0 ? -dg : dg;
    const ab = db < 0 ? -db : db;
    sum += ar + ag + ab;
    // 1 when no channel moved by more than 8, else 0, without a branch: in video the
    // outcome is close to random from pixel to pixel, and mispredictions cost more.
    const still = 1 + (((8 - ar) | (8 - ag) | (8 - ab)) >> 31);
    stillPixels += still;
    if (perEntry !== null) perEntry.counts[perEntry.beforeIndices[p]] += still;
  }
  return { difference: opaque > 0 ? sum / (opaque * 3) : 0, opaquePixels: opaque, stillPixels };
}
