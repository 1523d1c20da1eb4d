/**
 * Compositing rules checked on real odd GIFs from the corpus. Expected values come from
 * the files' own bytes (palettes, GCE fields) as listed in the comments.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { decodeGif, isGif } from '../../src/decode/gif-decode.js';
import { mayTurnClear, type FrameCover } from '../../src/decode/canvas-holes.js';
import { parseGifStructure, resolveGifLimits } from '../../src/decode/gif-structure.js';
import { createGifEncoder } from '../../src/encode/gif-encode.js';
import { ChromaseedError } from '../../src/errors.js';
import type { TimedFrame } from '../../src/types.js';
import { ffmpegFrames } from '../helpers/ffmpeg-frames.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const read = (rel: string): Uint8Array => new Uint8Array(readFileSync(path.join(corpus, rel)));
const decodeAll = (rel: string): TimedFrame[] => [...decodeGif(read(rel), path.basename(rel)).frames()];

/** [r, g, b, a] at (x, y). */
function px(f: TimedFrame, x: number, y: number): number[] {
  const p = (y * f.width + x) * 4;
  return [...f.data.subarray(p, p + 4)];
}

function countColour(f: TimedFrame, r: number, g: number, b: number): number {
  let n = 0;
  for (let p = 0; p < f.data.length; p += 4) {
    if (f.data[p + 3] === 255 && f.data[p] === r && f.data[p + 1] === g && f.data[p + 2] === b) n++;
  }
  return n;
}

/** Delays of every GCE in a small file, found by their fixed byte pattern 21 F9 04 .. 00. */
function gceDelaysMs(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 7 < bytes.length; i++) {
    if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4 && bytes[i + 7] === 0) {
      out.push((bytes[i + 4] | (bytes[i + 5] << 8)) * 10);
    }
  }
  return out;
}

describe('loop count', () => {
  it.each([
    ['odd_gifs/glide__gif_netscape_iteration_1.gif', 1],
    ['odd_gifs/glide__gif_netscape_iteration_256.gif', 256],
    ['odd_gifs/glide__gif_netscape_iteration_65535.gif', 65535],
    ['gifs/sharp__animated-loop-3.gif', 2],
    ['gifs/wuffs__muybridge.gif', 0],
    // Three NETSCAPE blocks with 50, 30 and 40: the last one wins, as in Chromium's reader.
    ['odd_gifs/wuffs__multiple-loop-counts.gif', 40],
  ])('%s -> %d', (rel, loops) => {
    expect(decodeGif(read(rel), 'x').info.loopCount).toBe(loops);
  });

  it('is undefined without a NETSCAPE block', () => {
    const info = decodeGif(read('odd_gifs/glide__gif_without_netscape_iteration.gif'), 'x').info;
    expect(info.loopCount).toBeUndefined();
    expect('loopCount' in info).toBe(false);
    expect(info.frameCount).toBe(4);
  });

  it('reads a loop count from NETSCAPE2.0 and ANIMEXTS1.0 blocks only, not from another application extension laid out the same', () => {
    const encoder = createGifEncoder({ width: 2, height: 1, differencing: false }); // no loop block of its own
    encoder.addFrame({ width: 2, height: 1, indices: Uint8Array.of(0, 1), palette: Uint8Array.of(0, 0, 0, 255, 255, 255), size: 2, transparent: null, delayMs: 100 });
    const bytes = encoder.finish();
    const first = bytes.findIndex((b, i) => b === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4);
    expect(first).toBeGreaterThan(12);
    /** The file with an application extension `id` (11 bytes) before its first frame, its sub-block 01 05 00: "5 repeats". */
    const withApp = (id: string): Uint8Array =>
      Uint8Array.from([...bytes.subarray(0, first), 0x21, 0xff, 11, ...Buffer.from(id, 'latin1'), 3, 1, 5, 0, 0, ...bytes.subarray(first)]);
    const loop = (b: Uint8Array) => parseGifStructure(b, 'a.gif', resolveGifLimits(undefined)).loopCount;
    expect(loop(bytes)).toBeUndefined();
    expect(loop(withApp('NETSCAPE2.0'))).toBe(5);
    expect(loop(withApp('ANIMEXTS1.0'))).toBe(5);
    expect(loop(withApp('XMP DataXMP'))).toBeUndefined();
    expect(loop(withApp('NETSCAPE2.1'))).toBeUndefined();
  });
});

