import { abortable } from '../abortable.js';
import { checkClipFrame, checkFrameSource, checkRgbaFrame, checkRunArguments, ChromaseedError, kindOf, refuseUnknownKeys, requireOpen, throwIfAborted } from '../errors.js';
import { kmeansPoints, type KMeansResult } from '../kmeans/kmeans.js';
import type { KMeansPointsRequest } from '../kmeans/kmeans-request.js';
import { requireResolvedClustering, RESOLVED_SEQUENCE_NAMES, type ClusterOptions } from '../options.js';
import type { ChangedBox, Frame, FrameSource, TimedFrame } from '../types.js';
import { checkChangedWithin, toFramePalette, type FramePalette } from './sequential.js';

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
/** A frame's changedWithin over this share of it is counted whole. */
const MAX_BOX_SHARE = 0.5;

/**
 * Counts every opaque colour of every frame in one 2^24-entry table, so one palette for
 * the whole clip is computed over all its pixels exactly, with memory that grows with the
 * clip's distinct colours, not its length: 64 MiB of counts, the colours seen, and their
 * clustering (big_buck_bunny_0_30.webm at 320 wide: 422 MB peak, 118 MB seeded). A frame
 * with a changedWithin of at most half of it (a GIF's: outside it, the bytes of the frame
 * added before) is counted inside it (animated_gif.gif's first pass, 313 frames: 370 ms
 * counted whole); the counts, and the order of the colours, are the same.
 */
export function createColorAccumulator(): { add(frame: Frame | TimedFrame): void; request(options: ClusterOptions): ClusterRequest; finish(options: ClusterOptions): ClipPalette } {
  const counts = new Uint32Array(1 << 24);
  // A count about to pass 2^32 - 1 (one colour over ~2,000 full 1080p frames: letterbox
  // black in a long video) moves its 2^32 - 1 here instead of wrapping to 0. Float64 counts
  // would never wrap but double the table for a case this rare.
  const spilled = new Map<number, number>();
  let seen = new Uint32Array(1 << 16);
  let distinct = 0;
  // Frames that say where they may have changed (a GIF's: TimedFrame.changedWithin) are
  // counted only there. Each pixel's colour as last counted (key + 1; 0: clear) and the
  // first frame it has not been counted for yet: a pixel is counted for the frames it
  // stayed when it changes, and at the end. A colour is counted when it first shows, so
  // the colours are listed in the order a whole count lists them.
  let current = new Int32Array(0);
  let since = new Int32Array(0);
  let frames = 0;
  /** The frame `current` holds (-1: none), and whether that frame was counted inside its box (so `current` has counts pending). */
  let tracked = -1;
  let lastBoxed = false;

  /** Adds `m` pixels of colour `key`. */
  const bump = (key: number, m: number): void => {
    if (m === 0) return;
    const count = counts[key];
    if (count === 0) register(key);
    if (count + m > MAX_COUNT) {
      spilled.set(key, (spilled.get(key) ?? 0) + count);
      counts[key] = m;
    } else counts[key] = count + m;
  };
  const register = (key: number): void => {
    if (distinct === seen.length) {
      const grown = new Uint32Array(seen.length * 2);
      grown.set(seen);
      seen = grown;
    }
    seen[distinct++] = key;
  };
  /** Counts every tracked pixel for the frames it stayed, up to the frames added so far. */
  const settle = (): void => {
    for (let p = 0; p < current.length; p++) {
      if (current[p] !== 0 && since[p] < frames) bump(current[p] - 1, frames - since[p]);
      since[p] = frames;
    }
  };
  const track = (d: Uint8Array): void => {
    const n = d.length >>> 2;
    if (current.length !== n) {
      current = new Int32Array(n);
      since = new Int32Array(n);
    }
    for (let p = 0, i = 0; p < n; p++, i += 4) current[p] = d[i + 3] === 0 ? 0 : ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]) + 1;
    since.fill(frames + 1);
    tracked = frames;
  };
  /** Counts the pixels inside `box` that changed since the frame before (which `current` holds). */
  const addBox = (d: Uint8Array, width: number, box: ChangedBox): void => {
    for (let y = box.y0; y < box.y1; y++) {
      for (let p = y * width + box.x0, end = y * width + box.x1; p < end; p++) {
        const i = p * 4;
        const value = d[i + 3] === 0 ? 0 : ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]) + 1;
        const was = current[p];
        if (value === was) continue;
        if (was !== 0) bump(was - 1, frames - since[p]);
        if (value !== 0) bump(value - 1, 1);
        current[p] = value;
        since[p] = frames + 1;
      }
    }
    tracked = frames;
  };
  return {
    add(frame) {
      checkRgbaFrame(frame);
      const d = frame.data;
      const box = (frame as TimedFrame).changedWithin;
      if (box !== undefined) checkChangedWithin(box, frame.width, frame.height);
      // A box of most of the frame is counted whole: comparing it costs more than counting
      // it where most pixels are clear (hand_anim.gif's frames redraw the whole canvas).
      const small = box !== undefined && (box.x1 - box.x0) * (box.y1 - box.y0) <= MAX_BOX_SHARE * frame.width * frame.height;
      if (small && tracked === frames - 1 && current.length * 4 === d.length) {
        addBox(d, frame.width, box);
        lastBoxed = true;
        frames++;
        return;
      }
      // Counted whole: what the pixels tracked stayed for is counted first.
      if (lastBoxed) settle();
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        const count = counts[key];
        if (count === 0) {
          register(key);
        } else if (count === MAX_COUNT) {
          spilled.set(key, (spilled.get(key) ?? 0) + MAX_COUNT);
          counts[key] = 1;
          continue;
        }
        counts[key] = count + 1;
      }
      // Tracked, for the next frame, from a frame that was or could have been counted inside
      // its box (not from a video's: no frame of theirs has one).
      if (lastBoxed || small) track(d);
      lastBoxed = false;
      frames++;
    },
    request,
    finish(options) {
      const { points, weights, options: kmeans } = request(options);
      return toClipPalette(kmeansPoints(points, weights, kmeans));
    },
  };

  /** The colours counted, as weighted points, and the k-means options for them. */
  function request(options: ClusterOptions): ClusterRequest {
    // Checked here too: the accumulator is public, and finish() failed with a TypeError, finish({ colours: 3 }) naming k.
    refuseUnknownKeys("a colour accumulator's request or finish", options, RESOLVED_SEQUENCE_NAMES);
    requireResolvedClustering(options, "a colour accumulator's request or finish", 'resolveClusterOptions (or resolveSequenceOptions)');
    if (lastBoxed) settle();
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
