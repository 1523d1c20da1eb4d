import { open } from 'node:fs/promises';
import { ChromaseedError, inputError } from '../errors.js';
import { loopCountForPlays, MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import { checkFrameSize } from './clip-options.js';
import { ffmpegCommand, passthroughOptions } from './ffmpeg-path.js';
import type { TimedClip } from './open-input.js';
import { ffmpegFailure, openVideo, watch } from './video-in.js';

/**
 * Animated PNG in: the timing from its own chunks, the pixels from ffmpeg. ffmpeg's APNG
 * decoder composites frames (blending and disposal), but a constant-rate read resamples its
 * timestamps: delays of 100, 200 and 300 ms came out as ten 100 ms frames, and the play
 * count was lost. Here every frame ffmpeg decodes is read once and given its own frame
 * control chunk's delay, so an APNG is timed like a GIF or an animated WebP.
 */

/** What the chunks say: the canvas, one entry per frame control chunk, the play count. */
export interface ApngTiming {
  readonly width: number;
  readonly height: number;
  /** Each frame's delay in milliseconds, in order. */
  readonly delaysMs: readonly number[];
  /** The same delays as stored: numerator and denominator (0 made 100) of a second, in turn. */
  readonly fractions: readonly number[];
  /** acTL's num_plays: 0 = forever. */
  readonly plays: number;
  /** acTL's num_frames: how many frames the file says it has. */
  readonly declaredFrames: number;
  /** False when the file ends before its end chunk (IEND): cut short. */
  readonly complete: boolean;
}

/** PNG signature (8 bytes), then chunks: length (4), type (4), data, CRC (4). */
const SIGNATURE_BYTES = 8;
/** In fcTL's data: sequence, width, height, x, y (4 bytes each), then the delay's numerator and denominator (2 each). */
const FCTL_DELAY_AT = 20;
/** Bytes read at once while walking the chunks: frame data comes in many small chunks. */
const BLOCK_BYTES = 1 << 20;
/** A chunk's length and type (8 bytes), then as much of its data as is read: fcTL's first 24. */
const HEAD_BYTES = 8 + 24;

/**
 * ffmpeg's APNG demuxer stamps each frame with the sum of the delays before it, each rounded
 * to its clock's unit (1/100000 s), a delay of 0 counted as 1/`default_fps` s. Its options
 * are given explicitly (no cap on the rate, 15 fps for a 0 delay) so that the times computed
 * here match its own.
 */
const FFMPEG_APNG_OPTIONS = ['-max_fps', '0', '-default_fps', '15'];
const FFMPEG_ZERO_DELAY_FPS = 15;

/**
 * Walks the chunks of `file` for the header, the animation control chunk and every frame
 * control chunk. Frame data is skipped, but read in 1 MiB blocks: one read per chunk took
 * 0.47 s on a 32 MB, 8,273-chunk APNG.
 */
export async function readApngTiming(file: string): Promise<ApngTiming> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const block = Buffer.alloc(BLOCK_BYTES);
    let blockStart = 0;
    let blockEnd = 0;
    let width = 0;
    let height = 0;
    const delaysMs: number[] = [];
    const fractions: number[] = [];
    let animation: { plays: number; frames: number } | undefined;
    let complete = false;
    for (let at = SIGNATURE_BYTES; at + 8 <= size; ) {
      if (at + Math.min(HEAD_BYTES, size - at) > blockEnd) {
        blockStart = at;
        blockEnd = at + (await handle.read(block, 0, BLOCK_BYTES, at)).bytesRead;
      }
      const head = block.subarray(at - blockStart);
      const length = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (at + 12 + length > size) break; // cut short inside this chunk
      if (type === 'IHDR' && length >= 8) {
        width = head.readUInt32BE(8);
        height = head.readUInt32BE(12);
      }
      if (type === 'acTL' && length >= 8) animation = { frames: head.readUInt32BE(8), plays: head.readUInt32BE(12) };
      if (type === 'fcTL' && length >= 26) {
        const numerator = head.readUInt16BE(8 + FCTL_DELAY_AT);
        // A denominator of 0 means hundredths of a second (APNG specification).
        const denominator = head.readUInt16BE(8 + FCTL_DELAY_AT + 2) || 100;
        delaysMs.push((numerator * 1000) / denominator);
        fractions.push(numerator, denominator);
      }
      if (type === 'IEND') {
        complete = true;
        break;
      }
      at += 12 + length;
    }
    if (animation === undefined) throw inputError(file, 'is not an animated PNG (no animation control chunk)');
    if (delaysMs.length === 0) throw inputError(file, 'the animated PNG is cut short or damaged before its first frame');
    return { width, height, delaysMs, fractions, plays: animation.plays, declaredFrames: animation.frames, complete };
  } finally {
    await handle.close();
  }
}

