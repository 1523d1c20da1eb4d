import { Worker } from 'node:worker_threads';
import { checkRunArguments, ChromaseedError, errorFromThread, kindOf, throwIfAborted } from '../errors.js';
import { countDistinctColors } from '../kmeans/histogram.js';
import type { KMeansResult } from '../kmeans/kmeans.js';
import { DEFAULT_RESTARTS, defaultRestarts } from '../limits.js';
import { runRequest, type KMeansPixelsRequest, type KMeansPointsRequest, type KMeansRequest } from '../kmeans/kmeans-request.js';
import type { KMeansWorkerReply } from './kmeans-worker.js';
import type { PointClusterer } from '../sequence/global-palette.js';
import { workerFile } from './worker-file.js';

/**
 * Work, in colours × k at 10 restarts, under which a run stays in this thread.
 * Starting the worker costs 50 to 100 ms (`quantize --seeding global` on cars.gif, 5 runs
 * each: 0.47–0.52 s in-thread, 0.55–0.57 s on a worker); a run takes about 0.1 to 0.15 µs
 * per colour × k (`palette` on 1-megapixel photos at k = 16: 0.26 to 0.7 s; 265,720 colours
 * at k = 64: 2.3 s), so a run kept here holds up a Ctrl-C for under a second.
 */
const WORKER_MIN_WORK = 5_000_000;
/** An image's colour count costs about a tenth of a colour × k per pixel (8000x8000: 0.6 s before any clustering). */
const PIXELS_PER_UNIT = 10;

/** What the messages of a failed thread name, and what they suggest. */
interface Subject {
  what: string;
  smaller: string;
}
const CLIP: Subject = { what: "the clip's colours", smaller: 'a shorter part (--duration) or a smaller --width' };
const IMAGE: Subject = { what: "the image's colours", smaller: 'a smaller image' };

const noMemory = (subject: Subject): string => `not enough memory to cluster ${subject.what}; try ${subject.smaller}`;
const outOfMemory = (subject: Subject): ChromaseedError => new ChromaseedError('ERR_LIMIT', noMemory(subject));

function threadError(reply: { error: string; code?: string }, subject: Subject): Error {
  return errorFromThread(reply.error, reply.code, noMemory(subject));
}

/**
 * One k-means run on a worker thread, stopped by `signal`. No signal is handled while
 * JavaScript computes, so on the main thread a Ctrl-C waited for the end of a long run (one
 * palette for 1,200 frames of 640x360 at k = 256: 29 s; `palette -k 256` of a 16-megapixel
 * photo: 12 s). `moved` are buffers the caller gives away with the request.
 */
function inThread(file: URL, request: KMeansRequest, moved: ArrayBuffer[], subject: Subject, signal?: AbortSignal): Promise<KMeansResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file);
    const settle = (then: () => void): void => {
      signal?.removeEventListener('abort', stop);
      void worker.terminate();
      then();
    };
    const stop = (): void => settle(() => reject(new ChromaseedError('ERR_ABORTED', 'interrupted')));
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('message', (reply: KMeansWorkerReply) => settle(() => ('result' in reply ? resolve(reply.result) : reject(threadError(reply, subject)))));
    worker.once('error', (err) => settle(() => reject(threadError({ error: err.message, code: (err as { code?: string }).code }, subject))));
    // A thread that ends without a reply (killed, out of memory) must not leave the run waiting.
    worker.once('exit', (code) => settle(() => reject(new ChromaseedError('ERR_LIMIT', `the thread clustering ${subject.what} stopped (exit code ${code}); try a smaller -k or ${subject.smaller}`))));
    // A reply that cannot be read here: out of memory, as the sending below.
    worker.once('messageerror', () => settle(() => reject(outOfMemory(subject))));
    try {
      worker.postMessage(request, moved);
    } catch (err) {
      // Copying the request failed (DataCloneError: "out of memory"): the thread, left
      // waiting for it, kept the process alive, and the run hung.
      settle(() => reject(err instanceof Error && /out of memory/i.test(err.message) ? outOfMemory(subject) : err));
    }
  });
}

/**
 * The work of clustering `colours` (and first counting `pixels`, for an image) with
 * `options`. Restarts multiply it: `--restarts 200` on 61,594 colours at k = 48 took 5.3 s.
 */
function work(colours: number, options: KMeansPointsRequest['options'], pixels = 0): number {
  return colours * options.k * Math.max(1, (options.restarts ?? defaultRestarts(options.k)) / DEFAULT_RESTARTS) + pixels / PIXELS_PER_UNIT;
}

/** The worker's file, or null: a small run, and one from the TypeScript sources (the tests), where there is no compiled worker, stays in this thread. */
const workerFor = (large: boolean): URL | null => (large ? workerFile('kmeans-worker', import.meta.url) : null);

/** `kmeansPoints` on a worker thread when the run is large; the points are the caller's to give away (moved, not copied). */
export function kmeansPointsInThread(request: KMeansPointsRequest, signal?: AbortSignal): Promise<KMeansResult> {
  throwIfAborted(signal);
  // Read before kmeansPoints checks the rest: anything else failed with a TypeError.
  if (request === null || typeof request !== 'object' || !(request.points instanceof Float64Array) || !(request.weights === null || request.weights instanceof Float64Array)) {
    throw new ChromaseedError('ERR_USAGE', `a clusterer takes the request clipPalette makes ({ points: Float64Array, weights: Float64Array or null, options }), not ${kindOf(request)}`);
  }
  const file = workerFor(work(request.points.length / 3, request.options) >= WORKER_MIN_WORK);
  if (file === null) return Promise.resolve(runRequest(request));
  const moved = [request.points.buffer, ...(request.weights !== null ? [request.weights.buffer] : [])] as ArrayBuffer[];
  return inThread(file, request, moved, CLIP, signal);
}

/**
 * `kmeansPixels` (or with `vivid`, on its points) on a worker thread when the image has many
 * colours: counting them first (8 to 14 ms a megapixel) tells a noisy 1-megapixel image, 3.5 s
 * at k = 16, from a photo of that size, under a second. The pixels are copied to the thread
 * (sharp's buffers cannot be handed over): a caller that keeps no reference to them lets
 * its copy go while the thread runs.
 */
export function kmeansPixelsInThread(request: KMeansPixelsRequest, signal?: AbortSignal): Promise<KMeansResult> {
  throwIfAborted(signal);
  // Counted only when the pixels alone are too many to say (they bound the colours).
  const { rgba, options } = request;
  const pixels = rgba.length / 4;
  const file = workerFor(work(pixels, options, pixels) >= WORKER_MIN_WORK && work(countDistinctColors(rgba), options, pixels) >= WORKER_MIN_WORK);
  if (file === null) return Promise.resolve(runRequest(request));
  return inThread(file, request, [], IMAGE, signal);
}

/** The clusterer `clipPalette` (and `quantizeClip`, `extractSourcePalette`) takes: this thread's worker, stopped by `signal`. */
export function clusterInThread(signal?: AbortSignal): PointClusterer {
  // Checked now: found inside, a bad signal failed after the thread had started, which then kept the process alive.
  checkRunArguments('clusterInThread', signal);
  return (request) => kmeansPointsInThread(request, signal);
}
