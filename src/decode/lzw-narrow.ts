/**
 * LZW of minimum code size 1, for lzw-repack.ts. A frame of that size (two colours; GIF89a
 * asks for 2, but encoders write 1 and browsers draw it) widens its codes one code earlier
 * than omggif reads them: after a clear, the first code counts as taking the table's next
 * slot (giflib, Wuffs, ffmpeg), which at this size is already past 2 bits. omggif read the
 * second code at 2 bits and the frame came out as its first few pixels. Such a frame is
 * decoded here, by that rule, and written back as literals at code size 2, which omggif
 * reads like any other frame. No I/O; scratch is kept in the transcoder and reused per frame.
 */
import { ensure, putBits } from './lzw-bits.js';
import type { LzwStop } from './lzw-repack.js';

/** A frame's stream rewritten: in `raw` (the buffer given, or a larger one), `length` bytes; `stop`: why the source's codes ended. */
export interface NarrowStream {
  readonly raw: Uint8Array<ArrayBuffer>;
  readonly length: number;
  readonly stop: LzwStop;
}

export interface NarrowTranscoder {
  /**
   * Decodes the first `len` bytes of `raw`, LZW of minimum code size 1 by browsers' rule (up
   * to `need` pixels, or `maxPixels`), then rewrites `raw` as the same pixels in literal codes
   * of size 2, and an end code.
   */
  transcode(raw: Uint8Array<ArrayBuffer>, len: number, need: number, maxPixels: number): NarrowStream;
}

export function createNarrowTranscoder(): NarrowTranscoder {
  let indices = new Uint8Array(0);
  // Its string table, reset by each clear (only entries past the end code are read).
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  // String length of each code of that table; literals are 1.
  const lengths = new Uint16Array(4096);

  function transcode(raw: Uint8Array<ArrayBuffer>, len: number, need: number, maxPixels: number): NarrowStream {
    const clear = 2;
    const eoi = 3;
    const firstIndex = (code: number): number => (code < clear ? code : first[code]);
    const lengthOf = (code: number): number => (code < clear ? 1 : lengths[code]);
    let save = eoi; // the slot the next code takes (the first after a clear takes the end code's, unused)
    let prev = -1;
    let width = 2;
    let total = 0;
    let bit = 0;
    const totalBits = len * 8;
    let stop: LzwStop = 'truncated';
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
        stop = 'end';
        break;
      }
      // After a clear, a literal must come first; later, a code at most one past the table.
      if ((prev < 0 && code > eoi) || code > save) {
        stop = 'corrupt';
        break;
      }
      // The string's length, and its first index: a literal's own, or the table's (the
      // code being defined right now, KwKwK, is the previous string and its first index).
      const length = code === save ? lengthOf(prev) + 1 : lengthOf(code);
      if (total + length > maxPixels) {
        stop = 'full';
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
        stop = 'full';
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
    return { raw, length: Math.ceil(out / 8), stop };
  }

  return { transcode };
}
