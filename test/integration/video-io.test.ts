import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ChromaseedError } from '../../src/errors.js';
import { createFrameWriter } from '../../src/io/frame-writer.js';
import { openInput } from '../../src/io/open-input.js';
import { openVideo } from '../../src/io/video-in.js';
import { resolveInputOptions, resolveSequenceOptions } from '../../src/options.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import { createQualityMeter } from '../../src/metrics/quality.js';
import { parseProbe, probeVideo } from '../../src/io/video-probe.js';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';
import { BIN, repoRoot, runMain } from '../helpers/cli.js';
import { ffmpegFrames } from '../helpers/ffmpeg-frames.js';
import { readReleasing } from '../helpers/release-reads.js';
import type { IndexedFrame, TimedFrame } from '../../src/types.js';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const realshort = path.join(corpus, 'videos/imageio__realshort.mp4');
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-video-io-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every frame of `file` as ffmpeg decodes it with no filter (RGBA, `width` x `height`): what the reader's frames are compared with. */
function storedRgba(file: string, width: number, height: number): TimedFrame[] {
  const raw = execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', file, '-map', '0:V:0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 30 });
  const size = width * height * 4;
  return Array.from({ length: raw.length / size }, (_, i) => ({ width, height, data: new Uint8Array(raw.subarray(i * size, (i + 1) * size)), delayMs: 0 }));
}

async function readAll(file: string, options = {}): Promise<{ info: Awaited<ReturnType<typeof openVideo>>['info']; frames: TimedFrame[] }> {
  const source = await openVideo(file, options);
  const frames: TimedFrame[] = [];
  for await (const f of source.frames) frames.push(f);
  return { info: source.info, frames };
}

/** A stand-in ffmpeg in `dir` that notes each run's arguments in `log`, a line a run, and runs the real one. */
function loggingFfmpeg(dir: string): { log: string; logging: string } {
  const log = path.join(dir, 'runs.log');
  const logging = path.join(dir, 'ffmpeg');
  writeFileSync(logging, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${ffmpegLocation().path}' "$@"\n`);
  chmodSync(logging, 0o755);
  return { log, logging };
}

/** Mean of each channel over the frame. */
function meanRgb(f: { data: Uint8Array }): [number, number, number] {
  const s = [0, 0, 0];
  for (let i = 0; i < f.data.length; i += 4) {
    s[0] += f.data[i];
    s[1] += f.data[i + 1];
    s[2] += f.data[i + 2];
  }
  const n = f.data.length / 4;
  return [s[0] / n, s[1] / n, s[2] / n];
}

/** Mean absolute difference per channel between two same-size RGBA frames. */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    d += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
    count += 3;
  }
  return d / count;
}

/** A crude fixed 3-3-2 palette, enough to make IndexedFrames from real video frames for the writers. */
function toIndexed332(f: TimedFrame): IndexedFrame {
  const palette = new Uint8Array(768);
  for (let i = 0; i < 256; i++) {
    palette[i * 3] = Math.round(((i >> 5) * 255) / 7);
    palette[i * 3 + 1] = Math.round((((i >> 2) & 7) * 255) / 7);
    palette[i * 3 + 2] = Math.round(((i & 3) * 255) / 3);
  }
  const n = f.width * f.height;
  const indices = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const r = Math.round((f.data[p * 4] * 7) / 255);
    const g = Math.round((f.data[p * 4 + 1] * 7) / 255);
    const b = Math.round((f.data[p * 4 + 2] * 3) / 255);
    indices[p] = (r << 5) | (g << 2) | b;
  }
  return { width: f.width, height: f.height, indices, palette, size: 256, transparent: null, delayMs: f.delayMs };
}

