/** How a frame differs from the one before, from one pass over both. */
export interface FrameChange {
  /** Mean absolute difference over the RGB channels of pixels opaque in both (0..255). */
  readonly difference: number;
  /** Pixels no channel of which moved by more than 8 (the METRICS.md "still" pixels). */
  readonly stillPixels: number;
}

/**
 * Compares `now` with `before` (RGBA, same size) and counts, per palette entry the pixel
 * was written with last frame (`beforeIndices`), how many pixels stayed still: what the
 * scene-cut test, the `anchor` lever and the "mostly still" test need, in one pass.
 * Writes `still` (256 entries).
 */
export function compareFrames(now: Uint8Array, before: Uint8Array, beforeIndices: Uint8Array, still: Float64Array): FrameChange {
  still.fill(0);
  let sum = 0;
  let opaque = 0;
  let stillPixels = 0;
  // Neighbouring still pixels mostly share an entry: counting runs and adding each run
  // once avoids a chain of increments to one memory slot, which limits the loop's speed.
  let runEntry = -1;
  let run = 0;
  for (let p = 0, o = 0; p < beforeIndices.length; p++, o += 4) {
    if (now[o + 3] === 0 || before[o + 3] === 0) continue;
    opaque++;
    const dr = now[o] - before[o];
    const dg = now[o + 1] - before[o + 1];
    const db = now[o + 2] - before[o + 2];
    const ar = dr < 0 ? -dr : dr;
    const ag = dg < 0 ? -dg : dg;
    const ab = db < 0 ? -db : db;
    sum += ar + ag + ab;
    if (ar > 8 || ag > 8 || ab > 8) continue;
    stillPixels++;
    const entry = beforeIndices[p];
    if (entry === runEntry) {
      run++;
    } else {
      if (run > 0) still[runEntry] += run;
      runEntry = entry;
      run = 1;
    }
  }
  if (run > 0) still[runEntry] += run;
  return { difference: opaque > 0 ? sum / (opaque * 3) : 0, stillPixels };
}
