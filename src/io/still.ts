import { stat } from 'node:fs/promises';
import { ChromaseedError, inputError, systemReason } from '../errors.js';
import { DEFAULT_MAX_PIXELS } from '../options.js';
import { scaledHeight } from './clip-options.js';
import type { Frame } from '../types.js';
import { createAtomicFile } from './output-file.js';

/**
 * Still-image I/O: decode a photo to RGBA through sharp, and write rendered pictures
 * atomically.
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

/**
 * Decode a still image (JPEG, PNG, WebP, AVIF, TIFF, or the first frame of a GIF or other
 * animated format) into non-premultiplied 8-bit sRGB RGBA.
 *
 * EXIF orientation is applied, so the frame is upright as a viewer shows it; colour
 * profiles, greyscale, CMYK and 16-bit inputs are converted to 8-bit sRGB, and images
 * without alpha get alpha 255.
 *
 * @param file path of the image file, used in error messages.
 * @throws ChromaseedError `ERR_INPUT` when the file is missing, unreadable, or not an image
 *   this build can decode; `ERR_LIMIT` when it has more than `maxPixels` pixels.
 * @example
 * const { width, height, data } = await loadStill('photo.jpg');
 */
export async function loadStill(file: string, options: ReadStillOptions = {}): Promise<Frame> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new ChromaseedError('ERR_USAGE', `expected a positive integer for maxPixels but received ${String(maxPixels)}`);
  }
  // Checked up front because sharp's messages for these cases do not say which file
  // nor what is wrong with it ("Input file is missing").
  let isFile: boolean;
  let size: number;
  try {
    const info = await stat(file);
    isFile = info.isFile();
    size = info.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(file, code === 'ENOENT' ? 'no such file' : `cannot read file (${code ?? String(e)})`, e);
  }
  if (!isFile) throw inputError(file, 'not a regular file');
  if (size === 0) throw inputError(file, 'empty file');

  // Loaded here, not at import: libvips takes ~90 ms to load, which every user of the
  // library would pay, and GIF and video runs never need it.
  const { default: sharp } = await import('sharp');
  try {
    if (options.width !== undefined) {
      // The scaled size must fit the limit too, and is known from the header alone.
      const meta = await sharp(file, { limitInputPixels: maxPixels, pages: 1 }).metadata();
      const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
      const [w, h] = turned ? [meta.height ?? 1, meta.width ?? 1] : [meta.width ?? 1, meta.height ?? 1];
      const height = scaledHeight(options.width, w, h);
      if (options.width * height > maxPixels) {
        throw new ChromaseedError('ERR_LIMIT', `${file}: scaled to ${options.width}x${height}, the image would have more than ${maxPixels} pixels (raise the limit with --max-pixels)`);
      }
    }
    const { data, info } = await sharp(file, {
      limitInputPixels: maxPixels,
      // Only the first frame of an animation: a still palette is taken from what a
      // viewer shows first, and decoding every page would multiply the memory.
      pages: 1,
      // Tolerate warnings (e.g. trailing garbage after a JPEG) but not decode errors.
      failOn: 'error',
    })
      .rotate()
      .resize(options.width === undefined ? null : { width: options.width })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`decoder produced ${info.channels} channels, expected 4`);
    // A view of sharp's Buffer (no copy); Buffer is a Uint8Array.
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    if (e instanceof ChromaseedError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(message)) {
      throw new ChromaseedError('ERR_LIMIT', `${file}: image has more than ${maxPixels} pixels (raise the limit with --max-pixels if you trust this file)`, { cause: e });
    }
    if (/unsupported image format/i.test(message)) {
      throw inputError(file, 'not an image format that can be read (JPEG, PNG, WebP, AVIF, TIFF or GIF)', e);
    }
    throw inputError(file, `cannot decode image: ${firstLine(message)}`, e);
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.trim();
}

/**
 * Write `bytes` to `file` so a reader never sees a half-written file: the bytes go to a
 * temporary file beside it, which is renamed over the target once complete (the shared
 * output-file machinery: the directory is checked first, and the temporary file is removed
 * on failure or exit).
 *
 * @param inputPath when given, refuse to overwrite this input file.
 * @throws ChromaseedError `ERR_OUTPUT` naming the file when it cannot be written.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array, inputPath?: string): Promise<void> {
  const out = await createAtomicFile(file, inputPath);
  try {
    await out.write(bytes);
    await out.commit();
  } catch (e) {
    await out.abort();
    if (e instanceof ChromaseedError) throw e;
    throw new ChromaseedError('ERR_OUTPUT', `${file}: cannot write: ${systemReason(e)}`, { cause: e });
  }
}
