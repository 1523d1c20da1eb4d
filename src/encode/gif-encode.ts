/**
 * IndexedFrame -> GIF bytes, with gifenc doing the LZW and block layout.
 *
 * What this module adds around gifenc:
 * - each frame's own palette: the first frame's becomes the global table, and a later frame
 *   whose table is the same writes no local one;
 * - delays kept to the centisecond, with rounding error carried forward so fractional video
 *   delays (33.33 ms) keep the clip's total duration instead of drifting;
 * - transparency: a palette slot is added for transparent pixels;
 * - frame differencing: each frame is cropped to the rectangle that changed and pixels equal
 *   to what is already on screen are written as transparent (disposal 1, "leave in place"),
 *   whichever of "transparent", "repeat the colour" or a mix of the two pixel by pixel
 *   gives the smaller LZW stream;
 * - a frame that repeats the one before it outside a changed range (same palette, same
 *   indices and transparency there) copies that part of its canvas pixels instead of looking
 *   them up again;
 * - frames in which a pixel becomes transparent: the previous frame is held back until the
 *   next one arrives, so it can be given disposal 2 ("restore to background", which
 *   browsers and this project's decoder treat as transparent) over the area that must clear.
 *
 * gifenc always writes the image descriptor at (0,0) and has no offset option, so cropped
 * frames are encoded at their own size and the descriptor's left/top fields are set in the
 * bytes gifenc produced (they sit at a fixed place after the graphic control extension).
 *
 * Pure: no node: imports, so it runs in a browser or worker too.
 */
// gifenc ships no type declarations, so it is imported whole and typed below.
// @ts-ignore -- untyped module
import gifencModule from 'gifenc';
import { checkIndexedFrame, invalidOption, namesOf, refuseUnknownKeys, requireFlag, requireInRange, requireObject } from '../errors.js';
import { firstDifference, lastDifference, sameColors } from '../pixel-words.js';
import { findChangedBox, findClearBox, OPAQUE } from './canvas-boxes.js';
import { mixRect, NOISY_FLIPS, plainRect, scanRect, type RectScan } from './scan-rect.js';
import { chooseTransparentIndex } from './transparent-index.js';
import { createGifDelays, MAX_GIF_LOOP_COUNT } from '../timing.js';
import type { IndexedFrame } from '../types.js';

interface GifencWriteOptions {
  palette?: number[][] | null;
  delay?: number;
  repeat?: number;
  transparent?: boolean;
  transparentIndex?: number;
  colorDepth?: number;
  dispose?: number;
  first?: boolean;
}
interface GifencEncoder {
  reset(): void;
  finish(): void;
  bytesView(): Uint8Array;
  writeFrame(index: Uint8Array, width: number, height: number, opts: GifencWriteOptions): void;
}
type GifencFactory = (opts?: { auto?: boolean; initialCapacity?: number }) => GifencEncoder;

// Node's loader gives the CommonJS exports object; bundlers that follow the "module" field
// give the ESM build, whose default export is GIFEncoder itself.
const gifenc = gifencModule as GifencFactory | { GIFEncoder: GifencFactory };
const GIFEncoder: GifencFactory = typeof gifenc === 'function' ? gifenc : gifenc.GIFEncoder;

export interface GifEncoderOptions {
  /** Canvas size in pixels, 1..65535. Every frame must have this size. */
  width: number;
  height: number;
  /** NETSCAPE loop count: 0 = forever, n = n extra plays; undefined = no loop extension (plays once). */
  loopCount?: number;
  /** Crop frames to the changed area and write unchanged pixels as transparent. Default true. */
  differencing?: boolean;
  /**
   * Later frames may clear pixels the first leaves opaque (ClipInfo.mayTurnTransparent): the
   * first frame then carries a transparent index too, where it has a free slot, even if no
   * pixel of it uses one. Pillow reads every frame after an opaque first one as RGB, so the
   * areas a disposal 2 clears showed black there (dispose2.gif), while browsers, ffmpeg and
   * ImageMagick showed them clear.
   */
  mayTurnTransparent?: boolean;
}

