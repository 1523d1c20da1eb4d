/**
 * Random GIFs against the bundled ffmpeg, as gif-corpus.test.ts holds the corpus against it:
 * frames of random size and place on the canvas, each disposal method, transparent indices,
 * local colour tables and interlacing, in random sequences. The corpus has each of these on
 * its own; here they meet in combinations no file of it has (a disposal 3 after a 2 over a
 * frame with a local table, say). The same claims: the same frames, the same RGB wherever
 * both decoders show an opaque pixel, and where we are transparent and ffmpeg is not,
 * ffmpeg's background fill. The PRNG is seeded, so a failing case replays from its index.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { createRng } from '../../src/kmeans/random.js';
import { background, compareWithFfmpeg, ffmpegFrames } from '../helpers/ffmpeg-frames.js';

const SEED = 0x61f5;
const CASES = 60;
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-gif-random-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * LZW data that never compresses: a clear code comes before the table would need a longer
 * code, so every code is an index at the first code size. Valid, and simple enough to trust.
 */
function plainLzw(indices: number[], minCodeSize: number): number[] {
  const clear = 1 << minCodeSize;
  const size = minCodeSize + 1;
  const perClear = (1 << size) - clear - 2;
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  const put = (code: number): void => {
    acc |= code << bits;
    bits += size;
    for (; bits >= 8; bits -= 8, acc >>>= 8) bytes.push(acc & 0xff);
  };
  put(clear);
  indices.forEach((index, i) => {
    if (i > 0 && i % perClear === 0) put(clear);
    put(index);
  });
  put(clear + 1);
  if (bits > 0) bytes.push(acc & 0xff);
  const blocks: number[] = [minCodeSize];
  for (let i = 0; i < bytes.length; i += 255) blocks.push(Math.min(255, bytes.length - i), ...bytes.slice(i, i + 255));
  blocks.push(0);
  return blocks;
}

const word = (v: number): number[] => [v & 0xff, v >> 8];

function randomGif(rand: () => number): { bytes: Uint8Array; frames: number; what: string } {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const width = int(1, 24);
  const height = int(1, 18);
  const colours = (n: number): number[] => Array.from({ length: n * 3 }, () => int(0, 255));
  // A 256-colour global table; the background is its entry 0.
  const bytes = [...Buffer.from('GIF89a'), ...word(width), ...word(height), 0xf7, 0, 0, ...colours(256)];
  bytes.push(0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0);
  const frames = int(1, 6);
  const what: string[] = [];
  for (let f = 0; f < frames; f++) {
    const w = int(1, width);
    const h = int(1, height);
    const x = int(0, width - w);
    const y = int(0, height - h);
    const disposal = int(0, 3);
    const transparent = rand() < 0.5 ? int(0, 15) : -1;
    const local = rand() < 0.4;
    const interlaced = rand() < 0.2;
    bytes.push(0x21, 0xf9, 4, (disposal << 2) | (transparent >= 0 ? 1 : 0), 10, 0, Math.max(transparent, 0), 0);
    bytes.push(0x2c, ...word(x), ...word(y), ...word(w), ...word(h), (local ? 0x83 : 0) | (interlaced ? 0x40 : 0));
    if (local) bytes.push(...colours(16));
    const indices = Array.from({ length: w * h }, () => int(0, 15));
    // An interlaced frame stores rows 0, 8, 16..., then 4, 12..., then 2, 6..., then the odd ones.
    const rows = [...Array(h).keys()];
    const order = interlaced ? [0, 4, 2, 1].flatMap((start, pass) => rows.filter((r) => r >= start && (r - start) % [8, 8, 4, 2][pass] === 0)) : rows;
    bytes.push(...plainLzw(order.flatMap((r) => indices.slice(r * w, r * w + w)), 8));
    what.push(`${w}x${h}+${x}+${y} disposal ${disposal}${transparent >= 0 ? ` transparent ${transparent}` : ''}${local ? ' local' : ''}${interlaced ? ' interlaced' : ''}`);
  }
  bytes.push(0x3b);
  return { bytes: Uint8Array.from(bytes), frames, what: `${width}x${height}: ${what.join('; ')}` };
}

describe('random GIFs vs bundled ffmpeg', () => {
  it(`decode alike (${CASES} files)`, () => {
    const rand = createRng(SEED);
    let opaqueCompared = 0;
    for (let n = 0; n < CASES; n++) {
      const gif = randomGif(rand);
      const what = `case ${n} (${gif.what})`;
      const file = path.join(work, `${n}.gif`);
      writeFileSync(file, gif.bytes);
      const ours = [...decodeGif(gif.bytes, `${n}.gif`).frames()];
      expect(ours.length, what).toBe(gif.frames);
      const ref = ffmpegFrames(file, ours[0].width, ours[0].height);
      expect(ref?.frames.length, what).toBe(gif.frames);
      const bg = background(gif.bytes);
      ours.forEach((frame, t) => {
        const d = compareWithFfmpeg(frame.data, ref!.frames[t], bg);
        expect(d, `${what}, frame ${t}`).toMatchObject({ rgbMismatch: 0, notBackground: 0, ffmpegOnlyTransparent: 0 });
        for (let a = 3; a < frame.data.length; a += 4) if (frame.data[a] !== 0) opaqueCompared++;
      });
    }
    // The cases compare drawn pixels, not only transparent ones.
    expect(opaqueCompared).toBeGreaterThan(5_000);
  }, 120_000);
});
