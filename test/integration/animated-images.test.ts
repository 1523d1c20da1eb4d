import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { GifReader } from 'omggif';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';
import { checkInput, openInput, sniffKind } from '../../src/io/open-input.js';
import { resolveInputOptions } from '../../src/options.js';
import type { TimedFrame } from '../../src/types.js';
import { corpus, repoRoot, runMain } from '../helpers/cli.js';
import { chunksOf, greyIccProfile, rewritePng, withIccChunk, type Chunk } from '../helpers/png-chunks.js';
import { loadStill } from '../../src/io/still.js';
import { binaryAlpha } from '../../src/pixel-words.js';
import { readReleasing } from '../helpers/release-reads.js';

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

/** `bytes` with `edit` applied to the data of each chunk of `type`, in order (`n` counts them). */
function editChunks(bytes: Buffer, type: string, edit: (data: Buffer, n: number) => void): Buffer {
  let n = 0;
  return rewritePng(bytes, (chunks) => chunks.map((c) => {
    if (c.type === type) edit(c.data, n++);
    return c;
  }));
}

/** A frame control chunk's delay: `numerator / denominator` seconds (a denominator of 0 means 100). */
function setDelay(fcTL: Buffer, numerator: number, denominator: number): void {
  fcTL.writeUInt16BE(numerator, 20);
  fcTL.writeUInt16BE(denominator, 22);
}

async function readAll(file: string, raw: Record<string, unknown> = {}): Promise<{ kind: string; frames: TimedFrame[]; loopCount?: number }> {
  const source = await openInput(file, resolveInputOptions(raw));
  const frames: TimedFrame[] = [];
  for await (const f of source.frames) frames.push(f);
  return { kind: source.kind, frames, loopCount: source.info.loopCount };
}

describe('an animated WebP rewritten under the same name', () => {
  it('is read afresh (libvips answered from its cache: 4 frames where 2 now are)', async () => {
    const file = path.join(work, 'rewritten.webp');
    for (const pages of [4, 2]) {
      await sharp(CARS, { pages }).webp({ lossless: true, delay: Array(pages).fill(100) }).toFile(file);
      expect((await readAll(file)).frames).toHaveLength(pages);
    }
  });
});

describe('animated PNG and WebP that turn transparent after an opaque first frame', () => {
  it('keep it in a WebM (2 frames were drawn black, with a warning)', async () => {
    // The first 4 frames of dispose2.gif: an opaque first frame, then disposal 2 clears part of the canvas.
    const source = path.join(corpus, 'odd_gifs/gifcontrols__dispose2.gif');
    const late = path.join(work, 'late.webp');
    await sharp(source, { pages: 4 }).webp({ lossless: true, delay: [100, 100, 100, 100] }).toFile(late);
    const lateApng = path.join(work, 'late.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', source, '-frames:v', '4', '-pix_fmt', 'rgba', '-f', 'apng', lateApng]);
    for (const input of [late, lateApng]) {
      const out = path.join(work, `${path.basename(input)}.webm`);
      const r = await runMain(['quantize', input, '-k', '4', '-o', out, '-q']);
      expect([r.code, r.stderr], input).toEqual([0, '']);
      const { frames } = await readAll(out);
      const clear = (f: TimedFrame) => f.data.some((v, i) => (i & 3) === 3 && v === 0);
      expect(frames.map(clear), input).toEqual([false, false, true, true]);
    }
  });

  it('an animated PNG stored as RGBA whose pixels are all opaque makes a WebM without alpha, and a GIF with no entry kept for transparency (its alpha channel alone counted)', async () => {
    const rgba = path.join(work, 'opaque-rgba.png');
    // Made here as an editor writes one (Pillow, by default): every frame the whole canvas, RGBA,
    // replacing the canvas ("source" blending), so the format alone says its alpha could clear it.
    const { width, height } = gifFrames[0];
    const pngs = await Promise.all(gifFrames.map((f) => sharp(f.data, { raw: { width, height, channels: 4 } }).png().toBuffer()));
    const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v, 0); return b; }));
    const data = (png: Buffer) => Buffer.concat(chunksOf(png).filter((c) => c.type === 'IDAT').map((c) => c.data));
    let sequence = 0;
    const frames: Chunk[] = pngs.flatMap((png, i) => [
      { type: 'fcTL', data: Buffer.concat([u32(sequence++, width, height, 0, 0), Buffer.from([0, 10, 0, 100, 0, 0])]) },
      i === 0 ? { type: 'IDAT', data: data(png) } : { type: 'fdAT', data: Buffer.concat([u32(sequence++), data(png)]) },
    ]);
    writeFileSync(rgba, rewritePng(pngs[0], (chunks) => [chunks[0], { type: 'acTL', data: u32(FRAMES, 0) }, ...frames, { type: 'IEND', data: Buffer.alloc(0) }]));
    expect((await readAll(rgba)).frames.map((f) => f.data.every((v, i) => (i & 3) !== 3 || v === 255))).toEqual([true, true, true, true]);
    expect(readFileSync(rgba)[25]).toBe(6); // IHDR colour type: RGBA
    const out = path.join(work, 'opaque-rgba.webm');
    expect((await runMain(['quantize', rgba, '-k', '4', '-o', out, '-q'])).code).toBe(0);
    const { probeVideo } = await import('../../src/io/video-probe.js');
    expect((await probeVideo(out)).alpha).toBeUndefined();
    expect((await openInput(rgba, resolveInputOptions({}))).info.mayTurnTransparent).toBeUndefined();
    // (The RGBA animation of the test above, whose later frames hold clear pixels, still keeps them.)
    // At -k 3, so that its table has a free slot for a transparent index, but no table that a
    // full one (-k 4) would get to serve later frames of the same colours.
    const gif = path.join(work, 'opaque-rgba.gif');
    expect((await runMain(['quantize', rgba, '-k', '3', '-o', gif, '-q'])).code).toBe(0);
    expect(new GifReader(readFileSync(gif)).frameInfo(0).transparent_index).toBeNull();
  });

  it("a lossless WebP frame whose header's alpha bit is clear keeps its clear pixels (a hint, by the specification; they came out black)", async () => {
    const source = path.join(corpus, 'odd_gifs/gifcontrols__dispose2.gif');
    const hinted = path.join(work, 'alpha-hint.webp');
    // Every frame the whole canvas ("do not blend", no disposal), so that its own pixels are what shows.
    await sharp(source, { pages: 4 }).webp({ lossless: true, delay: [100, 100, 100, 100] }).toFile(hinted);
    const before = (await readAll(hinted)).frames.map((f) => Buffer.from(f.data));
    const bytes = readFileSync(hinted);
    // Each VP8L header: the signature 0x2f, then 14 + 14 bits of size and the alpha bit (bit 28).
    let cleared = 0;
    for (let at = bytes.indexOf('VP8L'); at >= 0; at = bytes.indexOf('VP8L', at + 4)) {
      const bits = bytes.readUInt32LE(at + 9);
      if ((bits >>> 28) & 1) cleared++;
      bytes.writeUInt32LE((bits & ~(1 << 28)) >>> 0, at + 9);
    }
    expect(cleared).toBeGreaterThan(0);
    writeFileSync(hinted, bytes);
    const after = (await readAll(hinted)).frames;
    expect(after.map((f, i) => Buffer.compare(f.data, before[i]))).toEqual(before.map(() => 0));
    expect(before.some((f) => f.some((v, i) => (i & 3) === 3 && v === 0))).toBe(true);
  });

  it('an opaque animated WebP (whose file says "alpha", as libvips writes it) makes a WebM without alpha, the faster encoding', async () => {
    expect((await sharp(webp).metadata()).hasAlpha).toBe(true);
    const out = path.join(work, 'opaque.webm');
    expect((await runMain(['quantize', webp, '-k', '4', '-o', out, '-q'])).code).toBe(0);
    const { probeVideo } = await import('../../src/io/video-probe.js');
    expect((await probeVideo(out)).alpha).toBeUndefined();
  });
});

