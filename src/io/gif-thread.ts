import { Worker } from 'node:worker_threads';
import type { GifWorkerReply, GifWorkerRequest } from './gif-encode-worker.js';
import { createGifEncoder, type GifEncoderOptions } from '../encode/gif-encode.js';
import { ChromaseedError, errorFromThread } from '../errors.js';
import type { IndexedFrame } from '../types.js';
import { workerFile } from './worker-file.js';

/** The GIF encoder behind promises, so it can run on another thread. */
export interface AsyncGifEncoder {
  /** Queues a frame; resolves to the bytes that became ready (in frame order). */
  addFrame(frame: IndexedFrame): Promise<Uint8Array>;
  /** Resolves to the remaining bytes, trailer included, and the frames whose delays were cut (GifEncoder.cutFrames). */
  finish(): Promise<{ bytes: Uint8Array; cutFrames: readonly number[] }>;
  /** Stops the worker, if any. Safe to call more than once. */
  close(): void;
  /** Whether frames are encoded on a worker thread, whose replies come in turns of the event loop. */
  readonly threaded: boolean;
}

/** Frames smaller than this are encoded in-thread: starting a worker would cost more than it saves. */
const WORKER_MIN_PIXELS = 64 * 1024;
/**
 * Nor does a worker pay on a clip with fewer pixels than this in all (size × frames): its
 * start takes tens of milliseconds of the second core, more than the encoding it would take
 * off this thread. Measured first (best of 7, alternating, before the command line had its
 * code cache): chi.gif (2.4 M) 0.36 -> 0.34 s and 0.32 -> 0.31 s in-thread, animated-loop-3
 * (1.1 M) 0.33 -> 0.28 s, partial_gif_decode (1.6 M) 0.42 -> 0.40 s; cars.gif (3.6 M) is
 * even, earth.gif (7.0 M) 0.49 -> 0.55 s and bounce.gif (22 M) 0.78 -> 0.85 s lose
 * in-thread. With the code cache, the main thread reaches its frames sooner and the balance
 * moved (medians of 16 alternated runs, in-thread -> worker): partial_gif_decode 788 ->
 * 723 ms, animated-loop-3 588 -> 575 ms, chi.gif 675 -> 680 ms (even).
 */
const WORKER_MIN_CLIP_PIXELS = 1_000_000;

/**
 * A GIF encoder on a worker thread when the compiled worker is there and it can pay off:
 * frames large enough, more than one (`frameCount`, when known), since the thread only
 * helps by encoding one frame while the next is quantized, and enough pixels in all
 * (any number for frames from a video, `changesEveryFrame`: see threadPays).
 * Otherwise in this thread. (Run from the TypeScript sources, as the tests do, there is no
 * compiled worker, so the in-thread path is used.)
 */
export function openGifEncoder(options: GifEncoderOptions, frameCount?: number, changesEveryFrame = false): AsyncGifEncoder {
  const worker = threadPays(options.width * options.height, frameCount, changesEveryFrame) ? workerFile('gif-encode-worker', import.meta.url) : null;
  if (worker !== null) return workerEncoder(worker, options);
  const encoder = createGifEncoder(options);
  return {
    addFrame: async (frame) => {
      encoder.addFrame(frame);
      return encoder.takeBytes();
    },
    finish: async () => ({ bytes: encoder.finish(), cutFrames: encoder.cutFrames }),
    close() {},
    threaded: false,
  };
}

/**
 * Whether encoding a clip of `frameCount` frames of `pixels` on a thread of its own pays
 * (see openGifEncoder). Video frames (`changesEveryFrame`) need no length: nearly every
 * pixel changes, so every frame is a whole-frame LZW encode, and the thread pays from a
 * few frames on. Measured on realshort.mp4 (320x240, best of 9, alternating, on an idle
 * machine): 36 frames (2.8 M pixels) 0.97 -> 0.89 s on the thread; its first 3, 8 and 15
 * frames even (0.39, 0.47, 0.60 s either way).
 */
export function threadPays(pixels: number, frameCount: number | undefined, changesEveryFrame: boolean): boolean {
  // A count of 0 is an estimate (a --duration shorter than a frame), and gives one frame.
  const several = frameCount === undefined || frameCount > 1;
  const clipPixels = frameCount === undefined ? Infinity : pixels * frameCount;
  return pixels >= WORKER_MIN_PIXELS && several && (changesEveryFrame || clipPixels >= WORKER_MIN_CLIP_PIXELS);
}

function workerEncoder(file: URL, options: GifEncoderOptions): AsyncGifEncoder {
  const worker = new Worker(file);
  // Replies come back in request order: each one settles the oldest waiting request.
  const waiting: { resolve: (reply: { bytes: Uint8Array; cutFrames?: readonly number[] }) => void; reject: (err: Error) => void }[] = [];
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (reply: GifWorkerReply) => {
    const w = waiting.shift();
    if (!w) return;
    if (reply.type === 'bytes') w.resolve(reply);
    else w.reject(errorFromThread(reply.message, reply.code));
  });
  // The thread's own failures: running out of memory is the user's to act on, like a
  // thread that ends with frames still waiting (killed, out of memory); anything else is a bug.
  const advice = 'try a smaller --width or a shorter part (--duration)';
  worker.on('error', (err) => failAll(errorFromThread(err.message, (err as { code?: string }).code, `not enough memory to encode the GIF; ${advice}`)));
  worker.on('exit', (code) => failAll(new ChromaseedError('ERR_LIMIT', `the thread encoding the GIF stopped (exit code ${code}); ${advice}`)));
  const send = (request: GifWorkerRequest) => worker.postMessage(request);
  const request = (message: GifWorkerRequest) =>
    new Promise<{ bytes: Uint8Array; cutFrames?: readonly number[] }>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push({ resolve, reject });
      send(message);
    });
  send({ type: 'init', options });
  return {
    addFrame: async (frame) => (await request({ type: 'frame', frame })).bytes,
    finish: async () => {
      const { bytes, cutFrames = [] } = await request({ type: 'finish' });
      return { bytes, cutFrames };
    },
    close() {
      failure ??= new Error('closed');
      void worker.terminate();
    },
    threaded: true,
  };
}
