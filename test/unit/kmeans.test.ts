import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fromSrgb } from '../../src/color/space.js';
import { buildHistogram, countDistinctColors, createHistogram } from '../../src/kmeans/histogram.js';
import { dedupePoints } from '../../src/kmeans/dedupe.js';
import { listenToHeartbeat } from '../../src/kmeans/heartbeat.js';
import { createKMeans, kmeansPixels, kmeansPoints, type KMeansIterationEvent, type KMeansOptions, type KMeansResult } from '../../src/kmeans/kmeans.js';
import { createLloydScratch } from '../../src/kmeans/lloyd.js';
import { createRng } from '../../src/kmeans/random.js';
import { meansFromSums, reseedEmpty } from '../../src/kmeans/update.js';
import type { ColorSpace, Metric } from '../../src/types.js';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const still = (name: string) => resolve(repoRoot, '../shared/corpus/stills', name);

async function loadRgba(name: string, width?: number): Promise<Uint8Array> {
  let img = sharp(still(name));
  if (width) img = img.resize({ width });
  const data = await img.ensureAlpha().raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** RGBA buffer from a list of [r, g, b, a] pixels. */
function rgbaOf(pixels: number[][]): Uint8Array {
  return Uint8Array.from(pixels.flat());
}

/** Objective recomputed from scratch: every pixel against its nearest centroid, in `space`. */
function bruteInertia(rgba: Uint8Array, centroids: Float64Array, k: number, metric: Metric, space: ColorSpace): number {
  const convert = fromSrgb(space);
  const c = new Float64Array(k * 3);
  for (let j = 0; j < k; j++) convert(centroids[j * 3], centroids[j * 3 + 1], centroids[j * 3 + 2], c, j * 3);
  const p = new Float64Array(3);
  let total = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) continue;
    convert(rgba[i], rgba[i + 1], rgba[i + 2], p, 0);
    let best = Infinity;
    for (let j = 0; j < k; j++) {
      const dx = p[0] - c[j * 3];
      const dy = p[1] - c[j * 3 + 1];
      const dz = p[2] - c[j * 3 + 2];
      const d = metric === 'manhattan' ? Math.abs(dx) + Math.abs(dy) + Math.abs(dz) : dx * dx + dy * dy + dz * dz;
      if (d < best) best = d;
    }
    total += best;
  }
  return total;
}

function expectConsistent(rgba: Uint8Array, result: KMeansResult): void {
  const { k } = result;
  expect(result.centroids.length).toBe(k * 3);
  for (const v of result.centroids) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(255);
  }
  let opaque = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) opaque++;
  const countSum = result.counts.reduce((a, b) => a + b, 0);
  expect(countSum).toBe(opaque);
  if (k > 0) expect(result.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  if (result.labels) {
    const tally = new Float64Array(k);
    for (let p = 0; p < result.labels.length; p++) {
      const label = result.labels[p];
      if (rgba[p * 4 + 3] === 0) expect(label).toBe(-1);
      else tally[label]++;
    }
    expect(Array.from(tally)).toEqual(Array.from(result.counts));
  }
}

