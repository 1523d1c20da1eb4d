/**
 * GIF bytes -> full-canvas RGBA frames, composited the way browsers show them.
 *
 * The block structure is walked by gif-structure.ts, each frame's LZW data is checked and
 * repacked by lzw-repack.ts, and omggif decodes the pixels. This file does the compositing:
 * clipping to the canvas, transparency, interlacing and disposal. Frames are produced one
 * at a time; only the canvas (plus one saved copy for disposal 3) is kept between them.
 *
 * Pure: no node: imports, no console.
 */
import { mayTurnClear, type FrameCover } from './canvas-holes.js';
import omggif from 'omggif';
import { ChromaseedError, inputError, isBytes, namesOf, refuseUnknownKeys } from '../errors.js';
import { MAX_GIF_FPS, rateForDelays } from '../timing.js';
import type { ChangedBox, ClipInfo, Frame, TimedFrame } from '../types.js';
import { createFramePool, type FramePool } from '../frame-pool.js';
import { createFrameRepacker, type LzwStop } from './lzw-repack.js';
import {
  framePixelsError, parseGifStructure, resolveGifLimits,
  type GifFrameRecord, type GifLimits,
} from './gif-structure.js';

export { isGif, type GifLimits } from './gif-structure.js';

const GIF_LIMIT_NAMES: readonly string[] = namesOf<GifLimits>({ maxPixels: true, maxFrames: true });

export interface DecodedGif {
  /** width, height, loopCount (0 = forever, undefined = no loop block), exact frameCount, fps for video output. */
  readonly info: ClipInfo;
  /** Each frame's delay in milliseconds (centiseconds × 10), known before any is decoded. */
  readonly delaysMs: readonly number[];
  /**
   * Composited frames in order. Each call starts again from the first frame; each yielded
   * frame owns its data until it is handed back with `release`. Throws ChromaseedError
   * ('ERR_LIMIT') if a frame needs more pixels than allowed.
   */
  frames(): Generator<TimedFrame>;
  /**
   * Hands back a frame whose pixels its reader no longer looks at: a later frame (of any
   * pass) is drawn into its buffer instead of a new one. A buffer of another size, or one
   * already handed back, is ignored.
   */
  release(frame: Frame): void;
  /**
   * Damage that was tolerated, one line each (`file: frame N: ...`). Structural damage is
   * listed at once; pixel-data damage is added as frames() reaches it.
   */
  readonly warnings: string[];
  /**
   * Whether any frame, the first included, may have transparent pixels: one with a
   * transparent index or off the canvas's edges, or a disposal that clears (see
   * TimedClip.mayHaveTransparency).
   */
  readonly mayHaveTransparency: boolean;
}

/** Disposal 4 is written by some encoders for "restore to previous"; browsers honour it. */
const RESTORE_PREVIOUS = (d: number): boolean => d === 3 || d === 4;

/**
 * Parses `bytes` as a GIF. Structure errors (not a GIF, no frame, a limit exceeded) are
 * thrown here; damage after the first frame keeps the frames before it. `name` is used in
 * messages only.
 */
export function decodeGif(bytes: Uint8Array, name: string, limits?: Partial<GifLimits>): DecodedGif {
  if (!isBytes(bytes)) throw new ChromaseedError('ERR_INPUT', `${name}: decodeGif takes the file's bytes (a Uint8Array or Buffer), not ${typeof bytes === 'string' ? 'a string' : String(bytes)}`);
  refuseUnknownKeys('decodeGif', limits, GIF_LIMIT_NAMES);
  const resolved = resolveGifLimits(limits);
  const structure = parseGifStructure(bytes, name, resolved);
  const { width, height, frames } = structure;
  const warnings = [...structure.warnings];
  const delaysMs = frames.map((f) => f.delayCs * 10);
  const info: ClipInfo = {
    width,
    height,
    frameCount: frames.length,
    fps: rateForDelays(delaysMs, MAX_GIF_FPS, true),
    gifDelays: true,
    ...(structure.loopCount !== undefined ? { loopCount: structure.loopCount } : {}),
    ...(mayTurnClear(covers(frames), width, height) ? { mayTurnTransparent: true } : {}),
  };
  // Buffers handed back, for the next frames (see frame-pool.ts).
  const pool = createFramePool(width * height * 4);
  return {
    info,
    delaysMs,
    warnings,
    mayHaveTransparency: frames.some((fr) => fr.transparentIndex >= 0 || fr.disposal === 2 || RESTORE_PREVIOUS(fr.disposal)) || !coversCanvas(frames[0], width, height),
    frames: () => compositeFrames(bytes, name, width, height, frames, resolved, warnings, pool),
    release: pool.release,
  };
}

/** Whether `fr` paints every pixel of the canvas (its transparent index aside). */
function coversCanvas(fr: GifFrameRecord, width: number, height: number): boolean {
  return fr.x === 0 && fr.y === 0 && fr.width >= width && fr.height >= height;
}

