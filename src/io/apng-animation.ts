import { open } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from '../encode/png-encode.js';
import { inputError } from '../errors.js';
import { loopCountForPlays, MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import { checkFrameCount, checkFrameSize } from '../clip-options.js';
import { everyFrameOptions, ffmpegCommand, lastMeaningfulLine } from './ffmpeg-path.js';
import type { TimedClip } from './open-input.js';
import { decodeToNothing, ffmpegFailure } from './ffmpeg-run.js';
import { openVideo } from './video-in.js';
import { readHead } from './file-head.js';

/**
 * Animated PNG in: the timing from its own chunks, the pixels from ffmpeg. ffmpeg's APNG
 * decoder composites frames (blending and disposal), but a constant-rate read resamples its
 * timestamps: delays of 100, 200 and 300 ms came out as ten 100 ms frames, and the play
 * count was lost. Here every frame ffmpeg decodes is read once and given its own frame
 * control chunk's delay, so an APNG is timed like a GIF or an animated WebP.
 */

/** What the chunks say: the canvas, one entry per frame control chunk, the play count. */
interface ApngTiming {
  readonly width: number;
  readonly height: number;
  /** Each frame's delay in milliseconds, in order. */
  readonly delaysMs: readonly number[];
  /** Where each frame control chunk starts in the file: how ffmpeg's frames are told apart. */
  readonly offsets: readonly number[];
  /** acTL's num_plays: 0 = forever. */
  readonly plays: number;
  /** acTL's num_frames: how many frames the file says it has. */
  readonly declaredFrames: number;
  /** False when the file ends before its end chunk (IEND): cut short. */
  readonly complete: boolean;
  /** Where the colour profile chunk (iCCP) is, if the file has one. */
  readonly profile?: { readonly at: number; readonly length: number };
}

/** PNG signature (8 bytes), then chunks: length (4), type (4), data, CRC (4). */
const SIGNATURE_BYTES = 8;
/** In fcTL's data: sequence, width, height, x, y (4 bytes each), then the delay's numerator and denominator (2 each). */
const FCTL_DELAY_AT = 20;
/** Bytes read at once while walking the chunks: frame data comes in many small chunks. */
const BLOCK_BYTES = 1 << 20;
/** A chunk's length and type (8 bytes), then as much of its data as is read: fcTL's first 24. */
const HEAD_BYTES = 8 + 24;

/** One PNG chunk: where it starts, its type and data length, and up to its first 24 data bytes. */
interface ChunkHead {
  readonly at: number;
  readonly type: string;
  readonly length: number;
  /** The chunk from its length field on: 8 bytes of header, then up to 24 of data. */
  readonly head: Buffer;
}

/**
 * The chunks of `file` in order, until one runs past the end of the file (cut short; then
 * `complete` is false) or the end chunk. Frame data is skipped, but read in 1 MiB blocks:
 * one read per chunk took 0.47 s on a 32 MB, 8,273-chunk APNG.
 */
async function* pngChunks(file: string, ending: { complete: boolean } = { complete: false }): AsyncGenerator<ChunkHead> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const block = Buffer.alloc(BLOCK_BYTES);
    let blockStart = 0;
    let blockEnd = 0;
    for (let at = SIGNATURE_BYTES; at + 8 <= size; ) {
      if (at + Math.min(HEAD_BYTES, size - at) > blockEnd) {
        blockStart = at;
        blockEnd = at + (await handle.read(block, 0, BLOCK_BYTES, at)).bytesRead;
      }
      const head = block.subarray(at - blockStart, at - blockStart + HEAD_BYTES);
      const length = head.readUInt32BE(0);
      if (at + 12 + length > size) return;
      const type = head.toString('latin1', 4, 8);
      yield { at, type, length, head };
      if (type === 'IEND') {
        ending.complete = true;
        return;
      }
      at += 12 + length;
    }
  } finally {
    await handle.close();
  }
}

/**
 * True when a PNG has an animation control chunk before its image data, wherever it is:
 * the format sniff reads only the first 64 KiB, which a large profile or text chunk can fill.
 */
