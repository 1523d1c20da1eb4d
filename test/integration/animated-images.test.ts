import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  // Lossless, so every decoded pixel can be checked; delays of 100, 200, 300 and 400 ms.
  await sharp(CARS, { pages: FRAMES }).webp({ lossless: true, loop: 3, delay: [100, 200, 300, 400] }).toFile(webp);
  await sharp(CARS, { pages: 1 }).webp({ lossless: true }).toFile(still);
  execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', String(FRAMES), '-plays', '0', '-f', 'apng', apng]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
    expect(loopCount).toBe(3);
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

  it('quantize writes all the frames of an animated WebP', async () => {
    const out = path.join(work, 'out.gif');
    const r = await runMain(['quantize', webp, '-k', '8', '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const back = decodeGif(new Uint8Array(readFileSync(out)), out);
    expect(back.delaysMs).toEqual([100, 200, 300, 400]);
    expect(back.info.loopCount).toBe(3);
  });
});
