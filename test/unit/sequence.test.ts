import path from 'node:path';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createQualityMeter, inertia } from '../../src/metrics/quality.js';
import { expandFrame } from '../helpers/expand-frame.js';
import { quantizeClip, type QuantizedFrame } from '../../src/pipeline/quantize-clip.js';
import { resolveInputOptions, resolveSequenceOptions } from '../../src/options.js';
import { changedBox, compareFrames } from '../../src/sequence/frame-change.js';
import { nearestIndex } from '../../src/map/nearest.js';
import { createColorAccumulator } from '../../src/sequence/global-palette.js';
import { createSceneCutDetector } from '../../src/sequence/scene-cut.js';
import { createSequentialQuantizer, cutRestarts } from '../../src/sequence/sequential.js';
import { holdJumps, holdPalette, JUMP_LEVELS, resolveStability, STABILITY_PRESETS, STILL_MAJORITY, unchangedPixelsPerEntry } from '../../src/sequence/stability.js';
import { holdPixels } from '../../src/map/pixel-hold.js';
import type { FrameSource, TimedFrame } from '../../src/types.js';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { corpus } from '../helpers/cli.js';
import { openInput } from '../../src/io/open-input.js';
import { createMapper } from '../../src/map/map-pixels.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';

/** A corpus photo `width` wide, or cut to `width` x `height` (sharp's cover). */
async function photo(name: string, width: number, height?: number): Promise<TimedFrame> {
  const { data, info } = await sharp(path.join(corpus, 'stills', name)).resize(width, height, { fit: 'cover' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data), delayMs: 40 };
}

/** A clip of `n` frames: the photo, with a small square sliding across it. */
function slidingSquare(base: TimedFrame, n: number): TimedFrame[] {
  return Array.from({ length: n }, (_, t) => {
    const data = base.data.slice();
    for (let y = 10; y < 30; y++) for (let x = 5 + t * 4; x < 25 + t * 4; x++) data.set([250, 20, 30, 255], (y * base.width + x) * 4);
    return { ...base, data };
  });
}

const source = (frames: TimedFrame[]) => async (): Promise<FrameSource> => ({
  info: { width: frames[0].width, height: frames[0].height, frameCount: frames.length },
  frames: (async function* () {
    yield* frames;
  })(),
});

/** `base` with sensor-like noise of up to 2 levels a channel, a new draw for each `t`. */
function withSensorNoise(base: TimedFrame, t: number): TimedFrame {
  const data = base.data.slice();
  let x = 0x9e3779b9 ^ t;
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = Math.max(0, Math.min(255, data[i] + ((x >>> 0) % 5) - 2));
  }
  return { ...base, data };
}

describe('QuantizedFrame.inertia', () => {
  it("is METRICS.md's inertia of the colours written, whether asked at once or after later frames", async () => {
    const frames = slidingSquare(await photo('skimage__coffee.png', 120), 6);
    for (const seeding of ['seeded', 'none', 'global'] as const) {
      const got: { now: number; frame: QuantizedFrame }[] = [];
      for await (const f of quantizeClip(source(frames), resolveSequenceOptions({ colors: 8, seeding }))) got.push({ now: f.inertia(), frame: f });
      for (const { now, frame } of got) {
        const want = inertia(frame.source, frame.indexed.palette, frame.indexed.size);
        expect(now, seeding).toBe(want);
        // Asked after the clip: the colours counted then are the last frame's, so it maps again.
        expect(frame.inertia(), seeding).toBe(want);
      }
    }
  });
});