const GIF_ENCODER_NAMES: readonly string[] = namesOf<GifEncoderOptions>({ width: true, height: true, loopCount: true, differencing: true, mayTurnTransparent: true });

export interface GifEncoder {
  /** Queue the next frame. The frame's buffers are copied, so the caller may reuse them. */
  addFrame(frame: IndexedFrame): void;
  /** Write the held-back frame and the trailer; returns every byte not yet taken by `takeBytes` (the whole file if it never was). */
  finish(): Uint8Array;
  /** Bytes encoded so far and not yet taken, so a large GIF can be streamed to disk. */
  takeBytes(): Uint8Array;
  /** The frames (0-based) shown longer than a GIF frame can be, whose delays were cut to 655.35 s. */
  readonly cutFrames: readonly number[];
}

/** Lookup value for a palette index out of range; never a packed colour. */
const OUT_OF_RANGE = 0x80000000;
/**
 * A 256-colour frame gives up its least-used colour for a transparent index when at least
 * this share of its rectangle is unchanged (see flushPending).
 */
const MOSTLY_UNCHANGED = 0.6;
/**
 * Which of a frame's two encodings (unchanged pixels repeated, or written as transparent)
 * LZW packs smaller follows which has fewer runs of equal indices, so only when their run
 * counts are within this fraction of each other are both encoded and the smaller kept.
 * Measured on the 30 bench clips at k = 16 (2,939 frames with both candidates, both
 * encoded): the fewer runs were the smaller encoding on 92% of frames; with a margin of
 * 0.1 the files come out 0.07% above always keeping the smaller (no clip more than 0.4%),
 * with 1.15 encodings a frame. Choosing by the share of unchanged pixels instead makes
 * them 3.7% larger, up to 15% on a clip (video noise scatters unchanged pixels, and
 * transparent specks break up the runs), with 1.22 encodings a frame.
 */
const RUNS_MARGIN = 0.1;

/**
 * The index standing for the transparent one in a frame's second encoding as scanRect writes
 * it: the slot after the frame's `size` colours, which no pixel uses; none (-1) in a full 256.
 */
function candidateMark(size: number): number {
  return size < 256 ? size : -1;
}

/** Graphic control extension (8 bytes) then the image separator; left/top follow it. */
const DESCRIPTOR_XY_OFFSET = 8 + 1;

/** Refuses a canvas size or loop count a GIF cannot hold: what createGifEncoder checks, for a caller that must know before it creates a file or a thread. */
export function checkGifEncoderOptions(options: GifEncoderOptions): void {
  const { width, height, loopCount } = requireObject('options', '{ width: 320, height: 240 }', options);
  refuseUnknownKeys('createGifEncoder', options, GIF_ENCODER_NAMES);
  requireInRange('width', width, 1, 65535, 'an integer');
  requireInRange('height', height, 1, 65535, 'an integer');
  if (loopCount !== undefined && (!Number.isInteger(loopCount) || loopCount < 0 || loopCount > MAX_GIF_LOOP_COUNT)) {
    throw invalidOption('loopCount', `an integer from 0 to ${MAX_GIF_LOOP_COUNT}`, loopCount);
  }
  requireFlag('differencing', options.differencing);
  requireFlag('mayTurnTransparent', options.mayTurnTransparent);
}

/**
 * Creates a streaming GIF encoder.
 *
 * Transparency and full tables: transparent pixels use palette index `size` (the slot after
 * the frame's colours). When a frame has 256 colours, or after the first frame a full
 * power-of-two table (2, 4, 8, 16, ...), an index that no changed pixel of the frame uses is
 * borrowed instead (transparent-index.ts); if 256 are in use and the frame has
 * transparent pixels, the least-used colour is dropped (its pixels are drawn with the nearest
 * remaining palette colour) and its slot becomes the transparent one: a GIF frame with
 * transparency holds 255 colours at most. The pipeline leaves this to the encoder so other
 * outputs (video, PNG) keep all 256. Differencing drops a colour the same way only when
 * most of the frame's rectangle is unchanged; otherwise a 256-colour frame with no free
 * slot is just cropped.
 */
