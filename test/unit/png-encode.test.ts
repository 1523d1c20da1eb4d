import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, createIndexedPngEncoder } from '../../src/encode/png-encode.js';
import { createRng } from '../../src/kmeans/random.js';
import { createFramePngEncoder } from '../../src/io/png-sequence.js';
import { expandToRgba } from '../../src/pipeline/expand-frame.js';
import type { IndexedFrame } from '../../src/types.js';
import { chunksOf } from '../helpers/png-chunks.js';

const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-png-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const deflate = (data: Uint8Array): Uint8Array => zlib.deflateSync(data);
const encode = (frame: IndexedFrame): Uint8Array | null => createIndexedPngEncoder(frame.width, frame.height, deflate).encode(frame);

/**
 * A frame of `size` distinct colours, every one drawn (the first `size` pixels, then random
 * ones), with about `clearShare` of the other pixels transparent. The palette array is longer
 * than `size` colours, as the pipeline's are, with junk after them.
 */
function makeFrame(width: number, height: number, size: number, clearShare: number, seed: number): IndexedFrame {
  const rnd = createRng(seed); // seeded: every run tests the same frames
  const n = width * height;
  const palette = new Uint8Array(768).map(() => Math.floor(rnd() * 256));
  for (let i = 0; i < size; i++) palette.set([i, 255 - i, (i * 37) & 255], i * 3); // distinct colours
  const indices = new Uint8Array(n);
  const transparent = clearShare > 0 ? new Uint8Array(n) : null;
  for (let p = 0; p < n; p++) {
    indices[p] = p < size ? p : Math.floor(rnd() * size);
    if (transparent && p >= size && rnd() < clearShare) {
      transparent[p] = 1;
      indices[p] = Math.floor(rnd() * 256); // meaningless under the mask, whatever it is
    }
  }
  return { width, height, indices, palette, size, transparent, delayMs: 100 };
}

/** What the frame must decode to: its palette colours, alpha 255; transparent pixels 0,0,0,0 (as the RGBA writer stored them). */
function expected(frame: IndexedFrame): Buffer {
  const rgba = new Uint8Array(frame.width * frame.height * 4);
  expandToRgba(frame, rgba, 0);
  return Buffer.from(rgba);
}

async function decodeWithSharp(png: Uint8Array): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

function header(png: Uint8Array): { width: number; height: number; depth: number; colourType: number; interlace: number } {
  const ihdr = chunksOf(Buffer.from(png))[0];
  expect(ihdr.type).toBe('IHDR');
  return { width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4), depth: ihdr.data[8], colourType: ihdr.data[9], interlace: ihdr.data[12] };
}

