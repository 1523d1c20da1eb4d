/**
 * The frame histogram (recounting only the pixels that changed) must give, frame after
 * frame, the counts a fresh count gives: the same colours with the same pixel counts, every
 * pixel pointing at its own colour, and no colour without pixels.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { createFrameHistogram } from '../../src/kmeans/frame-histogram.js';
import { buildHistogram, createHistogram, type ColorHistogram } from '../../src/kmeans/histogram.js';
import { createKMeans } from '../../src/kmeans/kmeans.js';
import { createRng } from '../../src/kmeans/random.js';
import { changedBox } from '../../src/sequence/frame-change.js';

const corpus = path.resolve(__dirname, '../../../shared/corpus');

/** colour (r,g,b as one number) -> pixels. */
function countsOf(h: ColorHistogram): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < h.count; i++) m.set((h.colors[3 * i] << 16) | (h.colors[3 * i + 1] << 8) | h.colors[3 * i + 2], h.weights[i]);
  return m;
}

function expectSameAsFresh(h: ColorHistogram, rgba: Uint8Array): void {
  const fresh = buildHistogram(rgba, createHistogram());
  expect(h.count).toBe(fresh.count);
  expect(h.opaquePixels).toBe(fresh.opaquePixels);
  expect(countsOf(h)).toEqual(countsOf(fresh));
  for (let i = 0; i < h.count; i++) expect(h.weights[i]).toBeGreaterThan(0);
  for (let p = 0, o = 0; p < rgba.length >> 2; p++, o += 4) {
    const d = h.pixelIndex[p];
    if (rgba[o + 3] === 0) {
      if (d !== -1) expect.fail(`pixel ${p} is transparent but points at colour ${d}`);
      continue;
    }
    if (d < 0 || d >= h.count || h.colors[3 * d] !== rgba[o] || h.colors[3 * d + 1] !== rgba[o + 1] || h.colors[3 * d + 2] !== rgba[o + 2]) {
      expect.fail(`pixel ${p} points at colour ${d}, not at its own`);
    }
  }
}

