/**
 * The rectangle a GIF frame is written over (gif-encode.ts): plainRect, the frame's first
 * encoding; one pass over it, what the encoder decides from before it encodes, and the
 * frame's second encoding; and mixRect, its third.
 *
 * Two loops give the same results: one with branches, fast where pixels that changed come in
 * long runs (a GIF's), and one without, for video noise, where whether a pixel changed is
 * close to random from one pixel to the next and mispredicted branches took most of the
 * pass. The encoder picks by the frame before (NOISY_FLIPS). Pure: no I/O.
 */

/**
 * Changes between changed and unchanged pixels, per pixel of a frame's rectangle, above
 * which the next frame is scanned without branches: video noise, where a pixel that changed
 * sits beside one that did not (0.04 to 0.16 a pixel on the corpus's videos, chaplin.mp4's
 * half of its frames above 0.08), not a GIF's long runs (bounce.gif 0.005, hand_anim.gif
 * 0.01, pigs_in_a_polka.gif 0.017), where the loop with branches is the faster one. The
 * encoder alone, each loop on every frame (medians of 5, in a build that also measured the
 * changes, so slower than the figures in bench/RESULTS.md's History), without against with branches:
 * chaplin.mp4 999 against 1383 ms, test.webm 811 against 884, animated_gif.gif 165
 * against 182; bounce.gif 244 against 229, hand_anim.gif 132 against 118. With the loop
 * without branches made faster since (its run state, below), a GIF's long runs still favour
 * the loop with branches: without them 14.6 ns a pixel against 10.1 with on bounce.gif, 19
 * against 10.5 on hand_anim.gif.
 */
export const NOISY_FLIPS = 0.03;

/** The frame and the canvas under it, and where the pass writes what it finds beyond `RectScan`. */
export interface RectInput {
  /** The frame as drawn: a packed colour a pixel, 0 where transparent. */
  readonly target: Uint32Array;
  /** The canvas the frame is drawn over, packed alike. */
  readonly base: Uint32Array;
  /** The frame's palette indices. */
  readonly indices: Uint8Array;
  /** Of the canvas, in pixels. */
  readonly width: number;
  /** x0, y0, x1, y1, inclusive. */
  readonly rect: Int32Array;
  /** Whether pixels equal to the canvas's count as unchanged (differencing, after the first frame). */
  readonly comparesWithCanvas: boolean;
  /**
   * The index standing for the transparent one in `candidate` (the table's size: no
   * pixel's), or -1 when `candidate` is not wanted (not compared with the canvas, or 256
   * colours, which leave no index to spare); its content is then left undefined.
   */
  readonly mark: number;
  /** The second encoding, unchanged and transparent pixels as `mark`, a row of the rectangle after another. */
  readonly candidate: Uint8Array;
  /** Set to 1 at index + 1 for each index a changed pixel uses (257 long: slot 0 is scratch, written for pixels that use none). */
  readonly changedUses: Uint8Array;
  /** How often each index is drawn, added to when given (a full 256: the colour to give up). */
  readonly counts: Uint32Array | null;
}

/** What one pass found. */
export interface RectScan {
  needsTransparency: boolean;
  /** Drawn pixels already on the canvas. */
  unchanged: number;
  /**
   * Runs of equal indices in the frame's two encodings (unchanged pixels repeated, or
   * transparent), -1 standing for the transparent index not yet chosen.
   */
  plainRuns: number;
  differenceRuns: number;
  /**
   * Runs of the third encoding (mixRect), the transparent index counted apart from every
   * colour: as many as mixRect gives, except where a full 256 then gives up a colour for
   * the transparent index (this pass comes before its pixels are redrawn, mixRect after), and
   * the two may differ either way. It only decides whether mixRect is tried.
   */
  mixedRuns: number;
  /** Pixels beside one that changed where they did not, or the other way round (see NOISY_FLIPS). */
  flips: number;
}

/**
 * Scans `input`'s rectangle into `out`, writing `candidate`, `changedUses` and `counts`
 * (which the caller clears), with branches or, where `noisy`, without.
 */