export async function isAnimatedPngFile(file: string): Promise<boolean> {
  for await (const { type } of pngChunks(file)) {
    if (type === 'acTL') return true;
    if (type === 'IDAT') return false;
  }
  return false;
}

/** The header, the animation control chunk and every frame control chunk of `file`. */
async function readApngTiming(file: string): Promise<ApngTiming> {
  let width = 0;
  let height = 0;
  const delaysMs: number[] = [];
  const offsets: number[] = [];
  let animation: { plays: number; frames: number } | undefined;
  let profile: ApngTiming['profile'];
  const ending = { complete: false };
  let bitDepth = 8;
  let colourType = 6;
  /** Some frame covers less than the canvas; the first frame does; image data comes before it (a default image outside the animation). */
  let partFrame = false;
  let firstPart = false;
  let imageBeforeFrames = false;
  for await (const { at, type, length, head } of pngChunks(file, ending)) {
    if (type === 'IHDR' && length >= 8) {
      width = head.readUInt32BE(8);
      height = head.readUInt32BE(12);
      if (length >= 10) [bitDepth, colourType] = [head[16], head[17]];
    }
    if (type === 'IDAT' && offsets.length === 0) imageBeforeFrames = true;
    if (type === 'fcTL' && length >= 20) {
      const part = head.readUInt32BE(12) !== width || head.readUInt32BE(16) !== height || head.readUInt32BE(20) !== 0 || head.readUInt32BE(24) !== 0;
      partFrame ||= part;
      if (offsets.length === 0) firstPart = part;
    }
    if (type === 'acTL' && length >= 8) animation = { frames: head.readUInt32BE(8), plays: head.readUInt32BE(12) };
    if (type === 'iCCP') profile = { at, length };
    if (type === 'fcTL' && length >= 26) {
      const numerator = head.readUInt16BE(8 + FCTL_DELAY_AT);
      // A denominator of 0 means hundredths of a second (APNG specification).
      const denominator = head.readUInt16BE(8 + FCTL_DELAY_AT + 2) || 100;
      delaysMs.push((numerator * 1000) / denominator);
      offsets.push(at);
    }
  }
  if (animation === undefined) throw inputError(file, 'is not an animated PNG (no animation control chunk)');
  if (delaysMs.length === 0 && !ending.complete) throw inputError(file, 'the animated PNG is cut short or damaged before its first frame');
  // Valid files that ffmpeg, which decodes animated PNG here, gets wrong: refused, rather than
  // its pictures (a 4-bit palette frame at an offset came out in the wrong colours) or its
  // "Not yet implemented" as a damaged file.
  if (bitDepth < 8 && partFrame) throw inputError(file, `an animated PNG of ${bitDepth}-bit ${colourType === 3 ? 'palette' : 'grey'} frames, some smaller than its canvas, which ffmpeg (what reads animated PNG here) cannot composite right; save it with 8 bits per sample (APNG tools offer it), or as an animated WebP or a GIF`);
  if (imageBeforeFrames && firstPart) throw inputError(file, 'an animated PNG whose first frame is smaller than its canvas and follows an image that is not part of the animation, which ffmpeg (what reads animated PNG here) cannot decode; save it with the first frame as the image, or as an animated WebP or a GIF');
  return { width, height, delaysMs, offsets, plays: animation.plays, declaredFrames: animation.frames, complete: ending.complete, ...(profile !== undefined ? { profile } : {}) };
}

/**
 * Which frames ffmpeg decodes, from one decoding pass (0.3 s for 240 frames of 480x270, where
 * the whole run takes 5 s): `showinfo` reports each decoded frame's position in the file,
 * the offset of its frame control chunk. A frame ffmpeg cannot decode (damaged, or a blend
 * mode it lacks) is missing, and the frames after it must not take its delay. Timestamps
 * would not do: ffmpeg prints them to six digits, and its APNG clock overflows on delays of
 * hours. The lines are looked for anywhere in a line, as the bundled ffmpeg prints other
 * threads' messages without line breaks. Also returns ffmpeg's last error line, if any.
 */
