import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';
import { checkInput, openInput, sniffKind } from '../../src/io/open-input.js';
import { resolveInputOptions } from '../../src/options.js';
import type { TimedFrame } from '../../src/types.js';
import { corpus, runMain } from '../helpers/cli.js';

// Animated PNG and WebP were read as stills: one frame, with exit code 0. Both are made here
// from the first frames of a real GIF (the corpus has neither format).
const CARS = path.join(corpus, 'gifs/dartimage__cars.gif');
const FRAMES = 4;
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-animated-'));
const webp = path.join(work, 'cars.webp');
const apng = path.join(work, 'cars.png');
const still = path.join(work, 'still.webp');
let gifFrames: TimedFrame[];

beforeAll(async () => {
  const gif = decodeGif(new Uint8Array(readFileSync(CARS)), CARS);
  gifFrames = [...gif.frames()].slice(0, FRAMES);
  // Lossless, so every decoded pixel can be checked; delays of 100, 200, 300 and 400 ms; 3 plays.
  await sharp(CARS, { pages: FRAMES }).webp({ lossless: true, loop: 3, delay: [100, 200, 300, 400] }).toFile(webp);
  await sharp(CARS, { pages: 1 }).webp({ lossless: true }).toFile(still);
  execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', String(FRAMES), '-plays', '0', '-f', 'apng', apng]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** PNG's chunk checksum (CRC-32, ISO 3309). */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

async function readAll(file: string, raw: Record<string, unknown> = {}): Promise<{ kind: string; frames: TimedFrame[]; loopCount?: number }> {
  const source = await openInput(file, resolveInputOptions(raw));
  const frames: TimedFrame[] = [];
  for await (const f of source.frames) frames.push(f);
  return { kind: source.kind, frames, loopCount: source.info.loopCount };
}

describe('animated PNG and WebP are read as clips', () => {
  it('tells animated from still files by their chunks', async () => {
    expect(sniffKind(await checkInput(webp))).toBe('webp');
    expect(sniffKind(await checkInput(still))).toBe('still');
    expect(sniffKind(await checkInput(apng))).toBe('video');
    expect(sniffKind(await checkInput(path.join(corpus, 'stills/skimage__coffee.png')))).toBe('still');
  });

  it('an animated WebP gives every composited frame, its delays and its loop count', async () => {
    const { kind, frames, loopCount } = await readAll(webp);
    expect(kind).toBe('webp');
    expect(frames.map((f) => f.delayMs)).toEqual([100, 200, 300, 400]);
    // WebP counts plays, a GIF's loop block repeats after the first: 3 plays are 2 repeats.
    expect(loopCount).toBe(2);
    frames.forEach((f, i) => expect(Buffer.compare(f.data, gifFrames[i].data), `frame ${i}`).toBe(0));
  });

  it('an animated WebP takes --start, --fps and --width like a GIF', async () => {
    // From 0.25 s at 10 fps: the rest of frame 1 (to 0.3 s), frame 2 (0.3-0.6 s), frame 3 (0.6-1.0 s).
    const { frames } = await readAll(webp, { start: '0.25', fps: 10, width: 100 });
    expect(frames).toHaveLength(8);
    expect(frames[0].width).toBe(100);
    expect(frames.reduce((t, f) => t + f.delayMs, 0)).toBe(750);
  });

  it('an animated PNG goes through ffmpeg, every frame', async () => {
    const { kind, frames } = await readAll(apng);
    expect(kind).toBe('video');
    expect(frames).toHaveLength(FRAMES);
    // ffmpeg's APNG encoder keeps the GIF's colours (at most 256 a frame) exactly.
    frames.forEach((f, i) => expect(Buffer.compare(f.data, gifFrames[i].data), `frame ${i}`).toBe(0));
  });

  it('an animated PNG with a large chunk before its animation chunk is still a clip', async () => {
    // ffmpeg guesses the format from the first 2 KB; 3,000 bytes of text push acTL past them.
    const bytes = readFileSync(apng);
    const ihdrEnd = 8 + 25;
    const text = Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(3000, 'x')]);
    const chunk = Buffer.alloc(12 + text.length);
    chunk.writeUInt32BE(text.length, 0);
    chunk.write('tEXt', 4, 'latin1');
    text.copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + text.length)), 8 + text.length);
    const padded = path.join(work, 'padded.png');
    writeFileSync(padded, Buffer.concat([bytes.subarray(0, ihdrEnd), chunk, bytes.subarray(ihdrEnd)]));
    expect(await sharp(padded).metadata()).toMatchObject({ width: 400, height: 300 }); // still a valid PNG
    const { frames } = await readAll(padded);
    expect(frames).toHaveLength(FRAMES);
  });

  it('a video made from it repeats frames to keep their delays, and the summary says so', async () => {
    const out = path.join(work, 'out.mp4');
    const r = await runMain(['quantize', webp, '-k', '8', '-o', out]);
    expect(r.code).toBe(0);
    // 100 to 400 ms delays at 10 fps: 1 + 2 + 3 + 4 video frames.
    expect(r.stderr).toMatch(/^.*out\.mp4: 4 frames \(10 in the video\), 400x300, /);
  });

  it('quantize writes all the frames of an animated WebP', async () => {
    const out = path.join(work, 'out.gif');
    const r = await runMain(['quantize', webp, '-k', '8', '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const back = decodeGif(new Uint8Array(readFileSync(out)), out);
    expect(back.delaysMs).toEqual([100, 200, 300, 400]);
    expect(back.info.loopCount).toBe(2);
  });
});