function expand(frame: IndexedFrame): Uint8Array {
  const out = new Uint8Array(frame.width * frame.height * 4);
  for (let p = 0; p < frame.width * frame.height; p++) {
    out.set(frame.palette.subarray(frame.indices[p] * 3, frame.indices[p] * 3 + 3), p * 4);
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Pids of live processes whose command line mentions `needle` (Linux /proc). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Three frames of 2 s each (grey 20, 60, 100) and a single key frame, made once. */
function slideShow(): string {
  const slides = path.join(work, 'slides.mp4');
  if (!existsSync(slides)) execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', "nullsrc=s=64x64:r=0.5:d=6,format=gray,geq=lum='N*40+20'", '-c:v', 'libx264', '-g', '1000', '-pix_fmt', 'yuv420p', slides]);
  return slides;
}

describe('openVideo', () => {
  it('puts later frames into buffers handed back (release), with the pixels they have in new ones', async () => {
    const expected = (await readAll(realshort)).frames.map((f) => f.data);
    const source = await openVideo(realshort);
    const { pixels, reused } = await readReleasing(source.frames, source.release!);
    expect(pixels.length).toBe(expected.length);
    pixels.forEach((bytes, f) => expect(bytes.equals(expected[f]), `frame ${f}`).toBe(true));
    // Every frame after the first few is read into a buffer handed back: those few are the
    // frames read ahead (two at most) and the one being read when the first was handed back.
    expect(reused).toBeGreaterThanOrEqual(expected.length - 4);
  });

  it('quantizes the same from buffers handed back as from new ones, through openInput', async () => {
    const options = resolveInputOptions({ duration: 0.5 });
    const run = async (keepRelease: boolean): Promise<Buffer[]> => {
      const { release, ...rest } = await openInput(realshort, options);
      expect(typeof release).toBe('function');
      const out: Buffer[] = [];
      for await (const q of quantizeClip(async () => (keepRelease ? { ...rest, release } : rest), resolveSequenceOptions({ colors: 16 }))) {
        out.push(Buffer.concat([q.indexed.indices, q.indexed.palette.subarray(0, q.indexed.size * 3)]));
      }
      return out;
    };
    const [reused, fresh] = [await run(true), await run(false)];
    expect(reused.length).toBeGreaterThan(5);
    expect(reused).toEqual(fresh);
  });

  it('refuses a list of other files, as the command line does (a library caller\'s ffconcat list of relative names was read)', async () => {
    const dir = mkdtempSync(path.join(work, 'list-'));
    copyFileSync(realshort, path.join(dir, 'clip.mp4'));
    writeFileSync(path.join(dir, 'clips.ffconcat'), 'ffconcat version 1.0\nfile clip.mp4\n');
    await expect(openVideo(path.join(dir, 'clips.ffconcat'))).rejects.toMatchObject({ code: 'ERR_INPUT', message: `${path.join(dir, 'clips.ffconcat')}: an ffmpeg concat script (ffconcat), which names other files; chromaseed reads one video or image: give it one of them` });
  });

  it('reads realshort.mp4: 36 frames of 320x240 at about 30.02 fps', async () => {
    const { info, frames } = await readAll(realshort);
    expect(info.width).toBe(320);
    expect(info.height).toBe(240);
    expect(info.fps).toBeCloseTo(30.02, 2);
    expect(frames.length).toBe(36);
    expect(info.frameCount).toBe(36);
    // What makes a GIF writer encode on a thread of its own (see gif-thread.ts).
    expect(info.changesEveryFrame).toBe(true);
    for (const f of frames) {
      expect(f.data.length).toBe(320 * 240 * 4);
      expect(f.delayMs).toBeCloseTo(1000 / (info.fps as number), 9);
    }
    // Real picture content: not black, not constant, and it moves between first and last frame.
    const [r, g, b] = meanRgb(frames[0]);
    expect(r + g + b).toBeGreaterThan(30);
    expect(r + g + b).toBeLessThan(720);
    expect(meanAbsDiff(frames[0].data, frames[35].data)).toBeGreaterThan(1);
    // Every frame is a new buffer (the consumer may keep them).
    expect(frames[0].data.buffer).not.toBe(frames[1].data.buffer);
  });

  it('says why an input it cannot reach cannot be read: only a missing one is "no such file"', async () => {
    const loop = path.join(work, 'loop.mp4');
    symlinkSync(loop, loop);
    await expect(openVideo(loop)).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/loop\.mp4: cannot read: .*\(ELOOP\)$/) });
    await expect(openVideo(path.join(work, 'missing.mp4'))).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/missing\.mp4: no such file \(looked in /) });
    await expect(openVideo(work)).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/: is a directory, not a file$/) });
  });

  it('names an input format ffmpeg does not have as such (it was "ffmpeg failed: it printed no message"), and takes an alias', async () => {
    await expect(openVideo(realshort, {}, { demuxer: 'nonsense' })).rejects.toMatchObject({ code: 'ERR_USAGE', message: `${realshort}: ffmpeg has no input format (demuxer) named "nonsense"; ffmpeg -demuxers lists those it reads` });
    await expect(openVideo(realshort, {}, { demuxer: 5 as never })).rejects.toMatchObject({ code: 'ERR_USAGE', message: "expected the name of an input format of ffmpeg's (ffmpeg -demuxers lists them) for demuxer but received 5" });
    await expect(openVideo(realshort, {}, { demuxer: 'mp4 -i x' })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    // "mp4" is one of the names of ffmpeg's mov demuxer (mov,mp4,m4a,3gp,3g2,mj2).
    expect((await openVideo(realshort, { fps: 1 }, { demuxer: 'mp4' })).info.width).toBe(320);
  });

  it('applies --fps, --width, --start and --duration in ffmpeg', async () => {
    const full = await readAll(realshort);
    const tenFps = await readAll(realshort, { fps: 10 });
    expect(tenFps.info.fps).toBe(10);
    expect(tenFps.frames.length).toBeGreaterThanOrEqual(11);
    expect(tenFps.frames.length).toBeLessThanOrEqual(13);
    expect(tenFps.frames[0].delayMs).toBe(100);
    // maxFps (set for GIF output) lowers only a faster source's rate.
    const capped = await readAll(realshort, { maxFps: 20 });
    expect(capped.info.fps).toBe(20);
    expect(Math.abs(capped.frames.length - 24)).toBeLessThanOrEqual(1);
    expect((await openVideo(realshort, { maxFps: 50 })).info.fps).toBeCloseTo(30.02, 1);

    const small = await readAll(realshort, { width: 161 });
    expect([small.info.width, small.info.height]).toEqual([161, 121]);
    expect(small.frames.length).toBe(36);
    expect(small.frames[0].data.length).toBe(161 * 121 * 4);
    // Scaling keeps the colours: mean colour of each frame within 2 levels of the full-size one.
    for (let i = 0; i < 36; i += 7) {
      const a = meanRgb(full.frames[i]);
      const s = meanRgb(small.frames[i]);
      for (let c = 0; c < 3; c++) expect(Math.abs(a[c] - s[c])).toBeLessThan(2);
    }

    const late = await readAll(realshort, { start: 60 }).catch((e: unknown) => e);
    expect((late as ChromaseedError).message).toMatch(/realshort\.mp4: --start is past the end \(the video lasts 1\.\d\d s\)$/);
    // A part shorter than one tick of the rate asked for still has a frame on screen: the first tick's.
    expect((await readAll(realshort, { start: 0.5, duration: 0.05, fps: 0.5 })).frames).toHaveLength(1);
    // Times reach ffmpeg as plain decimals (String(1e-7) would be '1e-7').
    expect((await readAll(realshort, { start: 1e-7, duration: 0.1 })).frames.length).toBeGreaterThanOrEqual(3);

    const cut = await readAll(realshort, { start: 0.5, duration: '00:00:00.3' });
    expect(cut.frames.length).toBeGreaterThanOrEqual(8);
    expect(cut.frames.length).toBeLessThanOrEqual(10);
    // The first frame after the cut is a source frame at 0.5 s (frame 15 or 16, depending on
    // where the stream's first timestamp sits), decoded exactly, not a frame near the start.
    const diffs = full.frames.map((f) => meanAbsDiff(cut.frames[0].data, f.data));
    const best = diffs.indexOf(Math.min(...diffs));
    expect(diffs[best]).toBe(0);
    expect(best).toBeGreaterThanOrEqual(15);
    expect(best).toBeLessThanOrEqual(16);
    expect(diffs[0]).toBeGreaterThan(5);
  });

  it('--start inside a frame begins with that frame, also inside the last one', async () => {
    // ffmpeg's own seek dropped the frame on screen at the start time and showed the next one early, or nothing.
    const slides = slideShow();
    const full = (await readAll(slides)).frames;
    expect(full).toHaveLength(3);
    /** Which of the three frames each frame read with these options is. */
    const shown = async (options: object) =>
      (await readAll(slides, options)).frames.map((f) => full.findIndex((g) => meanAbsDiff(f.data, g.data) === 0));
    expect(await shown({ start: 3 })).toEqual([1, 2]);
    expect(await shown({ start: 3, fps: 1 })).toEqual([1, 2, 2]);
    expect(await shown({ start: 1, duration: 2 })).toEqual([0]);
    expect(await shown({ start: 5.9 })).toEqual([2]);
    const late = await readAll(slides, { start: 6.5 }).catch((e: unknown) => e);
    expect((late as ChromaseedError).message).toMatch(/--start is past the end/);
  });

  it('--duration: the last frame is cut to the end of the part (it was whole frames at the rate: 0.5 fps, 3 s asked, 4 s)', async () => {
    const slides = slideShow();
    const delays = async (file: string, options: object) => (await readAll(file, options)).frames.map((f) => Math.round(f.delayMs * 100) / 100);
    expect(await delays(slides, { start: 3, duration: 3 })).toEqual([2000, 1000]);
    expect(await delays(slides, { duration: 5 })).toEqual([2000, 2000, 1000]);
    expect(await delays(slides, { duration: 9 })).toEqual([2000, 2000, 2000]); // past the end: nothing to cut
    const steady = path.join(work, 'steady25.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=32x32:r=25:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', steady]);
    // 1.03 s: 26 frames, the last 30 ms; 1.01 s: the 10 ms sliver, under half a frame, is left out.
    const longer = await delays(steady, { duration: 1.03 });
    expect([longer.length, longer.at(-1), Math.round(longer.reduce((a, b) => a + b))]).toEqual([26, 30, 1030]);
    const sliver = await delays(steady, { duration: 1.01 });
    expect([sliver.length, Math.round(sliver.reduce((a, b) => a + b))]).toEqual([25, 1000]);
    // 1.015 s at 60 fps: 15 ms left, over half a frame, is kept; read for a GIF (at most 50 fps,
    // and 2 cs the shortest a GIF frame plays), the 15 ms left after 50 frames are kept for 2 cs.
    const fast = path.join(work, 'steady60.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=32x32:r=60:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', fast]);
    const at60 = await delays(fast, { duration: 1.015 });
    expect([at60.length, at60.at(-1)]).toEqual([61, 15]);
    const forGif = await delays(fast, { duration: 1.015, maxFps: 50 });
    expect([forGif.length, forGif.at(-1)]).toEqual([51, 20]);
    // A GIF written from it plays for the part asked, to the centisecond.
    const out = path.join(work, 'slides-3s.gif');
    expect((await runMain(['quantize', slides, '--start', '3', '--duration', '3', '-k', '4', '-q', '-o', out])).code).toBe(0);
    const reader = new GifReader(new Uint8Array(readFileSync(out)));
    expect(Array.from({ length: reader.numFrames() }, (_, i) => reader.frameInfo(i).delay)).toEqual([200, 100]);
  });

  it('--duration on a fast video written as a video: whole frames stay whole, and a last piece is not lengthened to a GIF\'s 2 cs (120 fps, 1 s: 120 frames, not 121)', async () => {
    const f120 = path.join(work, 'steady120.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=32x24:r=120:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', f120]);
    // 1000 - 119 x 8.333... ms is a hair under a frame in floating point: it was taken for a cut piece.
    const second = (await readAll(f120, { duration: 1 })).frames;
    expect([second.length, Math.round(second.reduce((a, f) => a + f.delayMs, 0) * 1000) / 1000, Math.round(second.at(-1)!.delayMs * 1000) / 1000]).toEqual([120, 1000, 8.333]);
    const summary = async (args: string[]) => {
      const r = await runMain(['quantize', f120, '-k', '4', '--json', ...args]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      return [j.frames, j.videoFrames, j.playbackSeconds];
    };
    expect(await summary(['--duration', '1', '-o', path.join(work, 'second.mp4')])).toEqual([120, 120, 1]);
    // 22 ms from 0.5 s: 2 whole frames and 5.33 ms, over half a frame: three frames (25 ms), not 2 frames and 20 ms (4 video frames).
    expect(await summary(['--start', '0.5', '--duration', '0.022', '-o', path.join(work, 'sliver.mp4')])).toEqual([3, 3, 0.025]);
    // Read for a GIF it is 50 fps: one frame and 2 ms, under half a frame, left out.
    expect(await summary(['--start', '0.5', '--duration', '0.022', '-o', path.join(work, 'sliver.gif')])).toEqual([1, null, null]);
  });

  it('--start in MPEG-TS, where ffmpeg seeks to the key frame after the time asked for', async () => {
    // 10 s at 25 fps, a key frame every 2 s, each frame another grey.
    const ts = path.join(work, 'grey.ts');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', "nullsrc=s=32x32:r=25:d=10,format=gray,geq=lum='mod(N*7\,200)+20'", '-c:v', 'libx264', '-g', '50', '-pix_fmt', 'yuv420p', ts]);
    const full = (await readAll(ts)).frames;
    const part = (await readAll(ts, { start: 7.3, duration: 0.4 })).frames;
    // Frames 182 to 191 (7.28 s to 7.64 s), not ten copies of a frame after the window.
    expect(part.map((f) => full.findIndex((g) => meanAbsDiff(f.data, g.data) === 0))).toEqual([182, 183, 184, 185, 186, 187, 188, 189, 190, 191]);
  });

  it.each([
    ['.h264', 'libx264', 15],
    ['.h264', 'libx264', 30],
    ['.hevc', 'libx265', 15],
  ])('reads a raw %s stream (%s, B-frames, %d fps) whole and at its rate, and --start and --duration by its frame numbers (ffmpeg 4.1 stamped H.264 at 25 fps first: 3 of 30 frames lost, 3 of 60 repeated; --start read from the first frame)', async (extension, encoder, rate) => {
    const raw = path.join(work, `raw-${rate}${extension}`);
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=s=64x48:d=2:r=${rate}`, '-c:v', encoder, '-pix_fmt', 'yuv420p', '-f', extension.slice(1), ...(encoder === 'libx265' ? ['-x265-params', 'log-level=error'] : []), raw]);
    // Every frame once, in order, as decoded (ffmpeg's passthrough neither drops nor repeats one).
    const decoded = ffmpegFrames(raw, 64, 48)!.frames;
    expect(decoded).toHaveLength(2 * rate);
    const numbers = (frames: TimedFrame[]): number[] => frames.map((f) => decoded.findIndex((d) => meanAbsDiff(f.data, d) === 0));
    // Frames the encoder made identical are told apart by where they may be.
    const expected = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => decoded.findIndex((d) => meanAbsDiff(d, decoded[from + i]) === 0));
    const whole = await readAll(raw);
    expect([whole.info.fps, whole.frames.length, new Set(whole.frames.map((f) => f.delayMs.toFixed(3)))]).toEqual([rate, 2 * rate, new Set([(1000 / rate).toFixed(3)])]);
    expect(numbers(whole.frames)).toEqual(expected(0, 2 * rate));
    // From 1 s: the frame on screen there and every one after, no more; 0.4 s of it.
    expect(numbers((await readAll(raw, { start: 1 })).frames)).toEqual(expected(rate, rate));
    expect(numbers((await readAll(raw, { start: 1, duration: 0.4 })).frames)).toEqual(expected(rate, 0.4 * rate));
  }, 60_000);

  it('shows anamorphic video as a player does: non-square pixels are stretched to square ones', async () => {
    // realshort squeezed to half its width, with pixels marked twice as wide as tall (SAR 2:1).
    const squeezed = path.join(work, 'anamorphic.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', realshort, '-vf', 'scale=160:240,setsar=2', '-c:v', 'libx264', '-crf', '12', squeezed]);
    const shown = await readAll(squeezed);
    expect([shown.info.width, shown.info.height]).toEqual([320, 240]);
    const original = await readAll(realshort);
    // Half the columns were thrown away, so detail differs; a picture not stretched back would not line up at all.
    expect(meanAbsDiff(shown.frames[10].data, original.frames[10].data)).toBeLessThan(6);
    const narrow = await readAll(squeezed, { width: 100 });
    expect([narrow.info.width, narrow.info.height]).toEqual([100, 75]);
    // Turned a quarter (a phone's rotation label), the wide pixels become tall ones: the height is stretched.
    const turned = path.join(work, 'anamorphic-turned.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', squeezed, '-c', 'copy', '-metadata:s:v', 'rotate=90', turned]);
    expect((await readAll(turned)).info).toMatchObject({ width: 240, height: 320 });
  });

  it('keeps the transparency of a VP9 WebM (ffmpeg\'s own VP9 decoder drops it)', async () => {
    const earth = path.join(corpus, 'gifs/gifcontrols__earth-transparent.gif');
    const webm = path.join(work, 'alpha.webm');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', earth, '-frames:v', '3', '-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-lossless', '1', webm]);
    const { frames } = await readAll(webm);
    const gif = await openInput(earth, { maxPixels: 1e8, maxFrames: 1000 });
    let first: TimedFrame | undefined;
    for await (const f of gif.frames) {
      first = f;
      break;
    }
    const clear = (d: Uint8Array) => d.filter((_, i) => i % 4 === 3 && d[i] === 0).length;
    expect(clear(first!.data)).toBeGreaterThan(10_000);
    // VP9 keeps alpha at full resolution; edges may round either way.
    expect(Math.abs(clear(frames[0].data) - clear(first!.data))).toBeLessThan(clear(first!.data) * 0.02);
    // The same stream in Matroska: its muxer writes the tag "ALPHA_MODE" (the WebM muxer "alpha_mode"), and it was read opaque.
    const mkv = path.join(work, 'alpha.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', webm, '-c', 'copy', mkv]);
    expect(clear((await readAll(mkv)).frames[0].data)).toBe(clear(frames[0].data));
  });

  it('cuts partial alpha at half, as for every input: a video of PNG frames with an alpha ramp', async () => {
    const ramp = path.join(work, 'alpha-ramp.mov');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', "color=c=black:s=64x8:r=10:d=0.3,format=rgba,geq=r=200:g=40:b=10:a='X*4'", '-c:v', 'png', ramp]);
    const { frames } = await readAll(ramp);
    expect(frames).toHaveLength(3);
    for (let x = 0; x < 64; x++) {
      expect(Array.from(frames[0].data.subarray(x * 4, x * 4 + 4)), `alpha ${x * 4}`).toEqual(x * 4 < 128 ? [0, 0, 0, 0] : [200, 40, 10, 255]);
    }
  });

  it('reads a variable-rate video that starts slow at its fast rate: no frame dropped', async () => {
    // One second at 10 fps, then one at 30 fps, joined without re-encoding.
    const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', ...args]);
    const parts = [10, 30].map((rate) => {
      const part = path.join(work, `part-${rate}.mp4`);
      ff('-f', 'lavfi', '-i', `testsrc=s=96x64:r=${rate}:d=1`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-video_track_timescale', '90000', part);
      return `file '${part}'`;
    });
    const list = path.join(work, 'parts.txt');
    writeFileSync(list, parts.join('\n') + '\n');
    const joined = path.join(work, 'variable-rate.mp4');
    ff('-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined);
    const { info, frames } = await readAll(joined);
    // ffmpeg on its own read it at 10 fps: 22 frames, two in three of the second part lost.
    // Read at 30 fps, the first part's frames came three times each (60 frames); now each once, for its own time.
    expect(info.fps).toBe(30);
    expect(frames.reduce((t, f) => t + f.delayMs, 0)).toBeCloseTo(2000, 6);
    const distinct = new Set(frames.map((f) => Buffer.from(f.data).toString('base64')));
    expect([distinct.size, frames.length]).toEqual([40, 40]);
    expect(frames.map((f) => Math.round(f.delayMs))).toEqual([...Array(10).fill(100), ...Array(30).fill(33)]);
    // Its average rate (20) is below its finest (30): not steady, so its packets' times are read.
    expect((await probeVideo(joined)).steadyRate).toBeUndefined();
    // Over --max-frames, its length is its frames', whatever rate an output caps it at (it
    // said "40 frames at 50 fps in the 0.8 s the file states" for a GIF, 30 fps and 1.3 s for a video).
    for (const maxFps of [undefined, 50]) {
      await expect(openInput(joined, { ...resolveInputOptions({ maxFrames: 10 }), maxFps })).rejects.toMatchObject({ code: 'ERR_LIMIT', message: `${joined}: about 40 frames at a variable rate in the 2.0 s the file states, more than the limit of 10 (raise the limit with --max-frames, or read a part with --start and --duration, or fewer frames with --fps)` });
    }

    // A part from --start is read at one rate (not by the frames' own times), the finest: in
    // an MKV, which states no average rate, that was the first part's 10 fps, and 20 of the
    // last 30 frames were dropped, silently. Every frame is now there, the slow ones repeated.
    const mkv = path.join(work, 'variable-rate-from-mp4.mkv');
    ff('-i', joined, '-c', 'copy', mkv);
    for (const file of [joined, mkv]) {
      const part = await readAll(file, { start: 0.5 });
      expect(part.info.fps, file).toBe(30);
      expect(new Set(part.frames.map((f) => Buffer.from(f.data).toString('base64'))).size, file).toBe(35);
    }
  });

  it("a constant-rate MP4 says so by its rates (average = finest), and is spared the pass that reads its packets' times", async () => {
    for (const name of ['imageio__realshort.mp4', 'imageio__cockatoo.mp4', 'moviepy__chaplin.mp4']) {
      expect((await probeVideo(path.join(corpus, 'videos', name))).steadyRate, name).toBe(true);
    }
    // WebM and Matroska state no average rate: their packets' times are always read.
    expect((await probeVideo(path.join(corpus, 'videos/imageio__test.webm'))).steadyRate).toBeUndefined();
  });

  it("a gap between variable-rate parts is the frame before it shown longer: every frame once (ffmpeg's rate left out 13 of 40 and repeated one 5 times)", async () => {
    // 10 frames at 10 fps, half a second of nothing, then 30 at 20 fps: at its first frames'
    // rate ffmpeg filled the gap with 5 repeats and left out 13 of the faster frames.
    const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', ...args]);
    const slow = path.join(work, 'gap-10.mkv');
    const fast = path.join(work, 'gap-20.mkv');
    ff('-f', 'lavfi', '-i', 'testsrc=s=96x64:r=10:d=1', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', slow);
    ff('-f', 'lavfi', '-i', 'testsrc2=s=96x64:r=20:d=1.5', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', fast);
    const list = path.join(work, 'gap.txt');
    writeFileSync(list, `file '${slow}'\nduration 1.5\nfile '${fast}'\n`);
    const joined = path.join(work, 'gap.mkv');
    ff('-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined);
    const source = await openVideo(joined);
    const delays: number[] = [];
    for await (const f of source.frames) delays.push(f.delayMs);
    expect(delays).toEqual([...Array(9).fill(100), 600, ...Array(30).fill(50)]);
    expect(source.warnings).toEqual([]);
    expect([source.info.frameCount, source.info.fps]).toEqual([40, 20]);
  });

  it("shows a variable-rate Matroska's last frame for the gap before it when the file's stated length is that frame's start (it was left out of a GIF, and a video was written at 120 fps)", async () => {
    // Packets without durations, length 1.967 s: see test/fixtures/vfr/README.md.
    const file = path.resolve(__dirname, '../fixtures/vfr/no-packet-durations.mkv');
    const source = await openVideo(file);
    const delays: number[] = [];
    for await (const f of source.frames) delays.push(f.delayMs);
    expect([source.info.fps, source.info.frameCount, delays.length]).toEqual([30, 40, 40]);
    expect(delays.slice(0, 10)).toEqual(Array(10).fill(100));
    expect(delays.slice(10).every((d) => d === 33 || d === 34)).toBe(true);
    expect(delays.reduce((t, d) => t + d, 0)).toBe(2001);
  });

  it('reads a variable-rate Matroska by its frames\' times (at its first frames\' rate, 18 of 40 were lost and it played 2.2 s), and --fps still gives a constant rate', async () => {
    // Matroska states no average rate: ffmpeg reports the first part's 10 fps only.
    const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', ...args]);
    const parts = [10, 30].map((rate) => {
      const part = path.join(work, `part-${rate}.mkv`);
      // Two sources, so that no picture of one part is a picture of the other (ffv1 is lossless).
      ff('-f', 'lavfi', '-i', `${rate === 10 ? 'testsrc' : 'testsrc2'}=s=96x64:r=${rate}:d=1`, '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', part);
      return `file '${part}'`;
    });
    const list = path.join(work, 'parts-mkv.txt');
    writeFileSync(list, parts.join('\n') + '\n');
    const joined = path.join(work, 'variable-rate.mkv');
    ff('-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined);
    const source = await openVideo(joined);
    const read: TimedFrame[] = [];
    for await (const f of source.frames) read.push(f);
    // Stored in milliseconds: 33 and 34 ms apart; the last frame lasts to the file's end (2 s), not its 100 ms default duration.
    expect([source.info.fps, source.info.frameCount, read.length]).toEqual([30, 40, 40]);
    expect(read.reduce((t, f) => t + f.delayMs, 0)).toBe(2000);
    expect(read.slice(9, 12).map((f) => f.delayMs)).toEqual([100, 33, 34]);
    expect(source.warnings).toEqual([]);
    // Each frame the file's own, in order: as ffmpeg gives them one by one.
    const own = ffmpegFrames(joined, 96, 64)!.frames;
    expect(own).toHaveLength(40);
    expect(read.every((f, i) => Buffer.compare(f.data, own[i]) === 0)).toBe(true);
    const fast = await openVideo(joined, { fps: 30 });
    const frames: TimedFrame[] = [];
    for await (const f of fast.frames) frames.push(f);
    expect(fast.warnings).toEqual([]);
    expect(new Set(frames.map((f) => Buffer.from(f.data).toString('base64'))).size).toBe(40);
    // A constant-rate clip gets no such warning, also when its name or title says "drop=" (they were read as ffmpeg's count).
    const named = path.join(work, 'clip drop=7.mkv');
    ff('-i', parts[0].slice(6, -1), '-c', 'copy', '-metadata', 'title=take 2 drop=40 frames', named);
    const steady = await openVideo(named);
    for await (const _ of steady.frames);
    expect(steady.warnings).toEqual([]);
  });

  it('a clip too short for a tick of --fps gives its first frame for one tick, as a GIF does (it was an error: a short video could not be a transfer source at a low rate)', async () => {
    const one = path.join(work, 'one-frame.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48:r=25:d=0.04', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', one]);
    const all = (await readAll(one)).frames;
    expect(all).toHaveLength(1);
    const slow = (await readAll(one, { fps: 10 })).frames;
    expect(slow.map((f) => f.delayMs)).toEqual([100]);
    expect(Buffer.compare(slow[0].data, all[0].data)).toBe(0);
    // 1.2 s of video at 0.4 fps (a tick every 2.5 s): the frame on screen at the first tick.
    const short = path.join(corpus, 'videos/imageio__realshort.mp4');
    const first = (await readAll(short)).frames[0];
    const sparse = (await readAll(short, { fps: 0.4 })).frames;
    expect(sparse.map((f) => f.delayMs)).toEqual([2500]);
    expect(Buffer.compare(sparse[0].data, first.data)).toBe(0);
  });

  it('a clip shorter than a GIF\'s frame still gives its first frame when read at a GIF\'s rate', async () => {
    // Five frames at 1000 fps: 5 ms, on screen at no tick of 50 fps ("no frames could be read").
    const blink = path.join(work, 'blink.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48:r=1000', '-frames:v', '5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', blink]);
    expect((await readAll(blink)).frames).toHaveLength(5);
    const capped = await readAll(blink, { maxFps: 50 });
    expect(capped.frames).toHaveLength(1);
    expect(capped.frames[0].delayMs).toBe(20);
    expect(meanAbsDiff(capped.frames[0].data, (await readAll(blink)).frames[0].data)).toBe(0);
  });

  it('kills ffmpeg when the consumer stops early', async () => {
    const unique = path.join(work, `early-break-${process.pid}.mp4`);
    copyFileSync(path.join(corpus, 'videos/moviepy__chaplin.mp4'), unique);
    const source = await openVideo(unique);
    expect(pidsMentioning(unique)).toEqual([]); // the probe has exited and decoding has not started
    let seen = 0;
    let running: number[] = [];
    for await (const frame of source.frames) {
      expect(frame.width).toBe(640);
      if (++seen === 1) running = pidsMentioning(unique);
      if (seen === 3) break;
    }
    expect(running.length).toBe(1);
    expect(pidsMentioning(unique)).toEqual([]);
    expect(() => process.kill(running[0], 0)).toThrow();
  });

  it('keeps memory flat on a long 720p video with a slow consumer (back-pressure)', async () => {
    const source = await openVideo(path.join(corpus, 'videos/imageio__cockatoo.mp4'));
    expect([source.info.width, source.info.height]).toEqual([1280, 720]);
    const frameBytes = 1280 * 720 * 4;
    const before = process.memoryUsage().rss;
    let peak = before;
    let n = 0;
    for await (const frame of source.frames) {
      expect(frame.data.length).toBe(frameBytes);
      if (++n <= 3) await new Promise((r) => setTimeout(r, 300)); // ffmpeg must wait, not run ahead
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(n).toBe(280); // 1 GB of raw frames went through
    expect(peak - before).toBeLessThan(40 * frameBytes); // about 147 MB; holding the clip would need 1 GB
  });

  it('fails with one clear line naming the file for non-video and missing input', async () => {
    const notVideo = path.join(corpus, 'MANIFEST.md');
    const err = await openVideo(notVideo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChromaseedError);
    expect((err as ChromaseedError).code).toBe('ERR_INPUT');
    expect((err as ChromaseedError).message).toContain('MANIFEST.md');
    expect((err as ChromaseedError).message).toBe(`${notVideo}: not a video or an image that ffmpeg can read (ffmpeg: Invalid data found when processing input)`);
    expect((err as ChromaseedError).message).not.toContain('\n');
    // Text under an image name: said plainly (ffmpeg read it as a damaged PNG stream).
    const fakePng = path.join(work, 'text.png');
    copyFileSync(notVideo, fakePng);
    const fake = await openInput(fakePng, { maxPixels: 1e8, maxFrames: 1e5 }).then(async (s) => {
      for await (const _ of s.frames);
    }).catch((e: unknown) => e);
    expect((fake as ChromaseedError).message).toBe(`${fakePng}: is named like an image, but neither chromaseed nor ffmpeg can read it as one (PNG, JPEG, GIF, WebP, TIFF, AVIF or SVG)`);
    // The same under an SVG name: ffmpeg picked an SVG decoder it does not have by the name
    // ("ffmpeg failed: Decoder (codec svg) not found"), as if ffmpeg were at fault.
    const fakeSvg = path.join(work, 'page.svg');
    writeFileSync(fakeSvg, '<!DOCTYPE html><html><body>not a picture</body></html>\n');
    const svgErr = await openInput(fakeSvg, { maxPixels: 1e8, maxFrames: 1e5 }).then(async (s) => {
      for await (const _ of s.frames);
    }).catch((e: unknown) => e);
    expect((svgErr as ChromaseedError).message).toBe(`${fakeSvg}: is named like an image, but neither chromaseed nor ffmpeg can read it as one (PNG, JPEG, GIF, WebP, TIFF, AVIF or SVG)`);
    // A WebM cut inside its header: ffmpeg says only "End of file", which was the whole message.
    const cut = path.join(work, 'cut.webm');
    writeFileSync(cut, readFileSync(path.join(corpus, 'videos/moviepy__big_buck_bunny_0_30.webm')).subarray(0, 200));
    await expect(openVideo(cut).then(async (v) => {
      for await (const _ of v.frames);
    })).rejects.toMatchObject({ code: 'ERR_INPUT', message: `${cut}: cut short or damaged: it ends before ffmpeg could read its header (ffmpeg: End of file)` });
    // An MP4 whose chunk table claims 2^31 entries: ffmpeg gives up on the header with "Cannot
    // allocate memory", which was the whole message ("ffmpeg failed: Cannot allocate memory").
    const bytes = readFileSync(realshort);
    const table = bytes.indexOf('stco');
    const counted = Buffer.from(bytes);
    counted.writeUInt32BE(0x7fffffff, table + 8);
    const damaged = path.join(work, 'damaged-table.mp4');
    writeFileSync(damaged, counted);
    await expect(openVideo(damaged)).rejects.toMatchObject({ code: 'ERR_INPUT', message: `${damaged}: damaged: ffmpeg could not read its header (ffmpeg: Cannot allocate memory)` });
    // ffmpeg tries first: a video saved under an image name (a "GIF" download that is an MP4) is read.
    const mp4AsGif = path.join(work, 'clip.gif');
    copyFileSync(realshort, mp4AsGif);
    const read = await openInput(mp4AsGif, { maxPixels: 1e8, maxFrames: 1e5 });
    expect(read.kind).toBe('video');
    let frames = 0;
    for await (const _ of read.frames) frames++;
    expect(frames).toBe(36);
    const missing = await openVideo(path.join(work, 'nope.mp4')).catch((e: unknown) => e);
    expect((missing as ChromaseedError).code).toBe('ERR_INPUT');
    await expect(openVideo(realshort, { fps: -1 })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(openVideo(realshort, { width: 0 })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(openVideo(realshort, { start: 'soon' })).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });

  it('a video cut short before its first frame says so', async () => {
    // ffmpeg's last lines are about its output ("Cannot determine format of input stream 0:0
    // after EOF", then "Press [q] to stop" above it); the message was that second line.
    const cut = path.join(work, 'cut.webm');
    writeFileSync(cut, readFileSync(path.join(corpus, 'videos/imageio__test.webm')).subarray(0, 4000));
    const err = await openVideo(cut).then(async (s) => {
      for await (const _ of s.frames);
    }).catch((e: unknown) => e);
    // The reason in brackets is ffmpeg's own line, where it prints one (4.1 does; 5.1 not).
    expect(err).toMatchObject({ code: 'ERR_INPUT' });
    expect((err as Error).message).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ffmpeg decoded no frame: the file is cut short or damaged before its first frame( \\(\\[matroska,webm\\] Read error\\))?$`));
  });

  it('shrinks by averaging the pixels each new one covers (area), as colour statistics need: one-pixel stripes of black and white halved are an even grey', async () => {
    const stripes = path.join(work, 'stripes.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', "color=c=black:s=64x48:r=10:d=0.3,format=rgb24,geq=r='if(mod(X,2),255,0)':g='if(mod(X,2),255,0)':b='if(mod(X,2),255,0)'", '-c:v', 'png', '-pix_fmt', 'rgb24', stripes]);
    const { info, frames } = await readAll(stripes, { width: 32 });
    expect([info.width, info.height, frames.length]).toEqual([32, 24, 3]);
    const values = new Set<number>();
    for (const { data } of frames) for (let i = 0; i < data.length; i += 4) values.add(data[i]).add(data[i + 1]).add(data[i + 2]);
    // Area gives 128 (or 127) everywhere; a bicubic shrink rings, 100 to 155 across the stripes.
    expect(Math.min(...values), [...values].join()).toBeGreaterThanOrEqual(126);
    expect(Math.max(...values), [...values].join()).toBeLessThanOrEqual(129);
  });

  it("a reader whose ffmpeg is killed fails as ffmpeg's failure (ERR_FFMPEG) naming the signal, not as a bad input", async () => {
    const chaplin = path.join(corpus, 'videos/moviepy__chaplin.mp4');
    const source = await openVideo(chaplin, {});
    const frames = source.frames[Symbol.asyncIterator]();
    expect((await frames.next()).done).toBe(false);
    // The ffmpeg decoding the frames: a child of this process, writing raw video.
    const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
    const readers = ps.split('\n').filter((line) => line.includes(chaplin) && line.includes('rawvideo'));
    expect(readers).toHaveLength(1);
    process.kill(Number(readers[0].trim().split(/\s+/)[0]), 'SIGKILL');
    const err = await (async () => {
      while (!(await frames.next()).done);
    })().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ChromaseedError);
    expect([(err as ChromaseedError).code, (err as ChromaseedError).message]).toEqual(['ERR_FFMPEG', `${chaplin}: ffmpeg was stopped by SIGKILL (out of memory?)`]);
  });
});