export function scanRect(input: RectInput, noisy: boolean, out: RectScan): void {
  const { target, base, indices, width, rect, comparesWithCanvas, mark, candidate, changedUses, counts } = input;
  const x0 = rect[0];
  const y0 = rect[1];
  const x1 = rect[2];
  const y1 = rect[3];
  const rw = x1 - x0 + 1;
  const countAll = counts !== null;
  let needsTransparency = false;
  let unchanged = 0;
  let plainRuns = 0;
  let differenceRuns = 0;
  let lastPlain = -2;
  let lastDifference = -2;
  // The third encoding's run, as in mixRect (-1 the transparent index): an index all its
  // pixels allow (-2 before the first pixel), and, held by each loop its own way, whether all
  // allow the transparent one too.
  let mixedRuns = 0;
  let own = -2;
  // A flip is where `difference` goes from -1 to an index or back: the sign of their xor.
  let flips = 0;
  if (noisy) {
    // Every test is arithmetic: nonZero(x) is 1 when x !== 0, else 0; a pixel's word is 0
    // only when it is transparent.
    const alwaysChanged = comparesWithCanvas ? 0 : 1;
    const none = mark >= 0 ? mark : 0;
    let drawnPixels = 0;
    // The third encoding's run held as what it allows: `own` alone, or `own` and the
    // transparent index (hasTi 1: every pixel of the run allows it), or the transparent index
    // alone (own -1, which always comes with hasTi 1, as toClear below relies on). This
    // takes fewer steps from one pixel to the next than the (own, orTransparent) pair the
    // loop with branches keeps, which this loop kept too and took 45% longer with on video's
    // noise (cockatoo.mp4's frames: 14.1 ns a pixel, now 9.7).
    let hasTi = 0;
    for (let y = y0, q = 0; y <= y1; y++) {
      for (let p = y * width + x0, end = p + rw; p < end; p++, q++) {
        const t = target[p];
        const drawn = nonZero(t);
        const changed = drawn & (nonZero(t ^ base[p]) | alwaysChanged);
        const index = indices[p];
        // The index in each encoding, -1 (every bit set) for the transparent one: drawn - 1
        // and changed - 1 are 0 or -1.
        const plain = index | (drawn - 1);
        const difference = index | (changed - 1);
        drawnPixels += drawn;
        unchanged += drawn - changed;
        changedUses[difference + 1] = 1;
        if (countAll) counts[index] += drawn;
        candidate[q] = none + (index - none) * changed;
        plainRuns += nonZero(plain ^ lastPlain);
        differenceRuns += nonZero(difference ^ lastDifference);
        flips += (difference ^ lastDifference) >>> 31;
        lastPlain = plain;
        lastDifference = difference;
        // The run goes on as `plain` (the same index), or as the transparent index alone
        // (toClear: the run and the pixel both allow it, and not the same index), or a
        // fresh one starts as `plain`, allowing the transparent index too where the pixel does.
        const allowsClear = difference >>> 31;
        const other = nonZero(plain ^ own);
        const toClear = hasTi & allowsClear & other;
        const fresh = other - toClear;
        mixedRuns += fresh;
        own = plain | -toClear;
        hasTi = allowsClear & (hasTi | fresh);
      }
    }
    needsTransparency = drawnPixels < rw * (y1 - y0 + 1);
  } else {
    // Whether every pixel of the run allows the transparent index besides `own` (1) or not
    // (0); with own -1 the run is that index, and this stays 0.
    let orTransparent = 0;
    for (let y = y0, q = 0; y <= y1; y++) {
      for (let p = y * width + x0, end = p + rw; p < end; p++, q++) {
        const t = target[p];
        let plain = -1;
        let difference = -1;
        if (t === 0) needsTransparency = true;
        else {
          plain = indices[p];
          if (comparesWithCanvas && t === base[p]) unchanged++;
          else {
            difference = plain;
            changedUses[plain + 1] = 1;
          }
          if (countAll) counts[plain]++;
        }
        if (mark >= 0) candidate[q] = difference < 0 ? mark : difference;
        if (plain !== lastPlain) plainRuns++;
        if (difference !== lastDifference) {
          differenceRuns++;
          flips += (difference ^ lastDifference) >>> 31;
        }
        lastPlain = plain;
        lastDifference = difference;
        if (plain === own) {
          if (difference !== -1) orTransparent = 0;
        } else if ((orTransparent === 1 || own === -1) && difference === -1) {
          own = -1;
          orTransparent = 0;
        } else {
          mixedRuns++;
          own = plain;
          orTransparent = plain !== -1 && difference === -1 ? 1 : 0;
        }
      }
    }
  }
  out.needsTransparency = needsTransparency;
  out.unchanged = unchanged;
  out.plainRuns = plainRuns;
  out.differenceRuns = differenceRuns;
  out.flips = flips;
  out.mixedRuns = mixedRuns;
}