describe('delays', () => {
  it('are the GCE centiseconds x 10, per frame', () => {
    const rel = 'odd_gifs/wuffs__animated-red-blue.gif';
    const frames = decodeAll(rel);
    expect(frames.map((f) => f.delayMs)).toEqual([100, 200, 300, 400]);
    expect(frames.map((f) => f.delayMs)).toEqual(gceDelaysMs(read(rel)));
  });

  it('keeps zero delays as zero', () => {
    const frames = decodeAll('odd_gifs/imagegif__beacon_icc.gif');
    expect(frames.map((f) => f.delayMs)).toEqual([0, 0]);
  });

  it('gives 0 to a frame without a GCE, not the previous frame\'s delay', () => {
    // wuffs__multiple-loop-counts has no GCE at all; libvips__cogs has GCEs on some frames.
    expect(decodeAll('odd_gifs/wuffs__multiple-loop-counts.gif').map((f) => f.delayMs)).toEqual([0, 0, 0, 0]);
  });
});

describe('delays of 2.56 s and more', () => {
  it('reads both bytes of a delay: sdwebimage__corrupt.gif shows each frame for 50 s (read modulo 2.56 s, 24.4 s)', () => {
    const gif = decodeGif(read('odd_gifs/sdwebimage__corrupt.gif'), 'sdwebimage__corrupt.gif');
    expect(gif.delaysMs).toEqual(gceDelaysMs(read('odd_gifs/sdwebimage__corrupt.gif')));
    expect(gif.delaysMs).toEqual([5000, 5000]);
  });
});

describe('crafted headers', () => {
  /**
   * Two 2x1 frames through this package's encoder: the first with its left pixel transparent
   * (index 2, after its two colours), the second all opaque, its left pixel green, index 2 of its own table.
   */
  function twoFrames(delayMs: number): Uint8Array {
    const encoder = createGifEncoder({ width: 2, height: 1, loopCount: 0, differencing: false });
    const palette = Uint8Array.of(255, 0, 0, 0, 0, 255, 0, 255, 0);
    encoder.addFrame({ width: 2, height: 1, indices: Uint8Array.of(0, 1), palette, size: 2, transparent: Uint8Array.of(1, 0), delayMs });
    encoder.addFrame({ width: 2, height: 1, indices: Uint8Array.of(2, 1), palette, size: 3, transparent: null, delayMs });
    return encoder.finish();
  }

  it('a transparent index belongs to its own frame: a later frame without a graphic control extension draws that index opaque', () => {
    const bytes = twoFrames(100);
    const gces = [];
    for (let i = 0; i + 7 < bytes.length; i++) if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4 && bytes[i + 7] === 0) gces.push(i);
    expect(gces).toHaveLength(2);
    // The second frame's extension cut out: its pixels are plain palette indices.
    const withoutSecond = Uint8Array.from([...bytes.subarray(0, gces[1]), ...bytes.subarray(gces[1] + 8)]);
    const frames = [...decodeGif(withoutSecond, 'no-gce.gif').frames()];
    expect(Array.from(frames[0].data)).toEqual([0, 0, 0, 0, 0, 0, 255, 255]);
    expect(Array.from(frames[1].data)).toEqual([0, 255, 0, 255, 0, 0, 255, 255]);
  });

  it('frames of 1 cs play at 10 per second in browsers, and the clip\'s rate for video says so', () => {
    const gif = decodeGif(twoFrames(10), 'fast.gif');
    expect(gif.delaysMs).toEqual([10, 10]);
    expect(gif.info.fps).toBe(10);
  });
});