const notVideoFile = path.join(corpus, 'MANIFEST.md');

describe('quantizeClip on a video, aborted while the caller holds a frame', () => {
  it("stops ffmpeg at once, and the next call says ERR_ABORTED (ffmpeg ran on until the caller asked again; then the clip just ended)", async () => {
    const { openReusable } = await import('../../src/io/open-input.js');
    const { quantizeClip } = await import('../../src/pipeline/quantize-clip.js');
    const { resolveInputOptions, resolveSequenceOptions } = await import('../../src/options.js');
    const ffmpegChildren = () => spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout.split('\n').filter((c) => /ffmpeg/.test(c)).length;
    const controller = new AbortController();
    const { open } = await openReusable(path.join(corpus, 'videos/moviepy__chaplin.mp4'), resolveInputOptions({}));
    const frames = quantizeClip(open, resolveSequenceOptions({ colors: 4 }), controller.signal);
    expect((await frames.next()).done).toBe(false);
    expect(ffmpegChildren()).toBe(1);
    controller.abort();
    // Killed at once; reaped (ps lists a zombie too) as soon as the loaded machine gets to it.
    for (let i = 0; i < 100 && ffmpegChildren() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ffmpegChildren()).toBe(0);
    await expect(frames.next()).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});

describe('video output', () => {
  it('is the same file from the same frames, in every container (each .mkv had random IDs of its own)', async () => {
    for (const ext of ['mkv', 'webm', 'mp4', 'mov']) {
      const [first, second] = [1, 2].map((n) => path.join(work, `twice-${n}.${ext}`));
      for (const out of [first, second]) expect((await runMain(['quantize', realshort, '-k', '8', '--duration', '0.5', '-o', out, '--quiet'])).code).toBe(0);
      expect([ext, readFileSync(first).equals(readFileSync(second))]).toEqual([ext, true]);
    }
  });

  it('says which frames a video had no room for, and takes a first frame of any length (found by a QA pass: frames gone unsaid, and 10^9 ms was an ffmpeg error)', async () => {
    const frame = (delayMs: number, shift: number): IndexedFrame => ({
      width: 16, height: 16, indices: new Uint8Array(256).map((_, i) => (i + shift) & 3),
      palette: Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255), size: 4, transparent: null, delayMs,
    });
    const write = async (name: string, delays: number[], fps?: number) => {
      const writer = await createFrameWriter(path.join(work, name), { width: 16, height: 16, ...(fps !== undefined ? { fps } : {}) });
      for (const [i, delay] of delays.entries()) await writer.write(frame(delay, i));
      return writer.finish();
    };
    // A title held 10 s sets the rate (none given): the frames of 100 ms after it fall between its frames.
    const title = await write('title.mp4', [10_000, 100, 100]);
    expect([title.videoFrames, title.warnings]).toEqual([1, [`${path.join(work, 'title.mp4')}: 2 of 3 frames lasted less than one frame of the video at 0.1 fps and are not in it, a rate taken from the first frame's delay; give fps (clipWriterOptions(info) gives the source's)`]]);
    const given = await write('given.mp4', [40, 10, 40], 25);
    expect([given.videoFrames, given.warnings]).toEqual([2, [`${path.join(work, 'given.mp4')}: 1 of 3 frames lasted less than one frame of the video at 25 fps and is not in it`]]);
    // The rate taken is at least --fps's lowest, 0.001: the whole time is kept, as a GIF's writer promises.
    const long = await write('long.mp4', [1e9, 100]);
    expect([long.videoFrames, long.videoSeconds]).toEqual([1000, 1e6]);
    const plain = await write('plain.mp4', [40, 40]);
    expect([plain.videoFrames, plain.warnings]).toEqual([2, undefined]);
  });
});

describe('video output on another machine', () => {
  // ffmpeg counts the CPUs it may use; taskset gives it one, as a smaller machine would.
  const canPin = availableParallelism() > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  it.skipIf(!canPin)('an MP4 is the same file whatever the number of CPUs (libx264 chose its threads by them: 23 of 36 frames differed)', async () => {
    const [here, pinned] = ['here', 'pinned'].map((name) => path.join(work, `cpus-${name}.mp4`));
    expect((await runMain(['quantize', realshort, '-k', '8', '-o', here, '--quiet'])).code).toBe(0);
    expect(spawnSync('taskset', ['-c', '0', process.execPath, BIN, 'quantize', realshort, '-k', '8', '-o', pinned, '--quiet']).status).toBe(0);
    expect(readFileSync(pinned).equals(readFileSync(here))).toBe(true);
  });
});

describe('--max-pixels on what ffmpeg reads', () => {
  it('refuses a picture over the limit, said as the limit (found by QA: a 16000x16000 TGA header was decoded first)', async () => {
    // 18 bytes: the header of a 16000x16000 TGA, no pixels (ffmpeg decodes it as black).
    // This checks the refusal and its words. How soon it comes (0.5 s and 70 MB, against 10 s
    // and 760 MB when ffmpeg decoded the frame first) was measured by hand: tests do not time.
    const file = path.join(work, 'huge.tga');
    const header = Buffer.alloc(18);
    header.writeUInt8(2, 2);
    header.writeUInt16LE(16000, 12);
    header.writeUInt16LE(16000, 14);
    header.writeUInt8(24, 16);
    writeFileSync(file, header);
    await expect(openInput(file, resolveInputOptions({ maxPixels: 1_000_000 }))).rejects.toMatchObject({
      code: 'ERR_LIMIT',
      message: `${file}: frames of 16000x16000 exceed the limit of 1000000 pixels (raise the limit with --max-pixels)`,
    });
  });

  it('takes frames at the limit, a limit past what ffmpeg stores, and a larger second video stream (found by review: -max_pixels refused 1000x1000 at 1000000, tested the aligned 1024 wide)', async () => {
    const make = (name: string, args: string[]): string => {
      const file = path.join(work, name);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', ...args, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
      return file;
    };
    const square = make('square.mp4', ['-f', 'lavfi', '-i', 'color=c=gray:s=1000x1000:d=0.08']);
    expect((await openInput(square, resolveInputOptions({ maxPixels: 1_000_000 }))).info.width).toBe(1000);
    await expect(openInput(square, resolveInputOptions({ maxPixels: 999_999 }))).rejects.toMatchObject({ code: 'ERR_LIMIT', message: expect.stringContaining('frames of 1000x1000 exceed') });
    // ffmpeg takes no -max_pixels over 2^31 - 1 ("Numerical result out of range" for every video).
    expect((await openInput(square, resolveInputOptions({ maxPixels: 3e9 }))).info.width).toBe(1000);
    // Only the stream read counts: ffmpeg decodes the others too while it looks at them.
    const two = make('two-streams.mkv', ['-f', 'lavfi', '-i', 'color=c=red:s=320x240:d=0.08', '-f', 'lavfi', '-i', 'color=c=blue:s=4000x3000:d=0.08', '-map', '0', '-map', '1']);
    const first = await openInput(two, resolveInputOptions({ maxPixels: 5_000_000 }));
    expect([first.info.width, first.info.height]).toEqual([320, 240]);
  });
});

describe('a video with damaged frames', () => {
  it('is read with a warning (ffmpeg says "Error while decoding stream" with no decoder prefix: frames were lost unsaid)', async () => {
    const file = path.join(work, 'damaged.webm');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', realshort, '-t', '0.5', '-an', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', file]);
    expect((await readAll(file)).frames.length).toBe(16);
    // Bytes past the header overwritten, the same ones every run (a fixed linear congruential sequence).
    const bytes = readFileSync(file);
    let state = 12345;
    for (let i = 0; i < 40; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      bytes[400 + (state % (bytes.length - 400))] = state & 255;
    }
    writeFileSync(file, bytes);
    const source = await openVideo(file, {});
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBeGreaterThan(0);
    expect(source.warnings).toEqual([expect.stringMatching(/damaged\.webm: the video is damaged \(ffmpeg: .*(Error while decoding stream|Failed to decode frame).*\); frames may be missing or show artefacts$/)]);
  });

  it('a video most of whose frames fail to decode is read as far as ffmpeg decodes it, with a warning (found by a fuzzing audit: past two frames in three with errors ffmpeg exits 69 after writing every frame, and the run failed quoting an unrelated line)', async () => {
    const whole = path.join(work, 'png-frames.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48:r=10:d=2', '-c:v', 'png', whole]);
    // Three frames in four damaged inside their compressed pixels: inflate fails on those.
    const bytes = readFileSync(whole);
    let n = 0;
    for (let at = bytes.indexOf('IDAT'); at >= 0; at = bytes.indexOf('IDAT', at + 1)) if (n++ % 4 !== 0) bytes[at + 20] ^= 0xff;
    expect(n).toBe(20);
    const file = path.join(work, 'mostly-damaged.mkv');
    writeFileSync(file, bytes);
    const source = await openVideo(file, {});
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBeGreaterThan(0);
    expect(source.warnings).toEqual([expect.stringMatching(/mostly-damaged\.mkv: the video is damaged \(ffmpeg: .*\); frames may be missing or show artefacts$/)]);
  });

  it('a WebM whose first cluster is garbage is read with a warning (ffmpeg skipped 60 of its 94 frames, and nothing was said)', async () => {
    const bytes = Buffer.from(readFileSync(path.join(corpus, 'videos/imageio__test.webm')));
    const cluster = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
    for (let i = 4; i < 300; i++) bytes[cluster + i] = (i * 211 + 11) & 255;
    const file = path.join(work, 'garbage-cluster.webm');
    writeFileSync(file, bytes);
    const source = await openVideo(file, {});
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBe(34);
    // ffmpeg 4.1 says "Invalid EBML number size tag 0x07", 5.1 "Element at 0xdc ... exceeds containing master element".
    expect(source.warnings).toEqual([expect.stringMatching(/garbage-cluster\.webm: the video is damaged \(ffmpeg: \[matroska,webm\] (Invalid EBML number size tag 0x07|Element at 0xdc).*\); frames may be missing or show artefacts$/)]);
  });

  it('a Matroska file cut between two clusters is read with a warning (ffmpeg 4.1 read it as if whole, and nothing was said), and one whose times start late is not', async () => {
    const whole = path.join(work, 'six-seconds.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', path.join(corpus, 'videos/moviepy__big_buck_bunny_0_30.webm'), '-t', '6', '-an', '-c:v', 'copy', whole]);
    const bytes = readFileSync(whole);
    // Cut where its second cluster begins: 9 frames of the 6 s the file states.
    const second = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]), bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75])) + 1);
    const cut = path.join(work, 'cut-between-clusters.mkv');
    writeFileSync(cut, bytes.subarray(0, second));
    const source = await openVideo(cut, { width: 64 });
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBe(9);
    // ffmpeg 5.1 says "File ended prematurely"; 4.1 nothing, and the frames' end says it.
    expect(source.warnings).toEqual([expect.stringMatching(/cut-between-clusters\.mkv: (its frames end at 0\.38 s of the 6\.00 s the file states: cut short or damaged; frames may be missing|the video is damaged \(ffmpeg: \[matroska,webm\] File ended prematurely.*)$/)]);
    // A whole clip whose times start at 5 s (cut from a longer one, its place kept) states a
    // length counted from 0: measured from its first frame, it is whole, and nothing is said
    // (it was "cut short or damaged": its frames end at 2.00 s of the 7.00 s).
    for (const [container, offset] of [['mkv', '5'], ['webm', '5'], ['mkv', '3600']]) {
      const late = path.join(work, `late-start-${offset}.${container}`);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', whole, '-t', '2', '-c:v', 'copy', '-output_ts_offset', offset, late]);
      const read = await openVideo(late, { width: 64 });
      let lateFrames = 0;
      for await (const _ of read.frames) lateFrames++;
      expect([lateFrames, read.warnings]).toEqual([48, []]);
    }
    // Read whole, or a part of it, nothing is said.
    for (const options of [{ width: 64 }, { width: 64, duration: 0.3 }]) {
      const read = await openVideo(whole, options);
      for await (const _ of read.frames);
      expect(read.warnings).toEqual([]);
    }
  });

  it('an MP4 whose times start late and whose length counts from 0 is not said to be cut short', async () => {
    // Its movie header states 5.30 s from 0, its 50 frames start at 3.3 s (the fixture's
    // README): "its frames end at 2.00 s of the 5.30 s the file states: cut short or damaged".
    const late = path.join(repoRoot, 'test/fixtures/late-start/late-start.mp4');
    expect(parseProbe(spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', late], { encoding: 'utf8' }).stderr)).toMatchObject({ durationSec: 5.3, lengthMayCountFrom: 3.3 });
    const read = await openVideo(late, {});
    let frames = 0;
    for await (const _ of read.frames) frames++;
    expect([frames, read.warnings]).toEqual([50, []]);
    // Its frames are estimated from the shorter reading, 50, not 133: --max-frames 60 reads it
    // (it was refused up front, "about 133 frames at 25 fps, more than the limit of 60").
    expect(read.info.frameCount).toBe(50);
    const limited = await openInput(late, resolveInputOptions({ maxFrames: 60 }));
    let limitedFrames = 0;
    for await (const _ of limited.frames) limitedFrames++;
    expect(limitedFrames).toBe(50);
    // A part past its frames is said to be, both readings given (it said the video lasts 5.30 s).
    const part = await openVideo(late, { start: 3 });
    await expect((async () => {
      for await (const _ of part.frames);
    })()).rejects.toThrow(`${late}: no frame comes out of the part asked for with --start (the video lasts 5.30 s, or 2.00 s if the file counts that from 0, not from its first frame at 3.30 s); ask for a longer part`);
    // One whose frames end well before even the shorter reading still is: the same file
    // made to state 10 s in its movie header, 6.70 s from its first frame.
    const bytes = readFileSync(late);
    const header = bytes.indexOf('mvhd');
    expect([bytes[header + 4], bytes.readUInt32BE(header + 16), bytes.readUInt32BE(header + 20)]).toEqual([0, 1000, 5300]);
    bytes.writeUInt32BE(10_000, header + 20);
    const longer = path.join(work, 'late-start-stated-10s.mp4');
    writeFileSync(longer, bytes);
    const longerRead = await openVideo(longer, {});
    let longerFrames = 0;
    for await (const _ of longerRead.frames) longerFrames++;
    expect([longerFrames, longerRead.warnings]).toEqual([50, [`${longer}: its frames end at 2.00 s of the 6.70 s the file states: cut short or damaged; frames may be missing`]]);
    // The shorter reading is the check's alone: a variable-rate MP4 whose length counts from its
    // first frame (the bundled ffmpeg's) shows its last frame as long as it lasts (100 ms,
    // not 500: taken as counted from 0, the file's end came 0.2 s before the frame's).
    const vfr = path.join(work, 'late-start-vfr.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=3', '-vf', "setpts='if(lt(N\\,20)\\,N*0.1\\,2+(N-20)*0.5)/TB'", '-vsync', 'vfr', '-c:v', 'libx264', '-bf', '0', '-bitexact', '-output_ts_offset', '0.2', vfr]);
    const vfrRead = await openVideo(vfr, {});
    const delays: number[] = [];
    for await (const frame of vfrRead.frames) delays.push(Math.round(frame.delayMs));
    expect([delays.length, delays.slice(-3), delays.reduce((a, b) => a + b, 0), vfrRead.warnings]).toEqual([30, [500, 500, 100], 6600, []]);
  });
});

