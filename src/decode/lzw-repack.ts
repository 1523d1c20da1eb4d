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
 * decoded here and handed over as literals of code size 2 (see transcodeNarrow).
 *
 * Pure: no node: imports. Scratch buffers live in the repacker and are reused per frame.
 */

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

/** Grows `buf` to at least `size` bytes, keeping its content. */
function ensure(buf: Uint8Array<ArrayBuffer>, size: number): Uint8Array<ArrayBuffer> {
  if (buf.length >= size) return buf;
  const bigger = new Uint8Array(Math.max(size, buf.length * 2));
  bigger.set(buf);
  return bigger;
}

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

/**
 * Writes `code` in `width` bits at bit `bit` of `buf` past byte `base`, least-significant bit
 * first (GIF89a appendix F), into bytes that start cleared; returns the bit after it.
 */
function putBits(buf: Uint8Array, base: number, bit: number, code: number, width: number): number {
  for (let i = 0; i < width; i++, bit++) if ((code >>> i) & 1) buf[base + (bit >>> 3)] |= 1 << (bit & 7);
  return bit;
}

export function createFrameRepacker(): FrameRepacker {
  // String length of each code in the current table, scan()'s or transcodeNarrow()'s; literals are 1.
  const lengths = new Uint16Array(4096);
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

  // A frame of LZW minimum code size 1 (two colours; GIF89a asks for 2, but encoders write
  // 1 and browsers draw it) widens its codes one code earlier than omggif reads them: after
  // a clear, the first code counts as taking the table's next slot (giflib, Wuffs, ffmpeg),
  // which at this size is already past 2 bits. omggif read the second code at 2 bits and the
  // frame came out as its first few pixels. Such a frame is decoded here, by that rule, and
  // written back as literals at code size 2, which omggif reads like any other frame.
  let indices = new Uint8Array(0);
  // Its string table, reset by each clear (only entries past the end code are read).
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  /** The scan's stop for a frame transcoded from code size 1 (its literals' stream ends as the scan of them says). */
  let narrowStop: LzwStop = 'end';

  /**
   * Decodes `len` bytes of `raw`, LZW of minimum code size 1 by browsers' rule, into
   * `indices` (up to `need` pixels, or `maxPixels`), then rewrites `raw` as the same pixels
   * in literal codes of size 2, and an end code; why the source ended is `narrowStop`.
   * Returns the new stream's length in bytes.
   */
  function transcodeNarrow(len: number, need: number, maxPixels: number): number {
    const clear = 2;
    const eoi = 3;
    const firstIndex = (code: number): number => (code < clear ? code : first[code]);
    // The table's string lengths are kept as scan() keeps its own (it runs after, and sets every one it reads).
    const lengthOf = (code: number): number => (code < clear ? 1 : lengths[code]);
    let save = eoi; // the slot the next code takes (the first after a clear takes the end code's, unused)
    let prev = -1;
    let width = 2;
    let total = 0;
    let bit = 0;
    const totalBits = len * 8;
    narrowStop = 'truncated';
    while (bit + width <= totalBits) {
      const byte = bit >>> 3;
      const code = ((raw[byte] | (raw[byte + 1] << 8) | (raw[byte + 2] << 16)) >>> (bit & 7)) & ((1 << width) - 1);
      bit += width;
      if (code === clear) {
        save = eoi;
        prev = -1;
        width = 2;
        continue;
      }
      if (code === eoi) {
        narrowStop = 'end';
        break;
      }
      // After a clear, a literal must come first; later, a code at most one past the table.
      if ((prev < 0 && code > eoi) || code > save) {
        narrowStop = 'corrupt';
        break;
      }
      // The string's length, and its first index: a literal's own, or the table's (the
      // code being defined right now, KwKwK, is the previous string and its first index).
      const length = code === save ? lengthOf(prev) + 1 : lengthOf(code);
      if (total + length > maxPixels) {
        narrowStop = 'full';
        break;
      }
      if (indices.length < total + length) indices = ensure(indices, total + length);
      const head = firstIndex(code === save ? prev : code);
      let at = total + length - 1;
      let c = code;
      if (code === save) {
        indices[at--] = head;
        c = prev;
      }
      for (; c > eoi; c = prefix[c]) indices[at--] = suffix[c];
      indices[at] = c;
      if (save < 4096) {
        if (prev >= 0) {
          prefix[save] = prev;
          suffix[save] = head;
          first[save] = firstIndex(prev);
          lengths[save] = lengthOf(prev) + 1;
        }
        save++;
        if (width < 12 && save >>> width !== 0) width++;
      }
      prev = code;
      total += length;
      if (total >= need) {
        narrowStop = 'full';
        break;
      }
    }
    // The same pixels as literals of size 2: codes widen as omggif adds a slot for each
    // literal after the first, up to 12 bits, where the table stops growing.
    const most = Math.ceil((total * 12 + 12) / 8) + 4; // every code at 12 bits, the end code and the reader's look-ahead
    raw = ensure(raw, most);
    raw.fill(0, 0, most);
    let out = 0;
    let next = 6;
    let size = 3;
    for (let i = 0; i < total; i++) {
      out = putBits(raw, 0, out, indices[i], size);
      if (i > 0 && next < 4096 && ++next > (1 << size) - 1 && size < 12) size++;
    }
    // Ended however the source ended (the stop is handed back apart): without an end code, the
    // last byte's spare bits read as literal 0s, pixels the source does not have.
    out = putBits(raw, 0, out, 5, size);
    return Math.ceil(out / 8);
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
    const narrow = minCodeSize === 1;
    if (narrow) len = transcodeNarrow(len, need, frameWidth * MAX_DIM);
    const mcs = narrow ? 2 : minCodeSize;
    scan(len, mcs, need, frameWidth * MAX_DIM);
    // Its literals end where the source's codes did, for the reason the source's did.
    if (narrow) last.stop = narrowStop;
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
