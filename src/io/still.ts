import { readFile, stat } from 'node:fs/promises';
import { decodeGif, isGif } from '../decode/gif-decode.js';
import { ChromaseedError, inputError, invalidOption, namesOf, refuseUnknownKeys, requireObject } from '../errors.js';
import { fileName } from './file-name.js';
import { DEFAULT_MAX_PIXELS } from '../options.js';
import { binaryAlpha } from '../pixel-words.js';
import { scaledHeight, validateClipOptions } from '../clip-options.js';
import type { Frame } from '../types.js';
import { inputFileSize, readHead, readWholeFile } from './file-head.js';
import { isPng, isTiff } from '../file-signatures.js';
import { pngChunkProblem } from '../decode/png-damage.js';
import { u32 } from '../decode/apng-structure.js';

/**
 * Still-image input: a photo (or an animation's first frame) decoded to RGBA through sharp.
 */

export interface ReadStillOptions {
  /**
   * Refuse images with more than this many pixels (width × height) before decoding
   * them, so a small file that claims a huge canvas (a "decompression bomb") cannot exhaust
   * memory. Default {@link DEFAULT_MAX_PIXELS}. A positive integer.
   */
  readonly maxPixels?: number;
  /** Scale to this width, keeping the aspect ratio (--width). */
  readonly width?: number;
}

const STILL_NAMES: readonly string[] = namesOf<ReadStillOptions>({ maxPixels: true, width: true });

/**
 * Decode a still image (JPEG, PNG, WebP, AVIF, TIFF, SVG, or the first frame of a GIF or other
 * animated format) into non-premultiplied 8-bit sRGB RGBA: what sharp reads. A picture
 * only ffmpeg reads (BMP, PPM, TGA) comes through openInput, as the command line reads it.
 *
 * EXIF orientation is applied, so the frame is upright as a viewer shows it; colour
 * profiles, greyscale, CMYK and 16-bit inputs are converted to 8-bit sRGB, and images
 * without alpha get alpha 255. Partial alpha is cut at half (binaryAlpha).
 *
 * @param file path of the image file, used in error messages.
 * @throws ChromaseedError `ERR_INPUT` when the file is missing, unreadable, or not an image
 *   this build can decode; `ERR_LIMIT` when it has more than `maxPixels` pixels.
 * @example
 * const { width, height, data } = await loadStill('photo.jpg');
 */