describe('sequential k-means', () => {
  it('on a still clip every later palette equals the first', async () => {
    const frame = await photo('skimage__coffee.png', 160);
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({}), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const first = q.next(frame);
    for (let t = 0; t < 4; t++) expect(Array.from(q.next(frame).palette)).toEqual(Array.from(first.palette));
  });

  it('keeps entry i as entry i: seeded palettes move little, unseeded ones get reshuffled', async () => {
    const frames = slidingSquare(await photo('skimage__chelsea.png', 160), 6);
    const drift = (seeding: 'seeded' | 'none') => {
      const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8 }), seeding, stability: STABILITY_PRESETS.none });
      let prev = q.next(frames[0]).centroids;
      let total = 0;
      for (const f of frames.slice(1)) {
        const c = q.next(f).centroids;
        for (let i = 0; i < c.length; i++) total += Math.abs(c[i] - prev[i]);
        prev = c;
      }
      return total;
    };
    expect(drift('seeded')).toBeLessThan(0.2 * drift('none'));
  });

  it('a colour that persists keeps its entry while the palette grows past and shrinks back below k', () => {
    // Flat colours, fewer than k: each frame's palette is exactly its colours, clustered fresh.
    const flat = (colors: number[][]): TimedFrame => {
      const data = new Uint8Array(40 * 10 * 4);
      for (let p = 0; p < 400; p++) data.set([...colors[Math.floor(p / (400 / colors.length))], 255], p * 4);
      return { width: 40, height: 10, data, delayMs: 40 };
    };
    const [red, green, blue, yellow, orange, purple] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [220, 220, 40], [240, 120, 0], [120, 0, 160]];
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const entries = (f: TimedFrame) => {
      const p = q.next(f);
      return Array.from({ length: p.size }, (_, i) => Array.from(p.palette.subarray(i * 3, i * 3 + 3)));
    };
    expect(entries(flat([red, green, blue, yellow]))).toEqual([red, green, blue, yellow]);
    // New colours take the slots after the old ones (they were put first, shifting every old colour).
    expect(entries(flat([orange, red, green, blue, yellow]))).toEqual([red, green, blue, yellow, orange]);
    expect(entries(flat([purple, orange, red, green, blue, yellow]))).toEqual([red, green, blue, yellow, orange, purple]);
    // A colour leaves: every other keeps its entry, and its own stays, unused (the others moved
    // up one, so every colour after it changed entry), until it comes back.
    expect(entries(flat([purple, yellow, orange, green, blue]))).toEqual([red, green, blue, yellow, orange, purple]);
    expect(entries(flat([blue, purple]))).toEqual([red, green, blue, yellow, orange, purple]);
    expect(entries(flat([red, purple, green]))).toEqual([red, green, blue, yellow, orange, purple]);
  });

  it('a frame with no opaque pixel leaves the palette as it was: the next frame is seeded from it (it was clustered afresh)', async () => {
    const a = await photo('skimage__coffee.png', 120);
    const blank = { ...a, data: new Uint8Array(a.data.length) };
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8 }), seeding: 'seeded' });
    const first = q.next(a);
    expect(q.next(blank).size).toBe(0);
    const after = q.next(a);
    expect(after.fresh).toBe(false);
    expect(Array.from(after.palette)).toEqual(Array.from(first.palette));
  });

  it('a frame of at most k colours is written exactly after frames of more, whatever the levers', async () => {
    // A photo of thousands of colours, then frames of at most 61 of its colours: the palette
    // seeded from the photo has 64 entries for them. With one step a frame, or the anchor of
    // --stability high, colours were left sharing an entry: on random clips of this kind 330
    // of 360 such frames came out inexact with --frame-iterations 1, 6 of 360 with high.
    const base = await photo('skimage__coffee.png', 40);
    const n = base.width * base.height;
    const few = [0, 1].map((shift) => {
      const data = new Uint8Array(n * 4);
      for (let p = 0; p < n; p++) data.set([...base.data.subarray(((p * 7 + shift) % 61) * 4, ((p * 7 + shift) % 61) * 4 + 3), 255], p * 4);
      return { ...base, data };
    });
    for (const levers of [{ stability: 'high' }, { frameIterations: 1 }, { frameIterations: 1, metric: 'manhattan', space: 'lab' }] as const) {
      let t = 0;
      for await (const q of quantizeClip(source([base, few[0], base, few[1]]), resolveSequenceOptions({ colors: 64, ...levers }))) {
        if (t % 2 === 1) expect(Buffer.from(expandFrame(q.indexed).data).equals(Buffer.from(few[(t - 1) / 2].data)), `${JSON.stringify(levers)}, frame ${t}`).toBe(true);
        t++;
      }
    }
  });

  it('--max-iterations caps a seeded frame\'s run too (with --stability none, 300 steps were allowed)', async () => {
    // Two photos in turn (no scene cuts with --stability none): each seeded frame has far to go.
    const [a, b] = [await photo('skimage__coffee.png', 120), await photo('skimage__chelsea.png', 120)];
    const frames = [a, b, a, b].map((f) => ({ ...f, height: Math.min(a.height, b.height), data: f.data.subarray(0, 120 * Math.min(a.height, b.height) * 4) }));
    for (const [maxIterations, stability] of [[2, 'none'], [3, 'medium']] as const) {
      const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8, maxIterations, stability }), seeding: 'seeded', stability: { ...STABILITY_PRESETS[stability], sceneCut: 0, refresh: 0 } });
      const seeded = frames.map((f) => q.next(f)).filter((p) => !p.fresh);
      expect(seeded).toHaveLength(3);
      expect(seeded.map((p) => p.iterations)).toEqual([maxIterations, maxIterations, maxIterations]);
    }
  });

  it('the stability levers remove flicker on still pixels and cost almost no PSNR', async () => {
    const frames = slidingSquare(await photo('skimage__astronaut.png', 200), 10);
    const measure = async (stability: 'none' | 'medium') => {
      const meter = createQualityMeter();
      for await (const f of quantizeClip(source(frames), resolveSequenceOptions({ colors: 16, stability }))) meter.add(f.source, expandFrame(f.indexed));
      return meter.result();
    };
    const plain = await measure('none');
    const steady = await measure('medium');
    expect(steady.flicker_static!).toBeLessThan(0.25 * plain.flicker_static!);
    expect(steady.psnr!).toBeGreaterThan(plain.psnr! - 0.3);
  });

  it('a still clip of many colours stays still with no lever at all (found by QA: at --stability none the first clustering had not quite converged, and later frames moved on)', async () => {
    const still = await photo('skimage__coffee.png', 400);
    const frames = Array.from({ length: 5 }, () => ({ ...still, data: still.data.slice() }));
    for (const stability of ['none', 'medium'] as const) {
      const shown: Uint8Array[] = [];
      for await (const f of quantizeClip(source(frames), resolveSequenceOptions({ colors: 64, stability }))) shown.push(expandFrame(f.indexed).data.slice());
      shown.forEach((frame, t) => expect(Buffer.from(frame).equals(Buffer.from(shown[0])), `${stability}: frame ${t}`).toBe(true));
    }
  });

  it('re-initialises at a scene cut instead of dragging the old palette along', async () => {
    const a = await photo('skimage__coffee.png', 160);
    const b = await photo('wuffs__hibiscus.regular.jpeg', 160);
    const cropB = { ...a, data: b.data.subarray(0, a.data.length) };
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({}), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    expect(q.next(a).fresh).toBe(true);
    expect(q.next(a).fresh).toBe(false);
    expect(q.next(cropB).fresh).toBe(true);
    // The same with the frame before passed in, as the pipeline does.
    const indices = new Uint8Array(a.width * a.height);
    const r = createSequentialQuantizer({ ...resolveSequenceOptions({}), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    expect(r.next(a).fresh).toBe(true);
    expect(r.next(a, { source: a.data, indices }).fresh).toBe(false);
    expect(r.next(cropB, { source: a.data, indices }).fresh).toBe(true);
  });

  it('scene cuts close together soon get fewer restarts: after three in a row, half each time, down to one', async () => {
    const a = await photo('skimage__coffee.png', 160);
    const b = await photo('wuffs__hibiscus.regular.jpeg', 160);
    const cropB = { ...a, data: b.data.subarray(0, a.data.length) };
    // Two photos in turn, two frames each: a cut every second frame from frame 2 on.
    const frames = Array.from({ length: 18 }, (_, i) => ((i >> 1) % 2 === 0 ? a : cropB));
    // A new start's palette depends only on the frame, the seed and its restarts (its slots
    // aside): compared as sets with runs whose every start has 10 restarts, or 1.
    const colours = (palette: Uint8Array, size: number) => Array.from({ length: size }, (_, i) => Array.from(palette.subarray(i * 3, i * 3 + 3)).join()).sort().join(' ');
    const starts = (restarts: number, clip = frames, seed = 0) => {
      // No palette hold, which would keep old colours' exact bytes across a cut.
      const stability = { ...STABILITY_PRESETS.none, sceneCut: STABILITY_PRESETS.medium.sceneCut };
      const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 16, restarts, seed }), seeding: 'seeded', stability });
      return clip.flatMap((f, i) => {
        const p = q.next(f);
        expect(p.fresh, `frame ${i}`).toBe(i % 2 === 0);
        return p.fresh ? [colours(p.palette, p.size)] : [];
      });
    };
    const [ten, one] = [starts(10), starts(1)];
    // Each cut's frame on its own with 10 restarts, seeded as the sequence seeds it (seed + frame index).
    const alone = frames.filter((_, i) => i % 2 === 0).map((f, n) => starts(10, [f], 2 * n)[0]);
    // The first frame (no cut) and the first four cuts (frames 2 to 8) keep every restart;
    // then 5, 2, and from the seventh cut (frame 14) on, one.
    for (let n = 0; n <= 4; n++) expect(ten[n], `start ${n}`).toBe(alone[n]);
    for (let n = 7; n < 9; n++) expect(ten[n], `start ${n}`).toBe(one[n]);
    expect(alone.slice(7).some((c, n) => c !== one[7 + n])).toBe(true);
    // However long the run of cuts (a shift count past 31 wrapped around: the 35th had all 10 again).
    expect([0, 3, 4, 5, 6, 34, 35, 40, 1000].map((close) => cutRestarts(10, close))).toEqual([10, 10, 5, 2, 1, 1, 1, 1, 1]);
  });

  it('a colour that persists keeps its slot when the palette is made afresh, though shifting a chain of entries would move less in all', () => {
    // Four flat greys, then a cut to three of them and a new darker one. The minimum total
    // squared move would shift every entry down a slot (50 to 25, 100 to 50, ...: 8,125
    // against 30,625 for moving 200 to 25 alone); the colours that stay must keep theirs.
    const greys = (levels: number[]): TimedFrame => {
      const data = new Uint8Array(levels.length * 64 * 4);
      for (let p = 0; p < levels.length * 64; p++) data.set([levels[p >> 6], levels[p >> 6], levels[p >> 6], 255], p * 4);
      return { width: 64, height: levels.length, data, delayMs: 100 };
    };
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 4 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const first = q.next(greys([50, 100, 150, 200]));
    const slotOf = (palette: Uint8Array, level: number) => Array.from(palette).findIndex((v, i) => i % 3 === 0 && v === level) / 3;
    const second = q.next(greys([25, 50, 100, 150]));
    expect(second.fresh).toBe(true);
    for (const level of [50, 100, 150]) expect(slotOf(second.palette, level)).toBe(slotOf(first.palette, level));
    expect(slotOf(second.palette, 25)).toBe(slotOf(first.palette, 200));
    // The same where the palette grows (the first frame had fewer colours than k): the new
    // colours take the slot that was free and the one whose colour went (found by review).
    const growing = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 5 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const few = growing.next(greys([50, 100, 150, 200]));
    expect(few.size).toBe(4);
    const grown = growing.next(greys([0, 25, 50, 100, 150]));
    expect(grown.size).toBe(5);
    for (const level of [50, 100, 150]) expect(slotOf(grown.palette, level)).toBe(slotOf(few.palette, level));
    expect([slotOf(grown.palette, 0), slotOf(grown.palette, 25)].sort()).toEqual([slotOf(few.palette, 200), 4].sort());
  });

  it('a window opening over a still picture is new content, not a scene cut', async () => {
    const desk = await photo('skimage__coffee.png', 160);
    const rowBytes = desk.width * 4;
    // The top `share` of the rows show the picture upside down (colours the palette already
    // has, so the fit does not jump); the rest stays bit for bit.
    const flipped = (share: number) => {
      const data = desk.data.slice();
      for (let y = 0; y < Math.floor(desk.height * share); y++) data.set(desk.data.subarray((desk.height - 1 - y) * rowBytes, (desk.height - y) * rowBytes), y * rowBytes);
      return { ...desk, data };
    };
    const isCut = (share: number) => {
      const q = createSequentialQuantizer({ ...resolveSequenceOptions({}), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
      const last = { source: desk.data, indices: new Uint8Array(desk.width * desk.height) };
      expect(q.next(desk).fresh).toBe(true);
      expect(q.next(desk, last).fresh).toBe(false);
      return q.next(flipped(share), last).fresh;
    };
    expect(isCut(0.4)).toBe(false);
    // Turned over whole, the same difference per changed pixel over every pixel: a new scene.
    expect(isCut(1)).toBe(true);
  });

  it('refresh: tried every N frames on frames of few colours; on frames of many, backing off while it loses', async () => {
    const base = await photo('skimage__coffee.png', 240);
    // Sensor-like noise, a new draw each frame: the same picture, so the seeded palette
    // keeps fitting and a fresh clustering has nothing to win.
    const noisy = (t: number): TimedFrame => withSensorNoise(base, t);
    const tried = (frames: (t: number) => TimedFrame, n: number, colors = 8) => {
      const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
      const out: string[] = [];
      for (let t = 0; t < n; t++) {
        const f = q.next(frames(t));
        if (f.refresh !== 'not tried') out.push(`${t} ${f.refresh}`);
      }
      return { tried: out, colours: q.histogram.count };
    };
    // Doubling gaps (4, 8, 16, then at most 8 x 4 frames) while declined.
    const many = tried(noisy, 70);
    expect(many.colours).toBeGreaterThan(12000); // the engine's coarse-bin threshold
    expect(many.tried).toEqual(['4 declined', '12 declined', '28 declined', '60 declined']);
    // A GIF's frames: few colours, where a refresh is cheap; the plain schedule.
    const posterized = (t: number): TimedFrame => {
      const f = noisy(t);
      const data = f.data.map((v, i) => ((i & 3) === 3 ? v : v & 0xc0));
      return { ...f, data };
    };
    expect(tried(posterized, 14).tried.map((entry) => entry.split(' ')[0])).toEqual(['4', '8', '12']);
    // Frames of fewer colours back off too where a refresh costs as much (colours x k): at
    // k = 256 on a few thousand colours (a refresh took 5 times a plain frame's work, on a
    // test pattern at k = 256, and 70 of 99 were declined), not at k = 16 on the same frames.
    const fewer = (t: number): TimedFrame => {
      const f = noisy(t);
      return { ...f, data: f.data.map((v, i) => ((i & 3) === 3 ? v : v & 0xf8)) };
    };
    const wide = tried(fewer, 30, 256);
    expect(wide.colours).toBeGreaterThan(750);
    expect(wide.colours).toBeLessThan(12000);
    expect(wide.tried).toEqual(['4 declined', '12 declined', '28 declined']);
    expect(tried(fewer, 30, 16).tried.map((entry) => entry.split(' ')[0])).toEqual(['4', '8', '12', '16', '20', '24', '28']);
    // A back-off begun on frames of many colours does not hold on frames of few (a fade to a
    // flat title card, no cut between): those keep the plain schedule.
    const fade = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8 }), seeding: 'seeded', stability: { ...STABILITY_PRESETS.medium, sceneCut: 0 } });
    const fadeTried: number[] = [];
    for (let t = 0; t < 18; t++) if (fade.next(t < 6 ? noisy(t) : posterized(t)).refresh !== 'not tried') fadeTried.push(t);
    expect(fadeTried).toEqual([4, 8, 12, 16]);
  });

  it("refresh on a GIF's frames: a full clustering as the candidate, adopted where it fits better", async () => {
    // earth.gif, a turning globe: the seeded palette lags behind the content it drifts
    // from, and a fresh clustering with restarts finds the colours it misses. With the short
    // one-start candidate video frames get, seeded output stayed at 34.79 dB.
    const file = path.join(corpus, 'gifs', 'gifcontrols__earth.gif');
    const meter = createQualityMeter();
    const refreshes: string[] = [];
    for await (const f of quantizeClip(() => openInput(file, { maxPixels: 1e8, maxFrames: 1e5 }), resolveSequenceOptions({ colors: 16 }))) {
      meter.add(f.source, expandFrame(f.indexed));
      if (f.palette.refresh !== 'not tried') refreshes.push(f.palette.refresh);
    }
    const { psnr, flicker_static } = meter.result();
    // 0.5 dB above ffmpeg's per-frame palettes (34.65 dB, bench/RESULTS.md), with flicker
    // still that of ffmpeg's single palette (0.49).
    expect(psnr!).toBeGreaterThan(35.15);
    expect(flicker_static!).toBeLessThan(0.55);
    expect(refreshes.length).toBe(10);
    expect(refreshes.filter((r) => r === 'adopted').length).toBeGreaterThanOrEqual(4);
  });

  it('refresh on frames of greys: the exact optimum, tried on every frame and taken whole (muybridge.gif: 0.5 dB above ffmpeg per-frame, flicker within 1.25 times its one palette)', async () => {
    const file = path.join(corpus, 'gifs', 'wuffs__muybridge.gif');
    const meter = createQualityMeter();
    const tried: number[] = [];
    let adopted = 0;
    for await (const f of quantizeClip(() => openInput(file, { maxPixels: 1e8, maxFrames: 1e5 }), resolveSequenceOptions({ colors: 16 }))) {
      meter.add(f.source, expandFrame(f.indexed));
      if (f.palette.refresh === 'not tried') continue;
      tried.push(f.index);
      if (f.palette.refresh !== 'adopted') continue;
      adopted++;
      // Taken whole: the frame's own optimum (no Lloyd steps from a blend), its entries renumbered.
      const optimum = kmeansPixels(f.source.data, { k: 16 });
      expect(f.palette.inertia / optimum.inertia).toBeCloseTo(1, 9);
      expect(f.palette.iterations).toBe(0);
    }
    // Every frame after the first, not every 4th as on frames of colours.
    expect(tried).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(adopted).toBeGreaterThanOrEqual(10);
    const { psnr, flicker_static } = meter.result();
    // ffmpeg per-frame 38.17 dB, its one palette flicker 6.743 (bench/RESULTS.md); seeded from the last palette alone gave 38.03 dB.
    expect(psnr!).toBeGreaterThan(38.67);
    expect(flicker_static!).toBeLessThan(1.25 * 6.743);
  });

  it('a scene cut ends a refresh back-off: the new shot gets the plain schedule again', async () => {
    const [coffee, astronaut] = [await photo('skimage__coffee.png', 240, 160), await photo('skimage__astronaut.png', 240, 160)];
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 8 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const tried: string[] = [];
    for (let t = 0; t < 30; t++) {
      const f = q.next(withSensorNoise(t < 14 ? coffee : astronaut, t));
      if (t === 14) expect(f.fresh).toBe(true);
      if (f.refresh !== 'not tried') tried.push(`${t} ${f.refresh}`);
    }
    // Declined at 4 and 12 (the gap doubling to 16: the next would be 28); the cut at 14 starts over, every 4 frames.
    expect(tried).toEqual(['4 declined', '12 declined', '16 declined', '24 declined']);
  });

  describe('refresh on a cartoon of greys (pigs_in_a_polka.gif)', () => {
    const run = async () => {
      const file = path.join(corpus, 'gifs', 'moviepy__pigs_in_a_polka.gif');
      const meter = createQualityMeter();
      let adopted = 0;
      const movedOn: number[] = [];
      let before: Uint8Array | null = null;
      for await (const f of quantizeClip(() => openInput(file, { maxPixels: 1e8, maxFrames: 1e5 }), resolveSequenceOptions({ colors: 16 }))) {
        meter.add(f.source, expandFrame(f.indexed));
        const { palette, size } = f.palette;
        if (f.palette.refresh === 'adopted' && before !== null) {
          adopted++;
          // A colour of the last palette found in another slot of the new one.
          for (let o = 0; o < before.length / 3; o++) {
            for (let n = 0; n < size; n++) if (n !== o && palette[n * 3] === before[o * 3] && palette[n * 3 + 1] === before[o * 3 + 1] && palette[n * 3 + 2] === before[o * 3 + 2]) movedOn.push(f.index);
          }
        }
        before = palette.slice(0, size * 3);
      }
      return { adopted, movedOn, ...meter.result() };
    };
    // One run for both tests.
    let ran: ReturnType<typeof run> | null = null;
    const once = () => (ran ??= run());
    it('an adopted optimum gives every colour that persists its old slot (without, 7 colours moved a slot on these frames)', async () => {
      const r = await once();
      expect(r.adopted).toBeGreaterThan(15);
      expect(r.movedOn).toEqual([]);
    });
    it('asks the optimum for twice the refresh gain: flicker 5.29, not the 5.63 of the plain gain', async () => {
      const r = await once();
      expect(r.flicker_static!).toBeLessThan(5.45);
      expect(r.psnr!).toBeGreaterThan(37.2);
    });
  });

  it("colourLabels number the colours as the returned palette's entries, across a cut and a declined refresh", async () => {
    const coffee = await photo('skimage__coffee.png', 200);
    const astronaut = { ...(await photo('skimage__astronaut.png', 200)), delayMs: 40 };
    const frames = [coffee, coffee, coffee, coffee, coffee, astronaut, astronaut];
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 32 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    const seen: string[] = [];
    for (const [t, frame] of frames.entries()) {
      const palette = q.next(frame);
      seen.push(palette.fresh ? 'fresh' : palette.refresh);
      const { count, colors } = q.histogram;
      // How often a colour's label is its nearest entry of the palette as written: the
      // label is a hint, exact answers never depend on it, but a wrong numbering makes it useless.
      let hits = 0;
      for (let i = 0, c = 0; i < count; i++, c += 3) if (q.colourLabels[i] === nearestIndex(palette.palette, palette.size, colors[c], colors[c + 1], colors[c + 2])) hits++;
      expect(hits / count, `frame ${t}`).toBeGreaterThan(0.6);
    }
    // The frames the numbering had to survive: a refresh at frame 4, declined (the engine's
    // last run is then the refresh's), and the cut to another photo, clustered afresh and
    // its entries renumbered to match the old ones.
    expect(seen).toEqual(['fresh', 'not tried', 'not tried', 'not tried', 'declined', 'fresh', 'not tried']);
  });

  it('still weight: refreshes repaint fewer unchanged pixels of a screen recording, for about 0.1 dB', async () => {
    // Which refreshes win depends on their random starts: one seed's flicker with the lever
    // is 0.45 to 1.03 of that without (seeds 1 to 7); the mean over seeds is about two thirds.
    const file = path.join(corpus, 'gifs', 'gifcontrols__playpause.gif');
    const measure = async (stillWeight: number) => {
      let flicker = 0;
      let psnr = 0;
      const seeds = [1, 2, 3];
      for (const seed of seeds) {
        const meter = createQualityMeter();
        const options = resolveSequenceOptions({ colors: 16, stillWeight, seed });
        for await (const f of quantizeClip(() => openInput(file, { maxPixels: 1e8, maxFrames: 1e5 }), options)) meter.add(f.source, expandFrame(f.indexed));
        flicker += meter.result().flicker_static! / seeds.length;
        psnr += meter.result().psnr! / seeds.length;
      }
      return { flicker, psnr };
    };
    const off = await measure(0);
    const on = await measure(STABILITY_PRESETS.medium.stillWeight);
    expect(on.flicker).toBeLessThan(0.8 * off.flicker);
    expect(on.psnr).toBeGreaterThan(off.psnr - 0.2);
  }, 60_000);
});

