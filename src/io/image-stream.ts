import { open } from 'node:fs/promises';
import { PNG_SIGNATURE } from '../encode/png-encode.js';
import { readHead } from './file-head.js';
import { isJpeg, isPng } from '../file-signatures.js';

/**
 * A file of whole images one after another, with no container: a camera's raw MJPEG stream
 * (`.mjpeg`), ffmpeg's `image2pipe` output. It starts like a JPEG or PNG still, and a still
 * reader shows its first image and drops the rest without a word; ffmpeg reads every image,
 * as frames, when told the stream's format. Returns that format, or undefined for one image.
 *
 * An image followed by another is a stream only when the two are the same size, and a JPEG
 * only when it has no multi-picture index (MPF): a phone's JPEG carries its gain map or depth
 * map, and a camera's its preview, as an image of its own appended after the main one.
 */
export async function imageStreamFormat(file: string, head: Uint8Array): Promise<'mjpeg' | 'png_pipe' | undefined> {
  if (isJpeg(head)) {
    const next = await findInFile(file, JPEG_BOUNDARY);
    if (next === undefined) return undefined;
    // Each image's segments before its pixels: a camera's metadata can fill the first 64 KiB.
    const first = await readHead(file, SEGMENTS_BYTES);
    if (hasMpfIndex(first)) return undefined;
    const a = jpegSize(first);
    const b = jpegSize(await readHead(file, SEGMENTS_BYTES, next + 2));
    return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1] ? 'mjpeg' : undefined;
  }
  if (isPng(head)) {
    const end = await findInFile(file, PNG_BOUNDARY);
    if (end === undefined) return undefined;
    // Each PNG's header chunk comes first: its width and height 16 bytes in.
    const next = await readHead(file, 8, end + 12 + 16);
    return next.length === 8 && sameBytes(head.subarray(16, 24), next) ? 'png_pipe' : undefined;
  }
  return undefined;
}

/** Enough of a JPEG for the segments before its pixels: metadata segments hold 64 KiB each at most, and a file has few. */
const SEGMENTS_BYTES = 256 * 1024;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** One JPEG's end (EOI) and the next one's start (SOI and a marker): never inside one, where 0xFF is followed by 0x00 or a restart marker. */
const JPEG_BOUNDARY = Buffer.from([0xff, 0xd9, 0xff, 0xd8, 0xff]);
/** A PNG's end chunk (empty, with its fixed checksum), then the next PNG's signature. */
const PNG_BOUNDARY = Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('IEND', 'latin1'), Buffer.from([0xae, 0x42, 0x60, 0x82]), Buffer.from(PNG_SIGNATURE)]);

/** Offset of the first `pattern` in `file`, read a chunk at a time (a still is read whole, once). */
async function findInFile(file: string, pattern: Buffer): Promise<number | undefined> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead < pattern.length) return undefined;
      const found = chunk.subarray(0, bytesRead).indexOf(pattern);
      if (found >= 0) return at + found;
      // The next chunk starts so that a pattern cut by this one's end is found whole there.
      at += bytesRead - pattern.length + 1;
    }
  } finally {
    await handle.close();
  }
}

/** Walks a JPEG's marker segments (after SOI) up to its first scan, calling `visit` with each marker and the offset of its length field. */
function jpegSegments(bytes: Uint8Array, visit: (marker: number, at: number) => boolean): void {
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9 || visit(marker, at + 2)) return;
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
}

/** Width and height from a JPEG's frame header (SOF0 to SOF15, but DHT, JPG and DAC), if its head holds one. */
function jpegSize(bytes: Uint8Array): [number, number] | undefined {
  let size: [number, number] | undefined;
  jpegSegments(bytes, (marker, at) => {
    if (marker < 0xc0 || marker > 0xcf || marker === 0xc4 || marker === 0xc8 || marker === 0xcc || at + 7 > bytes.length) return false;
    size = [(bytes[at + 5] << 8) | bytes[at + 6], (bytes[at + 3] << 8) | bytes[at + 4]];
    return true;
  });
  return size;
}

/** Whether a JPEG has an APP2 segment holding a multi-picture index ("MPF\0"). */
function hasMpfIndex(bytes: Uint8Array): boolean {
  let found = false;
  jpegSegments(bytes, (marker, at) => {
    found = marker === 0xe2 && bytes[at + 2] === 0x4d && bytes[at + 3] === 0x50 && bytes[at + 4] === 0x46 && bytes[at + 5] === 0;
    return found;
  });
  return found;
}
