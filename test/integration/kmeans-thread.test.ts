import { describe, expect, it } from 'vitest';
// The built modules: run from the sources there is no compiled worker, and the run stays in-thread.
import { kmeansPixelsInThread, kmeansPointsInThread } from '../../dist/io/kmeans-thread.js';
import { countDistinctColors } from '../../dist/kmeans/histogram.js';
import { kmeansPixels, kmeansPoints } from '../../dist/kmeans/kmeans.js';
import { vividPoints } from '../../dist/palette/vivid.js';

/** Many distinct colours, as a long clip's colour count has them, with made-up weights. */
function colours(n: number): { points: Float64Array; weights: Float64Array } {
  const points = new Float64Array(n * 3);
  const weights = new Float64Array(n);
  let x = 12345;
  for (let i = 0; i < n * 3; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    points[i] = x >>> 24;
  }
  for (let i = 0; i < n; i++) weights[i] = 1 + (i % 7);
  return { points, weights };
}

/** Opaque pixels of random colours (xorshift32), nearly all distinct. */
function noise(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let x = 2463534242;
  for (let p = 0; p < rgba.length; p += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    rgba[p] = x & 255;
    rgba[p + 1] = (x >>> 8) & 255;
    rgba[p + 2] = (x >>> 16) & 255;
    rgba[p + 3] = 255;
  }
  return rgba;
}

describe('k-means of a clip palette on a worker thread', () => {
  const options = { k: 256, restarts: 1, seed: 3, maxIterations: 300 };

  it('gives the result the engine gives in this thread', async () => {
    const { points, weights } = colours(100_000); // 100,000 x 256: over the worker threshold
    const here = kmeansPoints(points.slice(), weights.slice(), options);
    const there = await kmeansPointsInThread({ points, weights, options });
    expect([there.k, there.iterations, there.inertia]).toEqual([here.k, here.iterations, here.inertia]);
    expect(Array.from(there.centroids)).toEqual(Array.from(here.centroids));
  });

  it("reports the engine's refusal as the same ChromaseedError as in this thread", async () => {
    const { points, weights } = colours(200_000);
    weights[7] = NaN;
    await expect(kmeansPointsInThread({ points, weights, options })).rejects.toMatchObject({ name: 'ChromaseedError', code: 'ERR_USAGE' });
  });

  it('stops when aborted, without waiting for the run to end', async () => {
    const { points, weights } = colours(300_000);
    const controller = new AbortController();
    const run = kmeansPointsInThread({ points, weights, options }, controller.signal);
    setTimeout(() => controller.abort(), 5); // the thread has barely started: a run not stopped would resolve
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('clusters an image of many colours there, so an abort stops it: a noisy 1110x1110 image took 3.5 s in this thread at k = 16, judged by its pixels alone', async () => {
    const rgba = noise(1110, 1110);
    expect(countDistinctColors(rgba)).toBeGreaterThan(1_100_000);
    const controller = new AbortController();
    const run = kmeansPixelsInThread({ rgba, options: { k: 16, restarts: 1, seed: 1, maxIterations: 50 } }, controller.signal);
    setTimeout(() => controller.abort(), 5); // a run in this thread would have resolved before the timer
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('counts restarts in the work: 60,000 colours at k = 48 with 200 restarts go there (their colours x k alone, 2.9 M, kept them here, for seconds)', async () => {
    const rgba = noise(300, 200);
    const controller = new AbortController();
    const run = kmeansPixelsInThread({ rgba, options: { k: 48, restarts: 200, seed: 1, maxIterations: 50 } }, controller.signal);
    setTimeout(() => controller.abort(), 5);
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it("clusters a large image's pixels there as kmeansPixels does here, and its --vivid points as kmeansPoints does", async () => {
    // 600 x 600 pixels of nearly as many colours, at k = 16: over the threshold, so on the worker.
    const rgba = noise(600, 600);
    const imageOptions = { k: 16, restarts: 1, seed: 5, maxIterations: 20 };
    const here = kmeansPixels(rgba, imageOptions);
    const controller = new AbortController();
    const there = await kmeansPixelsInThread({ rgba, options: imageOptions }, controller.signal);
    // Its colours x k are over the threshold, so it ran on the worker (where, as the tests above show, an abort finds a run).
    expect(countDistinctColors(rgba) * 16).toBeGreaterThan(5_000_000);
    expect(Array.from(there.centroids)).toEqual(Array.from(here.centroids));
    expect(there.inertia).toBe(here.inertia);
    expect(rgba.byteLength).toBe(600 * 600 * 4); // copied, not moved: the caller still has its pixels
    const vivid = vividPoints(rgba);
    const vividHere = kmeansPoints(vivid.points, vivid.weights, imageOptions);
    const vividThere = await kmeansPixelsInThread({ rgba, vivid: true, options: imageOptions });
    expect(Array.from(vividThere.centroids)).toEqual(Array.from(vividHere.centroids));
  });
});

describe("the package's clusterer for one palette for a clip (clusterInThread)", () => {
  it('refuses a signal that is none when called, before any thread starts (it failed inside, and the thread it had started kept the process alive)', async () => {
    const { clusterInThread } = await import('../../dist/index.js');
    expect(() => clusterInThread('stop' as never)).toThrow(/^expected an AbortSignal \(an AbortController's signal\) for clusterInThread's signal but received "stop"$/);
  });

  /** A clip of one frame of noise: 600 x 600 pixels of nearly as many colours. */
  const clipOf = (rgba: Uint8Array, afterLast?: () => void) => async () => ({
    info: { width: 600, height: 600, frameCount: 1 },
    frames: (async function* () {
      yield { width: 600, height: 600, data: rgba, delayMs: 100 };
      afterLast?.();
    })(),
  });

  it("is exported by chromaseed, so a library user's clipPalette and global seeding can be stopped (they clustered on the main thread: the event loop and the AbortSignal waited, 11 s at k = 64 on big_buck_bunny at 320 wide)", async () => {
    const { clipPalette, clusterInThread, resolveSequenceOptions } = await import('../../dist/index.js');
    const rgba = noise(600, 600);
    const options = resolveSequenceOptions({ colors: 32, restarts: 1, maxIterations: 20 });
    // Aborted 5 ms after the colours are counted: a clustering in this thread resolved first, since no timer ran until it ended.
    const controller = new AbortController();
    const run = clipPalette(clipOf(rgba, () => void setTimeout(() => controller.abort(), 5)), options, controller.signal, clusterInThread(controller.signal));
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    // Not stopped, it gives the palette of the clustering here.
    const here = await clipPalette(clipOf(rgba), options);
    const there = await clipPalette(clipOf(rgba), options, undefined, clusterInThread());
    expect(Array.from(there.palette.palette)).toEqual(Array.from(here.palette.palette));
    expect(Array.from(there.counts)).toEqual(Array.from(here.counts));
  });
});