describe('buildHistogram', () => {
  it('counts the distinct colours of a real photo exactly, and maps every pixel back to its colour', async () => {
    const rgba = await loadRgba('wuffs__hibiscus.regular.jpeg');
    // Punch transparent holes so the alpha rule is exercised on real data.
    for (let p = 0; p < rgba.length / 4; p += 7) rgba[p * 4 + 3] = 0;
    const h = buildHistogram(rgba);
    const reference = new Map<number, number>();
    let opaque = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] === 0) continue;
      opaque++;
      const key = (rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2];
      reference.set(key, (reference.get(key) ?? 0) + 1);
    }
    expect(h.count).toBe(reference.size);
    expect(countDistinctColors(rgba)).toBe(reference.size);
    expect(h.opaquePixels).toBe(opaque);
    for (let d = 0; d < h.count; d++) {
      const key = (h.colors[d * 3] << 16) | (h.colors[d * 3 + 1] << 8) | h.colors[d * 3 + 2];
      expect(h.weights[d]).toBe(reference.get(key));
    }
    for (let p = 0; p < rgba.length / 4; p++) {
      const d = h.pixelIndex[p];
      if (rgba[p * 4 + 3] === 0) {
        expect(d).toBe(-1);
        continue;
      }
      expect([h.colors[d * 3], h.colors[d * 3 + 1], h.colors[d * 3 + 2]]).toEqual([rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2]]);
    }
  });

  it('gives the same answer when its buffers are reused for another image', async () => {
    const a = await loadRgba('wuffs__bricks-color.jpeg');
    const b = await loadRgba('skimage__chelsea.png', 200);
    const reused = createHistogram();
    buildHistogram(a, reused);
    buildHistogram(b, reused);
    const fresh = buildHistogram(b, createHistogram());
    expect(reused.count).toBe(fresh.count);
    expect(Array.from(reused.weights.subarray(0, fresh.count))).toEqual(Array.from(fresh.weights.subarray(0, fresh.count)));
    expect(Array.from(reused.pixelIndex.subarray(0, b.length / 4))).toEqual(Array.from(fresh.pixelIndex.subarray(0, b.length / 4)));
  });
  it('counts millions of colours exactly (past its table, a slot per colour), then a small image as before', async () => {
    // 2.5 million pixels of 2.4 million colours (an odd multiplier is a bijection on 24
    // bits), so the table grows from 4,096 colours, gives way at 2^21, and the count
    // finishes with a slot per colour. Every 9th pixel of the last 100,000, which repeat
    // the first, is transparent.
    const pixels = 2_500_000, distinct = 2_400_000;
    const rgba = new Uint8Array(pixels * 4);
    const colourOf = (p: number) => Math.imul(p % distinct, 0x9e3779b1) & 0xffffff;
    const hidden = (p: number) => p >= distinct && p % 9 === 0;
    for (let p = 0; p < pixels; p++) {
      const c = colourOf(p);
      rgba.set([c >>> 16, (c >>> 8) & 255, c & 255, hidden(p) ? 0 : 255], p * 4);
    }
    const h = buildHistogram(rgba, createHistogram());
    expect(h.count).toBe(distinct);
    let opaque = 0;
    for (let p = 0; p < pixels; p++) if (!hidden(p)) opaque++;
    expect(h.opaquePixels).toBe(opaque);
    const expected = new Float64Array(distinct);
    for (let p = 0; p < pixels; p++) {
      const d = h.pixelIndex[p];
      if (hidden(p)) {
        expect(d).toBe(-1);
        continue;
      }
      const c = colourOf(p);
      if (h.colors[d * 3] !== c >>> 16 || h.colors[d * 3 + 1] !== ((c >>> 8) & 255) || h.colors[d * 3 + 2] !== (c & 255)) throw new Error(`pixel ${p} labelled with colour ${d}, another colour`);
      expected[d]++;
    }
    expect(Array.from(h.weights.subarray(0, distinct))).toEqual(Array.from(expected));
    // The next build starts from this one's count: its table must have been left empty.
    const small = await loadRgba('wuffs__bricks-color.jpeg');
    const after = buildHistogram(small, h);
    const fresh = buildHistogram(small, createHistogram());
    expect(after.count).toBe(fresh.count);
    expect(Array.from(after.colors.subarray(0, fresh.count * 3))).toEqual(Array.from(fresh.colors.subarray(0, fresh.count * 3)));
    expect(Array.from(after.weights.subarray(0, fresh.count))).toEqual(Array.from(fresh.weights.subarray(0, fresh.count)));
  });
  it('reads pixels the same at any byte offset, and counts any non-zero alpha as opaque', async () => {
    const rgba = await loadRgba('skimage__chelsea.png', 200);
    for (let p = 0; p < rgba.length / 4; p += 5) rgba[p * 4 + 3] = 1 + (p % 254);
    for (let p = 3; p < rgba.length / 4; p += 11) rgba[p * 4 + 3] = 0;
    // The same pixels one byte into a buffer, where they cannot be read as aligned words.
    const shifted = new Uint8Array(rgba.length + 1).subarray(1);
    shifted.set(rgba);
    const aligned = buildHistogram(rgba, createHistogram());
    const unaligned = buildHistogram(shifted, createHistogram());
    expect(unaligned.count).toBe(aligned.count);
    expect(unaligned.opaquePixels).toBe(rgba.length / 4 - Math.ceil((rgba.length / 4 - 3) / 11));
    expect(Array.from(unaligned.colors.subarray(0, aligned.count * 3))).toEqual(Array.from(aligned.colors.subarray(0, aligned.count * 3)));
    expect(Array.from(unaligned.pixelIndex.subarray(0, rgba.length / 4))).toEqual(Array.from(aligned.pixelIndex.subarray(0, rgba.length / 4)));
  });
});

describe('heartbeat', () => {
  it('beats after the colour count and after each restart and refinement, where a caller blocked by the run can act (a progress line due after a second)', async () => {
    const rgba = await loadRgba('wuffs__harvesters.jpeg', 600);
    // What ran before each beat: the iteration events since the last one.
    const between: KMeansIterationEvent[][] = [];
    let since: KMeansIterationEvent[] = [];
    const stop = listenToHeartbeat(() => {
      between.push(since);
      since = [];
    });
    try {
      kmeansPixels(rgba, { k: 16, restarts: 5, onIteration: (e) => since.push(e) });
    } finally {
      stop();
    }
    // The count (nothing clustered yet), five restarts on coarse bins, two refined on the exact colours.
    expect(between.map((events) => events.length > 0 ? `${events[0].phase} ${events[0].restart}` : 'count')).toEqual(['count', 'coarse 0', 'coarse 1', 'coarse 2', 'coarse 3', 'coarse 4', 'exact -1', 'exact -2']);
    for (const events of between.slice(1)) expect(new Set(events.map((e) => `${e.phase} ${e.restart}`)).size).toBe(1);
    // Removed, it hears no more; a remover that is not the listener's own leaves the listener be.
    const heard: number[] = [];
    const other = listenToHeartbeat(() => heard.push(1));
    stop();
    kmeansPixels(rgba, { k: 4, restarts: 2 });
    other();
    kmeansPixels(rgba, { k: 4, restarts: 2 });
    expect(heard.length).toBe(5); // one run: the count, two restarts, both refined
  });
});

