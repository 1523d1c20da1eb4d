/**
 * The bit and byte plumbing of the LZW repacking (lzw-repack.ts, lzw-narrow.ts): codes written
 * least-significant bit first, as GIF stores them, and byte buffers that grow. Pure.
 */
import { grownLength } from '../limits.js';

/** Grows `buf` to at least `size` bytes, keeping its content (by the project's one growth rule, grownLength). */
export function ensure(buf: Uint8Array<ArrayBuffer>, size: number): Uint8Array<ArrayBuffer> {
  if (buf.length >= size) return buf;
  const bigger = new Uint8Array(grownLength(buf.length, size));
  bigger.set(buf);
  return bigger;
}

/**
 * Writes `code` in `width` bits at bit `bit` of `buf` past byte `base`, least-significant bit
 * first (GIF89a appendix F), into bytes that start cleared; returns the bit after it.
 */
export function putBits(buf: Uint8Array, base: number, bit: number, code: number, width: number): number {
  for (let i = 0; i < width; i++, bit++) if ((code >>> i) & 1) buf[base + (bit >>> 3)] |= 1 << (bit & 7);
  return bit;
}