describe('transparency and disposal 2 (restore to background)', () => {
  // pillow__transparent_dispose.gif: 3x1 canvas, GCT[0] = green (0,255,24), GCT[1] = blue
  // (0,0,255), transparent index 2 in every GCE.
  // frame 0 (disposal 1): index 2,1,2 -> transparent, blue, transparent.
  // frame 1 (disposal 2): green, blue, green over the whole canvas.
  // frame 2 (x=1, 1x1): blue. Frame 1's area was cleared, so pixels 0 and 2 are transparent.
  const frames = decodeAll('odd_gifs/pillow__transparent_dispose.gif');
  it('leaves the transparent index unpainted', () => {
    expect(px(frames[0], 0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(frames[0], 1, 0)).toEqual([0, 0, 255, 255]);
    expect(px(frames[0], 2, 0)).toEqual([0, 0, 0, 0]);
  });
  it('draws the opaque frame', () => {
    expect([px(frames[1], 0, 0), px(frames[1], 1, 0), px(frames[1], 2, 0)]).toEqual([
      [0, 255, 24, 255], [0, 0, 255, 255], [0, 255, 24, 255],
    ]);
  });
  it('clears the disposed rectangle to transparent', () => {
    expect([px(frames[2], 0, 0), px(frames[2], 1, 0), px(frames[2], 2, 0)]).toEqual([
      [0, 0, 0, 0], [0, 0, 255, 255], [0, 0, 0, 0],
    ]);
    expect(frames.map((f) => f.delayMs)).toEqual([100, 500, 500]);
  });
});

describe('disposal 3 (restore to previous) and mixed disposals', () => {
  // imagers__mixed-disposal.gif, 32x32, 16x16 frames with transparent index 0:
  // 0 at (5,10) yellow (255,241,14) disposal 1; 1 at (15,10) red (255,14,14) disposal 3;
  // 2 at (5,16) green (14,255,31) disposal 2; 3 at (15,15) (14,255,229); 4 at (10,10) (20,14,255).
  const frames = decodeAll('odd_gifs/imagers__mixed-disposal.gif');
  const yellow = [255, 241, 14] as const;
  const red = [255, 14, 14] as const;
  const green = [14, 255, 31] as const;

  it('draws each frame', () => {
    expect(countColour(frames[0], ...yellow)).toBeGreaterThan(0);
    expect(countColour(frames[1], ...red)).toBeGreaterThan(0);
    expect(countColour(frames[2], ...green)).toBeGreaterThan(0);
  });

  it('takes disposal 4, which some encoders write for "restore to previous", as 3, as browsers do', () => {
    // pillow__dispose_prev.gif with its graphic control extensions' disposal 3 rewritten as 4.
    const bytes = read('odd_gifs/pillow__dispose_prev.gif');
    const rewritten = bytes.slice();
    let rewrites = 0;
    for (let i = 0; i + 7 < bytes.length; i++) {
      if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4 && bytes[i + 7] === 0 && ((bytes[i + 3] >> 2) & 7) === 3) {
        rewritten[i + 3] = (bytes[i + 3] & ~0x1c) | (4 << 2);
        rewrites++;
      }
    }
    expect(rewrites).toBeGreaterThan(1);
    const asThree = [...decodeGif(bytes, 'three.gif').frames()];
    const asFour = [...decodeGif(rewritten, 'four.gif').frames()];
    expect(asFour.map((f) => Buffer.from(f.data).toString('base64'))).toEqual(asThree.map((f) => Buffer.from(f.data).toString('base64')));
  });

  it('restores the canvas after a disposal-3 frame', () => {
    expect(countColour(frames[2], ...red)).toBe(0);
    // Outside frame 2's rectangle (x 5..20, y 16..31) frame 2 is exactly frame 0.
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        if (x >= 5 && x < 21 && y >= 16) continue;
        expect(px(frames[2], x, y), `(${x},${y})`).toEqual(px(frames[0], x, y));
      }
    }
  });

  it('clears a disposal-2 frame including what lay below it', () => {
    expect(countColour(frames[3], ...green)).toBe(0);
    // (16,16) was yellow from frame 0 through frame 2; frame 2's disposal clears its
    // rectangle, and frame 3 is transparent there.
    expect(px(frames[2], 16, 16)).toEqual([...yellow, 255]);
    expect(px(frames[3], 16, 16)).toEqual([0, 0, 0, 0]);
  });

  it('restores to the empty canvas when the first frame has disposal 3', () => {
    // pillow__dispose_prev_first_frame.gif: frame 0 has disposal 3, frame 1 is a sub-rectangle.
    const f = decodeAll('odd_gifs/pillow__dispose_prev_first_frame.gif');
    expect(f.length).toBe(2);
    let opaque0 = 0;
    let kept = 0;
    for (let p = 3; p < f[0].data.length; p += 4) {
      if (f[0].data[p] === 255) {
        opaque0++;
        if (f[1].data[p] === 255 && f[1].data[p - 3] === f[0].data[p - 3] && f[1].data[p - 2] === f[0].data[p - 2]) kept++;
      }
    }
    expect(opaque0).toBeGreaterThan(0);
    // Nothing of frame 0 may survive into frame 1 except where frame 1 paints the same colour.
    expect(kept).toBeLessThan(opaque0);
  });
});

