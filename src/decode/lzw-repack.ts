/**
 * Makes one frame's compressed data safe to hand to omggif.
 *
 * omggif decodes LZW well but handles bad streams badly: it prints warnings with
 * console.log (which would corrupt `-o -` output on stdout), it cannot tell us how many
 * pixels it produced, and it accepts out-of-range codes silently. So before decoding we
 * walk the codes once, tracking only string lengths (no pixels), find where the valid
 * part of the stream ends, and re-emit the frame as a tiny standalone GIF whose pixel
 * count matches the stream exactly: valid codes, then padding codes, then an end code.
 * omggif then decodes it without ever reaching one of its warning paths. A frame of
 * minimum code size 1, whose code widths omggif reads by another rule than browsers do, is
 * decoded first and handed over as literals of code size 2 (lzw-narrow.ts).
 *
 * Pure: no node: imports. Scratch buffers live in the repacker and are reused per frame.
 */
import { ensure, putBits } from './lzw-bits.js';
import { createNarrowTranscoder } from './lzw-narrow.js';

/** Why the scan stopped. */
export type LzwStop =
  | 'end' // end-of-information code
  | 'full' // every pixel the caller needs was produced; the rest is ignored
  | 'truncated' // data ran out before the end code
  | 'corrupt' // a code that cannot occur in a valid stream
  | 'bad-code-size'; // minimum code size outside 1..11

export interface LzwScanResult {
  /** Pixels produced by the valid codes (may exceed `need` by up to one string). */
  pixels: number;
  stop: LzwStop;
}

/**
 * Where a frame lies on the real canvas. When the frame's stream turns out complete (exactly
 * width x height pixels) the repacked GIF takes this geometry, so omggif can draw it onto the
 * canvas directly: it skips transparent pixels and de-interlaces rows itself.
 */
export interface FramePlacement {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  readonly x: number;
  readonly y: number;
  readonly height: number;
  readonly interlaced: boolean;
}

export interface RepackedFrame {
  /**
   * A standalone GIF with one frame and a 256-entry local palette. Unplaced: a
   * width x rows canvas with the frame at 0,0, rows in stream order. Placed: the real
   * canvas's size, the frame at its own position and with its own interlacing.
   */
  readonly gif: Uint8Array;
  /** Whether `gif` follows the placement given to repack() (the frame was complete). */
  readonly placed: boolean;
  /** Frame width. */
  readonly width: number;
  /** Frame rows in `gif`; `width * rows >= pixels`, the surplus is padding to ignore. */
  readonly rows: number;
  /** Valid decoded pixels, in stream order. */
  readonly pixels: number;
}

const MAX_DIM = 65535;

export interface FrameRepacker {
  /**
   * Repacks the frame whose LZW data sub-blocks run from `dataStart` (a length byte) to
   * `dataEnd` in `file`. `need` is how many pixels the caller will use; decoding stops
   * once that many are produced. `placement` (for a frame that lies wholly on the canvas)
   * is used when the stream holds exactly the frame's pixels. Returns null when no pixel
   * could be decoded.
   */
  repack(
    file: Uint8Array, dataStart: number, dataEnd: number, minCodeSize: number,
    frameWidth: number, need: number,
    paletteOffset: number, paletteSize: number, transparentIndex: number,
    placement: FramePlacement | null,
  ): RepackedFrame | null;
  /** The scan result of the last repack() call (also set when it returned null). */
  readonly last: LzwScanResult;
}