describe('random', () => {
  it('is deterministic per seed and spread over [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('kmeansPixels on real photos', () => {
  const cases: Array<{ metric: Metric; space: ColorSpace; init: NonNullable<KMeansOptions['init']> }> = [
    { metric: 'euclidean', space: 'rgb', init: 'kmeans++' },
    { metric: 'euclidean', space: 'lab', init: 'farthest' },
    { metric: 'euclidean', space: 'oklab', init: 'random' },
    { metric: 'manhattan', space: 'rgb', init: 'kmeans++' },
    { metric: 'manhattan', space: 'oklab', init: 'kmeans++' },
  ];
  for (const { metric, space, init } of cases) {
    it(`${metric}/${space}/${init}: objective never increases, inertia matches a brute-force recount`, async () => {
      const rgba = await loadRgba('skimage__coffee.png', 300);
      const events: KMeansIterationEvent[] = [];
      const result = kmeansPixels(rgba, { k: 8, metric, space, init, restarts: 3, labels: true, onIteration: (e) => events.push(e) });
      expect(result.k).toBe(8);
      expect(result.tooFewColors).toBe(false);
      expectConsistent(rgba, result);
      expect(events.length).toBeGreaterThan(3);
      for (let i = 1; i < events.length; i++) {
        const [prev, cur] = [events[i - 1], events[i]];
        if (prev.phase !== cur.phase || prev.restart !== cur.restart) continue;
        expect(cur.iteration).toBe(prev.iteration + 1);
        expect(cur.objective).toBeLessThanOrEqual(prev.objective * (1 + 1e-12));
      }
      // Centroids are reported in sRGB; converting back may clamp out-of-gamut Lab means.
      const brute = bruteInertia(rgba, result.centroids, result.k, metric, space);
      expect(Math.abs(brute - result.inertia) / result.inertia).toBeLessThan(space === 'rgb' ? 1e-9 : 2e-3);
    });
  }

  it('large palettes (k = 64, 6-bit bins, no swap search) stay consistent and beat smaller k', async () => {
    const rgba = await loadRgba('wuffs__harvesters.jpeg', 320);
    const events: KMeansIterationEvent[] = [];
    const r64 = kmeansPixels(rgba, { k: 64, labels: true, onIteration: (e) => events.push(e) });
    expect(r64.k).toBe(64);
    expectConsistent(rgba, r64);
    for (const c of r64.counts) expect(c).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) {
      if (events[i].phase !== events[i - 1].phase || events[i].restart !== events[i - 1].restart) continue;
      expect(events[i].objective).toBeLessThanOrEqual(events[i - 1].objective * (1 + 1e-12));
    }
    expect(bruteInertia(rgba, r64.centroids, 64, 'euclidean', 'rgb') / r64.inertia).toBeCloseTo(1, 9);
    const r16 = kmeansPixels(rgba, { k: 16 });
    expect(r64.inertia).toBeLessThan(r16.inertia * 0.6);
  });

  it('without restarts given, k of 128 or more starts 3 times and k below 128 10 times (defaultRestarts)', async () => {
    const rgba = await loadRgba('wuffs__harvesters.jpeg', 160);
    const starts = (k: number, restarts?: number): { count: number; result: KMeansResult } => {
      const seen = new Set<number>();
      const result = kmeansPixels(rgba, { k, restarts, onIteration: (e) => void (e.restart >= 0 && seen.add(e.restart)) });
      return { count: seen.size, result };
    };
    expect(starts(127).count).toBe(10);
    const large = starts(128);
    expect(large.count).toBe(3);
    expect(large.result.centroids).toEqual(starts(128, 3).result.centroids);
    expect(starts(256, 10).count).toBe(10);
  });

  it('a run started from another run\'s onIteration hook leaves the outer result as it was (found by a QA pass: it took the inner run\'s colours)', async () => {
    const rgba = await loadRgba('wuffs__bricks-color.jpeg', 64);
    const other = await loadRgba('wuffs__harvesters.jpeg', 64);
    const plain = kmeansPixels(rgba, { k: 4 });
    let inner: KMeansResult | undefined;
    const hooked = kmeansPixels(rgba, { k: 4, onIteration: () => void (inner ??= kmeansPixels(other, { k: 3 })) });
    expect([hooked.inertia, [...hooked.centroids]]).toEqual([plain.inertia, [...plain.centroids]]);
    expect(inner).toEqual(kmeansPixels(other, { k: 3 }));
    // An engine of the caller's own is one run at a time: said, not corrupted.
    const engine = createKMeans();
    const refused = () => engine.run(rgba, { k: 4, onIteration: () => engine.runPoints(Float64Array.of(1, 2, 3), null, { k: 1 }) });
    expect(refused).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'runPoints() was called on a k-means engine that is running (from its onIteration hook): run it on another engine (createKMeans()), or after this run returns' }));
    // ...and still usable after.
    expect(engine.run(rgba, { k: 4 }).inertia).toBe(plain.inertia);
  });

  it('labels every pixel with its nearest centroid (rgb, euclidean)', async () => {
    const rgba = await loadRgba('wuffs__bricks-color.jpeg');
    // Runs without labels keep no pixel's colour index (4 bytes a pixel less): one on another
    // image first must leave nothing stale for this one, and their palettes are an engine's.
    const other = await loadRgba('skimage__chelsea.png', 200);
    const unlabelled = kmeansPixels(other, { k: 6 });
    expect(Array.from(unlabelled.centroids)).toEqual(Array.from(createKMeans().run(other, { k: 6 }).centroids));
    const r = kmeansPixels(rgba, { k: 6, labels: true });
    expect(Array.from(r.labels!)).toEqual(Array.from(createKMeans().run(rgba, { k: 6, labels: true }).labels!));
    expect(Array.from(kmeansPixels(rgba, { k: 6 }).centroids)).toEqual(Array.from(r.centroids));
    const labels = r.labels as Int16Array;
    for (let p = 0; p < labels.length; p++) {
      let best = Infinity;
      for (let j = 0; j < r.k; j++) {
        const d = (rgba[p * 4] - r.centroids[j * 3]) ** 2 + (rgba[p * 4 + 1] - r.centroids[j * 3 + 1]) ** 2 + (rgba[p * 4 + 2] - r.centroids[j * 3 + 2]) ** 2;
        if (d < best) best = d;
      }
      const own = (rgba[p * 4] - r.centroids[labels[p] * 3]) ** 2 + (rgba[p * 4 + 1] - r.centroids[labels[p] * 3 + 1]) ** 2 + (rgba[p * 4 + 2] - r.centroids[labels[p] * 3 + 2]) ** 2;
      expect(own).toBeCloseTo(best, 6);
    }
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const rgba = await loadRgba('wuffs__hibiscus.regular.jpeg');
    const a = kmeansPixels(rgba, { k: 12, seed: 7, restarts: 1 });
    const b = createKMeans().run(rgba, { k: 12, seed: 7, restarts: 1 });
    expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
    expect(b.inertia).toBe(a.inertia);
    const others = [1, 2, 3].map((seed) => kmeansPixels(rgba, { k: 12, seed, restarts: 1 }).inertia);
    expect(others.some((x) => x !== a.inertia)).toBe(true);
  });

  it('more restarts never do worse than the first one alone', async () => {
    const rgba = await loadRgba('wuffs__harvesters.jpeg', 400);
    const one = kmeansPixels(rgba, { k: 16, seed: 3, restarts: 1 });
    const ten = kmeansPixels(rgba, { k: 16, seed: 3, restarts: 10 });
    expect(ten.inertia).toBeLessThanOrEqual(one.inertia * 1.0001);
  });

  it('refineIterations: 0 returns the coarse restart unrefined, its inertia recounted on every pixel', async () => {
    // 400 px wide harvesters has well over the 12,000 distinct colours that switch the restarts to coarse bins.
    const rgba = await loadRgba('wuffs__harvesters.jpeg', 400);
    const refined = kmeansPixels(rgba, { k: 16, seed: 3, restarts: 1 });
    const rough = kmeansPixels(rgba, { k: 16, seed: 3, restarts: 1, refineIterations: 0 });
    expect(rough.distinctColors).toBeGreaterThan(12000);
    expect(rough.iterations).toBeLessThan(refined.iterations);
    expect(rough.inertia).toBeGreaterThan(refined.inertia);
    expect(rough.inertia).toBeCloseTo(bruteInertia(rgba, rough.centroids, 16, 'euclidean', 'rgb'), -2);
    expect(() => kmeansPixels(rgba, { k: 16, refineIterations: -1 })).toThrow(/refineIterations/);
  });

  it('an engine reused across images gives the same results as a fresh one', async () => {
    const images = [await loadRgba('skimage__rocket.jpg', 320), await loadRgba('wuffs__bricks-color.jpeg'), await loadRgba('skimage__chelsea.png', 320)];
    const engine = createKMeans();
    for (const rgba of images) {
      for (const metric of ['euclidean', 'manhattan'] as const) {
        const reused = engine.run(rgba, { k: 5, metric, labels: true });
        const fresh = createKMeans().run(rgba, { k: 5, metric, labels: true });
        expect(Array.from(reused.centroids)).toEqual(Array.from(fresh.centroids));
        expect(Array.from(reused.labels as Int16Array)).toEqual(Array.from(fresh.labels as Int16Array));
      }
    }
  });
});

