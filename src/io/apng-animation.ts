import { open } from 'node:fs/promises';
import { ChromaseedError, inputError } from '../errors.js';
import { loopCountForPlays, rateForDelays } from '../timing.js';
import type { ClipInfo, TimedFrame } from '../types.js';
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
  /** Where each frame starts on ffmpeg's APNG clock (see FFMPEG_CLOCK): how its frames are found. */
  readonly ffmpegStarts: readonly number[];
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
 * ffmpeg's APNG demuxer stamps frames in units of 1/100000 s, each frame's delay rounded to
 * that unit; a delay of 0 becomes 1/`default_fps` s. Its options are given explicitly (no
 * cap on the rate, 15 fps for a 0 delay) so that the starts computed here match its own.
 */
const FFMPEG_CLOCK = 100_000;
const FFMPEG_APNG_OPTIONS = ['-max_fps', '0', '-default_fps', '15'];

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
    const ffmpegStarts: number[] = [];
    let clock = 0;
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
        ffmpegStarts.push(clock);
        clock += numerator === 0 ? Math.round(FFMPEG_CLOCK / 15) : Math.round((numerator * FFMPEG_CLOCK) / denominator);
      }
      if (type === 'IEND') {
        complete = true;
        break;
      }
      at += 12 + length;
    }
    if (animation === undefined) throw inputError(file, 'is not an animated PNG (no animation control chunk)');
    if (delaysMs.length === 0) throw inputError(file, 'the animated PNG is cut short or damaged before its first frame');
    return { width, height, delaysMs, ffmpegStarts, plays: animation.plays, declaredFrames: animation.frames, complete };
  } finally {
    await handle.close();
  }
}

/**
 * Where on ffmpeg's clock each frame it can decode starts, in order, from one decoding pass
 * (cheap next to quantizing: 0.3 s for 240 frames of 480x270, against 5 s): a frame it cannot decode
 * (damaged, or a blend mode it lacks) is missing from the list, and the frames after it
 * must not take its delay.
 */
async function decodedStarts(file: string): Promise<number[]> {
  const starts: number[] = [];
  const command = ffmpegCommand(file)
    .inputFormat('apng')
    .inputOptions(FFMPEG_APNG_OPTIONS)
    .outputOptions(['-map', '0:v:0', '-vf', 'showinfo', ...passthroughOptions()])
    .format('null')
    .output('-');
  command.on('stderr', (line: string) => {
    const m = /Parsed_showinfo.*\bpts_time:\s*(-?[\d.]+)/.exec(line);
    if (m !== null) starts.push(Math.round(Number(m[1]) * FFMPEG_CLOCK));
  });
  const run = watch(command);
  command.run();
  const { error, stderr } = await run.done;
  await run.exit;
  if (error) throw ffmpegFailure(file, error, stderr);
  return starts;
}

/**
 * Which frame control chunk each decoded frame belongs to, by its start time; null when a
 * start matches none (ffmpeg's clock overflows on delays of hours), so that frames are then
 * taken in order.
 */
function matchFrames(decoded: readonly number[], expected: readonly number[]): number[] | null {
  const chunks: number[] = [];
  let next = 0;
  for (const start of decoded) {
    // showinfo prints times to 1e-5 s or coarser: allow that much either way.
    while (next < expected.length && expected[next] < start - 1) next++;
    if (next === expected.length || Math.abs(expected[next] - start) > 1) return null;
    chunks.push(next++);
  }
  return chunks;
}

/**
 * Opens an animated PNG as a clip with exact delays and loop count. A default image that
 * is not part of the animation (no frame control chunk before it) is skipped by ffmpeg, as
 * by browsers. A frame ffmpeg cannot decode leaves the one before it on screen for its
 * time too; a file cut short keeps the frames before the cut. Both are warned about.
 */
export async function openAnimatedPng(file: string, limits: { maxFrames: number; maxPixels: number }): Promise<TimedClip> {
  const timing = await readApngTiming(file);
  const { width, height, delaysMs } = timing;
  // Checked before ffmpeg allocates a frame: the header is all it takes to ask for gigabytes.
  if (width * height > limits.maxPixels) throw new ChromaseedError('ERR_LIMIT', `${file}: frames of ${width}x${height} exceed the limit of ${limits.maxPixels} pixels (raise it with --max-pixels)`);
  if (delaysMs.length > limits.maxFrames) throw new ChromaseedError('ERR_LIMIT', `${file}: more than ${limits.maxFrames} frames (raise the limit with --max-frames)`);
  const starts = await decodedStarts(file);
  if (starts.length === 0) throw inputError(file, 'ffmpeg decoded no frame of the animated PNG');
  const chunks = matchFrames(starts, timing.ffmpegStarts) ?? starts.map((_, i) => i).filter((i) => i < delaysMs.length);
  // Each frame shows until the next decoded one: through any frame missing after it.
  const shownMs = chunks.map((c, k) => (k + 1 < chunks.length ? sum(delaysMs, c, chunks[k + 1]) : delaysMs[c]));
  const warnings: string[] = [];
  const decoded = new Set(chunks);
  const last = chunks[chunks.length - 1];
  const missing = delaysMs.map((_, i) => i).filter((i) => i < last && !decoded.has(i));
  if (missing.length > 0) warnings.push(`${file}: ffmpeg could not decode frame${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the frame before is shown in ${missing.length > 1 ? 'their' : 'its'} place`);
  // A file cut short may have lost frames whose chunks never arrived: the header counts them.
  const cutShort = !timing.complete || delaysMs.length < timing.declaredFrames;
  if (cutShort && last + 1 < Math.max(timing.declaredFrames, delaysMs.length)) warnings.push(`${file}: the animated PNG is cut short; keeping its first ${last + 1} frames`);
  else if (last + 1 < delaysMs.length) warnings.push(`${file}: ffmpeg could not decode the last ${delaysMs.length - 1 - last} of its frames; they are left out`);

  // Frames as stored: the canvas size (a pHYs chunk's pixel aspect is ignored, as browsers do), every decoded frame once.
  const video = await openVideo(file, {}, { demuxer: 'apng', asStored: true });
  const loopCount = loopCountForPlays(timing.plays);
  const info: ClipInfo = { width, height, frameCount: chunks.length, fps: rateForDelays(shownMs), ...(loopCount !== undefined ? { loopCount } : {}) };

  async function* frames(): AsyncGenerator<TimedFrame> {
    let k = 0;
    for await (const frame of video.frames) {
      if (k === shownMs.length) break;
      yield { ...frame, delayMs: shownMs[k++] };
    }
  }
  return { info, delaysMs: shownMs, frames, warnings };
}

function sum(values: readonly number[], from: number, to: number): number {
  let total = 0;
  for (let i = from; i < to; i++) total += values[i];
  return total;
}
