import { parentPort } from 'node:worker_threads';
import type { IndexedFrame } from '../types.js';
import { createGifEncoder, type GifEncoder, type GifEncoderOptions } from '../encode/gif-encode.js';

/**
 * Worker-thread entry for GIF encoding: the same pure encoder, run beside the quantizer
 * so LZW compression of frame t overlaps k-means of frame t+1 (the machine has a core for
 * each). Messages arrive and leave in order; every reply carries the bytes ready so far.
 */
export type GifWorkerRequest =
  | { type: 'init'; options: GifEncoderOptions }
  | { type: 'frame'; frame: IndexedFrame }
  | { type: 'finish' };

/**
 * `cutFrames` comes with the last reply (see GifEncoder.cutFrames). `code`: a
 * ChromaseedError's. `init` has no reply of its own: its failure is the reply to every
 * request after it, so that replies stay in request order.
 */
export type GifWorkerReply = { type: 'bytes'; bytes: Uint8Array; cutFrames?: readonly number[] } | { type: 'error'; message: string; code?: string };

let encoder: GifEncoder | Error | null = null;

parentPort?.on('message', (request: GifWorkerRequest) => {
  if (request.type === 'init') {
    encoder = startEncoder(request.options);
    return;
  }
  try {
    if (encoder === null) throw new Error('GIF worker used before init');
    if (encoder instanceof Error) throw encoder;
    const last = request.type === 'finish';
    if (!last) encoder.addFrame(request.frame);
    const bytes = last ? encoder.finish() : encoder.takeBytes();
    parentPort!.postMessage({ type: 'bytes', bytes, ...(last ? { cutFrames: encoder.cutFrames } : {}) } satisfies GifWorkerReply, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) } satisfies GifWorkerReply);
  }
});

/** The encoder, or why it could not start (answered to each request after it). */
function startEncoder(options: GifEncoderOptions): GifEncoder | Error {
  try {
    return createGifEncoder(options);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