export function createFrameRepacker(): FrameRepacker {
  // String length of each code in scan()'s current table; literals are 1.
  const lengths = new Uint16Array(4096);
  // Frames of minimum code size 1 (lzw-narrow.ts).
  const narrowCodes = createNarrowTranscoder();
  let raw = new Uint8Array(1 << 16); // concatenated sub-block payloads
  let out = new Uint8Array(1 << 16); // the mini GIF
  const last: LzwScanResult = { pixels: 0, stop: 'end' };

  // Bit position in `raw` just after the last valid code, and the code width there.
  let validBits = 0;
  let widthAtEnd = 0;

  function gather(file: Uint8Array, p: number, end: number): number {
    let len = 0;
    while (p < end) {
      const size = file[p++];
      if (size === 0) break;
      const take = Math.min(size, end - p); // the last block may be cut by truncation
      raw = ensure(raw, len + take + 4);
      raw.set(file.subarray(p, p + take), len);
      len += take;
      p += size;
    }
    return len;
  }

  /** Mirrors omggif's table and code-width bookkeeping exactly, so the cut point matches. */
  function scan(len: number, mcs: number, need: number, maxPixels: number): void {
    validBits = 0;
    widthAtEnd = mcs + 1;
    last.pixels = 0;
    if (mcs < 1 || mcs > 11) {
      last.stop = 'bad-code-size';
      return;
    }
    const clear = 1 << mcs;
    const eoi = clear + 1;
    const totalBits = len * 8;
    let next = eoi + 1;
    let size = mcs + 1;
    let mask = (1 << size) - 1;
    let prevLen = -1; // -1: no previous code (start, or just after a clear)
    let total = 0;
    let bit = 0;
    for (;;) {
      if (bit + size > totalBits) {
        last.stop = 'truncated';
        break;
      }
      const byte = bit >>> 3;
      const word = raw[byte] | (raw[byte + 1] << 8) | (raw[byte + 2] << 16);
      const code = (word >>> (bit & 7)) & mask;
      if (code === clear) {
        bit += size;
        next = eoi + 1;
        size = mcs + 1;
        mask = (1 << size) - 1;
        prevLen = -1;
        validBits = bit;
        widthAtEnd = size;
        continue;
      }
      if (code === eoi) {
        last.stop = 'end';
        break;
      }
      let len1: number;
      if (code < clear) {
        // A literal must index a 256-entry palette (codes above 255 exist when mcs > 8).
        if (code > 255) {
          last.stop = 'corrupt';
          break;
        }
        len1 = 1;
      } else if (prevLen < 0) {
        last.stop = 'corrupt'; // the first code after a clear must be a literal
        break;
      } else if (code < next) {
        len1 = lengths[code];
      } else if (code === next) {
        len1 = prevLen + 1; // the KwKwK case
      } else {
        last.stop = 'corrupt';
        break;
      }
      if (total + len1 > maxPixels) {
        last.stop = 'full';
        break;
      }
      bit += size;
      if (prevLen >= 0 && next < 4096) {
        lengths[next++] = prevLen + 1;
        if (next > mask && size < 12) {
          size++;
          mask = (mask << 1) | 1;
        }
      }
      prevLen = len1;
      total += len1;
      validBits = bit;
      widthAtEnd = size;
      if (total >= need) {
        last.stop = 'full';
        break;
      }
    }
    last.pixels = total;
  }

  let outBit = 0;
  function putCode(base: number, code: number, width: number): void {
    outBit = putBits(out, base, outBit, code, width);
  }

  function repack(
    file: Uint8Array, dataStart: number, dataEnd: number, minCodeSize: number,
    frameWidth: number, need: number,
    paletteOffset: number, paletteSize: number, transparentIndex: number,
    placement: FramePlacement | null,
  ): RepackedFrame | null {
    let len = gather(file, dataStart, dataEnd);
    raw.fill(0, len, len + 4); // zero the look-ahead bytes the bit reader may touch
    const narrow = minCodeSize === 1 ? narrowCodes.transcode(raw, len, need, frameWidth * MAX_DIM) : null;
    if (narrow !== null) {
      raw = narrow.raw;
      len = narrow.length;
    }
    const mcs = narrow !== null ? 2 : minCodeSize;
    scan(len, mcs, need, frameWidth * MAX_DIM);
    // Its literals end where the source's codes did, for the reason the source's did.
    if (narrow !== null) last.stop = narrow.stop;
    const pixels = last.pixels;
    if (pixels === 0) return null;
    const placed = placement !== null && pixels === frameWidth * placement.height;
    const rows = Math.ceil(pixels / frameWidth);
    const padding = rows * frameWidth - pixels;

    // Bit stream: valid codes, then (clear, literal 0) pairs as padding so the pixel count
    // is exactly width * rows, then the end code.
    const padBits = padding * 2 * (mcs + 1) + widthAtEnd + (mcs + 1);
    const streamBytes = Math.ceil((validBits + padBits) / 8);
    const subBlocks = Math.ceil(streamBytes / 255);
    const headerSize = 13 + 8 + 10 + 768 + 1;
    const total = headerSize + streamBytes + subBlocks + 2;
    out = ensure(out, total + streamBytes + 8);

    // Assemble the stream first at the far end of `out`, then chunk it into sub-blocks.
    const base = total;
    out.fill(0, base, base + streamBytes + 4);
    const fullBytes = validBits >>> 3;
    out.set(raw.subarray(0, fullBytes), base);
    if (validBits & 7) out[base + fullBytes] = raw[fullBytes] & ((1 << (validBits & 7)) - 1);
    outBit = validBits;
    const clear = 1 << mcs;
    let width = widthAtEnd;
    for (let i = 0; i < padding; i++) {
      putCode(base, clear, width);
      width = mcs + 1;
      putCode(base, 0, width);
    }
    putCode(base, clear + 1, width);

    let q = 0;
    // Header and logical screen: no global table.
    const screenWidth = placed ? placement.canvasWidth : frameWidth;
    const screenHeight = placed ? placement.canvasHeight : rows;
    out.set([0x47, 0x49, 0x46, 0x38, 0x39, 0x61], 0);
    out[6] = screenWidth & 0xff; out[7] = screenWidth >>> 8;
    out[8] = screenHeight & 0xff; out[9] = screenHeight >>> 8;
    out[10] = 0; out[11] = 0; out[12] = 0;
    q = 13;
    // GCE: only the transparent index matters to omggif here.
    out[q++] = 0x21; out[q++] = 0xf9; out[q++] = 4;
    out[q++] = transparentIndex >= 0 ? 1 : 0;
    out[q++] = 0; out[q++] = 0;
    out[q++] = transparentIndex >= 0 ? transparentIndex : 0;
    out[q++] = 0;
    // Descriptor with a 256-entry local table. Unplaced: at 0,0 and never interlaced (the
    // caller de-interlaces rows while compositing).
    const x = placed ? placement.x : 0;
    const y = placed ? placement.y : 0;
    out[q++] = 0x2c;
    out[q++] = x & 0xff; out[q++] = x >>> 8; out[q++] = y & 0xff; out[q++] = y >>> 8;
    out[q++] = frameWidth & 0xff; out[q++] = frameWidth >>> 8;
    out[q++] = rows & 0xff; out[q++] = rows >>> 8;
    out[q++] = placed && placement.interlaced ? 0xc7 : 0x87;
    // Indices past the file's table (or any index when there is no table) show as
    // opaque black, as Firefox and Chrome do.
    out.fill(0, q, q + 768);
    const entries = paletteOffset >= 0 ? Math.min(paletteSize, 256) : 0;
    if (entries > 0) out.set(file.subarray(paletteOffset, paletteOffset + entries * 3), q);
    q += 768;
    out[q++] = mcs;
    for (let s = 0; s < streamBytes; s += 255) {
      const size = Math.min(255, streamBytes - s);
      out[q++] = size;
      out.copyWithin(q, base + s, base + s + size);
      q += size;
    }
    out[q++] = 0;
    out[q++] = 0x3b;
    return { gif: out.subarray(0, q), placed, width: frameWidth, rows, pixels };
  }

  return { repack, last };
}
