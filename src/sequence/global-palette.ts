import { abortable } from '../abortable.js';
import { checkClipFrame, checkFrameSource, checkRgbaFrame, checkRunArguments, ChromaseedError, kindOf, refuseUnknownKeys, requireOpen, throwIfAborted } from '../errors.js';
import { kmeansPoints, type KMeansResult } from '../kmeans/kmeans.js';
import type { KMeansPointsRequest } from '../kmeans/kmeans-request.js';
import { requireResolvedClustering, RESOLVED_SEQUENCE_NAMES, type ClusterOptions } from '../options.js';
import type { Frame, FrameSource } from '../types.js';
import { toFramePalette, type FramePalette } from './sequential.js';

/** One palette for a whole clip, with the pixels (over all frames) each colour serves. */
export interface ClipPalette {
  palette: FramePalette;
  counts: Float64Array;
}

/** One k-means run on a clip's weighted colours, given by the caller (on another thread, say); by default `kmeansPoints`, here. */
export type PointClusterer = (request: ClusterRequest) => Promise<KMeansResult>;

/** The colours to cluster, as weighted points, and the k-means options for them. */
export type ClusterRequest = KMeansPointsRequest;

/** Reads every frame of the clip once and clusters all its pixels (`--seeding global`, transfer sources). */
export async function clipPalette(open: () => Promise<FrameSource>, options: ClusterOptions, signal?: AbortSignal, cluster?: PointClusterer): Promise<ClipPalette> {
  requireResolvedClustering(options, 'clipPalette', 'resolveClusterOptions (or resolveSequenceOptions)');
  // resolveSequenceOptions's answer (a quantizer's options) is taken whole, what is not the clustering's unread.
  refuseUnknownKeys('clipPalette', options, RESOLVED_SEQUENCE_NAMES);
  requireOpen(open, 'clipPalette');
  checkRunArguments('clipPalette', signal, cluster);
  const accumulator = createColorAccumulator();
  const clip = await open();
  checkFrameSource(clip, 'clipPalette');
  let index = 0;
  for await (const frame of abortable(clip.frames, signal)) {
    // An abort between the frame's arrival and this line came too late to fail the wait.
    throwIfAborted(signal);
    // As quantizeClip checks them: a frame of another size than the clip's was counted here,
    // and `--seeding global` failed only in its second pass, over the same frames.
    checkClipFrame(frame, index++, clip.info.width, clip.info.height);
    accumulator.add(frame);
    // Counted: its buffer can take a later frame (a new one costs a page fault per 4 KiB:
    // 5 ms for each 800x600 frame of hand_anim.gif, every frame of the pass).
    clip.release?.(frame);
  }
  // An abort after the last frame, or during a clustering that does not watch the signal, still stops the run.
  throwIfAborted(signal);
  if (cluster === undefined) return accumulator.finish(options);
  const result = await cluster(accumulator.request(options));
  throwIfAborted(signal);
  // A caller's clusterer may answer anything: {} failed with a TypeError.
  const { k, centroids, counts } = (result ?? {}) as Partial<KMeansResult>;
  if (!(Number.isInteger(k) && k! >= 0 && centroids instanceof Float64Array && centroids.length >= 3 * k! && counts instanceof Float64Array && counts.length >= k!)) {
    throw new ChromaseedError('ERR_USAGE', `clipPalette's clusterer answered ${kindOf(result)}, not a k-means result ({ k, centroids, counts, ... }, as kmeansPoints gives)`);
  }
  return toClipPalette(result);
}

function toClipPalette(result: KMeansResult): ClipPalette {
  return { palette: toFramePalette(result), counts: result.counts.slice(0, result.k) };
}

const MAX_COUNT = 0xffffffff;

/**
 * Counts every opaque colour of every frame in one 2^24-entry table, so one palette for
 * the whole clip is computed over all its pixels exactly, with memory that grows with the
 * clip's distinct colours, not its length: 64 MiB of counts, the colours seen, and their
 * clustering (big_buck_bunny_0_30.webm at 320 wide: 422 MB peak, 118 MB seeded).
 */
export function createColorAccumulator(): { add(frame: Frame): void; request(options: ClusterOptions): ClusterRequest; finish(options: ClusterOptions): ClipPalette } {
  const counts = new Uint32Array(1 << 24);
  // A count about to pass 2^32 - 1 (one colour over ~2,000 full 1080p frames: letterbox
  // black in a long video) moves its 2^32 - 1 here instead of wrapping to 0. Float64 counts
  // would never wrap but double the table for a case this rare.
  const spilled = new Map<number, number>();
  let seen = new Uint32Array(1 << 16);
  let distinct = 0;
  return {
    add(frame) {
      checkRgbaFrame(frame);
      const d = frame.data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        const count = counts[key];
        if (count === 0) {
          if (distinct === seen.length) {
            const grown = new Uint32Array(seen.length * 2);
            grown.set(seen);
            seen = grown;
          }
          seen[distinct++] = key;
        } else if (count === MAX_COUNT) {
          spilled.set(key, (spilled.get(key) ?? 0) + MAX_COUNT);
          counts[key] = 1;
          continue;
        }
        counts[key] = count + 1;
      }
    },
    request,
    finish(options) {
      const { points, weights, options: kmeans } = request(options);
      return toClipPalette(kmeansPoints(points, weights, kmeans));
    },
  };

  /** The colours counted, as weighted points, and the k-means options for them. */
  function request(options: ClusterOptions): ClusterRequest {
    const points = new Float64Array(distinct * 3);
    const weights = new Float64Array(distinct);
    for (let i = 0; i < distinct; i++) {
      const key = seen[i];
      points[i * 3] = key >>> 16;
      points[i * 3 + 1] = (key >>> 8) & 0xff;
      points[i * 3 + 2] = key & 0xff;
      weights[i] = counts[key] + (spilled.get(key) ?? 0);
    }
    const { colors, init, restarts, metric, space, seed, maxIterations } = options;
    return { points, weights, options: { k: colors, init, restarts, metric, space, seed, maxIterations } };
  }
}
