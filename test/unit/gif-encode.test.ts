import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GifReader } from 'omggif';
import { describe, expect, it } from 'vitest';
import { createGifEncoder } from '../../src/encode/gif-encode.js';
import type { IndexedFrame } from '../../src/types.js';

const corpus = path.resolve(__dirname, '../../../shared/corpus');

interface Decoded {
  width: number;
  height: number;
  /** Full-canvas RGBA after compositing; alpha 0 where nothing is drawn. */
  frames: Uint8Array[];
  delaysCs: number[];
  loopCount: number | null;
}

/**
 * Independent reference decoder for the test: omggif for the blocks and LZW, and the GIF
 * disposal rules applied here (2 = clear the frame's rectangle to transparent, as browsers
 * do; 3 = restore the canvas from before the frame).
 */
function decodeComposited(bytes: Uint8Array): Decoded {
  const reader = new GifReader(bytes);
  const { width, height } = reader;
  const canvas = new Uint8Array(width * height * 4);
  const frames: Uint8Array[] = [];
  const delaysCs: number[] = [];
  let saved: Uint8Array | null = null;
  for (let i = 0; i < reader.numFrames(); i++) {
    const info = reader.frameInfo(i);
    if (i > 0) {
      const prev = reader.frameInfo(i - 1);
      if (prev.disposal === 2) {
        for (let y = prev.y; y < prev.y + prev.height; y++) canvas.fill(0, (y * width + prev.x) * 4, (y * width + prev.x + prev.width) * 4);
      } else if (prev.disposal === 3 && saved) canvas.set(saved);
    }
    saved = info.disposal === 3 ? canvas.slice() : null;
    reader.decodeAndBlitFrameRGBA(i, canvas);
    frames.push(canvas.slice());
    delaysCs.push(info.delay);
  }
  let loopCount: number | null = null;
  try {
    loopCount = reader.loopCount();
  } catch {
    loopCount = null;
  }
  return { width, height, frames, delaysCs, loopCount };
}

/** Turns composited RGBA frames into IndexedFrames with an exact palette of each frame's colours. */
function toIndexed(d: Decoded): IndexedFrame[] {
  return d.frames.map((rgba, f) => {
    const n = d.width * d.height;
    const indices = new Uint8Array(n);
    const transparent = new Uint8Array(n);
    const palette = new Uint8Array(768);
    const seen = new Map<number, number>();
    let anyTransparent = false;
    for (let p = 0; p < n; p++) {
      if (rgba[p * 4 + 3] === 0) {
        transparent[p] = 1;
        anyTransparent = true;
        continue;
      }
      const key = (rgba[p * 4] << 16) | (rgba[p * 4 + 1] << 8) | rgba[p * 4 + 2];
      let ix = seen.get(key);
      if (ix === undefined) {
        ix = seen.size;
        if (ix >= 256) throw new Error(`frame ${f} has more than 256 colours`);
        seen.set(key, ix);
        palette.set([rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2]], ix * 3);
      }
      indices[p] = ix;
    }
    return { width: d.width, height: d.height, indices, palette, size: seen.size, transparent: anyTransparent ? transparent : null, delayMs: d.delaysCs[f] * 10 };
  });
}

