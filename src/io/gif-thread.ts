import { Worker } from 'node:worker_threads';
import type { GifWorkerReply, GifWorkerRequest } from './gif-encode-worker.js';
import { createGifEncoder, type GifEncoderOptions } from '../encode/gif-encode.js';
import { ChromaseedError, errorFromThread } from '../errors.js';
import type { IndexedFrame } from '../types.js';
import { workerFile } from './worker-file.js';
import type { EarlyGifThread } from './early-gif-thread.js';
import { threadPays } from './gif-thread-pays.js';

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

/** The thread offered by offerEarlyGifThread, until the next encoder opens. */
let earlyThread: EarlyGifThread | null = null;

/**
 * Offers the next openGifEncoder a thread already started, which it takes if it wants a
 * thread and ends if not: a thread takes about 100 ms of the second core to start, which
 * the command line spends while it loads (see early-gif-thread.ts).
 */
export function offerEarlyGifThread(thread: EarlyGifThread): void {
  earlyThread?.drop();
  earlyThread = thread;
}

/**
 * A GIF encoder on a worker thread when the compiled worker is there and it can pay off:
 * frames large enough, more than one (`frameCount`, when known), since the thread only
 * helps by encoding one frame while the next is quantized, and enough pixels in all
 * (any number for frames from a video, `changesEveryFrame`: see threadPays).
 * Otherwise in this thread. (Run from the TypeScript sources, as the tests do, there is no
 * compiled worker, so the in-thread path is used.) A thread offered by offerEarlyGifThread
 * is the one used, if it is usable, and is ended if none is wanted.
 */
export function openGifEncoder(options: GifEncoderOptions, frameCount?: number, changesEveryFrame = false): AsyncGifEncoder {
  const file = threadPays(options.width * options.height, frameCount, changesEveryFrame) ? workerFile('gif-encode-worker', import.meta.url) : null;
  const offered = earlyThread;
  earlyThread = null;
  const worker = file === null ? null : (offered?.take() ?? new Worker(file));
  offered?.drop();
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

function workerEncoder(worker: Worker, options: GifEncoderOptions): AsyncGifEncoder {
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
