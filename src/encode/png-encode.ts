/**
 * IndexedFrame -> PNG bytes as a palette image (colour type 3), so a frame of k colours is
 * stored as k palette entries and 1, 2, 4 or 8 bits a pixel, not 3 or 4 bytes (RGB or RGBA
 * from sharp, whose own palette mode re-quantizes with libimagequant and so would not keep
 * the colours). Decoded, every pixel is exactly its palette colour, and a transparent pixel
 * is black with alpha 0, as the RGBA writer stored it.
 *
 * Pure: no node: imports. The caller passes the deflate (node:zlib's deflateSync in io/).
 */
import { checkIndexedFrame, requireInRange } from '../errors.js';
import type { IndexedFrame } from '../types.js';

/** zlib-wrapped deflate (RFC 1950) of `data`, as IDAT holds. */
export type Deflate = (data: Uint8Array) => Uint8Array;

export interface IndexedPngEncoder {
  /**
   * The frame as a palette PNG, or null when a palette cannot hold it: all 256 colours drawn
   * and some pixels transparent, which would take a 257th entry (write it as RGBA instead).
   * @throws RangeError when the frame breaks the IndexedFrame contract (checkIndexedFrame),
   *   or an opaque pixel's index is at or past the frame's `size`.
   */
  encode(frame: IndexedFrame): Uint8Array | null;
}

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Chunk length (4) + type (4) + CRC (4). */
const CHUNK_OVERHEAD = 12;

/**
 * Largest IDAT written; the compressed stream goes on in further IDATs. Any split is valid
 * (a chunk may hold 2^31-1 bytes); at 1 MiB the 12 bytes a chunk costs are negligible, and
 * the split is reached, and tested, by a frame of a megapixel of noise.
 */
const MAX_IDAT = 1 << 20;

/**
 * The pHYs sharp (libvips) wrote on every frame: 1000 pixels a metre (its default, 1 pixel
 * a millimetre) on both axes. Kept so a tool that reads the resolution sees what it saw before.
 */
const PHYS_PIXELS_PER_METRE = 1000;

/**
 * Creates an encoder for frames of one size; its row buffer is allocated once and reused.
 *
 * Transparency: transparent pixels get an index whose tRNS alpha is 0 and whose colour is
 * black. That is the lowest index below `size` that no opaque pixel uses, when there is
 * one (the palette stays as long, and so may the bit depth), or else one more entry after
 * the frame's colours. With all 256 colours drawn there is no room: `encode` returns null.
 * Pixels are written unfiltered (filter type 0 on every row): on 518 quantized frames of
 * 11 clips and stills, a filter chosen per row made the files 8.6–37.6% larger. Filters
 * predict continuous values; palette indices in k-means order are not.
 *
 * @param width frame width in pixels, 1..65535 (the writers' limit).
 * @param height frame height in pixels, 1..65535.
 * @param deflate compresses the filtered rows into the zlib stream IDAT holds.
 */
