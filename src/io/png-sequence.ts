import path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { createIndexedPngEncoder } from '../encode/png-encode.js';
import { abortedWrite, ChromaseedError, systemReason } from '../errors.js';
import { COUNTED_PIXELS } from '../limits.js';
import { expandToRgba } from '../pipeline/expand-frame.js';
import type { IndexedFrame } from '../types.js';
import { frameFileName, frameNumberOf } from './frame-names.js';
import { refuseInputAsOutput, specialFileAt } from './output-checks.js';
import { type FinishOptions, openExclusive, placeFiles, removeQuietly } from './output-file.js';
import { checkNameLength, hiddenFiles, nameOfTemp, pathBeside, tempPathFor } from './output-names.js';

/** RGBA bytes as a truecolour PNG through sharp, for frames no palette holds; `opaque` drops the alpha channel. */
export async function encodeRgbaPng(rgba: Uint8Array, width: number, height: number, opaque = false): Promise<Buffer> {
  const { default: sharp } = await import('sharp'); // loaded on first use: most runs never need it
  let image = sharp(rgba, { ...COUNTED_PIXELS, raw: { width, height, channels: 4 } });
  if (opaque) image = image.removeAlpha();
  return image.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
}

/**
 * zlib's default level. Level 9 made the palette PNGs of 518 frames of 11 clips and stills
 * 0.2–6.6% smaller (4.2% in all) and took about 8 times as long to compress (a 1280x720
 * frame: 16 ms at 6, about 130 at 9), which made a run on realshort.mp4 12% longer.
 */
const DEFLATE_LEVEL = 6;

/**
 * Quantized frames of one size as PNG bytes: a palette PNG (createIndexedPngEncoder), exact
 * and about half the size of RGB; the one frame a palette cannot hold (256 colours drawn
 * and some pixels transparent: 257 entries) as RGBA through sharp, also exact.
 * A frame that breaks the IndexedFrame contract rejects with a RangeError.
 */
export function createFramePngEncoder(width: number, height: number): (frame: IndexedFrame) => Promise<Uint8Array> {
  const indexed = createIndexedPngEncoder(width, height, (data) => deflateSync(data, { level: DEFLATE_LEVEL }));
  let rgba: Uint8Array | null = null; // for the RGBA fallback, allocated the first time it is needed
  return async (frame) => {
    const png = indexed.encode(frame);
    if (png !== null) return png;
    rgba ??= new Uint8Array(width * height * 4);
    expandToRgba(frame, rgba, 0);
    try {
      return await encodeRgbaPng(rgba, width, height);
    } catch (err) {
      throw new ChromaseedError('ERR_OUTPUT', `cannot encode a ${width}x${height} PNG frame: ${systemReason(err)}`, { cause: err });
    }
  };
}

export interface PngSequenceOptions {
  /** Real paths of the input files (see realInputs), so no frame overwrites one. */
  inputs: readonly string[];
  /** The pattern as the user gave it, for messages (`pattern` is resolved to a real directory). */
  shownAs: string;
}

export interface PngSequence {
  /** Writes the next frame's PNG bytes (under a temporary name). */
  write(png: Uint8Array): Promise<void>;
  /** Frames written so far. */
  readonly count: number;
  /** Total bytes written. */
  readonly bytes: number;
  /** Moves every frame to its numbered name, calling `finishing`'s hooks before the first and once the last has its name; returns the final names, in order. */
  commit(finishing?: FinishOptions): Promise<string[]>;
  /**
   * After a commit: what else is there under the pattern's names, as warning lines: frames
   * numbered on from this clip's last (from an earlier, longer run), and temporary frames
   * of a run that was killed.
   */
  leftOver(): Promise<string[]>;
  /** Deletes the frames written so far; files that were already there are left as they were. */
  abort(): Promise<void>;
}

