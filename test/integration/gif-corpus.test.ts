/**
 * Every GIF of the shared corpus against the bundled ffmpeg (4.1, 2018) as an independent
 * decoder: same frame count, and the same RGB wherever both decoders show an opaque pixel.
 *
 * Where the two disagree on transparency, ffmpeg is the one that departs from browsers:
 * it paints the canvas (and areas cleared by disposal 2 or restored by disposal 3) with
 * the logical screen's background colour, while browsers, and we, leave them transparent.
 * The test checks that claim: wherever we are transparent and ffmpeg is opaque, ffmpeg's
 * pixel must be the background colour.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { ChromaseedError } from '../../src/errors.js';
import { background, compareWithFfmpeg, ffmpegFrameCount, ffmpegFrames } from '../helpers/ffmpeg-frames.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const list = (dir: string): string[] =>
  readdirSync(path.join(corpus, dir)).filter((f) => f.endsWith('.gif')).sort().map((f) => path.join(dir, f));
const normal = list('gifs');
const odd = list('odd_gifs');

/**
 * Files on which ffmpeg 4.1 yields a different number of frames, and why we think our
 * answer is the right one. `map[k]`: which of our frames ffmpeg's output frame k is (ffmpeg
 * drops some frames); only those pairs are compared.
 */
const FRAME_COUNT_DIFFERENCES: Record<string, { ours: number; ffmpeg: number; map: number[]; why: string }> = {
  'gifcontrols__earth-bad-color-table.gif': {
    ours: 44, ffmpeg: 1, map: [0],
    why: 'frames 1.. have no colour table: ffmpeg stops; we keep them and draw every index as opaque black (like out-of-table indices)',
  },
  'wuffs__empty-palette.gif': { ours: 2, ffmpeg: 1, map: [0], why: 'frame 1 has no colour table (see above)' },
  'pillow__no_palette.gif': { ours: 2, ffmpeg: 0, map: [], why: 'no colour table at all (see above)' },
  'libvips__truncated.gif': {
    ours: 1, ffmpeg: 0, map: [],
    why: 'cut inside the LZW data: browsers show the rows decoded so far, ffmpeg shows nothing',
  },
  'wuffs__hippopotamus.interlaced.truncated.gif': { ours: 1, ffmpeg: 0, map: [], why: 'truncated (see above)' },
  'peterdn__animated_transparent_loop_frames_out_of_bounds.gif': {
    ours: 4, ffmpeg: 3, map: [1, 2, 3],
    why: 'frame 0 lies wholly outside the canvas (x=200): ffmpeg 4.1 drops it ("Invalid left position"); browsers keep its 1 s on screen with nothing drawn',
  },
  'pillow__decompression_bomb_extents.gif': {
    ours: 2, ffmpeg: 1, map: [0],
    why: 'frame 1 starts at x=65535, off the canvas: ffmpeg drops it; browsers show an unchanged canvas for its duration',
  },
  'wuffs__frame-out-of-bounds.gif': {
    ours: 4, ffmpeg: 2, map: [0, 1],
    why: 'frames 2 and 3 lie outside the 2x2 canvas: ffmpeg drops them, browsers keep their timing with nothing drawn',
  },
  'pillow__test_extents_transparency.gif': {
    ours: 1, ffmpeg: 2, map: [0],
    why: 'a stray 0x47 byte where a block label should be: Chromium and Firefox treat it as the end of the file; ffmpeg skips ahead',
  },
};

/** `file#frame` -> pixels of a partly decoded row that ffmpeg leaves out (see checkFile). */
const PARTIAL_ROW: Record<string, number> = {
  // LZW corrupt after 79 of 90 pixels of a 10-wide frame: 9 pixels of row 7; 3 are opaque.
  'libvips__invalid_multiframe.gif#3': 3,
};

/** Normal files are compared on about this many frames; odd files on all of them. */
const SAMPLE_FRAMES = 40;

