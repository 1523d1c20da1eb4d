import { parentPort } from 'node:worker_threads';
import type { KMeansResult } from '../kmeans/kmeans.js';
import { runRequest, type KMeansRequest } from '../kmeans/kmeans-request.js';

/**
 * Worker-thread entry for one k-means run: the same pure engine, off the main thread, so
 * that the process still answers Ctrl-C while a long clustering runs (the caller terminates
 * the thread). See src/io/kmeans-thread.ts.
 */

/** An error keeps its message and, for a ChromaseedError, its code across the thread. */
export type KMeansWorkerReply = { result: KMeansResult } | { error: string; code?: string };

// A request that cannot be read on this thread (out of memory): said, or the caller waits for ever.
parentPort?.once('messageerror', () => parentPort!.postMessage({ error: 'the request could not be read', code: 'ERR_WORKER_OUT_OF_MEMORY' } satisfies KMeansWorkerReply));

parentPort?.once('message', (request: KMeansRequest) => {
  let reply: KMeansWorkerReply;
  try {
    reply = { result: runRequest(request) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
  }
  parentPort!.postMessage(reply);
});