export function createIndexedPngEncoder(width: number, height: number, deflate: Deflate): IndexedPngEncoder {
  requireInRange('width', width, 1, 65535, 'an integer');
  requireInRange('height', height, 1, 65535, 'an integer');
  const n = width * height;
  // Rows at 8 bits a pixel (the widest), each after its filter-type byte; narrower depths use the front of it.
  const raw = new Uint8Array(height * (1 + width));
  const used = new Uint8Array(256);

  return {
    encode(frame) {
      checkIndexedFrame(frame, width, height);
      const { indices, palette, size, transparent } = frame;

      // Which indices opaque pixels use (for a free transparent slot) and the largest, checked against size.
      used.fill(0);
      let top = -1;
      let anyTransparent = false;
      if (transparent) {
        for (let p = 0; p < n; p++) {
          if (transparent[p]) anyTransparent = true;
          else used[indices[p]] = 1;
        }
      } else {
        for (let p = 0; p < n; p++) used[indices[p]] = 1;
      }
      for (let i = 255; i >= 0; i--) {
        if (used[i]) {
          top = i;
          break;
        }
      }
      if (top >= size) throw new RangeError(`palette index ${top} is not below size ${size}`);

      let clear = -1;
      if (anyTransparent) {
        // The lowest unused index: below size when one is free, else size itself (top < size leaves it unused).
        clear = used.indexOf(0);
        if (clear < 0) return null; // all 256 drawn: no 257th entry
      }
      const entries = Math.max(size, clear + 1);
      const depth = entries <= 2 ? 1 : entries <= 4 ? 2 : entries <= 16 ? 4 : 8;
      const rowBytes = Math.ceil((width * depth) / 8);
      const rawLength = height * (1 + rowBytes);

      packRows(raw, indices, anyTransparent ? transparent : null, clear, width, height, depth, rowBytes);
      const idat = deflate(raw.subarray(0, rawLength));

      const idatChunks = Math.ceil(idat.length / MAX_IDAT); // a zlib stream is never empty
      const total =
        PNG_SIGNATURE.length +
        (CHUNK_OVERHEAD + 13) + // IHDR
        (CHUNK_OVERHEAD + 3 * entries) + // PLTE
        (clear >= 0 ? CHUNK_OVERHEAD + clear + 1 : 0) + // tRNS
        (CHUNK_OVERHEAD + 9) + // pHYs
        idatChunks * CHUNK_OVERHEAD +
        idat.length +
        CHUNK_OVERHEAD; // IEND
      const out = new Uint8Array(total);
      out.set(PNG_SIGNATURE, 0);
      let at = PNG_SIGNATURE.length;

      at = beginChunk(out, at, 'IHDR', 13);
      writeU32(out, at, width);
      writeU32(out, at + 4, height);
      out[at + 8] = depth;
      out[at + 9] = 3; // colour type: palette
      // +10 compression (deflate), +11 filter method (adaptive, the only one), +12 interlace (none): all 0
      at = endChunk(out, at + 13, 13);

      at = beginChunk(out, at, 'PLTE', 3 * entries);
      out.set(palette.subarray(0, 3 * size), at);
      // The transparent entry (past size, or borrowed below it) is black, as the RGBA writer drew transparent pixels.
      if (clear >= 0) out[at + 3 * clear] = out[at + 3 * clear + 1] = out[at + 3 * clear + 2] = 0;
      at = endChunk(out, at + 3 * entries, 3 * entries);

      if (clear >= 0) {
        // Alphas of entries 0..clear; entries after it default to 255, so the chunk stops at the clear one.
        at = beginChunk(out, at, 'tRNS', clear + 1);
        out.fill(255, at, at + clear);
        out[at + clear] = 0;
        at = endChunk(out, at + clear + 1, clear + 1);
      }

      at = beginChunk(out, at, 'pHYs', 9);
      writeU32(out, at, PHYS_PIXELS_PER_METRE);
      writeU32(out, at + 4, PHYS_PIXELS_PER_METRE);
      out[at + 8] = 1; // unit: metre
      at = endChunk(out, at + 9, 9);

      for (let from = 0; from < idat.length; from += MAX_IDAT) {
        const length = Math.min(MAX_IDAT, idat.length - from);
        at = beginChunk(out, at, 'IDAT', length);
        out.set(idat.subarray(from, from + length), at);
        at = endChunk(out, at + length, length);
      }

      at = beginChunk(out, at, 'IEND', 0);
      endChunk(out, at, 0);
      return out;
    },
  };
}

/**
 * Rows of `depth`-bit indices into `raw`, each after a filter-type byte of 0 (none), the
 * leftmost pixel in the high bits of a byte; a row's last byte is padded with zero bits.
 * Where `transparent` is set, the pixel gets index `clear`.
 */
function packRows(raw: Uint8Array, indices: Uint8Array, transparent: Uint8Array | null, clear: number, width: number, height: number, depth: number, rowBytes: number): void {
  let o = 0;
  for (let y = 0, p = 0; y < height; y++) {
    raw[o++] = 0;
    const end = p + width;
    if (depth === 8) {
      if (transparent) {
        for (; p < end; p++) raw[o++] = transparent[p] ? clear : indices[p];
      } else {
        raw.set(indices.subarray(p, end), o);
        o += width;
        p = end;
      }
      continue;
    }
    let acc = 0;
    let bits = 0;
    const rowEnd = o + rowBytes;
    for (; p < end; p++) {
      acc = (acc << depth) | (transparent && transparent[p] ? clear : indices[p]);
      bits += depth;
      if (bits === 8) {
        raw[o++] = acc;
        acc = 0;
        bits = 0;
      }
    }
    if (bits > 0) raw[o++] = acc << (8 - bits);
    o = rowEnd;
  }
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/** One whole chunk: length, `type`, `data` and its checksum. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_OVERHEAD + data.length);
  out.set(data, beginChunk(out, 0, type, data.length));
  endChunk(out, 8 + data.length, data.length);
  return out;
}

/** Writes a chunk's length and type at `at`; returns where its data goes. */
function beginChunk(out: Uint8Array, at: number, type: string, length: number): number {
  writeU32(out, at, length);
  for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
  return at + 8;
}

/** Writes the CRC of the chunk whose `length` data bytes end at `end` (over type and data); returns where the next chunk starts. */
function endChunk(out: Uint8Array, end: number, length: number): number {
  writeU32(out, end, crc32(out, end - length - 4, end));
  return end + 4;
}

/**
 * CRC-32 (ISO 3309, the polynomial PNG names), one table lookup a byte. Node has
 * zlib.crc32 only from 20.15 and 22.2, and this module stays free of node: imports.
 */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes[from..to)`. */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
