import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { loopCountForPlays, MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import { binaryAlpha } from '../pixel-words.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import { checkFrameCount } from '../clip-options.js';
import { mayTurnClear, type FrameCover } from '../decode/canvas-holes.js';
import type { TimedClip } from './open-input.js';
import { sharpForFiles } from './still.js';

/**
 * Animated WebP in, through sharp: libvips composites each frame onto the canvas (blending
 * and disposal done). ffmpeg, which reads every other clip, decodes still WebP only.
 */

/**
 * Decoded frames asked for at once. libvips decodes an animation from its first frame on
 * every call, so fewer, larger batches read faster and hold more memory (libvips keeps a
 * few copies of a batch). Measured on a 273-frame 720p WebP (1 GB of RGBA), `quantize -k 4`:
 * 64 MB batches 31 s and 0.5 GB peak RSS, 128 MB 21 s and 0.8 GB, 256 MB 17 s and 1.3 GB.
 */
const BATCH_BYTES = 128 * 1024 * 1024;

/**
 * Reads the header: size, frame count, delays and loop count. Frames are decoded by
 * `frames()`. A file cut short (libvips refuses it whole) is read up to its last complete
 * frame, with a warning, as browsers show it.
 */
export async function openAnimatedWebp(file: string, limits: { maxFrames: number }): Promise<TimedClip> {
  const sharp = await sharpForFiles();
  const header = async (input: string | Buffer) => {
    try {
      return await sharp(input, { pages: -1, limitInputPixels: false }).metadata();
    } catch (e) {
      throw inputError(file, `cannot decode the animated WebP: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e);
    }
  };
  let input: string | Buffer = file;
  const warnings: string[] = [];
  let meta: Awaited<ReturnType<typeof header>>;
  try {
    meta = await header(input);
  } catch (e) {
    const whole = await completeFrames(file);
    if (whole === null) throw e;
    if (whole.frames === 0) throw inputError(file, 'the animated WebP is cut short before its first frame');
    input = whole.bytes;
    meta = await header(input);
    warnings.push(`${file}: the animated WebP is ${whole.missing} bytes shorter than its header says (cut short?); reading the ${whole.frames} frames that are whole`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const pages = meta.pages ?? 1;
  checkFrameCount(file, pages, limits.maxFrames);
  const delaysMs = Array.from({ length: pages }, (_, i) => meta.delay?.[i] ?? 0);
  const loopCount = loopCountForPlays(meta.loop ?? 0);
  const info: ClipInfo = {
    width, height, frameCount: pages, fps: rateForDelays(delaysMs, MAX_ANIMATION_FPS),
    ...(loopCount !== undefined ? { loopCount } : {}),
    // The alpha flag is set by most encoders whether or not a frame uses it: the frames say.
    ...(meta.hasAlpha === true && framesMayTurnClear(typeof input === 'string' ? await readFile(input) : input, width, height) ? { mayTurnTransparent: true } : {}),
  };
  const frameBytes = width * height * 4;
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / frameBytes));

  async function* frames(): AsyncGenerator<TimedFrame> {
    for (let first = 0; first < pages; first += perBatch) {
      const count = Math.min(perBatch, pages - first);
      let data: Buffer;
      try {
        data = await sharp(input, { page: first, pages: count, limitInputPixels: false, failOn: 'error' }).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer();
      } catch (e) {
        throw inputError(file, `frame ${first}: cannot decode: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e);
      }
      if (data.length !== count * frameBytes) throw inputError(file, `frames ${first}-${first + count - 1} decoded to ${data.length} bytes, expected ${count * frameBytes}`);
      // Views of the batch's buffer: each frame owns its own bytes, none is reused.
      for (let i = 0; i < count; i++) {
        const rgba = new Uint8Array(data.buffer, data.byteOffset + i * frameBytes, frameBytes);
        binaryAlpha(rgba);
        yield { width, height, data: rgba, delayMs: delaysMs[first + i] };
      }
    }
  }
  return { info, delaysMs, frames, warnings };
}

/**
 * Whether an animated WebP whose first frame is opaque may show transparency later, from its
 * frame headers (ANMF: rectangle, blending, disposal, and whether the frame carries alpha).
 * Libvips and ffmpeg set the file's alpha flag for opaque lossless animations too, which
 * sent their WebMs through the slower alpha encoding. (A lossless frame's alpha bit is a
 * hint by the specification; libwebp sets it right, and a file that clears it wrongly in a
 * later frame would have that frame's clear pixels drawn black, with a warning.)
 */
function framesMayTurnClear(bytes: Buffer, width: number, height: number): boolean {
  return mayTurnClear(frameCovers(bytes), width, height);
}

/** Each ANMF chunk's effect on the canvas, for mayTurnClear. */
function* frameCovers(bytes: Buffer): Generator<FrameCover> {
  for (let at = 12; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    at = body + size + (size & 1);
    if (bytes.toString('latin1', body - 8, body - 4) !== 'ANMF' || body + 16 > bytes.length) continue;
    const x0 = 2 * bytes.readUIntLE(body, 3);
    const y0 = 2 * bytes.readUIntLE(body + 3, 3);
    const flags = bytes[body + 15];
    const alpha = frameHasAlpha(bytes, body + 16, Math.min(at, bytes.length));
    yield {
      x0, y0, x1: x0 + bytes.readUIntLE(body + 6, 3) + 1, y1: y0 + bytes.readUIntLE(body + 9, 3) + 1,
      opaque: !alpha,
      clearsItself: alpha && (flags & 2) !== 0, // "do not blend": its clear pixels replace the canvas's
      after: (flags & 1) !== 0 ? 'clear' : 'keep', // disposed to the background
    };
  }
}

/** Whether the frame data from `from` to `to` (sub-chunks of an ANMF) carries alpha. */
function frameHasAlpha(bytes: Buffer, from: number, to: number): boolean {
  for (let at = from; at + 8 <= to; ) {
    const type = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (type === 'ALPH') return true;
    // VP8L: the signature byte 0x2f, then 14 + 14 bits of size and the alpha_is_used bit.
    if (type === 'VP8L') return at + 13 <= to && ((bytes.readUInt32LE(at + 9) >>> 28) & 1) === 1;
    if (type === 'VP8 ') return false;
    at += 8 + size + (size & 1);
  }
  return true; // unreadable: assume the worst
}

/**
 * A WebP cut short (its RIFF header promises more bytes than there are) rebuilt from the
 * chunks that arrived whole: everything before the first frame, then every complete frame
 * (ANMF). Null for a file that is not cut short, whose damage is something else.
 */
async function completeFrames(file: string): Promise<{ bytes: Buffer; frames: number; missing: number } | null> {
  const bytes = await readFile(file);
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || 8 + bytes.readUInt32LE(4) <= bytes.length) return null;
  const missing = 8 + bytes.readUInt32LE(4) - bytes.length;
  let end = 12;
  let frames = 0;
  // Chunks: type (4), size (4, little-endian), data padded to an even length.
  while (end + 8 <= bytes.length) {
    const size = bytes.readUInt32LE(end + 4);
    const next = end + 8 + size + (size & 1);
    if (next > bytes.length) break;
    if (bytes.toString('latin1', end, end + 4) === 'ANMF') frames++;
    end = next;
  }
  const whole = Buffer.from(bytes.subarray(0, end));
  whole.writeUInt32LE(end - 8, 4);
  return { bytes: whole, frames, missing };
}