describe('animated PNG and WebP are read as clips', () => {
  it('tells animated from still files by their chunks', async () => {
    expect(sniffKind(await checkInput(webp))).toBe('webp');
    expect(sniffKind(await checkInput(still))).toBe('still');
    expect(sniffKind(await checkInput(apng))).toBe('apng');
    expect(sniffKind(await checkInput(path.join(corpus, 'stills/skimage__coffee.png')))).toBe('still');
  });

  it('tells an animated WebP by the animation flag of its VP8X chunk, not by the alpha flag beside it', async () => {
    // An animated WebP that says it has no alpha (an opaque one, as other encoders write it):
    // the same file with the alpha flag (0x10) cleared, the animation flag (0x02) kept.
    const opaque = Buffer.from(readFileSync(webp));
    expect(opaque.toString('latin1', 12, 16)).toBe('VP8X');
    expect(opaque[20] & 0x12).toBe(0x12);
    opaque[20] &= ~0x10;
    const noAlphaFlag = path.join(work, 'no-alpha-flag.webp');
    writeFileSync(noAlphaFlag, opaque);
    expect(sniffKind(opaque)).toBe('webp');
    expect((await readAll(noAlphaFlag)).frames).toHaveLength(FRAMES);
    // A lossy still with alpha: a VP8X chunk with the alpha flag and no animation flag.
    const translucent = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } }).webp({ quality: 80 }).toBuffer();
    expect([translucent.toString('latin1', 12, 16), translucent[20] & 0x12]).toEqual(['VP8X', 0x10]);
    expect(sniffKind(translucent)).toBe('still');
  });

  it('frames handed back are reused for later ones, the pixels the same (each frame was a new buffer, faulted in a page at a time: 31 frames of 3000x3000 took 10.5 s, 3.7 with the word-wise alpha cut)', async () => {
    for (const file of [apng, webp]) {
      const plain = await readAll(file);
      const source = await openInput(file, resolveInputOptions({}));
      const { pixels, reused } = await readReleasing(source.frames, source.release!);
      expect(pixels.map((p, i) => Buffer.compare(p, plain.frames[i].data)), file).toEqual(Array(FRAMES).fill(0));
      expect(reused, file).toBeGreaterThan(0);
    }
    // The alpha cut at half, word by word and, in a buffer not on a word boundary, byte by byte.
    const pixelsOf = (alphas: number[]) => Uint8Array.from(alphas.flatMap((a) => [10, 20, 30, a]));
    const cut = [0, 0, 0, 0, 0, 0, 0, 0, 10, 20, 30, 255, 10, 20, 30, 255, 10, 20, 30, 255];
    for (const offset of [0, 1]) {
      const buffer = new Uint8Array(offset + 20);
      const rgba = buffer.subarray(offset);
      rgba.set(pixelsOf([0, 127, 128, 254, 255]));
      binaryAlpha(rgba);
      expect([...rgba], `offset ${offset}`).toEqual(cut);
    }
  });

  it('an animated WebP gives every composited frame, its delays and its loop count', async () => {
    const { kind, frames, loopCount } = await readAll(webp);
    expect(kind).toBe('webp');
    expect(frames.map((f) => f.delayMs)).toEqual([100, 200, 300, 400]);
    // WebP counts plays, a GIF's loop block repeats after the first: 3 plays are 2 repeats.
    expect(loopCount).toBe(2);
    frames.forEach((f, i) => expect(Buffer.compare(f.data, gifFrames[i].data), `frame ${i}`).toBe(0));
  });

  it("an animated WebP's frames, each decoded on its own and drawn here, are libvips' frames: lossy with alpha, disposed, blended deltas", async () => {
    // Decoding from the first frame for every batch made time grow with the square of the
    // frame count (800 frames of 720p: 195 s and 1.3 GB, against 53 s and 0.4 GB now).
    const made = [
      ['pigs-lossy.webp', () => sharp(path.join(corpus, 'gifs/moviepy__pigs_in_a_polka.gif'), { pages: -1 }).webp({ quality: 50, alphaQuality: 50 })],
      ['iss-lossy.webp', () => sharp(path.join(corpus, 'gifs/pillow__iss634.gif'), { pages: -1 }).webp({ quality: 80, alphaQuality: 30 })],
      ['earth.webp', () => sharp(path.join(corpus, 'gifs/gifcontrols__earth-transparent.gif'), { pages: 12 }).webp({ quality: 70 })],
    ] as const;
    const files = await Promise.all(made.map(async ([name, encode]) => {
      const file = path.join(work, name);
      await encode().toFile(file);
      return file;
    }));
    // ffmpeg's encoder writes every frame after the first as a delta blended over the one before.
    const deltas = path.join(work, 'deltas.webp');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', path.join(corpus, 'videos/imageio__realshort.mp4'), '-frames:v', '12', '-c:v', 'libwebp_anim', '-q:v', '50', '-loop', '0', deltas]);
    for (const file of [...files, deltas]) {
      const { data, info } = await sharp(file, { pages: -1 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const frameBytes = info.width * info.pageHeight! * 4;
      const { kind, frames } = await readAll(file);
      expect([kind, frames.length], file).toEqual(['webp', data.length / frameBytes]);
      frames.forEach((f, i) => {
        const want = new Uint8Array(data.subarray(i * frameBytes, (i + 1) * frameBytes));
        binaryAlpha(want);
        expect(Buffer.compare(f.data, want), `${file} frame ${i}`).toBe(0);
      });
    }
  });

  it("an animated WebP's colour profile (ICCP) is applied to its frames, as to a still WebP's (each frame was read as sRGB)", async () => {
    // A still WebP in Display P3 (VP8X, ICCP, VP8L), its picture made the two frames of an animation.
    const w = 16;
    // Lossless with alpha: the VP8L picture's own header says it has alpha, and a frame's VP8X must say so too.
    const raw = Buffer.alloc(w * w * 4);
    for (let i = 0; i < w * w; i++) raw.set([(i * 7) % 256, 200, (i * 13) % 256, i % 3 === 0 ? 0 : 255], i * 4);
    const still = await sharp(raw, { raw: { width: w, height: w, channels: 4 } }).webp({ lossless: true }).withIccProfile('p3').toBuffer();
    const chunks = new Map<string, Buffer>();
    for (let at = 12; at + 8 <= still.length; ) {
      const size = still.readUInt32LE(at + 4);
      const end = at + 8 + size + (size & 1);
      chunks.set(still.toString('latin1', at, at + 4), still.subarray(at, end));
      at = end;
    }
    const chunk = (type: string, data: Buffer): Buffer => {
      const head = Buffer.alloc(8);
      head.write(type, 0, 'latin1');
      head.writeUInt32LE(data.length, 4);
      return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
    };
    const frame = (): Buffer => {
      const head = Buffer.alloc(16);
      head.writeUIntLE(w - 1, 6, 3);
      head.writeUIntLE(w - 1, 9, 3);
      head.writeUIntLE(100, 12, 3);
      return chunk('ANMF', Buffer.concat([head, chunks.get('VP8L')!]));
    };
    const vp8x = Buffer.alloc(10);
    vp8x[0] = 0x32; // animation, alpha, ICC profile
    vp8x.writeUIntLE(w - 1, 4, 3);
    vp8x.writeUIntLE(w - 1, 7, 3);
    const body = Buffer.concat([Buffer.from('WEBP'), chunk('VP8X', vp8x), chunks.get('ICCP')!, chunk('ANIM', Buffer.alloc(6)), frame(), frame()]);
    const file = path.join(work, 'p3.webp');
    writeFileSync(file, Buffer.concat([Buffer.from('RIFF'), Buffer.from(new Uint32Array([body.length]).buffer), body]));
    const want = await sharp(still).ensureAlpha().raw().toBuffer();
    binaryAlpha(want);
    expect(want.subarray(4, 8)).not.toEqual(Buffer.from([7, 200, 13, 255])); // the profile changes the pixels
    const { frames } = await readAll(file);
    expect(frames).toHaveLength(2);
    frames.forEach((f, i) => expect(Buffer.compare(f.data, want), `frame ${i}`).toBe(0));
  });

  it('an animated WebP takes --start, --fps and --width like a GIF', async () => {
    // From 0.25 s at 10 fps: the rest of frame 1 (to 0.3 s), frame 2 (0.3-0.6 s), frame 3 (0.6-1.0 s).
    const { frames } = await readAll(webp, { start: '0.25', fps: 10, width: 100 });
    expect(frames).toHaveLength(8);
    expect(frames[0].width).toBe(100);
    expect(frames.reduce((t, f) => t + f.delayMs, 0)).toBe(750);
  });

  it('an animated PNG is read, every frame', async () => {
    const { kind, frames } = await readAll(apng);
    expect(kind).toBe('apng');
    expect(frames).toHaveLength(FRAMES);
    // ffmpeg's APNG encoder keeps the GIF's colours (at most 256 a frame) exactly.
    frames.forEach((f, i) => expect(Buffer.compare(f.data, gifFrames[i].data), `frame ${i}`).toBe(0));
  });

  it('an animated PNG with a large chunk before its animation chunk is still a clip', async () => {
    // ffmpeg guesses the format from the first 2 KB (3,000 bytes of text push acTL past
    // them), and the format sniff reads the first 64 KiB (70,000 bytes push it past those).
    for (const textBytes of [3000, 70_000]) {
      const text = Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(textBytes, 'x')]);
      const padded = path.join(work, `padded-${textBytes}.png`);
      writeFileSync(padded, rewritePng(readFileSync(apng), (chunks) => [chunks[0], { type: 'tEXt', data: text }, ...chunks.slice(1)]));
      expect(await sharp(padded).metadata()).toMatchObject({ width: 400, height: 300 }); // still a valid PNG
      const { kind, frames } = await readAll(padded);
      expect(kind).toBe('apng');
      expect(frames).toHaveLength(FRAMES);
    }
  });

  it('an animated WebP cut short keeps its complete frames, and says so', async () => {
    // libvips refuses a WebP whose RIFF header promises more bytes than there are, outright.
    const bytes = readFileSync(webp);
    const frameStarts: number[] = [];
    for (let at = 12; at + 8 <= bytes.length; at += 8 + bytes.readUInt32LE(at + 4) + (bytes.readUInt32LE(at + 4) & 1)) {
      if (bytes.toString('latin1', at, at + 4) === 'ANMF') frameStarts.push(at);
    }
    expect(frameStarts).toHaveLength(FRAMES);
    const cut = path.join(work, 'cut.webp');
    writeFileSync(cut, bytes.subarray(0, frameStarts[2] + 500));
    const source = await openInput(cut, resolveInputOptions({}));
    const frames: TimedFrame[] = [];
    for await (const f of source.frames) frames.push(f);
    expect(frames.map((f) => f.delayMs)).toEqual([100, 200]);
    frames.forEach((f, i) => expect(Buffer.compare(f.data, gifFrames[i].data), `frame ${i}`).toBe(0));
    expect(source.warnings).toEqual([`${cut}: the animated WebP is ${bytes.length - frameStarts[2] - 500} bytes shorter than its header says (cut short?); reading the 2 frames that are whole`]);

    writeFileSync(cut, bytes.subarray(0, frameStarts[0] + 500));
    const r = await runMain(['quantize', cut, '-o', path.join(work, 'cut.gif')]);
    expect(r).toMatchObject({ code: 1, stderr: `chromaseed: ${cut}: the animated WebP is cut short before its first frame\n` });

    // A frame chunk whose length is 100 bytes too long: the frames after it were said to be
    // "not found in the file", which they are.
    const long = Buffer.from(bytes);
    long.writeUInt32LE(long.readUInt32LE(frameStarts[1] + 4) + 100, frameStarts[1] + 4);
    const misled = path.join(work, 'long-frame-chunk.webp');
    writeFileSync(misled, long);
    const m = await runMain(['quantize', misled, '-o', path.join(work, 'misled.gif')]);
    expect(m).toMatchObject({ code: 1, stderr: `chromaseed: ${misled}: damaged: ${FRAMES - 2} of its ${FRAMES} frames could not be reached from the one before (a frame chunk's length is wrong)\n` });
  });

  it('an animated PNG keeps its own delays and play count', async () => {
    // ffmpeg reads an APNG's timestamps at one constant rate: these delays came out as ten 100 ms frames.
    const delays: [number, number][] = [[1, 10], [2, 10], [3, 0], [400, 1000]]; // a denominator of 0 means 100
    const timed = path.join(work, 'timed.png');
    const withDelays = editChunks(readFileSync(apng), 'fcTL', (fcTL, f) => setDelay(fcTL, ...delays[f]));
    writeFileSync(timed, editChunks(withDelays, 'acTL', (acTL) => acTL.writeUInt32BE(3, 4))); // 3 plays
    const { frames, loopCount } = await readAll(timed);
    expect(frames.map((fr) => fr.delayMs)).toEqual([100, 200, 30, 400]);
    expect(loopCount).toBe(2);
    frames.forEach((fr, i) => expect(Buffer.compare(fr.data, gifFrames[i].data), `frame ${i}`).toBe(0));
    // --start and --fps by playback time, as for a GIF: 0.25 s to the end (0.73 s) in 50 ms
    // steps, the last cut to 30 ms.
    const part = await readAll(timed, { start: '0.25', fps: 20 });
    expect(part.frames.map((fr) => fr.delayMs)).toEqual([...Array(9).fill(50), 30]);

    const out = path.join(work, 'timed.gif');
    expect((await runMain(['quantize', timed, '-k', '8', '-o', out, '--quiet'])).code).toBe(0);
    const back = decodeGif(new Uint8Array(readFileSync(out)), out);
    expect(back.delaysMs).toEqual([100, 200, 30, 400]);
    expect(back.info.loopCount).toBe(2);
    // An APNG counts plays in 32 bits, a GIF in 16: 70,000 plays become the most a GIF holds
    // (the encoder refused the loop count, naming an option nobody gave).
    const many = path.join(work, 'many-plays.png');
    writeFileSync(many, editChunks(readFileSync(apng), 'acTL', (acTL) => acTL.writeUInt32BE(70_000, 4)));
    const manyOut = path.join(work, 'many-plays.gif');
    expect(await runMain(['quantize', many, '-k', '8', '-o', manyOut, '--quiet'])).toMatchObject({ code: 0, stderr: '' });
    expect(decodeGif(new Uint8Array(readFileSync(manyOut)), manyOut).info.loopCount).toBe(65_535);
  });

  it('an animated PNG whose first image is not part of the animation leaves it out', async () => {
    // Image data before any frame control chunk is a default image for viewers without APNG
    // support: here a plain grey picture, in front of the four frames (whose own first
    // image data becomes frame data, fdAT, numbered with the rest).
    const rgba = path.join(work, 'rgba.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', String(FRAMES), '-plays', '0', '-pix_fmt', 'rgba', '-f', 'apng', rgba]);
    const grey = await sharp({ create: { width: 400, height: 300, channels: 4, background: '#808080' } }).png().toBuffer();
    const greyData = chunksOf(grey).filter((c) => c.type === 'IDAT');
    const hidden = path.join(work, 'hidden.png');
    writeFileSync(hidden, rewritePng(readFileSync(rgba), (chunks) => {
      const out: Chunk[] = [];
      let sequence = 0;
      for (const c of chunks) {
        if (c.type === 'fcTL' && sequence === 0) out.push(...greyData);
        if (c.type === 'fcTL' || c.type === 'fdAT') c.data.writeUInt32BE(sequence++, 0);
        if (c.type === 'IDAT') {
          const seq = Buffer.alloc(4);
          seq.writeUInt32BE(sequence++, 0);
          out.push({ type: 'fdAT', data: Buffer.concat([seq, c.data]) });
        } else out.push(c);
      }
      return out;
    }));
    expect(await sharp(hidden).raw().toBuffer()).toEqual(await sharp(grey).raw().toBuffer()); // what a still reader shows
    const { frames } = await readAll(hidden);
    expect(frames).toHaveLength(FRAMES);
    frames.forEach((fr, i) => expect(Buffer.compare(fr.data, gifFrames[i].data), `frame ${i}`).toBe(0));
  });

  it('an animated PNG is decoded and composited here: every sample format, interlaced or not, each frame as the still reader reads the same picture, both disposals', async () => {
    // Pictures of a real photo encoded by sharp (libspng filters each scanline adaptively):
    // A the canvas, B drawn at (9, 7), C one pixel at (0, 0). Frames: A; B disposed to the
    // previous canvas; C; B disposed to the background; C. So the frames show A, A with B,
    // A again (with C), A with B, and A with a clear hole where B was.
    const photo = sharp(path.join(corpus, 'stills/skimage__chelsea.png'));
    const formats: Record<string, (s: Sharp) => Sharp> = {
      'RGB 8-bit': (s) => s.png(),
      'RGBA 8-bit': (s) => s.ensureAlpha(0.75).png(),
      'grey 8-bit': (s) => s.toColourspace('b-w').png(),
      'RGB 16-bit': (s) => s.toColourspace('rgb16').png(),
      'RGB interlaced': (s) => s.png({ progressive: true }),
      'RGBA 16-bit interlaced': (s) => s.ensureAlpha(0.75).toColourspace('rgb16').png({ progressive: true }),
    };
    for (const [name, encode] of Object.entries(formats)) {
      const encoded = async (rect: { left: number; top: number; width: number; height: number }, size: [number, number]) => encode(photo.clone().extract(rect).resize(...size, { fit: 'fill' })).toBuffer();
      const a = await encoded({ left: 0, top: 0, width: 451, height: 300 }, [48, 32]);
      const b = await encoded({ left: 150, top: 60, width: 200, height: 120 }, [20, 12]);
      const c = await encoded({ left: 0, top: 0, width: 9, height: 6 }, [1, 1]);
      const head = (png: Buffer) => chunksOf(png).find((ch) => ch.type === 'IHDR')!.data.subarray(8, 13).toString('hex');
      expect([head(b), head(c)], name).toEqual([head(a), head(a)]);
      const data = (png: Buffer) => Buffer.concat(chunksOf(png).filter((ch) => ch.type === 'IDAT').map((ch) => ch.data));
      let sequence = 0;
      const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const x = Buffer.alloc(4); x.writeUInt32BE(v, 0); return x; }));
      const frame = (png: Buffer, w: number, h: number, x: number, y: number, dispose: number, type: 'IDAT' | 'fdAT' = 'fdAT'): Chunk[] => [
        { type: 'fcTL', data: Buffer.concat([u32(sequence++, w, h, x, y), Buffer.from([0, 10, 0, 100, dispose, 0])]) },
        { type, data: type === 'IDAT' ? data(png) : Buffer.concat([u32(sequence++), data(png)]) },
      ];
      const file = path.join(work, `formats-${name.replace(/ /g, '-')}.png`);
      writeFileSync(file, rewritePng(a, (chunks) => [chunks[0], { type: 'acTL', data: u32(5, 0) }, ...frame(a, 48, 32, 0, 0, 0, 'IDAT'), ...frame(b, 20, 12, 9, 7, 2), ...frame(c, 1, 1, 0, 0, 0), ...frame(b, 20, 12, 9, 7, 1), ...frame(c, 1, 1, 0, 0, 0), { type: 'IEND', data: Buffer.alloc(0) }]));

      // What the still reader makes of each picture as a PNG of its own.
      const still = async (png: Buffer) => {
        const file = path.join(work, 'picture.png');
        writeFileSync(file, png);
        return Buffer.from((await loadStill(file)).data);
      };
      const aPixels = await still(a);
      const withB = Buffer.from(aPixels);
      const hole = Buffer.from(aPixels);
      const bPixels = await still(b);
      for (let y = 0; y < 12; y++) {
        bPixels.copy(withB, ((7 + y) * 48 + 9) * 4, y * 20 * 4, (y + 1) * 20 * 4);
        hole.fill(0, ((7 + y) * 48 + 9) * 4, ((7 + y) * 48 + 29) * 4);
      }
      // C's pixel stays at (0, 0) from frame 2 on.
      const withC = (px: Buffer) => Buffer.concat([cPixel, px.subarray(4)]);
      const cPixel = await still(c);
      const expected = [aPixels, withB, withC(aPixels), withC(withB), withC(hole)].map((px) => { const copy = new Uint8Array(px); binaryAlpha(copy); return copy; });
      const { frames } = await readAll(file);
      expect(frames.length, name).toBe(5);
      frames.forEach((fr, i) => expect(Buffer.compare(fr.data, expected[i]), `${name}, frame ${i}`).toBe(0));
    }
  });

  it('palette pictures of 1, 2, 4 and 8 bits, with a transparent entry, plain and interlaced, read as the still reader reads them', async () => {
    // sharp (libspng) writes each as a still; the same file with an animation and a frame
    // control chunk before its image data is a one-frame animated PNG.
    const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v, 0); return b; }));
    const source = sharp(path.join(corpus, 'stills/skimage__chelsea.png')).resize(37, 23, { fit: 'fill' }).ensureAlpha().composite([{ input: Buffer.alloc(5 * 5 * 4, 255), raw: { width: 5, height: 5, channels: 4 }, left: 3, top: 2, blend: 'dest-out' }]);
    for (const bitdepth of [1, 2, 4, 8] as const) {
      for (const progressive of [false, true]) {
        const png = await source.clone().png({ palette: true, colours: 2 ** bitdepth, progressive, dither: 0 }).toBuffer();
        const header = chunksOf(png).find((c) => c.type === 'IHDR')!.data;
        expect([header[8], header[9], header[12], chunksOf(png).some((c) => c.type === 'tRNS')], `${bitdepth} bits`).toEqual([bitdepth, 3, progressive ? 1 : 0, true]);
        const still = path.join(work, `palette-${bitdepth}-${progressive}.png`);
        const animated = path.join(work, `palette-${bitdepth}-${progressive}-animated.png`);
        writeFileSync(still, png);
        writeFileSync(animated, rewritePng(png, (chunks) => chunks.flatMap((c) => (c.type === 'IDAT' && c === chunks.find((d) => d.type === 'IDAT') ? [{ type: 'acTL', data: u32(1, 0) }, { type: 'fcTL', data: Buffer.concat([u32(0, 37, 23, 0, 0), Buffer.from([0, 10, 0, 100, 0, 0])]) }, c] : [c]))));
        const { frames } = await readAll(animated);
        expect(Buffer.compare(frames[0].data, (await loadStill(still)).data), `${bitdepth} bits, ${progressive ? 'interlaced' : 'plain'}`).toBe(0);
      }
    }
  });

  it('an animated PNG of 16-bit samples rounds them to 8 bits as the still reader does, every value (its high byte alone was a level under for a quarter of them)', async () => {
    const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v, 0); return b; }));
    // 256x256 grey, 16 bits: every value once, rows unfiltered.
    const rows = Buffer.alloc(256 * (1 + 512));
    for (let v = 0; v < 65536; v++) rows.writeUInt16BE(v, (v >> 8) * 513 + 1 + (v & 255) * 2);
    const ihdr: Chunk = { type: 'IHDR', data: Buffer.concat([u32(256, 256), Buffer.from([16, 0, 0, 0, 0])]) };
    const idat: Chunk = { type: 'IDAT', data: deflateSync(rows) };
    const iend: Chunk = { type: 'IEND', data: Buffer.alloc(0) };
    const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const animated = path.join(work, 'grey16-all.png');
    const still16 = path.join(work, 'grey16-all-still.png');
    writeFileSync(animated, rewritePng(signature, () => [ihdr, { type: 'acTL', data: u32(1, 0) }, { type: 'fcTL', data: Buffer.concat([u32(0, 256, 256, 0, 0), Buffer.from([0, 10, 0, 100, 0, 0])]) }, idat, iend]));
    writeFileSync(still16, rewritePng(signature, () => [ihdr, idat, iend]));
    const { frames } = await readAll(animated);
    expect(Buffer.compare(frames[0].data, (await loadStill(still16)).data)).toBe(0);
  });

  it('animated PNG frames that ffmpeg composited wrongly or could not decode are read right (4-bit palette frames at an offset came out red for green)', async () => {
    const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v, 0); return b; }));
    const chunk = (type: string, ...parts: Buffer[]): Chunk => ({ type, data: Buffer.concat(parts) });
    const ihdr = (depth: number, type: number) => chunk('IHDR', u32(40, 30), Buffer.from([depth, type, 0, 0, 0]));
    // 0.1 s each, dispose none, blend source (or over).
    const fctl = (sequence: number, w: number, h: number, x: number, y: number, blend = 0) => chunk('fcTL', u32(sequence, w, h, x, y), Buffer.from([0, 10, 0, 100, 0, blend]));
    /** Unfiltered rows of `w` pixels of `bytesPerPixel` (a fraction for packed ones), all `bytes` repeated. */
    const pixels = (w: number, h: number, bytesPerPixel: number, ...bytes: number[]) => deflateSync(Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: Math.ceil(w * bytesPerPixel) }, (_, i) => bytes[i % bytes.length]))]))));
    const apng = (name: string, chunks: Chunk[]) => {
      const file = path.join(work, name);
      writeFileSync(file, rewritePng(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), () => [...chunks, chunk('IEND')]));
      return file;
    };
    const at = (frame: TimedFrame, x: number, y: number) => [...frame.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4)];
    // 4-bit palette: entry 0 red, 1 green; the second frame green, 10x10 at (5, 5).
    const part = apng('p4-part.png', [ihdr(4, 3), chunk('PLTE', Buffer.from([255, 0, 0, 0, 255, 0])), chunk('acTL', u32(2, 0)), fctl(0, 40, 30, 0, 0), chunk('IDAT', pixels(40, 30, 0.5, 0x00)), fctl(1, 10, 10, 5, 5), chunk('fdAT', u32(2), pixels(10, 10, 0.5, 0x11))]);
    let { frames } = await readAll(part);
    expect(frames.map((f) => [at(f, 4, 4), at(f, 5, 5), at(f, 14, 14), at(f, 15, 15)])).toEqual([
      [[255, 0, 0, 255], [255, 0, 0, 255], [255, 0, 0, 255], [255, 0, 0, 255]],
      [[255, 0, 0, 255], [0, 255, 0, 255], [0, 255, 0, 255], [255, 0, 0, 255]],
    ]);
    // 1-bit grey (was refused as "cut short or damaged"): black, then white columns 0, 2, 4... of a 9x3 frame at (1, 2).
    const grey1 = apng('g1-part.png', [ihdr(1, 0), chunk('acTL', u32(2, 0)), fctl(0, 40, 30, 0, 0), chunk('IDAT', pixels(40, 30, 1 / 8, 0x00)), fctl(1, 9, 3, 1, 2), chunk('fdAT', u32(2), pixels(9, 3, 1 / 8, 0xaa))]);
    ({ frames } = await readAll(grey1));
    expect([at(frames[1], 1, 2), at(frames[1], 2, 2), at(frames[1], 9, 4), at(frames[1], 10, 4), at(frames[1], 1, 5)]).toEqual([[255, 255, 255, 255], [0, 0, 0, 255], [255, 255, 255, 255], [0, 0, 0, 255], [0, 0, 0, 255]]);
    // An image outside the animation, then a first frame smaller than the canvas (ffmpeg's "Not yet implemented"): clear around it.
    const hidden = apng('hidden-part.png', [ihdr(8, 6), chunk('acTL', u32(1, 0)), chunk('IDAT', pixels(40, 30, 4, 0x80)), fctl(0, 20, 10, 4, 4), chunk('fdAT', u32(1), pixels(20, 10, 4, 0xff))]);
    ({ frames } = await readAll(hidden));
    expect(frames.map((f) => [at(f, 3, 3), at(f, 4, 4), at(f, 23, 13), at(f, 24, 14)])).toEqual([[[0, 0, 0, 0], [255, 255, 255, 255], [255, 255, 255, 255], [0, 0, 0, 0]]]);
    const r = await runMain(['quantize', hidden, '-k', '4', '-o', path.join(work, 'hidden.gif'), '--quiet']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // Blended over: half-clear blue over opaque (200, 100, 0) is (100, 50, 128), drawn opaque. (ffmpeg gave up to 2 levels off.)
    const over = apng('over.png', [ihdr(8, 6), chunk('acTL', u32(2, 0)), fctl(0, 40, 30, 0, 0), chunk('IDAT', pixels(40, 30, 4, 200, 100, 0, 255)), fctl(1, 40, 30, 0, 0, 1), chunk('fdAT', u32(2), pixels(40, 30, 4, 0, 0, 255, 128))]);
    ({ frames } = await readAll(over));
    expect(at(frames[1], 7, 7)).toEqual([100, 50, 128, 255]);
  });

  it('a whole PNG with an animation control chunk but no frame is the still it shows (it was refused as "cut short")', async () => {
    // What an editor may leave when it flattens an animation: the acTL chunk, then plain image data.
    const flat = path.join(work, 'flat.png');
    const grey = await sharp({ create: { width: 20, height: 10, channels: 4, background: '#208040' } }).png().toBuffer();
    for (const declared of [1, 0]) {
      const acTL = Buffer.alloc(8);
      acTL.writeUInt32BE(declared, 0);
      writeFileSync(flat, rewritePng(grey, (chunks) => [chunks[0], { type: 'acTL', data: acTL }, ...chunks.slice(1)]));
      const { kind, frames } = await readAll(flat);
      expect([declared, kind, frames.length]).toEqual([declared, 'still', 1]);
      expect(Buffer.compare(frames[0].data, await sharp(grey).raw().toBuffer())).toBe(0);
    }
    const r = await runMain(['palette', flat, '-k', '1', '--json']);
    expect([r.code, JSON.parse(r.stdout).colors[0].hex]).toEqual([0, '#208040']);
  });

  it("an animated PNG's colour profile converts its frames to sRGB, as a still PNG's does (ffmpeg left them as stored)", async () => {
    // libvips' own Display P3 profile, as sharp embeds it.
    const { icc: p3 } = await sharp(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).withIccProfile('p3').png().toBuffer()).metadata();
    const tagged = path.join(work, 'p3.png');
    writeFileSync(tagged, withIccChunk(readFileSync(apng), p3!));
    const { frames } = await readAll(tagged);
    expect(frames).toHaveLength(FRAMES);
    for (const [i, frame] of frames.entries()) {
      // The same pixels as a still PNG with the same profile.
      const still = path.join(work, `p3-still-${i}.png`);
      writeFileSync(still, withIccChunk(await sharp(gifFrames[i].data, { raw: { width: 400, height: 300, channels: 4 } }).png().toBuffer(), p3!));
      expect(Buffer.compare(frame.data, (await loadStill(still)).data), `frame ${i}`).toBe(0);
      expect(Buffer.compare(frame.data, gifFrames[i].data), `frame ${i} converted`).not.toBe(0);
    }
    // An sRGB profile, which changes nothing, is not applied frame by frame (30 to 45% of a run).
    const { icc: srgb } = await sharp(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).withIccProfile('srgb').png().toBuffer()).metadata();
    writeFileSync(tagged, withIccChunk(readFileSync(apng), srgb!));
    (await readAll(tagged)).frames.forEach((frame, i) => expect(Buffer.compare(frame.data, gifFrames[i].data), `frame ${i}`).toBe(0));

    // A grey file with a grey profile (linear light): its frames were wrapped as RGBA, where
    // sharp ignored the profile, and came out as stored (a QA check against lcms).
    const greyApng = path.join(work, 'grey-linear.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', '2', '-pix_fmt', 'gray', '-plays', '0', '-f', 'apng', greyApng]);
    const stored = (await readAll(greyApng)).frames[0].data.filter((_, i) => i % 4 === 0);
    writeFileSync(greyApng, withIccChunk(readFileSync(greyApng), greyIccProfile(1)));
    const converted = (await readAll(greyApng)).frames[0].data;
    const greyStill = path.join(work, 'grey-linear-still.png');
    writeFileSync(greyStill, withIccChunk(await sharp(stored, { raw: { width: 400, height: 300, channels: 1 } }).toColourspace('b-w').png().toBuffer(), greyIccProfile(1)));
    expect(Buffer.compare(converted, (await loadStill(greyStill)).data)).toBe(0);
    expect(converted.filter((_, i) => i % 4 === 0)).not.toEqual(stored);
  });

  it('an animated PNG cut short keeps the frames before the cut, and says so', async () => {
    const bytes = readFileSync(apng);
    const fcTL: number[] = [];
    for (let at = 8; at < bytes.length; at += 12 + bytes.readUInt32BE(at)) if (bytes.toString('latin1', at + 4, at + 8) === 'fcTL') fcTL.push(at);
    const cut = path.join(work, 'cut.png');
    // Inside the third frame's data, and between the second frame and the third's chunks:
    // two whole frames either way. The second cut was silent (the chunks there were whole).
    for (const end of [fcTL[2] + 100, fcTL[2]]) {
      writeFileSync(cut, bytes.subarray(0, end));
      const source = await openInput(cut, resolveInputOptions({}));
      const frames: TimedFrame[] = [];
      for await (const fr of source.frames) frames.push(fr);
      expect(frames).toHaveLength(2);
      expect(source.warnings).toEqual([`${cut}: the animated PNG is cut short or damaged; keeping its first 2 of 4 frames`]);
    }

    writeFileSync(cut, bytes.subarray(0, fcTL[1] - 1000));
    const r = await runMain(['quantize', cut, '-o', path.join(work, 'cut.gif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`chromaseed: ${cut}: the animated PNG is cut short in its first frame\n`);
  });

  it('a frame that cannot be decoded ends the animation there, as the APNG specification and Chrome have it (the frames after were drawn without it)', async () => {
    // Frame 2 with a blend operation that does not exist (7). It was skipped, and the frames
    // after drawn on a canvas that lacked it, frame 1 shown through frame 2's time.
    const delays = [100, 200, 300, 400];
    const bad = path.join(work, 'bad-blend.png');
    writeFileSync(bad, editChunks(readFileSync(apng), 'fcTL', (fcTL, f) => {
      setDelay(fcTL, delays[f], 1000);
      if (f === 2) fcTL[25] = 7;
    }));
    const source = await openInput(bad, resolveInputOptions({}));
    const frames: TimedFrame[] = [];
    for await (const fr of source.frames) frames.push(fr);
    expect(frames.map((fr) => fr.delayMs)).toEqual([100, 200]);
    expect(source.warnings).toEqual([`${bad}: frame 2 cannot be decoded (its blending, 7, is not one the format has); keeping the 2 frames before it, of 4`]);
  });

  it('an animated PNG whose first frame is damaged is refused (it kept a later frame that decodes, drawn without the ones before)', async () => {
    let fcTL = -1;
    const bad = path.join(work, 'three-bad.png');
    writeFileSync(bad, rewritePng(readFileSync(apng), (chunks) => chunks.map((c) => {
      if (c.type === 'fcTL') fcTL++;
      if ((c.type === 'IDAT' || c.type === 'fdAT') && fcTL < 3) c.data.fill(0xff, 10, 40); // inside the compressed data
      return c;
    })));
    const r = await runMain(['quantize', bad, '-k', '4', '-o', path.join(work, 'three-bad.gif')]);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: ${bad}: cannot decode the animated PNG's first frame: its compressed data is damaged: invalid code lengths set\n`]);
  });

  it('a long animated PNG keeps every frame\'s delay exact (ffmpeg\'s printed times, used before, lost precision past 10 s)', async () => {
    // 14 s at 30 fps (420 frames), frame 400's data damaged: showinfo printed times to six
    // digits, too coarse to place 1/30 s frames past 10 s.
    const long = path.join(work, 'long.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=32x24:r=30:d=14', '-plays', '0', '-f', 'apng', long]);
    let fcTL = -1;
    writeFileSync(long, rewritePng(readFileSync(long), (chunks) => chunks.map((c) => {
      if (c.type === 'fcTL') fcTL++;
      if (c.type === 'fdAT' && fcTL === 400) c.data.fill(0xff, 10, 40); // inside its compressed data
      return c;
    })));
    const source = await openInput(long, resolveInputOptions({}));
    const delays: number[] = [];
    for await (const fr of source.frames) delays.push(fr.delayMs);
    expect(delays).toHaveLength(400);
    expect(delays.every((d) => Math.abs(d - 1000 / 30) < 1e-6)).toBe(true);
    expect(source.warnings).toEqual([`${long}: frame 400 cannot be decoded (its compressed data is damaged: invalid code lengths set); keeping the 400 frames before it, of 420`]);
  });

  it("an animated PNG's chunks that do not match their checksums, or come out of order, end the animation before them (they were read as they were: a delay of 2860 ms for 300, a frame moved)", async () => {
    const bytes = readFileSync(apng);
    const chunkAt = (type: string, n: number): number => {
      let seen = 0;
      for (let at = 8; at < bytes.length; at += 12 + bytes.readUInt32BE(at)) if (bytes.toString('latin1', at + 4, at + 8) === type && seen++ === n) return at;
      throw new Error(`no ${type} ${n}`);
    };
    /** The file with one bit of the data of the chunk at `at` flipped, its checksum left as it was. */
    const flipped = (at: number, offset: number): string => {
      const copy = Buffer.from(bytes);
      copy[at + 8 + offset] ^= 1;
      const file = path.join(work, `flipped-${at}.png`);
      writeFileSync(file, copy);
      return file;
    };
    const read = async (file: string): Promise<[number, readonly string[] | undefined]> => {
      const source = await openInput(file, resolveInputOptions({}));
      let n = 0;
      for await (const _ of source.frames) n++;
      return [n, source.warnings];
    };
    // Frame 2's control chunk (its delay's low byte), and its data.
    const control = flipped(chunkAt('fcTL', 2), 21);
    expect(await read(control)).toEqual([2, [`${control}: the animated PNG is damaged (its fcTL chunk at byte ${chunkAt('fcTL', 2)} does not match its checksum); keeping its first 2 of 4 frames`]]);
    const fdat = chunkAt('fcTL', 2) + 12 + bytes.readUInt32BE(chunkAt('fcTL', 2)); // the chunk after it
    expect(bytes.toString('latin1', fdat + 4, fdat + 8)).toBe('fdAT');
    const data = flipped(fdat, 20);
    expect(await read(data)).toEqual([2, [`${data}: frame 2 cannot be decoded (its fdAT chunk at byte ${fdat} does not match its checksum); keeping the 2 frames before it, of 4`]]);
    // Before the first frame: the animation control chunk (its number of plays).
    const animation = flipped(chunkAt('acTL', 0), 7);
    await expect(openInput(animation, resolveInputOptions({}))).rejects.toThrow(`${animation}: the animated PNG is damaged before its first frame: its acTL chunk at byte ${chunkAt('acTL', 0)} does not match its checksum`);
    // Frame 2's control chunk numbered as frame 3's would be (a chunk missing before it).
    const renumbered = path.join(work, 'renumbered.png');
    let expected = -1;
    writeFileSync(renumbered, editChunks(bytes, 'fcTL', (fcTL, f) => {
      if (f === 2) {
        expected = fcTL.readUInt32BE(0);
        fcTL.writeUInt32BE(expected + 1, 0);
      }
    }));
    expect(await read(renumbered)).toEqual([2, [`${renumbered}: the animated PNG is damaged (its fcTL chunk at byte ${chunkAt('fcTL', 2)} is numbered ${expected + 1} where ${expected} comes next: chunks are missing, repeated or out of order); keeping its first 2 of 4 frames`]]);
    // A damaged colour profile is left out, as libpng leaves out a damaged ancillary chunk
    // (the whole file was refused), and the frames are read as without one.
    const { icc: p3 } = await sharp(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).withIccProfile('p3').png().toBuffer()).metadata();
    const tagged = Buffer.from(withIccChunk(bytes, p3!));
    const iccp = tagged.indexOf('iCCP') - 4;
    tagged[iccp + 20] ^= 1;
    const badProfile = path.join(work, 'bad-profile.png');
    writeFileSync(badProfile, tagged);
    const source = await openInput(badProfile, resolveInputOptions({}));
    const frames: TimedFrame[] = [];
    for await (const fr of source.frames) frames.push(fr);
    expect(source.warnings).toEqual([`${badProfile}: its iCCP chunk at byte ${iccp} does not match its checksum: left out`]);
    expect(frames.map((fr, i) => Buffer.compare(fr.data, gifFrames[i].data))).toEqual([0, 0, 0, 0]);
    // A first frame whose data is the image data (IDAT) must fill the image: Chrome refuses one that does not.
    const small = path.join(work, 'small-first.png');
    writeFileSync(small, editChunks(bytes, 'fcTL', (fcTL, f) => {
      if (f === 0) fcTL.writeUInt32BE(10, 4);
    }));
    await expect(openInput(small, resolveInputOptions({}))).rejects.toThrow(`${small}: cannot decode the animated PNG's first frame: its control chunk gives it a 10x300 rectangle at 0,0, but its data is the image data (IDAT), whose frame must fill the 400x300 image`);
  });

  it('an animated PNG with a damaged animation control chunk says so (it said the file had none); a miscounted one, or one with a second header, is read as the first header says', async () => {
    const short = path.join(work, 'short-actl.png');
    writeFileSync(short, rewritePng(readFileSync(apng), (chunks) => chunks.map((c) => (c.type === 'acTL' ? { type: 'acTL', data: c.data.subarray(0, 4) } : c))));
    await expect(openInput(short, resolveInputOptions({}))).rejects.toThrow(`${short}: is not a readable animated PNG: its animation control chunk (acTL) is damaged: 4 bytes long, not 8`);
    // Its length made 0xFFFFFFFF: the chunks cannot be followed past it.
    const bytes = Buffer.from(readFileSync(apng));
    bytes.writeUInt32BE(0xffffffff, bytes.indexOf('acTL') - 4);
    const runaway = path.join(work, 'runaway-actl.png');
    writeFileSync(runaway, bytes);
    await expect(openInput(runaway, resolveInputOptions({}))).rejects.toThrow(`${runaway}: is not a readable animated PNG: it is cut short or damaged before its animation control chunk (acTL)`);
    // One that counts its frames wrong is read, with a warning ("says 1 frames" before).
    const miscounted = path.join(work, 'miscounted.png');
    writeFileSync(miscounted, editChunks(readFileSync(apng), 'acTL', (acTL) => acTL.writeUInt32BE(1, 0)));
    const source = await openInput(miscounted, resolveInputOptions({}));
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBe(FRAMES);
    expect(source.warnings).toEqual([`${miscounted}: the animated PNG's header says 1 frame, but ${FRAMES} are there`]);
    // A second image header, of twice the size: the first stands (the second made a canvas
    // of twice the size, the frames in its corner).
    const doubled = path.join(work, 'second-header.png');
    writeFileSync(doubled, rewritePng(readFileSync(apng), (chunks) => chunks.flatMap((c) => {
      if (c.type !== 'IHDR') return [c];
      const twice = Buffer.from(c.data);
      twice.writeUInt32BE(2 * c.data.readUInt32BE(0), 0);
      twice.writeUInt32BE(2 * c.data.readUInt32BE(4), 4);
      return [c, { type: 'IHDR', data: twice }];
    })));
    const read = await readAll(doubled);
    expect(read.frames.map((f) => `${f.width}x${f.height}`)).toEqual(Array(FRAMES).fill('400x300'));
  });

  it('an animated PNG faster than a GIF can play: frames under 2 cs give their time to the one before, and that is said', async () => {
    // Frames of 1/60 s: written one to one, GIF delays alternated 1 and 2 cs, and browsers
    // play 1 cs as 10.
    const fast = path.join(work, 'fast.png');
    writeFileSync(fast, editChunks(readFileSync(apng), 'fcTL', (fcTL) => setDelay(fcTL, 1, 60)));
    const out = path.join(work, 'fast.gif');
    const run = await runMain(['quantize', fast, '-k', '8', '-o', out]);
    expect(run.code).toBe(0);
    // 4 frames of 16.7 ms start at 0, 2, 3 and 5 cs (to the nearest) and the clip ends at 7:
    // the second lasts 1 cs, so the first keeps the screen until the third.
    expect(decodeGif(new Uint8Array(readFileSync(out)), out).delaysMs).toEqual([30, 20, 20]);
    // The frame left out was left out unsaid, where a video's writer says so of its own.
    expect(run.stderr).toContain(`chromaseed: warning: ${fast}: 1 of 4 frames lasted less than 20 ms, the shortest a GIF frame plays at its time, and is not in it (its time went to the frames beside it)\n`);
    // A video keeps every frame at the clip's own 60 fps (a 50 fps cap dropped one in six).
    const video = path.join(work, 'fast.mp4');
    expect((await runMain(['quantize', fast, '-k', '8', '-o', video, '--quiet'])).code).toBe(0);
    expect((await openInput(video, resolveInputOptions({}))).info.fps).toBeCloseTo(60, 1);
  });

  it('an animated PNG is read at its stored size, and its header is checked against --max-pixels first', async () => {
    // A pHYs chunk of 72 by 96 pixels per metre: browsers ignore it; read as a video's pixel
    // aspect, it stretched 400x300 to 400x400.
    const phys = path.join(work, 'phys.png');
    const aspect = Buffer.alloc(9);
    aspect.writeUInt32BE(72, 0);
    aspect.writeUInt32BE(96, 4);
    aspect[8] = 1; // metres
    writeFileSync(phys, rewritePng(readFileSync(apng), (chunks) => [chunks[0], { type: 'pHYs', data: aspect }, ...chunks.slice(1).filter((c) => c.type !== 'pHYs')]));
    const { frames } = await readAll(phys);
    expect(frames.map((fr) => `${fr.width}x${fr.height}`)).toEqual(Array(FRAMES).fill('400x300'));

    // A header claiming 30000x30000: refused before ffmpeg allocates anything.
    const huge = path.join(work, 'huge.png');
    writeFileSync(huge, editChunks(readFileSync(apng), 'IHDR', (ihdr) => {
      ihdr.writeUInt32BE(30000, 0);
      ihdr.writeUInt32BE(30000, 4);
    }));
    await expect(openInput(huge, resolveInputOptions({}))).rejects.toThrow(`${huge}: frames of 30000x30000 exceed the limit of 100000000 pixels (raise the limit with --max-pixels)`);
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

describe('images one after another, with no container (a raw MJPEG stream, image2pipe output)', () => {
  const CHAPLIN = path.join(corpus, 'videos/moviepy__chaplin.mp4');

  it('are every frame, read by ffmpeg (a still reader showed the first and dropped the rest, silently)', async () => {
    const mjpeg = path.join(work, 'chaplin.mjpeg');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CHAPLIN, '-t', '2', '-an', '-vf', 'scale=160:-2', '-c:v', 'mjpeg', '-f', 'mjpeg', mjpeg]);
    const pngs = path.join(work, 'cars-pipe.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', '5', '-c:v', 'png', '-f', 'image2pipe', pngs]);
    expect(await Promise.all([mjpeg, pngs].map(async (f) => { const { kind, frames } = await readAll(f); return [kind, frames.length]; }))).toEqual([['video', 50], ['video', 5]]);
    // Named .jpg, which ffmpeg alone reads as one picture.
    const named = path.join(work, 'chaplin.jpg');
    writeFileSync(named, readFileSync(mjpeg));
    const r = await runMain(['quantize', named, '-k', '8', '--start', '1', '-o', path.join(work, 'mjpeg.gif'), '--json']);
    expect([r.code, JSON.parse(r.stdout).frames]).toEqual([0, 25]);
    // BMPs one after another: a video too, with its time options (they were refused, "a still
    // image"), and a refusal that ends the run (a frame read ahead left ffmpeg waiting: a hang).
    const bmps = path.join(work, 'cars-pipe.bmp');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', '5', '-c:v', 'bmp', '-f', 'image2pipe', bmps]);
    const part = await runMain(['quantize', bmps, '-k', '8', '--start', '0.08', '-o', path.join(work, 'bmps.gif'), '--json']);
    expect([part.code, JSON.parse(part.stdout).frames]).toEqual([0, 3]);
    const refused = await runMain(['palette', bmps, '--overlay', path.join(work, 'bmps-overlay.png')]);
    expect(refused).toMatchObject({ code: 2, stderr: `chromaseed: --overlay works on a still image, and ${bmps} is an animation or a video; drop --overlay\n` });
  });

  it('but a JPEG with an image of its own appended (a preview, a gain map, a stereo pair), or a PNG with another of another size, stays a still', async () => {
    const photo = readFileSync(path.join(corpus, 'stills/wuffs__hibiscus.regular.jpeg'));
    const small = await sharp(photo).resize(64).jpeg().toBuffer();
    // A multi-picture index (APP2 "MPF") right after the start marker, as cameras and phones write it.
    const mpf = Buffer.concat([Buffer.from([0xff, 0xe2, 0x00, 0x0a]), Buffer.from('MPF\0', 'latin1'), Buffer.alloc(4)]);
    const stereo = Buffer.concat([photo.subarray(0, 2), mpf, photo.subarray(2), photo]);
    const png = readFileSync(path.join(corpus, 'stills/skimage__chelsea.png'));
    const otherPng = readFileSync(path.join(corpus, 'stills/skimage__coffee.png'));
    for (const [name, bytes] of [['preview.jpg', Buffer.concat([photo, small])], ['stereo.jpg', stereo], ['two.png', Buffer.concat([png, otherPng])]] as const) {
      const file = path.join(work, name);
      writeFileSync(file, bytes);
      const { kind, frames } = await readAll(file);
      expect([name, kind, frames.length]).toEqual([name, 'still', 1]);
    }
  });
});

