import { abortedWrite, checkIndexedFrame, ChromaseedError } from '../errors.js';
import { checkGifEncoderOptions } from '../encode/gif-encode.js';
import { MAX_GIF_DELAY_MS } from '../timing.js';
import type { FrameWriter, FrameWriterOptions } from './frame-writer.js';
import { openGifEncoder } from './gif-thread.js';
import { refuseInputAsStdout } from './output-checks.js';
import { createAtomicFile, createStreamOutput } from './output-file.js';
import { STDOUT } from './output-names.js';
import { checkOpen, type WriterState } from './writer-state.js';

/**
 * Frames handed to the GIF encoder ahead of the file write. Enough that quantizing does not
 * wait while the encoder thread starts up (about 0.1 s, measured on cars.gif), but at most
 * about 16 MB of indices in flight for large frames.
 */
const gifFramesAhead = (pixels: number): number => Math.max(3, Math.min(16, Math.floor(16e6 / pixels)));

export async function gifWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const encoderOptions = { width: options.width, height: options.height, loopCount: options.loopCount, differencing: true, mayTurnTransparent: options.mayTurnTransparent === true };
  checkGifEncoderOptions(encoderOptions); // before the temporary file exists
  if (file === STDOUT) await refuseInputAsStdout(options.stdout ?? process.stdout, options.inputPath, 'the GIF (-o -)');
  const out = file === STDOUT ? createStreamOutput(options.stdout ?? process.stdout) : await createAtomicFile(file, options.inputPath);
  const encoder = openGifEncoder(encoderOptions, options.frameCount, options.changesEveryFrame === true);
  // Encoded bytes, in frame order, not yet written. Each promise gets a no-op catch at once
  // so a failure is reported where it is awaited, not as an unhandled rejection.
  const ahead: Promise<Uint8Array>[] = [];
  const framesAhead = gifFramesAhead(options.width * options.height);
  let frames = 0;
  let state: WriterState = 'open';
  const writeReady = async (keep: number) => {
    while (ahead.length > keep) {
      const bytes = await ahead.shift()!;
      // Stream what is ready, so a long GIF is never held whole in memory.
      if (bytes.length > 0) await out.write(bytes);
    }
  };
  const fail = async (err: unknown): Promise<never> => {
    // A write or finish under way when abort() was called fails as aborted, whatever broke.
    if (state === 'aborted') throw abortedWrite(file);
    state = 'aborted';
    encoder.close();
    await out.abort();
    throw err;
  };
  return {
    async write(frame, read) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, options.width, options.height);
      try {
        // The encoder has taken its copy of the frame when it has its bytes. A `read` that
        // throws fails the write or finish that awaits them, as an encoding error would.
        const bytes = read === undefined ? encoder.addFrame(frame) : encoder.addFrame(frame).then((encoded) => (read(), encoded));
        bytes.catch(() => undefined);
        ahead.push(bytes);
        frames++;
        // A turn of the event loop, so the thread's replies so far are taken: a frame source
        // that never waits (a GIF's) left them queued until framesAhead frames were, and
        // quantizeClip got no frame's arrays back until then. (A video's reads take turns.)
        if (encoder.threaded && ahead.length > 3) await new Promise((resolve) => setImmediate(resolve));
        await writeReady(framesAhead);
      } catch (err) {
        await fail(err);
      }
    },
    async finish(finishing) {
      checkOpen(file, state, 'finish');
      try {
        if (frames === 0) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
        await writeReady(0);
        const last = await encoder.finish();
        await out.write(last.bytes);
        encoder.close();
        const bytes = await out.commit(finishing);
        state = 'done';
        // Frames shown longer than a GIF frame can be (an APNG or WebP may ask for hours), as the encoder cut them.
        const cut = last.cutFrames;
        if (cut.length === 0) return { bytes };
        const which = cut.length === 1 ? `frame ${cut[0]} is` : `${cut.length} frames (the first: ${cut[0]}) are`;
        return { bytes, warnings: [`${file}: ${which} shown longer than a GIF frame can be, ${MAX_GIF_DELAY_MS / 1000} s, and cut to that; a video output keeps the whole time`] };
      } catch (err) {
        return fail(err);
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      encoder.close();
      await out.abort();
    },
  };
}
