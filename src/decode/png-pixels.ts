/**
 * A PNG image's inflated data to RGBA, 8 bits a sample: scanlines unfiltered in place, then
 * every sample depth and colour type expanded, with the transparency chunk applied, for
 * plain and interlaced (Adam7) images. Used for animated PNG frames, which are composited
 * here. 16-bit samples are rounded to 8 bits, as the still reader rounds them. Pure: no node: imports.
 */
import type { PngHeader } from './apng-structure.js';

/** Samples a pixel per colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's seven passes: first column and row, then the step between columns and rows. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** One reduced image of the data: one for a plain image, up to seven for an interlaced one. */
interface SubImage {
  readonly x0: number;
  readonly y0: number;
  readonly dx: number;
  readonly dy: number;
  readonly width: number;
  readonly height: number;
  /** Where its first scanline's filter byte is in the data. */
  readonly at: number;
  /** Bytes of a scanline after its filter byte. */
  readonly rowBytes: number;
}

function subImages(header: PngHeader, width: number, height: number): { images: SubImage[]; bytes: number } {
  const bitsPerPixel = CHANNELS[header.colourType] * header.bitDepth;
  const passes = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const images: SubImage[] = [];
  let at = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w <= 0 || h <= 0) continue; // an empty pass has no scanlines, not even filter bytes
    const rowBytes = Math.ceil((w * bitsPerPixel) / 8);
    images.push({ x0, y0, dx, dy, width: w, height: h, at, rowBytes });
    at += h * (1 + rowBytes);
  }
  return { images, bytes: at };
}

/** How many inflated bytes a `width` x `height` image of `header`'s kind takes. */
export function pngDataLength(header: PngHeader, width: number, height: number): number {
  return subImages(header, width, height).bytes;
}

/** What is wrong with inflated data for a message (too short, an unknown filter); null when it decodes. */
export function pngDataProblem(data: Uint8Array, header: PngHeader, width: number, height: number): string | null {
  const { images, bytes } = subImages(header, width, height);
  if (data.length < bytes) return `its image data ends after ${data.length} of its ${bytes} bytes`;
  for (const image of images) {
    for (let row = 0, at = image.at; row < image.height; row++, at += 1 + image.rowBytes) {
      if (data[at] > 4) return `a scanline has filter type ${data[at]}, which PNG does not have`;
    }
  }
  return null;
}

/**
 * Decodes `data` (inflated, checked by pngDataProblem; unfiltered in place, so it is
 * used up) into `rgba`, `width` x `height` pixels.
 */
export function decodePngPixels(data: Uint8Array, header: PngHeader, width: number, height: number, rgba: Uint8Array): void {
  const bytesPerPixel = Math.max(1, (CHANNELS[header.colourType] * header.bitDepth) >> 3);
  for (const image of subImages(header, width, height).images) {
    let prior = -1;
    for (let row = 0, at = image.at; row < image.height; row++, at += 1 + image.rowBytes) {
      unfilter(data, at + 1, prior, image.rowBytes, bytesPerPixel, data[at]);
      prior = at + 1;
      const y = image.y0 + row * image.dy;
      expandRow(data, at + 1, image.width, header, rgba, (y * width + image.x0) * 4, image.dx * 4);
    }
  }
}