/** What a frame should look like: palette colours, alpha 0 where transparent. */
function expectedRgba(frame: IndexedFrame): Uint8Array {
  const out = new Uint8Array(frame.width * frame.height * 4);
  for (let p = 0; p < frame.width * frame.height; p++) {
    if (frame.transparent?.[p]) continue;
    const j = frame.indices[p] * 3;
    out[p * 4] = frame.palette[j];
    out[p * 4 + 1] = frame.palette[j + 1];
    out[p * 4 + 2] = frame.palette[j + 2];
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Index of the first pixel that differs (alpha 0 pixels compare by alpha only), or -1. */
function firstMismatch(a: Uint8Array, b: Uint8Array): number {
  for (let p = 0; p < a.length; p += 4) {
    if (a[p + 3] !== b[p + 3]) return p / 4;
    if (a[p + 3] !== 0 && (a[p] !== b[p] || a[p + 1] !== b[p + 1] || a[p + 2] !== b[p + 2])) return p / 4;
  }
  return -1;
}

/** harvesters.gif, which uses all 256 colours, and a 200x100 hole to make in it. */
function harvestersAndHole(): { still: IndexedFrame; n: number; transparent: Uint8Array } {
  const [still] = toIndexed(decodeComposited(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__harvesters.gif')))));
  expect(still.size).toBe(256);
  const n = still.width * still.height;
  const transparent = new Uint8Array(n);
  for (let y = 100; y < 200; y++) transparent.fill(1, y * still.width + 100, y * still.width + 300);
  return { still, n, transparent };
}

/** The palette entry nearest (squared RGB distance) to entry `i` of a 256-colour palette, other than `i`: where a dropped colour goes. */
function nearestOther(palette: Uint8Array, i: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let j = 0; j < 256; j++) {
    if (j === i) continue;
    const d = (palette[3 * j] - palette[3 * i]) ** 2 + (palette[3 * j + 1] - palette[3 * i + 1]) ** 2 + (palette[3 * j + 2] - palette[3 * i + 2]) ** 2;
    if (d < bestDistance) [best, bestDistance] = [j, d];
  }
  return best;
}

function encode(frames: IndexedFrame[], opts: { loopCount?: number; differencing?: boolean; stream?: boolean }): Uint8Array {
  const enc = createGifEncoder({ width: frames[0].width, height: frames[0].height, loopCount: opts.loopCount, differencing: opts.differencing });
  const parts: Uint8Array[] = [];
  for (const f of frames) {
    enc.addFrame(f);
    if (opts.stream) parts.push(enc.takeBytes());
  }
  parts.push(enc.finish());
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function roundTrip(file: string, differencing: boolean, stream = false) {
  const source = decodeComposited(new Uint8Array(readFileSync(path.join(corpus, file))));
  const frames = toIndexed(source);
  const loopCount = source.loopCount ?? undefined;
  const bytes = encode(frames, { loopCount, differencing, stream });
  const back = decodeComposited(bytes);
  expect(back.width).toBe(source.width);
  expect(back.height).toBe(source.height);
  expect(back.frames.length).toBe(frames.length);
  expect(back.delaysCs).toEqual(source.delaysCs);
  expect(back.loopCount).toBe(source.loopCount);
  for (let i = 0; i < frames.length; i++) {
    const bad = firstMismatch(back.frames[i], expectedRgba(frames[i]));
    expect(bad, `${file} frame ${i} first wrong pixel`).toBe(-1);
  }
  return { bytes, frames };
}

describe('createGifEncoder round trip through omggif', () => {
  it('keeps every pixel, delay and the loop count (sharp animated-loop-3, loop=2) without differencing', () => {
    const { bytes } = roundTrip('gifs/sharp__animated-loop-3.gif', false);
    // Every frame is written whole: each descriptor covers the canvas.
    const r = new GifReader(bytes);
    for (let i = 0; i < r.numFrames(); i++) expect([r.frameInfo(i).width, r.frameInfo(i).height]).toEqual([370, 285]);
  });

  it('keeps every pixel with differencing, and crops frames to what changed', () => {
    const plain = roundTrip('gifs/sharp__animated-loop-3.gif', false).bytes;
    const diffed = roundTrip('gifs/sharp__animated-loop-3.gif', true, true).bytes;
    expect(diffed.length).toBeLessThan(plain.length);
  });

  it('does not difference noise: scattered unchanged pixels are written as they are', () => {
    // Two flat halves with a fifth of the pixels flipped to the other colour, anew each frame
    // (video noise on flat areas): about two thirds of each frame is unchanged, but as
    // scattered specks, and transparent specks would break up the runs LZW packs.
    const W = 160, H = 120;
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const frames: IndexedFrame[] = Array.from({ length: 4 }, () => {
      const indices = new Uint8Array(W * H);
      for (let p = 0; p < indices.length; p++) {
        const half = p % W < W / 2 ? 0 : 1;
        indices[p] = random() < 0.2 ? 1 - half : half;
      }
      return { width: W, height: H, indices, palette: Uint8Array.of(20, 40, 60, 200, 180, 160), size: 2, transparent: null, delayMs: 100 };
    });
    const encode = (differencing: boolean) => {
      const enc = createGifEncoder({ width: W, height: H, loopCount: 0, differencing });
      for (const f of frames) enc.addFrame(f);
      return enc.finish().length;
    };
    // Measured: 10,023 bytes against 9,987 written whole; the differenced encoding, which
    // the share of unchanged pixels used to choose, came to 13,249.
    expect(encode(true)).toBeLessThan(encode(false) * 1.02);
  });

  it('writes unchanged pixels pixel by pixel as transparent or as their colour, whichever continues the run: a still middle transparent, and specks inside the recoloured sides as their colour', () => {
    // Frame 0: a texture of 16 colours in runs of 4. Frame 1: the middle half as it was, the
    // quarters either side recoloured to colour 3, where the pixels that were 3 already are
    // unchanged specks. Repeating the colour of unchanged pixels writes the middle's texture
    // again; writing them transparent breaks the recoloured runs at every speck.
    const W = 128, H = 64, n = W * H;
    let seed = 5;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const palette = new Uint8Array(16 * 3).map(() => Math.floor(random() * 256));
    const texture = new Uint8Array(n);
    for (let p = 0; p < n; p += 4) texture.fill(Math.floor(random() * 16), p, p + 4);
    const still = (p: number) => p % W >= W / 4 && p % W < (3 * W) / 4;
    const recoloured = texture.map((ix, p) => (still(p) ? ix : 3));
    const frames: IndexedFrame[] = [texture, recoloured].map((indices) => ({ width: W, height: H, indices, palette, size: 16, transparent: null, delayMs: 100 }));
    const bytes = encode(frames, { loopCount: 0, differencing: true });
    const back = decodeComposited(bytes);
    frames.forEach((frame, i) => expect(firstMismatch(back.frames[i], expectedRgba(frame)), `frame ${i}`).toBe(-1));
    // Which pixels frame 1 writes: blitted over a canvas of alpha 7, those it leaves transparent keep it.
    const reader = new GifReader(bytes);
    const info = reader.frameInfo(1);
    const canvas = new Uint8Array(n * 4).fill(7);
    reader.decodeAndBlitFrameRGBA(1, canvas);
    expect([info.x, info.y, info.width, info.height]).toEqual([0, 0, W, H]);
    // Pixels of colour 3 next to a side may as well join its run as the middle's (the same
    // runs either way), so only the others are checked one by one.
    let specks = 0;
    let opaqueSpecks = 0;
    for (let p = 0; p < n; p++) {
      const alpha = canvas[p * 4 + 3];
      if (texture[p] !== 3) expect(alpha, `pixel ${p % W},${Math.floor(p / W)}`).toBe(still(p) ? 7 : 255);
      else if (!still(p)) {
        specks++;
        if (alpha === 255) opaqueSpecks++;
      }
    }
    expect(opaqueSpecks).toBeGreaterThan(0.9 * specks);
    expect(specks).toBeGreaterThan(100);
  });

  it('mixes them at 256 colours too, where a colour is given up for the transparent index: its pixels, specks included, are drawn with its nearest', () => {
    // Frame 0: a texture of all 256 colours in runs of 8, with specks of the colour its sides
    // turn to already there. Frame 1: both sides recoloured, using all 256 colours (no index
    // is free, and a clear pixel makes one needed), the middle as it was.
    const W = 512, H = 64, n = W * H;
    let seed = 9;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const palette = new Uint8Array(768).map(() => Math.floor(random() * 256));
    const side = (p: number) => p % W < 128 || p % W >= 384;
    const sideColour = (p: number) => ((((p % W) >> 5) % 4) + 4 * Math.floor(p / W)) * 7 & 255;
    const texture = new Uint8Array(n);
    for (let p = 0; p < n; p += 8) texture.fill(Math.floor(random() * 256), p, p + 8);
    for (let p = 0; p < n; p++) {
      if (!side(p)) continue;
      if (p % 8 === 3) texture[p] = sideColour(p);
      else if (texture[p] === sideColour(p)) texture[p] = (texture[p] + 1) & 255;
    }
    const transparent = new Uint8Array(n);
    transparent[n - 1] = 1;
    const frames: IndexedFrame[] = [texture, texture.map((ix, p) => (side(p) ? sideColour(p) : ix))].map((indices) => ({ width: W, height: H, indices, palette, size: 256, transparent, delayMs: 100 }));
    const bytes = encode(frames, { loopCount: 0, differencing: true });
    const back = decodeComposited(bytes);
    // Each frame gives up a colour of its own (the first has a clear pixel too).
    frames.forEach((frame, i) => {
      const wrong = new Set<number>();
      const want = expectedRgba(frame);
      for (let p = 0; p < n - 1; p++) {
        if (firstMismatch(back.frames[i].subarray(4 * p, 4 * p + 4), want.subarray(4 * p, 4 * p + 4)) < 0) continue;
        const victim = frame.indices[p];
        wrong.add(victim);
        const instead = nearestOther(palette, victim);
        expect([...back.frames[i].subarray(4 * p, 4 * p + 3)], `frame ${i} pixel ${p}`).toEqual([...palette.subarray(3 * instead, 3 * instead + 3)]);
      }
      expect(wrong.size, `frame ${i}: colours drawn wrong`).toBe(1);
    });
    // Frame 1 over a canvas of alpha 7: its still middle left transparent, the specks in its
    // sides written with their colour.
    const reader = new GifReader(bytes);
    expect(reader.frameInfo(1).width).toBe(W);
    const canvas = new Uint8Array(n * 4).fill(7);
    reader.decodeAndBlitFrameRGBA(1, canvas);
    let clearMiddle = 0, specks = 0, opaqueSpecks = 0;
    for (let p = 0; p < n - 1; p++) {
      if (!side(p)) clearMiddle += canvas[4 * p + 3] === 7 ? 1 : 0;
      else if (p % 8 === 3) {
        specks++;
        opaqueSpecks += canvas[4 * p + 3] === 255 ? 1 : 0;
      }
    }
    expect(clearMiddle).toBeGreaterThan(0.95 * (n / 2));
    expect(opaqueSpecks).toBeGreaterThan(0.9 * specks);
  });

  it.each([5, 16, 256])('frames whose changed pixels lie scattered (video noise, scanned without branches after the first) come back exactly, with and without transparency (%i colours)', (size) => {
    // Each frame redraws a random half of its pixels, so changed and unchanged ones alternate
    // about every other pixel, far past the encoder's threshold for its branch-free scan; a
    // run of quiet frames between sends it back to the scan with branches and then out again.
    const W = 96, H = 64, n = W * H;
    let seed = 11;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const palette = new Uint8Array(768);
    for (let i = 0; i < palette.length; i++) palette[i] = Math.floor(random() * 256);
    let indices = new Uint8Array(n).map(() => Math.floor(random() * size));
    const frames: IndexedFrame[] = [];
    for (let f = 0; f < 12; f++) {
      const quiet = f >= 5 && f < 8;
      indices = indices.map((ix) => (random() < (quiet ? 0.002 : 0.5) ? Math.floor(random() * size) : ix));
      // A clear corner on some frames: transparency written, and cleared again.
      const transparent = f % 3 === 2 ? new Uint8Array(n).map((_, p) => (p % W < 20 && p < 20 * W ? 1 : 0)) : null;
      frames.push({ width: W, height: H, indices, palette, size, transparent, delayMs: 40 });
    }
    const back = decodeComposited(encode(frames, { loopCount: 0, differencing: true }));
    for (let i = 0; i < frames.length; i++) {
      // A full 256 gives up its least-used colour where it needs a transparent index (see
      // the test of that): the only pixels allowed to differ are of one colour, drawn with
      // its nearest.
      const wrong = new Set<number>();
      const want = expectedRgba(frames[i]);
      const got = back.frames[i];
      for (let p = 0; p < n; p++) {
        if (firstMismatch(got.subarray(4 * p, 4 * p + 4), want.subarray(4 * p, 4 * p + 4)) < 0) continue;
        const victim = frames[i].indices[p];
        wrong.add(victim);
        const instead = nearestOther(palette, victim);
        expect([...got.subarray(4 * p, 4 * p + 4)], `frame ${i} pixel ${p}`).toEqual([...palette.subarray(3 * instead, 3 * instead + 3), 255]);
      }
      expect(wrong.size, `frame ${i}: colours drawn wrong`).toBeLessThanOrEqual(size === 256 ? 1 : 0);
    }
  });

  it('a local table that would read (i, i, i) at every entry, with a transparent index, gets a colour off that ramp in its transparent entry: Pillow took such a table for none and stopped ("image has no palette"; a film fading in from black)', () => {
    const grey = (v: number[]) => Uint8Array.from([...v, ...new Array(768 - v.length).fill(0)]);
    // Black, then a pixel in eight (1,1,1): the changed pixels use entry 1 alone, so entry 0 is borrowed for the unchanged ones.
    const first: IndexedFrame = { width: 16, height: 16, indices: new Uint8Array(256), palette: grey([0, 0, 0, 9, 9, 9]), size: 2, transparent: null, delayMs: 100 };
    const second: IndexedFrame = { ...first, indices: new Uint8Array(256).map((_, p) => (p % 8 === 3 ? 1 : 0)), palette: grey([0, 0, 0, 1, 1, 1]) };
    const bytes = encode([first, second], { loopCount: 0, differencing: true });
    const reader = new GifReader(bytes);
    const info = reader.frameInfo(1) as ReturnType<GifReader['frameInfo']> & { palette_offset: number | null; palette_size: number; transparent_index: number | null };
    expect([info.palette_offset !== null, info.palette_size, info.transparent_index]).toEqual([true, 2, 0]);
    const table = [...bytes.subarray(info.palette_offset!, info.palette_offset! + 6)];
    expect(table).toEqual([255, 0, 255, 1, 1, 1]);
    // The pixels are those meant, as before.
    expect([...decodeComposited(bytes).frames[1]]).toEqual([...expectedRgba(second)]);
  });

  it('frames that repeat the one before outside a changed part, under the same palette, show exactly their own pixels (the repeated part is copied, not looked up again)', () => {
    // 13 pixels wide (rows not a multiple of 4 bytes), one palette, each frame the one before
    // with a few pixels changed: at the first and last pixel, inside, in the transparency
    // mask alone, in an index under a transparent pixel, or nowhere; arrays at odd offsets too.
    const W = 13, H = 9, n = W * H;
    const palette = Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 250, 250);
    const at = (bytes: Uint8Array, odd: boolean): Uint8Array => {
      if (!odd) return bytes;
      const wider = new Uint8Array(bytes.length + 1);
      wider.set(bytes, 1);
      return wider.subarray(1);
    };
    let indices = new Uint8Array(n).map((_, p) => p % 5);
    let mask: Uint8Array | null = null;
    const edits: ((i: Uint8Array, m: Uint8Array | null) => Uint8Array | null)[] = [
      (i) => ((i[0] = 4), null),
      (i) => ((i[n - 1] = 0), null),
      (i) => ((i[5 * W + 7] = 2), null),
      () => null,
      (_, m) => { const t = m ?? new Uint8Array(n); t[3 * W + 2] = 1; return t; },
      (i, m) => ((i[3 * W + 2] = 1), m), // under a transparent pixel: nothing shows
      (_, m) => { const t = m!.slice(); t[3 * W + 2] = 0; t[n - 2] = 1; return t; },
      (i, m) => ((i[0] = 3), (i[n - 1] = 2), m),
    ];
    const frames: IndexedFrame[] = [];
    edits.forEach((edit, f) => {
      indices = indices.slice();
      mask = edit(indices, mask === null ? null : mask.slice());
      frames.push({ width: W, height: H, indices: at(indices, f % 2 === 1), palette, size: 5, transparent: mask === null ? null : at(mask, f % 3 === 1), delayMs: 100 });
    });
    for (const differencing of [true, false]) {
      const back = decodeComposited(encode(frames, { loopCount: 0, differencing }));
      frames.forEach((frame, i) => expect(firstMismatch(back.frames[i], expectedRgba(frame)), `frame ${i}`).toBe(-1));
    }
  });

  it('a frame that repeats the one before is still compared with the canvas where writing that one changed it: a clear for a hole, a dropped colour', () => {
    // Clear: frame 1 opens a hole in row 0, so frame 0 (the whole canvas) is disposed of to
    // transparent; frame 1 repeats frame 0 elsewhere, but all of it must be drawn again.
    const W = 13, H = 9, n = W * H;
    const palette = Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 250, 250);
    const indices = new Uint8Array(n).map((_, p) => p % 5);
    const opaque = new Uint8Array(n);
    const hole = opaque.slice();
    hole[2] = 1;
    const later = indices.slice();
    later[n - 1] = 1;
    const frames: IndexedFrame[] = [
      { width: W, height: H, indices, palette, size: 5, transparent: opaque, delayMs: 100 },
      { width: W, height: H, indices, palette, size: 5, transparent: hole, delayMs: 100 },
      { width: W, height: H, indices: later, palette, size: 5, transparent: hole, delayMs: 100 },
    ];
    const back = decodeComposited(encode(frames, { loopCount: 0 }));
    frames.forEach((frame, i) => expect(firstMismatch(back.frames[i], expectedRgba(frame)), `frame ${i}`).toBe(-1));
    // Dropped colour: frame 0 has 256 colours and a hole, so one colour is drawn with its
    // neighbour; frame 1 repeats it but for its last pixel and has a free slot, so it is exact.
    const { still, transparent } = harvestersAndHole();
    const changed = still.indices.slice();
    changed[changed.length - 1] ^= 1;
    const two: IndexedFrame[] = [{ ...still, transparent, delayMs: 100 }, { ...still, indices: changed, transparent, delayMs: 100 }];
    expect(firstMismatch(decodeComposited(encode(two, { loopCount: 0 })).frames[1], expectedRgba(two[1]))).toBe(-1);
  });

  it('composites transparency correctly with differencing (pigs in a polka: transparent background, disposal 2 in the source)', () => {
    const plain = roundTrip('gifs/moviepy__pigs_in_a_polka.gif', false).bytes;
    const diffed = roundTrip('gifs/moviepy__pigs_in_a_polka.gif', true).bytes;
    expect(diffed.length).toBeLessThanOrEqual(plain.length);
  });

  it('handles pixels that turn transparent mid-animation (dartimage bounce, disposal 1 and 2)', () => {
    roundTrip('gifs/dartimage__bounce.gif', true);
    roundTrip('gifs/dartimage__bounce.gif', false);
  });

  it('uses a spare slot for transparency next to 245 colours (earth-transparent)', () => {
    roundTrip('gifs/gifcontrols__earth-transparent.gif', true);
  });

  it('writes no loop extension when loopCount is undefined and handles 256-colour frames (harvesters, hopper)', () => {
    const { bytes } = roundTrip('gifs/wuffs__harvesters.gif', true);
    expect(Buffer.from(bytes).includes(Buffer.from('NETSCAPE2.0'))).toBe(false);
    roundTrip('gifs/pillow__animated_hopper.gif', true);
  });

  it('keeps fractional video delays on average: 30 frames at 1000/30 ms last 1 s', () => {
    const source = toIndexed(decodeComposited(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__muybridge.gif')))));
    const frames = [...source, ...source].map((f) => ({ ...f, delayMs: 1000 / 30 }));
    const back = decodeComposited(encode(frames, { loopCount: 0 }));
    const total = back.delaysCs.reduce((s, d) => s + d, 0);
    expect(total).toBe(Math.round((frames.length * 100) / 30));
    for (const d of back.delaysCs) expect([3, 4]).toContain(d);
  });

  it('cuts a delay longer than a GIF holds (655.35 s) instead of carrying the rest into the next frame', () => {
    // An APNG may ask for 65535 s. The excess was carried on: the next 100 ms frame got 655.35 s too.
    const source = toIndexed(decodeComposited(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__muybridge.gif'))))).slice(0, 3);
    const frames = source.map((f, i) => ({ ...f, delayMs: [100, 65_535_000, 100][i] }));
    expect(decodeComposited(encode(frames, { loopCount: 0 })).delaysCs).toEqual([10, 65535, 10]);
  });

  it('256 colours plus transparency: drops only the least-used colour, drawing it with its nearest neighbour', () => {
    const { still, n, transparent } = harvestersAndHole();
    const frame: IndexedFrame = { ...still, transparent, delayMs: 100 };
    const back = decodeComposited(encode([frame, still], { loopCount: 0 }));
    // Frame 0: transparency exact; the wrong pixels are all one palette colour.
    const want = expectedRgba(frame);
    const got = back.frames[0];
    const wrongColours = new Set<number>();
    let wrong = 0;
    let alphaWrong = 0;
    for (let p = 0; p < n; p++) {
      if (got[p * 4 + 3] !== want[p * 4 + 3]) alphaWrong++;
      if (want[p * 4 + 3] && (got[p * 4] !== want[p * 4] || got[p * 4 + 1] !== want[p * 4 + 1] || got[p * 4 + 2] !== want[p * 4 + 2])) {
        wrong++;
        wrongColours.add(frame.indices[p]);
      }
    }
    expect(alphaWrong).toBe(0);
    expect(wrongColours.size).toBeLessThanOrEqual(1);
    expect(wrong).toBeLessThan(n / 256);
    // Frame 1 has no transparency and all 256 colours: exact, drawn over frame 0's hole.
    expect(firstMismatch(back.frames[1], expectedRgba(still))).toBe(-1);
  });

  it('256 colours plus transparency: the colour given up is the least used, the last entry too', () => {
    const width = 64;
    const height = 64;
    const n = width * height;
    // Entries 0 to 254 drawn 16 times or more each, entry 255 once; one pixel clear.
    const indices = new Uint8Array(n).map((_, p) => p % 255);
    indices[1000] = 255;
    const transparent = new Uint8Array(n);
    transparent[0] = 1;
    const palette = new Uint8Array(768);
    for (let e = 0; e < 256; e++) palette.set([e, 255 - e, (e * 7) % 256], e * 3);
    const frame: IndexedFrame = { width, height, indices, palette, size: 256, transparent, delayMs: 100 };
    const got = decodeComposited(encode([frame], { loopCount: 0 })).frames[0];
    const want = expectedRgba(frame);
    const standIn = nearestOther(palette, 255);
    want.set([palette[standIn * 3], palette[standIn * 3 + 1], palette[standIn * 3 + 2]], 1000 * 4);
    expect(firstMismatch(got, want)).toBe(-1);
  });

  it('256 colours and a mostly unchanged frame: the unchanged pixels are still skipped', () => {
    const [still] = toIndexed(decodeComposited(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__harvesters.gif')))));
    expect(still.size).toBe(256);
    const n = still.width * still.height;
    const one = encode([still], {}).length;
    /** Encodes `still` then `next`: the second frame's bytes and its decoded pixels. */
    const second = (next: IndexedFrame) => {
      const both = encode([still, next], {});
      return { bytes: both.length - one, got: decodeComposited(both).frames[1] };
    };
    /** Palette indices whose pixels came out wrong. */
    const wrongColours = (got: Uint8Array, next: IndexedFrame) => {
      const want = expectedRgba(next);
      const wrong = new Set<number>();
      for (let p = 0; p < n; p++) if (got[p * 4] !== want[p * 4] || got[p * 4 + 1] !== want[p * 4 + 1] || got[p * 4 + 2] !== want[p * 4 + 2]) wrong.add(next.indices[p]);
      return wrong;
    };
    // Two changed pixels in opposite corners: the changed rectangle is the whole canvas, and
    // an index that only unchanged pixels use becomes the transparent one, losing nothing.
    const corners = still.indices.slice();
    corners[0] = (corners[0] + 1) % 256;
    corners[n - 1] = (corners[n - 1] + 1) % 256;
    const a = second({ ...still, indices: corners });
    expect(a.bytes).toBeLessThan(one / 10);
    expect(wrongColours(a.got, { ...still, indices: corners }).size).toBe(0);
    // Every colour among the changed pixels: no index is free, so the least-used colour is
    // drawn with its nearest neighbour rather than every unchanged pixel written again.
    const all = still.indices.slice();
    for (let c = 0; c < 256; c++) all[Math.floor((c * (n - 1)) / 255)] = (c + 7) % 256;
    const b = second({ ...still, indices: all });
    expect(b.bytes).toBeLessThan(one / 10);
    expect(wrongColours(b.got, { ...still, indices: all }).size).toBeLessThanOrEqual(1);
  });

  /** A 64x64 frame's indices in 16 vertical bands of 4 columns, and a palette of 16 distinct colours. */
  const sixteenBands = () => {
    const width = 64;
    const palette = new Uint8Array(768);
    for (let c = 0; c < 16; c++) palette.set([c * 16, 255 - c * 16, (c * 97) % 256], c * 3);
    const bands = new Uint8Array(width * width);
    for (let p = 0; p < bands.length; p++) bands[p] = Math.floor((p % width) / 4);
    return { width, palette, bands };
  };

  it('a full power-of-two palette (k = 16) keeps its table size: an index no changed pixel uses becomes the transparent one', () => {
    // 64x64 in 16 colour bands; the second frame repaints a square with colours 0-7 only,
    // so entries 8-15 paint only unchanged pixels there.
    const { width, palette, bands } = sixteenBands();
    const repainted = bands.slice();
    for (let y = 20; y < 40; y++) for (let x = 0; x < 64; x++) repainted[y * width + x] = (x + y) % 8;
    // The second frame's table is the first's in reverse order (the same pixels' colours), so
    // it cannot refer to the global table and carries a local one.
    const reversed = new Uint8Array(768);
    for (let c = 0; c < 16; c++) reversed.set(palette.subarray((15 - c) * 3, (15 - c) * 3 + 3), c * 3);
    const frames: IndexedFrame[] = [
      { width, height: width, indices: bands, palette, size: 16, transparent: null, delayMs: 100 },
      { width, height: width, indices: repainted.map((i) => 15 - i), palette: reversed, size: 16, transparent: null, delayMs: 100 },
    ];
    const bytes = encode(frames, { differencing: true });
    const reader = new GifReader(bytes);
    const second = reader.frameInfo(1);
    // Differenced (unchanged pixels transparent) with 16 entries, where a 17th made it 32.
    expect(second.has_local_palette).toBe(true);
    expect(second.transparent_index).not.toBeNull();
    expect(second.transparent_index).toBeLessThan(16);
    expect(second.palette_size).toBe(16);
    const decoded = decodeComposited(bytes);
    frames.forEach((f, i) => expect(firstMismatch(decoded.frames[i], expectedRgba(f))).toBe(-1));
  });

  it("a first frame's full power-of-two table gets room for a transparent index when frames follow, so later frames of its colours refer to it (each carried a table of 32)", () => {
    // 64x64 in 16 colour bands; every later frame repaints rows in all 16 colours, the rest
    // unchanged (written as transparent): no entry is free for the transparent index.
    const { width, palette, bands } = sixteenBands();
    const layers = [bands];
    for (let f = 1; f < 4; f++) {
      const next = layers[f - 1].slice();
      for (let y = 10 * f; y < 10 * f + 4; y++) for (let x = 0; x < width; x++) next[y * width + x] = (x + f) % 16;
      layers.push(next);
    }
    const clip: IndexedFrame[] = layers.map((indices) => ({ width, height: width, indices, palette, size: 16, transparent: null, delayMs: 100 }));
    const bytes = encode(clip, { differencing: true });
    const reader = new GifReader(bytes);
    expect(reader.frameInfo(0).palette_size).toBe(32);
    for (let f = 1; f < 4; f++) {
      const info = reader.frameInfo(f);
      expect([f, info.has_local_palette, info.transparent_index]).toEqual([f, false, 16]);
    }
    const decoded = decodeComposited(bytes);
    clip.forEach((f, i) => expect(firstMismatch(decoded.frames[i], expectedRgba(f))).toBe(-1));
    // One frame alone keeps its 16: no later frame could use the room.
    expect(new GifReader(encode(clip.slice(0, 1), { differencing: true })).frameInfo(0).palette_size).toBe(16);
  });

  it('a frame disposed of with method 2 carries a transparent index, so decoders that fill with the background colour clear it too', () => {
    const file = 'odd_gifs/peterdn__animated_transparent_firstframerestoreprev_loop.gif';
    const { bytes } = roundTrip(file, true);
    const reader = new GifReader(bytes);
    let disposed = 0;
    for (let i = 0; i < reader.numFrames(); i++) {
      const info = reader.frameInfo(i);
      if (info.disposal !== 2) continue;
      disposed++;
      expect(info.transparent_index, `frame ${i}`).not.toBeNull();
    }
    expect(disposed).toBeGreaterThan(0);
  });

  it('at 256 colours too: a frame followed by a hole gives up a colour for its transparent index', () => {
    // harvesters has all 256 colours and no free slot; the next frame clears a rectangle.
    const { still, n, transparent } = harvestersAndHole();
    for (const differencing of [true, false]) {
      const bytes = encode([{ ...still, delayMs: 100 }, { ...still, transparent, delayMs: 100 }], { loopCount: 0, differencing });
      const info = new GifReader(bytes).frameInfo(0);
      expect(info.disposal).toBe(2);
      expect(info.transparent_index).not.toBeNull();
      // Browsers show the hole either way; decoders that fill with the background colour now do too.
      const back = decodeComposited(bytes);
      for (let p = 0; p < n; p++) if (transparent[p]) expect(back.frames[1][p * 4 + 3]).toBe(0);
    }
  });

  it('frames that share the first frame\'s palette use the global table (no local tables)', () => {
    const source = decodeComposited(new Uint8Array(readFileSync(path.join(corpus, 'gifs/imageio__newtonscradle.gif'))));
    // One palette for the whole clip: the union of every frame's colours.
    const union = new Map<number, number>();
    const palette = new Uint8Array(768);
    const frames: IndexedFrame[] = source.frames.map((rgba, f) => {
      const indices = new Uint8Array(source.width * source.height);
      for (let p = 0; p < indices.length; p++) {
        const key = (rgba[p * 4] << 16) | (rgba[p * 4 + 1] << 8) | rgba[p * 4 + 2];
        let ix = union.get(key);
        if (ix === undefined) {
          ix = union.size;
          union.set(key, ix);
          palette.set(rgba.subarray(p * 4, p * 4 + 3), ix * 3);
        }
        indices[p] = ix;
      }
      return { width: source.width, height: source.height, indices, palette, size: 0, transparent: null, delayMs: source.delaysCs[f] * 10 };
    });
    expect(union.size).toBeLessThanOrEqual(255);
    const shared = frames.map((f) => ({ ...f, size: union.size }));
    for (const differencing of [true, false]) {
      const bytes = encode(shared, { loopCount: 0, differencing });
      const r = new GifReader(bytes);
      for (let i = 1; i < r.numFrames(); i++) expect(r.frameInfo(i).has_local_palette).toBe(false);
      const back = decodeComposited(bytes);
      for (let i = 0; i < shared.length; i++) expect(firstMismatch(back.frames[i], expectedRgba(shared[i]))).toBe(-1);
    }
    // A frame whose palette differs gets its own table again.
    const changed = new Uint8Array(palette);
    changed[0] ^= 0xff;
    const r = new GifReader(encode([shared[0], { ...shared[1], palette: changed }], {}));
    expect(r.frameInfo(1).has_local_palette).toBe(true);
  });

  it('writes a frame with no opaque pixel (an empty palette) as a transparent frame', () => {
    const enc = createGifEncoder({ width: 2, height: 2, loopCount: 0 });
    const clear: IndexedFrame = { width: 2, height: 2, indices: new Uint8Array(4), palette: new Uint8Array(0), size: 0, transparent: new Uint8Array(4).fill(1), delayMs: 100 };
    enc.addFrame(clear);
    enc.addFrame({ ...clear, palette: Uint8Array.of(200, 10, 30), size: 1, transparent: Uint8Array.of(0, 1, 1, 1) });
    const r = new GifReader(enc.finish());
    const pixels = new Uint8Array(16);
    r.decodeAndBlitFrameRGBA(0, pixels);
    expect(Array.from(pixels.filter((_, i) => i % 4 === 3))).toEqual([0, 0, 0, 0]);
    r.decodeAndBlitFrameRGBA(1, pixels);
    expect(Array.from(pixels.subarray(0, 4))).toEqual([200, 10, 30, 255]);
    // An empty palette cannot draw an opaque pixel.
    expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame({ ...clear, transparent: Uint8Array.of(1, 1, 0, 1) })).toThrow('palette index 0 at pixel 2 is not below size 0');
  });

  it('rejects frames whose size or palette does not fit', () => {
    const enc = createGifEncoder({ width: 2, height: 2 });
    const frame: IndexedFrame = { width: 2, height: 2, indices: new Uint8Array([0, 1, 0, 2]), palette: new Uint8Array(6), size: 2, transparent: null, delayMs: 0 };
    expect(() => enc.addFrame(frame)).toThrow('palette index 2 at pixel 3 is not below size 2');
    // Under a transparent pixel the index is ignored; elsewhere it is still checked.
    expect(() => enc.addFrame({ ...frame, transparent: new Uint8Array([0, 0, 0, 1]) })).not.toThrow();
    expect(() => enc.addFrame({ ...frame, transparent: new Uint8Array([1, 0, 0, 0]) })).toThrow('index 2 at pixel 3');
    expect(() => enc.addFrame({ ...frame, width: 1 })).toThrow(/canvas is 2x2/);
    expect(() => createGifEncoder({ width: 0, height: 2 })).toThrow(/width/);
  });
});