export async function loadStill(given: string | URL, options: ReadStillOptions = {}): Promise<Frame> {
  const file = fileName(given, 'loadStill');
  requireObject('options', '{ maxPixels: 1e6 }', options);
  refuseUnknownKeys('loadStill', options, STILL_NAMES);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels < 1) throw invalidOption('maxPixels', 'a positive integer', maxPixels);
  // The bounds every reader has for --width (validateClipOptions).
  if (options.width !== undefined) validateClipOptions({ width: options.width });
  // Checked up front because sharp's messages for these cases do not say which file
  // nor what is wrong with it ("Input file is missing").
  await inputFileSize(file);
  const gif = await firstGifFrame(file, maxPixels);
  if (gif !== null) {
    if (options.width === undefined) return gif;
    const height = scaledHeightWithin(file, options.width, gif.width, gif.height, maxPixels);
    return (await import('./resize-frames.js')).resizeFrame({ ...gif, delayMs: 0 }, options.width, height);
  }

  const sharp = await sharpForFiles();
  try {
    const meta = await sharp(file, { limitInputPixels: maxPixels, pages: 1 }).metadata();
    const unread = unreadSamples(meta.depth, meta.space, meta.channels);
    if (unread !== null) throw inputError(file, `an image of ${unread} samples, whose colours cannot be read as a viewer shows them; save it with 8 or 16-bit samples`);
    if (options.width !== undefined) {
      // The scaled size must fit the limit too, and is known from the header alone.
      const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
      const [w, h] = turned ? [meta.height ?? 1, meta.width ?? 1] : [meta.width ?? 1, meta.height ?? 1];
      scaledHeightWithin(file, options.width, w, h, maxPixels);
    }
    const image = sharp(file, {
      limitInputPixels: maxPixels,
      // Only the first frame of an animation: a still palette is taken from what a
      // viewer shows first, and decoding every page would multiply the memory.
      pages: 1,
      // Tolerate warnings (e.g. trailing garbage after a JPEG) but not decode errors.
      failOn: 'error',
    })
      .rotate()
      .resize(options.width === undefined ? null : { width: options.width });
    // A 16-bit image with an embedded profile (sRGB's own included) comes out of sharp's
    // default conversion in the wrong colours: pure red as (234, 51, 34). Through the
    // profile to sRGB said outright (withIccProfile), channels near 0 came out up to 16
    // levels off (ProPhoto 2, 196, 66 read as 0, 226, 2, not 0, 226, 18; lcms through
    // ImageMagick); with sRGB as the pipeline's space they are within 2 levels, as for the
    // same colours at 8 bits. 8-bit images and those without a profile are right as they
    // are. A 16-bit grey image's profile is skipped by that conversion (a grey of 0.4 under a
    // linear profile read as 102, not 170) unless its output is first made 8-bit grey.
    //
    // A CMYK image without a profile: libvips would convert it through a print profile of
    // its own, which dulls it (a blue #3250c8 read as #405085, blacks lifted to #3f3b39);
    // browsers, ImageMagick and ffmpeg take its inks as they are, so it is read as inks and
    // converted here the same way.
    //
    // A 16-bit image without a profile is read at 16 bits and rounded here: libvips' own
    // conversion to 8 bits drops the low byte (1000 of 65535, 3.89 of 255, read as 3).
    const plainCmyk = meta.space === 'cmyk' && meta.icc === undefined;
    const deep = meta.depth === 'ushort';
    const plainDeep = deep && !plainCmyk && meta.icc === undefined;
    if (plainCmyk) image.pipelineColourspace('cmyk').toColourspace('cmyk');
    else if (meta.icc !== undefined && meta.depth !== 'uchar' && meta.depth !== 'char') {
      if (meta.channels !== undefined && meta.channels <= 2) image.toColourspace('b-w').withIccProfile('srgb');
      else image.pipelineColourspace('srgb').toColourspace('srgb');
    } else image.toColourspace(plainDeep ? 'rgb16' : 'srgb');
    // Inks at their stored depth: cast to 8 bits, 16-bit inks would be clipped, not scaled.
    const { data, info } = await (plainCmyk ? image.raw({ depth: deep ? 'ushort' : 'uchar' }) : image.ensureAlpha().raw({ depth: plainDeep ? 'ushort' : 'uchar' })).toBuffer({ resolveWithObject: true });
    // A view of sharp's Buffer (no copy); Buffer is a Uint8Array.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (plainCmyk ? info.channels < 4 : info.channels !== 4) throw new Error(`decoder produced ${info.channels} channels, expected ${plainCmyk ? '4 or 5' : 4}`);
    const rgba = plainCmyk ? inksToRgba(bytes, info.channels, deep) : plainDeep ? roundedTo8Bits(bytes) : bytes;
    // An image without alpha came out with 255 everywhere (ensureAlpha): nothing to cut, and a
    // pass over a 12-megapixel photo's pixels (33 ms) saved.
    if (meta.hasAlpha !== false) binaryAlpha(rgba);
    return { width: info.width, height: info.height, data: rgba };
  } catch (e) {
    if (e instanceof ChromaseedError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    // librsvg draws at most 32767 pixels a side, whatever --max-pixels says.
    const svgSide = /SVG image exceeds (\d+)x\d+ pixel limit/i.exec(message);
    if (svgSide !== null) throw new ChromaseedError('ERR_LIMIT', `${file}: an SVG wider or taller than ${svgSide[1]} pixels, the most the SVG renderer draws; give it a smaller width and height`, { cause: e });
    if (/pixel limit/i.test(message)) throw overLimit(file, maxPixels, e);
    if (/unsupported image format/i.test(message)) {
      // A TIFF cut short inside its header is "unsupported" to libvips; it is a TIFF all the same.
      if (isTiff(await readHead(file, 4))) throw inputError(file, 'a TIFF image that cannot be decoded: damaged or cut short?', e);
      // The command line reaches this only for what sniffKind takes for one of these: others go to ffmpeg.
      throw inputError(file, 'not an image format that loadStill reads (JPEG, PNG, WebP, AVIF, TIFF, SVG or GIF); openInput reads the pictures ffmpeg reads too (BMP, PPM, TGA...)', e);
    }
    // sharp's prebuilt libvips decodes AVIF, the AV1 kind of HEIF, but not HEIC (HEVC), and
    // fails on it with "bad seek" or a codec error.
    const head = await readHead(file, 64);
    if (isHeic(head)) {
      throw inputError(file, 'a HEIC image, which the sharp build chromaseed uses cannot decode (it reads AVIF); convert it to JPEG or PNG first', e);
    }
    // libvips names the file itself; once is enough. Its "corrupt header:" ends in a colon.
    // What it says ("VipsJpeg: premature end of JPEG image") is kept, after what it means.
    const said = firstLine(message).split(`${file}: `).join('').replace(/[\s:]+$/, '');
    const pngProblem = await pngDamage(file, head);
    if (pngProblem !== null) throw inputError(file, `${pngProblem} (the decoder: ${said})`, e);
    // A size past what the decoders take at all, which libvips calls a corrupt header: a
    // PNG may state up to 2^31 - 1 pixels a side (libpng reads a million), a JPEG 65,535
    // (libjpeg 65,500). Said as the limit it is.
    if (isPng(head) && head.length >= 24 && u32(head, 16) * u32(head, 20) > maxPixels) throw overLimit(file, maxPixels, e);
    const jpegSide = /Maximum supported image dimension is (\d+) pixels/.exec(said);
    if (jpegSide !== null) throw new ChromaseedError('ERR_LIMIT', `${file}: a JPEG wider or taller than ${jpegSide[1]} pixels, the most its decoder reads`, { cause: e });
    // What libvips says of a whole TIFF whose kind of samples it does not read (64-bit
    // floating point; 8-bit CIELab), which is no damage.
    if (isTiff(head) && /samples out of range|bad labq format/.test(said)) {
      throw inputError(file, `a TIFF whose kind of samples the decoder does not read (the decoder: ${said.replace(/^Input file has corrupt header: /, '')}); save it with 8 or 16-bit RGB samples`, e);
    }
    throw inputError(file, `cannot decode the image: damaged or cut short? (the decoder: ${said})`, e);
  }
}

