import { vividPoints } from '../palette/vivid.js';
import { kmeansPixels, kmeansPoints, type KMeansOptions, type KMeansResult } from './kmeans.js';

/** Options that can cross to another thread: without `onIteration`, a function. */
type ThreadOptions = Omit<KMeansOptions, 'onIteration'>;

/** k-means on weighted points, as `kmeansPoints` runs it. */
export interface KMeansPointsRequest {
  points: Float64Array;
  weights: Float64Array | null;
  options: ThreadOptions;
}

/** k-means on the opaque pixels of an RGBA image, as `kmeansPixels` runs it, or with `vivid` on its `vividPoints`. */
export interface KMeansPixelsRequest {
  rgba: Uint8Array;
  vivid?: boolean;
  options: ThreadOptions;
}

export type KMeansRequest = KMeansPointsRequest | KMeansPixelsRequest;

/** The one k-means run a request asks for, in whichever thread runs it. */
export function runRequest(request: KMeansRequest): KMeansResult {
  if (!('rgba' in request)) return kmeansPoints(request.points, request.weights, request.options);
  if (!request.vivid) return kmeansPixels(request.rgba, request.options);
  const { points, weights } = vividPoints(request.rgba);
  return kmeansPoints(points, weights, request.options);
}
