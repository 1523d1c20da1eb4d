import { abortedWrite, checkIndexedFrame, checkTimedFrame, ChromaseedError } from '../errors.js';
import { copyRgbaForOutput } from '../pipeline/expand-frame.js';
import type { FrameWriter, FrameWriterOptions } from './frame-writer.js';
import { frameFileName } from './frame-names.js';
import { checkOutputPath, realInputs } from './output-checks.js';
import { createAtomicFile } from './output-file.js';
import { checkNameLength } from './output-names.js';
import { createFramePngEncoder, createPngSequence, encodeRgbaPng } from './png-sequence.js';
import { abortingOnFailure, checkOpen, type WriterState } from './writer-state.js';

export async function pngWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  // The pattern with its directory resolved as the system does, so every frame lands there.
  const pattern = await checkOutputPath(file, undefined);
  // The last frame's name, when the count is known (not a video's estimate, which its sound
  // may have set): refused before any work (%0300d, or a long name past frame 99).
  checkNameLength(frameFileName(file, options.frameCountUncertain === true ? 1 : Math.max(1, options.frameCount ?? 1)));
  const seq = createPngSequence(pattern, { inputs: await realInputs(options.inputPath), shownAs: file });
  const encode = createFramePngEncoder(options.width, options.height);
  let rgba: Uint8Array | null = null; // writeRgba's copy, allocated on first use
  let state: WriterState = 'open';
  // A function, so the check after an await reads the state afresh.
  const wasAborted = (): boolean => state === 'aborted';
  async function abort(): Promise<void> {
    if (state !== 'open') return;
    state = 'aborted';
    await seq.abort();
  }
  /** Writes a frame's PNG bytes. Encoding comes before: a frame with an index past its palette is the caller's RangeError and ends nothing; a failed sharp encoding is left to the caller's abort(). */
  async function put(png: Uint8Array): Promise<void> {
    if (wasAborted()) throw abortedWrite(file);
    await abortingOnFailure(() => seq.write(png), abort);
  }
  return {
    async write(frame, read) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, options.width, options.height);
      await put(await encode(frame));
      read?.();
    },
    async writeRgba(frame) {
      checkOpen(file, state, 'write');
      checkTimedFrame(frame, options.width, options.height);
      rgba ??= new Uint8Array(options.width * options.height * 4);
      const anyTransparent = copyRgbaForOutput(frame.data, rgba, 0);
      await put(await encodeRgbaPng(rgba, options.width, options.height, !anyTransparent));
    },
    async finish(finishing) {
      checkOpen(file, state, 'finish');
      if (seq.count === 0) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
      await abortingOnFailure(() => seq.commit(finishing), abort);
      state = 'done';
      const warnings = await seq.leftOver();
      return { bytes: seq.bytes, ...(warnings.length === 0 ? {} : { warnings }) };
    },
    abort,
  };
}

export async function singlePngWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  // The count is said only where it is why the run stopped: a second frame after a declared one is just "more than one".
  const tooMany = (count?: number) => new ChromaseedError('ERR_USAGE', `${file}: the input has more than one frame${count !== undefined ? ` (${count})` : ''} but a .png holds one; write a .gif, a video, or frame-%04d.png`);
  // An uncertain count (a video's, which its sound or subtitles may have set) is not refused up front: its second frame, if any, is.
  if (options.frameCount !== undefined && options.frameCount > 1 && options.frameCountUncertain !== true) throw tooMany(options.frameCount);
  const out = await createAtomicFile(file, options.inputPath);
  // The frame's PNG, encoded as it comes (so the caller's buffers are free once write resolves) and written at `finish`.
  let png: Uint8Array | null = null;
  let state: WriterState = 'open';
  let abortCalled = false;
  const abort = (): Promise<void> => {
    abortCalled = true;
    if (state === 'open') state = 'aborted';
    return out.abort();
  };
  /** Keeps the frame's PNG; encoded first, as pngWriter's put says, so a bad index ends nothing. */
  async function keep(encode: () => Promise<Uint8Array>): Promise<void> {
    if (png !== null) return abortingOnFailure(() => Promise.reject(tooMany()), abort);
    png = await encode();
  }
  return {
    async write(f, read) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(f, options.width, options.height);
      await keep(() => createFramePngEncoder(options.width, options.height)(f));
      read?.();
    },
    async writeRgba(f) {
      checkOpen(file, state, 'write');
      checkTimedFrame(f, options.width, options.height);
      const rgba = new Uint8Array(options.width * options.height * 4);
      const anyTransparent = copyRgbaForOutput(f.data, rgba, 0);
      await keep(() => encodeRgbaPng(rgba, options.width, options.height, !anyTransparent));
    },
    async finish(finishing) {
      checkOpen(file, state, 'finish');
      state = 'done';
      try {
        if (png === null) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
        await out.write(png);
        return { bytes: await out.commit(finishing) };
      } catch (err) {
        await out.abort();
        // abort() while the file was written: it failed as "commit after aborted".
        throw abortCalled ? abortedWrite(file) : err;
      }
    },
    abort,
  };
}