/**
 * Samples libvips decodes but does not convert to 8-bit sRGB as a viewer would: it takes
 * them for the 0-255 range (a 32-bit integer TIFF of 180, 60, 90 read as 0, 255, 255;
 * a floating-point grey one of 0.39 as black). Floating-point RGB is converted (as linear
 * light, scRGB). Named for the message, or null when they are read.
 */
function unreadSamples(depth: string | undefined, space: string | undefined, channels: number | undefined): string | null {
  if (depth === 'float' && channels !== undefined && channels <= 2) return 'floating-point grey';
  if (depth === 'short' && space === 'labs') return null; // 16-bit CIELab, which libvips converts
  return depth !== undefined ? UNREAD_DEPTHS[depth] ?? null : null;
}

/** libvips' sample formats (sharp's `depth`) that unreadSamples refuses, as the message names them. */
const UNREAD_DEPTHS: Readonly<Record<string, string>> = { short: 'signed 16-bit', uint: '32-bit integer', int: 'signed 32-bit integer', double: '64-bit floating-point', complex: 'complex', dpcomplex: 'complex' };

/** sharp's 16-bit samples (native byte order) as such, copied first if they start at an odd byte (by the constructor: a Buffer's `slice` is a view). */
function samples16(bytes: Uint8Array): Uint16Array {
  const aligned = bytes.byteOffset % 2 !== 0 ? new Uint8Array(bytes) : bytes;
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1);
}

/** 16-bit samples rounded to 8 bits: v / 257, to the nearest. */
function roundedTo8Bits(bytes: Uint8Array): Uint8Array {
  const wide = samples16(bytes);
  const out = new Uint8Array(wide.length);
  for (let i = 0; i < wide.length; i++) out[i] = ((wide[i] + 128) / 257) | 0;
  return out;
}

/**
 * CMYK (and alpha, with 5 channels) samples, of 8 or 16 bits (`wide`), as RGBA by the plain
 * formula viewers use when no profile says otherwise: each of R, G, B is what its ink (cyan,
 * magenta, yellow) and the black leave of the light, 255 × (1 − ink)(1 − black).
 */
function inksToRgba(bytes: Uint8Array, channels: number, wide: boolean): Uint8Array {
  const inks = wide ? samples16(bytes) : bytes;
  const full = wide ? 65535 : 255;
  const toByte = 255 / full;
  const pixels = Math.floor(inks.length / channels);
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += channels, o += 4) {
    // The light the black ink leaves, on the byte scale: each colour ink takes its share of it.
    const light = ((full - inks[i + 3]) * toByte) / full;
    rgba[o] = Math.round((full - inks[i]) * light);
    rgba[o + 1] = Math.round((full - inks[i + 1]) * light);
    rgba[o + 2] = Math.round((full - inks[i + 2]) * light);
    rgba[o + 3] = channels > 4 ? Math.round(inks[i + 4] * toByte) : 255;
  }
  return rgba;
}