describe('compareFrames', () => {
  it('measures the mean difference and counts still pixels per last-frame entry', () => {
    // Four pixels: unchanged (entry 2), moved by 8 (entry 2: still), moved by 9 (entry 1:
    // not still), and transparent now (left out of everything).
    const before = Uint8Array.of(10, 10, 10, 255, 100, 100, 100, 255, 50, 50, 50, 255, 0, 0, 0, 255);
    const now = Uint8Array.of(10, 10, 10, 255, 108, 100, 100, 255, 50, 59, 50, 255, 0, 0, 0, 0);
    const still = new Float64Array(256).fill(7);
    const change = compareFrames(now, before, { beforeIndices: Uint8Array.of(2, 2, 1, 0), counts: still });
    expect(change.opaquePixels).toBe(3);
    expect(change.stillPixels).toBe(2);
    expect(change.difference).toBeCloseTo((0 + 8 + 9) / (3 * 3), 12);
    expect(Array.from(still.subarray(0, 3))).toEqual([0, 0, 2]);
    expect(compareFrames(now, now, null)).toEqual({ difference: 0, opaquePixels: 3, stillPixels: 3, nowOpaquePixels: 3 });
    expect(change.nowOpaquePixels).toBe(3);
  });

  it('treats the three channels alike and any non-zero alpha as opaque', () => {
    // Blue moved by 9 (not still), red down by 8 with alpha 1 (still), green up by 3 over a
    // pixel that was transparent before (left out).
    const before = Uint8Array.of(0, 0, 0, 255, 200, 0, 0, 255, 0, 0, 0, 0);
    const now = Uint8Array.of(0, 0, 9, 255, 192, 0, 0, 1, 0, 3, 0, 255);
    const change = compareFrames(now, before, null);
    expect(change).toEqual({ difference: (9 + 8) / (2 * 3), opaquePixels: 2, stillPixels: 1, nowOpaquePixels: 3 });
  });

  it('gives the same answer on bytes that do not start at a 4-byte boundary', () => {
    const before = Uint8Array.of(10, 10, 10, 255, 100, 100, 100, 255, 50, 50, 50, 255, 0, 0, 0, 255);
    const now = Uint8Array.of(10, 10, 10, 255, 108, 100, 100, 255, 50, 59, 50, 255, 0, 0, 0, 0);
    const shifted = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(a.length + 1);
      b.set(a, 1);
      return b.subarray(1);
    };
    expect(compareFrames(shifted(now), shifted(before), null)).toEqual(compareFrames(now, before, null));
  });

  it('inside a known box gives what the whole pass gives, alpha changes included', () => {
    const width = 23;
    const height = 17;
    let state = 12345;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const before = new Uint8Array(width * height * 4);
      // Some transparent pixels, and colours near each other so that some changes stay "still".
      for (let i = 0; i < before.length; i += 4) {
        before.set([100 + random(8), 50 + random(8), 200 + random(8), random(5) === 0 ? 0 : 255], i);
      }
      const now = before.slice();
      const x0 = random(width), y0 = random(height);
      const x1 = x0 + 1 + random(width - x0), y1 = y0 + 1 + random(height - y0);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * width + x) * 4;
          if (random(3) === 0) now.set([100 + random(20), 50 + random(8), 200 + random(8), random(4) === 0 ? 0 : 255], i);
        }
      }
      const box = changedBox(now, before, width);
      const whole = compareFrames(now, before, null);
      const beforeOpaquePixels = compareFrames(before, before, null).nowOpaquePixels;
      expect(compareFrames(now, before, null, { changed: box, width, beforeOpaquePixels })).toEqual(whole);
      // A box that is larger than the change gives the same answer too.
      expect(compareFrames(now, before, null, { changed: { x0: 0, y0: 0, x1: width, y1: height }, width, beforeOpaquePixels })).toEqual(whole);
    }
  });
});