/** How each frame covers the canvas, for mayTurnClear. */
function* covers(frames: readonly GifFrameRecord[]): Generator<FrameCover> {
  for (const fr of frames) {
    yield {
      x0: fr.x, y0: fr.y, x1: fr.x + fr.width, y1: fr.y + fr.height,
      opaque: fr.transparentIndex < 0,
      clearsItself: false,
      after: fr.disposal === 2 ? 'clear' : RESTORE_PREVIOUS(fr.disposal) ? 'restore' : 'keep',
    };
  }
}

function* compositeFrames(
  bytes: Uint8Array, name: string, width: number, height: number,
  frames: readonly GifFrameRecord[], limits: GifLimits, warnings: string[], pool: FramePool,
): Generator<TimedFrame> {
  const canvasBytes = new Uint8Array(width * height * 4); // starts fully transparent
  const canvas = new Uint32Array(canvasBytes.buffer);
  let saved: Uint32Array | null = null; // canvas before a disposal-3 frame
  let scratchBytes = new Uint8Array(0);
  let scratch = new Uint32Array(0);
  const repacker = createFrameRepacker();
  // The canvas's rectangle that the last frame's disposal cleared or restored (empty: none).
  let disposed = { x0: 0, y0: 0, x1: 0, y1: 0 };
  // Whether any frame's pixel data gave a pixel, and what stopped the first that gave none.
  let decodedAny = false;
  let firstUndecoded: string | null = null;

  // Frames handed out, and whether the reading ended by an error of its own.
  let read = 0;
  let failed = false;
  try {
    for (let f = 0; f < frames.length; f++) {
      const fr = frames[f];
      // Clip the frame rectangle to the canvas.
      const x0 = fr.x;
      const y0 = fr.y;
      const x1 = Math.min(fr.x + fr.width, width);
      const y1 = Math.min(fr.y + fr.height, height);
      const visible = x0 < x1 && y0 < y1;

      if (RESTORE_PREVIOUS(fr.disposal)) {
        if (saved === null) saved = new Uint32Array(canvas.length);
        saved.set(canvas);
      }

      if (visible) {
        // Pixels we must decode: interlaced rows arrive out of order, so all of them;
        // otherwise only up to the last row that lands on the canvas.
        const need = fr.interlaced ? fr.width * fr.height : fr.width * (y1 - y0);
        if (need > limits.maxPixels) {
          throw framePixelsError(name, f, fr.width, fr.height, need, limits.maxPixels, `${width}x${height}`);
        }
        // A frame wholly on the canvas whose stream is complete (nearly every real frame)
        // is drawn by omggif straight onto the canvas; the rest go through a scratch buffer.
        // Not an interlaced frame of 4 rows or fewer: omggif starts each pass at its first
        // row without checking it against the frame's height (a 2-row frame's second row
        // went to row 4, below the frame).
        const onCanvas = x1 === fr.x + fr.width && y1 === fr.y + fr.height && (!fr.interlaced || fr.height > 4);
        const packed = repacker.repack(
          bytes, fr.dataStart, fr.dataEnd, fr.minCodeSize, fr.width, need,
          fr.paletteOffset, fr.paletteSize, fr.transparentIndex,
          onCanvas ? { canvasWidth: width, canvasHeight: height, x: fr.x, y: fr.y, height: fr.height, interlaced: fr.interlaced } : null,
        );
        const stop = repacker.last.stop;
        if (stop === 'corrupt' || stop === 'bad-code-size' || repacker.last.pixels < need) {
          warnings.push(`${name}: frame ${f}: ${describeStop(stop, fr.minCodeSize)} after ${repacker.last.pixels} of ${fr.width * fr.height} pixels; the rest of the frame is not drawn`);
          if (repacker.last.pixels === 0) firstUndecoded ??= `frame ${f}: ${describeStop(stop, fr.minCodeSize)}`;
        }
        if (repacker.last.pixels > 0) decodedAny = true;
        if (packed !== null && packed.placed) {
          // omggif leaves transparent pixels untouched: exactly compositing over the canvas.
          decodeWithOmggif(packed.gif, canvasBytes, name, f);
        } else if (packed !== null) {
          const cells = packed.width * packed.rows;
          if (scratch.length < cells) {
            scratchBytes = new Uint8Array(cells * 4);
            scratch = new Uint32Array(scratchBytes.buffer);
          }
          // omggif skips transparent pixels, so zero alpha left here marks them.
          scratch.fill(0, 0, cells);
          decodeWithOmggif(packed.gif, scratchBytes, name, f);
          // The first frame, interlaced and opaque, as browsers show it cut short: each whole row of
          // the first three passes fills the rows below it that later passes would have drawn
          // (Chrome's decoder, Wuffs, does so). A whole frame's later rows cover them all, so
          // only a cut one is filled.
          const pixels = Math.min(packed.pixels, fr.width * fr.height);
          const fillDown = f === 0 && fr.interlaced && fr.transparentIndex < 0 && pixels < fr.width * fr.height;
          blit(canvas, width, scratch, fr, pixels, x1, y1, fillDown);
        }
      }

      // Only this frame's rectangle was drawn, over what the last disposal left.
      const drawn = visible ? { x0, y0, x1, y1 } : { x0: 0, y0: 0, x1: 0, y1: 0 };
      const data = pool.copy(canvasBytes);
      const delayMs = fr.delayCs * 10;
      read = f + 1;
      yield f === 0 ? { width, height, data, delayMs } : { width, height, data, delayMs, changedWithin: union(drawn, disposed) };

      // Dispose before the next frame is drawn.
      disposed = visible && (fr.disposal === 2 || RESTORE_PREVIOUS(fr.disposal)) ? drawn : { x0: 0, y0: 0, x1: 0, y1: 0 };
      if (!visible) continue;
      if (fr.disposal === 2) {
        // "Restore to background": browsers clear to transparent, not to the background colour.
        for (let y = y0; y < y1; y++) canvas.fill(0, y * width + x0, y * width + x1);
      } else if (RESTORE_PREVIOUS(fr.disposal) && saved !== null) {
        // Only the frame's rectangle changed since the save, so restoring that suffices.
        for (let y = y0; y < y1; y++) canvas.set(saved.subarray(y * width + x0, y * width + x1), y * width + x0);
      }
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Every frame read damaged before its first pixel: blank frames, written out as a clip,
    // would hide that nothing was read (such files are small; the run fails before its output
    // is kept). Said here, which a reader that stops early reaches too: one that knows the
    // frames it needs (resizing, retiming, a part) asks for no more once it has them.
    if (!failed && !decodedAny && firstUndecoded !== null) {
      const part = read < frames.length ? ` up to frame ${read - 1}, where reading stopped` : '';
      throw inputError(name, `no frame's pixels could be decoded${part} (${firstUndecoded})`);
    }
  }
}

/** The smallest box holding two boxes; an empty one (no columns or no rows) adds nothing. */
function union(a: ChangedBox, b: ChangedBox): ChangedBox {
  if (a.x0 >= a.x1 || a.y0 >= a.y1) return b;
  if (b.x0 >= b.x1 || b.y0 >= b.y1) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

function decodeWithOmggif(gif: Uint8Array, target: Uint8Array, name: string, frame: number): void {
  try {
    new omggif.GifReader(gif).decodeAndBlitFrameRGBA(0, target);
  } catch (e) {
    // The repacked stream is well formed by construction; this would be our bug.
    throw new ChromaseedError('ERR_INPUT', `${name}: frame ${frame}: cannot decode pixel data (${(e as Error).message})`, { cause: e });
  }
}

function describeStop(stop: LzwStop, mcs: number): string {
  if (stop === 'bad-code-size') return `LZW minimum code size ${mcs} is invalid`;
  if (stop === 'corrupt') return 'LZW data is corrupt';
  return 'pixel data ends early';
}

/** The rows an interlaced pass's row stands for, itself included, until the passes after it fill them in. */
const FILL_ROWS = [8, 4, 2];

/**
 * Copies the first `pixels` decoded pixels (stream order, `fr.width` per row) onto the
 * canvas, de-interlacing rows and skipping transparent (zero) pixels and anything outside
 * the canvas (x >= x1 or y >= y1). `fillDown`: each whole row of an interlaced frame's first
 * three passes is copied into the rows below it that it stands for (FILL_ROWS).
 */
function blit(
  canvas: Uint32Array, canvasWidth: number, src: Uint32Array,
  fr: GifFrameRecord, pixels: number, x1: number, y1: number, fillDown = false,
): void {
  const w = fr.width;
  const cols = x1 - fr.x;
  const rows = Math.ceil(pixels / w);
  // Interlaced rows come in four passes: every 8th row from 0, every 8th from 4,
  // every 4th from 2, every 2nd from 1 (GIF89a appendix E).
  const starts = fr.interlaced ? [0, 4, 2, 1] : [0];
  const steps = fr.interlaced ? [8, 8, 4, 2] : [1];
  const bottom = Math.min(fr.y + fr.height, y1);
  let streamRow = 0;
  for (let pass = 0; pass < starts.length && streamRow < rows; pass++) {
    for (let r = starts[pass]; r < fr.height && streamRow < rows; r += steps[pass], streamRow++) {
      const y = fr.y + r;
      if (y >= y1) {
        if (!fr.interlaced) return; // later rows are lower still
        continue;
      }
      const s = streamRow * w;
      const n = Math.min(cols, pixels - s);
      const d = y * canvasWidth + fr.x;
      for (let i = 0; i < n; i++) {
        const px = src[s + i];
        if (px !== 0) canvas[d + i] = px;
      }
      if (fillDown && pass < 3 && pixels - s >= w) {
        for (let below = y + 1; below < Math.min(y + FILL_ROWS[pass], bottom); below++) canvas.copyWithin(below * canvasWidth + fr.x, d, d + cols);
      }
    }
  }
}