describe('whether a GIF with an opaque first frame may turn transparent (ClipInfo.mayTurnTransparent)', () => {
  /** Whether any frame after an opaque first one has a transparent pixel, by decoding them all. */
  const turnsTransparent = (rel: string): boolean => {
    const [first, ...later] = decodeAll(rel);
    const clear = (f: TimedFrame) => f.data.some((v, i) => (i & 3) === 3 && v === 0);
    return !clear(first) && later.some(clear);
  };
  const flagged = (rel: string): boolean => decodeGif(read(rel), rel).info.mayTurnTransparent === true;

  it('says so for a clear by disposal 2 and for restores to the empty canvas before the first frame (a WebM drew them black)', () => {
    for (const rel of ['odd_gifs/gifcontrols__dispose2.gif', 'odd_gifs/glide__opaque_gif.gif']) {
      expect(turnsTransparent(rel), rel).toBe(true);
      expect(flagged(rel), rel).toBe(true);
    }
  });

  it('not for GIFs that stay opaque: covered clears, restores of an opaque canvas', () => {
    for (const rel of ['odd_gifs/gifcontrols__dispose3.gif', 'odd_gifs/libvips__dispose-previous.gif', 'odd_gifs/pillow__dispose_prev.gif', 'gifs/gifcontrols__earth.gif', 'gifs/wuffs__muybridge.gif']) {
      expect(turnsTransparent(rel), rel).toBe(false);
      expect(flagged(rel), rel).toBe(false);
    }
  });

  it('mayTurnClear: a clear left by disposal 2 counts as covered only by an opaque frame over all of it, to its right edge and bottom row', () => {
    const frame = (x1: number, y1: number, after: FrameCover['after']): FrameCover => ({ x0: 0, y0: 0, x1, y1, opaque: true, clearsItself: false, after });
    expect(mayTurnClear([frame(4, 4, 'clear'), frame(4, 4, 'keep')], 4, 4)).toBe(false);
    expect(mayTurnClear([frame(4, 4, 'clear'), frame(4, 3, 'keep')], 4, 4)).toBe(true); // the bottom row shows through
    expect(mayTurnClear([frame(4, 4, 'clear'), frame(3, 4, 'keep')], 4, 4)).toBe(true); // the right column shows through
  });
});

