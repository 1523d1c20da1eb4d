import path from 'node:path';
import { stat, writeFile } from 'node:fs/promises';
import { abortedWrite, ChromaseedError, systemReason } from '../errors.js';
import { frameFileName } from './frame-names.js';
import { trackTemp } from './leftovers.js';
import { commitTemp, refuseInputAsOutput, removeQuietly, tempPathFor } from './output-file.js';

/** RGBA bytes as a PNG; an opaque frame is stored as RGB. */
export async function encodePng(rgba: Uint8Array, width: number, height: number, opaque: boolean): Promise<Buffer> {
  const { default: sharp } = await import('sharp'); // loaded on first use: GIF runs never need it
  let image = sharp(rgba, { raw: { width, height, channels: 4 } });
  if (opaque) image = image.removeAlpha();
  return image.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
}

export interface PngSequenceOptions {
  width: number;
  height: number;
  /** Real path of the input file (see realInput), so no frame overwrites it. */
  input?: string;
}

export interface PngSequence {
  /** Writes the next frame from RGBA bytes (under a temporary name); `opaque` drops the alpha channel for a smaller file. */
  write(rgba: Uint8Array, opaque: boolean): Promise<void>;
  /** Frames written so far. */
  readonly count: number;
  /** Total bytes written. */
  readonly bytes: number;
  /** Moves every frame to its numbered name; returns the final names, in order. */
  commit(): Promise<string[]>;
  /**
   * After a commit: the frames numbered on from this clip's last that are still there (from
   * an earlier, longer run), as a warning line, or null.
   */
  leftOver(): Promise<string | null>;
  /** Deletes the frames written so far; files that were already there are left as they were. */
  abort(): Promise<void>;
}

/**
 * Writes numbered PNG frames with sharp. Every frame goes to a temporary name and all are
 * renamed only once the whole clip has been written, so an interrupted or failed run
 * leaves no partial sequence and does not touch frame files that existed before it (a
 * finished run replaces them, as `-o` does with any output). Only a rename failing part-way
 * through the commit (a full or vanished disk) leaves the frames moved so far. PNG has no
 * frame timing: delays are not kept.
 */
export function createPngSequence(pattern: string, options: PngSequenceOptions): PngSequence {
  const { width, height } = options;
  const written: { temp: string; final: string }[] = [];
  let bytes = 0;
  let state: 'open' | 'committed' | 'aborted' = 'open';
  // A function, so the check after an await reads the state afresh.
  const wasAborted = (): boolean => state === 'aborted';
  return {
    get count() {
      return written.length;
    },
    get bytes() {
      return bytes;
    },
    async write(rgba, opaque) {
      if (state !== 'open') throw new Error(`createPngSequence: write after ${state}`);
      const name = frameFileName(pattern, written.length + 1);
      const final = path.resolve(name);
      await refuseInputAsOutput(final, options.input);
      // Found now, not when the frames are moved into place, where earlier frames would already have replaced files.
      if ((await stat(final).catch(() => null))?.isDirectory()) throw new ChromaseedError('ERR_OUTPUT', `${name}: is a directory; frames cannot be written under that name`);
      const temp = tempPathFor(final);
      trackTemp(temp);
      written.push({ temp, final });
      try {
        const png = await encodePng(rgba, width, height, opaque);
        await writeFile(temp, png);
        bytes += png.length;
        // abort() came while this frame was encoded or written, and could not remove it then.
        if (wasAborted()) {
          await removeQuietly(temp);
          throw abortedWrite(name);
        }
      } catch (err) {
        if (err instanceof ChromaseedError) throw err;
        throw new ChromaseedError('ERR_OUTPUT', `${final}: cannot write PNG frame: ${systemReason(err)}`, { cause: err });
      }
    },
    async commit() {
      if (state !== 'open') throw new Error(`createPngSequence: commit after ${state}`);
      state = 'committed';
      for (const { temp, final } of written) await commitTemp(temp, final);
      return written.map((f) => f.final);
    },
    async leftOver() {
      // Not removed: they are files this run did not write. A user turning the folder into
      // a video would get them appended, so they are named.
      let last = written.length;
      while ((await stat(frameFileName(pattern, last + 1)).catch(() => null))?.isFile()) last++;
      if (last === written.length) return null;
      const from = frameFileName(pattern, written.length + 1);
      const range = last === written.length + 1 ? from : `${from} to ${path.basename(frameFileName(pattern, last))}`;
      return `${range} (${last - written.length} ${last - written.length === 1 ? 'frame' : 'frames'}) from an earlier run ${last - written.length === 1 ? 'is' : 'are'} still there, after this clip's ${written.length}; remove them before using the sequence`;
    },
    async abort() {
      if (state === 'aborted') return;
      state = 'aborted';
      // After a failed commit too: the frames not yet moved are removed; those already moved stay.
      for (const { temp } of written) await removeQuietly(temp);
    },
  };
}
