import { parentPort } from 'node:worker_threads';
import { kmeansPoints, type KMeansOptions, type KMeansResult } from './kmeans.js';

/**
 * Worker-thread entry for one k-means run on weighted points: the same pure engine, off the
 * main thread, so that the process still answers Ctrl-C while a long clustering runs (the
 * caller terminates the thread). See src/io/kmeans-thread.ts.
 */
export interface KMeansWorkerRequest {
  points: Float64Array;
  weights: Float64Array | null;
  /** Without `onIteration`: a function cannot cross to another thread. */
  options: Omit<KMeansOptions, 'onIteration'>;
}

/** An error keeps its message and, for a ChromaseedError, its code across the thread. */
export type KMeansWorkerReply = { result: KMeansResult } | { error: string; code?: string };

parentPort?.once('message', (request: KMeansWorkerRequest) => {
  let reply: KMeansWorkerReply;
  try {
    reply = { result: kmeansPoints(request.points, request.weights, request.options) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
  }
  parentPort!.postMessage(reply);
});