/** Which frames ffmpeg decodes, by their times on its clock, from one decoding pass. */
interface DecodedFrames {
  /** The clock's unit, in seconds: numerator and denominator. */
  readonly timeBase: readonly [number, number];
  /** Each decoded frame's time, in units, in order; undefined where its line was not found. */
  readonly times: readonly (number | undefined)[];
}

/**
 * One decoding pass that reports each decoded frame's time (`showinfo`; 0.3 s for 240 frames
 * of 480x270, against 5 s for the whole run): a frame ffmpeg cannot decode (damaged, or a
 * blend mode it lacks) is missing from it, and the frames after must not take its delay.
 * showinfo's lines are found anywhere in a line, not only at its start: the bundled ffmpeg
 * prints other threads' messages without line breaks, and a line may begin with one.
 */
async function decodeTimes(file: string): Promise<DecodedFrames> {
  let timeBase: [number, number] = [1, 100_000];
  const times: (number | undefined)[] = [];
  const command = ffmpegCommand(file)
    .inputFormat('apng')
    .inputOptions(FFMPEG_APNG_OPTIONS)
    .outputOptions(['-map', '0:v:0', '-vf', 'showinfo', ...passthroughOptions(), '-max_error_rate', '1'])
    .format('null')
    .output('-');
  command.on('stderr', (line: string) => {
    const base = /config in time_base: (\d+)\/(\d+)/.exec(line);
    if (base !== null && Number(base[1]) > 0 && Number(base[2]) > 0) timeBase = [Number(base[1]), Number(base[2])];
    const frame = /n: *(\d+) +pts: *(-?\d+) +pts_time/.exec(line);
    if (frame !== null) times[Number(frame[1])] = Number(frame[2]);
  });
  const run = watch(command);
  command.run();
  const { error, stderr } = await run.done;
  await run.exit;
  if (error) throw ffmpegFailure(file, error, stderr);
  return { timeBase, times: Array.from(times) };
}

/**
 * Which frame control chunk each decoded frame belongs to, by its time: frame i starts at
 * the sum of the delays before it, rounded as ffmpeg rounds them. Null when a time is
 * missing or matches no chunk (ffmpeg's clock overflows on delays of hours); the frames are
 * then taken in order.
 */
function matchFrames(decoded: DecodedFrames, fractions: readonly number[]): number[] | null {
  const [num, den] = decoded.timeBase;
  const count = fractions.length / 2;
  const duration = (i: number): number => {
    const n = fractions[2 * i];
    return n === 0 ? Math.round(den / (num * FFMPEG_ZERO_DELAY_FPS)) : Math.round((n * den) / (fractions[2 * i + 1] * num));
  };
  const chunks: number[] = [];
  let next = 0;
  let start = 0; // of chunk `next`, in ffmpeg's units
  for (const time of decoded.times) {
    while (next < count && start < time!) start += duration(next++);
    if (time === undefined || next === count || start !== time) return null;
    chunks.push(next);
    start += duration(next++);
  }
  return chunks;
}