/**
 * sharp, to read a file by its name. Loaded on first use, not at import: libvips takes
 * ~90 ms to load, which every user of the library would pay, and GIF and video runs never
 * need it. Its cache of decoded operations is emptied first, its limits kept: libvips keys
 * what it decoded by the file's name, so a file rewritten under the same name within one
 * process (a library user's upload path) was read as it had been (an SVG kept its old size).
 * Decoding from the name, not from bytes read first, keeps libvips' lazy reads (the first
 * page of a multi-gigabyte TIFF) and an SVG's links to files beside it.
 */
export async function sharpForFiles(): Promise<(typeof import('sharp'))['default']> {
  const { default: sharp } = await import('sharp');
  const { memory, files, items } = sharp.cache();
  sharp.cache(false);
  sharp.cache({ memory: memory.max, files: files.max, items: items.max });
  return sharp;
}

/** An ISO media file whose brands (the main one or a compatible one) say HEVC-coded HEIF. */
function isHeic(head: Uint8Array): boolean {
  if (String.fromCharCode(...head.subarray(4, 8)) !== 'ftyp') return false;
  const boxEnd = Math.min(head.length, new DataView(head.buffer, head.byteOffset, head.length).getUint32(0));
  for (let at = 8; at + 4 <= boxEnd; at += at === 8 ? 8 : 4) {
    if (/^he(ic|ix|vc|im|is)$/.test(String.fromCharCode(...head.subarray(at, at + 4)))) return true;
  }
  return false;
}


/** An image refused for its size: more pixels than `maxPixels`. */
function overLimit(file: string, maxPixels: number, cause: unknown): ChromaseedError {
  return new ChromaseedError('ERR_LIMIT', `${file}: image has more than ${maxPixels} pixels (raise the limit with --max-pixels if you trust this file)`, { cause });
}

/** The height `width` scales a `w`x`h` image to; refused when the scaled image has more than `maxPixels` pixels. */
function scaledHeightWithin(file: string, width: number, w: number, h: number, maxPixels: number): number {
  const height = scaledHeight(width, w, h);
  if (width * height > maxPixels) {
    throw new ChromaseedError('ERR_LIMIT', `${file}: scaled to ${width}x${height}, the image would have more than ${maxPixels} pixels (raise the limit with --max-pixels)`);
  }
  return height;
}

/**
 * A GIF's first frame as a browser shows it, or null for another format: chromaseed's own
 * decoder composites it onto the canvas, transparent where the frame does not reach, as
 * every other command reads it. libvips fills that part with opaque black, a colour the
 * file does not have.
 */
async function firstGifFrame(file: string, maxPixels: number): Promise<Frame | null> {
  if (!isGif(await readHead(file, 6))) return null;
  const gif = decodeGif(new Uint8Array(await readWholeFile(file, 'GIF')), file, { maxPixels });
  const frames = gif.frames();
  const first = frames.next();
  if (first.done === true) throw inputError(file, 'the GIF has no frame');
  const { width, height, data } = first.value;
  // A first frame with nothing drawn: if that is because no frame's pixel data decodes, the
  // decoder says why once it has read them all, as the clip commands do ("no frame's pixels
  // could be decoded (frame 0: LZW minimum code size 0 is invalid)"), where the palette said
  // "the image has no opaque pixels".
  let alpha = 3;
  while (alpha < data.length && data[alpha] === 0) alpha += 4;
  if (alpha >= data.length) for (const _ of frames);
  return { width, height, data };
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.trim();
}

/** Biggest PNG read whole to say what is wrong with it, after the decoder refused it. */
const PNG_DIAGNOSIS_MAX_BYTES = 256 * 1024 * 1024;

/**
 * What a PNG's chunks say is wrong with it, where libpng's word is "Unknown error" or "read
 * error" (pngChunkProblem); null for another format (by `head`, the file's first bytes), a
 * PNG whose chunks are sound, one too large to read for a message, or one that cannot be
 * read again: the decoder's word stands.
 */
async function pngDamage(file: string, head: Uint8Array): Promise<string | null> {
  if (!isPng(head)) return null;
  try {
    if ((await stat(file)).size > PNG_DIAGNOSIS_MAX_BYTES) return null;
    return pngChunkProblem(await readFile(file));
  } catch {
    return null;
  }
}