describe("an MP4 whose frames' times are damaged", () => {
  it('says so (a fuzzing audit: its time table with a step of 0 read as 11 of its 24 frames, unsaid)', async () => {
    const whole = path.join(repoRoot, 'test/fixtures/hdr/sdr.mp4');
    const bytes = readFileSync(whole);
    // The time table (stts): one entry, 24 frames of 512 ticks each; made 24 of 0.
    const stts = bytes.indexOf('stts');
    expect([bytes.readUInt32BE(stts + 8), bytes.readUInt32BE(stts + 12), bytes.readUInt32BE(stts + 16)]).toEqual([1, 24, 512]);
    bytes.writeUInt32BE(0, stts + 16);
    const damaged = path.join(work, 'stts-step-0.mp4');
    writeFileSync(damaged, bytes);
    const read = await openVideo(damaged, { width: 64 });
    let frames = 0;
    for await (const _ of read.frames) frames++;
    expect(frames).toBeLessThan(24);
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings![0].startsWith(`${damaged}: `)).toBe(true);
    expect(read.warnings![0]).toMatch(/: its frames' times are damaged \(\d+ of its 24 frames have the time of another\); frames may be missing or out of order$/);
    // The whole file: every frame, nothing said.
    const healthy = await openVideo(whole, { width: 64 });
    let healthyFrames = 0;
    for await (const _ of healthy.frames) healthyFrames++;
    expect([healthyFrames, healthy.warnings]).toEqual([24, []]);
  });
});

describe('a clip read twice (global seeding) that is cut short before the second pass', () => {
  it('reports the damage that pass meets (the run ended with fewer frames and no warning)', async () => {
    const { openReusable } = await import('../../src/io/open-input.js');
    const { resolveInputOptions } = await import('../../src/options.js');
    const file = path.join(work, 'cut-between-passes.mp4');
    // Its index first (as a streaming MP4 has it), so that the cut leaves a readable file.
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-i', path.join(corpus, 'videos/moviepy__chaplin.mp4'), '-an', '-c', 'copy', '-movflags', '+faststart', file]);
    const reusable = await openReusable(file, resolveInputOptions({}));
    const count = async (): Promise<number> => {
      let n = 0;
      for await (const _ of (await reusable.open()).frames) n++;
      return n;
    };
    expect(await count()).toBe(241);
    expect(reusable.warnings).toEqual([]);
    writeFileSync(file, readFileSync(file).subarray(0, 300_000));
    expect(await count()).toBeLessThan(241);
    expect(reusable.warnings).toEqual([expect.stringMatching(/^.*cut-between-passes\.mp4: the video is damaged \(ffmpeg: .*\); frames may be missing or show artefacts$/)]);
  });
});

describe('colour matrix', () => {
  /** One frame of flat red (192, 48, 32), turned into YUV with `matrix`, labelled with it or not. */
  const redClip = (name: string, size: string, matrix: 'bt709' | 'bt601', label: boolean, rotate = false): string => {
    const file = path.join(work, name);
    const tags = label ? ['-colorspace', matrix === 'bt709' ? 'bt709' : 'smpte170m'] : [];
    const encoded = rotate ? `${file}.unturned.mp4` : file;
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0xc03020:s=${size}:r=25:d=0.04`, '-vf', `scale=out_color_matrix=${matrix}:out_range=tv,format=yuv420p`, '-c:v', 'libx264', ...tags, encoded]);
    // A phone's portrait video: stored as shot, with a rotation tag (ffmpeg 4.1 writes it on a stream copy).
    if (rotate) execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', encoded, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
    return file;
  };
  const centre = async (file: string): Promise<number[]> => {
    const { info, frames } = await readAll(file);
    const p = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 4;
    return Array.from(frames[0].data.subarray(p, p + 3));
  };
  const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]) <= 4);

  it('an HD video that names no matrix is read as BT.709, as players read it (ffmpeg alone took BT.601: red 192,48,32 read 177,30,32)', async () => {
    const untagged = await centre(redClip('hd-untagged.mp4', '1280x720', 'bt709', false));
    expect(near(untagged, [192, 48, 32]), String(untagged)).toBe(true);
    // A named matrix is followed, and a smaller video that names none is BT.601, as before.
    const tagged = await centre(redClip('hd-tagged-601.mp4', '1280x720', 'bt601', true));
    expect(near(tagged, [192, 48, 32]), String(tagged)).toBe(true);
    const sd = await centre(redClip('sd-untagged.mp4', '640x480', 'bt601', false));
    expect(near(sd, [192, 48, 32]), String(sd)).toBe(true);
    // Shown upright as 480x640, over 576 high, but stored SD: BT.601 still (it read 203,59,29).
    const rotated = redClip('sd-untagged-rotated.mp4', '640x480', 'bt601', false, true);
    expect((await readAll(rotated)).info.height).toBe(640);
    const turned = await centre(rotated);
    expect(near(turned, [192, 48, 32]), String(turned)).toBe(true);
  });

  it('a resized video keeps its colours: chaplin.mp4, black and white, stays grey at --width 320 (it was tinted magenta, R and B up to 3 above G)', async () => {
    const chaplin = path.join(__dirname, '../../samples/chaplin.mp4');
    for (const width of [320, 800]) {
      const { frames } = await readAll(chaplin, { width, duration: 0.3 });
      let worst = 0;
      for (const { data } of frames) for (let i = 0; i < data.length; i += 4) worst = Math.max(worst, Math.abs(data[i] - data[i + 1]), Math.abs(data[i + 1] - data[i + 2]));
      expect(worst, `--width ${width}`).toBe(0);
    }
    // Untagged HD through the BT.709 scaler: red (192, 48, 32) exactly as computed from its YUV values.
    const red = await readAll(redClip('hd-untagged-resized.mp4', '1280x720', 'bt709', false), { width: 320 });
    const colours = new Set<string>();
    for (let i = 0; i < red.frames[0].data.length; i += 4) colours.add(Array.from(red.frames[0].data.subarray(i, i + 3)).join());
    expect(colours.size).toBe(1);
    expect(near([...colours][0].split(',').map(Number), [192, 48, 32])).toBe(true);
  });

  it('a 10-bit video keeps its greys at its own size (ffmpeg\'s fast conversion read 10-bit 128 as 128, 126, 128)', async () => {
    // Flat greys stored losslessly as 10-bit 4:2:0 (FFV1), limited range, tagged BT.709, at SD and HD size.
    for (const [size, grey] of [['640x360', 0x80], ['1280x720', 0xe0]] as const) {
      const file = path.join(work, `grey-${size}-10bit.mkv`);
      const hex = grey.toString(16).repeat(3);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=${size}:r=25:d=0.2`, '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p10le',
        '-c:v', 'ffv1', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv', file]);
      const { frames } = await readAll(file, { duration: 0.08 });
      const colours = new Set<string>();
      for (const { data } of frames) for (let i = 0; i < data.length; i += 4) colours.add(Array.from(data.subarray(i, i + 3)).join());
      // One colour, grey (no tint), within the level that making the clip may round off.
      expect(colours.size, size).toBe(1);
      const [r, g, b] = [...colours][0].split(',').map(Number);
      expect([r === g && g === b, Math.abs(g - grey) <= 1], `${size}: ${r},${g},${b}`).toEqual([true, true]);
    }
  });

  it('planar RGB of more than 8 bits (FFV1 RGB, DNxHR 444) is read exactly, at its size and resized (ffmpeg 4.1 read it up to 2 levels off)', async () => {
    // A real photo stored losslessly as 8-bit RGB and as 10-, 12- and 16-bit planar RGB (alpha too).
    const png = path.join(work, 'coffee-96.png');
    await sharp(path.join(__dirname, '../../samples/coffee.png')).resize(96, 64, { fit: 'fill' }).removeAlpha().png().toFile(png);
    const store = (format: string): string => {
      const file = path.join(work, `coffee-${format}.mkv`);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-loop', '1', '-framerate', '25', '-i', png, '-t', '0.08', '-vf', `format=${format}`, '-c:v', 'ffv1', file]);
      return file;
    };
    const eightBit = store('gbrp');
    const stored = await sharp(png).ensureAlpha().raw().toBuffer();
    for (const format of ['gbrp10le', 'gbrp12le', 'gbrap16le']) {
      const file = store(format);
      expect((await probeVideo(file)).deepRgb).toBe(true);
      const { frames } = await readAll(file);
      expect(Buffer.compare(Buffer.from(frames[0].data), stored), format).toBe(0);
      // Resized, as the 8-bit frames are: to within the rounding of 16 bits against 8.
      const [deep, plain] = [await readAll(file, { width: 48 }), await readAll(eightBit, { width: 48 })];
      let worst = 0;
      for (let i = 0; i < deep.frames[0].data.length; i++) worst = Math.max(worst, Math.abs(deep.frames[0].data[i] - plain.frames[0].data[i]));
      expect(worst, `${format} at --width 48`).toBeLessThanOrEqual(1);
    }
  });

  it('8-bit greys stated in limited range are expanded, as deeper greys and YUV are (ffmpeg read black 16 as 16)', async () => {
    // Flat greys stored losslessly as 8-bit grey (FFV1), limited range and so tagged; and full range, untagged.
    for (const [range, tags] of [['tv', ['-color_range', 'tv']], ['pc', []]] as const) {
      for (const grey of [0x20, 0x80, 0xe0]) {
        const file = path.join(work, `grey8-${range}-${grey}.mkv`);
        const hex = grey.toString(16).repeat(3);
        execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=64x48:r=25:d=0.08`, '-vf', `scale=out_range=${range},format=gray`, '-c:v', 'ffv1', ...tags, file]);
        expect((await probeVideo(file)).limitedGrey, `${range} ${grey}`).toBe(range === 'tv' ? true : undefined);
        for (const options of [{}, { width: 33 }]) {
          const { frames } = await readAll(file, options);
          const [r, g, b] = Array.from(frames[0].data.subarray(0, 3));
          expect([r === g && g === b, Math.abs(g - grey) <= 1], `${range} ${grey} ${JSON.stringify(options)}: ${r},${g},${b}`).toEqual([true, true]);
        }
      }
    }
  });

  it('parseProbe guesses BT.709 for a YUV stream that names no matrix at an HD size as stored, before rotation', () => {
    const probe = (format: string, size = '1280x720', rotatedTo?: string) =>
      parseProbe(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':\n  Duration: 00:00:01.00, start: 0.000000, bitrate: 14 kb/s\n    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), ${format}, ${size} [SAR 1:1 DAR 16:9], 14 kb/s, 25 fps, 25 tbr, 12800 tbn, 50 tbc (default)\n` +
        (rotatedTo === undefined ? '' : `Output #0, null, to 'pipe:':\n    Stream #0:0(und): Video: wrapped_avframe, yuv420p, ${rotatedTo}, q=2-31, 200 kb/s, 25 fps, 25 tbn, 25 tbc (default)\n`))?.guessBt709;
    expect(probe('yuv420p')).toBe(true);
    expect(probe('yuv420p(progressive)')).toBe(true);
    expect(probe('yuv420p(tv, unknown/bt709/bt709)')).toBe(true);
    expect(probe('yuv420p(tv, bt709)')).toBeUndefined();
    expect(probe('yuv420p(tv, bt470bg/bt470bg/smpte170m, progressive)')).toBeUndefined();
    expect(probe('rgb24')).toBeUndefined();
    expect(probe('yuv420p', '640x480')).toBeUndefined();
    // A 640x480 phone video turned upright is shown 480x640, over 576 high, but stored SD.
    expect(probe('yuv420p', '640x480', '480x640')).toBeUndefined();
    expect(probe('yuv420p', '720x1280', '1280x720')).toBe(true);
  });
});

