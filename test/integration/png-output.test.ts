import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { chunksOf } from '../helpers/png-chunks.js';
import { corpus, repoRoot, runMain } from '../helpers/cli.js';

// PNG outputs are palette PNGs: the same pixels the GIF output of the same run shows (the
// quantization is seeded, so the two runs agree), in about half the bytes of the RGB(A)
// PNGs sharp wrote before.

const tmp = mkdtempSync(path.join(tmpdir(), 'chromaseed-png-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const COFFEE = path.join(repoRoot, 'samples/coffee.png');
const HIBISCUS = path.join(repoRoot, 'samples/hibiscus.jpg');
const REALSHORT = path.join(corpus, 'videos/imageio__realshort.mp4');
const EARTH_CLEAR = path.join(corpus, 'gifs/gifcontrols__earth-transparent.gif');

async function run(argv: string[]): Promise<void> {
  const r = await runMain([...argv, '-q']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** IHDR's bit depth and colour type, and the palette entries and tRNS alphas, of a PNG file. */
function layout(file: string): { depth: number; colourType: number; entries: number; alphas: number[] | null } {
  const chunks = chunksOf(readFileSync(file));
  const ihdr = chunks.find((c) => c.type === 'IHDR')!.data;
  const plte = chunks.find((c) => c.type === 'PLTE');
  const trns = chunks.find((c) => c.type === 'tRNS');
  return { depth: ihdr[8], colourType: ihdr[9], entries: plte ? plte.data.length / 3 : 0, alphas: trns ? [...trns.data] : null };
}

/**
 * `quantize INPUT -k 16 --duration 0.5` written once as numbered PNGs (in `tmp/name/`) and
 * once as a GIF: the PNG files, in order, and the GIF's frames.
 */
async function framesBothWays(input: string, name: string): Promise<{ files: string[]; frames: Buffer[] }> {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  const gif = path.join(tmp, `${name}.gif`);
  const args = ['quantize', input, '-k', '16', '--duration', '0.5'];
  await run([...args, '-o', path.join(dir, 'f-%02d.png')]);
  await run([...args, '-o', gif]);
  return { files: readdirSync(dir).sort().map((f) => path.join(dir, f)), frames: gifFrames(gif) };
}

async function rgbaOf(file: string): Promise<Buffer> {
  return sharp(file).ensureAlpha().raw().toBuffer();
}

/** A GIF's composited frames as RGBA, with clear pixels 0,0,0,0 (as the PNG writer stores them). */
function gifFrames(file: string): Buffer[] {
  return [...decodeGif(new Uint8Array(readFileSync(file)), path.basename(file)).frames()].map((f) => {
    const data = Buffer.from(f.data);
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] === 0) data.fill(0, i, i + 4);
    return data;
  });
}

describe('PNG output', () => {
  it('a still quantized to .png is a 4-bit palette PNG of its 8 colours, pixel for pixel the .gif of the same run', async () => {
    const png = path.join(tmp, 'coffee-8.png');
    const gif = path.join(tmp, 'coffee-8.gif');
    await run(['quantize', COFFEE, '-k', '8', '-o', png]);
    await run(['quantize', COFFEE, '-k', '8', '-o', gif]);
    expect(layout(png)).toEqual({ depth: 4, colourType: 3, entries: 8, alphas: null });
    expect((await rgbaOf(png)).equals(gifFrames(gif)[0])).toBe(true);
    // The pHYs libvips wrote is kept; nothing else beside the image data.
    expect(chunksOf(readFileSync(png)).map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'pHYs', 'IDAT', 'IEND']);
  });

  it("numbered frames of a video are the GIF's frames, at 4 bits for k = 16", async () => {
    const { files, frames } = await framesBothWays(REALSHORT, 'realshort');
    expect(files).toHaveLength(frames.length);
    expect(frames.length).toBeGreaterThan(5);
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      expect(layout(file), name).toMatchObject({ depth: 4, colourType: 3, alphas: null });
      expect((await rgbaOf(file)).equals(frames[i]), name).toBe(true);
    }
  });

  it('transparent pixels get one palette entry of alpha 0; the other pixels are as in the GIF', async () => {
    const { files, frames } = await framesBothWays(EARTH_CLEAR, 'earth');
    expect(files).toHaveLength(frames.length);
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      const { depth, colourType, entries, alphas } = layout(file);
      // 16 colours and the transparent entry: 8 bits.
      expect([depth, colourType, entries], name).toEqual([8, 3, 17]);
      expect(alphas, name).toEqual([...new Array(16).fill(255), 0]);
      const rgba = await rgbaOf(file);
      expect(rgba.equals(frames[i]), name).toBe(true);
      let clear = 0;
      for (let p = 3; p < rgba.length; p += 4) if (rgba[p] === 0) clear++;
      expect(clear, name).toBeGreaterThan(0);
    }
  });

  it('transfer to a .png writes a palette PNG of the source colours', async () => {
    const png = path.join(tmp, 'coffee-hibiscus.png');
    await run(['transfer', HIBISCUS, COFFEE, '-o', png]);
    const { depth, colourType, entries } = layout(png);
    expect([depth, colourType, entries]).toEqual([4, 3, 8]);
  });
});
