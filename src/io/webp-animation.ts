import { inputError } from '../errors.js';
import { loopCountForPlays, MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import { binaryAlpha } from '../pixel-words.js';
import { createFramePool } from '../frame-pool.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import { checkFrameCount } from '../clip-options.js';
import { mayTurnClear, type FrameCover } from '../decode/canvas-holes.js';
import { clearRect, drawPicture, type CanvasRect } from '../decode/canvas-draw.js';
import type { TimedClip } from './open-input.js';
import { sharpForFiles } from './still.js';
import { readWholeFile } from './file-head.js';

/**
 * Animated WebP in: sharp reads the header (size, delays, loop count) and decodes each
 * frame's picture; the frames are composited here (blending and disposal). ffmpeg, which
 * reads every other clip, decodes still WebP only.
 */

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
    warnings.push(`${file}: the animated WebP is ${whole.missing} ${whole.missing === 1 ? 'byte' : 'bytes'} shorter than its header says (cut short?); reading the ${whole.frames === 1 ? 'one frame that is' : `${whole.frames} frames that are`} whole`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const pages = meta.pages ?? 1;
  checkFrameCount(file, pages, limits.maxFrames);
  const delaysMs = Array.from({ length: pages }, (_, i) => meta.delay?.[i] ?? 0);
  const loopCount = loopCountForPlays(meta.loop ?? 0);
  const bytes = typeof input === 'string' ? await readWholeFile(input, 'WebP') : input;
  const info: ClipInfo = {
    width, height, frameCount: pages, fps: rateForDelays(delaysMs, MAX_ANIMATION_FPS),
    ...(loopCount !== undefined ? { loopCount } : {}),
    // The alpha flag is set by most encoders whether or not a frame uses it: the frames say.
    ...(meta.hasAlpha === true && framesMayTurnClear(bytes, width, height) ? { mayTurnTransparent: true } : {}),
  };

  // Each frame's picture is decoded on its own and drawn here, onto a canvas kept from frame
  // to frame: libvips decodes an animation from its first frame on every call, so reading
  // it in batches cost time that grew with the square of the frame count (800 frames of
  // 720p: 195 s and 1.3 GB; 53 s and 0.4 GB this way).
  // Buffers the consumer hands back, for later frames (see frame-pool.ts).
  const pool = createFramePool(width * height * 4);
  async function* frames(): AsyncGenerator<TimedFrame> {
    const canvas = new Uint8Array(width * height * 4); // starts transparent, as browsers show it
    const icc = iccChunk(bytes);
    let n = 0;
    for (const frame of animationFrames(bytes)) {
      if (n >= pages) break; // the frames libvips counted (a cut file's whole ones)
      let picture: { data: Buffer; info: { width: number; height: number; channels: number } };
      try {
        picture = await sharp(frameImage(frame, icc), { limitInputPixels: false, failOn: 'error' }).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      } catch (e) {
        throw inputError(file, `frame ${n}: cannot decode: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e);
      }
      if (picture.info.width !== frame.width || picture.info.height !== frame.height || picture.info.channels !== 4) {
        throw inputError(file, `frame ${n}: its picture is ${picture.info.width}x${picture.info.height}, its frame header says ${frame.width}x${frame.height}`);
      }
      drawPicture(canvas, width, height, picture.data, frame, frame.blend);
      const rgba = pool.copy(canvas);
      binaryAlpha(rgba);
      yield { width, height, data: rgba, delayMs: delaysMs[n] };
      // Disposed to the background: its rectangle is cleared before the next frame is drawn.
      if (frame.dispose) clearRect(canvas, width, height, frame);
      n++;
    }
    // libvips counted them; walking the chunks did not reach them: one's length is wrong.
    if (n < pages) throw inputError(file, `damaged: ${pages - n} of its ${pages} frames could not be reached from the one before (a frame chunk's length is wrong)`);
  }
  return { info, delaysMs, frames, release: pool.release, warnings };
}

/**
 * Whether an animated WebP whose first frame is opaque may show transparency later, from its
 * frame headers (ANMF: rectangle, blending, disposal, and whether the frame carries alpha).
 * Libvips and ffmpeg set the file's alpha flag for opaque lossless animations too, which
 * sent their WebMs through the slower alpha encoding. (A lossless frame's alpha bit is a
 * hint by the specification; libwebp sets it right. Its pixels are decoded with their alpha
 * whatever it says (frameImage); only this guess trusts it.)
 */
function framesMayTurnClear(bytes: Buffer, width: number, height: number): boolean {
  return mayTurnClear(frameCovers(bytes), width, height);
}

/** One frame of an animated WebP (an ANMF chunk): where its picture goes, how, and the picture's chunks. */
interface AnimationFrame extends CanvasRect {
  /** Alpha-blended over the canvas; otherwise its pixels, clear ones too, replace the canvas's. */
  readonly blend: boolean;
  /** Its rectangle is cleared once it has been shown. */
  readonly dispose: boolean;
  /** Its picture: ALPH, VP8 or VP8L chunks (and any others a later format adds). */
  readonly data: Buffer;
}

/** The file's whole ANMF chunks, in order. */
function* animationFrames(bytes: Buffer): Generator<AnimationFrame> {
  for (let at = 12; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    at = body + size + (size & 1);
    if (bytes.toString('latin1', body - 8, body - 4) !== 'ANMF' || body + size > bytes.length || size < 16) continue;
    const flags = bytes[body + 15];
    yield {
      x: 2 * bytes.readUIntLE(body, 3), y: 2 * bytes.readUIntLE(body + 3, 3),
      width: bytes.readUIntLE(body + 6, 3) + 1, height: bytes.readUIntLE(body + 9, 3) + 1,
      blend: (flags & 2) === 0, dispose: (flags & 1) !== 0,
      data: bytes.subarray(body + 16, body + size),
    };
  }
}

/** The file's colour profile chunk (ICCP, before the frames), whole; null when it has none. */
function iccChunk(bytes: Buffer): Buffer | null {
  for (let at = 12; at + 8 <= bytes.length; ) {
    const type = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const end = at + 8 + size + (size & 1);
    if (type === 'ANMF' || end > bytes.length) return null;
    if (type === 'ICCP') return bytes.subarray(at, end);
    at = end;
  }
  return null;
}

/**
 * A frame's picture data (its ALPH, VP8 and VP8L chunks) as a WebP file of its own, with the
 * file's colour profile (sharp converts the picture from it, as it does a still WebP's): a
 * lossy picture with an alpha chunk, or a profile, needs the extended header (VP8X) that
 * says so; a picture of one chunk needs none.
 */
function frameImage({ data, width, height }: AnimationFrame, icc: Buffer | null): Buffer {
  const chunks: Buffer[] = [];
  for (let at = 0; at + 8 <= data.length; ) {
    const type = data.toString('latin1', at, at + 4);
    const size = data.readUInt32LE(at + 4);
    const end = Math.min(data.length, at + 8 + size + (size & 1));
    if (type === 'ALPH' || type === 'VP8 ' || type === 'VP8L') chunks.push(data.subarray(at, end));
    at = end;
  }
  // A lossless picture's pixels carry alpha whatever its header's bit says (a hint, by the
  // specification: "should not impact decoding"), and browsers draw it; said in the VP8X
  // header, libwebp decodes it (without, a picture whose bit was clear lost its clear pixels).
  const alpha = chunks.some((c) => c.toString('latin1', 0, 4) !== 'VP8 ');
  if (icc !== null) chunks.unshift(icc);
  if (alpha || icc !== null) {
    const vp8x = Buffer.alloc(18);
    vp8x.write('VP8X', 0, 'latin1');
    vp8x.writeUInt32LE(10, 4);
    vp8x[8] = (alpha ? 0x10 : 0) | (icc !== null ? 0x20 : 0); // the alpha and ICC profile flags
    vp8x.writeUIntLE(width - 1, 12, 3);
    vp8x.writeUIntLE(height - 1, 15, 3);
    chunks.unshift(vp8x);
  }
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + chunks.reduce((n, c) => n + c.length, 0), 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, ...chunks]);
}

/** Each ANMF chunk's effect on the canvas, for mayTurnClear. */
function* frameCovers(bytes: Buffer): Generator<FrameCover> {
  for (const frame of animationFrames(bytes)) {
    const alpha = frameHasAlpha(frame.data);
    yield {
      x0: frame.x, y0: frame.y, x1: frame.x + frame.width, y1: frame.y + frame.height,
      opaque: !alpha,
      clearsItself: alpha && !frame.blend, // "do not blend": its clear pixels replace the canvas's
      after: frame.dispose ? 'clear' : 'keep', // disposed to the background
    };
  }
}

/** Whether a frame's picture (the sub-chunks of its ANMF) carries alpha. */
function frameHasAlpha(data: Buffer): boolean {
  for (let at = 0; at + 8 <= data.length; ) {
    const type = data.toString('latin1', at, at + 4);
    const size = data.readUInt32LE(at + 4);
    if (type === 'ALPH') return true;
    // VP8L: the signature byte 0x2f, then 14 + 14 bits of size and the alpha_is_used bit.
    if (type === 'VP8L') return at + 13 <= data.length && ((data.readUInt32LE(at + 9) >>> 28) & 1) === 1;
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
  const bytes = await readWholeFile(file, 'WebP');
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