/** 1 when `x` (an int32) is not 0, else 0, without a branch. */
function nonZero(x: number): number {
  return (x | -x) >>> 31;
}

/**
 * The frame's third encoding, into `out` (a row of the rectangle after another): each
 * unchanged pixel written as its own index or as `ti`, whichever lets the run of equal
 * indices it sits in go on, so a speck of unchanged pixels inside a changed area no longer
 * breaks that area's run, nor a changed speck a transparent one. Returns its runs.
 *
 * A run is extended while one index is allowed at every pixel of it (its own at a changed
 * pixel, `ti` at a transparent one, either at an unchanged one), which gives the fewest
 * runs any choice can: a run may always be cut shorter, so a longer first run never makes
 * the rest need more. A run that allows either (unchanged pixels of one index) is written
 * transparent, as the second encoding writes it. Written as its index instead (gifsicle's
 * choice for a stretch of one colour), undithered output came out 0.4% smaller in all (the
 * corpus's 22 GIFs and 4 of its videos at k = 16) but Floyd–Steinberg's 2% larger, where
 * the unchanged stretches around it are transparent.
 *
 * `remap` is the index each palette index is written as (the identity unless a colour was
 * given up); no changed pixel is written as `ti`.
 */
export function mixRect(target: Uint32Array, base: Uint32Array, indices: Uint8Array, remap: Uint8Array, width: number, rect: Int32Array, ti: number, out: Uint8Array): number {
  const x0 = rect[0];
  const y0 = rect[1];
  const x1 = rect[2];
  const y1 = rect[3];
  const rw = x1 - x0 + 1;
  // The current run: an index every pixel of it allows, and whether all allow `ti` as well.
  let own = -1;
  let orTransparent = false;
  let start = 0;
  let runs = 0;
  let q = 0;
  for (let y = y0; y <= y1; y++) {
    for (let p = y * width + x0, end = p + rw; p < end; p++, q++) {
      const t = target[p];
      const index = t === 0 ? ti : remap[indices[p]];
      // Whether the pixel may be written as `ti`: transparent, or unchanged.
      const clearable = t === 0 || t === base[p];
      if (index === own) {
        if (!clearable) orTransparent = false;
      } else if ((orTransparent || own === ti) && clearable) {
        own = ti;
        orTransparent = false;
      } else {
        fillRun(out, orTransparent ? ti : own, start, q);
        start = q;
        runs++;
        own = index;
        orTransparent = clearable && t !== 0;
      }
    }
  }
  fillRun(out, orTransparent ? ti : own, start, q);
  return runs;
}

/**
 * Writes `index` over `out`'s [from, to). A call to fill costs about 24 ns, a store in a loop
 * 1 to 2 ns a pixel (Node 20, runs of 8: 3 ns a pixel filled, 1.6 looped; of 40: 0.6 and
 * 1.0), so runs up to 24 pixels are looped.
 */
function fillRun(out: Uint8Array, index: number, from: number, to: number): void {
  if (to - from > 24) out.fill(index, from, to);
  else for (let q = from; q < to; q++) out[q] = index;
}

/**
 * The frame's indices over the rectangle `rect` (x0, y0, x1, y1, inclusive), transparent
 * pixels (0 in `target`) as `ti` (-1: the rectangle has none) and indices through `remap`
 * when a colour was given up (`remapped`), into `out`. Without either, full-width rows are a
 * view of `indices` itself and narrower ones a row copy.
 */
export function plainRect(target: Uint32Array, indices: Uint8Array, remap: Uint8Array, width: number, rect: Int32Array, ti: number, remapped: boolean, out: Uint8Array): Uint8Array {
  const rx0 = rect[0];
  const ry0 = rect[1];
  const rw = rect[2] - rx0 + 1;
  const rh = rect[3] - ry0 + 1;
  if (ti < 0 && !remapped) {
    if (rw === width) return indices.subarray(ry0 * width, (ry0 + rh) * width);
    for (let y = 0; y < rh; y++) {
      const from = (ry0 + y) * width + rx0;
      out.set(indices.subarray(from, from + rw), y * rw);
    }
    return out.subarray(0, rw * rh);
  }
  for (let y = ry0, q = 0; y < ry0 + rh; y++) {
    for (let p = y * width + rx0, end = p + rw; p < end; p++, q++) {
      out[q] = target[p] === 0 ? ti : remap[indices[p]];
    }
  }
  return out.subarray(0, rw * rh);
}