/** Whether `file` is a file (false where it cannot be read). */
function isFileSync(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/**
 * Writes numbered PNG frames, encoded by the caller (createFramePngEncoder). Every frame
 * goes to a temporary name and all are renamed only once the whole clip has been written,
 * so an interrupted or failed run leaves no partial sequence and does not touch frame files
 * that existed before it (a finished run replaces them, as `-o` does with any output). The
 * renaming itself is undone when it fails part-way (a name too long, a file that cannot be
 * replaced) or abort() comes during it (Ctrl-C, or a second one, which ends the process):
 * each frame file it replaced is kept under a hidden name until every frame is in place, and
 * put back otherwise. PNG has no frame timing: delays are not kept.
 */
export function createPngSequence(pattern: string, options: PngSequenceOptions): PngSequence {
  const written: { temp: string; final: string }[] = [];
  const shownPattern = options.shownAs;
  const shown = (n: number): string => frameFileName(shownPattern, n);
  let bytes = 0;
  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  let committing: Promise<unknown> | null = null;
  // A function, so the check after an await reads the state afresh.
  const wasAborted = (): boolean => state === 'aborted';
  return {
    get count() {
      return written.length;
    },
    get bytes() {
      return bytes;
    },
    async write(png) {
      if (state !== 'open') throw new Error(`createPngSequence: write after ${state}`);
      const final = path.resolve(frameFileName(pattern, written.length + 1));
      const name = shown(written.length + 1);
      // Said at this frame, not by the renaming after the last one (the temporary name is shortened to fit).
      checkNameLength(name);
      await refuseInputAsOutput(final, options.inputs, name);
      // Found now, not when the frames are moved into place, where earlier frames would already have replaced files.
      if ((await stat(final).catch(() => null))?.isDirectory()) throw new ChromaseedError('ERR_OUTPUT', `${name}: is a directory; frames cannot be written under that name`);
      const existing = await lstat(final).catch(() => null);
      const special = existing && (await specialFileAt(final, existing));
      if (special) throw new ChromaseedError('ERR_OUTPUT', `${name}: is ${special}, not a file; frames cannot be written under that name`);
      const temp = tempPathFor(final);
      try {
        const handle = await openExclusive(temp);
        written.push({ temp, final });
        try {
          await handle.writeFile(png);
        } finally {
          await handle.close();
        }
        bytes += png.length;
        // abort() came while this frame was written, and could not remove it then.
        if (wasAborted()) {
          await removeQuietly(temp);
          throw abortedWrite(name);
        }
      } catch (err) {
        if (err instanceof ChromaseedError) throw err;
        throw new ChromaseedError('ERR_OUTPUT', `${name}: cannot write PNG frame: ${systemReason(err)}`, { cause: err });
      }
    },
    async commit(finishing) {
      if (state !== 'open') throw new Error(`createPngSequence: commit after ${state}`);
      await finishing?.beforePlace?.();
      // abort() came meanwhile (Ctrl-C as the picture was placed): the frames are gone.
      if (wasAborted()) throw abortedWrite(shownPattern);
      state = 'committing';
      const done = placeFiles(written, wasAborted, shownPattern).then((frames) => {
        finishing?.afterPlace?.();
        return frames.release();
      });
      committing = done;
      await done;
      state = 'committed';
      return written.map((f) => f.final);
    },
    async leftOver() {
      // Not removed: they are files this run did not write. A user turning the folder into
      // a video (or globbing it) would get them appended, so they are named: every one, not
      // only those up to a gap in their numbers.
      // Synchronous, as PlacedFiles.release: asked once the frames have their names, before the summary.
      let names: string[];
      try {
        names = readdirSync(path.dirname(pattern));
      } catch {
        return [];
      }
      const warnings: string[] = [];
      const after = names.map((name) => frameNumberOf(pattern, name)).filter((n): n is number => n !== null && n > written.length && isFileSync(frameFileName(pattern, n)));
      if (after.length > 0) {
        // (A reduce, not Math.min(...): a spread of 200,000 numbers overflows the call stack.)
        const first = after.reduce((a, b) => Math.min(a, b));
        const last = after.reduce((a, b) => Math.max(a, b));
        const range = first === last ? shown(first) : `${shown(first)} to ${path.basename(shown(last))}`;
        const count = after.length === 1 ? '1 frame' : `${after.length} frames${after.length < last - first + 1 ? ', with gaps' : ''}`;
        warnings.push(`${range} (${count}) from an earlier run ${after.length === 1 ? 'is' : 'are'} still there, after this clip's ${written.length}; remove them before using the sequence`);
      }
      // A run killed outright (kill -9, out of memory) leaves its frames' temporary files.
      const hidden = names.filter((name) => {
        const frame = nameOfTemp(name);
        return frame !== null && frameNumberOf(pattern, frame) !== null;
      }).sort();
      if (hidden.length > 0) {
        warnings.push(`${hiddenFiles(hidden.map((name) => pathBeside(shownPattern, name)))}: ${hidden.length === 1 ? 'a temporary frame' : 'temporary frames'} of this sequence, left by a run that was killed (kill -9, out of memory) or being written by one still running; remove ${hidden.length === 1 ? 'it' : 'them'} once no run is writing the sequence`);
      }
      return warnings;
    },
    async abort() {
      if (state === 'aborted' || state === 'committed') return;
      const wasCommitting = state === 'committing';
      state = 'aborted';
      // The renaming sees the state between two frames, and undoes what it did.
      if (wasCommitting) await committing?.catch(() => undefined);
      for (const { temp } of written) await removeQuietly(temp);
    },
  };
}

