import { open } from 'node:fs/promises';
import { ChromaseedError, inputError } from '../errors.js';
import { loopCountForPlays, rateForDelays } from '../timing.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import type { TimedClip } from './open-input.js';
import { openVideo } from './video-in.js';

/**
 * Animated PNG in: the timing from its own chunks, the pixels from ffmpeg. ffmpeg's APNG
 * decoder composites frames (blending and disposal) but its demuxer hands out timestamps
 * that a constant-rate read would resample: delays of 100, 200 and 300 ms came out as ten
 * 100 ms frames, and the play count was lost. Read one frame per frame control chunk and
 * paired with that chunk's delay, an APNG is timed like a GIF or an animated WebP.
 */

/** What the animation chunks say: one delay per frame, in order, and the play count. */
export interface ApngTiming {
  readonly delaysMs: readonly number[];
  /** acTL's num_plays: 0 = forever. */
  readonly plays: number;
}

/** PNG signature (8 bytes), then chunks: length (4), type (4), data, CRC (4). */
const SIGNATURE_BYTES = 8;
/** The fcTL fields read: sequence, width, height, x, y (4 bytes each), delay numerator and denominator (2 each). */
const FCTL_DELAY_AT = 20;

/** Bytes read at once while walking the chunks: frame data comes in many small chunks. */
const BLOCK_BYTES = 1 << 20;
/** A chunk's length and type (8 bytes), then as much of its data as is read: fcTL's first 24. */
const HEAD_BYTES = 8 + 24;

/**
 * Walks the chunks of `file` for the animation control chunk and every frame control chunk.
 * Frame data is skipped, but read in 1 MiB blocks: one read per chunk took 0.47 s on a
 * 32 MB, 8,273-chunk APNG.
 */
export async function readApngTiming(file: string): Promise<ApngTiming> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const block = Buffer.alloc(BLOCK_BYTES);
    let blockStart = 0;
    let blockEnd = 0;
    const delaysMs: number[] = [];
    let plays: number | undefined;
    for (let at = SIGNATURE_BYTES; at + 8 <= size; ) {
      if (at + Math.min(HEAD_BYTES, size - at) > blockEnd) {
        blockStart = at;
        blockEnd = at + (await handle.read(block, 0, BLOCK_BYTES, at)).bytesRead;
      }
      const head = block.subarray(at - blockStart);
      const length = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (at + 12 + length > size) break; // cut short: what came before stands
      if (type === 'acTL' && length >= 8) plays = head.readUInt32BE(12);
      if (type === 'fcTL' && length >= 26) {
        const numerator = head.readUInt16BE(8 + FCTL_DELAY_AT);
        // A denominator of 0 means hundredths of a second (APNG specification).
        const denominator = head.readUInt16BE(8 + FCTL_DELAY_AT + 2) || 100;
        delaysMs.push((numerator * 1000) / denominator);
      }
      if (type === 'IEND') break;
      at += 12 + length;
    }
    if (plays === undefined) throw inputError(file, 'is not an animated PNG (no animation control chunk)');
    if (delaysMs.length === 0) throw inputError(file, 'the animated PNG is cut short or damaged before its first frame');
    return { delaysMs, plays };
  } finally {
    await handle.close();
  }
}

/**
 * Opens an animated PNG as a clip with exact delays and loop count. ffmpeg decodes every
 * frame once (`-vsync passthrough`); a default image that is not part of the animation
 * (no frame control chunk before it) is skipped by ffmpeg, as by browsers.
 */
export async function openAnimatedPng(file: string, limits: { maxFrames: number }): Promise<TimedClip> {
  const { delaysMs, plays } = await readApngTiming(file);
  if (delaysMs.length > limits.maxFrames) throw new ChromaseedError('ERR_LIMIT', `${file}: more than ${limits.maxFrames} frames (raise the limit with --max-frames)`);
  // Named, not guessed: ffmpeg guesses a PNG's format from its first 2 KB, and an APNG whose
  // animation chunk comes after a large profile or text chunk would be read as a still.
  const video = await openVideo(file, {}, { demuxer: 'apng', everyFrame: true });
  const loopCount = loopCountForPlays(plays);
  const info: ClipInfo = {
    width: video.info.width,
    height: video.info.height,
    frameCount: delaysMs.length,
    fps: rateForDelays(delaysMs),
    ...(loopCount !== undefined ? { loopCount } : {}),
  };
  const { warnings } = video;

  async function* frames(): AsyncGenerator<TimedFrame> {
    let n = 0;
    for await (const frame of video.frames) {
      if (n === delaysMs.length) break; // more pictures than frame control chunks: a damaged file
      yield { ...frame, delayMs: delaysMs[n++] };
    }
    if (n < delaysMs.length) warnings.push(`${file}: ffmpeg decoded ${n} of its ${delaysMs.length} frames; the rest are left out`);
  }
  return { info, delaysMs, frames, warnings };
}