async function decodedPositions(file: string): Promise<{ positions: (number | undefined)[]; error?: string }> {
  const positions: (number | undefined)[] = [];
  let lastError: string | undefined;
  const command = ffmpegCommand(file).inputFormat('apng');
  command.on('stderr', (line: string) => {
    const frame = /n: *(\d+) +pts: *-?\d+ +pts_time:\S+ +pos: *(-?\d+)/.exec(line);
    if (frame !== null) positions[Number(frame[1])] = Number(frame[2]);
    else if (/error|invalid|not (yet )?implemented/i.test(line)) lastError = lastMeaningfulLine(line);
  });
  const { error, stderr } = await decodeToNothing(command, ['-map', '0:v:0', '-vf', 'showinfo', ...everyFrameOptions()]);
  if (error) throw ffmpegFailure(file, error, stderr);
  return { positions: Array.from(positions), ...(lastError !== undefined ? { error: lastError } : {}) };
}

/**
 * Which frame control chunk each decoded frame belongs to, by its position; null when one
 * is unknown or matches no chunk, so that frames are then taken in order.
 */
function matchFrames(positions: readonly (number | undefined)[], offsets: readonly number[]): number[] | null {
  const chunkAt = new Map(offsets.map((offset, i) => [offset, i]));
  const chunks: number[] = [];
  for (const position of positions) {
    const chunk = position === undefined ? undefined : chunkAt.get(position);
    if (chunk === undefined || (chunks.length > 0 && chunk <= chunks[chunks.length - 1])) return null;
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * Opens an animated PNG as a clip with exact delays and loop count. A default image that
 * is not part of the animation (no frame control chunk before it) is skipped by ffmpeg, as
 * by browsers. A frame ffmpeg cannot decode gives its time to the decoded frame before it
 * (the first decoded, for frames before that); a file cut short keeps the frames before the
 * cut. Both are warned about. Null for a whole file with no frame control chunk: a still.
 */
export async function openAnimatedPng(file: string, limits: { maxFrames: number; maxPixels: number }): Promise<TimedClip | null> {
  const timing = await readApngTiming(file);
  const { delaysMs } = timing;
  // A whole file with an animation control chunk but no frame (an editor kept the chunk when
  // it flattened the animation): its default image is all there is, and what viewers show.
  if (delaysMs.length === 0) return null;
  // Checked before ffmpeg allocates a frame: the header is all it takes to ask for gigabytes.
  checkFrameSize(file, timing, limits.maxPixels);
  checkFrameCount(file, delaysMs.length, limits.maxFrames);
  const decoded = await decodedPositions(file);
  if (decoded.positions.length === 0) {
    const why = decoded.error === undefined ? '' : ` (ffmpeg: ${decoded.error})`;
    throw inputError(file, timing.complete ? `ffmpeg could not decode any frame of the animated PNG${why}` : `the animated PNG is cut short or damaged before its first frame${why}`);
  }
  const chunks = matchFrames(decoded.positions, timing.offsets) ?? decoded.positions.map((_, i) => i).filter((i) => i < delaysMs.length);
  // Each frame shows until the next decoded one starts, through any frame missing after it;
  // the first from the start, through any missing before it.
  const shownMs = chunks.map((c, k) => sum(delaysMs, k === 0 ? 0 : c, k + 1 < chunks.length ? chunks[k + 1] : c + 1));
  const warnings = frameWarnings(file, timing, chunks);

  // Frames as stored: the canvas size (a pHYs chunk's pixel aspect is ignored, as browsers do), every decoded frame once.
  const video = await openVideo(file, {}, { demuxer: 'apng', asStored: true });
  const loopCount = loopCountForPlays(timing.plays);
  const info: ClipInfo = {
    width: timing.width, height: timing.height, frameCount: chunks.length, fps: rateForDelays(shownMs, MAX_ANIMATION_FPS),
    ...(loopCount !== undefined ? { loopCount } : {}),
    // Frames stored with alpha (RGBA, or a palette with transparent entries) may clear pixels in any frame.
    ...(video.info.mayTurnTransparent === true ? { mayTurnTransparent: true } : {}),
  };

  // ffmpeg leaves colours as stored; a still's reader converts them through its profile to
  // sRGB, as viewers do, and so is each frame here (see toSrgbThrough).
  // The whole chunk, as stored: length, type, data and checksum.
  const tagged = timing.profile !== undefined ? await readHead(file, 12 + timing.profile.length, timing.profile.at) : null;
  const profile = tagged !== null && !(await leavesColoursAlone(tagged)) ? tagged : null;
  async function* frames(): AsyncGenerator<TimedFrame> {
    let k = 0;
    for await (const frame of video.frames) {
      if (k === shownMs.length) break;
      const data = profile !== null ? await toSrgbThrough(profile, frame.width, frame.height, frame.data) : frame.data;
      yield { ...frame, data, delayMs: shownMs[k++] };
    }
  }
  return { info, delaysMs: shownMs, frames, warnings };
}

/**
 * An RGBA frame in the colours of the profile chunk `iccp`, converted to sRGB by sharp, the
 * conversion a still PNG with that chunk gets: the frame is wrapped in a PNG of its own with
 * the chunk (stored uncompressed: it is decoded at once), and read back. Alpha is kept. About
 * 10 ms a frame of 480x270, most of it the conversion itself.
 */
async function toSrgbThrough(iccp: Uint8Array, width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1); // filter byte 0: none
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, adaptive filtering, not interlaced
  const png = Buffer.concat([Buffer.from(PNG_SIGNATURE), pngChunk('IHDR', header), iccp, pngChunk('IDAT', deflateSync(rows, { level: 0 })), pngChunk('IEND', Buffer.alloc(0))]);
  const { default: sharp } = await import('sharp');
  const data = await sharp(png, { limitInputPixels: false }).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Whether converting through the profile chunk `iccp` leaves colours as they are: an sRGB
 * profile, which many files carry, where converting each frame would cost time for nothing
 * (30 to 45% of a run). Tried on a cube of 6 levels a channel and 16 greys.
 */
async function leavesColoursAlone(iccp: Uint8Array): Promise<boolean> {
  const levels = [0, 51, 102, 153, 204, 255];
  const colours: number[] = [];
  for (const r of levels) for (const g of levels) for (const b of levels) colours.push(r, g, b, 255);
  for (let v = 0; v < 256; v += 17) colours.push(v, v, v, 255);
  const rgba = Uint8Array.from(colours);
  const converted = await toSrgbThrough(iccp, rgba.length / 4, 1, rgba);
  return converted.every((v, i) => v === rgba[i]);
}

/** What the user is told about frames left out: undecodable ones, and a file cut short. */
function frameWarnings(file: string, timing: ApngTiming, chunks: readonly number[]): string[] {
  const warnings: string[] = [];
  const { delaysMs, declaredFrames } = timing;
  const decoded = new Set(chunks);
  const last = chunks[chunks.length - 1];
  const missing = delaysMs.map((_, i) => i).filter((i) => i < last && !decoded.has(i));
  if (missing.length > 0) {
    const listed = missing.length > 10 ? `${missing.slice(0, 10).join(', ')} and ${missing.length - 10} more` : missing.join(', ');
    warnings.push(`${file}: ffmpeg could not decode frame${missing.length > 1 ? 's' : ''} ${listed}; each one's time goes to the decoded frame before it (or, before the first, to that one)`);
  }
  if (!timing.complete) {
    // Cut short, or damaged so that its chunks cannot be walked on: the frames after are counted by the header.
    if (last + 1 < Math.max(declaredFrames, delaysMs.length)) warnings.push(`${file}: the animated PNG is cut short or damaged; keeping its first ${last + 1} of ${Math.max(declaredFrames, delaysMs.length)} frames`);
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