describe('quantizeClip on frames that change in a small box', () => {
  it('maps only the box where the palette stays, and writes what mapping every pixel and the pixel hold write', async () => {
    for (const [name, stability] of [['gifcontrols__playpause.gif', 'medium'], ['dartimage__cars.gif', 'high'], ['sharp__animated-loop-3.gif', 'low']] as const) {
      const file = path.join(corpus, 'gifs', name);
      const options = resolveSequenceOptions({ colors: 16, stability });
      const mapper = createMapper();
      let before: QuantizedFrame | null = null;
      let boxed = 0;
      for await (const q of quantizeClip(() => openInput(file, resolveInputOptions({})), options)) {
        const { indices, transparent } = mapper.map(q.source, q.indexed.palette, q.indexed.size, { metric: options.metric, space: options.space, dither: 'none' });
        if (before !== null && !q.palette.fresh) holdPixels(q.source.data, before.source.data, indices, before.indexed.indices, q.indexed.palette, q.indexed.size, options.stability);
        if (!Buffer.from(q.indexed.indices).equals(Buffer.from(indices))) expect.fail(`${name}, frame ${q.index}: the indices differ from a full mapping's`);
        expect(q.indexed.transparent === null ? null : Buffer.from(q.indexed.transparent).equals(Buffer.from(transparent!)), `${name}, frame ${q.index}`).toBe(transparent === null ? null : true);
        // The frames where only the box was mapped: the palette the same as the frame before's.
        if (before !== null && !q.palette.fresh && Buffer.from(q.indexed.palette).equals(Buffer.from(before.indexed.palette))) boxed++;
        before = q;
      }
      expect(boxed, name).toBeGreaterThan(0);
    }
  }, 60_000);

  it('a source that redraws one buffer in place is not taken for a still clip (its output stayed on old content: frame 1 at 26.2 dB for 29.6, later ones lower)', async () => {
    const file = path.join(corpus, 'gifs/gifcontrols__move-resize.gif');
    const gif = decodeGif(new Uint8Array(readFileSync(file)), 'move-resize.gif');
    const options = resolveSequenceOptions({ colors: 16 });
    const psnrs = async (reuse: boolean): Promise<number[]> => {
      const canvas = new Uint8Array(gif.info.width * gif.info.height * 4);
      async function* frames() {
        let n = 0;
        for (const f of gif.frames()) {
          if (n++ === 30) return;
          if (!reuse) yield f;
          else {
            canvas.set(f.data);
            yield { ...f, data: canvas };
          }
        }
      }
      const out: number[] = [];
      for await (const q of quantizeClip(async () => ({ info: gif.info, frames: frames() }), options)) {
        const written = expandFrame(q.indexed).data;
        let squared = 0;
        for (let i = 0; i < written.length; i++) if (i % 4 !== 3) squared += (written[i] - q.source.data[i]) ** 2;
        out.push(10 * Math.log10((255 * 255) / Math.max(squared / ((written.length / 4) * 3), 1e-10)));
      }
      return out;
    };
    const fresh = await psnrs(false);
    const reused = await psnrs(true);
    expect(reused).toHaveLength(30);
    // Not the same bytes: with no change to see, the still-pixel levers hold more.
    reused.forEach((db, i) => expect(db, `frame ${i}`).toBeGreaterThan(fresh[i] - 1));
  }, 60_000);
});

