import { constants } from 'node:fs';
import { access, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChromaseedError, inputError, systemReason } from '../errors.js';
import { hasFrameNumber } from './frame-names.js';

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
      const url = urlHint(file);
      if (url !== null) throw inputError(file, `no such file: ${url}`);
      const dir = path.dirname(path.resolve(file));
      // Node hands over command-line arguments as UTF-8, a name's other bytes replaced by U+FFFD.
      const mangled = file.includes('\uFFFD') ? '; if its name has bytes that are not UTF-8, chromaseed is given them replaced (U+FFFD) and cannot open it: rename it' : '';
      // Written as numbered frames, read back by that name: an input is one file, named as it is.
      const frames = hasFrameNumber(file) ? `; a name with %d is one file to chromaseed, not numbered frames: pipe those in (ffmpeg -i '${file.replaceAll("'", "'\\''")}' -f image2pipe -c:v png - | chromaseed … -)` : '';
      throw inputError(file, `no such file (looked in ${dir})${mangled}${frames}`);
    }
    throw inputError(file, `cannot read: ${systemReason(err)}`, err);
  }
  if (size === 0) {
    // A file of /proc or /sys is made as it is read and says it is empty: not what is wrong.
    throw inputError(file, (await hasContent(file)) ? 'says its size is 0, but has content (a file the system makes as it is read, as in /proc, or one being written); save it to a file first' : 'the file is empty');
  }
  return size;
}

/**
 * What to do instead, for a missing input named like a URL, or null: a name is read as a
 * file's, and "looked in ./https:/example.com" told a user who gave a link nothing useful.
 * (Two letters at least before "://": a Windows drive letter is a path's.)
 */
function urlHint(file: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(file)?.[1].toLowerCase();
  if (scheme === undefined) return null;
  if (scheme === 'file') {
    let local = '';
    try {
      local = ` (${fileURLToPath(file)})`;
    } catch {
      // A file: URL with a host, or otherwise no path of this system's.
    }
    return `a file: URL is not read as one; give the path of the file${local}`;
  }
  return `chromaseed reads files, not URLs; download it first (curl -LO '${file.replaceAll("'", "'\\''")}')`;
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
