import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChromaseedError, throwIfAborted } from '../errors.js';
import { kmeansPoints, type KMeansResult } from '../kmeans/kmeans.js';
import type { KMeansWorkerReply, KMeansWorkerRequest } from '../kmeans/kmeans-worker.js';
import type { PointClusterer } from '../sequence/global-palette.js';

const WORKER_URL = new URL('../kmeans/kmeans-worker.js', import.meta.url);

/**
 * Distinct colours × k under which the run stays in this thread: starting the worker costs
 * 50 to 100 ms (`quantize --seeding global` on cars.gif, 5 runs each: 0.47–0.52 s in-thread,
 * 0.55–0.57 s on a worker), more than such a run takes, and a Ctrl-C waits for it no longer.
 */
const WORKER_MIN_WORK = 20_000_000;

/**
 * k-means on weighted points on a worker thread, stopped by `signal`. One palette for a
 * whole clip clusters every colour of it at once (29 s for 1,200 frames of 640x360 at
 * k = 256), and no signal is handled while JavaScript computes: on the main thread, Ctrl-C
 * waited for the end of it. A small run, and one from the TypeScript sources (the tests),
 * where there is no compiled worker, stays in this thread.
 */
/** A ChromaseedError again when the worker's had a code of ours; the thread running out of memory said as such. */
function threadError(reply: { error: string; code?: string }): Error {
  if (reply.code === 'ERR_WORKER_OUT_OF_MEMORY') return new ChromaseedError('ERR_LIMIT', "not enough memory to cluster the clip's colours; try a shorter part (--duration) or a smaller --width");
  if (reply.code === 'ERR_USAGE' || reply.code === 'ERR_INPUT' || reply.code === 'ERR_LIMIT') return new ChromaseedError(reply.code, reply.error);
  return new Error(reply.error);
}

export function kmeansPointsInThread(request: KMeansWorkerRequest, signal?: AbortSignal): Promise<KMeansResult> {
  throwIfAborted(signal);
  const small = (request.points.length / 3) * request.options.k < WORKER_MIN_WORK;
  if (small || !existsSync(fileURLToPath(WORKER_URL))) return Promise.resolve(kmeansPoints(request.points, request.weights, request.options));
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL);
    const settle = (then: () => void): void => {
      signal?.removeEventListener('abort', stop);
      void worker.terminate();
      then();
    };
    const stop = (): void => settle(() => reject(new ChromaseedError('ERR_ABORTED', 'interrupted')));
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('message', (reply: KMeansWorkerReply) => settle(() => ('result' in reply ? resolve(reply.result) : reject(threadError(reply)))));
    worker.once('error', (err) => settle(() => reject(threadError({ error: err.message, code: (err as { code?: string }).code }))));
    // A thread that ends without a reply (killed, out of memory) must not leave the run waiting.
    worker.once('exit', (code) => settle(() => reject(new ChromaseedError('ERR_LIMIT', `the thread clustering the clip's colours stopped (exit code ${code}); try a smaller -k or a shorter part`))));
    // The points are the caller's to give away: moved, not copied.
    const moved = [request.points.buffer, ...(request.weights !== null ? [request.weights.buffer] : [])] as ArrayBuffer[];
    worker.postMessage(request, moved);
  });
}

/** The clusterer `clipPalette` (and `quantizeClip`, `extractSourcePalette`) takes: this thread's worker, stopped by `signal`. */
export function clusterInThread(signal?: AbortSignal): PointClusterer {
  return (request) => kmeansPointsInThread(request, signal);
}
