/**
 * What is wrong with a PNG that the still decoder refused, said in terms of its chunks: libpng's
 * own words for it, through libvips, are "Unknown error" (an image header whose checksum is
 * wrong) or "libpng read error" (a file cut short, a damaged data chunk). Pure: no node: imports.
 */
import { crc32, PNG_SIGNATURE } from '../encode/png-encode.js';
import { u32 } from './apng-structure.js';

/**
 * The first fault in a PNG's chunks, for a message ("damaged: …" or "cut short: …"), or null
 * when every chunk up to the end chunk (IEND) is whole and matches its checksum: then what
 * failed is inside the image data.
 */
export function pngChunkProblem(bytes: Uint8Array): string | null {
  let at = PNG_SIGNATURE.length; // then chunks: length (4), type (4), data, CRC-32 of type and data (4)
  while (at < bytes.length) {
    if (at + 8 > bytes.length) return `cut short: it ends inside the header of a chunk, at byte ${bytes.length}`;
    const length = u32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    // Chunk types are four ASCII letters; anything else means the bytes before were wrong.
    if (!/^[A-Za-z]{4}$/.test(type)) return `damaged: at byte ${at} it has no chunk a PNG can have (the chunk before it has the wrong length, or bytes are missing)`;
    const end = at + 12 + length;
    if (end > bytes.length) {
      const there = bytes.length - at - 8;
      return there >= length ? `cut short: it ends inside the checksum of its ${type} chunk` : `cut short: it ends inside its ${type} chunk (${there} of its ${length} bytes are there)`;
    }
    if (crc32(bytes, at + 4, end - 4) !== u32(bytes, end - 4)) {
      return `damaged: its ${type} chunk at byte ${at} does not match its checksum`;
    }
    if (type === 'IEND') return null;
    at = end;
  }
  return 'cut short: it ends before its end chunk (IEND)';
}