describe('frame histogram', () => {
  it('counts a dithered cinemagraph frame by frame as a fresh count does, recounting most frames', () => {
    const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/dartimage__animated_gif.gif'))), 'animated_gif.gif');
    const tracked = createFrameHistogram(createHistogram());
    let frames = 0;
    for (const frame of gif.frames()) {
      expectSameAsFresh(tracked.count(frame.data), frame.data);
      if (++frames === 40) break;
    }
    // 99% of its pixels repeat the frame before's, and 60% differ from their left neighbour.
    expect(tracked.recounts).toBeGreaterThanOrEqual(35);
  });

  it('told where each frame differs from the one before, looks only there and counts the same, histogram for histogram', () => {
    const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/gifcontrols__move-resize.gif'))), 'move-resize.gif');
    const told = createFrameHistogram(createHistogram());
    const untold = createFrameHistogram(createHistogram());
    let before: Uint8Array | null = null;
    let frames = 0;
    for (const frame of gif.frames()) {
      const difference = before === null ? undefined : { changed: changedBox(frame.data, before, frame.width), width: frame.width };
      const a = told.count(frame.data, difference);
      const b = untold.count(frame.data);
      expect([a.count, a.opaquePixels]).toEqual([b.count, b.opaquePixels]);
      expect(a.colors.subarray(0, 3 * a.count)).toEqual(b.colors.subarray(0, 3 * b.count));
      expect(a.weights.subarray(0, a.count)).toEqual(b.weights.subarray(0, b.count));
      expect(Buffer.from(a.pixelIndex.buffer, 0, 4 * (frame.data.length >> 2)).equals(Buffer.from(b.pixelIndex.buffer, 0, 4 * (frame.data.length >> 2)))).toBe(true);
      before = frame.data.slice();
      if (++frames === 60) break;
    }
    expect(told.recounts).toBeGreaterThanOrEqual(50);
    // A box that leaves out a pixel that changed is believed: what the promise costs.
    const first = [...gif.frames()].slice(0, 2).map((f) => f.data.slice());
    const trusting = createFrameHistogram(createHistogram());
    trusting.count(first[0]);
    const changed = changedBox(first[1], first[0], gif.info.width)!;
    const short = trusting.count(first[1], { changed: { ...changed, x1: changed.x1 - 1 }, width: gif.info.width });
    expect(countsOf(short)).not.toEqual(countsOf(buildHistogram(first[1], createHistogram())));
  });

  it('follows new, vanished, cleared and drawn pixels, alpha-only changes, a busy frame and a new size', () => {
    const width = 128;
    const height = 128;
    const rng = createRng(7);
    // Dithered: nearly every pixel unlike its left neighbour, so recounting pays, in 200
    // colours (a GIF's few hundred, not a video's hundred thousand); colours 0 to 9 on one
    // pixel each (100 to 109), so that repainting it empties its colour; a clear corner.
    const palette = Array.from({ length: 200 }, () => [0, 1, 2].map(() => Math.floor(rng() * 256)));
    const base = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const clear = p % width < 8 && p < 8 * width;
      const colour = p >= 100 && p < 110 ? palette[p - 100] : palette[10 + Math.floor(rng() * 190)];
      base.set(clear ? [0, 0, 0, 0] : [...colour, 255], 4 * p);
    }
    const tracked = createFrameHistogram(createHistogram());
    const step = (frame: Uint8Array): void => expectSameAsFresh(tracked.count(frame), frame);
    step(base);

    const frame = base.slice();
    // A few pixels take new colours, which empties the rare colours of 100 to 109.
    for (let p = 100; p < 140; p++) frame.set([1, 2, (p * 5) & 255, 255], 4 * p);
    // Some take a colour another pixel has (old colour emptied, another's count grows).
    for (let p = 200; p < 210; p++) frame.set(frame.subarray(4 * 3000, 4 * 3000 + 4), 4 * p);
    expect(countsOf(buildHistogram(frame, createHistogram())).size).toBeLessThan(200 + 40);
    step(frame);
    expect(tracked.recounts).toBe(1);

    // The same frame again: nothing to recount.
    step(frame.slice());
    expect(tracked.recounts).toBe(2);

    // Alpha only (the colour stays), opaque to clear, clear to drawn.
    const alphaOnly = frame.slice();
    for (let p = 500; p < 520; p++) alphaOnly[4 * p + 3] = 128;
    for (let p = 600; p < 620; p++) alphaOnly.fill(0, 4 * p, 4 * p + 4);
    alphaOnly.set([9, 9, 9, 255], 4 * 3); // in the clear corner
    step(alphaOnly);
    expect(tracked.recounts).toBe(3);

    // 400 new colours in one frame: the colour table grows mid-frame.
    const many = alphaOnly.slice();
    for (let p = 1000; p < 1000 + 400; p++) many.set([p & 255, (p >> 8) & 255, 77, 255], 4 * p);
    step(many);
    expect(tracked.recounts).toBe(4);

    // A busy frame (a quarter changed, to colours it has) is counted afresh, and the next
    // small change recounted.
    const busy = many.slice();
    for (let p = 0; p < width * height; p += 4) busy.set(many.subarray(4 * (p + 1), 4 * (p + 2)), 4 * p);
    step(busy);
    expect(tracked.recounts).toBe(4);
    const after = busy.slice();
    after.set([250, 1, 1, 255], 4 * 9000);
    // A colour the frame has, looked up in the table rebuilt for the fresh count.
    for (let p = 9001; p < 9041; p++) after.set(after.subarray(4 * (p + 3000), 4 * (p + 3001)), 4 * p);
    step(after);
    expect(tracked.recounts).toBe(5);

    // Another size: counted afresh.
    step(after.subarray(0, 64 * 128 * 4));
    expect(tracked.recounts).toBe(5);
  });

  const videoLike = (): Uint8Array => {
    const rng = createRng(3);
    const frame = new Uint8Array(64 * 64 * 4);
    for (let i = 0; i < frame.length; i++) frame[i] = i % 4 === 3 ? 255 : Math.floor(rng() * 256);
    return frame;
  };
  const flat = (): Uint8Array => {
    const frame = new Uint8Array(64 * 64 * 4);
    for (let p = 0; p < 64 * 64; p++) frame.set(p < 2048 ? [10, 20, 30, 255] : [200, 100, 0, 255], 4 * p);
    return frame;
  };
  it.each([
    ['a frame of many colours (a video frame)', videoLike],
    ['flat colours', flat],
  ])('counts %s afresh every frame, however little changed', (_, make) => {
    const frame = make();
    const tracked = createFrameHistogram(createHistogram());
    expectSameAsFresh(tracked.count(frame), frame);
    const next = frame.slice();
    next.set([1, 1, 1, 255], 0);
    expectSameAsFresh(tracked.count(next), next);
    expect(tracked.recounts).toBe(0);
  });

  it('told that a frame of flat colours changed only inside a small box, recounts there without a copy of the frame before', () => {
    // Flat: bands of four colours and a clear corner, so a fresh count hashes almost nothing.
    const width = 64;
    const base = new Uint8Array(width * width * 4);
    for (let p = 0; p < width * width; p++) {
      const clear = p % width < 8 && p < 8 * width;
      base.set(clear ? [0, 0, 0, 0] : [[10, 20, 30], [200, 100, 0], [0, 255, 0], [90, 90, 90]][Math.floor(p / 1024)].concat(255), 4 * p);
    }
    base.set([1, 2, 3, 255], 4 * 2000); // a colour of one pixel, to be painted over
    const told = createFrameHistogram(createHistogram());
    let before: Uint8Array = base;
    const step = (frame: Uint8Array): void => {
      const changed = changedBox(frame, before, width);
      expectSameAsFresh(told.count(frame, { changed, width }), frame);
      before = frame;
    };
    expectSameAsFresh(told.count(base), base);
    // A new colour, and the one-pixel colour painted over: it vanishes.
    const next = base.slice();
    for (let p = 1990; p < 2010; p++) next.set([250, 1, 1, 255], 4 * p);
    step(next);
    // Opaque to clear, clear to drawn, alpha only (still opaque: the same colour).
    const third = next.slice();
    for (let p = 8 * width + 10; p < 8 * width + 14; p++) third.fill(0, 4 * p, 4 * p + 4);
    third.set([9, 9, 9, 255], 4 * 3);
    third[4 * (9 * width + 20) + 3] = 200;
    step(third);
    // Nothing changed.
    step(third.slice());
    expect(told.recounts).toBe(3);
    // A box of more than half the frame: counted afresh.
    const wide = third.slice();
    wide.set([5, 5, 5, 255], 0);
    wide.set([5, 5, 5, 255], 4 * (width * width - 1));
    step(wide);
    expect(told.recounts).toBe(3);

    // A GIF that redraws a small part of a flat picture (on average 8.5% of it), frame after frame.
    const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__gifplayer-muybridge.gif'))), 'gifplayer-muybridge.gif');
    const plates = createFrameHistogram(createHistogram());
    let last: Uint8Array | null = null;
    let frames = 0;
    for (const frame of gif.frames()) {
      const difference = last === null ? undefined : { changed: changedBox(frame.data, last, frame.width), width: frame.width };
      expectSameAsFresh(plates.count(frame.data, difference), frame.data);
      last = frame.data;
      if (++frames === 60) break;
    }
    expect(plates.recounts).toBeGreaterThanOrEqual(50);
  });

  it('gives the engine the same clustering of a seeded frame either way', () => {
    const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/dartimage__animated_gif.gif'))), 'animated_gif.gif');
    const [first, second] = [...gif.frames()].slice(0, 2);
    const options = { k: 16, seed: 3 };
    const results = [createKMeans(), createKMeans({ frames: true })].map((engine) => {
      const start = engine.run(first.data, options);
      return engine.run(second.data, { ...options, initialCentroids: start.centroids });
    });
    expect(results[1].inertia).toBeCloseTo(results[0].inertia, 6);
    expect(results[1].counts).toEqual(results[0].counts);
    for (let i = 0; i < results[0].centroids.length; i++) expect(results[1].centroids[i]).toBeCloseTo(results[0].centroids[i], 9);
  });
});