/** Undoes a scanline's filter in place; `prior` is where the scanline above starts, or -1 for none. */
function unfilter(d: Uint8Array, at: number, prior: number, length: number, bpp: number, filter: number): void {
  const end = at + length;
  switch (filter) {
    case 1: // Sub
      for (let i = at + bpp; i < end; i++) d[i] = (d[i] + d[i - bpp]) & 255;
      break;
    case 2: // Up
      if (prior >= 0) for (let i = at, p = prior; i < end; i++, p++) d[i] = (d[i] + d[p]) & 255;
      break;
    case 3: // Average
      for (let i = at, p = prior; i < end; i++, p++) {
        const left = i - bpp >= at ? d[i - bpp] : 0;
        const up = prior >= 0 ? d[p] : 0;
        d[i] = (d[i] + ((left + up) >> 1)) & 255;
      }
      break;
    case 4: // Paeth
      for (let i = at, p = prior; i < end; i++, p++) {
        const a = i - bpp >= at ? d[i - bpp] : 0;
        const b = prior >= 0 ? d[p] : 0;
        const c = prior >= 0 && i - bpp >= at ? d[p - bpp] : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        d[i] = (d[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      break;
  }
}

/** One unfiltered scanline of `count` pixels to RGBA, written `step` bytes apart from `out`. */
function expandRow(d: Uint8Array, at: number, count: number, header: PngHeader, rgba: Uint8Array, out: number, step: number): void {
  const { colourType, bitDepth, palette, transparency: trns } = header;
  if (colourType === 3 || (colourType === 0 && bitDepth < 8)) {
    // Samples packed several to a byte, leftmost first (or one a byte at 8 bits).
    const mask = (1 << bitDepth) - 1;
    const entries = palette.length / 3;
    const clear = colourType === 0 && trns !== null && trns.length >= 2 ? sampleAt(trns, 0, 2) : -1;
    const scale = 255 / mask;
    for (let i = 0, bit = 0; i < count; i++, bit += bitDepth, out += step) {
      const v = (d[at + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask;
      if (colourType === 0) {
        rgba[out] = rgba[out + 1] = rgba[out + 2] = v * scale;
        rgba[out + 3] = v === clear ? 0 : 255;
      } else if (v < entries) {
        rgba[out] = palette[v * 3];
        rgba[out + 1] = palette[v * 3 + 1];
        rgba[out + 2] = palette[v * 3 + 2];
        rgba[out + 3] = trns !== null && v < trns.length ? trns[v] : 255;
      } else {
        // An index past the palette: drawn opaque black, as libpng's callers commonly show it.
        rgba[out] = rgba[out + 1] = rgba[out + 2] = 0;
        rgba[out + 3] = 255;
      }
    }
    return;
  }
  // 8 or 16 bits a sample, 16 rounded to 8; tRNS compares whole samples (-1: none).
  const channels = CHANNELS[colourType];
  const wide = bitDepth === 16 ? 2 : 1;
  const keyed = trns !== null && ((colourType === 0 && trns.length >= 2) || (colourType === 2 && trns.length >= 6));
  const k0 = keyed ? sampleAt(trns, 0, 2) : -1;
  const k1 = keyed && colourType === 2 ? sampleAt(trns, 2, 2) : -1;
  const k2 = keyed && colourType === 2 ? sampleAt(trns, 4, 2) : -1;
  for (let i = 0, s = at; i < count; i++, s += channels * wide, out += step) {
    if (colourType === 0 || colourType === 4) {
      rgba[out] = rgba[out + 1] = rgba[out + 2] = eightBit(d, s, wide);
      rgba[out + 3] = colourType === 4 ? eightBit(d, s + wide, wide) : sampleAt(d, s, wide) === k0 ? 0 : 255;
    } else {
      rgba[out] = eightBit(d, s, wide);
      rgba[out + 1] = eightBit(d, s + wide, wide);
      rgba[out + 2] = eightBit(d, s + 2 * wide, wide);
      rgba[out + 3] = colourType === 6 ? eightBit(d, s + 3 * wide, wide) : sampleAt(d, s, wide) === k0 && sampleAt(d, s + wide, wide) === k1 && sampleAt(d, s + 2 * wide, wide) === k2 ? 0 : 255;
    }
  }
}

/**
 * The sample at `at` in 8 bits: a 16-bit one rounded (v / 257 to the nearest; its high byte
 * alone was a level under the still reader's for a quarter of the values).
 */
function eightBit(d: Uint8Array, at: number, wide: number): number {
  return wide === 2 ? ((((d[at] << 8) | d[at + 1]) + 128) / 257) | 0 : d[at];
}

/** The sample of `wide` bytes (1 or 2, big-endian) at `at`. */
function sampleAt(d: Uint8Array, at: number, wide: number): number {
  return wide === 2 ? (d[at] << 8) | d[at + 1] : d[at];
}