export function createGifEncoder(opts: GifEncoderOptions): GifEncoder {
  checkGifEncoderOptions(opts);
  const { width, height, loopCount } = opts;
  const differencing = opts.differencing ?? true;
  const n = width * height;

  // The canvas as the decoder will see it just before the held-back frame is drawn.
  let base = new Uint32Array(n);
  // The held-back frame as it should look, and the incoming frame. The three canvas-sized
  // buffers rotate: the held-back frame becomes the canvas once written, the old canvas takes input.
  let pendingTarget = new Uint32Array(n);
  let incoming = new Uint32Array(n);
  const pendingIndices = new Uint8Array(n);
  // The held-back frame's transparency mask as given (a copy), when it had one; allocated
  // with the first mask (most clips have none).
  let pendingMask: Uint8Array | null = null;
  let pendingMasked = false;
  const pendingPalette = new Uint8Array(256 * 3);
  let pendingSize = 0;
  let pendingDelayMs = 0;
  let hasPending = false;
  let pendingHasTransparency = false;
  let framesWritten = 0;
  // Rows (first and last) where the held-back frame can differ from the canvas under it: those
  // of the pixels it did not copy from the frame before it (see addFrame), and those where
  // writing that frame left the canvas other than the frame (cleared, or a colour dropped).
  // Outside them the two are the same, so the search for what changed skips them.
  let pendingRow0 = 0;
  let pendingRow1 = height - 1;
  let canvasRow0 = height;
  let canvasRow1 = -1;
  // Transparency of the first frame, kept so the last frame can clear the canvas before a loop restarts.
  let firstMask: Uint8Array | null = null;

  // Scratch reused for every frame.
  const rectIndices = new Uint8Array(n);
  // Bounding boxes (x0, y0, x1, y1) of changed pixels and of pixels the next frame needs cleared.
  const box = new Int32Array(4);
  const clearBox = new Int32Array(4);
  // The rectangle the held-back frame is written over (chooseRect), and what one pass over it found (scanRect).
  const rect = new Int32Array(4);
  const scan: RectScan = { needsTransparency: false, unchanged: 0, plainRuns: 0, differenceRuns: 0, mixedRuns: 0, flips: 0 };
  // Whether scanRect takes its loop without branches (from the frame before: see NOISY_FLIPS).
  let noisyScans = false;
  const candidate = new Uint8Array(n);
  const lut = new Uint32Array(256);
  // How often each index is drawn (for a colour to give up, in a full 256), and whether any
  // changed pixel uses it (an unused one is a free transparent index).
  const counts = new Uint32Array(256);
  // (Index i's flag is at i + 1: slot 0 is scratch, for the pixels that use none.)
  const changedUses = new Uint8Array(257);
  const remap = new Uint8Array(256);
  const palettePool: number[][] = Array.from({ length: 256 }, () => [0, 0, 0]);
  const paletteList: number[][] = [];
  // Two gifenc instances: `head` writes the header, screen descriptor, global table and loop
  // extension with the first frame; `body` encodes later frames one at a time (manual mode,
  // reset per frame) so their bytes can be compared and patched before they are kept.
  const head = GIFEncoder({ auto: true });
  const body = GIFEncoder({ auto: false, initialCapacity: 1 << 16 });

  // The first frame's palette, written as the global colour table.
  const globalPalette = new Uint8Array(256 * 3);
  let globalSize = 0;
  let globalEntries = 0;

  const chunks: Uint8Array[] = [];
  const gifDelays = createGifDelays();
  const cutFrames: number[] = [];
  let finished = false;

  function addFrame(frame: IndexedFrame): void {
    if (finished) throw new Error('createGifEncoder: addFrame after finish');
    checkIndexedFrame(frame, width, height);
    const { indices, palette, size, transparent } = frame;
    // Size 0 is a frame with no opaque pixel (a clip that starts from a clear canvas): every
    // pixel must then be transparent, which the index check below enforces.
    for (let i = 0, j = 0; i < size; i++, j += 3) lut[i] = OPAQUE | (palette[j] << 16) | (palette[j + 1] << 8) | palette[j + 2];
    // Indices at or above `size` map to a flag bit that is OR-ed up and checked once after the
    // loop: cheaper than a compare and branch on every pixel.
    lut.fill(OUT_OF_RANGE, size);
    const target = incoming;
    // Pixels [from, to) are looked up; the rest repeat the held-back frame (its indices and
    // transparency, under the same palette): a GIF that redraws a small part of its canvas
    // copies most of it (animated_gif.gif: a fifth of the rows looked up).
    let from = 0;
    let to = n;
    if (hasPending && size === pendingSize && (transparent === null) === !pendingMasked && sameColors(palette, pendingPalette, size)) {
      from = Math.min(firstDifference(indices, pendingIndices, n), transparent === null ? n : firstDifference(transparent, pendingMask!, n));
      to = Math.max(lastDifference(indices, pendingIndices, n), transparent === null ? 0 : lastDifference(transparent, pendingMask!, n));
      if (to < from) to = from;
      target.set(pendingTarget.subarray(0, from));
      target.set(pendingTarget.subarray(to), to);
    }
    let anyTransparent = false;
    let seen = 0;
    // Two loops rather than a branch on `transparent` per pixel.
    if (transparent) {
      for (let p = from; p < to; p++) {
        if (transparent[p]) {
          target[p] = 0;
          anyTransparent = true;
        } else {
          const c = lut[indices[p]];
          seen |= c;
          target[p] = c;
        }
      }
      // Copied pixels may be transparent too.
      if (!anyTransparent && (from > 0 || to < n)) anyTransparent = target.indexOf(0) >= 0;
    } else {
      for (let p = from; p < to; p++) {
        const c = lut[indices[p]];
        seen |= c;
        target[p] = c;
      }
    }
    if ((seen & OUT_OF_RANGE) !== 0) {
      let p = 0;
      while ((transparent && transparent[p]) || indices[p] < size) p++;
      throw new RangeError(`palette index ${indices[p]} at pixel ${p} is not below size ${size}`);
    }
    // The rows of the pixels looked up: outside them this frame is the held-back one.
    const row0 = from < to ? Math.floor(from / width) : height;
    const row1 = from < to ? Math.floor((to - 1) / width) : -1;
    if (hasPending) flushPending(target, anyTransparent, row0, row1);
    else if (anyTransparent && loopCount !== undefined) {
      firstMask = new Uint8Array(n);
      for (let p = 0; p < n; p++) firstMask[p] = target[p] === 0 ? 1 : 0;
    }
    incoming = pendingTarget;
    pendingTarget = target;
    pendingIndices.set(indices.subarray(0, n));
    pendingMasked = transparent !== null;
    if (transparent !== null) (pendingMask ??= new Uint8Array(n)).set(transparent.subarray(0, n));
    pendingPalette.set(palette.subarray(0, size * 3));
    pendingSize = size;
    pendingHasTransparency = anyTransparent;
    pendingDelayMs = frame.delayMs;
    pendingRow0 = row0;
    pendingRow1 = row1;
    hasPending = true;
  }

  /**
   * Writes the held-back frame now that the frame after it (`next`, or null at the end) is
   * known: if `next` makes a drawn pixel transparent, the held-back frame gets disposal 2
   * over a rectangle that covers those pixels. `nextHasTransparency` says whether `next` has
   * any transparent pixel, so the common opaque case skips that search; outside rows
   * `nextRow0` to `nextRow1`, `next` is the held-back frame.
   */
  function flushPending(next: Uint32Array | null, nextHasTransparency: boolean, nextRow0: number, nextRow1: number): void {
    const target = pendingTarget;
    const first = framesWritten === 0;
    const mustClear = next !== null && nextHasTransparency && findClearBox(target, next, width, height, nextRow0, nextRow1, clearBox);
    chooseRect(first, mustClear);
    const [rx0, ry0, rx1, ry1] = rect;
    const rw = rx1 - rx0 + 1;
    const rh = ry1 - ry0 + 1;
    const size = pendingSize;
    const comparesWithCanvas = differencing && !first;
    // A full power-of-two table (k = 16, 32, 64, ...) would double in size for a transparent
    // index of its own (every LZW code one bit wider): on later frames an entry no changed
    // pixel uses is looked for first, so the uses are counted for those too. Not on the
    // first: its table becomes the global one, and with the transparent index appended
    // (size, padded to a power of two) later frames that need one can still use it instead
    // of a local table each.
    const fullTable = size > 1 && (size & (size - 1)) === 0;
    const countUses = size === 256 || (fullTable && !first && (pendingHasTransparency || comparesWithCanvas || mustClear));
    if (pendingHasTransparency || countUses || comparesWithCanvas) {
      changedUses.fill(0);
      const countAll = countUses && size === 256;
      if (countAll) counts.fill(0);
      const input = { target: pendingTarget, base, indices: pendingIndices, width, rect, comparesWithCanvas, mark: comparesWithCanvas ? candidateMark(size) : -1, candidate, changedUses, counts: countAll ? counts : null };
      scanRect(input, noisyScans, scan);
      if (comparesWithCanvas) noisyScans = scan.flips > NOISY_FLIPS * rw * rh;
    } else {
      // An opaque first frame with a free slot needs nothing the pass finds.
      scan.needsTransparency = false;
      scan.unchanged = scan.plainRuns = scan.differenceRuns = scan.mixedRuns = scan.flips = 0;
    }
    const { needsTransparency, unchanged } = scan;
    const anyUnchanged = unchanged > 0;
    // A frame disposed of with method 2 carries a transparent index even if none of its
    // pixels uses it: browsers clear such a frame's area to transparent regardless, but
    // ffmpeg and PIL clear it to the background colour unless the frame has one.
    // A first frame carries one too when later frames may clear pixels (mayTurnTransparent),
    // and when its colours fill a table of a power of two and frames follow that are written
    // over it (differencing), at the cost of a table twice the size: it becomes the global
    // table, where a later frame of the same colours that needs a transparent index finds
    // one, instead of carrying a local table of that doubled size each (the README's GIF
    // output section has the measurements).
    const spareForLater = first && (opts.mayTurnTransparent === true || (differencing && next !== null && fullTable && size < 256));
    const wantsTransparency = needsTransparency || mustClear || (comparesWithCanvas && anyUnchanged) || spareForLater;
    const mostlyUnchanged = comparesWithCanvas && unchanged >= MOSTLY_UNCHANGED * rw * rh;
    const { ti, paletteLength, remapped } = chooseTransparentIndex(size, wantsTransparency, countUses, needsTransparency || mustClear || mostlyUnchanged, { target, indices: pendingIndices, palette: pendingPalette, width, rect, changedUses, counts, remap });
    paletteList.length = paletteLength;
    for (let i = 0, j = 0; i < paletteLength; i++, j += 3) {
      const entry = palettePool[i];
      entry[0] = i < size ? pendingPalette[j] : 0;
      entry[1] = i < size ? pendingPalette[j + 1] : 0;
      entry[2] = i < size ? pendingPalette[j + 2] : 0;
      paletteList[i] = entry;
    }
    const colorDepth = Math.max(1, Math.ceil(Math.log2(paletteLength)));
    // A frame whose colours are those of the global table (stable palettes from seeded k-means)
    // refers to it instead of repeating up to 768 bytes of local table.
    const useGlobal = !first && sameAsGlobal(paletteLength, size);
    if (!useGlobal && ti >= 0 && isGreyRamp(paletteList, colorDepth)) {
      // A table whose entry i is (i, i, i) throughout, as a video's first dark frames can
      // give (black and 1,1,1), is taken by Pillow (until a fix of 2025) for no palette at all, and
      // with a transparent index it then stops with "image has no palette", frames short
      // (imageio and moviepy read GIFs through it). The transparent entry's colour is never
      // shown, and a local table is this frame's alone: a colour off the ramp there breaks it.
      palettePool[ti][0] = 255;
      palettePool[ti][1] = 0;
      palettePool[ti][2] = 255;
    }
    const gce: GifencWriteOptions = {
      palette: useGlobal ? null : paletteList,
      delay: nextDelayCs(pendingDelayMs) * 10,
      repeat: loopCount ?? -1,
      transparent: ti >= 0,
      transparentIndex: ti >= 0 ? ti : 0,
      colorDepth,
      dispose: mustClear ? 2 : 1,
    };
    const plainIndices = () => plainRect(target, pendingIndices, remap, width, rect, needsTransparency ? ti : -1, remapped, rectIndices);

    if (first) {
      globalEntries = 1 << colorDepth; // gifenc pads the table to a power of two
      globalPalette.set(pendingPalette.subarray(0, size * 3));
      globalSize = size;
      head.writeFrame(plainIndices(), width, height, gce);
      chunks.push(head.bytesView().slice());
      head.reset();
    } else {
      chunks.push(smallerEncoding(plainIndices, comparesWithCanvas && ti >= 0 && anyUnchanged ? ti : -1, gce));
    }
    framesWritten++;

    // What the decoder's canvas holds once this frame is shown and disposed of: the held-back
    // frame itself, so the buffers swap instead of copying; its old buffer is reused for input.
    const previousBase = base;
    base = target;
    pendingTarget = previousBase;
    if (mustClear) {
      for (let y = ry0; y <= ry1; y++) base.fill(0, y * width + rx0, y * width + rx0 + rw);
    }
    // A colour given up for the transparent index (transparent-index.ts) redrew some of the frame's pixels inside the rectangle.
    canvasRow0 = mustClear || remapped ? ry0 : height;
    canvasRow1 = mustClear || remapped ? ry1 : -1;
    hasPending = false;
  }

  /**
   * The rectangle (x0, y0, x1, y1) the held-back frame is written over, into `rect`: the whole
   * canvas for the first frame or without differencing, else what changed, grown to what the
   * next frame needs cleared.
   */
  function chooseRect(first: boolean, mustClear: boolean): void {
    if (first || !differencing) {
      rect[0] = 0; rect[1] = 0; rect[2] = width - 1; rect[3] = height - 1;
      return;
    }
    findChangedBox(pendingTarget, base, width, height, Math.min(pendingRow0, canvasRow0), Math.max(pendingRow1, canvasRow1), box);
    rect.set(box);
    if (mustClear) {
      rect[0] = Math.min(rect[0], clearBox[0]); rect[1] = Math.min(rect[1], clearBox[1]);
      rect[2] = Math.max(rect[2], clearBox[2]); rect[3] = Math.max(rect[3], clearBox[3]);
    }
    // Nothing changed and nothing to clear: a GIF frame still needs one pixel; it will be transparent.
    if (rect[2] < 0) rect.fill(0);
  }

  /**
   * A later frame's bytes: candidate 1 repeats the colour of unchanged pixels; candidate 2
   * (when `ti` >= 0) writes them as transparent. Long transparent runs usually compress
   * better, but transparent specks scattered through video noise break up runs and come out
   * larger. LZW is the costly step, so both are encoded (and the smaller kept) only when
   * their runs of equal indices are about as many; otherwise the one with clearly fewer runs
   * is written. Candidate 3 (mixRect) picks between the two pixel by pixel, for the fewest
   * runs; it is encoded too when it has clearly fewer runs than either, and kept when
   * smaller: fewer runs alone do not make it so, as mixing a changed area's index into
   * unchanged pixels can break strings LZW had found in the frames' transparent areas.
   * (Not trying it where runs are short throughout, one every five pixels or more, saved
   * undithered frames most of their encodings of it that lost, but took away more than
   * half of what it saves Floyd–Steinberg output: 2.2% of it in all, 0.08% left.)
   */
  function smallerEncoding(plainIndices: () => Uint8Array, ti: number, gce: GifencWriteOptions): Uint8Array {
    const target = pendingTarget;
    const [rx0, ry0, rx1, ry1] = rect;
    const rw = rx1 - rx0 + 1;
    const rh = ry1 - ry0 + 1;
    const runRatio = (scan.differenceRuns + 1) / (scan.plainRuns + 1);
    let best: Uint8Array | null = ti >= 0 && runRatio < 1 - RUNS_MARGIN ? null : encodeBody(plainIndices(), rx0, ry0, rw, rh, gce);
    if (ti >= 0 && (best === null || runRatio <= 1 + RUNS_MARGIN)) {
      // Here the frame was compared with the canvas, so scanRect wrote the candidate, the
      // transparent index as `mark` (the slot after the colours, unless a free one was
      // found); not in a full 256, where a colour may be given up.
      const mark = candidateMark(pendingSize);
      if (mark >= 0) {
        if (ti !== mark) for (let q = 0; q < rw * rh; q++) if (candidate[q] === mark) candidate[q] = ti;
      } else {
        for (let y = ry0, q = 0; y <= ry1; y++) {
          for (let p = y * width + rx0, end = p + rw; p < end; p++, q++) {
            const t = target[p];
            candidate[q] = t === 0 || t === base[p] ? ti : remap[pendingIndices[p]];
          }
        }
      }
      const alt = encodeBody(candidate, rx0, ry0, rw, rh, gce);
      if (best === null || alt.length < best.length) best = alt;
    }
    if (ti >= 0 && scan.mixedRuns < (1 - RUNS_MARGIN) * Math.min(scan.plainRuns, scan.differenceRuns)) {
      // Into plainRect's buffer, which the plain encoding, if made, no longer needs.
      mixRect(target, base, pendingIndices, remap, width, rect, ti, rectIndices);
      const alt = encodeBody(rectIndices, rx0, ry0, rw, rh, gce);
      if (alt.length < best!.length) best = alt;
    }
    return best!;
  }

  /** True when the first `size` colours equal the global table's and every index used (including a transparent slot) exists in it. */
  function sameAsGlobal(paletteLength: number, size: number): boolean {
    return paletteLength <= globalEntries && size <= globalSize && sameColors(pendingPalette, globalPalette, size);
  }

  function encodeBody(indices: Uint8Array, x: number, y: number, w: number, h: number, gce: GifencWriteOptions): Uint8Array {
    body.reset();
    body.writeFrame(indices.subarray(0, w * h), w, h, { ...gce, first: false });
    const bytes = body.bytesView().slice();
    bytes[DESCRIPTOR_XY_OFFSET] = x & 0xff;
    bytes[DESCRIPTOR_XY_OFFSET + 1] = x >>> 8;
    bytes[DESCRIPTOR_XY_OFFSET + 2] = y & 0xff;
    bytes[DESCRIPTOR_XY_OFFSET + 3] = y >>> 8;
    return bytes;
  }

  /** Centiseconds for the next frame (see createGifDelays), noting a delay cut to what a GIF holds. */
  function nextDelayCs(delayMs: number): number {
    const { cs, cut } = gifDelays(delayMs);
    if (cut) cutFrames.push(framesWritten);
    return cs;
  }

  function takeBytes(): Uint8Array {
    if (chunks.length === 1) return chunks.pop() as Uint8Array;
    let total = 0;
    for (const c of chunks) total += c.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    chunks.length = 0;
    return out;
  }

  function finish(): Uint8Array {
    if (finished) throw new Error('createGifEncoder: finish called twice');
    if (!hasPending) throw new RangeError('a GIF needs at least one frame');
    let next: Uint32Array | null = null;
    if (firstMask !== null && framesWritten > 0) {
      // Looping back to a first frame with transparent pixels: players that do not reset the
      // canvas at the loop would show the last frame through them, so clear those pixels.
      next = incoming;
      for (let p = 0; p < n; p++) next[p] = firstMask[p] ? 0 : OPAQUE;
    }
    flushPending(next, next !== null, 0, height - 1);
    chunks.push(Uint8Array.of(0x3b)); // trailer
    finished = true;
    return takeBytes();
  }

  return { addFrame, finish, takeBytes, cutFrames };
}

/** Whether the table as written (padded with black to 2^depth entries) has (i, i, i) at every entry i. */
function isGreyRamp(entries: readonly (readonly number[])[], depth: number): boolean {
  const padded = 1 << depth;
  if (entries.length !== padded) return false; // a black pad entry (past entry 0, as depth >= 1) is off the ramp
  for (let i = 0; i < padded; i++) {
    const [r, g, b] = entries[i];
    if (r !== i || g !== i || b !== i) return false;
  }
  return true;
}
