import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GifReader } from 'omggif';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';
import { openVideo } from '../../src/io/video-in.js';
import type { TimedFrame } from '../../src/types.js';
import { corpus, runMain } from '../helpers/cli.js';
import { ffmpegFrames } from '../helpers/ffmpeg-frames.js';

/*
 * Variable-frame-rate video, read by its frames' own times (src/io/video-timestamps.ts). At a
 * constant rate, ffmpeg's default, frames were dropped, repeated or shown at the wrong time.
 */

const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-vfr-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ff = (...args: string[]) => execFileSync(ffmpegLocation().path, ['-v', 'error', '-y', ...args]);

/** `parts` ([rate, seconds, source]) encoded one by one in `ext` (with a tone, `sound`'s codec) and joined without re-encoding. */
function joined(name: string, ext: string, codec: string[], parts: [number, number, string][], sound?: string[]): string {
  const files = parts.map(([rate, seconds, source], i) => {
    const part = path.join(work, `${name}-${i}.${ext}`);
    const tone = sound === undefined ? [] : ['-f', 'lavfi', '-i', `sine=d=${seconds}`, ...sound, '-shortest'];
    ff('-f', 'lavfi', '-i', `${source}=s=96x64:r=${rate}:d=${seconds}`, ...tone, ...codec, part);
    return `file '${part}'`;
  });
  const list = path.join(work, `${name}.txt`);
  writeFileSync(list, files.join('\n') + '\n');
  const out = path.join(work, `${name}.${ext}`);
  ff('-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out);
  return out;
}

/** A GIF's frame count and delays in centiseconds. */
function gifDelays(file: string): number[] {
  const gif = new GifReader(readFileSync(file));
  return Array.from({ length: gif.numFrames() }, (_, i) => gif.frameInfo(i).delay);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

async function readAll(file: string, options = {}): Promise<{ source: Awaited<ReturnType<typeof openVideo>>; frames: TimedFrame[] }> {
  const source = await openVideo(file, options);
  const frames: TimedFrame[] = [];
  for await (const f of source.frames) frames.push(f);
  return { source, frames };
}

const VP9 = ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-b:v', '200k'];

describe('variable-frame-rate video', () => {
  it('a WebM of 10 and 30 fps joined makes a GIF of its 40 frames in 2.00 s (it made 22 frames playing 2.20 s)', async () => {
    const webm = joined('ten-thirty', 'webm', VP9, [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const out = path.join(work, 'ten-thirty.gif');
    const { code, stderr } = await runMain(['quantize', webm, '-k', '8', '-o', out, '--quiet']);
    expect([code, stderr]).toEqual([0, '']);
    const delays = gifDelays(out);
    expect(delays).toHaveLength(40);
    expect(sum(delays)).toBe(200);
    expect(delays.slice(0, 10)).toEqual(Array(10).fill(10));
  });

  it('a WebM with pauses (a screen recording) keeps them, one frame each (at its stated 50 fps it made 199 frames)', async () => {
    // 40 ms apart, with half a second more after every tenth frame; stored in milliseconds.
    const webm = path.join(work, 'pauses.webm');
    ff('-f', 'lavfi', '-i', 'testsrc=s=96x64:r=25:d=2', '-vf', "settb=1/1000,setpts='(N*0.04+0.5*floor(N/10))/TB'", '-vsync', 'vfr', '-r', '1000', ...VP9, webm);
    const out = path.join(work, 'pauses.gif');
    const { code } = await runMain(['quantize', webm, '-k', '8', '-o', out, '--quiet']);
    expect(code).toBe(0);
    const delays = gifDelays(out);
    expect(delays).toHaveLength(50);
    expect(delays.slice(0, 20)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4, 54, 4, 4, 4, 4, 4, 4, 4, 4, 4, 54]);
    expect(sum(delays)).toBe(400);
  });

  it('frames faster than a GIF shows (60 fps after 20) are merged to 2 cs or more, keeping the length (it played 2.10 s)', async () => {
    const mkv = joined('twenty-sixty', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[20, 1, 'testsrc'], [60, 1, 'testsrc2']]);
    const out = path.join(work, 'twenty-sixty.gif');
    const { code } = await runMain(['quantize', mkv, '-k', '8', '-o', out, '--quiet']);
    expect(code).toBe(0);
    const delays = gifDelays(out);
    expect(delays.slice(0, 20)).toEqual(Array(20).fill(5));
    expect(delays.slice(20).every((d) => d === 2 || d === 3)).toBe(true);
    expect([delays.length, sum(delays)]).toEqual([60, 200]);
  });

  it('--duration cuts by the frames\' times: 1.5 s of 10 then 30 fps is 25 frames (it was 15, at 10 fps)', async () => {
    const mkv = joined('part', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const { source, frames } = await readAll(mkv, { duration: 1.5 });
    expect(frames).toHaveLength(25);
    expect(sum(frames.map((f) => f.delayMs))).toBe(1500);
    expect(source.info.frameCount).toBe(25);
    // A part ending 17 ms into a frame leaves that sliver out, as for a GIF's part.
    const { frames: short } = await readAll(mkv, { duration: 1.05 });
    expect(short.map((f) => f.delayMs)).toEqual([...Array(10).fill(100), 33]);
  });

  it('a video from it plays at the rate its delays fit, as long as the source (10 fps and 2.2 s before)', async () => {
    const mkv = joined('to-video', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const out = path.join(work, 'to-video.mp4');
    const { code, stdout } = await runMain(['quantize', mkv, '-k', '8', '-o', out, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { frames: number; videoFrames: number; playbackSeconds: number };
    expect([summary.frames, summary.videoFrames, summary.playbackSeconds]).toEqual([40, 60, 2]);
  });

  it('read from --start, it is read at 30 fps up to its last frame\'s end by its own times (that frame was held for its packet\'s stated 100 ms: 47 frames, not 45)', async () => {
    const mkv = joined('from-start', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const { source, frames } = await readAll(mkv, { start: 0.5 });
    expect(source.info.fps).toBe(30);
    expect(frames).toHaveLength(45);
    expect(source.info.frameCount).toBe(45);
    // The last three frames are the last three of the file, one tick each.
    const own = ffmpegFrames(mkv, 96, 64)!.frames;
    expect([-3, -2, -1].map((i) => Buffer.compare(frames.at(i)!.data, own.at(i)!))).toEqual([0, 0, 0]);
    // A part within the picture is cut where asked, as before.
    expect((await readAll(mkv, { start: 0.5, duration: 1 })).frames).toHaveLength(30);
  });

  it('read from --start where the packets have no durations, its last frame is shown for the gap before it, as in a whole read (the part ended at that frame\'s start: 44 frames, the last one lost)', async () => {
    // See test/fixtures/vfr/README.md: the file states the last frame's start, 1.967 s, as its length.
    const mkv = path.resolve(__dirname, '../fixtures/vfr/no-packet-durations.mkv');
    const { source, frames } = await readAll(mkv, { start: 0.5 });
    expect([source.info.fps, frames.length, Math.round(frames.reduce((total, f) => total + f.delayMs, 0))]).toEqual([30, 45, 1500]);
    const own = ffmpegFrames(mkv, 96, 64)!.frames;
    expect(Buffer.compare(frames.at(-1)!.data, own.at(-1)!)).toBe(0);
  });

  it('read from --start where no common rate fits both parts (25 and 30 fps: 150 is over the cap), every frame is kept (at the stated 25 fps, one frame in six of the 30 fps part was lost, unsaid)', async () => {
    const mkv = joined('no-common-rate', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[25, 0.8, 'testsrc'], [30, 0.7, 'testsrc2']]);
    const whole = (await readAll(mkv)).frames;
    expect(whole).toHaveLength(41);
    const { source, frames } = await readAll(mkv, { start: 0.1 });
    // Read at 30 fps: the 25 fps part's frames are each shown one tick, some two.
    expect(source.info.fps).toBe(30);
    const shown = new Set(frames.map((f) => Buffer.from(f.data).toString('base64')));
    // Every frame from the one on screen at 0.1 s (the third, from 0.08 s) on.
    const missing = whole.slice(2).filter((f) => !shown.has(Buffer.from(f.data).toString('base64')));
    expect(missing).toHaveLength(0);
    expect(frames).toHaveLength(42);
  });

  it('the same MKV copied into an MP4 (times in whole milliseconds on a 1/16000 time base) plays at 30 fps too, not at 50, where its 30 fps frames were 1 and 2 frames in turn', async () => {
    const mkv = joined('remuxed', 'mkv', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const mp4 = path.join(work, 'remuxed.mp4');
    ff('-i', mkv, '-c', 'copy', mp4);
    const out = path.join(work, 'remuxed-out.mp4');
    const { code, stdout } = await runMain(['quantize', mp4, '-k', '8', '-o', out, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { frames: number; videoFrames: number; playbackSeconds: number };
    expect([summary.frames, summary.videoFrames, summary.playbackSeconds]).toEqual([40, 60, 2]);
  });

  it('an MP4 whose edit list cuts its last frame to a few milliseconds plays at the rate its other delays fit, 30 fps (it was written at 120 fps, 236 frames for 39)', async () => {
    // See test/fixtures/vfr/README.md: the last frame runs from 1.967 s to the stated 1.97 s.
    const mp4 = path.resolve(__dirname, '../fixtures/vfr/joined-edit-list.mp4');
    const { code, stdout } = await runMain(['quantize', mp4, '-k', '8', '-o', path.join(work, 'edit-list.mp4'), '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { frames: number; videoFrames: number; playbackSeconds: number; warnings: string[] };
    expect([summary.frames, summary.videoFrames, summary.playbackSeconds, summary.warnings]).toEqual([39, 59, 1.967, []]);
  });

  it('an MP4 whose times jitter (33 and 34 ms apart) keeps its last frame: 36 frames in 4.00 s (ffmpeg 4.1 gave it 1/60 s, and the GIF lost it)', async () => {
    // See test/fixtures/vfr/README.md.
    const mp4 = path.resolve(__dirname, '../fixtures/vfr/jittered-remux.mp4');
    const out = path.join(work, 'jittered.gif');
    const { code, stdout } = await runMain(['quantize', mp4, '-k', '8', '-o', out, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { frames: number; playbackSeconds: number };
    expect([summary.frames, summary.playbackSeconds]).toEqual([36, 4]);
    const delays = gifDelays(out);
    expect([delays.length, sum(delays), delays.at(-1)]).toEqual([36, 400, 3]);
  });

  it('where packet durations are a guess, the MP4\'s stated length still ends the last frame (it was given the 439 ms gap before it: 3.81 s)', async () => {
    // See test/fixtures/vfr/README.md.
    const mp4 = path.resolve(__dirname, '../fixtures/vfr/guessed-durations-gap.mp4');
    const { code, stdout } = await runMain(['quantize', mp4, '-k', '8', '-o', path.join(work, 'gap.gif'), '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { frames: number; playbackSeconds: number };
    expect([summary.frames, summary.playbackSeconds]).toEqual([90, 3.4]);
  });

  it('every frame is timed by its own line of showinfo, however many: 300 frames, each its own delay', async () => {
    // Frame N lasts 20 + 10 * (N mod 7) ms: a frame paired with another's time shows at once.
    const mkv = path.join(work, 'many.mkv');
    const at = (n: number) => 20 * n + 10 * (7 * 3 * Math.floor(n / 7) + ((n % 7) * ((n % 7) - 1)) / 2);
    const times = Array.from({ length: 301 }, (_, n) => at(n));
    ff('-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=12', '-vf', `settb=1/1000,setpts='(20*N+10*(21*floor(N/7)+mod(N,7)*(mod(N,7)-1)/2))'`, '-vsync', 'vfr', '-r', '1000', '-frames:v', '300', '-c:v', 'ffv1', mkv);
    const { frames } = await readAll(mkv);
    expect(frames).toHaveLength(300);
    expect(frames.slice(0, -1).map((f) => f.delayMs)).toEqual(times.slice(1, 300).map((t, n) => t - times[n]));
    const own = ffmpegFrames(mkv, 320, 240)!.frames;
    expect(frames.every((f, i) => Buffer.compare(f.data, own[i]) === 0)).toBe(true);
  });

  it('MPEG-TS with sound, joined at two rates: every frame once, the picture in its place (it made 23 frames playing 2.30 s)', async () => {
    const ts = joined('joined', 'ts', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']], ['-c:a', 'aac']);
    const { frames, source } = await readAll(ts);
    expect(frames).toHaveLength(40);
    expect(new Set(frames.map((f) => Buffer.from(f.data).toString('base64'))).size).toBe(40);
    const total = sum(frames.map((f) => f.delayMs));
    expect(total).toBeGreaterThan(1990);
    expect(total).toBeLessThan(2100);
    expect(source.warnings).toEqual([]);
  });

  it('a picture that starts after the sound keeps its place, as at a constant rate (it came 0.5 s early, beside the sound)', async () => {
    const mkv = joined('late', 'mkv', ['-c:v', 'ffv1', '-pix_fmt', 'yuv444p'], [[10, 1, 'testsrc'], [30, 1, 'testsrc2']]);
    const late = path.join(work, 'late-sound.mkv');
    ff('-itsoffset', '0.5', '-i', mkv, '-f', 'lavfi', '-i', 'sine=d=2.5', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'pcm_s16le', late);
    const { frames, source } = await readAll(late);
    expect(frames).toHaveLength(40);
    // Written at 30 fps, the rate of its frames' delays: the lead is rounded to it, as at a constant rate.
    expect(source.info.fps).toBe(30);
    // Shown from the file's start until the second frame, 0.6 s in: where the sound has it.
    expect(Math.round(frames[0].delayMs)).toBe(600);
    expect(Math.abs(sum(frames.map((f) => f.delayMs)) - 2500)).toBeLessThan(5);
  });

  it('a constant-rate video whose times waver under half a frame is read at its constant rate, as before (test.webm: 31 to 48 ms apart, 30 fps)', async () => {
    const { source, frames } = await readAll(path.join(corpus, 'videos/imageio__test.webm'), { width: 64 });
    expect(source.info.fps).toBe(30);
    expect(frames.every((f) => f.delayMs === 1000 / 30)).toBe(true);
  });
});
