import { constants } from 'node:fs';
import { access, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ChromaseedError, inputError, systemReason } from '../errors.js';

/** A JPEG's start: SOI, then a marker. */
export const isJpeg = (head: Uint8Array): boolean => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;

/**
 * A TIFF's start: the byte order (II or MM), then 42 in it, or 43 for a BigTIFF (files
 * past 4 GiB, and what some scanners and GIS tools write), which libvips reads as well.
 */
export const isTiff = (head: Uint8Array): boolean =>
  (head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0) ||
  (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43));

/** An ISO media file's start (MP4, MOV, 3GP, AVIF, HEIF): a box size, then the file-type box. */
export const isIsoMedia = (head: Uint8Array): boolean => head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70; // "ftyp"

/**
 * A raw H.264 or HEVC stream's start (Annex B): a start code, then a NAL unit header, whose
 * first bit is always 0. MPEG program streams and MPEG-1/2 video streams also start with a
 * start code, but theirs is followed by a byte of 0xb0 or more; an MPEG-4 Part 2 or VC-1
 * stream may not be. A guess, to spare a pass such a stream never needs (see openVideo): a
 * wrong one only delays that pass until the probe has said what the file is.
 */
export const isAnnexB = (head: Uint8Array): boolean => {
  const at = head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1 ? 4 : head[0] === 0 && head[1] === 0 && head[2] === 1 ? 3 : -1;
  return at > 0 && head.length > at && head[at] < 0x80;
};

/** A PNG's start, "\x89PNG": the signature's first half, enough to tell a PNG (damaged or not) from anything else. */
export const isPng = (head: Uint8Array): boolean => head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;

/**
 * A GIF's or an animated WebP's bytes, read whole (their frames are found by parsing it).
 * Node reads no file of 2 GiB or more into one buffer: said as a limit, not as an internal
 * error with a stack trace.
 */
export async function readWholeFile(file: string, kind: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_FS_FILE_TOO_LARGE') throw err;
    throw new ChromaseedError('ERR_LIMIT', `${file}: ${kind} files of 2 GiB or more cannot be read (they are read whole)`, { cause: err });
  }
}

/** `n` bytes of `file` from `position` (fewer at its end): by default its head, what format sniffing reads. */
export async function readHead(file: string, n: number, position = 0): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(n);
    const { bytesRead } = await handle.read(head, 0, n, position);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The size of the input `file`, refused with a message the user can act on unless it is a
 * readable, non-empty regular file: every reader checks its input with this before opening it.
 */
export async function inputFileSize(file: string): Promise<number> {
  let size: number;
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw inputError(file, 'is a directory, not a file');
    // A pipe (process substitution, <(...)) or a device: inputs are read more than once. A pipe
    // is copied to a file when it comes as standard input (spool-input.ts); opened by its
    // name, one nobody writes to would block the open, which no Ctrl-C ends.
    if (s.isFIFO() || s.isSocket()) throw inputError(file, 'is a pipe, not a file; give it as standard input (… | chromaseed … -), or save it to a file first');
    if (!s.isFile()) throw inputError(file, 'is a pipe or a device, not a file; save it to a file first');
    // Permission to read, which stat does not need: said here, not as a decoder's or ffmpeg's raw error.
    await access(file, constants.R_OK);
    size = s.size;
  } catch (err) {
    if (err instanceof ChromaseedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const dir = path.dirname(path.resolve(file));
      // Node hands over command-line arguments as UTF-8, a name's other bytes replaced by U+FFFD.
      const mangled = file.includes('\uFFFD') ? '; if its name has bytes that are not UTF-8, chromaseed is given them replaced (U+FFFD) and cannot open it: rename it' : '';
      throw inputError(file, `no such file (looked in ${dir})${mangled}`);
    }
    throw inputError(file, `cannot read: ${systemReason(err)}`, err);
  }
  if (size === 0) {
    // A file of /proc or /sys is made as it is read and says it is empty: not what is wrong.
    throw inputError(file, (await hasContent(file)) ? 'says its size is 0, but has content (a file the system makes as it is read, as in /proc, or one being written); save it to a file first' : 'the file is empty');
  }
  return size;
}

/** Whether a byte can be read from `file`. */
async function hasContent(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return false;
  try {
    return (await handle.read(Buffer.alloc(1), 0, 1, 0)).bytesRead > 0;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}
