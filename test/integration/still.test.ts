import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ChromaseedError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/output-file.js';
import { loadStill } from '../../src/io/still.js';
import { greyIccProfile, rewritePng, withIccChunk } from '../helpers/png-chunks.js';
import { deflateSync, gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const still = (name: string) => path.join(corpus, 'stills', name);
const tmp = mkdtempSync(path.join(tmpdir(), 'chromaseed-still-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function expectError(p: Promise<unknown>, code: string, pattern: RegExp): Promise<ChromaseedError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChromaseedError);
  const ce = e as ChromaseedError;
  expect(ce.code).toBe(code);
  expect(ce.message).toMatch(pattern);
  expect(ce.message).not.toContain('\n');
  return ce;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

describe('loadStill', () => {
  it("refuses a GIF none of whose frames' pixel data decodes, saying why (it gave a blank frame)", async () => {
    const broken = path.join(corpus, 'odd_gifs/imagegif__issue-117-out-of-range.gif');
    await expectError(loadStill(broken), 'ERR_INPUT', /: no frame's pixels could be decoded \(frame 0: LZW minimum code size 0 is invalid\)$/);
  });

  it('reads a PNG photo as opaque RGBA at its size', async () => {
    const f = await loadStill(still('skimage__chelsea.png'));
    expect([f.width, f.height]).toEqual([451, 300]);
    expect(f.data.length).toBe(451 * 300 * 4);
    let minA = 255;
    const seen = new Set<number>();
    for (let i = 0; i < f.data.length; i += 4) {
      minA = Math.min(minA, f.data[i + 3]);
      seen.add((f.data[i] << 16) | (f.data[i + 1] << 8) | f.data[i + 2]);
    }
    expect(minA).toBe(255);
    // A real photo, not a blank or mis-strided buffer.
    expect(seen.size).toBeGreaterThan(5000);
  });

  it('reads a JPEG photo', async () => {
    const f = await loadStill(still('skimage__rocket.jpg'));
    expect([f.width, f.height]).toEqual([640, 427]);
    expect(f.data.length).toBe(640 * 427 * 4);
  });

  it('reads the first frame of an animated GIF, matching an independent decoder (omggif)', async () => {
    const file = path.join(corpus, 'gifs/pillow__animated_hopper.gif');
    const f = await loadStill(file);
    const reader = new GifReader(readFileSync(file));
    expect(reader.numFrames()).toBeGreaterThan(1);
    expect([f.width, f.height]).toEqual([reader.width, reader.height]);
    const ref = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(0, ref);
    expect(meanAbsDiff(f.data, ref)).toBe(0);
  });

  it('reads WebP, TIFF and AVIF made from a corpus photo', async () => {
    const src = still('wuffs__bricks-color.jpeg');
    const base = await loadStill(src);
    const webp = path.join(tmp, 'bricks.webp');
    const tiff = path.join(tmp, 'bricks.tiff');
    const avif = path.join(tmp, 'bricks.avif');
    await sharp(src).webp({ lossless: true }).toFile(webp);
    await sharp(src).tiff({ compression: 'lzw' }).toFile(tiff);
    await sharp(src).avif({ quality: 90 }).toFile(avif);
    expect(meanAbsDiff((await loadStill(webp)).data, base.data)).toBe(0);
    expect(meanAbsDiff((await loadStill(tiff)).data, base.data)).toBe(0);
    const a = await loadStill(avif);
    expect([a.width, a.height]).toEqual([160, 120]);
    expect(meanAbsDiff(a.data, base.data)).toBeLessThan(6);
  });

  it('converts greyscale to RGBA', async () => {
    const grey = path.join(tmp, 'grey.png');
    await sharp(still('skimage__coffee.png')).greyscale().toFile(grey);
    const f = await loadStill(grey);
    expect(f.data.length).toBe(600 * 400 * 4);
    for (let i = 0; i < f.data.length; i += 4 * 997) {
      expect(f.data[i]).toBe(f.data[i + 1]);
      expect(f.data[i + 1]).toBe(f.data[i + 2]);
      expect(f.data[i + 3]).toBe(255);
    }
  });

  it('reads a CMYK JPEG without a profile as its inks say, as browsers, ImageMagick and ffmpeg do (libvips\' print profile dulled it)', async () => {
    const cmyk = path.join(repoRoot, 'test/fixtures/cmyk/coffee-cmyk.jpg');
    const meta = await sharp(cmyk).metadata();
    expect([meta.space, meta.icc]).toEqual(['cmyk', undefined]);
    // The same 240x160 part of the PNG it was made from (see the fixture's README).
    const png = await loadStill(path.join(repoRoot, 'samples/coffee.png'));
    const read = await loadStill(cmyk);
    expect([read.width, read.height]).toEqual([240, 160]);
    let error = 0;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 240; x++) {
        const o = (y * 240 + x) * 4;
        const p = ((y + 120) * 600 + x + 180) * 4;
        for (let c = 0; c < 3; c++) error += Math.abs(read.data[o + c] - png.data[p + c]);
        expect(read.data[o + 3]).toBe(255);
      }
    }
    // JPEG's loss only: 1.7 levels a channel on average (through libvips' print profile: 8.3).
    expect(error / (240 * 160 * 3)).toBeLessThan(3);
    // --width scales the inks the same way.
    expect((await loadStill(cmyk, { width: 120 })).width).toBe(120);
    // 16-bit inks (a lossless TIFF of another part) are scaled, not clipped to 8 bits (which read them nearly all black).
    const tiff = await loadStill(path.join(repoRoot, 'test/fixtures/cmyk/coffee-cmyk16.tif'));
    let tiffError = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 96; x++) {
        for (let c = 0; c < 3; c++) tiffError += Math.abs(tiff.data[(y * 96 + x) * 4 + c] - png.data[((y + 150) * 600 + x + 260) * 4 + c]);
      }
    }
    expect(tiffError / (96 * 64 * 3)).toBeLessThan(0.5);
  });

  it('reads a 16-bit image with an embedded sRGB profile in its own colours (sharp alone gave pure red as 234, 51, 34)', async () => {
    // Red, green and white, which sharp stores exactly (its blue gets a red of 392).
    const px = new Uint16Array([65535, 0, 0, 0, 65535, 0, 65535, 65535, 65535]);
    const file = path.join(tmp, 'rgb16-srgb.png');
    await sharp(px, { raw: { width: 3, height: 1, channels: 3 } }).toColourspace('rgb16').withIccProfile('srgb').png().toFile(file);
    const meta = await sharp(file).metadata();
    expect([meta.depth, meta.icc !== undefined]).toEqual(['ushort', true]);
    const f = await loadStill(file);
    expect(Array.from(f.data)).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 255, 255, 255, 255]);
  });

  it("applies a 16-bit greyscale image's profile, as it does an 8-bit one's (sharp skipped it: a grey of 0.4 under a linear profile read 102, not 170)", async () => {
    // 0.4 of white, stored at 8 and at 16 bits, tagged with a linear grey profile: in sRGB
    // that is 0.4 of white's light, coded as 170 (lcms, through Pillow's ImageCms, gives 170).
    const linear = greyIccProfile(1);
    const png8 = await sharp(Buffer.alloc(4, 102), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const px16 = new Uint16Array(4).fill(102 * 257);
    const png16 = await sharp(Buffer.from(px16.buffer), { raw: { width: 2, height: 2, channels: 1, depth: 'ushort' } as never }).toColourspace('grey16').png().toBuffer();
    const loaded: number[][] = [];
    for (const [name, png] of [['grey8-linear.png', png8], ['grey16-linear.png', png16]] as const) {
      const file = path.join(tmp, name);
      writeFileSync(file, withIccChunk(png, linear));
      const meta = await sharp(file).metadata();
      expect([meta.channels, meta.icc !== undefined]).toEqual([1, true]);
      loaded.push(Array.from((await loadStill(file)).data.subarray(0, 4)));
    }
    expect(loaded).toEqual([[170, 170, 170, 255], [170, 170, 170, 255]]);
  });

  it('reads a 16-bit image with an Adobe RGB profile as its 8-bit copy (through the profile said outright, channels near 0 came out up to 16 levels off: 248, 12, 213 as 255, 16, 219)', async () => {
    // Four colours, at 16 and at 8 bits, each file with the profile (test/fixtures/deep-samples/README.md).
    const deep = path.join(repoRoot, 'test/fixtures/deep-samples');
    expect((await sharp(path.join(deep, 'adobe-rgb-16bit.png')).metadata()).depth).toBe('ushort');
    const sixteen = Array.from((await loadStill(path.join(deep, 'adobe-rgb-16bit.png'))).data);
    const eight = Array.from((await loadStill(path.join(deep, 'adobe-rgb-8bit.png'))).data);
    // lcms, through ImageMagick 6.9, converts both to these; chromaseed within a level of it.
    const lcms = [0, 197, 47, 255, 255, 4, 218, 255, 0, 246, 22, 255, 0, 209, 175, 255];
    expect([sixteen, Math.max(...sixteen.map((v, i) => Math.abs(v - lcms[i])))]).toEqual([eight, 1]);
  });

  it('refuses samples whose colours libvips reads wrong, and names a TIFF of samples it cannot decode as such, not as damaged', async () => {
    const deep = path.join(repoRoot, 'test/fixtures/deep-samples');
    const read = (name: string) => loadStill(path.join(deep, name)).then(() => 'read', (err: Error) => err.message.slice(deep.length + 1));
    const advice = 'whose colours cannot be read as a viewer shows them; save it with 8 or 16-bit samples';
    // They read as 0, 255, 255 (of 180, 60, 90) and as black (of a grey of 100).
    expect(await read('int32.tif')).toBe(`int32.tif: an image of 32-bit integer samples, ${advice}`);
    expect(await read('float-grey.tif')).toBe(`float-grey.tif: an image of floating-point grey samples, ${advice}`);
    // "cannot decode the image: damaged or cut short?" before.
    expect(await read('float64.tif')).toBe('float64.tif: a TIFF whose kind of samples the decoder does not read (the decoder: tiff2vips: samples out of range); save it with 8 or 16-bit RGB samples');
    expect(await read('lab8.tif')).toBe('lab8.tif: a TIFF whose kind of samples the decoder does not read (the decoder: image: bad labq format); save it with 8 or 16-bit RGB samples');
    // Floating-point RGB is read, as linear light (libvips' scRGB): 0.706, 0.235, 0.353 is 219, 133, 160 in sRGB.
    expect(Array.from((await loadStill(path.join(deep, 'float-rgb.tif'))).data.subarray(0, 4))).toEqual([219, 133, 160, 255]);
  });

  it('rounds 16-bit samples without a profile to 8 bits, RGB and grey, PNG and TIFF (libvips dropped the low byte: 1000 of 65535, 3.89 of 255, read as 3)', async () => {
    const samples = [1000, 33024, 64535, 65535];
    const expected = [4, 128, 251, 255];
    // A 16-bit PNG of one row, written chunk by chunk (samples big-endian, filter 0).
    const png16 = (channels: number): Buffer => {
      const header = Buffer.alloc(13);
      header.writeUInt32BE(samples.length, 0);
      header.writeUInt32BE(1, 4);
      header.set([16, channels === 3 ? 2 : 0, 0, 0, 0], 8);
      const row = Buffer.alloc(1 + samples.length * channels * 2);
      samples.forEach((v, p) => { for (let c = 0; c < channels; c++) row.writeUInt16BE(v, 1 + (p * channels + c) * 2); });
      return rewritePng(PNG_SIGNATURE, () => [{ type: 'IHDR', data: header }, { type: 'IDAT', data: deflateSync(row) }, { type: 'IEND', data: Buffer.alloc(0) }]);
    };
    for (const [name, channels] of [['rgb16.png', 3], ['rgb16.tif', 3], ['grey16.png', 1]] as const) {
      const file = path.join(tmp, name);
      writeFileSync(file.replace(/\.tif$/, '-for-tif.png'), png16(channels));
      // sharp writes 8-bit TIFF only; ffmpeg keeps the 16 bits.
      if (name.endsWith('.tif')) execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', file.replace(/\.tif$/, '-for-tif.png'), '-pix_fmt', 'rgb48le', file]);
      expect([name, (await sharp(file).metadata()).depth]).toEqual([name, 'ushort']);
      const { data } = await loadStill(file);
      expect([name, [0, 1, 2, 3].map((p) => [data[p * 4], data[p * 4 + 1], data[p * 4 + 2], data[p * 4 + 3]])]).toEqual([name, expected.map((v) => [v, v, v, 255])]);
    }
  });

  it('applies EXIF orientation', async () => {
    const src = still('wuffs__bricks-color.jpeg');
    const rotated = path.join(tmp, 'bricks-orient6.jpg');
    // Orientation 6: the stored pixels must be turned 90° clockwise to display upright.
    await sharp(src).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(rotated);
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    const f = await loadStill(rotated);
    expect([f.width, f.height]).toEqual([120, 160]);
    // The displayed top-left pixel is the stored bottom-left one.
    const base = await loadStill(src);
    const storedBottomLeft = (119 * 160 + 0) * 4;
    for (let c = 0; c < 3; c++) expect(Math.abs(f.data[c] - base.data[storedBottomLeft + c])).toBeLessThan(24);
  });

  it('with --width, measures the scaled size against the pixel limit upright: every orientation that turns it, 5 included', async () => {
    // 160x120 stored, 120x160 shown: --width 240 is 240x320 (76,800 pixels), not 240x180 (43,200).
    for (const orientation of [5, 6, 7, 8]) {
      const turned = path.join(tmp, `bricks-orient${orientation}.jpg`);
      await sharp(still('wuffs__bricks-color.jpeg')).withMetadata({ orientation }).jpeg({ quality: 95 }).toFile(turned);
      const e = await loadStill(turned, { width: 240, maxPixels: 50_000 }).then(() => null, (err: unknown) => err);
      expect([orientation, (e as ChromaseedError | null)?.code]).toEqual([orientation, 'ERR_LIMIT']);
    }
    const upright = path.join(tmp, 'bricks-orient1.jpg');
    await sharp(still('wuffs__bricks-color.jpeg')).withMetadata({ orientation: 1 }).jpeg({ quality: 95 }).toFile(upright);
    expect((await loadStill(upright, { width: 240, maxPixels: 50_000 })).height).toBe(180);
  });

  it('cuts partial alpha at half: a pixel drawn at under 50% is transparent, one at 50% or more opaque', async () => {
    // One colour, alpha rising 0..255 from left to right (a soft edge); nothing else.
    const raw = Buffer.alloc(256 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 256; x++) raw.set([200, 40, 10, x], (y * 256 + x) * 4);
    const ramp = path.join(tmp, 'alpha-ramp.png');
    await sharp(raw, { raw: { width: 256, height: 2, channels: 4 } }).png().toFile(ramp);
    const { data } = await loadStill(ramp);
    for (let x = 0; x < 256; x++) {
      const px = Array.from(data.subarray(x * 4, x * 4 + 4));
      expect(px, `alpha ${x}`).toEqual(x < 128 ? [0, 0, 0, 0] : [200, 40, 10, 255]);
    }
  });

  it('refuses a width that is not a positive integer, and bytes to write that are not bytes, as usage errors (sharp\'s message came back as ERR_INPUT; a string was written)', async () => {
    for (const width of [0, -3, 1.5]) await expectError(loadStill(still('wuffs__bricks-color.jpeg'), { width }), 'ERR_USAGE', /for --width/);
    await expectError(writeFileAtomic(path.join(tmp, 'text.png'), 'not a picture' as unknown as Uint8Array), 'ERR_USAGE', /the bytes to write are a string/);
    expect(readdirSync(tmp).filter((f) => f.startsWith('text') || f.startsWith('.text'))).toEqual([]);
  });

  it('names the file when it is missing', async () => {
    const missing = path.join(corpus, 'stills', 'no-such-photo.jpg');
    await expectError(loadStill(missing), 'ERR_INPUT', /no-such-photo\.jpg: no such file/);
  });

  it('rejects a file that is not an image', async () => {
    await expectError(loadStill(path.join(corpus, 'MANIFEST.md')), 'ERR_INPUT', /MANIFEST\.md: not an image/);
  });

  it('rejects an empty file and a truncated JPEG', async () => {
    const empty = path.join(tmp, 'empty.png');
    await writeFileAtomic(empty, new Uint8Array(0));
    await expectError(loadStill(empty), 'ERR_INPUT', /empty\.png: the file is empty$/);
    // A file of /proc says it is empty and is not (found by QA: "the file is empty").
    await expectError(loadStill('/proc/self/status'), 'ERR_INPUT', /status: says its size is 0, but has content \(a file the system makes as it is read, as in \/proc, or one being written\); save it to a file first$/);
    const truncated = path.join(tmp, 'truncated.jpg');
    await writeFileAtomic(truncated, readFileSync(still('skimage__rocket.jpg')).subarray(0, 30000));
    await expectError(loadStill(truncated), 'ERR_INPUT', /truncated\.jpg: cannot decode the image: damaged or cut short\? \(the decoder: .*JPEG.*\)$/);
    // A PNG cut inside its header: libvips's reason ends in a colon, left out.
    const header = path.join(tmp, 'header.png');
    await writeFileAtomic(header, readFileSync(path.join(__dirname, '../../samples/coffee.png')).subarray(0, 30));
    await expectError(loadStill(header), 'ERR_INPUT', /header\.png: cut short: it ends inside the checksum of its IHDR chunk \(the decoder: Input file has corrupt header\)$/);
    // A TIFF cut inside its header is a TIFF still (it was "not an image format that can be read (... TIFF ...)").
    const tiff = path.join(tmp, 'cut.tiff');
    await writeFileAtomic(tiff, (await sharp(path.join(__dirname, '../../samples/coffee.png')).tiff().toBuffer()).subarray(0, 100));
    await expectError(loadStill(tiff), 'ERR_INPUT', /cut\.tiff: a TIFF image that cannot be decoded: damaged or cut short\?$/);
  });

  it('says from its chunks what is wrong with a damaged PNG (libpng said "Unknown error" or "libpng read error")', async () => {
    const png = readFileSync(path.join(__dirname, '../../samples/coffee.png'));
    // The chunks: IHDR right after the signature, then the first IDAT found by walking them.
    let idat = 8;
    while (png.toString('latin1', idat + 4, idat + 8) !== 'IDAT') idat += 12 + png.readUInt32BE(idat);
    const idatLength = png.readUInt32BE(idat);
    const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
      ['bad-header-sum.png', (b) => (b[29] ^= 0xff, b), /bad-header-sum\.png: damaged: its IHDR chunk at byte 8 does not match its checksum \(the decoder: Unknown error\)$/],
      ['bad-data.png', (b) => (b[idat + 100] ^= 0xff, b), new RegExp(`bad-data\\.png: damaged: its IDAT chunk at byte ${idat} does not match its checksum \\(the decoder: .*libpng read error\\)$`)],
      ['cut.png', (b) => b.subarray(0, idat + 8 + 1000), new RegExp(`cut\\.png: cut short: it ends inside its IDAT chunk \\(1000 of its ${idatLength} bytes are there\\)`)],
      // A wrong length: the checksum is read from the wrong place.
      ['bad-length.png', (b) => (b.writeUInt32BE(b.readUInt32BE(idat) + 7, idat), b), new RegExp(`bad-length\\.png: damaged: its IDAT chunk at byte ${idat} does not match its checksum`)],
      // A chunk cut out of the middle: what follows is not a chunk.
      ['gap.png', (b) => Buffer.concat([b.subarray(0, idat + 8 + 50), b.subarray(idat + 8 + 53)]), /gap\.png: damaged: at byte \d+ it has no chunk a PNG can have|gap\.png: damaged: its IDAT chunk/],
    ];
    for (const [name, damage, expected] of cases) {
      const file = path.join(tmp, name);
      await writeFileAtomic(file, damage(Buffer.from(png)));
      await expectError(loadStill(file), 'ERR_INPUT', expected);
    }
    // Every chunk whole and true to its checksum, the compressed data wrong: the decoder's word alone.
    const inflated = Buffer.from(png);
    inflated.fill(0x55, idat + 8 + 10, idat + 8 + 60);
    const file = path.join(tmp, 'bad-stream.png');
    await writeFileAtomic(file, rewritePng(inflated, (chunks) => chunks));
    await expectError(loadStill(file), 'ERR_INPUT', /bad-stream\.png: cannot decode the image: damaged or cut short\? \(the decoder: /);
  });

  it('reads a BigTIFF as it reads a TIFF (it was refused as "neither chromaseed nor ffmpeg can read it"), and names a cut one a TIFF', async () => {
    const { openInput } = await import('../../src/io/open-input.js');
    const { resolveInputOptions } = await import('../../src/options.js');
    const png = path.join(__dirname, '../../samples/coffee.png');
    const classic = path.join(tmp, 'classic.tif');
    const big = path.join(tmp, 'big.tif');
    writeFileSync(classic, await sharp(png).tiff().toBuffer());
    const bigBytes = await sharp(png).tiff({ bigtiff: true }).toBuffer();
    expect(bigBytes.subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 43, 0]));
    writeFileSync(big, bigBytes);
    const firstFrame = async (file: string) => {
      const opened = await openInput(file, resolveInputOptions({}));
      expect(opened.kind, file).toBe('still');
      for await (const frame of opened.frames) return frame;
    };
    const [a, b] = [await firstFrame(classic), await firstFrame(big)];
    expect(Buffer.compare(a!.data, b!.data)).toBe(0);
    const cut = path.join(tmp, 'cut-big.tif');
    writeFileSync(cut, bigBytes.subarray(0, 100));
    await expectError(loadStill(cut), 'ERR_INPUT', /cut-big\.tif: a TIFF image that cannot be decoded: damaged or cut short\?$/);
  });

  it('as openInput and openReusable read it, refuses a part of its time, and takes a rate and a width (a part was dropped without a word)', async () => {
    const { openInput, openReusable } = await import('../../src/io/open-input.js');
    const { resolveInputOptions } = await import('../../src/options.js');
    const png = path.join(__dirname, '../../samples/coffee.png');
    // A picture only ffmpeg reads is a still too, found so once it is open.
    const bmp = path.join(tmp, 'coffee.bmp');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', png, '-vf', 'scale=64:-1', bmp]);
    for (const file of [png, bmp]) {
      const name = path.basename(file);
      for (const open of [openInput, openReusable]) {
        await expectError(open(file, resolveInputOptions({ start: 5 })), 'ERR_USAGE', new RegExp(`^--start: \\S*${name} is a still image, which has no time; drop --start$`));
        await expectError(open(file, resolveInputOptions({ duration: 1 })), 'ERR_USAGE', /is a still image, which has no time; drop --duration$/);
      }
      const opened = await openInput(file, resolveInputOptions({ fps: 5, width: 32 }));
      expect([opened.kind, opened.info.width, opened.info.frameCount]).toEqual(['still', 32, 1]);
    }
    // loadStill reads what sharp reads; it says where a BMP is read (it named only the formats it reads).
    await expectError(loadStill(bmp), 'ERR_INPUT', /coffee\.bmp: not an image format that loadStill reads \(JPEG, PNG, WebP, AVIF, TIFF, SVG or GIF\); openInput reads the pictures ffmpeg reads too \(BMP, PPM, TGA\.\.\.\)$/);
  });

  it('rejects a directory', async () => {
    await expectError(loadStill(path.join(corpus, 'stills')), 'ERR_INPUT', /stills: is a directory, not a file$/);
  });

  it('rejects a corrupt GIF with an input error', async () => {
    await expectError(loadStill(path.join(corpus, 'odd_gifs/pillow__decompression_bomb.gif')), 'ERR_INPUT', /decompression_bomb\.gif: /);
  });

  it('refuses images over the pixel limit before decoding them', async () => {
    const file = still('skimage__retina.jpg'); // 1411x1411
    await expectError(loadStill(file, { maxPixels: 1411 * 1411 - 1 }), 'ERR_LIMIT', /retina\.jpg: image has more than 1990920 pixels/);
    const f = await loadStill(file, { maxPixels: 1411 * 1411 });
    expect(f.width).toBe(1411);
  });

  it('a PNG or a JPEG whose stated size no decoder takes is refused for its size, not called damaged (a fuzzing audit: "corrupt header" for a PNG 2^31 - 1 wide, as the PNG format allows, and a JPEG 65,535 high)', async () => {
    const wide = path.join(tmp, 'wide.png');
    writeFileSync(wide, rewritePng(readFileSync(path.join(repoRoot, 'samples/coffee.png')), (chunks) => chunks.map((c) => (c.type === 'IHDR' ? { type: c.type, data: Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff]), c.data.subarray(4)]) } : c))));
    await expectError(loadStill(wide), 'ERR_LIMIT', /wide\.png: image has more than 100000000 pixels \(raise the limit with --max-pixels if you trust this file\)$/);
    // The JPEG's first frame header (SOF0..SOF2) states its height, then its width.
    const jpeg = Buffer.from(readFileSync(path.join(repoRoot, 'samples/hibiscus.jpg')));
    let sof = 2;
    while (!(jpeg[sof] === 0xff && jpeg[sof + 1] >= 0xc0 && jpeg[sof + 1] <= 0xc2)) sof += 2 + jpeg.readUInt16BE(sof + 2);
    jpeg.writeUInt16BE(65535, sof + 5);
    const tall = path.join(tmp, 'tall.jpg');
    writeFileSync(tall, jpeg);
    await expectError(loadStill(tall, { maxPixels: 1e12 }), 'ERR_LIMIT', /tall\.jpg: a JPEG wider or taller than 65500 pixels, the most its decoder reads$/);
  });

  it('an SVG wider than the SVG renderer draws is said to be so (it blamed --max-pixels, which did not help)', async () => {
    const svg = (width: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="10"><rect width="100" height="10" fill="red"/></svg>`;
    const wide = path.join(tmp, 'wide.svg');
    writeFileSync(wide, svg(40_000));
    await expectError(loadStill(wide, { maxPixels: 1e12 }), 'ERR_LIMIT', /wide\.svg: an SVG wider or taller than 32767 pixels, the most the SVG renderer draws; give it a smaller width and height$/);
    writeFileSync(wide, svg(32_767));
    expect((await loadStill(wide)).width).toBe(32_767);
  });

  it("draws an SVG's picture linked by a path beside it (read from bytes, it was left out)", async () => {
    const dir = mkdtempSync(path.join(tmp, 'linked-'));
    writeFileSync(path.join(dir, 'blue.png'), await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer());
    const svg = path.join(dir, 'linked.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="4"><rect width="8" height="4" fill="#00ff00"/><image x="4" width="4" height="4" xlink:href="blue.png"/></svg>');
    const f = await loadStill(svg);
    expect([...f.data.subarray(0, 3), ...f.data.subarray(7 * 4, 7 * 4 + 3)]).toEqual([0, 255, 0, 0, 0, 255]);
  });

  it('reads a gzipped SVG (.svgz) as the SVG it holds, also one whose text fills more than the head read (it went to ffmpeg: "Decoder (codec svg) not found")', async () => {
    const { openInput } = await import('../../src/io/open-input.js');
    // Many shapes: the file's first 64 KiB inflate to far more than the SVG test reads.
    const shapes = Array.from({ length: 20_000 }, (_, i) => `<rect x="${i % 199}" y="${(i * 7) % 199}" width="2" height="2" fill="#${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}"/>`);
    for (const body of ['<rect width="4" height="8" fill="#ff0000"/><rect x="4" width="4" height="8" fill="#0000ff"/>', shapes.join('')]) {
      const text = `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">${body}</svg>`;
      const plain = path.join(tmp, 'drawing.svg');
      const zipped = path.join(tmp, 'drawing.svgz');
      writeFileSync(plain, text);
      writeFileSync(zipped, gzipSync(text));
      const opened = await openInput(zipped);
      expect(opened.kind).toBe('still');
      for await (const frame of opened.frames) expect(Buffer.compare(frame.data, (await loadStill(plain)).data)).toBe(0);
    }
  });

  it('reads a file rewritten under the same name afresh (libvips answered an SVG from its cache: the old image, or the old error)', async () => {
    const file = path.join(tmp, 'rewritten.svg');
    for (const [width, fill, rgb] of [[3, 'red', [255, 0, 0]], [5, 'blue', [0, 0, 255]]] as const) {
      writeFileSync(file, `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="2"><rect width="${width}" height="2" fill="${fill}"/></svg>`);
      const f = await loadStill(file);
      expect([f.width, ...f.data.subarray(0, 3)]).toEqual([width, ...rgb]);
    }
  });
});

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(tmp, 'w-'));
    const out = path.join(dir, 'out.png');
    await writeFileAtomic(out, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(out, new Uint8Array([4, 5]));
    expect([...readFileSync(out)]).toEqual([4, 5]);
    expect(readdirSync(dir)).toEqual(['out.png']);
  });

  it('refuses to overwrite the input', async () => {
    const dir = mkdtempSync(path.join(tmp, 'w-'));
    const input = path.join(dir, 'in.png');
    await writeFileAtomic(input, new Uint8Array([9]));
    await expectError(writeFileAtomic(input, new Uint8Array([1]), input), 'ERR_USAGE', /in\.png: refusing to overwrite the input/);
    expect([...readFileSync(input)]).toEqual([9]);
  });

  it('reports an unwritable path as ERR_OUTPUT', async () => {
    await expectError(writeFileAtomic(path.join(tmp, 'no-dir', 'x.png'), new Uint8Array(1)), 'ERR_OUTPUT', /x\.png: .*does not exist/);
  });
});