describe('geometry', () => {
  it('de-interlaces: neighbouring rows are similar', () => {
    // gifcontrols__interlaced.gif is a photo; rows in stream order (0, 8, 16, ... then 4, 12, ...)
    // would differ more from their neighbours (measured: 6.9M vs 11.5M summed green steps) than the real image rows do.
    const [f] = decodeAll('odd_gifs/gifcontrols__interlaced.gif');
    const { width: w, height: h } = f;
    const rowDiff = (order: (r: number) => number): number => {
      let sum = 0;
      for (let r = 0; r + 1 < h; r++) {
        const a = order(r) * w * 4;
        const b = order(r + 1) * w * 4;
        for (let i = 0; i < w * 4; i += 4) sum += Math.abs(f.data[a + i + 1] - f.data[b + i + 1]);
      }
      return sum;
    };
    const streamOrder: number[] = [];
    for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let r = start; r < h; r += step) streamOrder.push(r);
    expect(streamOrder.length).toBe(h);
    expect(rowDiff((r) => r) * 1.3).toBeLessThan(rowDiff((r) => streamOrder[r]));
  });

  it('shows an interlaced first frame cut short as browsers do: each whole row of the first three passes fills the rows it stands for', () => {
    // Chrome's decoder (Wuffs) copies a row of pass 1 into the 7 rows below it, of pass 2
    // into 3, of pass 3 into 1; later passes draw over them. Cut short, the rows not reached
    // keep those copies (they were left transparent: 789 of wuffs__hippopotamus's 1,008 pixels,
    // whose frame Wuffs gives with none).
    const [hippo] = decodeAll('odd_gifs/wuffs__hippopotamus.interlaced.truncated.gif');
    let clear = 0;
    for (let p = 3; p < hippo.data.length; p += 4) if (hippo.data[p] === 0) clear++;
    expect(clear).toBe(0);
    // The photo cut at several points of its first frame, against its whole frame: each
    // row as the stream reached it, and the rows it stands for until a later pass came.
    const rel = 'odd_gifs/gifcontrols__interlaced.gif';
    const [whole] = decodeAll(rel);
    const { width: w, height: h } = whole;
    const order: [number, number][] = []; // [row, rows it stands for]
    for (const [start, step, fill] of [[0, 8, 8], [4, 8, 4], [2, 4, 2], [1, 2, 1]]) for (let r = start; r < h; r += step) order.push([r, fill]);
    for (const cut of [3_000, 30_000, 90_000, 150_000]) {
      const decoded = decodeGif(read(rel).subarray(0, cut), 'cut.gif');
      const [f] = [...decoded.frames()];
      const pixels = Number(/after (\d+) of/.exec(decoded.warnings.join('\n'))![1]);
      const expected = new Uint8Array(w * h * 4);
      order.forEach(([r, fill], i) => {
        const n = Math.max(0, Math.min(w, pixels - i * w));
        expected.set(whole.data.subarray(r * w * 4, (r * w + n) * 4), r * w * 4);
        if (n === w) for (let below = r + 1; below < Math.min(r + fill, h); below++) expected.copyWithin(below * w * 4, r * w * 4, (r + 1) * w * 4);
      });
      expect(Buffer.compare(Buffer.from(f.data), Buffer.from(expected)), `cut at ${cut}`).toBe(0);
    }
  });

  it('clips a frame that runs past the right edge instead of wrapping it', () => {
    // wuffs__frame-out-of-bounds.gif: 2x2 canvas; frame 0 is 3x1 at (1,0).
    const [f0] = decodeAll('odd_gifs/wuffs__frame-out-of-bounds.gif');
    expect(px(f0, 0, 0)[3]).toBe(0);
    expect(px(f0, 1, 0)[3]).toBe(255);
    expect(px(f0, 0, 1)).toEqual([0, 0, 0, 0]); // a wrapped third pixel would land here
    expect(px(f0, 1, 1)).toEqual([0, 0, 0, 0]);
  });

  it('keeps frames that lie wholly outside the canvas, drawing nothing', () => {
    const frames = decodeAll('odd_gifs/wuffs__frame-out-of-bounds.gif');
    expect(frames.length).toBe(4);
    // Frames 2 (at y=4) and 3 (at x=2) change nothing: the canvas stays as frame 1 left it.
    expect(frames[2].data).toEqual(frames[1].data);
    expect(frames[3].data).toEqual(frames[1].data);
  });
});