describe('createIndexedPngEncoder', () => {
  it('stores each palette size at the smallest bit depth, with exactly its colours, and decodes to them pixel for pixel', async () => {
    for (const [size, depth] of [[1, 1], [2, 1], [3, 2], [4, 2], [5, 4], [16, 4], [17, 8], [200, 8], [256, 8]] as const) {
      const frame = makeFrame(37, 11, size, 0, size);
      const png = encode(frame)!;
      expect(header(png), `size ${size}`).toEqual({ width: 37, height: 11, depth, colourType: 3, interlace: 0 });
      const chunks = chunksOf(Buffer.from(png));
      expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'pHYs', 'IDAT', 'IEND']);
      expect([...chunks[1].data], `size ${size}`).toEqual([...frame.palette.subarray(0, size * 3)]);
      expect((await decodeWithSharp(png)).equals(expected(frame)), `size ${size}`).toBe(true);
    }
  });

  it('packs rows of odd widths at 1, 2 and 4 bits, padding each row to a whole byte', async () => {
    for (const size of [2, 4, 16]) {
      for (const width of [1, 2, 3, 5, 7, 9, 13]) {
        const colours = Math.min(size, width * 5);
        const frame = makeFrame(width, 5, colours, 0, width * 100 + size);
        frame.indices[0] = colours - 1; // the highest index in the first bits: a shift off by one would show
        const png = encode(frame)!;
        expect((await decodeWithSharp(png)).equals(expected(frame)), `${size} colours, width ${width}`).toBe(true);
      }
    }
  });

  it('gives transparent pixels one entry whose alpha is 0 (black, as before); every other pixel keeps alpha 255', async () => {
    for (const [size, depth, entries] of [[1, 1, 2], [3, 2, 4], [4, 4, 5], [15, 4, 16], [16, 8, 17], [100, 8, 101], [255, 8, 256]] as const) {
      const frame = makeFrame(29, 19, size, 0.3, size + 7);
      const png = encode(frame)!;
      expect(header(png).depth, `size ${size}`).toBe(depth);
      const chunks = chunksOf(Buffer.from(png));
      expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'tRNS', 'pHYs', 'IDAT', 'IEND']);
      expect(chunks[1].data.length / 3, `size ${size}`).toBe(entries);
      // The added entry is the last: the alphas of those before it are 255.
      expect([...chunks[2].data]).toEqual([...new Array(entries - 1).fill(255), 0]);
      expect((await decodeWithSharp(png)).equals(expected(frame)), `size ${size}`).toBe(true);
    }
  });

  it('borrows an index no opaque pixel uses for the transparent pixels, so 256 colours with one unused fit, and 16 stay at 4 bits', async () => {
    for (const size of [16, 256]) {
      const frame = makeFrame(40, 40, size, 0.2, size);
      // Index 9 is drawn nowhere but under the mask (and at the one pixel that drew it, now transparent).
      for (let p = 0; p < frame.indices.length; p++) if (frame.indices[p] === 9 && !frame.transparent![p]) frame.indices[p] = 10;
      const png = encode(frame)!;
      expect(header(png).depth).toBe(size === 16 ? 4 : 8);
      const chunks = chunksOf(Buffer.from(png));
      expect(chunks[1].data.length / 3).toBe(size);
      expect([...chunks[1].data.subarray(27, 30)]).toEqual([0, 0, 0]); // the borrowed entry is black
      expect([...chunks[2].data]).toEqual([...new Array(9).fill(255), 0]);
      expect((await decodeWithSharp(png)).equals(expected(frame)), `size ${size}`).toBe(true);
    }
  });

  it('returns null for 256 colours all drawn plus transparent pixels (257 entries); createFramePngEncoder then writes RGBA, exactly', async () => {
    const frame = makeFrame(50, 30, 256, 0.1, 256);
    expect(encode(frame)).toBeNull();
    const png = await createFramePngEncoder(50, 30)(frame);
    expect(header(png)).toMatchObject({ depth: 8, colourType: 6 });
    expect((await decodeWithSharp(png)).equals(expected(frame))).toBe(true);
    // Without its transparent pixels the same frame is a palette PNG.
    const opaque = { ...frame, transparent: null };
    expect(header(await createFramePngEncoder(50, 30)(opaque))).toMatchObject({ depth: 8, colourType: 3 });
  });

  it('writes a 1x1 frame, opaque or transparent, and a frame with no opaque pixel (size 0)', async () => {
    const red: IndexedFrame = { width: 1, height: 1, indices: new Uint8Array([0]), palette: new Uint8Array([255, 0, 0]), size: 1, transparent: null, delayMs: 0 };
    expect([...(await decodeWithSharp(encode(red)!))]).toEqual([255, 0, 0, 255]);
    const clear = { ...red, transparent: new Uint8Array([1]) };
    expect([...(await decodeWithSharp(encode(clear)!))]).toEqual([0, 0, 0, 0]);
    const empty: IndexedFrame = { width: 3, height: 2, indices: new Uint8Array(6), palette: new Uint8Array(0), size: 0, transparent: new Uint8Array(6).fill(1), delayMs: 0 };
    const png = encode(empty)!;
    expect(header(png).depth).toBe(1);
    expect([...(await decodeWithSharp(png))]).toEqual(new Array(24).fill(0));
  });

  it('splits IDAT past 1 MiB, and every chunk checksum is right (checked with zlib.crc32 where Node has it)', async () => {
    const frame = makeFrame(1200, 1000, 256, 0, 1); // random 8-bit indices: about 1.2 MB deflated
    const png = encode(frame)!;
    const chunks = chunksOf(Buffer.from(png));
    expect(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data.length)).toEqual([1 << 20, expect.any(Number)]);
    expect((await decodeWithSharp(png)).equals(expected(frame))).toBe(true);
    const reference = (zlib as { crc32?: (data: Uint8Array) => number }).crc32 ?? ((data: Uint8Array) => crc32(data));
    for (let at = 8; at < png.length; ) {
      const length = Buffer.from(png).readUInt32BE(at);
      expect(Buffer.from(png).readUInt32BE(at + 8 + length)).toBe(reference(png.subarray(at + 4, at + 8 + length)));
      at += 12 + length;
    }
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('reuses its row buffer across frames of the size it was made for, and refuses another size or an index past the palette', async () => {
    const encoder = createIndexedPngEncoder(31, 9, deflate);
    for (const size of [256, 2, 40, 5]) {
      const frame = makeFrame(31, 9, size, size === 40 ? 0.5 : 0, size);
      expect((await decodeWithSharp(encoder.encode(frame)!)).equals(expected(frame)), `size ${size}`).toBe(true);
    }
    expect(() => encoder.encode(makeFrame(30, 9, 4, 0, 1))).toThrow(RangeError);
    const bad = makeFrame(31, 9, 4, 0, 1);
    bad.indices[40] = 4;
    expect(() => encoder.encode(bad)).toThrow(/^palette index 4 is not below size 4$/);
    // Under the transparency mask an index means nothing, so it is not checked.
    const masked = makeFrame(31, 9, 4, 0.5, 1);
    masked.indices[masked.transparent!.indexOf(1)] = 200;
    expect(encoder.encode(masked)).not.toBeNull();
  });

  const python = '/usr/bin/python3';
  const hasPillow = existsSync(python) && spawnSync(python, ['-c', 'import PIL'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasPillow)('decodes in Pillow to the same pixels, palette mode, with the transparent entry named', () => {
    const frames = [makeFrame(13, 3, 2, 0, 1), makeFrame(13, 3, 4, 0.3, 2), makeFrame(13, 3, 16, 0, 3), makeFrame(13, 3, 16, 0.3, 4), makeFrame(23, 11, 200, 0.3, 5)];
    const files = frames.map((frame, i) => {
      const file = path.join(work, `pillow-${i}.png`);
      writeFileSync(file, encode(frame)!);
      return file;
    });
    const script = [
      'import sys', 'from PIL import Image',
      'for f in sys.argv[1:]:',
      '    im = Image.open(f); print(im.mode, im.info.get("transparency"), im.convert("RGBA").tobytes().hex())',
    ].join('\n');
    const r = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    frames.forEach((frame, i) => {
      const [mode, clear, hex] = lines[i].split(' ');
      expect(mode).toBe('P');
      expect(clear).toBe(frame.transparent ? String(frame.size) : 'None');
      expect(hex, `frame ${i}`).toBe(expected(frame).toString('hex'));
    });
  });
});