/**
 * Opens an animated PNG as a clip with exact delays and loop count. A default image that
 * is not part of the animation (no frame control chunk before it) is skipped by ffmpeg, as
 * by browsers. A frame ffmpeg cannot decode gives its time to the decoded frame before it
 * (the first decoded, for frames before that); a file cut short keeps the frames before the
 * cut. Both are warned about.
 */
export async function openAnimatedPng(file: string, limits: { maxFrames: number; maxPixels: number }): Promise<TimedClip> {
  const timing = await readApngTiming(file);
  const { delaysMs } = timing;
  // Checked before ffmpeg allocates a frame: the header is all it takes to ask for gigabytes.
  checkFrameSize(file, timing, limits.maxPixels);
  if (delaysMs.length > limits.maxFrames) throw new ChromaseedError('ERR_LIMIT', `${file}: more than ${limits.maxFrames} frames (raise the limit with --max-frames)`);
  const decoded = await decodeTimes(file);
  if (decoded.times.length === 0) throw inputError(file, timing.complete ? 'ffmpeg could not decode any frame of the animated PNG' : 'the animated PNG is cut short or damaged before its first frame');
  const chunks = matchFrames(decoded, timing.fractions) ?? decoded.times.map((_, i) => i).filter((i) => i < delaysMs.length);
  // Each frame shows until the next decoded one starts, through any frame missing after it;
  // the first from the start, through any missing before it.
  const shownMs = chunks.map((c, k) => sum(delaysMs, k === 0 ? 0 : c, k + 1 < chunks.length ? chunks[k + 1] : c + 1));
  const warnings = frameWarnings(file, timing, chunks);

  // Frames as stored: the canvas size (a pHYs chunk's pixel aspect is ignored, as browsers do), every decoded frame once.
  const video = await openVideo(file, {}, { demuxer: 'apng', asStored: true });
  const loopCount = loopCountForPlays(timing.plays);
  const info: ClipInfo = { width: timing.width, height: timing.height, frameCount: chunks.length, fps: rateForDelays(shownMs, MAX_ANIMATION_FPS), ...(loopCount !== undefined ? { loopCount } : {}) };

  async function* frames(): AsyncGenerator<TimedFrame> {
    let k = 0;
    for await (const frame of video.frames) {
      if (k === shownMs.length) break;
      yield { ...frame, delayMs: shownMs[k++] };
    }
  }
  return { info, delaysMs: shownMs, frames, warnings };
}

/** What the user is told about frames left out: undecodable ones, and a file cut short. */
function frameWarnings(file: string, timing: ApngTiming, chunks: readonly number[]): string[] {
  const warnings: string[] = [];
  const { delaysMs, declaredFrames } = timing;
  const decoded = new Set(chunks);
  const last = chunks[chunks.length - 1];
  const missing = delaysMs.map((_, i) => i).filter((i) => i < last && !decoded.has(i));
  if (missing.length > 0) warnings.push(`${file}: ffmpeg could not decode frame${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${missing.length > 1 ? 'their time goes' : 'its time goes'} to the nearest frame it did decode`);
  if (!timing.complete) {
    // Cut short: frames whose chunks never arrived are counted by the header.
    if (last + 1 < Math.max(declaredFrames, delaysMs.length)) warnings.push(`${file}: the animated PNG is cut short; keeping its first ${last + 1} of ${Math.max(declaredFrames, delaysMs.length)} frames`);
  } else if (last + 1 < delaysMs.length) {
    warnings.push(`${file}: ffmpeg could not decode the last ${delaysMs.length - 1 - last} of its frames; they are left out`);
  } else if (declaredFrames !== delaysMs.length) {
    warnings.push(`${file}: the animated PNG's header says ${declaredFrames} frames, but ${delaysMs.length} are there`);
  }
  return warnings;
}

function sum(values: readonly number[], from: number, to: number): number {
  let total = 0;
  for (let i = from; i < to; i++) total += values[i];
  return total;
}