describe('HDR video', () => {
  // Made from sdr.mp4 (a second of Big Buck Bunny) with its white placed at HDR's reference
  // white, 203 cd/m², as BT.2408 has it: see test/fixtures/hdr/README.md.
  const fixture = (name: string) => path.resolve(__dirname, '../fixtures/hdr', name);
  const framesDiff = async (file: string, options = {}): Promise<number> => {
    const [hdr, sdr] = await Promise.all([readAll(file, options), readAll(fixture('sdr.mp4'), options)]);
    expect(hdr.frames.length).toBe(sdr.frames.length);
    return hdr.frames.reduce((sum, f, i) => sum + meanAbsDiff(f.data, sdr.frames[i].data), 0) / hdr.frames.length;
  };

  it('PQ and HLG video is tone-mapped to SDR: its frames match the SDR clip it was made from (read as ffmpeg reads it, they were dim and grey: 46 levels off)', async () => {
    for (const name of ['pq.mp4', 'hlg.mp4']) {
      expect(await framesDiff(fixture(name)), name).toBeLessThan(4);
      // Resized first, then tone-mapped: the same at a smaller size.
      expect(await framesDiff(fixture(name), { width: 160 }), `${name} --width 160`).toBeLessThan(4);
    }
  });

  it('a stream that names only its transfer is taken as BT.2020 (zscale refuses to convert from unknown colours)', async () => {
    const file = path.join(work, 'pq-transfer-only.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', fixture('pq.mp4'), '-c', 'copy', '-bsf:v', 'hevc_metadata=matrix_coefficients=2:colour_primaries=2', file]);
    expect(await framesDiff(file)).toBeLessThan(4);
  });

  it('an odd size (zimg takes no odd 4:2:0 frame: the read failed) and RGB-coded PQ (ffmpeg 4.1 desaturated it to black)', async () => {
    expect(await framesDiff(fixture('pq.mp4'), { width: 161 })).toBeLessThan(4);
    const rgb = path.join(work, 'pq-rgb.mkv');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', fixture('sdr.mp4'), '-vf', 'zscale=t=smpte2084:p=bt2020:npl=203,format=gbrp10le', '-c:v', 'ffv1', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'rgb', rgb]);
    expect(await framesDiff(rgb)).toBeLessThan(4);
  });

  it('levels: up to 0.8 of reference white kept, reference white at 244, highlights rolled off below 255', async () => {
    /** A flat frame of sRGB grey `level` placed in PQ with its white at 203 cd/m² (`gain` times brighter), read back. */
    const read = async (level: number, gain = 1): Promise<number> => {
      const file = path.join(work, `pq-flat-${level}-${gain}.mkv`);
      const hex = level.toString(16).padStart(2, '0').repeat(3);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=16x16:r=25:d=0.04,format=gbrp`, '-vf', `zscale=tin=bt709:min=gbr:pin=bt709:rin=full:t=smpte2084:p=bt2020:m=bt2020nc:npl=${203 * gain}:r=full,format=yuv444p10le`, '-c:v', 'ffv1', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-color_range', 'pc', file]);
      return (await readAll(file)).frames[0].data[0];
    };
    expect(await read(180)).toBe(180);
    expect(Math.abs((await read(255)) - 244)).toBeLessThanOrEqual(1);
    // 700 cd/m²: above reference white, below the 1000 rolled off to.
    const bright = await read(255, 700 / 203);
    expect(bright).toBeGreaterThan(250);
  });

  it('SDR video with BT.2020 primaries has its colours moved to sRGB\'s, as a colour-managed player shows them (only its matrix was applied: red 192, 48, 32 read as 159, 74, 46)', async () => {
    // Flat colours placed in BT.2020 (same transfer, BT.709's curve), 10-bit, at an even and an odd size.
    const colours = [[192, 48, 32], [128, 128, 128], [32, 80, 192], [48, 176, 64]];
    for (const [r, g, b] of colours) {
      const file = path.join(work, `bt2020-sdr-${r}-${g}-${b}.mkv`);
      const hex = [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=64x48:r=25:d=0.04`, '-vf', 'format=gbrp,zscale=tin=bt709:pin=bt709:t=bt709:m=bt2020nc:p=bt2020:r=tv,format=yuv420p10le',
        '-c:v', 'ffv1', '-colorspace', 'bt2020nc', '-color_primaries', 'bt2020', '-color_trc', 'bt709', '-color_range', 'tv', file]);
      for (const options of [{}, { width: 33 }]) {
        const [frame] = (await readAll(file, options)).frames;
        const at = (frame.height >> 1) * frame.width * 4 + (frame.width >> 1) * 4;
        const got = Array.from(frame.data.subarray(at, at + 3));
        expect(got.every((v, i) => Math.abs(v - [r, g, b][i]) <= 2), `${hex} ${JSON.stringify(options)}: ${got}`).toBe(true);
      }
    }
  });

  it('SDR video with P3 primaries (a phone\'s Display P3, cinema\'s DCI-P3) is moved to sRGB\'s too (red 192, 48, 32 read as 177, 62, 45)', async () => {
    // Flat colours placed in each P3 (BT.709's matrix and curve), 8-bit H.264, at its size and resized.
    // Also as RGB (FFV1, matrix "gbr") at an odd size, which zimg refused when it was made 4:4:4 YUV first.
    const stores = [
      { ext: 'mp4', size: '64x48', matrix: 'bt709', range: 'tv', format: 'yuv444p', codec: ['-c:v', 'libx264', '-qp', '0'] },
      { ext: 'mkv', size: '65x49', matrix: 'gbr', range: 'pc', format: 'gbrp', codec: ['-c:v', 'ffv1'] },
    ];
    for (const [primaries, store] of [['smpte432', stores[0]], ['smpte431', stores[0]], ['smpte432', stores[1]]] as const) {
      for (const [r, g, b] of [[192, 48, 32], [128, 128, 128], [48, 176, 64]]) {
        const file = path.join(work, `${primaries}-${store.matrix}-${r}-${g}-${b}.${store.ext}`);
        const hex = [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
        execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=${store.size}:r=25:d=0.04`, '-vf', `format=gbrp,zscale=tin=bt709:pin=bt709:t=bt709:m=${store.matrix}:p=${primaries}:r=${store.range},format=${store.format}`,
          ...store.codec, '-colorspace', store.matrix === 'gbr' ? 'rgb' : store.matrix, '-color_primaries', primaries, '-color_trc', 'bt709', '-color_range', store.range, file]);
        expect((await probeVideo(file)).wideGamut?.primaries).toBe(primaries);
        for (const options of [{}, { width: 33 }]) {
          const [frame] = (await readAll(file, options)).frames;
          const at = (frame.height >> 1) * frame.width * 4 + (frame.width >> 1) * 4;
          const got = Array.from(frame.data.subarray(at, at + 3));
          expect(got.every((v, i) => Math.abs(v - [r, g, b][i]) <= 2), `${primaries} ${store.matrix} ${hex} ${JSON.stringify(options)}: ${got}`).toBe(true);
        }
      }
    }
  });

  it('parseProbe reads the range, matrix, primaries and transfer of a PQ or HLG stream, and nothing for SDR', () => {
    const probe = (format: string) =>
      parseProbe(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':\n  Duration: 00:00:01.00, start: 0.000000, bitrate: 14 kb/s\n    Stream #0:0(und): Video: hevc (Main 10) (hvc1 / 0x31637668), ${format}, 320x180 [SAR 1:1 DAR 16:9], 14 kb/s, 24 fps, 24 tbr, 12288 tbn, 24 tbc (default)\n`)?.hdr;
    expect(probe('yuv420p10le(tv, bt2020nc/bt2020/smpte2084, progressive)')).toEqual({ range: 'tv', matrix: 'bt2020nc', primaries: 'bt2020', transfer: 'smpte2084' });
    expect(probe('yuv420p10le(pc, bt2020nc/bt2020/arib-std-b67)')).toEqual({ range: 'pc', matrix: 'bt2020nc', primaries: 'bt2020', transfer: 'arib-std-b67' });
    // No range printed when the stream states none.
    expect(probe('yuv420p10le(unknown/unknown/smpte2084)')).toEqual({ range: 'tv', matrix: 'unknown', primaries: 'unknown', transfer: 'smpte2084' });
    // SDR with BT.2020's primaries is not HDR: its gamut is moved, not its levels.
    expect(probe('yuv420p10le(tv, bt2020nc/bt2020/bt2020-10)')).toBeUndefined();
    expect(probe('yuv420p(tv, bt709)')).toBeUndefined();
    expect(probe('yuv420p')).toBeUndefined();
  });
});

