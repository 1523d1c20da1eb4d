/**
 * A lenient walk over a GIF's block structure, done before any pixel is decoded.
 *
 * omggif's own parser is strict where browsers are lenient (it throws on a stray byte
 * between blocks, on unknown extension labels such as plain-text 0x01, and on a
 * truncated last frame), and it is lenient where it must not be: it carries one frame's
 * Graphic Control Extension over to the next frames, and it does not check frames
 * against the canvas. So we find the frames ourselves and hand omggif one frame at a
 * time (see gif-decode.ts). Pure: no node: imports.
 */
import { ChromaseedError, inputError, invalidOption, isBytes } from '../errors.js';
import { DEFAULT_MAX_FRAMES, DEFAULT_MAX_PIXELS } from '../limits.js';
import { hasGifSignature } from '../file-signatures.js';

export interface GifLimits {
  /** Largest canvas (and largest decoded frame area) in pixels. CLI: --max-pixels. */
  maxPixels: number;
  /** Largest number of frames. CLI: --max-frames. */
  maxFrames: number;
}

/** One image descriptor and the extension state that applies to it. Offsets index the file bytes. */
export interface GifFrameRecord {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly interlaced: boolean;
  /** Offset of the colour table (local, else global), or -1 when the frame has none. */
  readonly paletteOffset: number;
  /** Entries in that table (0 when there is none). */
  readonly paletteSize: number;
  /** Transparent palette index, or -1. Only from a GCE directly before this frame. */
  readonly transparentIndex: number;
  /** Disposal method 0-7 from the GCE (0 when there is no GCE). */
  readonly disposal: number;
  /** Delay in centiseconds from the GCE (0 when there is no GCE). */
  readonly delayCs: number;
  /** LZW minimum code size byte. */
  readonly minCodeSize: number;
  /** Offset of the first data sub-block's length byte. */
  readonly dataStart: number;
  /** Offset just after the last data byte present (the terminator, or the end of the file). */
  readonly dataEnd: number;
}

export interface GifStructure {
  readonly width: number;
  readonly height: number;
  /** NETSCAPE2.0 / ANIMEXTS1.0 loop count (0 = forever); undefined when absent. Last block wins. */
  readonly loopCount: number | undefined;
  readonly frames: readonly GifFrameRecord[];
  /** Damage found and tolerated (one line each, prefixed with the file name). */
  readonly warnings: readonly string[];
}

/** Magic-byte sniff: `GIF87a` or `GIF89a`, in bytes of any kind a caller may pass. */
export function isGif(bytes: Uint8Array): boolean {
  return isBytes(bytes) && hasGifSignature(bytes);
}

export function resolveGifLimits(limits: Partial<GifLimits> | undefined): GifLimits {
  const maxPixels = limits?.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxFrames = limits?.maxFrames ?? DEFAULT_MAX_FRAMES;
  // NaN would pass every "above the limit" test: no limit at all.
  // A string ('5') passed the tests by coercion.
  if (typeof maxPixels !== 'number' || !(maxPixels >= 1)) throw invalidOption('maxPixels', 'a number >= 1', maxPixels);
  if (typeof maxFrames !== 'number' || !(maxFrames >= 1)) throw invalidOption('maxFrames', 'a number >= 1', maxFrames);
  return { maxPixels, maxFrames };
}

/** Worded as a video's and an animated WebP's limits are (clip-options.ts): one mistake, one sentence. */
function limitError(name: string, what: string, flag: string): ChromaseedError {
  return new ChromaseedError('ERR_LIMIT', `${name}: ${what} (raise the limit with ${flag})`);
}

/**
 * Raised when a frame needs more pixels decoded than allowed; shared with gif-decode.ts.
 * Only a frame's rows that reach the screen are decoded (all of an interlaced one's), which
 * `screen` names where that is fewer than the whole frame.
 */
export function framePixelsError(name: string, frame: number, w: number, h: number, pixels: number, limit: number, screen: string): ChromaseedError {
  const part = pixels < w * h ? ` (the rows of it that reach the ${screen} screen)` : '';
  return limitError(name, `frame ${frame}: ${w}x${h} frame needs ${pixels} pixels decoded${part}, more than the limit of ${limit}`, '--max-pixels');
}

const hex = (b: number): string => '0x' + b.toString(16).padStart(2, '0');

/**
 * Skips a chain of data sub-blocks starting at `p` (a length byte).
 * Returns the offset after the zero terminator, or -1 when the file ends first.
 */
function skipSubBlocks(bytes: Uint8Array, p: number): number {
  const n = bytes.length;
  while (p < n) {
    const size = bytes[p];
    p += 1 + size;
    if (size === 0) return p;
  }
  return -1;
}

function isLoopApp(bytes: Uint8Array, p: number): boolean {
  // 11-byte application identifier + authentication code.
  const id = 'NETSCAPE2.0';
  const alt = 'ANIMEXTS1.0'; // Same layout; written by some old encoders and honoured by browsers.
  let a = true;
  let b = true;
  for (let i = 0; i < 11; i++) {
    const c = bytes[p + i];
    if (c !== id.charCodeAt(i)) a = false;
    if (c !== alt.charCodeAt(i)) b = false;
  }
  return a || b;
}

/**
 * Walks the blocks of a GIF. Throws ChromaseedError for input that has no displayable
 * frame ('ERR_INPUT') or exceeds a limit ('ERR_LIMIT'); tolerates damage after the
 * first frame the way browsers do (stop at the damage, keep what came before).
 */