describe('changedBox', () => {
  it('is the smallest box around every pixel that changed at all, a change of alpha alone included', () => {
    // 6x5, every pixel opaque white; pixels change one by one and the box grows around them.
    const before = new Uint8Array(6 * 5 * 4).fill(255);
    const now = before.slice();
    const at = (x: number, y: number) => (y * 6 + x) * 4;
    // The same box from the whole frames and from inside a box known to hold every change.
    const expectBox = (a: Uint8Array, b: Uint8Array) => {
      const found = changedBox(a, b, 6);
      expect(changedBox(a, b, 6, { x0: 0, y0: 0, x1: 6, y1: 5 })).toEqual(found);
      return expect(found);
    };
    expectBox(now, before).toBeNull();
    now[at(3, 1)] = 7;
    expectBox(now, before).toEqual({ x0: 3, y0: 1, x1: 4, y1: 2 });
    now[at(1, 2) + 3] = 0; // transparent, its colour kept
    expectBox(now, before).toEqual({ x0: 1, y0: 1, x1: 4, y1: 3 });
    now[at(5, 2) + 1] = 0; // the last column, on a middle row
    now[at(0, 3) + 2] = 0; // the first column, on the last changed row
    expectBox(now, before).toEqual({ x0: 0, y0: 1, x1: 6, y1: 4 });
    now[at(5, 4)] = 0;
    now[at(0, 0)] = 0;
    expectBox(now, before).toEqual({ x0: 0, y0: 0, x1: 6, y1: 5 });
    // Bytes that do not start at a 4-byte boundary give the same answer.
    const shifted = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(a.length + 1);
      b.set(a, 1);
      return b.subarray(1);
    };
    now.set(before);
    now[at(4, 3)] = 1;
    expect(changedBox(shifted(now), shifted(before), 6)).toEqual({ x0: 4, y0: 3, x1: 5, y1: 4 });
  });

  it('matches a pixel-by-pixel search on the frames of a GIF that redraws parts of its canvas', () => {
    const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/gifcontrols__move-resize.gif'))), 'move-resize.gif');
    const decoded = [...gif.frames()].slice(0, 40);
    const frames = decoded.map((f) => f.data.slice());
    const { width, height } = gif.info;
    for (let i = 1; i < frames.length; i++) {
      let box: { x0: number; y0: number; x1: number; y1: number } | null = null;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const o = (y * width + x) * 4;
          if (frames[i].subarray(o, o + 4).every((v, c) => v === frames[i - 1][o + c])) continue;
          box = box === null ? { x0: x, y0: y, x1: x + 1, y1: y + 1 } : { x0: Math.min(box.x0, x), y0: box.y0, x1: Math.max(box.x1, x + 1), y1: y + 1 };
        }
      }
      expect(changedBox(frames[i], frames[i - 1], width), `frame ${i}`).toEqual(box);
      // Searched only inside the decoder's changedWithin, and inside boxes that cut it: the
      // search trusts the box it is given.
      const within = decoded[i].changedWithin!;
      expect(changedBox(frames[i], frames[i - 1], width, within), `frame ${i}`).toEqual(box);
      if (box !== null) {
        expect(changedBox(frames[i], frames[i - 1], width, { ...box, x1: box.x1 - 1 })?.x1, `frame ${i}`).toBeLessThan(box.x1);
        expect(changedBox(frames[i], frames[i - 1], width, { ...box, y0: box.y0 + 1 })?.y0 ?? box.y1, `frame ${i}`).toBeGreaterThan(box.y0);
      }
    }
  });
});

