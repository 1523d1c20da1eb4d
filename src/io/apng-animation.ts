import { open, type FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, crc32, deflateSync, inflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from '../encode/png-encode.js';
import { inputError } from '../errors.js';
import { loopCountForPlays, MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import { binaryAlpha } from '../pixel-words.js';
import { createFramePool } from '../frame-pool.js';
import type { ClipInfo, TimedFrame } from '../types.js';
import { checkFrameCount, checkFrameSize } from '../clip-options.js';
import { apngStructure, CHUNKS_READ, frameProblem, pngHeaderProblem, u32, type ApngFrame, type ApngStructure, type FileSpan, type PngChunk, type PngHeader } from '../decode/apng-structure.js';
import { decodePngPixels, pngDataLength, pngDataProblem } from '../decode/png-pixels.js';
import { clearRect, copyRect, drawPicture } from '../decode/canvas-draw.js';
import { mayTurnClear, type FrameCover } from '../decode/canvas-holes.js';
import type { TimedClip } from './open-input.js';

/**
 * Animated PNG in: the file's chunks walked here, each frame's pixels decoded and composited
 * (blending and disposal) here, as animated WebP's are. ffmpeg's APNG decoder, used before,
 * resampled timing at a constant rate, drew 1-, 2- and 4-bit frames smaller than the canvas
 * in the wrong colours, could not start with a frame smaller than the canvas, and blended
 * partial alpha off by up to 2 levels.
 */

/** Bytes read at once while walking the chunks: frame data comes in many small chunks. */
const BLOCK_BYTES = 1 << 20;

/**
 * The whole chunks of an open PNG file in order, up to its end chunk (then `ending.complete`
 * is set) or one that runs past the end of the file (cut short). The data of the types in
 * `wanted` is read; others are only located. Read in 1 MiB blocks: one read per chunk took
 * 0.47 s on a 32 MB, 8,273-chunk APNG.
 */
async function* pngChunks(handle: FileHandle, wanted: ReadonlySet<string>, ending: { complete: boolean } = { complete: false }): AsyncGenerator<PngChunk> {
  const { size } = await handle.stat();
  const block = Buffer.alloc(BLOCK_BYTES);
  let blockStart = 0;
  let blockEnd = 0;
  // After the signature, chunks: length (4), type (4), data, CRC (4).
  for (let at = PNG_SIGNATURE.length; at + 8 <= size; ) {
    if (at + 8 > blockEnd) {
      blockStart = at;
      blockEnd = at + (await handle.read(block, 0, BLOCK_BYTES, at)).bytesRead;
    }
    const length = block.readUInt32BE(at - blockStart);
    const type = block.toString('latin1', at - blockStart + 4, at - blockStart + 8);
    const end = at + 12 + length;
    if (end > size) return;
    if (type === 'IEND') {
      ending.complete = true;
      return;
    }
    if (wanted.has(type)) {
      const whole = end <= blockEnd ? Buffer.from(block.subarray(at - blockStart, end - blockStart)) : await readSpan(handle, { at, length: end - at });
      const corrupt = crc32(whole.subarray(4, 8 + length)) !== u32(whole, 8 + length);
      // The profile is kept whole (length, type, data, checksum), to be put in a PNG of its own.
      const data = type === 'iCCP' ? whole : whole.subarray(8, 8 + length);
      yield { type, at: at + 8, length, data, ...(corrupt ? { corrupt } : {}) };
    } else if (type === 'fdAT' && length >= 4) {
      const number = at + 12 <= blockEnd ? block.subarray(at + 8 - blockStart, at + 12 - blockStart) : await readSpan(handle, { at: at + 8, length: 4 });
      yield { type, at: at + 8, length, sequence: u32(number, 0) };
    } else yield { type, at: at + 8, length };
    at = end;
  }
}

/** The bytes of `span` in an open file. */
async function readSpan(handle: FileHandle, span: FileSpan): Promise<Buffer> {
  const bytes = Buffer.alloc(span.length);
  await handle.read(bytes, 0, span.length, span.at);
  return bytes;
}

/**
 * True when a PNG has an animation control chunk before its image data, wherever it is:
 * the format sniff reads only the first 64 KiB, which a large profile or text chunk can fill.
 */
export async function isAnimatedPngFile(file: string): Promise<boolean> {
  return withFile(file, async (handle) => {
    for await (const { type } of pngChunks(handle, new Set())) {
      if (type === 'acTL') return true;
      if (type === 'IDAT') return false;
    }
    return false;
  });
}

/** The structure of the animated PNG `file`: every chunk but image data read. */
async function readApngStructure(file: string): Promise<ApngStructure> {
  return withFile(file, async (handle) => {
    const ending = { complete: false };
    const chunks: PngChunk[] = [];
    for await (const chunk of pngChunks(handle, CHUNKS_READ, ending)) chunks.push(chunk);
    return apngStructure(chunks, ending.complete);
  });
}

/** `use`'s result with `file` open for reading, closed after. */
async function withFile<T>(file: string, use: (handle: FileHandle) => Promise<T>): Promise<T> {
  const handle = await open(file, 'r');
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

/**
 * Opens an animated PNG as a clip with exact delays and loop count. A default image that
 * is not part of the animation (no frame control chunk before it) is left out, as browsers
 * do. Every frame is checked first (its control chunk, and its data inflated once): the
 * animation stops before the first that cannot be decoded, at a chunk that is damaged (a
 * checksum, a sequence number) or at a cut, keeping the frames before, with a warning; with
 * none before, the file is refused. Null for a whole file with no frame control chunk: a still.
 */
export async function openAnimatedPng(file: string, limits: { maxFrames: number; maxPixels: number }): Promise<TimedClip | null> {
  const apng = await readApngStructure(file);
  const { header, frames: all } = apng;
  if (all.length === 0 && apng.damage !== undefined) throw inputError(file, `the animated PNG is damaged before its first frame: ${apng.damage}`);
  if (apng.animation === null) {
    // Found by its name among the first chunks (sniffKind), but not read whole here.
    const why = apng.shortAnimationChunk !== undefined ? `its animation control chunk (acTL) is damaged: ${apng.shortAnimationChunk} bytes long, not 8` : !apng.complete ? 'it is cut short or damaged before its animation control chunk (acTL)' : 'it has no animation control chunk (acTL)';
    throw inputError(file, `is not a readable animated PNG: ${why}`);
  }
  if (all.length === 0) {
    if (!apng.complete) throw inputError(file, 'the animated PNG is cut short or damaged before its first frame');
    // An animation control chunk but no frame (an editor kept the chunk when it flattened
    // the animation): its default image is all there is, and what viewers show.
    return null;
  }
  const headerProblem = pngHeaderProblem(header);
  if (headerProblem !== null) throw inputError(file, `cannot decode the animated PNG: ${headerProblem}`);
  // Checked before a frame is inflated: the header is all it takes to ask for gigabytes.
  checkFrameSize(file, header, limits.maxPixels);
  checkFrameCount(file, all.length, limits.maxFrames);
  // Checked in order up to the first that cannot be decoded: it and the frames after it are
  // left out (APNG: "decoders should discard all subsequent frames"), as Chrome does. Drawn
  // without it, the frames after lacked what it drew.
  const { opaque, problem } = await withFile(file, async (handle) => {
    // Where frames of a format with alpha are decoded to look at it: one picture for all.
    const picture = hasAlpha(header) ? new Uint8Array(header.width * header.height * 4) : null;
    const found: boolean[] = [];
    for (const frame of all) {
      const check = frameProblem(frame, header) ?? (await checkFrameData(handle, frame, header, picture));
      if (typeof check === 'string') return { opaque: found, problem: check };
      found.push(check.opaque);
    }
    return { opaque: found, problem: null };
  });
  if (opaque.length === 0) {
    // The file's last frame is the damage's or the cut's (see frameWarnings).
    const cut = !apng.complete && all.length === 1;
    throw inputError(file, cut && apng.damage !== undefined ? `the animated PNG is damaged in its first frame: ${apng.damage}` : cut ? 'the animated PNG is cut short in its first frame' : `cannot decode the animated PNG's first frame: ${problem}`);
  }
  const drawn = all.slice(0, opaque.length);
  const shownMs = drawn.map((frame) => frame.delayMs);
  const warnings = frameWarnings(file, apng, drawn.length, problem);

  const { width, height } = header;
  const loopCount = loopCountForPlays(apng.animation.plays);
  const info: ClipInfo = {
    // The canvas size: a pHYs chunk's pixel aspect is ignored, as browsers do.
    width, height, frameCount: drawn.length, fps: rateForDelays(shownMs, MAX_ANIMATION_FPS),
    ...(loopCount !== undefined ? { loopCount } : {}),
    ...(mayTurnClear(drawn.map((frame, k) => frameCover(frame, opaque[k])), width, height) ? { mayTurnTransparent: true } : {}),
  };
  const mayHaveTransparency = opaque.includes(false) || drawn.some((frame) => frame.dispose !== 0) || drawn[0].width !== width || drawn[0].height !== height;

  // Frames are decoded in the file's colours; a still's reader converts them through its
  // profile to sRGB, as viewers do, and so is each frame here (see toSrgbThrough).
  // A grey file's profile is a grey one, which only a grey image can carry.
  const grey = header.colourType === 0 || header.colourType === 4;
  const profile = apng.profile !== null && !(await leavesColoursAlone(apng.profile, grey)) ? apng.profile : null;
  // Buffers the consumer hands back, for later frames (see frame-pool.ts).
  const pool = createFramePool(width * height * 4);
  async function* frames(): AsyncGenerator<TimedFrame> {
    const canvas = new Uint8Array(width * height * 4); // starts transparent, as browsers show it
    const before = drawn.some((frame) => frame.dispose === 2) ? new Uint8Array(canvas.length) : null;
    // Each frame's picture, decoded whole into the front of one buffer sized for the largest.
    // (A reduce, not Math.max(...): a spread of 200,000 frames overflows the call stack.)
    const pictures = new Uint8Array(drawn.reduce((most, frame) => Math.max(most, frame.width * frame.height * 4), 0));
    for (let k = 0; k < drawn.length; k++) {
      const frame = drawn[k];
      const picture = pictures.subarray(0, frame.width * frame.height * 4);
      // The file is opened for each frame: a caller that drops the frames part way (a
      // library user's next() calls, never finished) leaves no file handle open.
      let data: Uint8Array;
      try {
        data = await withFile(file, (handle) => inflateFrame(handle, frame, header, false));
      } catch (e) {
        throw inputError(file, `frame ${k}: cannot be decoded any more (was the file changed while it was read?): ${e instanceof Error ? e.message : String(e)}`, e);
      }
      decodePngPixels(data, header, frame.width, frame.height, picture);
      // Disposed to the previous canvas: what its rectangle held is kept to be put back
      // (before the first frame, that is the empty canvas: the same as clearing it).
      if (before !== null && frame.dispose === 2) copyRect(canvas, before, width, height, frame);
      drawPicture(canvas, width, height, picture, frame, frame.blend === 1);
      const rgba = profile !== null ? await toSrgbThrough(profile, grey, width, height, canvas) : pool.copy(canvas);
      binaryAlpha(rgba);
      yield { width, height, data: rgba, delayMs: shownMs[k] };
      if (frame.dispose === 1) clearRect(canvas, width, height, frame);
      else if (before !== null && frame.dispose === 2) copyRect(before, canvas, width, height, frame);
    }
  }
  return { info, delaysMs: shownMs, frames, release: pool.release, warnings, mayHaveTransparency };
}

/** A frame's effect on the canvas, for mayTurnClear. */
function frameCover(frame: ApngFrame, opaque: boolean): FrameCover {
  return {
    x0: frame.x, y0: frame.y, x1: frame.x + frame.width, y1: frame.y + frame.height,
    opaque,
    clearsItself: !opaque && frame.blend === 0, // "source": its clear pixels replace the canvas's
    after: frame.dispose === 1 ? 'clear' : frame.dispose === 2 ? 'restore' : 'keep',
  };
}

/**
 * A frame's data inflated: at most twice what its size needs, so that a small file cannot
 * ask for gigabytes (more is refused; a stream that stops early gives what it has, found
 * short by pngDataProblem).
 */
async function inflateFrame(handle: FileHandle, frame: ApngFrame, header: PngHeader, checksums: boolean): Promise<Uint8Array> {
  // One read of its data chunks, whole, from the first to the last; their data taken out of
  // it, each chunk first matched against its checksum when `checksums` (the check before
  // any frame is shown; not again as frames are decoded).
  const first = frame.data[0].chunk.at;
  const last = frame.data[frame.data.length - 1].chunk;
  const range = await readSpan(handle, { at: first, length: last.at + last.length - first });
  for (const { chunk } of checksums ? frame.data : []) {
    const end = chunk.at - first + chunk.length - 4;
    // zlib's checksum: ten times png-encode's.
    if (crc32(range.subarray(chunk.at - first + 4, end)) !== u32(range, end)) {
      throw new ChecksumError(`its ${range.toString('latin1', chunk.at - first + 4, chunk.at - first + 8)} chunk at byte ${chunk.at} does not match its checksum`);
    }
  }
  const pieces = frame.data.map(({ at, length }) => range.subarray(at - first, at - first + length));
  const data = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  const inflated = inflateSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 2 * pngDataLength(header, frame.width, frame.height) + 1024 });
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
}

/** A frame's data chunk that does not match its checksum: its message is the problem as said. */
class ChecksumError extends Error {}

/** Whether the format stores alpha: an alpha channel, or a transparency chunk. */
function hasAlpha(header: PngHeader): boolean {
  return header.colourType === 4 || header.colourType === 6 || header.transparency !== null;
}

/**
 * A frame's data checked (why it cannot be decoded, or whether it draws every pixel opaque):
 * inflated once, and dropped. A frame of a format with alpha is also decoded, to see
 * whether any pixel is drawn under half opacity (clear, as every output shows it): an RGBA animation whose pixels are all opaque, as editors often write them,
 * cannot turn the canvas transparent, so its GIF keeps every palette entry for colours and
 * its WebM the faster encoding without alpha.
 */
async function checkFrameData(handle: FileHandle, frame: ApngFrame, header: PngHeader, picture: Uint8Array | null): Promise<string | { opaque: boolean }> {
  let inflated: Uint8Array;
  try {
    inflated = await inflateFrame(handle, frame, header, true);
  } catch (e) {
    return e instanceof ChecksumError ? e.message : (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'its image data is larger than its size needs' : `its compressed data is damaged: ${e instanceof Error ? e.message : String(e)}`;
  }
  const problem = pngDataProblem(inflated, header, frame.width, frame.height);
  if (problem !== null) return problem;
  if (picture === null) return { opaque: true };
  decodePngPixels(inflated, header, frame.width, frame.height, picture);
  const size = frame.width * frame.height * 4;
  for (let i = 3; i < size; i += 4) if (picture[i] < 128) return { opaque: false };
  return { opaque: true };
}

/**
 * An RGBA frame in the colours of the profile chunk `iccp`, converted to sRGB by sharp, the
 * conversion a still PNG with that chunk gets: the frame is wrapped in a PNG of its own with
 * the chunk (stored uncompressed: it is decoded at once), and read back. Alpha is kept. About
 * 10 ms a frame of 480x270, most of it the conversion itself.
 */
async function toSrgbThrough(iccp: Uint8Array, grey: boolean, width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> {
  // Grey frames (every pixel's R = G = B) as grey and alpha: sharp ignored a grey profile in an RGBA file.
  const channels = grey ? 2 : 4;
  const rows = Buffer.alloc((width * channels + 1) * height); // each row's filter byte 0: none
  for (let y = 0, i = 0; y < height; y++) {
    const row = y * (width * channels + 1) + 1;
    if (!grey) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), row);
    else {
      for (let x = 0; x < width; x++, i += 4) {
        rows[row + 2 * x] = rgba[i];
        rows[row + 2 * x + 1] = rgba[i + 3];
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, grey ? 4 : 6, 0, 0, 0], 8); // 8 bits, grey and alpha or RGBA, deflate, adaptive filtering, not interlaced
  const png = Buffer.concat([Buffer.from(PNG_SIGNATURE), pngChunk('IHDR', header), iccp, pngChunk('IDAT', deflateSync(rows, { level: 0 })), pngChunk('IEND', Buffer.alloc(0))]);
  const { default: sharp } = await import('sharp');
  const data = await sharp(png, { limitInputPixels: false }).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Whether converting through the profile chunk `iccp` leaves colours as they are: an sRGB
 * profile, which many files carry, where converting each frame would cost time for nothing
 * (30 to 45% of a run). Tried on a cube of 6 levels a channel and 16 greys (the greys
 * alone for a grey profile).
 */
async function leavesColoursAlone(iccp: Uint8Array, grey: boolean): Promise<boolean> {
  const levels = [0, 51, 102, 153, 204, 255];
  const colours: number[] = [];
  if (!grey) for (const r of levels) for (const g of levels) for (const b of levels) colours.push(r, g, b, 255);
  for (let v = 0; v < 256; v += 17) colours.push(v, v, v, 255);
  const rgba = Uint8Array.from(colours);
  const converted = await toSrgbThrough(iccp, grey, rgba.length / 4, 1, rgba);
  return converted.every((v, i) => v === rgba[i]);
}

/** What the user is told: damaged chunks left out, and frames left out (framesLeftOut). */
function frameWarnings(file: string, apng: ApngStructure, kept: number, problem: string | null): string[] {
  return [...apng.ignored.map((why) => `${file}: ${why}`), ...framesLeftOut(file, apng, kept, problem)];
}

/** The frames left out, from the first that cannot be decoded, at damage to the chunks, or at a cut. */
function framesLeftOut(file: string, apng: ApngStructure, kept: number, problem: string | null): string[] {
  const declared = apng.animation?.frames ?? 0;
  const count = apng.frames.length;
  // Where the chunks stop early, the frames after are counted by the header.
  const total = apng.complete ? count : Math.max(declared, count);
  // A file that stops early leaves its last frame without its data, or some of it: that frame is the cut's.
  const cut = !apng.complete && kept >= count - 1;
  if (problem !== null && !cut) return [`${file}: frame ${kept} cannot be decoded (${problem}); keeping the ${kept} ${kept === 1 ? 'frame' : 'frames'} before it, of ${total}`];
  if (apng.damage !== undefined) return [`${file}: the animated PNG is damaged (${apng.damage}); keeping its first ${kept} of ${total} frames`];
  if (!apng.complete) return kept < total ? [`${file}: the animated PNG is cut short or damaged; keeping its first ${kept} of ${total} frames`] : [];
  if (declared !== count) return [`${file}: the animated PNG's header says ${declared} ${declared === 1 ? 'frame' : 'frames'}, but ${count} ${count === 1 ? 'is' : 'are'} there`];
  return [];
}