describe('warm start (initialCentroids)', () => {
  it('keeps centroid i as entry i: a converged palette, permuted, comes back permuted', async () => {
    const rgba = await loadRgba('skimage__rocket.jpg', 320);
    const engine = createKMeans();
    const cold = engine.run(rgba, { k: 8, seed: 1, tolerance: 0 });
    const order = [5, 2, 7, 0, 1, 6, 3, 4];
    const permuted = new Float64Array(24);
    order.forEach((from, to) => permuted.set(cold.centroids.subarray(from * 3, from * 3 + 3), to * 3));
    const warm = engine.run(rgba, { k: 8, initialCentroids: permuted, maxIterations: 5 });
    for (let j = 0; j < 8; j++) {
      for (let c = 0; c < 3; c++) expect(warm.centroids[j * 3 + c]).toBeCloseTo(permuted[j * 3 + c], 6);
      expect(warm.counts[j]).toBe(cold.counts[order[j]]);
    }
    expect(warm.inertia).toBeCloseTo(cold.inertia, 3);
    expect(warm.iterations).toBe(1);
  });

  it('after a re-seed, updates the centres again: the cluster that gave up its point no longer counts it', () => {
    // 8 black and 8 red pixels; the start puts (100,0,0) nearest to both and leaves (0,0,255)
    // empty. Red is moved to the empty cluster; no other label changes after that, and the
    // run stopped there with the first cluster's centre at (127.5,0,0), the mean of both colours.
    const rgba = rgbaOf(Array.from({ length: 16 }, (_, i) => (i % 2 ? [255, 0, 0, 255] : [0, 0, 0, 255])));
    for (const metric of ['euclidean', 'manhattan'] as const) {
      const r = kmeansPixels(rgba, { k: 2, metric, initialCentroids: Float64Array.from([100, 0, 0, 0, 0, 255]) });
      const centres = [Array.from(r.centroids.subarray(0, 3)), Array.from(r.centroids.subarray(3, 6))].map(String).sort();
      expect(centres, metric).toEqual(['0,0,0', '255,0,0']);
      expect(r.inertia, metric).toBe(0);
    }
  });

  it('with at most k colours, gives each colour a centre of its own however few steps it may take', () => {
    // Five colours, eight centres: the start puts centre 0 between red and dark red and
    // centre 1 between blue and navy. One step re-seeds two empty centres with one colour
    // of each pair, and the centres the pairs shared stopped at their means (225,0,0) and
    // (0,0,225), painting dark red and navy 25 levels off.
    const colours = [[250, 0, 0], [200, 0, 0], [0, 0, 250], [0, 0, 200], [0, 250, 0]];
    const rgba = rgbaOf(Array.from({ length: 40 }, (_, i) => [...colours[i % 5], 255]));
    const start = Float64Array.from([230, 0, 0, 0, 0, 220, 0, 240, 0, 120, 120, 120, 125, 125, 125, 130, 130, 130, 135, 135, 135, 140, 140, 140]);
    for (const metric of ['euclidean', 'manhattan'] as const) {
      for (const space of ['rgb', 'lab', 'oklab'] as const) {
        const r = kmeansPixels(rgba, { k: 8, metric, space, initialCentroids: start, maxIterations: 1 });
        const what = `${metric}, ${space}`;
        expect(r.inertia, what).toBe(0);
        expect(r.k, what).toBe(8);
        const used = [...Array(8).keys()].filter((j) => r.counts[j] > 0);
        expect(used.map((j) => String(Array.from(r.centroids.subarray(j * 3, j * 3 + 3)))).sort(), what).toEqual(colours.map(String).sort());
        // Green had a centre to itself and keeps it.
        expect(Array.from(r.centroids.subarray(6, 9)), what).toEqual([0, 250, 0]);
      }
    }
  });

  it('re-seeds empty clusters in place from the worst-served colour', () => {
    // Two tight groups; the warm start puts one centre far from everything and two on top
    // of each other, so two clusters start empty.
    const pixels: number[][] = [];
    for (let i = 0; i < 50; i++) pixels.push([200 + (i % 5), 30, 30, 255], [30, 200 + (i % 7), 30, 255]);
    for (let i = 0; i < 20; i++) pixels.push([30, 30, 250, 255]);
    const rgba = rgbaOf(pixels);
    const start = Float64Array.from([0, 0, 0, 100, 100, 30, 100, 100, 30]);
    const events: number[] = [];
    const r = kmeansPixels(rgba, { k: 3, initialCentroids: start, maxIterations: 50, onIteration: (e) => events.push(e.objective) });
    expect(r.k).toBe(3);
    for (const count of r.counts) expect(count).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) expect(events[i]).toBeLessThanOrEqual(events[i - 1]);
    // Whatever the order, the three groups end up as the three clusters.
    const sorted = Array.from(r.counts).sort((a, b) => a - b);
    expect(sorted).toEqual([20, 50, 50]);
    // How well the start fitted: the objective after the first step, as the hook saw it,
    // measured without a hook too (the sequence's scene-cut test reads it).
    expect(r.firstStepInertia).toBe(events[0]);
    expect(kmeansPixels(rgba, { k: 3, initialCentroids: start, maxIterations: 50 }).firstStepInertia).toBe(events[0]);
    expect(events[0]).toBeGreaterThan(r.inertia);
    // Not a warm start: no such figure.
    expect(kmeansPixels(rgba, { k: 3 }).firstStepInertia).toBeUndefined();
  });

  it('with fewer distinct colours than k keeps k entries and flags it', () => {
    const rgba = rgbaOf([[10, 20, 30, 255], [10, 20, 30, 255], [200, 100, 0, 255]]);
    const start = Float64Array.from([0, 0, 0, 50, 50, 50, 250, 100, 0, 128, 128, 128]);
    const r = kmeansPixels(rgba, { k: 4, initialCentroids: start });
    expect(r.k).toBe(4);
    expect(r.tooFewColors).toBe(true);
    expect(r.distinctColors).toBe(2);
    expect(r.inertia).toBe(0);
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('edge cases', () => {
  it('k larger than the number of colours returns exactly those colours, flagged', () => {
    const rgba = rgbaOf([[255, 0, 0, 255], [0, 255, 0, 255], [255, 0, 0, 255], [0, 0, 255, 128], [9, 9, 9, 0]]);
    const r = kmeansPixels(rgba, { k: 8, labels: true });
    expect(r.k).toBe(3);
    expect(r.requestedK).toBe(8);
    expect(r.tooFewColors).toBe(true);
    expect(r.distinctColors).toBe(3);
    expect(r.inertia).toBe(0);
    expect(Array.from(r.centroids)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    expect(Array.from(r.counts)).toEqual([2, 1, 1]);
    expect(Array.from(r.labels as Int16Array)).toEqual([0, 1, 0, 2, -1]);
  });

  it('k = 1 gives the weighted mean (euclidean) of a real photo', async () => {
    const rgba = await loadRgba('wuffs__bricks-color.jpeg');
    const sum = [0, 0, 0];
    for (let i = 0; i < rgba.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += rgba[i + c];
    const n = rgba.length / 4;
    const r = kmeansPixels(rgba, { k: 1 });
    expect(r.k).toBe(1);
    for (let c = 0; c < 3; c++) expect(r.centroids[c]).toBeCloseTo(sum[c] / n, 9);
    expect(r.proportions[0]).toBe(1);
  });

  it('a 1x1 image, a one-colour image', () => {
    const one = kmeansPixels(rgbaOf([[12, 34, 56, 255]]), { k: 4, labels: true });
    expect(one.k).toBe(1);
    expect(Array.from(one.centroids)).toEqual([12, 34, 56]);
    expect(Array.from(one.labels as Int16Array)).toEqual([0]);
    const flat = new Uint8Array(64 * 48 * 4);
    for (let i = 0; i < flat.length; i += 4) flat.set([90, 90, 200, 255], i);
    const r = kmeansPixels(flat, { k: 16, space: 'lab' });
    expect(r.k).toBe(1);
    expect(r.tooFewColors).toBe(true);
    expect(Array.from(r.centroids)).toEqual([90, 90, 200]);
    expect(r.counts[0]).toBe(64 * 48);
  });

  it('all-transparent input gives an empty result, not a crash', () => {
    const rgba = new Uint8Array(10 * 10 * 4).fill(77);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 0;
    const r = kmeansPixels(rgba, { k: 8, labels: true });
    expect(r.k).toBe(0);
    expect(r.centroids.length).toBe(0);
    expect(r.inertia).toBe(0);
    expect(r.distinctColors).toBe(0);
    expect(Array.from(r.labels as Int16Array).every((l) => l === -1)).toBe(true);
    expect(kmeansPixels(new Uint8Array(0), { k: 3 }).k).toBe(0);
  });

  it('rejects an impossible k with a ChromaseedError', () => {
    expect(() => kmeansPixels(rgbaOf([[1, 2, 3, 255]]), { k: 0 })).toThrow(/expected an integer from 1 to 256 for k/);
    expect(() => kmeansPixels(rgbaOf([[1, 2, 3, 255]]), { k: 2, initialCentroids: new Float64Array(3) })).toThrow(/initialCentroids/);
  });
});

describe('initialisations', () => {
  // Points whose positions make the farthest-point order unambiguous.
  const points = Float64Array.from([0, 0, 0, 10, 10, 10, 255, 255, 255, 250, 0, 0, 128, 128, 128, 0, 0, 240]);

  it("'farthest' picks each next centre farthest from those already chosen", () => {
    for (let seed = 0; seed < 6; seed++) {
      const r = kmeansPoints(points, null, { k: 4, init: 'farthest', seed, restarts: 1, maxIterations: 0 });
      const chosen: number[][] = [];
      for (let j = 0; j < 4; j++) chosen.push(Array.from(r.centroids.subarray(j * 3, j * 3 + 3)));
      for (let j = 1; j < 4; j++) {
        const distanceTo = (p: number[]) => Math.min(...chosen.slice(0, j).map((c) => (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2));
        let best = -1;
        for (let i = 0; i < 6; i++) best = Math.max(best, distanceTo(Array.from(points.subarray(i * 3, i * 3 + 3))));
        expect(distanceTo(chosen[j])).toBe(best);
      }
    }
  });

  it("'random' picks k distinct data points", () => {
    const dup = new Float64Array(60);
    for (let i = 0; i < 20; i++) dup.set(points.subarray((i % 6) * 3, (i % 6) * 3 + 3), i * 3);
    for (let seed = 0; seed < 10; seed++) {
      const r = kmeansPoints(dup, null, { k: 5, init: 'random', seed, restarts: 1, maxIterations: 0 });
      const keys = new Set<string>();
      for (let j = 0; j < 5; j++) {
        const c = Array.from(r.centroids.subarray(j * 3, j * 3 + 3));
        keys.add(c.join(','));
        let found = false;
        for (let i = 0; i < 6; i++) if (points[i * 3] === c[0] && points[i * 3 + 1] === c[1] && points[i * 3 + 2] === c[2]) found = true;
        expect(found).toBe(true);
      }
      expect(keys.size).toBe(5);
    }
  });
});

describe('kmeans options', () => {
  it('refuses an unknown init, metric or space (they silently ran the defaults)', () => {
    const rgba = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255, 9, 9, 9, 255]);
    expect(() => kmeansPixels(rgba, { k: 2, init: 'bogus' as never })).toThrow(/kmeans\+\+, farthest or random for init but received "bogus"/);
    expect(() => kmeansPixels(rgba, { k: 2, metric: 'L1' as never })).toThrow(/euclidean or manhattan for metric/);
    expect(() => kmeansPixels(rgba, { k: 2, space: 'hsv' as never })).toThrow(/rgb, lab or oklab for space/);
  });
});

describe('kmeansPoints', () => {
  it('refuses what would make every centroid NaN: a NaN, infinite or vast point, a NaN weight, weights that overflow', () => {
    expect(() => kmeansPoints(Float64Array.from([0, 0, 0, NaN, 1, 2]), null, { k: 1 })).toThrow(/points\[3\]/);
    expect(() => kmeansPoints(Float64Array.from([0, 0, 0, 9, Infinity, 2]), null, { k: 1 })).toThrow(/points\[4\]/);
    expect(() => kmeansPoints(Float64Array.from([0, 0, 0, 9, 9, 9]), Float64Array.from([1, NaN]), { k: 1 })).toThrow(/weights\[1\]/);
    expect(() => kmeansPoints(Float64Array.from([0, 0, 0, 9, 9, 9]), Float64Array.from([1e308, 1e308]), { k: 1 })).toThrow(/a total of at most/);
    expect(() => kmeansPoints(Float64Array.from([0, 0, 0, 9, 9, 1e200]), null, { k: 1 })).toThrow(/points\[5\]/);
  });

  it('returns centroids in sRGB range even for points outside it, and tooFewColors only when there are fewer than k', () => {
    const far = kmeansPoints(Float64Array.from([-50, -60, 300, 310, -40, 280]), null, { k: 2 });
    for (const v of far.centroids) expect(v >= 0 && v <= 255, String(v)).toBe(true);
    const exact = kmeansPoints(Float64Array.from([0, 0, 0, 255, 255, 255]), null, { k: 2 });
    expect([exact.distinctColors, exact.tooFewColors]).toEqual([2, false]);
    expect(kmeansPoints(Float64Array.from([0, 0, 0, 255, 255, 255]), null, { k: 3 }).tooFewColors).toBe(true);
  });

  it('an anchored mean weighs the old centre like `weight` more pixels, in every channel', () => {
    const scratch = createLloydScratch();
    scratch.sums = Float64Array.of(30, 60, 90);
    scratch.totals = Float64Array.of(3);
    const centres = new Float64Array(3);
    meansFromSums(centres, 1, scratch, { centres: Float64Array.of(100, 100, 100), weights: Float64Array.of(1) });
    expect(Array.from(centres)).toEqual([130 / 4, 160 / 4, 190 / 4]);
    meansFromSums(centres, 1, scratch);
    expect(Array.from(centres)).toEqual([10, 20, 30]);
  });

  it('Manhattan centres are weighted per-channel medians (constructed case)', () => {
    const pts = Float64Array.from([0, 0, 0, 10, 100, 5, 20, 50, 7]);
    const w = Float64Array.from([1, 1, 3]);
    const l1 = kmeansPoints(pts, w, { k: 1, metric: 'manhattan' });
    expect(Array.from(l1.centroids)).toEqual([20, 50, 7]);
    expect(l1.inertia).toBe(77 + 62 + 0);
    const l2 = kmeansPoints(pts, w, { k: 1 });
    expect(l2.centroids[0]).toBeCloseTo(14, 12);
    expect(l2.centroids[1]).toBeCloseTo(50, 12);
    expect(l2.centroids[2]).toBeCloseTo(5.2, 12);
  });

  it('Manhattan with two clusters: medians ignore the outlier that drags the mean', () => {
    // Cluster A: (10,10,10) x3 and an outlier (60,10,10) x1; cluster B near (240,240,240).
    const pts = Float64Array.from([10, 10, 10, 60, 10, 10, 240, 240, 240, 250, 240, 230]);
    const w = Float64Array.from([3, 1, 2, 2]);
    const r = kmeansPoints(pts, w, { k: 2, metric: 'manhattan', labels: true });
    const labels = Array.from(r.labels as Int16Array);
    expect(labels[0]).toBe(labels[1]);
    expect(labels[2]).toBe(labels[3]);
    expect(Array.from(r.centroids.subarray(labels[0] * 3, labels[0] * 3 + 3))).toEqual([10, 10, 10]);
    // B: ties at half weight resolve to the lower value, still a minimiser of the L1 cost.
    expect(Array.from(r.centroids.subarray(labels[2] * 3, labels[2] * 3 + 3))).toEqual([240, 240, 230]);
    expect(r.inertia).toBe(50 + 2 * (10 + 0) + 2 * 10);
  });

  it('merges duplicate points and drops zero-weight ones', () => {
    const pts = Float64Array.from([1, 2, 3, 4, 5, 6, 1, 2, 3, 7, 7, 7]);
    const r = kmeansPoints(pts, Float64Array.from([1, 2, 3, 0]), { k: 4, labels: true });
    expect(r.distinctColors).toBe(2);
    expect(r.k).toBe(2);
    expect(Array.from(r.counts).sort()).toEqual([2, 4]);
    const labels = r.labels as Int16Array;
    expect(labels[0]).toBe(labels[2]);
    expect(labels[3]).toBe(-1);
  });

  it('merges whole-number points through its hash table as a plain map does: first appearance order, weights summed, every point its entry', () => {
    // 30,000 points of 4,000 colours, half of them a multiple of 2^12 apart (neighbours in
    // the table: probing), in a scrambled order, some weighing nothing.
    const colours = Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? (i * 4096) & 0xffffff : (i * 2654435761) >>> 8));
    const items = 30000;
    const points = new Float64Array(items * 3);
    const weights = new Float64Array(items);
    let state = 7;
    const expected = new Map<number, { entry: number; weight: number }>();
    const want: number[] = [];
    for (let i = 0; i < items; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const key = colours[state % colours.length];
      points.set([key >>> 16, (key >>> 8) & 0xff, key & 0xff], i * 3);
      weights[i] = state % 7 === 0 ? 0 : 1 + (state % 3);
      if (weights[i] === 0) {
        want.push(-1);
        continue;
      }
      const seen = expected.get(key) ?? { entry: expected.size, weight: 0 };
      seen.weight += weights[i];
      expected.set(key, seen);
      want.push(seen.entry);
    }
    const outSrgb = new Float64Array(items * 3);
    const outWeights = new Float64Array(items);
    const index = new Int32Array(items);
    const n = dedupePoints(points, weights, items, outSrgb, outWeights, index);
    expect(n).toBe(expected.size);
    expect(n).toBeGreaterThan(3900);
    expect(Array.from(index)).toEqual(want);
    for (const [key, { entry, weight }] of expected) {
      expect(Array.from(outSrgb.subarray(entry * 3, entry * 3 + 3))).toEqual([key >>> 16, (key >>> 8) & 0xff, key & 0xff]);
      expect(outWeights[entry]).toBe(weight);
    }
  });

  it('merges no points into no entries, and points that all weigh nothing too, with a table of a few slots', () => {
    const out = () => [new Float64Array(6), new Float64Array(2), new Int32Array(2)] as const;
    const before = process.memoryUsage().arrayBuffers;
    expect(dedupePoints(new Float64Array(0), null, 0, ...out())).toBe(0);
    // Zero points sized the table for 2^25 slots (128 MiB).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    const [srgb, weights, index] = out();
    expect(dedupePoints(Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(0, -1), 2, srgb, weights, index)).toBe(0);
    expect(Array.from(index)).toEqual([-1, -1]);
  });

  it('merges duplicate fractional points too (sorted path), in either order', () => {
    const pts = Float64Array.from([1.5, 2, 3, 300, -4, 6.25, 1.5, 2, 3, 1.5, 2, 3.0001]);
    const r = kmeansPoints(pts, null, { k: 3, labels: true });
    expect(r.distinctColors).toBe(3);
    expect(r.inertia).toBe(0);
    const labels = r.labels as Int16Array;
    expect(labels[0]).toBe(labels[2]);
    expect(labels[3]).not.toBe(labels[0]);
    expect(r.counts[labels[0]]).toBe(2);
    // Centroids are clamped into sRGB's 0..255 when reported.
    expect(Array.from(r.centroids.subarray(labels[1] * 3, labels[1] * 3 + 3))).toEqual([255, 0, 6.25]);
  });

  it('points with pixel-count weights give the same objective as the pixels themselves', async () => {
    const rgba = await loadRgba('skimage__chelsea.png', 240);
    const h = buildHistogram(rgba);
    const pts = new Float64Array(h.count * 3);
    for (let i = 0; i < h.count * 3; i++) pts[i] = h.colors[i];
    const viaPoints = kmeansPoints(pts, h.weights.slice(0, h.count), { k: 6, restarts: 10 });
    const viaPixels = kmeansPixels(rgba, { k: 6, restarts: 10 });
    expect(viaPoints.counts.reduce((a, b) => a + b, 0)).toBe(rgba.length / 4);
    expect(Math.abs(viaPoints.inertia - viaPixels.inertia) / viaPixels.inertia).toBeLessThan(0.005);
    expect(bruteInertia(rgba, viaPoints.centroids, 6, 'euclidean', 'rgb')).toBeCloseTo(viaPoints.inertia, 0);
  });
});

describe('reseedEmpty', () => {
  it('moves an empty cluster onto the costliest point that shares its cluster, never one alone (its cluster would empty in turn)', () => {
    // Cluster 0 holds point 0 alone, its centre pulled 100 levels off it by an anchor: the
    // costliest point. Cluster 1 holds points 1-3 around 200; cluster 2 is empty.
    const points = Float64Array.of(0, 0, 0, 190, 200, 200, 200, 200, 200, 210, 200, 200);
    const set = { n: 4, points, weights: Float64Array.of(1, 1, 1, 1), orders: null };
    const centres = Float64Array.of(100, 0, 0, 200, 200, 200, 255, 255, 255);
    const scratch = createLloydScratch();
    scratch.labels = Int32Array.of(0, 1, 1, 1);
    scratch.totals = Float64Array.of(1, 3, 0);
    expect(reseedEmpty(set, centres, 3, scratch, false)).toBe(true);
    expect(Array.from(scratch.totals)).toEqual([1, 2, 1]); // no cluster left empty
    expect(Array.from(centres.subarray(6))).toEqual([190, 200, 200]); // an end of cluster 1 (the first of the two)
  });
});

describe('the update step after a re-seed', () => {
  it('is taken even when the assignment that follows changes no label (lloyd.ts: black and red)', () => {
    // Starts (100,0,0) and (0,0,255): every point goes to the first centre, the second is
    // re-seeded onto red, the assignment after it changes no label, and the first centre
    // still holds red in its mean until one more update.
    const points = Float64Array.of(0, 0, 0, 1, 0, 0, 255, 0, 0);
    const weights = Float64Array.of(8, 1, 8);
    const r = kmeansPoints(points, weights, { k: 2, initialCentroids: Float64Array.of(100, 0, 0, 0, 0, 255) });
    expect(r.centroids[0]).toBeCloseTo(1 / 9, 9); // the mean of the dark colours, not (120,0,0)
    expect(Array.from(r.centroids.subarray(3))).toEqual([255, 0, 0]);
    expect(r.inertia).toBeCloseTo(8 / 81 + 64 / 81, 9);
  });
});