describe('stability levers', () => {
  it('holdPalette keeps a colour while moving it would gain little, and follows a real move', () => {
    const previous = Uint8Array.of(100, 100, 100, 10, 10, 10);
    const centroids = Float64Array.of(101.4, 100, 100, 40, 10, 10);
    const counts = Float64Array.of(1000, 1000);
    const errors = Float64Array.of(1000 * 25, 1000 * 25); // RMS radius 5 per cluster
    const out = holdPalette(centroids, previous, 2, 1, counts, errors, new Uint8Array(6));
    expect(Array.from(out)).toEqual([100, 100, 100, 40, 10, 10]);
    expect(Array.from(holdPalette(centroids, previous, 2, 0, counts, errors, new Uint8Array(6)))).toEqual([101, 100, 100, 40, 10, 10]);
  });

  it('holdPalette keeps the bytes of an entry no pixel uses this frame, however far its centroid moved (held pixels may still point at it)', () => {
    const out = holdPalette(Float64Array.of(200, 0, 0), Uint8Array.of(10, 10, 10), 1, 0.5, Float64Array.of(0), Float64Array.of(0), new Uint8Array(3));
    expect(Array.from(out)).toEqual([10, 10, 10]);
  });

  it('holdJumps keeps a colour that would jump on still pixels while their squared jump outweighs the error it costs', () => {
    // Entry 0's centroid moved 40 levels (the palette hold let it go); entry 1 stayed.
    const previous = Uint8Array.of(200, 150, 50, 20, 20, 20);
    const centroids = Float64Array.of(200, 190, 50, 20, 20, 20);
    const counts = Float64Array.of(100, 500);
    const errors = Float64Array.of(10_000, 5_000);
    const options = resolveStability('medium', { paletteHold: 1, jumpHold: 1 });
    const released = () => Uint8Array.of(200, 190, 50, 20, 20, 20);
    const run = (palette: Uint8Array, still: number[], o = options, c = centroids) => {
      let asked = 0;
      let entries: number[] = [];
      holdJumps(c, previous, palette, 2, o, counts, errors, (mask) => {
        asked++;
        entries = Array.from(mask.subarray(0, 2));
        return Float64Array.from(still);
      });
      return { palette: Array.from(palette), asked, entries };
    };
    // Keeping it costs 100 × 40² = 160,000; allowed: 1 × 10,000 + 1 × still × 40².
    expect(run(released(), [94, 0])).toEqual({ palette: [200, 150, 50, 20, 20, 20], asked: 1, entries: [1, 0] }); // 10,000 + 150,400; only entry 0, released, is counted
    expect(run(released(), [93, 0]).palette).toEqual([200, 190, 50, 20, 20, 20]); // 10,000 + 148,800
    expect(run(released(), [94, 0], resolveStability('medium', { paletteHold: 1, jumpHold: 0.5 })).palette).toEqual([200, 190, 50, 20, 20, 20]);
    // A move under JUMP_LEVELS is drift, the palette hold's, unless the still pixels the
    // entry painted are at least STILL_MAJORITY of its cluster. At J = 4, keeping it costs
    // 100 × 29² = 84,100; allowed, if weighed: 10,000 + 4 × still × 29².
    const drift = Float64Array.of(200, 150 + JUMP_LEVELS - 1, 50, 20, 20, 20);
    const drifted = () => Uint8Array.of(200, 150 + JUMP_LEVELS - 1, 50, 20, 20, 20);
    const firm = resolveStability('medium', { paletteHold: 1, jumpHold: 4 });
    expect(STILL_MAJORITY).toBe(0.5);
    expect(run(drifted(), [49, 0], firm, drift)).toEqual({ palette: [200, 150 + JUMP_LEVELS - 1, 50, 20, 20, 20], asked: 1, entries: [1, 0] }); // 49 of 100: not weighed (it would be held: 174,836)
    expect(run(drifted(), [50, 0], firm, drift).palette).toEqual([200, 150, 50, 20, 20, 20]); // 50 of 100: 10,000 + 168,200
    expect(run(drifted(), [50, 0], options, drift).palette).toEqual([200, 150 + JUMP_LEVELS - 1, 50, 20, 20, 20]); // at J = 1: 52,050, let go
    // A colour held back can lengthen another's jump, whichever entry comes first: entry 0's
    // pixels (old 100) would go to entry 1's new 110, but entry 1 (old 200, its pixels far from
    // any new colour) is held, so they would jump 60 to 160: both stay.
    const both = (order: 0 | 1) => {
      const old = [100, 100, 100, 200, 200, 200];
      const now = [100, 100, 160, 100, 100, 110];
      const swap = (a: number[]) => (order === 0 ? a : [...a.slice(3), ...a.slice(0, 3)]);
      const palette = Uint8Array.from(swap(now));
      holdJumps(Float64Array.from(swap(now)), Uint8Array.from(swap(old)), palette, 2, options, Float64Array.of(10, 10), Float64Array.of(0, 0), () => Float64Array.of(1000, 1000));
      return swap(Array.from(palette));
    };
    expect(both(0)).toEqual([100, 100, 100, 200, 200, 200]);
    expect(both(1)).toEqual([100, 100, 100, 200, 200, 200]);
    // Where entry 0 alone would go (its pixels jump only 10 levels, to entry 1's new 110:
    // 100 × 60² = 360,000 against 1000 × 10²), holding entry 1 makes its jump 60, and a
    // second pass holds it too (1000 × 60²).
    const heavy = Uint8Array.of(100, 100, 160, 100, 100, 110);
    holdJumps(Float64Array.of(100, 100, 160, 100, 100, 110), Uint8Array.of(100, 100, 100, 200, 200, 200), heavy, 2, options, Float64Array.of(100, 10), Float64Array.of(0, 0), () => Float64Array.of(1000, 1000));
    expect(Array.from(heavy)).toEqual([100, 100, 100, 200, 200, 200]);
    // Another entry now has the old colour: the still pixels go there, with no jump.
    const swapped = Float64Array.of(200, 190, 50, 200, 150, 50);
    expect(run(Uint8Array.of(200, 190, 50, 200, 150, 50), [1e6, 0], options, swapped).palette).toEqual([200, 190, 50, 200, 150, 50]);
  });

  it('unchangedPixelsPerEntry counts, per entry painted last frame, the pixels of the same colour opaque in both frames', () => {
    // Unchanged (entry 1), changed by one level (entry 1), unchanged but transparent now
    // (entry 0), unchanged with another alpha (entry 0), and an index past the palette.
    const before = Uint8Array.of(10, 10, 10, 255, 20, 20, 20, 255, 30, 30, 30, 255, 40, 40, 40, 255, 50, 50, 50, 255);
    const now = Uint8Array.of(10, 10, 10, 255, 20, 21, 20, 255, 30, 30, 30, 0, 40, 40, 40, 128, 50, 50, 50, 255);
    const out = new Float64Array(4).fill(9);
    expect(Array.from(unchangedPixelsPerEntry(now, before, Uint8Array.of(1, 1, 0, 0, 3), Uint8Array.of(1, 1, 1, 1), 2, out))).toEqual([1, 1, 9, 9]);
    // Only the entries asked for are counted.
    expect(Array.from(unchangedPixelsPerEntry(now, before, Uint8Array.of(1, 1, 0, 0, 3), Uint8Array.of(0, 1, 1, 1), 2, out))).toEqual([0, 1, 9, 9]);
  });

  it('jump hold: a still background keeps its colours while a sprite pulls an entry away and back (the benchmark clip)', async () => {
    // bench/clips.js's still background: coffee, with the hibiscus moving across it. Without
    // the jump hold one entry's colour jumps twice (frames 23 and 28), repainting ~300 and
    // ~850 background pixels by 30-40 levels: most of the clip's flicker.
    const bg = (await photo('skimage__coffee.png', 320, 240)).data;
    const sprite = (await photo('wuffs__hibiscus.regular.jpeg', 72, 96)).data;
    const frames: TimedFrame[] = Array.from({ length: 40 }, (_, t) => {
      const data = bg.slice();
      const x0 = (t * 5) % (320 - 72);
      const y0 = 40 + Math.round(30 * Math.sin(t / 6));
      for (let y = 0; y < 96; y++) data.set(sprite.subarray(y * 72 * 4, (y + 1) * 72 * 4), ((y0 + y) * 320 + x0) * 4);
      return { width: 320, height: 240, data, delayMs: 40 };
    });
    const measure = async (jumpHold: number) => {
      const meter = createQualityMeter();
      for await (const f of quantizeClip(source(frames), resolveSequenceOptions({ colors: 16, jumpHold }))) meter.add(f.source, expandFrame(f.indexed));
      return meter.result();
    };
    const off = await measure(0);
    const on = await measure(STABILITY_PRESETS.medium.jumpHold);
    expect(on.flicker_static!).toBeLessThan(0.3 * off.flicker_static!);
    expect(on.psnr!).toBeGreaterThan(off.psnr! - 0.01);
  }, 60_000);

  it('jump hold: smaller moves of colours that paint mostly still pixels are weighed too (a screen animation, no_time_for_that_tiny.gif)', async () => {
    // At frames 8 and 9 two colours moved by 20 and 15 levels though about half the pixels
    // they painted were unchanged, which they repainted: flicker 0.091 with the jump hold as
    // without it, before the rule; 0.059 with it.
    const file = path.join(corpus, 'gifs', 'skimage__no_time_for_that_tiny.gif');
    const measure = async (jumpHold: number) => {
      const meter = createQualityMeter();
      for await (const f of quantizeClip(() => openInput(file, resolveInputOptions({})), resolveSequenceOptions({ colors: 16, jumpHold }))) meter.add(f.source, expandFrame(f.indexed));
      return meter.result();
    };
    const off = await measure(0);
    const on = await measure(STABILITY_PRESETS.medium.jumpHold);
    expect(on.flicker_static!).toBeLessThan(0.75 * off.flicker_static!);
    expect(on.psnr!).toBeGreaterThan(off.psnr! - 0.1);
  });

  it("one clip palette counts visible pixels only: a transparent pixel's black is no colour of the clip", () => {
    const accumulator = createColorAccumulator();
    // Red and blue, and a transparent half stored as 0, 0, 0 (as the GIF decoder leaves it).
    accumulator.add({ width: 4, height: 1, data: Uint8Array.of(200, 0, 0, 255, 0, 0, 200, 255, 0, 0, 0, 0, 0, 0, 0, 0) });
    const { palette, counts } = accumulator.finish(resolveSequenceOptions({ colors: 3 }));
    expect(Array.from(palette.palette.subarray(0, palette.size * 3)).sort((a, b) => a - b)).toEqual([0, 0, 0, 0, 200, 200]);
    expect(Array.from(counts.subarray(0, palette.size))).toEqual([1, 1]);
  });

  it("one clip palette's count gives every colour of every frame, in the order they first came, with its exact count", () => {
    const accumulator = createColorAccumulator();
    const expected = new Map<number, number>();
    let state = 3;
    for (let f = 0; f < 4; f++) {
      const data = new Uint8Array(256 * 256 * 4);
      for (let p = 0; p < 256 * 256; p++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        // 100,000 colours, some a multiple of 2^12 apart (neighbours in the table), runs of one colour, transparent pixels.
        const key = p % 5 === 1 ? (((state >>> 8) % 4096) * 4096) & 0xffffff : (state >>> 8) % 100_000 * 167;
        const run = p % 7 === 3 ? data.subarray((p - 1) * 4, p * 4) : null;
        if (run !== null) data.set(run, p * 4);
        else data.set([key >>> 16, (key >>> 8) & 0xff, key & 0xff, p % 11 === 0 ? 0 : 255], p * 4);
        if (data[p * 4 + 3] === 0) continue;
        const shown = (data[p * 4] << 16) | (data[p * 4 + 1] << 8) | data[p * 4 + 2];
        expected.set(shown, (expected.get(shown) ?? 0) + 1);
      }
      accumulator.add({ width: 256, height: 256, data });
    }
    const { points, weights } = accumulator.request(resolveSequenceOptions({ colors: 16 }));
    expect(weights!.length).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(65_536);
    const got = Array.from(weights!, (w, i) => [(points[i * 3] << 16) | (points[i * 3 + 1] << 8) | points[i * 3 + 2], w]);
    expect(got).toEqual([...expected]);
  });

  it('holdPixels keeps the previous entry only for unchanged pixels within the margin', () => {
    const palette = Uint8Array.of(0, 0, 0, 100, 100, 100, 60, 60, 60);
    const prevSrc = Uint8Array.of(52, 52, 52, 255, 52, 52, 52, 255, 90, 90, 90, 255);
    const src = Uint8Array.of(52, 52, 52, 255, 80, 80, 80, 255, 90, 90, 90, 255);
    const indices = Uint8Array.of(2, 2, 1);
    const previous = Uint8Array.of(0, 0, 2);
    const opts = resolveStability('medium', { pixelHold: 8, pixelMargin: 0.5 });
    holdPixels(src, prevSrc, indices, previous, palette, 3, opts);
    // pixel 0: unchanged, but entry 0 is far worse than entry 2 -> not held;
    // pixel 1: source moved by 28 -> not held; pixel 2: unchanged and entry 2 (d²=2700) vs 1 (d²=300) -> not held.
    expect(Array.from(indices)).toEqual([2, 2, 1]);
    const near = Uint8Array.of(62, 62, 62, 255);
    const idx = Uint8Array.of(2);
    holdPixels(near, near, idx, Uint8Array.of(1), Uint8Array.of(0, 0, 0, 75, 75, 75, 60, 60, 60), 3, opts);
    expect(idx[0]).toBe(2); // d²(75)=507 > 1.5 × d²(60)=18 -> stays on the nearest
    holdPixels(near, near, idx.fill(2), Uint8Array.of(1), Uint8Array.of(0, 0, 0, 64, 64, 65, 60, 60, 60), 3, opts);
    expect(idx[0]).toBe(1); // d² = 17 ≤ 1.5 × 12 -> the previous entry is kept
    // The same pixel transparent the frame before: its old index is filler, nothing to keep.
    const wasClear = Uint8Array.of(62, 62, 62, 0);
    holdPixels(near, wasClear, idx.fill(2), Uint8Array.of(1), Uint8Array.of(0, 0, 0, 64, 64, 65, 60, 60, 60), 3, opts);
    expect(idx[0]).toBe(2);
  });

  it("holdPixels measures the margin in the run's metric and space, as nearest is measured", () => {
    // A dark grey, unchanged, whose Lab-nearest entry is a near-black (entry 0) and whose last
    // entry a dark blue (entry 1): within 1.5 times by squared RGB distance (862 against 741),
    // 23 times farther by squared Lab distance.
    const palette = Uint8Array.of(1, 1, 2, 1, 2, 40);
    const grey = Uint8Array.of(15, 17, 19, 255);
    const opts = resolveStability('medium', { pixelHold: 8, pixelMargin: 0.5 });
    const held = (metric: 'euclidean' | 'manhattan', space: 'rgb' | 'lab' | 'oklab') => {
      const indices = Uint8Array.of(0);
      holdPixels(grey, grey, indices, Uint8Array.of(1), palette, 2, opts, metric, space);
      return indices[0];
    };
    expect(held('euclidean', 'rgb')).toBe(1);
    expect(held('euclidean', 'lab')).toBe(0);
    // Manhattan in RGB: 14+15+21 = 50 against 14+16+17 = 47, within 1.5 times: held. In Lab, not.
    expect(held('manhattan', 'rgb')).toBe(1);
    expect(held('manhattan', 'lab')).toBe(0);
  });

  it('holdPixels examines every changed pixel, whether its group of four changed or not, and the tail', () => {
    // Nine unchanged grey pixels; entry 1 (64,64,65) is almost as near as entry 2 (60,60,60).
    const palette = Uint8Array.of(0, 0, 0, 64, 64, 65, 60, 60, 60);
    const source = new Uint8Array(9 * 4).fill(62);
    const previous = Uint8Array.of(2, 2, 2, 2, 2, 1, 2, 2, 1);
    const indices = Uint8Array.of(2, 2, 2, 2, 2, 2, 2, 2, 2);
    holdPixels(source, source, indices, previous, palette, 3, resolveStability('medium', { pixelHold: 8, pixelMargin: 0.5 }));
    expect(Array.from(indices)).toEqual([2, 2, 2, 2, 2, 1, 2, 2, 1]);
  });
});