describe('interlaced video', () => {
  /** Per thousand colour values, those that stand out from both rows around them the same way by over 30: the teeth of a combed edge. */
  function combing(f: TimedFrame): number {
    const row = f.width * 4;
    let teeth = 0;
    let all = 0;
    for (let o = row; o + row < f.data.length; o++) {
      if ((o & 3) === 3) continue;
      all++;
      if ((f.data[o] - f.data[o - row]) * (f.data[o] - f.data[o + row]) > 900) teeth++;
    }
    return (1000 * teeth) / all;
  }

  /** A white box moving right over black, 0.4 s at 25 fps, written to `file`; `fields` weaves 50 fields a second into interlaced frames, top field first. */
  const movingBox = (file: string, fields: boolean) =>
    execFileSync(ffmpegLocation().path, [
      '-v', 'error', '-f', 'lavfi', '-i',
      `color=c=black:s=160x120:r=${fields ? 50 : 25}:d=0.4[bg];color=c=white:s=40x60:r=${fields ? 50 : 25}[box];[bg][box]overlay=x='20+t*200':y=30:shortest=1${fields ? ',tinterlace=mode=interleave_top,setfield=tff' : ''}`,
      ...(fields ? ['-flags', '+ildct+ilme', '-c:v', 'mpeg2video', '-q:v', '2', '-top', '1'] : ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']),
      file,
    ]);

  it('an interlaced video is deinterlaced, one frame per frame (the edges of the moving box were combed)', async () => {
    const woven = path.join(work, 'interlaced.mpg');
    movingBox(woven, true);
    const read = await readAll(woven);
    expect([read.frames.length, read.info.fps]).toEqual([10, 25]);
    // As stored (decoded by ffmpeg with no filters at all), the same frames show the box at two places, row by row.
    const storedFrames = storedRgba(woven, 160, 120);
    expect(storedFrames.length).toBe(10);
    for (let i = 0; i < 10; i++) {
      expect(combing(storedFrames[i])).toBeGreaterThan(10);
      expect(combing(read.frames[i])).toBeLessThan(1);
      // The same picture, not a neighbour's: the box moves 8 pixels a field.
      expect(meanAbsDiff(read.frames[i].data, storedFrames[i].data)).toBeLessThan(6);
    }
    // A progressive video of the same pattern goes through untouched.
    const progressive = path.join(work, 'progressive.mp4');
    movingBox(progressive, false);
    const plain = await readAll(progressive);
    const plainStored = storedRgba(progressive, 160, 120);
    expect(plainStored.length).toBe(10);
    plainStored.forEach((f, i) => expect(Buffer.from(plain.frames[i].data).equals(Buffer.from(f.data))).toBe(true));
  });

  it("the probe reads each rotation label, negative ones included (ffmpeg prints a 180 and a 270 label as 'rotation of -180.00' and '-90.00'), as the turn the deinterlacer makes after it", async () => {
    const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', ...args]);
    const plain = path.join(work, 'label-plain.mp4');
    ff('-f', 'lavfi', '-i', 'color=c=black:s=32x24:r=10:d=0.2', '-c:v', 'libx264', plain);
    const turns: Record<string, number | undefined> = {};
    for (const label of [0, 90, 180, 270]) {
      const labelled = path.join(work, `label-${label}.mp4`);
      ff('-i', plain, '-c', 'copy', '-metadata:s:v:0', `rotate=${label}`, labelled);
      turns[label] = (await probeVideo(labelled)).rotation;
    }
    // A label of 90 is a quarter turn clockwise to show it; ffmpeg's display matrix counts the other way.
    expect(turns).toEqual({ 0: undefined, 90: 270, 180: 180, 270: 90 });
  });

  it('a rotated interlaced video is deinterlaced before it is turned upright (the fields were columns by then: combing stayed), and frames under 3 rows pass (bwdif refused them)', async () => {
    const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', ...args]);
    // The moving box, woven, in H.264 (which MP4 can carry with a rotation), then marked to be shown a quarter turn.
    const box = "color=c=black:s=160x120:r=50:d=0.4[bg];color=c=white:s=40x60:r=50[box];[bg][box]overlay=x='20+t*200':y=30:shortest=1,tinterlace=mode=interleave_top,setfield=tff";
    const woven = path.join(work, 'woven.mp4');
    ff('-f', 'lavfi', '-i', box, '-flags', '+ildct+ilme', '-c:v', 'libx264', '-crf', '10', woven);
    const turned = path.join(work, 'woven-turned.mp4');
    ff('-i', woven, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', turned);
    const upright = (await readAll(woven)).frames;
    const read = await readAll(turned);
    expect([read.info.width, read.info.height, read.frames.length]).toEqual([120, 160, upright.length]);
    /** Teeth across columns, per thousand values: a turned frame's fields are columns. */
    const columnTeeth = (f: TimedFrame) => {
      let teeth = 0;
      let all = 0;
      for (let o = 4; o + 4 < f.data.length; o++) {
        if ((o & 3) === 3) continue;
        all++;
        if ((f.data[o] - f.data[o - 4]) * (f.data[o] - f.data[o + 4]) > 900) teeth++;
      }
      return (1000 * teeth) / all;
    };
    for (let i = 0; i < read.frames.length; i++) {
      expect(columnTeeth(read.frames[i]), `frame ${i}`).toBeLessThan(1);
      // The same picture as the upright file's, turned as ffmpeg turns it for this file (its
      // display matrix says a quarter turn counter-clockwise): pixel (x, y) is at (y, 159 - x).
      const a = upright[i].data;
      const b = read.frames[i].data;
      let diff = 0;
      for (let y = 0; y < 120; y++) for (let x = 0; x < 160; x++) diff += Math.abs(a[(y * 160 + x) * 4] - b[((159 - x) * 120 + y) * 4]);
      expect(diff / (160 * 120), `frame ${i}`).toBeLessThan(2);
    }
    const thin = path.join(work, 'thin-interlaced.mkv');
    ff('-f', 'lavfi', '-i', 'testsrc2=s=64x2:r=25:d=0.4', '-c:v', 'ffv1', '-field_order', 'tt', thin);
    expect((await readAll(thin)).frames.length).toBe(10);
  });

  it('parseProbe: a stated field order or a first frame flagged interlaced; the mapping lines are not streams', () => {
    const report = (format: string, flag: string) =>
      `Input #0, mpeg, from 'x.mpg':\n  Duration: 00:00:00.40, start: 0.500000, bitrate: 1000 kb/s\n    Stream #0:0[0x1e0]: Video: mpeg2video (Main), ${format}, 160x120 [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 90k tbn, 50 tbc\n` +
      `Stream mapping:\n  Stream #0:0 -> #0:0 (mpeg2video (native) -> wrapped_avframe (native))\n` +
      `[Parsed_showinfo_0 @ 0x5600] n:   0 pts:      0 pts_time:0       pos:       27 fmt:yuv420p sar:1/1 s:160x120 ${flag} iskey:1 type:I checksum:0178BF2C\n` +
      `Output #0, null, to 'pipe:':\n    Stream #0:0: Video: wrapped_avframe, yuv420p, 160x120 [SAR 1:1 DAR 4:3], q=2-31, 200 kb/s, 25 fps, 25 tbn, 25 tbc\n`;
    expect(parseProbe(report('yuv420p(tv, top first)', 'i:P'))?.interlaced).toBe(true);
    expect(parseProbe(report('yuv420p(tv, bottom coded first (swapped))', 'i:P'))?.interlaced).toBe(true);
    expect(parseProbe(report('yuv420p', 'i:B'))?.interlaced).toBe(true);
    expect(parseProbe(report('yuv420p(tv, progressive)', 'i:P'))?.interlaced).toBeUndefined();
    // One stream: "Stream #0:0 -> #0:0" counted as a second one marked every video as having sound or subtitles.
    expect(parseProbe(report('yuv420p', 'i:P'))?.otherStreams).toBeUndefined();
  });
});

describe('ffmpeg binary choice', () => {
  it('reads every frame with -fps_mode where the binary has it, else -vsync (ffmpeg 9 removed -vsync; the bundled 4.1 lacks -fps_mode)', async () => {
    const { passthroughOptions } = await import('../../src/io/ffmpeg-path.js');
    const saved = process.env.FFMPEG_PATH;
    try {
      // Stand-ins that accept or refuse -fps_mode as ffmpeg 5.1+ and 4.x do.
      for (const [name, knows] of [['new-ffmpeg', true], ['old-ffmpeg', false]] as const) {
        const fake = path.join(work, name);
        writeFileSync(fake, `#!/bin/sh\ncase "$*" in *-fps_mode*) exit ${knows ? 0 : 1};; esac\nexit 0\n`);
        chmodSync(fake, 0o755);
        process.env.FFMPEG_PATH = fake;
        expect(passthroughOptions()).toEqual([knows ? '-fps_mode' : '-vsync', 'passthrough']);
      }
      delete process.env.FFMPEG_PATH;
      expect(passthroughOptions()).toEqual(['-vsync', 'passthrough']); // the bundled 4.1
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });

  it('with the bundled binary\'s package missing (an install with --omit=optional) and no ffmpeg on PATH, says so', () => {
    // A copy of the package whose node_modules has everything but @ffmpeg-installer/<platform>.
    const pkg = path.join(work, 'no-platform-package');
    const modules = path.join(pkg, 'node_modules');
    execFileSync('mkdir', ['-p', path.join(modules, '@ffmpeg-installer')]);
    execFileSync('cp', ['-r', path.join(repoRoot, 'bin'), path.join(repoRoot, 'dist'), path.join(repoRoot, 'package.json'), pkg]);
    for (const name of readdirSync(path.join(repoRoot, 'node_modules'))) {
      if (name !== '@ffmpeg-installer') symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name));
    }
    // Copied, not linked: the package looks for its platform's binary beside its own real path.
    execFileSync('cp', ['-r', path.join(repoRoot, 'node_modules/@ffmpeg-installer/ffmpeg'), path.join(modules, '@ffmpeg-installer')]);
    // A PATH with node and nothing else.
    const pathDir = path.join(work, 'only-node');
    execFileSync('mkdir', ['-p', pathDir]);
    symlinkSync(process.execPath, path.join(pathDir, 'node'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathDir };
    delete env.FFMPEG_PATH;
    const run = spawnSync(process.execPath, [path.join(pkg, 'bin/chromaseed.js'), 'quantize', realshort, '-k', '4', '-o', path.join(work, 'no-platform.gif')], { env, encoding: 'utf8' });
    expect(run.stderr).toBe(`chromaseed: cannot run ffmpeg: the bundled ffmpeg's package for this platform (@ffmpeg-installer/${process.platform}-${process.arch}) is not installed and there is no ffmpeg on PATH; install ffmpeg or set FFMPEG_PATH to one\n`);
    expect(run.status).not.toBe(0);
  });

  it('FFMPEG_PATH wins over the bundled binary: a bad one fails clearly, a good one is used', async () => {
    const saved = process.env.FFMPEG_PATH;
    try {
      process.env.FFMPEG_PATH = path.join(work, 'no-ffmpeg-here');
      const e = await openVideo(realshort).catch((err: unknown) => err);
      expect((e as ChromaseedError).code).toBe('ERR_FFMPEG');
      expect((e as ChromaseedError).message).toContain('FFMPEG_PATH');
      // A file that is not executable fails before ffmpeg's start; one the system cannot run
      // (here a script standing in for it) exits 126 or 127 with nothing on stderr. Both say so.
      process.env.FFMPEG_PATH = notVideoFile;
      const notExecutable = await openVideo(realshort).catch((err: unknown) => err);
      expect((notExecutable as ChromaseedError).message).toMatch(/cannot run ffmpeg.*MANIFEST\.md/);
      const cannotRun = path.join(work, 'cannot-run');
      writeFileSync(cannotRun, '#!/bin/sh\nexit 127\n');
      chmodSync(cannotRun, 0o755);
      process.env.FFMPEG_PATH = cannotRun;
      const exited = await openVideo(realshort).catch((err: unknown) => err);
      expect((exited as ChromaseedError).message).toMatch(/cannot run ffmpeg at .*cannot-run \(from FFMPEG_PATH\).*set FFMPEG_PATH/);
      // A directory (it was taken for a program, and failed as "(env, EACCES)"), and a program
      // that fails without a word (it was "ffmpeg failed: no error message").
      process.env.FFMPEG_PATH = work;
      expect(((await openVideo(realshort).catch((err: unknown) => err)) as ChromaseedError).message).toMatch(/FFMPEG_PATH is \S+, which is missing, not a file or not executable/);
      const silent = path.join(work, 'silent');
      writeFileSync(silent, '#!/bin/sh\nexit 1\n');
      chmodSync(silent, 0o755);
      process.env.FFMPEG_PATH = silent;
      expect(((await openVideo(realshort).catch((err: unknown) => err)) as ChromaseedError).message).toMatch(/ffmpeg failed: it printed no message; is \S+silent \(from FFMPEG_PATH\) an ffmpeg\?$/);
      process.env.FFMPEG_PATH = path.join(work, 'no-ffmpeg-here');
      const w = await createFrameWriter(path.join(work, 'env.mp4'), { width: 4, height: 4, fps: 10 });
      const frame: IndexedFrame = { width: 4, height: 4, indices: new Uint8Array(16), palette: new Uint8Array(3), size: 1, transparent: null, delayMs: 100 };
      await expect(w.write(frame)).rejects.toMatchObject({ code: 'ERR_FFMPEG' });
      expect(readdirSync(work).filter((f) => f.includes('env'))).toEqual([]);
      // The real ffmpeg writing to /dev/full, where every write fails as on a full disk: the
      // message names the output as given (not its temporary file) and says why.
      const { ffmpegLocation: locate } = await import('../../src/io/ffmpeg-path.js');
      delete process.env.FFMPEG_PATH;
      const real = locate().path;
      const full = path.join(work, 'disk-full');
      // (fluent-ffmpeg's own short queries, such as -formats, pass through untouched.)
      writeFileSync(full, `#!/usr/bin/env bash\nargs=("$@"); [ $# -gt 3 ] && args[$#-1]=/dev/full\nexec '${real}' "\${args[@]}"\n`);
      chmodSync(full, 0o755);
      process.env.FFMPEG_PATH = full;
      const target = path.join(work, 'full.mkv');
      const f = await createFrameWriter(target, { width: 4, height: 4, fps: 10 });
      const failed = await (async () => {
        for (let i = 0; i < 50; i++) await f.write(frame);
        await f.finish();
      })().catch((err: unknown) => err);
      expect((failed as ChromaseedError).message).toBe(`${target}: ffmpeg could not write the video: no space left on device`);
      expect(readdirSync(work).filter((n) => n.includes('full.'))).toEqual([]);
      // A write that fails only when ffmpeg closes the file (here past a file-size limit, as on
      // a disk that fills up while buffered data waits): ffmpeg 4.1 reports "Error writing
      // trailer" and exits 0, leaving an MP4 without its index. It was reported as written.
      const limited = path.join(work, 'size-limit');
      writeFileSync(limited, `#!/bin/sh\ntrap '' XFSZ\nulimit -f 60\nexec '${real}' "$@"\n`);
      chmodSync(limited, 0o755);
      process.env.FFMPEG_PATH = limited;
      const big = path.join(work, 'limited.mp4');
      const noise = (): IndexedFrame => ({ width: 128, height: 128, indices: new Uint8Array(128 * 128).map(() => Math.random() * 256), palette: new Uint8Array(768).map((_, i) => i), size: 256, transparent: null, delayMs: 100 });
      const g = await createFrameWriter(big, { width: 128, height: 128, fps: 10 });
      const tooLarge = await (async () => {
        for (let i = 0; i < 10; i++) await g.write(noise()); // about 40 KB each
        await g.finish();
      })().catch((err: unknown) => err);
      expect((tooLarge as ChromaseedError).message).toBe(`${big}: ffmpeg could not write the video: file too large`);
      expect(readdirSync(work).filter((n) => n.includes('limited.'))).toEqual([]);
      // A real binary through FFMPEG_PATH (a copy of the bundled one under another name) works.
      delete process.env.FFMPEG_PATH;
      const bundled = ffmpegLocation();
      expect(bundled.source).toBe('bundled');
      const copy = path.join(work, 'my-ffmpeg');
      copyFileSync(bundled.path, copy);
      chmodSync(copy, 0o755);
      process.env.FFMPEG_PATH = copy;
      expect(ffmpegLocation()).toEqual({ path: copy, source: 'env' });
      const n = (await readAll(realshort, { duration: 0.1 })).frames.length;
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(4);
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });

  it('a video in and a video out start ffmpeg for the work only (fluent-ffmpeg ran -formats and -encoders first, 37 ms before the probe)', async () => {
    // A new process (fluent-ffmpeg keeps their answers for the process's life), with a stand-in
    // ffmpeg that notes each run's arguments and runs the real one.
    const dir = mkdtempSync(path.join(work, 'runs-'));
    const { log, logging } = loggingFfmpeg(dir);
    const out = path.join(dir, 'out.mp4');
    const run = spawnSync(process.execPath, [BIN, 'quantize', realshort, '-k', '4', '--duration', '0.3', '-o', out, '-q'], { env: { ...process.env, FFMPEG_PATH: logging }, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const runs = readFileSync(log, 'utf8').trim().split('\n');
    expect(runs.filter((args) => /^-(formats|encoders|codecs)$/.test(args))).toEqual([]);
    // The probe, the read and the write, each run of them reading or writing a file.
    expect(runs.every((args) => args.includes(realshort) || args.includes(dir))).toBe(true);
    expect(existsSync(out)).toBe(true);
  });

  it('compare reads a video twice, whatever the number of modes: once shared by them all, once for the one-palette run\'s count of colours (with --levers it read it 12 times)', async () => {
    const dir = mkdtempSync(path.join(work, 'compare-runs-'));
    const { log, logging } = loggingFfmpeg(dir);
    const run = spawnSync(process.execPath, [BIN, 'compare', realshort, '-k', '4', '--levers', '--duration', '0.3', '--json', '-q'], { env: { ...process.env, FFMPEG_PATH: logging }, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const modes = JSON.parse(run.stdout).modes;
    expect(Object.keys(modes).length).toBeGreaterThan(8);
    for (const figures of Object.values(modes) as { seconds: number }[]) expect(figures.seconds).toBeGreaterThan(0);
    const reads = readFileSync(log, 'utf8').trim().split('\n').filter((args) => args.includes('-f rawvideo'));
    expect(reads).toHaveLength(2);
  });

  it('a raw H.264 stream is read without the packet-times pass, which its made-up times never need (it started beside the probe and was thrown away)', async () => {
    const dir = mkdtempSync(path.join(work, 'raw-runs-'));
    const raw = path.join(dir, 'clip.h264');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1:r=15', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'h264', raw]);
    const { log, logging } = loggingFfmpeg(dir);
    const out = path.join(dir, 'out.gif');
    const run = spawnSync(process.execPath, [BIN, 'quantize', raw, '-k', '4', '-o', out, '-q'], { env: { ...process.env, FFMPEG_PATH: logging }, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const runs = readFileSync(log, 'utf8').trim().split('\n');
    expect(runs.filter((args) => args.includes('framecrc'))).toEqual([]);
    expect(runs).toHaveLength(2); // the probe and the read
    expect(new GifReader(readFileSync(out)).numFrames()).toBe(15);
  });
});

describe('frame writers on real video frames', () => {
  it('mp4 round trip: frame count, size and colours survive H.264', async () => {
    const { info, frames } = await readAll(realshort);
    const indexed = frames.map(toIndexed332);
    const out = path.join(work, 'roundtrip.mp4');
    const writer = await createFrameWriter(out, { width: info.width, height: info.height, fps: info.fps, inputPath: realshort });
    for (const f of indexed) await writer.write(f);
    const { bytes } = await writer.finish();
    expect(bytes).toBeGreaterThan(1000);
    const back = await readAll(out);
    expect([back.info.width, back.info.height]).toEqual([320, 240]);
    expect(back.frames.length).toBe(36);
    expect(back.info.fps).toBeCloseTo(30.02, 1);
    for (let i = 0; i < 36; i += 5) expect(meanAbsDiff(back.frames[i].data, expand(indexed[i]))).toBeLessThan(6);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Labelled with the matrix ffmpeg converts with (BT.601, limited range): unlabelled, players guess BT.709 for HD.
    const report = spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', out]).stderr.toString();
    expect(report).toMatch(/Video: h264 .*yuv420p\(tv, smpte170m\/bt709\/bt709/);
    // And in the container (a 'colr' box: primaries 1, transfer 1, matrix 6, limited range),
    // where QuickTime reads them: the bundled ffmpeg 4.1 wrote them in the stream alone.
    const file = readFileSync(out);
    const colr = file.indexOf('colrnclx');
    expect(colr).toBeGreaterThan(0);
    expect([...file.subarray(colr + 8, colr + 15)]).toEqual([0, 1, 0, 1, 0, 6, 0]);
  });

  it('a .mov is written as an .mp4 is: its index before the pictures (fast start) and its colour labels in a colr box', async () => {
    const { info, frames } = await readAll(realshort);
    const out = path.join(work, 'labelled.mov');
    const writer = await createFrameWriter(out, { width: info.width, height: info.height, fps: info.fps, inputPath: realshort });
    for (const f of frames.slice(0, 6)) await writer.write(toIndexed332(f));
    await writer.finish();
    const file = readFileSync(out);
    // Top-level boxes in order: moov (the index) ahead of mdat, so a player starts before the whole file is in.
    const boxes: string[] = [];
    for (let at = 0; at + 8 <= file.length; ) {
      const size = file.readUInt32BE(at);
      boxes.push(file.toString('latin1', at + 4, at + 8));
      if (size < 8) break;
      at += size;
    }
    expect(boxes).toContain('mdat');
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    const colr = file.indexOf('colrnclc') >= 0 ? file.indexOf('colrnclc') : file.indexOf('colrnclx');
    expect(colr).toBeGreaterThan(0);
    expect([...file.subarray(colr + 8, colr + 14)]).toEqual([0, 1, 0, 1, 0, 6]);
  });

  it('H.264 and VP9 keep the quantized frames about equally well (VP9 at CRF 30 was 3 dB further from them)', async () => {
    const chaplin = path.join(corpus, 'videos/moviepy__chaplin.mp4');
    const part = ['-k', '16', '--duration', '2', '--quiet'];
    expect((await runMain(['quantize', chaplin, ...part, '-o', path.join(work, 'chaplin-%d.png')])).code).toBe(0);
    const frames = ffmpegFrames(path.join(work, 'chaplin-%d.png'), 640, 360)!.frames;
    expect(frames.length).toBe(50);
    const psnr = (ext: string): number => {
      const back = ffmpegFrames(path.join(work, `chaplin.${ext}`), 640, 360)!.frames;
      expect(back.length).toBe(frames.length);
      const meter = createQualityMeter();
      for (let f = 0; f < frames.length; f++) meter.add({ width: 640, height: 360, data: frames[f] }, { width: 640, height: 360, data: back[f] });
      return meter.result().psnr!;
    };
    for (const ext of ['mp4', 'webm']) expect((await runMain(['quantize', chaplin, ...part, '--no-audio', '-o', path.join(work, `chaplin.${ext}`)])).code).toBe(0);
    const [h264, vp9] = [psnr('mp4'), psnr('webm')];
    // Measured: 41.10 and 41.18 dB; VP9 at CRF 30, 38.04.
    expect(h264).toBeGreaterThan(40.5);
    expect(vp9).toBeGreaterThan(40.3);
  });

  it('writeRgba: full-colour frames, for what needs more than 256 colours (compare\'s side-by-side); a GIF writer has none', async () => {
    const { info, frames } = await readAll(realshort, { duration: 0.3 });
    const out = path.join(work, 'full-colour.mp4');
    const writer = await createFrameWriter(out, { width: info.width, height: info.height, fps: info.fps });
    for (const f of frames) await writer.writeRgba!(f);
    await writer.finish();
    const back = await readAll(out);
    expect(back.frames).toHaveLength(frames.length);
    // Closer than the same frames in 256 colours (3-3-2) get: only H.264's loss.
    for (const i of [0, frames.length - 1]) expect(meanAbsDiff(back.frames[i].data, frames[i].data)).toBeLessThan(0.5 * meanAbsDiff(expand(toIndexed332(frames[i])), frames[i].data));
    const gif = await createFrameWriter(path.join(work, 'no-rgba.gif'), { width: 2, height: 2 });
    expect(gif.writeRgba).toBeUndefined();
    await gif.abort();
  });

  it('writeRgba reads alpha as the quantizer does: 0 is transparent (black), any other value opaque; a frame of another size is a RangeError', async () => {
    const out = path.join(work, 'alpha.png');
    const writer = await createFrameWriter(out, { width: 3, height: 1 });
    await expect(writer.writeRgba!({ width: 2, height: 1, data: new Uint8Array(8), delayMs: 0 })).rejects.toThrow(RangeError);
    await writer.writeRgba!({ width: 3, height: 1, data: Uint8Array.of(200, 100, 50, 0, 200, 100, 50, 128, 200, 100, 50, 255), delayMs: 0 });
    await writer.finish();
    const { data } = await sharp(out).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual([0, 0, 0, 0, 200, 100, 50, 255, 200, 100, 50, 255]);
  });

  it('GIF to mp4 keeps variable delays: every frame is shown for its own delay (0 plays as 100 ms)', async () => {
    // iss634's delays are 0, 6 and 7 cs in no regular order: no frame may be dropped.
    const gif = path.join(corpus, 'gifs/pillow__iss634.gif');
    const source = await openInput(gif, { maxPixels: 1e8, maxFrames: 1e5 });
    expect(source.info.fps).toBe(50); // every delay is a whole number of 10 ms; capped at 50 fps
    const delays: number[] = [];
    const out = path.join(work, 'iss634.mp4');
    const writer = await createFrameWriter(out, { width: source.info.width, height: source.info.height, fps: source.info.fps });
    for await (const f of source.frames) {
      delays.push(f.delayMs > 0 ? f.delayMs : 100);
      await writer.write(toIndexed332(f));
    }
    await writer.finish();
    const back = await readAll(out);
    const expected = delays.reduce((a, b) => a + b, 0) / 20; // output frames at 50 fps
    expect(back.frames.length).toBeGreaterThanOrEqual(Math.floor(expected));
    expect(back.frames.length).toBeLessThanOrEqual(Math.ceil(expected));
    expect(back.info.fps).toBe(50);
  });

  it('a GIF frame of 1 cs plays as 10 cs, as browsers show it: in a video, in --start and in the summary; a GIF output keeps the 1 cs', async () => {
    // animated_hopper's four frames, the first two given 1 cs and the others 20 cs: 0.6 s as played.
    const bytes = new Uint8Array(readFileSync(path.join(corpus, 'gifs/pillow__animated_hopper.gif')));
    const gce = [...bytes.keys()].filter((i) => bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4);
    expect(gce).toHaveLength(4);
    gce.forEach((at, f) => [bytes[at + 4], bytes[at + 5]] = [f < 2 ? 1 : 20, 0]);
    const gif = path.join(work, 'one-cs.gif');
    writeFileSync(gif, bytes);
    const mp4 = path.join(work, 'one-cs.mp4');
    const made = await runMain(['quantize', gif, '-k', '8', '-o', mp4]);
    expect(made.stderr).toContain('0.60 s long');
    const video = await readAll(mp4);
    expect(video.frames.length * (1000 / (video.info.fps as number))).toBeCloseTo(600, 6); // was 0.42 s: 10 ms frames
    // --start 0.05 falls inside the first frame, which plays for 100 ms: all four are kept.
    const part = path.join(work, 'one-cs-part.gif');
    expect((await runMain(['quantize', gif, '-k', '8', '--start', '0.05', '-q', '-o', part])).code).toBe(0);
    expect(gceDelaysCs(readFileSync(part))).toEqual([5, 1, 20, 20]);
    const whole = path.join(work, 'one-cs-whole.gif');
    expect((await runMain(['quantize', gif, '-k', '8', '--fps', '10', '-q', '-o', whole])).code).toBe(0);
    expect(gceDelaysCs(readFileSync(whole))).toEqual([10, 10, 10, 10, 10, 10]);
    // At --fps 100 the frames are 10 ms ticks of playback, not 1 cs frames: a video of 0.6 s.
    const fast = path.join(work, 'one-cs-100fps.mp4');
    expect((await runMain(['quantize', gif, '-k', '8', '--fps', '100', '-o', fast])).stderr).toContain('60 frames, 128x128, 0.60 s long');
    expect((await readAll(fast)).frames.length).toBe(60);
  });

  it('--max-frames refuses a soundless video whose length says it has more, before any frame is read (it read 21 of 36 first)', async () => {
    const silent = path.join(work, 'realshort-silent.mp4');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', realshort, '-an', '-c', 'copy', silent]);
    const r = await runMain(['quantize', silent, '-k', '8', '--max-frames', '20', '-o', path.join(work, 'many.mp4')]);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: ${silent}: about 36 frames at 30.02 fps in the 1.2 s the file states, more than the limit of 20 (raise the limit with --max-frames, or read a part with --start and --duration, or fewer frames with --fps)\n`]);
    // A header whose length is damaged shows as such (a fuzzing audit: "about 128934918 frames", no length said).
    const bytes = readFileSync(silent);
    const mvhd = bytes.indexOf('mvhd');
    expect(bytes[mvhd + 4]).toBe(0); // version 0: 32-bit times, the duration after the time scale
    bytes.writeUInt32BE(0xffffffff, mvhd + 20);
    const long = path.join(work, 'realshort-long-header.mp4');
    writeFileSync(long, bytes);
    expect((await runMain(['quantize', long, '-k', '8', '-o', path.join(work, 'long.gif')])).stderr).toMatch(/long-header\.mp4: about \d+ frames at 30\.02 fps in the \d{7}\.\d s the file states, more than the limit of 100000/);
    expect((await runMain(['quantize', silent, '-k', '8', '--max-frames', '20', '--duration', '0.6', '-q', '-o', path.join(work, 'part.mp4')])).code).toBe(0);
    // With sound, the length may be the sound's: the frames are counted as they come.
    const withSound = await runMain(['quantize', realshort, '-k', '8', '--max-frames', '20', '-o', path.join(work, 'many.mp4')]);
    expect(withSound.stderr).toBe(`chromaseed: ${realshort}: more than 20 frames (raise the limit with --max-frames)\n`);
  });

  it('a picture ffmpeg reads whose name has a % is that file, not a numbered sequence (x%d.bmp read x1.bmp and x2.bmp)', async () => {
    const dir = mkdtempSync(path.join(work, 'percent-'));
    const bmp = (name: string, colour: string) => execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=8x8`, '-frames:v', '1', '-update', '1', path.join(dir, name)]);
    bmp('x%d.bmp', 'red');
    bmp('x1.bmp', 'blue');
    bmp('x2.bmp', 'lime');
    const { frames } = await readAll(path.join(dir, 'x%d.bmp'));
    expect(frames).toHaveLength(1);
    const [r, g, b] = frames[0].data;
    expect([r > 240, g < 10, b < 10], `${r},${g},${b}`).toEqual([true, true, true]); // red, not x1.bmp's blue
    // A video so named is read as before (its demuxer takes no such option).
    copyFileSync(realshort, path.join(dir, 'clip%d.mp4'));
    expect((await readAll(path.join(dir, 'clip%d.mp4'), { duration: 0.1 })).frames.length).toBeGreaterThan(0);
  });

  it('a picture only ffmpeg reads (BMP, PPM, TGA) is a still: --overlay and --vivid work, time options are refused as for a PNG (it was "a video (0 frames)")', async () => {
    const dir = mkdtempSync(path.join(work, 'pictures-'));
    const photo = path.join(__dirname, '../../samples/hibiscus.jpg');
    const png = path.join(dir, 'hibiscus.png');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', photo, png]);
    const expected = await runMain(['palette', png, '-k', '4', '--json']);
    for (const name of ['hibiscus.bmp', 'hibiscus.ppm', 'hibiscus.tga']) {
      const file = path.join(dir, name);
      execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-i', png, file]);
      const r = await runMain(['palette', file, '-k', '4', '--json', '--overlay', path.join(dir, `${name}-overlay.png`)]);
      expect([name, r.code, JSON.parse(r.stdout).colors]).toEqual([name, 0, JSON.parse(expected.stdout).colors]);
      expect((await runMain(['palette', file, '--vivid'])).code).toBe(0);
      expect(await runMain(['quantize', file, '--start', '1', '-o', path.join(dir, 'x.png')])).toMatchObject({ code: 2, stderr: `chromaseed: --start: ${file} is a still image, which has no time; drop --start\n` });
    }
    // But pictures one after another in one file are frames, all of them.
    const stream = path.join(dir, 'stream.bmp');
    execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=10:d=1', '-f', 'image2pipe', '-c:v', 'bmp', stream]);
    const r = await runMain(['quantize', stream, '-k', '8', '--json', '-o', path.join(dir, 'stream.gif')]);
    expect([r.code, JSON.parse(r.stdout).frames]).toEqual([0, 10]);
  });

  it('a GIF of 600 s frames makes a video of exactly their length (its rate written 0.001667 fps made it 1199.76 s)', async () => {
    const out = path.join(work, 'slow.mp4');
    const writer = await createFrameWriter(out, { width: 16, height: 16, fps: 1 / 600 });
    for (let i = 0; i < 2; i++) await writer.write({ width: 16, height: 16, indices: new Uint8Array(256).fill(i), palette: Uint8Array.of(0, 0, 0, 255, 255, 255), size: 2, transparent: null, delayMs: 600_000 });
    await writer.finish();
    const probe = spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', out], { encoding: 'utf8' }).stderr;
    expect(probe).toMatch(/Duration: 00:20:00\.00,/);
  });

  it('odd sizes are padded by one pixel for H.264; webm (VP9) keeps them', async () => {
    const { info, frames } = await readAll(realshort, { width: 161, duration: 0.2 });
    const indexed = frames.map(toIndexed332);
    for (const [name, size] of [['odd.mp4', [162, 122]], ['odd.webm', [161, 121]]] as const) {
      const out = path.join(work, name);
      const writer = await createFrameWriter(out, { width: info.width, height: info.height, fps: info.fps });
      for (const f of indexed) await writer.write(f);
      // finish says so, for the summary ("161x121 (162x122 in the file, ...)"): it said 161x121 alone.
      const { codedSize } = await writer.finish();
      expect(codedSize).toEqual(name === 'odd.mp4' ? { width: 162, height: 122 } : undefined);
      const back = await readAll(out);
      expect([back.info.width, back.info.height]).toEqual(size);
      expect(back.frames.length).toBe(indexed.length);
      // Compare the 161x121 area that holds the picture.
      let d = 0;
      const want = expand(indexed[0]);
      for (let y = 0; y < 121; y++) {
        for (let x = 0; x < 161; x++) {
          const a = (y * size[0] + x) * 4;
          const b = (y * 161 + x) * 4;
          d += Math.abs(back.frames[0].data[a] - want[b]) + Math.abs(back.frames[0].data[a + 1] - want[b + 1]) + Math.abs(back.frames[0].data[a + 2] - want[b + 2]);
        }
      }
      expect(d / (161 * 121 * 3)).toBeLessThan(8);
    }
  });

  it("a WebM with alpha keeps the colour of opaque pixels beside clear ones (clear pixels stored black darkened them through VP9's half-resolution colour: blue -7 levels on earth-transparent.gif)", async () => {
    const input = path.join(corpus, 'gifs/gifcontrols__earth-transparent.gif');
    const [gif, webm] = [path.join(work, 'edge.gif'), path.join(work, 'edge.webm')];
    for (const out of [gif, webm]) expect((await runMain(['quantize', input, '-k', '16', '--quiet', '-o', out])).code).toBe(0);
    const intended = (await readAll(gif)).frames;
    const stored = (await readAll(webm)).frames;
    expect(stored.length).toBe(intended.length);
    const { width, height } = intended[0];
    const signed = [0, 0, 0];
    let edge = 0;
    for (const [t, frame] of intended.entries()) {
      const [want, got] = [frame.data, stored[t].data];
      const clear = (p: number): boolean => want[p * 4 + 3] === 0;
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          const p = y * width + x;
          if (clear(p) || !(clear(p - 1) || clear(p + 1) || clear(p - width) || clear(p + width))) continue;
          edge++;
          for (let c = 0; c < 3; c++) signed[c] += got[p * 4 + c] - want[p * 4 + c];
        }
      }
    }
    // Lossy coding leaves each channel within a level or so on average, as inside the picture.
    for (const [c, sum] of signed.entries()) expect(Math.abs(sum / edge), `channel ${c} over ${edge} edge pixels`).toBeLessThan(2);
  });

  it("H.264's padding repeats the edge: it was black, a dark line that 4:2:0 also bled into the last real column (30,94,159 became 57,88,121)", async () => {
    const [w, h] = [161, 121];
    const flat = { width: w, height: h, indices: new Uint8Array(w * h), palette: new Uint8Array([32, 96, 160]), size: 1, transparent: null, delayMs: 100 };
    const out = path.join(work, 'odd-flat.mp4');
    const writer = await createFrameWriter(out, { width: w, height: h, fps: 10 });
    await writer.write(flat);
    await writer.finish();
    const back = (await readAll(out)).frames[0];
    const at = (x: number, y: number) => Array.from(back.data.subarray((y * 162 + x) * 4, (y * 162 + x) * 4 + 3));
    const centre = at(80, 60);
    for (const c of centre.map((v, i) => v - [32, 96, 160][i])) expect(Math.abs(c)).toBeLessThanOrEqual(3);
    // The last real column and row, the padding, and the padded corner all show the frame's colour.
    for (const [x, y] of [[160, 60], [161, 60], [80, 120], [80, 121], [161, 121]]) expect(at(x, y), `${x},${y}`).toEqual(centre);
  });

  it("WebM keeps an odd size with its edge's colour: the conversion to 4:2:0 took the missing half of the last column's pairs as black ((200, 40, 40) came out (163, 55, 55) at 17x13's corner, (143, 64, 63) at 1x1)", async () => {
    for (const [w, h, alpha] of [[17, 13, false], [1, 1, false], [16, 13, false], [17, 13, true]] as const) {
      const n = w * h;
      // With alpha, the left column is clear: the picture's right edge still has to keep its colour.
      const transparent = alpha ? Uint8Array.from({ length: n }, (_, p) => (p % w === 0 ? 1 : 0)) : null;
      const frame = { width: w, height: h, indices: new Uint8Array(n).fill(1), palette: new Uint8Array([0, 0, 0, 200, 40, 40]), size: 2, transparent, delayMs: 100 };
      const out = path.join(work, `odd-edge-${w}x${h}${alpha ? '-alpha' : ''}.webm`);
      const writer = await createFrameWriter(out, { width: w, height: h, fps: 10 });
      await writer.write(frame);
      expect((await writer.finish()).codedSize).toBeUndefined();
      const back = (await readAll(out)).frames[0];
      expect([back.width, back.height]).toEqual([w, h]);
      for (let p = 0; p < n; p++) {
        if (transparent?.[p] === 1) continue;
        const got = Array.from(back.data.subarray(p * 4, p * 4 + 3));
        expect(Math.max(...got.map((v, c) => Math.abs(v - [200, 40, 40][c]))), `${out} (${p % w}, ${Math.floor(p / w)}): ${got}`).toBeLessThanOrEqual(alpha ? 8 : 3);
      }
    }
  });

  it('GIF output says when a frame is shown longer than a GIF frame can be (655.35 s), counting frames from 0 as every other message does (it counted from 1)', async () => {
    const frame = (delayMs: number) => ({ width: 2, height: 2, indices: new Uint8Array(4), palette: new Uint8Array([255, 0, 0]), size: 1, transparent: null, delayMs });
    const write = async (delays: number[]) => {
      const writer = await createFrameWriter(path.join(work, 'long.gif'), { width: 2, height: 2 });
      for (const d of delays) await writer.write(frame(d));
      return (await writer.finish()).warnings;
    };
    expect(await write([100, 655_350, 100])).toBeUndefined();
    expect(await write([100, 1_000_000, 100])).toEqual([`${path.join(work, 'long.gif')}: frame 1 is shown longer than a GIF frame can be, 655.35 s, and cut to that; a video output keeps the whole time`]);
    expect((await write([700_000, 100, 65_535_000]))?.[0]).toMatch(/: 2 frames \(the first: 0\) are shown longer/);
    expect(new GifReader(readFileSync(path.join(work, 'long.gif'))).frameInfo(2).delay).toBe(65535);
  });

  it('a WebM frame taller than 16384 is written, or refused with --width as the way out (Debian libvpx: "Error submitting video frame")', async () => {
    const out = path.join(work, 'tall.webm');
    const written = await writeOneFrame(out, 16, 20000);
    if (written instanceof ChromaseedError) {
      expect(written.message).toBe(`${out}: this ffmpeg's VP9 encoder could not take a frame of 16x20000; make it smaller (--width)`);
      return;
    }
    expect(written).not.toBeInstanceOf(Error);
    expect((await readAll(out)).info.height).toBe(20000);
  });

  it('H.264 output says its pixels are square: padded to 2x32768, an unset ratio made the file undecodable', async () => {
    const out = path.join(work, 'tall.mp4');
    const written = await writeOneFrame(out, 2, 32767);
    // A newer libx264 (FFMPEG_PATH to Debian's ffmpeg 5.1, say) takes no side over 16384: said plainly.
    if (written instanceof ChromaseedError) {
      expect(written.message).toBe(`${out}: this ffmpeg's H.264 encoder takes no frame of 2x32768; make it smaller (--width)`);
      return;
    }
    expect(written).not.toBeInstanceOf(Error);
    const decoded = spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', out, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decoded.stderr).toMatch(/Video: h264 .*, 2x32768 \[SAR 1:1 /);
    expect(decoded.stderr).not.toMatch(/pixel_aspect/);
  });

  it('GIF from video frames: 36 frames, delays of 3-4 cs adding up to the clip length', async () => {
    const { info, frames } = await readAll(realshort);
    const out = path.join(work, 'realshort.gif');
    const writer = await createFrameWriter(out, { width: info.width, height: info.height, loopCount: 0 });
    const indexed = frames.map(toIndexed332);
    for (const f of indexed) await writer.write(f);
    const { bytes } = await writer.finish();
    const gifBytes = readFileSync(out);
    expect(gifBytes.length).toBe(bytes);
    const r = new GifReader(gifBytes);
    expect(r.numFrames()).toBe(36);
    expect(r.loopCount()).toBe(0);
    let total = 0;
    for (let i = 0; i < 36; i++) total += r.frameInfo(i).delay;
    expect(total).toBe(Math.round((36 * 100) / (info.fps as number)));
    // Last frame after compositing is exactly the last indexed frame.
    const canvas = new Uint8Array(320 * 240 * 4);
    for (let i = 0; i < 36; i++) r.decodeAndBlitFrameRGBA(i, canvas);
    expect(meanAbsDiff(canvas, expand(indexed[35]))).toBe(0);
  });

  it('PNG sequence: numbered frames with exact pixels', async () => {
    const { info, frames } = await readAll(realshort, { duration: 0.1 });
    const dir = mkdtempSync(path.join(work, 'png-'));
    const writer = await createFrameWriter(path.join(dir, 'frame-%04d.png'), { width: info.width, height: info.height });
    const indexed = frames.map(toIndexed332);
    for (const f of indexed) await writer.write(f);
    await writer.finish();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(indexed.map((_, i) => `frame-${String(i + 1).padStart(4, '0')}.png`));
    const last = await sharp(path.join(dir, names[names.length - 1])).ensureAlpha().raw().toBuffer();
    expect(meanAbsDiff(new Uint8Array(last), expand(indexed[indexed.length - 1]))).toBe(0);
  });

  it('an abort while finish() runs (Ctrl-C as the encoder flushes) stops it: no file, no ffmpeg left', async () => {
    const noise = (): IndexedFrame => ({ width: 320, height: 240, indices: new Uint8Array(320 * 240).map(() => Math.random() * 16), palette: new Uint8Array(48).map((_, i) => i * 5), size: 16, transparent: null, delayMs: 40 });
    for (const name of ['flush.mp4', 'flush.gif']) {
      const dir = mkdtempSync(path.join(work, 'abort-finish-'));
      const writer = await createFrameWriter(path.join(dir, name), { width: 320, height: 240, fps: 25, frameCount: 20 });
      for (let i = 0; i < 20; i++) await writer.write(noise());
      const finishing = writer.finish().catch((err: unknown) => err);
      await writer.abort();
      expect(await finishing).toBeInstanceOf(Error);
      expect(readdirSync(dir)).toEqual([]);
    }
    expect(spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout).not.toMatch(/ffmpeg/);
  });
});

describe('sound', () => {
  const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', ...args]);
  /**
   * 4 s at 25 fps: black, with a white flash and a 1 kHz beep together from 2.0 to 2.2 s.
   * Made once for the tests below.
   */
  const flash = path.join(work, 'flash.mp4');
  const makeFlash = () =>
    ff('-f', 'lavfi', '-i', "color=c=black:s=64x48:r=25:d=4,drawbox=c=white:t=fill:enable='between(t,2,2.2)'",
      '-f', 'lavfi', '-i', "sine=f=1000:r=44100:d=4,volume=0:enable='not(between(t,2,2.2))'",
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', flash);

  it('--start past the picture but inside a longer sound track says the picture may end first (it said "the video lasts 10.02 s")', async () => {
    const shortPicture = path.join(work, 'three-seconds-of-picture.mp4');
    ff('-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=25:d=3', '-f', 'lavfi', '-i', 'sine=d=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', shortPicture);
    const r = await runMain(['quantize', shortPicture, '--start', '5', '-k', '2', '-o', path.join(work, 'after-the-picture.gif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/three-seconds-of-picture\.mp4: no frame comes out of the part asked for with --start: the picture may end before it \(the file lasts 10\.\d\d s, which its sound or subtitles may set\); ask for an earlier --start or a longer part\n$/);
  });

  it('a video output of one frame says how long it plays, a tick of its rate (--fps 0.001 made 1000 s, unsaid), where a one-frame GIF is a still', async () => {
    const chaplin = path.join(__dirname, '../../samples/chaplin.mp4');
    const video = path.join(work, 'one-tick.mp4');
    const args = (out: string) => ['quantize', chaplin, '-k', '2', '--width', '64', '--duration', '3', '--fps', '0.001', '-o', out];
    const r = await runMain([...args(video), '--json']);
    expect([r.code, JSON.parse(r.stdout).playbackSeconds, JSON.parse(r.stdout).frames]).toEqual([0, 1000, 1]);
    expect((await runMain(args(video))).stderr).toMatch(/one-tick\.mp4: 1 frame with sound, 64x36, 1000\.00 s long, /);
    const gif = path.join(work, 'one-tick.gif');
    expect(JSON.parse((await runMain([...args(gif), '--json'])).stdout).playbackSeconds).toBe(null);
    expect((await runMain(args(gif))).stderr).toMatch(/one-tick\.gif: 1 frame, 64x36, \d+ B /);
  });

  it('a one-frame video with 2 s of sound makes a .png (it was refused as having 50 frames, counted from the sound)', async () => {
    const still = path.join(work, 'one-frame-with-sound.mp4');
    ff('-f', 'lavfi', '-i', 'color=c=0x2060a0:s=64x48:r=25:d=0.04', '-f', 'lavfi', '-i', 'sine=d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', still);
    const out = path.join(work, 'one-frame-with-sound.png');
    const r = await runMain(['quantize', still, '-k', '2', '-o', out]);
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/one-frame-with-sound\.png: 1 frame, 64x48/)]);
    // Subtitles set the length too: one frame under 5 s of them counted 125.
    const srt = path.join(work, 'five-seconds.srt');
    writeFileSync(srt, '1\n00:00:00,000 --> 00:00:05,000\nhello\n');
    const subtitled = path.join(work, 'one-frame-with-subtitles.mkv');
    ff('-f', 'lavfi', '-i', 'color=c=0x2060a0:s=64x48:r=25:d=0.04', '-i', srt, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:s', 'srt', subtitled);
    const fromSubtitled = await runMain(['quantize', subtitled, '-k', '2', '-o', path.join(work, 'one-frame-with-subtitles.png')]);
    expect([fromSubtitled.code, fromSubtitled.stderr]).toEqual([0, expect.stringMatching(/1 frame, 64x48/)]);
    // A video that has more frames is still refused, at its second frame, and leaves nothing.
    const many = path.join(work, 'many.png');
    if (!existsSync(flash)) makeFlash();
    const refused = await runMain(['quantize', flash, '-k', '2', '-o', many]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/many\.png: the input has more than one frame but a \.png holds one/)]);
    expect(existsSync(many)).toBe(false);
    // Without sound or subtitles the count is the picture's, so it is refused before any work and says how many.
    // (ffmpeg's "Stream #0:0 -> #0:0" mapping line was counted as a second stream, which made every count uncertain.)
    const silent = path.join(work, 'silent.mp4');
    ff('-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=25:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', silent);
    const upFront = await runMain(['quantize', silent, '-k', '2', '-o', many]);
    expect([upFront.code, upFront.stderr]).toEqual([2, expect.stringMatching(/many\.png: the input has more than one frame \(50\) but a \.png holds one/)]);
  });

  /** When the flash is first seen and the beep first heard in `file`, in seconds, and its sound codec. */
  function flashAndBeep(file: string, fromZero = false): { flashSec: number; beepSec: number; codec: string | undefined } {
    const gray = ff('-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '8x6', '-');
    let frame = -1;
    for (let i = 0; (i + 1) * 48 <= gray.length && frame < 0; i++) if (gray.subarray(i * 48, (i + 1) * 48).every((v) => v > 128)) frame = i;
    const probe = spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', file]);
    const codec = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(String(probe.stderr))?.[1];
    if (codec === undefined) return { flashSec: frame / 25, beepSec: NaN, codec };
    // fromZero: sample 0 at time 0, a sound that starts late padded with silence rather than read from its own start.
    const pcm = ff('-i', file, ...(fromZero ? ['-af', 'aresample=async=1:first_pts=0'] : []), '-f', 's16le', '-ac', '1', '-ar', '8000', '-');
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
    const loud = samples.findIndex((v) => Math.abs(v) > 3000);
    return { flashSec: frame / 25, beepSec: loud / 8000, codec };
  }

  it('MPEG-TS whose picture and sound start at different times keeps the gap (read alone, ffmpeg started each at zero)', async () => {
    if (!existsSync(flash)) makeFlash();
    const source = flashAndBeep(flash);
    // The picture 0.5 s after the sound, then the sound 0.3 s after the picture.
    for (const [name, pictureLate] of [['late-picture.ts', 0.5], ['late-sound.ts', -0.3]] as const) {
      const ts = path.join(work, name);
      const delayed = (late: number) => (late > 0 ? ['-itsoffset', String(late)] : []);
      ff(...delayed(pictureLate), '-i', flash, ...delayed(-pictureLate), '-i', flash, '-map', '0:v', '-map', '1:a', '-c', 'copy', '-f', 'mpegts', ts);
      const out = path.join(work, `${name}.mp4`);
      const r = await runMain(['quantize', ts, '-k', '2', '-o', out]);
      expect(r.code).toBe(0);
      const got = flashAndBeep(out, true);
      // It came out in step (0 s apart, as in flash.mp4), the gap lost.
      expect(got.beepSec - got.flashSec).toBeCloseTo(source.beepSec - source.flashSec - pictureLate, 2);
    }
    // A sound stream listed with no packets (as in broadcast captures), which cannot be copied
    // beside the picture: the picture is read alone, as before (it failed: "Could not write header").
    const ts = readFileSync(path.join(work, 'late-picture.ts'));
    const packets: Buffer[] = [];
    for (let at = 0; at + 188 <= ts.length; at += 188) if ((((ts[at + 1] & 0x1f) << 8) | ts[at + 2]) !== 0x101) packets.push(ts.subarray(at, at + 188));
    const silent = path.join(work, 'listed-sound-without-packets.ts');
    writeFileSync(silent, Buffer.concat(packets));
    expect(String(spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', silent]).stderr)).toMatch(/Stream #0:1.*Audio/);
    const r = await runMain(['quantize', silent, '-k', '2', '--json', '-o', path.join(work, 'listed-sound-without-packets.gif')]);
    expect([r.code, JSON.parse(r.stdout).frames]).toEqual([0, 100]);
  });

  it('a video from a video keeps its sound, in step with the picture over the part asked for', async () => {
    makeFlash();
    const source = flashAndBeep(flash);
    expect(source.flashSec).toBe(2);
    expect(source.beepSec).toBeGreaterThanOrEqual(2);
    for (const [ext, codec] of [['mp4', 'aac'], ['webm', 'opus'], ['mkv', 'aac']]) {
      const out = path.join(work, `flash-part.${ext}`);
      const r = await runMain(['quantize', flash, '-k', '2', '--start', '1', '--duration', '2.5', '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('frames with sound');
      const got = flashAndBeep(out);
      expect(got.codec).toBe(codec);
      // Both one second in, as in the source they were two (the beep lags the flash there
      // too, by the sine's first quiet samples). A frame is 40 ms; Matroska starts both
      // streams a little late, the picture by the B-frame delay (two frames, 80 ms) and the
      // sound by that less the AAC encoder's 23 ms of priming, which MP4 trims.
      expect(Math.abs(got.flashSec - 1)).toBeLessThan(ext === 'mkv' ? 0.041 : 0.001);
      expect(Math.abs(got.beepSec - got.flashSec - (source.beepSec - source.flashSec))).toBeLessThan(ext === 'mkv' ? 0.025 : 0.005);
      // Each frame 40 ms after the last, the first as far after the sound's start as its
      // priming (1024 samples, which Matroska keeps and MP4 trims): the bundled ffmpeg's
      // Matroska muxer, shifting the packets past the priming, left out the first two (a gap
      // 23 ms off, the first frame at the sound's start).
      const log = String(spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', out, '-map', '0:v', '-map', '0:a', '-vf', 'showinfo', '-af', 'ashowinfo', '-f', 'null', '-']).stderr);
      const times = (filter: string) => [...log.matchAll(new RegExp(`Parsed_${filter}_\\d+ @ [^\\n]*pts_time:([\\d.]+)`, 'g'))].map((m) => Number(m[1]));
      const [picture, sound] = [times('showinfo'), times('ashowinfo')];
      expect(picture.length).toBeGreaterThan(60);
      for (let i = 1; i < picture.length; i++) expect(Math.abs(picture[i] - picture[i - 1] - 0.04)).toBeLessThan(0.0015);
      if (ext !== 'webm') expect(Math.abs(picture[0] - sound[0] - (ext === 'mkv' ? 1024 / 44100 : 0))).toBeLessThan(0.002);
    }
  });

  it('--duration cuts the sound with the picture: the part\'s sound ends where its picture does (it ran on to the end of the source)', async () => {
    makeFlash();
    for (const ext of ['mp4', 'webm']) {
      const out = path.join(work, `flash-cut.${ext}`);
      const r = await runMain(['quantize', flash, '-k', '2', '--start', '1', '--duration', '1.5', '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('frames with sound');
      // The sound decoded alone, 8000 samples a second: 1.5 s, within the encoders' priming and padding.
      const pcm = ff('-i', out, '-map', '0:a', '-f', 's16le', '-ac', '1', '-ar', '8000', '-');
      expect(Math.abs(pcm.length / 2 / 8000 - 1.5), ext).toBeLessThan(0.1);
    }
  });

  it('--no-audio, a GIF output and a silent source give a picture only; the JSON summary says which', async () => {
    if (!existsSync(flash)) makeFlash();
    const out = path.join(work, 'flash-mute.mp4');
    const muted = await runMain(['quantize', flash, '-k', '2', '--duration', '1', '--no-audio', '--json', '-o', out]);
    expect(JSON.parse(muted.stdout).sound).toBe(false);
    expect(flashAndBeep(out).codec).toBeUndefined();
    const kept = await runMain(['quantize', flash, '-k', '2', '--duration', '1', '--json', '-o', out]);
    expect(JSON.parse(kept.stdout).sound).toBe(true);
    const gif = await runMain(['quantize', flash, '-k', '2', '--duration', '1', '--json', '-o', path.join(work, 'flash.gif')]);
    expect(JSON.parse(gif.stdout).sound).toBe(false);
    // imageio's test.webm has no sound track.
    const silent = await runMain(['quantize', path.join(corpus, 'videos/imageio__test.webm'), '-k', '2', '--duration', '0.5', '--json', '-o', out]);
    expect(JSON.parse(silent.stdout).sound).toBe(false);
    expect(flashAndBeep(out).codec).toBeUndefined();
  });

  it('transfer keeps the target video\'s sound', async () => {
    if (!existsSync(flash)) makeFlash();
    const out = path.join(work, 'flash-transfer.mp4');
    const r = await runMain(['transfer', path.join(corpus, 'stills/skimage__coffee.png'), flash, '-k', '2', '--duration', '3', '--json', '-o', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sound).toBe(true);
    const got = flashAndBeep(out);
    expect(got.codec).toBe('aac');
    expect(Math.abs(got.beepSec - 2)).toBeLessThan(0.05);
  });

  it('sound ffmpeg cannot decode is left out with a warning, not a failed run', async () => {
    if (!existsSync(flash)) makeFlash();
    // The Matroska codec id of the AAC track renamed to one nobody knows.
    const mkv = path.join(work, 'flash.mkv');
    ff('-i', flash, '-c', 'copy', mkv);
    const bytes = readFileSync(mkv);
    const at = bytes.indexOf('A_AAC');
    expect(at).toBeGreaterThan(0);
    bytes.write('A_ZZZ', at);
    const odd = path.join(work, 'flash-odd-sound.mkv');
    writeFileSync(odd, bytes);
    const out = path.join(work, 'flash-odd-sound.mp4');
    const r = await runMain(['quantize', odd, '-k', '2', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`chromaseed: warning: ${odd}: ffmpeg cannot decode its sound (an unknown codec), so the video is picture only`);
    expect(flashAndBeep(out).codec).toBeUndefined();
    // Said only where sound was to be written.
    for (const quiet of [['-o', path.join(work, 'flash-odd.gif')], ['--no-audio', '-o', out]]) {
      expect((await runMain(['quantize', odd, '-k', '2', '--duration', '0.2', ...quiet])).stderr).not.toMatch(/warning/);
    }
  });

  it('a part past the end of the sound: picture only, and said so (not "with sound")', async () => {
    // 4 s of picture, 1 s of sound.
    const short = path.join(work, 'short-sound.mp4');
    ff('-f', 'lavfi', '-i', 'testsrc=s=64x48:r=25:d=4', '-f', 'lavfi', '-i', 'sine=f=440:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', short);
    for (const ext of ['mp4', 'webm', 'mkv']) {
      const out = path.join(work, `short-sound-part.${ext}`);
      const r = await runMain(['quantize', short, '-k', '2', '--start', '2', '--json', '-o', out]);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary.sound).toBe(false);
      expect(r.stderr).toContain(`${short}: its sound ends before the part read, so the video is picture only`);
      // No sound track at all: the WebM and the MKV had one, empty, that players list.
      expect(flashAndBeep(out).codec, ext).toBeUndefined();
      // Every frame is still there (the picture copied into a file of its own).
      expect(ff('-i', out, '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '8x6', '-').length, ext).toBe(summary.videoFrames * 48);
      expect(summary.videoFrames, ext).toBe(50);
    }
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('surround sound goes into WebM too (libopus refuses the 5.1(side) layout of AC-3 in Matroska)', async () => {
    const surround = path.join(work, 'surround.mkv');
    ff('-f', 'lavfi', '-i', 'testsrc=s=64x48:r=25:d=0.5', '-f', 'lavfi', '-i', 'sine=f=440:d=0.5', '-filter_complex', '[1:a]pan=5.1(side)|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]', '-map', '0:v', '-map', '[a]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'ac3', surround);
    expect(String(spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', surround]).stderr)).toMatch(/Audio: ac3, .*5\.1\(side\)/);
    const out = path.join(work, 'surround.webm');
    const r = await runMain(['quantize', surround, '-k', '2', '-o', out]);
    expect(r.stderr).toContain('frames with sound');
    expect(String(spawnSync(ffmpegLocation().path, ['-hide_banner', '-i', out]).stderr)).toMatch(/Audio: opus, 48000 Hz, 5\.1/);
  });
});

/** The delays of a GIF's graphic control extensions, in centiseconds. */
function gceDelaysCs(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 7 < bytes.length; i++) {
    if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 4 && bytes[i + 7] === 0) out.push(bytes[i + 4] | (bytes[i + 5] << 8));
  }
  return out;
}

/** One red frame of `width` x `height` written to `out` at 10 fps: what finish() returned, or the error. */
async function writeOneFrame(out: string, width: number, height: number): Promise<unknown> {
  const writer = await createFrameWriter(out, { width, height, fps: 10 });
  return writer
    .write({ width, height, indices: new Uint8Array(width * height), palette: new Uint8Array([255, 0, 0]), size: 1, transparent: null, delayMs: 100 })
    .then(() => writer.finish())
    .catch((err: unknown) => err);
}