describe('streaming and damage', () => {
  it('yields independent copies, and frames() can be iterated again', () => {
    const gif = decodeGif(read('gifs/wuffs__muybridge.gif'), 'm.gif');
    const it1 = gif.frames();
    const first = it1.next().value as TimedFrame;
    const snapshot = first.data.slice();
    for (let r = it1.next(); !r.done; r = it1.next());
    expect(first.data).toEqual(snapshot);
    const again = gif.frames().next().value as TimedFrame;
    expect(again.data).toEqual(snapshot);
  });

  it('keeps the rows decoded before a truncation and warns', () => {
    const gif = decodeGif(read('odd_gifs/libvips__truncated.gif'), 'truncated.gif');
    const [f] = [...gif.frames()];
    expect(px(f, 10, 0)[3]).toBe(255);
    expect(px(f, 10, f.height - 1)[3]).toBe(0);
    expect(gif.warnings.some((w) => /^truncated\.gif: frame 0: pixel data ends early after \d+ of 460000 pixels/.test(w))).toBe(true);
  });

  it('checks the canvas limit before allocating, naming the override', () => {
    const bytes = read('odd_gifs/imagegif__issue-101-infinite-empty-loop.gif'); // 6727x65351
    const err = (() => { try { decodeGif(bytes, 'big.gif'); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(ChromaseedError);
    expect((err as ChromaseedError).code).toBe('ERR_LIMIT');
    expect((err as ChromaseedError).message).toBe(
      'big.gif: frames of 6727x65351 exceed the limit of 100000000 pixels (raise the limit with --max-pixels)');
    // With the limit raised, parsing succeeds without allocating the 1.7 GB canvas (frames() is lazy).
    expect(decodeGif(bytes, 'big.gif', { maxPixels: 5e8 }).info.width).toBe(6727);
  });

  it('checks each frame against the pixel limit, counting the rows that reach the screen (a 65535x65535 frame on a 4x3 screen "needed 196605 pixels")', () => {
    const encoder = createGifEncoder({ width: 4, height: 3, differencing: false });
    encoder.addFrame({ width: 4, height: 3, indices: new Uint8Array(12), palette: Uint8Array.of(9, 9, 9), size: 1, transparent: null, delayMs: 100 });
    const bytes = encoder.finish();
    // The image descriptor's size fields (after ',', its left and its top) made 65535 each.
    const at = parseGifStructure(bytes, 'f.gif', resolveGifLimits(undefined)).frames[0].dataStart - 1 - 10 + 5;
    expect([bytes[at - 5], bytes[at], bytes[at + 2]]).toEqual([0x2c, 4, 3]);
    bytes.set([0xff, 0xff, 0xff, 0xff], at);
    const limited = (maxPixels: number) => () => [...decodeGif(bytes, 'f.gif', { maxPixels }).frames()];
    expect(limited(1000)).toThrow(/^f\.gif: frame 0: 65535x65535 frame needs 196605 pixels decoded \(the rows of it that reach the 4x3 screen\), more than the limit of 1000 \(raise the limit with --max-pixels\)$/);
    expect(limited(200_000)).not.toThrow();
  });

  it('checks the frame limit, naming the override', () => {
    expect(() => decodeGif(read('gifs/sharp__animated-loop-3.gif'), 's.gif', { maxFrames: 5 }))
      .toThrow(/^s\.gif: more than 5 frames \(raise the limit with --max-frames\)$/);
  });

  it('refuses files with no frame, zero canvas, or damage before the first frame', () => {
    const cases: [string, RegExp][] = [
      ['odd_gifs/wuffs__no-frames.gif', /: contains no frames$/],
      ['odd_gifs/pillow__zero_width.gif', /: canvas size is 0x32/],
      ['odd_gifs/imagers__zero-loop-count.gif', /unknown block 0x0a at byte 13/],
      ['odd_gifs/pillow__decompression_bomb.gif', /no complete frame/],
    ];
    for (const [rel, re] of cases) {
      expect(() => decodeGif(read(rel), 'f.gif'), rel).toThrow(re);
      try { decodeGif(read(rel), 'f.gif'); } catch (e) { expect((e as ChromaseedError).code).toBe('ERR_INPUT'); }
    }
  });

  it('refuses a file none of whose frames gives a pixel, as its frames are read (it wrote blank frames and exited 0); one bad frame among good ones is kept', () => {
    const err = (() => { try { for (const f of decodeGif(read('odd_gifs/imagegif__issue-117-out-of-range.gif'), 'f.gif').frames()) void f; } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(ChromaseedError);
    expect((err as ChromaseedError).code).toBe('ERR_INPUT');
    expect((err as ChromaseedError).message).toBe("f.gif: no frame's pixels could be decoded (frame 0: LZW minimum code size 0 is invalid)");
    // Every frame of a real clip given LZW minimum code size 0, then all but the first.
    const bytes = read('gifs/dartimage__cars.gif');
    const starts = parseGifStructure(bytes, 'cars.gif', resolveGifLimits(undefined)).frames.map((fr) => fr.dataStart);
    const broken = bytes.slice();
    for (const start of starts) broken[start - 1] = 0;
    expect(() => [...decodeGif(broken, 'c.gif').frames()]).toThrow(/^c\.gif: no frame's pixels could be decoded \(frame 0: LZW minimum code size 0 is invalid\)$/);
    broken[starts[0] - 1] = bytes[starts[0] - 1];
    const gif = decodeGif(broken, 'c.gif');
    const frames = [...gif.frames()];
    expect(frames).toHaveLength(starts.length);
    expect(frames[0].data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
    expect(gif.warnings[0]).toMatch(/^c\.gif: frame 1: LZW minimum code size 0 is invalid after 0 of \d+ pixels/);
  });

  it('sniffs the signature', () => {
    expect(isGif(read('gifs/wuffs__muybridge.gif'))).toBe(true);
    expect(isGif(read('stills/wuffs__bricks-color.jpeg'))).toBe(false);
    expect(isGif(new TextEncoder().encode('GIF88a'))).toBe(false);
  });

  it('takes a GIF of exactly the frame limit, and a canvas of exactly the pixel limit: only more is refused', () => {
    const bytes = read('gifs/sharp__animated-loop-3.gif'); // 10 frames on a 370x285 canvas
    const parse = (limits: { maxFrames?: number; maxPixels?: number }) => parseGifStructure(bytes, 's.gif', resolveGifLimits(limits));
    expect(parse({ maxFrames: 10 }).frames).toHaveLength(10);
    expect(() => parse({ maxFrames: 9 })).toThrow(/^s\.gif: more than 9 frames/);
    expect(parse({ maxPixels: 370 * 285 }).width).toBe(370);
    expect(() => parse({ maxPixels: 370 * 285 - 1 })).toThrow(/exceed the limit of 105449 pixels/);
  });
});

/**
 * A one-frame GIF of two colours (red, blue) whose LZW data has minimum code size 1, as
 * giflib's and Wuffs' decoders read it: after a clear, the n-th code's width is that of
 * the slot count so far, 3 + n - 1 (the first code takes a slot too), so the second code
 * is already 3 bits wide. No clear after the first: the table fills up (4,096 codes) and
 * codes stay 12 bits wide.
 */
function gifOfCodeSize1(width: number, height: number, indices: Uint8Array): Uint8Array {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  const put = (code: number, w: number): void => {
    acc |= code << bits;
    bits += w;
    while (bits >= 8) {
      bytes.push(acc & 255);
      acc >>>= 8;
      bits -= 8;
    }
  };
  let emitted = 0;
  const widthNow = (): number => (emitted === 0 ? 2 : Math.min(12, Math.max(2, 32 - Math.clz32(3 + emitted))));
  const emit = (code: number): void => {
    put(code, widthNow());
    emitted++;
  };
  put(2, 2); // clear
  const table = new Map<number, number>();
  let next = 4;
  let current = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const key = current * 2 + indices[i];
    const known = table.get(key);
    if (known !== undefined) {
      current = known;
      continue;
    }
    emit(current);
    if (next < 4096) table.set(key, next++);
    current = indices[i];
  }
  emit(current);
  emit(3); // end
  if (bits > 0) bytes.push(acc & 255);
  const blocks: number[] = [];
  for (let o = 0; o < bytes.length; o += 255) blocks.push(Math.min(255, bytes.length - o), ...bytes.slice(o, o + 255));
  const u16 = (v: number): number[] => [v & 255, v >>> 8];
  return Uint8Array.from([
    ...Buffer.from('GIF89a'), ...u16(width), ...u16(height), 0x80, 0, 0, 255, 0, 0, 0, 0, 255,
    0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0, 1, ...blocks, 0, 0x3b,
  ]);
}

describe('LZW minimum code size 1', () => {
  it('is read as browsers and ffmpeg read it (a GIF decoding audit: omggif read the second code at 2 bits, and 5 of 35 pixels were drawn)', () => {
    // cars.gif's first frame in two colours: its upper half by brightness (long runs), its
    // lower half by the low bit of red (noise, which fills the table before the end).
    const [cars] = decodeAll('gifs/dartimage__cars.gif');
    const indices = new Uint8Array(cars.width * cars.height);
    for (let p = 0; p < indices.length; p++) {
      const [r, g, b] = cars.data.subarray(p * 4, p * 4 + 3);
      indices[p] = p < indices.length / 2 ? (r + g + b > 384 ? 1 : 0) : r & 1;
    }
    const want = new Uint8Array(indices.length * 4);
    for (let p = 0; p < indices.length; p++) want.set(indices[p] === 1 ? [0, 0, 255, 255] : [255, 0, 0, 255], p * 4);
    const small = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    for (const [width, height, pixels, expected] of [[7, 5, small, null], [cars.width, cars.height, indices, want]] as const) {
      const bytes = gifOfCodeSize1(width, height, pixels);
      const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-mcs1-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'two.gif');
      writeFileSync(file, bytes);
      const gif = decodeGif(bytes, 'two.gif');
      const [frame] = [...gif.frames()];
      expect(gif.warnings).toEqual([]);
      // ffmpeg, an independent decoder, reads the file as made.
      const reference = ffmpegFrames(file, width, height)!.frames[0];
      expect(Buffer.from(frame.data).equals(Buffer.from(reference))).toBe(true);
      if (expected !== null) expect(Buffer.from(frame.data).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('cut short or corrupt, keeps the pixels decoded and says why, adding none (a review: the last byte\'s spare bits read as more pixels, and a damaged frame passed as whole)', () => {
    // A 1x4 frame, red and blue, whose one data byte holds literal 1 (2 bits), then literals
    // 0 and 0 (3 bits each): Wuffs draws blue, red, red and stops there.
    const oneByte = (height: number, byte: number): Uint8Array => Uint8Array.from([...Buffer.from('GIF89a'), 1, 0, height, 0, 0x80, 0, 0, 255, 0, 0, 0, 0, 255, 0x2c, 0, 0, 0, 0, 1, 0, height, 0, 0, 1, 1, byte, 0, 0x3b]);
    const cut = decodeGif(oneByte(4, 0x01), 'cut.gif');
    const [frame] = [...cut.frames()];
    expect(Array.from(frame.data)).toEqual([0, 0, 255, 255, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0]);
    expect(cut.warnings).toEqual(['cut.gif: frame 0: pixel data ends early after 3 of 4 pixels; the rest of the frame is not drawn']);
    // Literal 1, then code 7, past the table's next slot (4).
    const corrupt = decodeGif(oneByte(2, 0x1d), 'bad.gif');
    expect(Array.from([...corrupt.frames()][0].data)).toEqual([0, 0, 255, 255, 0, 0, 0, 0]);
    expect(corrupt.warnings).toEqual(['bad.gif: frame 0: LZW data is corrupt after 1 of 2 pixels; the rest of the frame is not drawn']);
  });
});

describe('an interlaced frame of 4 rows or fewer', () => {
  it('draws its rows inside its own rectangle, as ffmpeg does (omggif put a 2-row frame\'s second row at row 4)', () => {
    // 4x8, red above blue; frame 1: an interlaced 2x2 at (0,0), rows [blue, blue] and [red, red].
    const bytes = Uint8Array.from(Buffer.from('47494638396104000800800000ff00000000ff21ff0b4e45545343415045322e30030100000021f904040a0000002c0000000004000800000207848f09c1ed1f0a0021f904040a0000002c00000000020002004002034c0005003b', 'hex'));
    const [first, second] = [...decodeGif(bytes, 'x.gif').frames()];
    const want = first.data.slice();
    want.set([0, 0, 255, 255, 0, 0, 255, 255], 0); // row 0: blue, blue; row 1 stays red, row 4 blue
    expect(Array.from(second.data)).toEqual(Array.from(want));
    expect(second.changedWithin).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 });
  });
});

describe('changedWithin', () => {
  /** Every pixel outside `box` is the same in both frames; false at the first that is not. */
  function sameOutside(a: Uint8Array, b: Uint8Array, width: number, box: { x0: number; y0: number; x1: number; y1: number }): boolean {
    for (let p = 0; p < a.length / 4; p++) {
      const x = p % width;
      const y = (p - x) / width;
      if (x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1) continue;
      for (let c = p * 4; c < p * 4 + 4; c++) if (a[c] !== b[c]) return false;
    }
    return true;
  }

  it('bounds what changes from frame to frame on every corpus GIF, disposals to the background and to the previous canvas included', () => {
    const names = [...readdirSync(path.join(corpus, 'gifs')).map((n) => `gifs/${n}`), ...readdirSync(path.join(corpus, 'odd_gifs')).map((n) => `odd_gifs/${n}`)].filter((n) => n.endsWith('.gif'));
    let checked = 0;
    for (const name of names) {
      let frames: Iterable<TimedFrame>;
      try {
        frames = decodeGif(read(name), name).frames();
        let before: TimedFrame | null = null;
        let index = 0;
        for (const frame of frames) {
          if (before === null) expect(frame.changedWithin).toBeUndefined();
          else {
            const within = frame.changedWithin!;
            expect(within, `${name} frame ${index}`).toBeDefined();
            expect(sameOutside(frame.data, before.data, frame.width, within), `${name} frame ${index}`).toBe(true);
            checked++;
          }
          before = frame;
          // The long clips' first frames cover their disposals; the check is per pixel.
          if (++index === 40) break;
        }
      } catch (err) {
        if (!(err instanceof ChromaseedError)) throw err;
      }
    }
    expect(checked).toBeGreaterThan(500);
  }, 120_000);

  it("is the frame's own rectangle where nothing is disposed of (animated_gif.gif redraws 130x91 of 700x467)", () => {
    const frames = decodeAll('gifs/dartimage__animated_gif.gif').slice(0, 3);
    expect(frames[1].changedWithin).toEqual({ x0: 319, y0: 180, x1: 449, y1: 271 });
  });
});