export function parseGifStructure(bytes: Uint8Array, name: string, limits: GifLimits): GifStructure {
  const n = bytes.length;
  if (n === 0) throw inputError(name, 'file is empty');
  if (!isGif(bytes)) throw inputError(name, 'not a GIF file (no GIF87a/GIF89a signature)');
  if (n < 13) throw inputError(name, `truncated in the header (${n} bytes)`);

  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  if (width === 0 || height === 0) throw inputError(name, `canvas size is ${width}x${height}: nothing to show`);
  // Checked before anything of canvas size is allocated.
  if (width * height > limits.maxPixels) {
    throw limitError(name, `frames of ${width}x${height} exceed the limit of ${limits.maxPixels} pixels`, '--max-pixels');
  }

  const lsd = bytes[10];
  let p = 13;
  let globalOffset = -1;
  let globalSize = 0;
  if (lsd & 0x80) {
    globalSize = 2 << (lsd & 7);
    globalOffset = p;
    p += globalSize * 3;
    if (p > n) throw inputError(name, 'truncated in the global colour table');
  }

  const frames: GifFrameRecord[] = [];
  const warnings: string[] = [];
  let loopCount: number | undefined;
  // Graphic Control Extension state: applies to the next image only (GIF89a §23).
  let gceTransparent = -1;
  let gceDisposal = 0;
  let gceDelay = 0;
  let stop: string | null = null;

  while (stop === null) {
    if (p >= n) {
      stop = 'file ends without a trailer';
      break;
    }
    const label = bytes[p];
    if (label === 0x3b) break; // Trailer. Anything after it is ignored, as browsers do.

    if (label === 0x21) {
      if (p + 1 >= n) {
        stop = `truncated in an extension at byte ${p}`;
        break;
      }
      const kind = bytes[p + 1];
      const body = p + 2;
      if (kind === 0xf9 && body < n && bytes[body] >= 4 && body + 4 < n) {
        const packed = bytes[body + 1];
        gceDelay = bytes[body + 2] | (bytes[body + 3] << 8);
        gceTransparent = packed & 1 ? bytes[body + 4] : -1;
        gceDisposal = (packed >> 2) & 7;
      } else if (kind === 0xff && body + 11 < n && bytes[body] === 11 && isLoopApp(bytes, body + 1)) {
        const sub = body + 12;
        if (sub + 3 < n && bytes[sub] >= 3 && bytes[sub + 1] === 1) {
          loopCount = bytes[sub + 2] | (bytes[sub + 3] << 8);
        }
      }
      // Every extension (GCE, application, comment, plain text, unknown labels) is a
      // chain of sub-blocks, so all of them are skipped the same way.
      const next = skipSubBlocks(bytes, body);
      if (next < 0) {
        stop = `truncated in an extension at byte ${p}`;
        break;
      }
      p = next;
      continue;
    }

    if (label === 0x2c) {
      if (p + 10 > n) {
        stop = `truncated in the descriptor of frame ${frames.length}`;
        break;
      }
      const x = bytes[p + 1] | (bytes[p + 2] << 8);
      const y = bytes[p + 3] | (bytes[p + 4] << 8);
      const w = bytes[p + 5] | (bytes[p + 6] << 8);
      const h = bytes[p + 7] | (bytes[p + 8] << 8);
      const packed = bytes[p + 9];
      p += 10;
      let paletteOffset = globalOffset;
      let paletteSize = globalSize;
      if (packed & 0x80) {
        paletteSize = 2 << (packed & 7);
        paletteOffset = p;
        p += paletteSize * 3;
        if (p > n) {
          stop = `truncated in the colour table of frame ${frames.length}`;
          break;
        }
      }
      if (p + 1 >= n) {
        // Not even one data byte: nothing a browser could draw.
        stop = `truncated before the pixel data of frame ${frames.length}`;
        break;
      }
      if (frames.length >= limits.maxFrames) {
        throw limitError(name, `more than ${limits.maxFrames} frame${limits.maxFrames === 1 ? '' : 's'}`, '--max-frames');
      }
      const minCodeSize = bytes[p];
      const dataStart = p + 1;
      const next = skipSubBlocks(bytes, dataStart);
      const truncated = next < 0;
      frames.push({
        x, y, width: w, height: h,
        interlaced: (packed & 0x40) !== 0,
        paletteOffset, paletteSize,
        transparentIndex: gceTransparent,
        disposal: gceDisposal,
        delayCs: gceDelay,
        minCodeSize, dataStart,
        dataEnd: truncated ? n : next - 1,
      });
      gceTransparent = -1;
      gceDisposal = 0;
      gceDelay = 0;
      if (truncated) {
        stop = `file ends inside the pixel data of frame ${frames.length - 1}`;
        break;
      }
      p = next;
      continue;
    }

    // Anything else between blocks: GIF89a calls the file corrupt. Browsers stop here and
    // show the frames read so far, as if the trailer had been found.
    stop = `unknown block ${hex(label)} at byte ${p}`;
  }

  if (frames.length === 0) {
    throw inputError(name, stop === null ? 'contains no frames' : `contains no complete frame (${stop})`);
  }
  if (stop !== null) warnings.push(`${name}: ${stop}; keeping what was read (${frames.length} ${frames.length === 1 ? 'frame' : 'frames'})`);
  return { width, height, loopCount, frames, warnings };
}