describe('scene cuts at their edges', () => {
  it('are measured against the true median of an even count of differences (the mean of the middle two)', () => {
    const cuts = createSceneCutDetector({ minDifference: 0, differenceRatio: 4, window: 2 });
    const change = (difference: number) => ({ difference, opaquePixels: 100, stillPixels: 0, nowOpaquePixels: 100 });
    cuts.nextChange(change(0), NaN);
    cuts.nextChange(change(10), NaN);
    // The median of (0, 10) is 5: 30 > 4 x 5 is a cut (against the upper middle, 10, it would be none).
    expect(cuts.nextChange(change(30), NaN)).toBe(true);
  });

  it('are not made, after a frame written exactly (inertia 0), by one pixel one level off', () => {
    const width = 8;
    const a = new Uint8Array(width * width * 4);
    for (let p = 0; p < width * width; p++) a.set(p < 32 ? [0, 0, 0, 255] : [255, 255, 255, 255], p * 4);
    const b = a.slice();
    b[0] = 1; // one pixel (1,0,0)
    const q = createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 2 }), seeding: 'seeded', stability: STABILITY_PRESETS.medium });
    expect(q.next({ width, height: width, data: a }).inertia).toBe(0);
    expect(q.next({ width, height: width, data: b }).fresh).toBe(false);
  });
});