describe('an animated AVIF (an image sequence, brand avis)', () => {
  it('is read by ffmpeg, every frame, in its colours (sharp refused it, and the message named AVIF as readable)', async () => {
    const avif = path.join(repoRoot, 'test/fixtures/avif/muybridge.avif');
    expect(sniffKind(await checkInput(avif))).toBe('video');
    const { frames } = await readAll(avif);
    expect([frames.length, frames[0].width, frames[0].height]).toEqual([15, 30, 20]);
    // Its colours are the GIF's it was made from, within AV1's loss. Stored as RGB (matrix 0),
    // ffmpeg 4.1 read them as YUV: the grey horse came out green on magenta (R and B 60 above G).
    const gif = [...decodeGif(new Uint8Array(readFileSync(path.join(corpus, 'gifs/wuffs__muybridge.gif'))), 'muybridge.gif').frames()];
    let off = 0;
    for (let p = 0; p < frames[0].data.length; p++) if (p % 4 !== 3) off += Math.abs(frames[0].data[p] - gif[0].data[p]);
    expect(off / (30 * 20 * 3)).toBeLessThan(4);
    // Its container states a length of 0: --start was "past the end". And the plane fix kept
    // every frame at --fps (before the rate filter, ffmpeg 4.1 lost the last: 14 of 15).
    expect((await readAll(avif, { start: 0.4 })).frames).toHaveLength(11);
    expect((await readAll(avif, { fps: 10 })).frames).toHaveLength(15);
  });

  it('damaged, is said to be damaged, in ffmpeg\'s words (a fuzzing audit: one bit flipped, it was "named like an image, but neither chromaseed nor ffmpeg can read it as one (… AVIF …)")', async () => {
    const bytes = readFileSync(path.join(repoRoot, 'test/fixtures/avif/muybridge.avif'));
    bytes[1243] ^= 0x01;
    const damaged = path.join(work, 'damaged.avif');
    writeFileSync(damaged, bytes);
    await expect(openInput(damaged, resolveInputOptions({}))).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/damaged\.avif: ffmpeg decoded no frame: the file is cut short or damaged before its first frame \(.+\)$/) });
  });

  it('but an AV1 tagged "gbr" without sRGB\'s primaries and curve holds YUV, as ffmpeg 5 reads it (taken as G, B, R it came out purple)', async () => {
    const tagged = path.join(work, 'gbr-tag.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', CARS, '-frames:v', '3', '-vf', 'scale=64:48', '-c:v', 'libaom-av1', '-cpu-used', '8', '-pix_fmt', 'yuv444p', '-colorspace', 'rgb', '-strict', 'experimental', tagged]);
    const { frames } = await readAll(tagged);
    const source = execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', CARS, '-frames:v', '1', '-vf', 'scale=64:48', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
    let off = 0;
    for (let p = 0; p < source.length; p++) if (p % 4 !== 3) off += Math.abs(frames[0].data[p] - source[p]);
    expect(off / (64 * 48 * 3)).toBeLessThan(6);
  });
});

describe('a transparent animation scaled with --width', () => {
  it('keeps every pixel clear or opaque: the resampled edges are cut at half, as a still\'s are', async () => {
    const clip = await openInput(path.join(corpus, 'gifs/gifcontrols__earth-transparent.gif'), resolveInputOptions({ width: 77 }));
    expect(clip.info.width).toBe(77);
    let frames = 0;
    const partial = new Set<number>();
    let clear = 0;
    for await (const f of clip.frames) {
      frames++;
      for (let i = 3; i < f.data.length; i += 4) {
        if (f.data[i] === 0) clear++;
        else if (f.data[i] !== 255) partial.add(f.data[i]);
      }
    }
    expect(frames).toBeGreaterThan(1);
    expect(clear).toBeGreaterThan(0);
    expect([...partial]).toEqual([]);
  });
});