function checkFile(rel: string, sample: boolean): void {
  const file = path.join(corpus, rel);
  const base = path.basename(rel);
  const bytes = new Uint8Array(readFileSync(file));
  // Broken files may be refused, as they are opened or as their frames are read (no frame's
  // pixels decode: imagegif__issue-117-out-of-range.gif, LZW minimum code size 0), but only
  // with our error type and a one-line message, and only where ffmpeg decodes nothing either.
  const expectRefused = (e: unknown): void => {
    expect(e, `${base}: ${String(e)}`).toBeInstanceOf(ChromaseedError);
    expect((e as ChromaseedError).message).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}: [^\\n]+$`));
    expect(ffmpegFrameCount(file), `${base}: we refuse it, ffmpeg decodes it`).toBe(0);
  };
  let gif;
  try {
    gif = decodeGif(bytes, base);
    for (const frame of gif.frames()) void frame;
  } catch (e) {
    expectRefused(e);
    return;
  }
  const { width, height } = gif.info;
  const known = FRAME_COUNT_DIFFERENCES[base];
  const ffCount = ffmpegFrameCount(file);
  if (known) {
    expect([gif.info.frameCount, ffCount], `${base}: ${known.why}`).toEqual([known.ours, known.ffmpeg]);
  } else {
    expect(gif.info.frameCount, `${base}: frame count vs ffmpeg`).toBe(ffCount);
  }
  const compared = known ? known.map.length : ffCount;
  const step = sample ? Math.max(1, Math.ceil(compared / SAMPLE_FRAMES)) : 1;
  const ref = compared > 0 ? ffmpegFrames(file, width, height, step) : null;
  if (compared > 0) expect(ref, `${base}: ffmpeg output`).not.toBeNull();
  const bg = background(bytes);
  // Our frame index -> ffmpeg output frame index.
  const refOf = new Map<number, number>();
  if (known) known.map.forEach((ours, k) => refOf.set(ours, k));
  else for (let k = 0; k < ffCount; k += step) refOf.set(k, k / step);

  let i = 0;
  let checked = 0;
  for (const frame of gif.frames()) {
    expect(frame.data.length).toBe(width * height * 4);
    const k = refOf.get(i);
    if (k !== undefined && ref) {
      const d = compareWithFfmpeg(frame.data, ref.frames[k], bg);
      expect(d.rgbMismatch, `${base}: frame ${i}: RGB differs where both are opaque`).toBe(0);
      // Transparent for us but opaque for ffmpeg: must be ffmpeg's background fill.
      expect(d.notBackground, `${base}: frame ${i}: ffmpeg opaque, we transparent, not the background colour`).toBe(0);
      // ffmpeg writes whole rows only: after LZW damage mid-row it drops the partial row,
      // which we (like wuffs, Chromium's GIF decoder) show as decoded.
      const partialRow = PARTIAL_ROW[`${base}#${i}`] ?? 0;
      expect(d.ffmpegOnlyTransparent, `${base}: frame ${i}: ffmpeg transparent where we are opaque`).toBe(partialRow);
      checked++;
    }
    i++;
  }
  expect(i).toBe(gif.info.frameCount);
  if (compared > 0) expect(checked).toBeGreaterThan(0);
}

describe('GIF corpus vs bundled ffmpeg', () => {
  it('finds the corpus', () => {
    expect(normal.length).toBeGreaterThanOrEqual(20);
    expect(odd.length).toBeGreaterThanOrEqual(60);
  });

  describe('normal GIFs (sampled frames)', () => {
    for (const rel of normal) {
      it(path.basename(rel), () => {
        // Normal files must decode without any tolerated damage.
        const gif = decodeGif(new Uint8Array(readFileSync(path.join(corpus, rel))), path.basename(rel));
        checkFile(rel, true);
        expect(gif.warnings).toEqual([]);
      });
    }
  });

  describe('odd GIFs (every frame)', () => {
    for (const rel of odd) it(path.basename(rel), () => checkFile(rel, false));
  });
});
