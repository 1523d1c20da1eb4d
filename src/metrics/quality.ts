import type { Frame, IndexedFrame } from '../types.js';
import { ALPHA_MASK, ALPHA_SHIFT, colorKey, wordsOf } from '../pixel-words.js';
import { checkBytes, checkFrameDimensions, checkIndexedFrame, checkPalette, ChromaseedError, invalidOption, isBytes, refuseUnknownKeys, requireFlag, requireObject } from '../errors.js';
import { countDistinctColors, type ColorHistogram } from '../kmeans/histogram.js';
import { createMapper, PLAIN_MAP, type Mapper } from '../map/map-pixels.js';
import { createPaletteSearch, type PaletteSearch } from '../map/nearest.js';

/**
 * Output-quality metrics exactly as defined in the team's shared METRICS.md (beside the
 * corpus, not in this repository; the README's "The figures" restates them), computed as the
 * clip streams: the meter keeps only the previous source and output frame.
 *
 * Decisions where METRICS.md leaves room (each applied everywhere in this file):
 * - **Which alpha counts.** "Fully transparent pixels are left out of every sum" is decided by
 *   the *source*: a pixel whose source alpha is 0 is left out of psnr, `colors` and the frame's
 *   side of every pair; a pair (t−1, t) leaves out a pixel that is transparent in either source
 *   frame. The output's alpha is ignored and its RGB bytes are compared as they are, so an
 *   output that wrongly turns a visible pixel transparent is penalised (decoders store such
 *   pixels as their RGB, typically 0,0,0) rather than hidden.
 * - **Identical frames.** A frame's PSNR is capped at `MAX_PSNR` = 100 dB, so MSE 0 gives 100
 *   rather than Infinity and the clip mean stays finite and comparable. (The smallest non-zero
 *   MSE of a 1-megapixel frame, one channel off by one, is about 113 dB, so the cap only
 *   touches frames that are practically identical.)
 * - **Frames or pairs with nothing to count** (every pixel transparent) are left out of the
 *   means they would divide by zero in; the per-frame PSNR is then `null`.
 * - **Means over pairs.** `flicker_static`, `flip_static` and `excess_change` average each
 *   pair's own mean over its counted pixels, then average over the pairs that count.
 */

export const MAX_PSNR = 100;
/** A pixel is "still" when no source channel moves by more than this between two frames (METRICS.md). */
export const STILL_THRESHOLD = 8;

// A module constant, not the imported binding, so the hot loop sees it as a constant.
const alphaMask = ALPHA_MASK;
const alphaShift = ALPHA_SHIFT;

export interface QualityResult {
  /** Frames added. */
  frames: number;
  /** Mean of the per-frame PSNR (dB) over frames with a visible pixel; null if none. */
  psnr: number | null;
  /** PSNR of each frame in order (dB, capped at MAX_PSNR), null for a frame with no visible pixel. */
  psnr_per_frame: (number | null)[];
  /** Mean Euclidean RGB output change on pixels the source leaves still; null without such pairs. */
  flicker_static: number | null;
  /** Fraction of those pixels whose output colour changes at all; null without such pairs. */
  flip_static: number | null;
  /** Mean max(0, ‖Δout‖ − ‖Δsrc‖) over pairs and pixels; null for fewer than two frames. */
  excess_change: number | null;
  /** Most distinct output colours in any one frame (visible pixels only). */
  colors: number;
}

export interface QualityMeter {
  /**
   * Feed the next (source, output) pair of full-canvas frames, in display order: the source
   * RGBA, the output RGBA or indexed (as the pipeline writes it; its colours are then counted
   * from the palette entries its pixels use, not pixel by pixel).
   */
  add(source: Frame, output: Frame | IndexedFrame): void;
  /** Metrics over everything added so far (can be called at any time). */
  result(): QualityResult;
  /**
   * Pixel by pixel, what `flip_static` averages: in how many frame pairs the source left the
   * pixel still, and in how many of those its output colour changed. Null unless the meter
   * was made with `{ perPixel: true }`, or before a frame was added. The meter's own arrays,
   * not a copy (8 bytes a pixel): a later `add` counts on in them.
   */
  stillFlips(): StillFlips | null;
}

/** Per pixel (`width * height`, row by row): still frame pairs, and the ones among them whose output changed. */
export interface StillFlips {
  readonly width: number;
  readonly height: number;
  readonly stillPairs: Uint32Array;
  readonly flips: Uint32Array;
}

export interface QualityMeterOptions {
  /** Count still pairs and flips for each pixel too (stillFlips): 8 bytes a pixel. Default false. */
  readonly perPixel?: boolean;
}

/** PSNR in dB for a mean squared error on the 0..255 scale, capped at MAX_PSNR. */
export function psnrFromMse(mse: number): number {
  if (mse <= 0) return MAX_PSNR;
  return Math.min(MAX_PSNR, 10 * Math.log10((255 * 255) / mse));
}

function checkSource(source: Frame): void {
  checkBytes('source frame data', source?.data);
  checkFrameDimensions(source.width, source.height);
  const n = source.width * source.height * 4;
  if (source.data.length !== n) {
    throw new ChromaseedError('ERR_INPUT', `source frame has ${source.data.length} bytes, expected ${source.width}x${source.height}x4 = ${n}`);
  }
}

function checkPair(source: Frame, output: Frame): void {
  checkSource(source);
  checkBytes('output frame data', output?.data);
  if (output.width !== source.width || output.height !== source.height || output.data.length !== source.data.length) {
    throw new ChromaseedError(
      'ERR_INPUT',
      `output frame is ${output.width}x${output.height} (${output.data.length} bytes), source is ${source.width}x${source.height}`,
    );
  }
}

export function createQualityMeter(options: QualityMeterOptions = {}): QualityMeter {
  requireObject("createQualityMeter's options", '{ perPixel: true }', options);
  refuseUnknownKeys('createQualityMeter', options, ['perPixel']);
  requireFlag('perPixel', options.perPixel);
  const perPixel = options.perPixel === true;
  let width = -1;
  let height = -1;
  let frames = 0;
  const psnrs: (number | null)[] = [];
  let psnrSum = 0;
  let psnrCount = 0;
  let flickerSum = 0;
  let flipSum = 0;
  let stillPairs = 0;
  let excessSum = 0;
  let excessPairs = 0;
  let colors = 0;
  // Copies, not references: callers are free to reuse their frame buffers.
  let prevSrc = new Uint8Array(0);
  let prevOut = new Uint8Array(0);
  const bits = new Uint32Array(1 << 19);
  // An indexed output drawn as RGBA words; it becomes prevOut for the next frame, and the
  // last prevOut takes the next one, so neither is copied.
  let drawn = new Uint8Array(0);
  const lut = new Uint32Array(256);
  const lutBytes = new Uint8Array(lut.buffer);
  const used = new Uint8Array(256);
  let pixelStill: Uint32Array | null = null;
  let pixelFlips: Uint32Array | null = null;

  /**
   * An indexed output as RGBA, as expandToRgba draws it for a PNG (a transparent pixel:
   * all zeros), a word a pixel from its palette's words, counting on the way the distinct
   * colours it shows where `source` is opaque (a transparent one there is black).
   */
  function draw(frame: IndexedFrame, source: Uint8Array): { output: Frame; colors: number } {
    const { indices, transparent, palette, size } = frame;
    const n = frame.width * frame.height;
    if (drawn.length !== n * 4) drawn = new Uint8Array(n * 4);
    for (let i = 0; i < size; i++) {
      lutBytes[i * 4] = palette[i * 3];
      lutBytes[i * 4 + 1] = palette[i * 3 + 1];
      lutBytes[i * 4 + 2] = palette[i * 3 + 2];
      lutBytes[i * 4 + 3] = 255;
    }
    const out = wordsOf(drawn);
    const mask = wordsOf(source);
    // Locals, not the closure's bindings, in the hot loops.
    const words = lut;
    const shown = used;
    shown.fill(0);
    let black = false;
    let top = -1;
    // Separate loops so the common opaque case has no per-pixel mask test. An entry is marked
    // shown by OR-ing in the source pixel's alpha byte (the Uint8Array keeps the low byte):
    // a store, where a test of the alpha cost as much again.
    if (transparent === null) {
      for (let p = 0; p < n; p++) {
        const i = indices[p];
        if (i > top) top = i;
        out[p] = words[i];
        shown[i] |= mask[p] >>> alphaShift;
      }
    } else {
      for (let p = 0; p < n; p++) {
        if (transparent[p] !== 0) {
          out[p] = 0;
          if ((mask[p] & alphaMask) !== 0) black = true;
          continue;
        }
        const i = indices[p];
        if (i > top) top = i;
        out[p] = words[i];
        shown[i] |= mask[p] >>> alphaShift;
      }
    }
    if (top >= size) throw new RangeError(`palette index ${top} is not below size ${size}`);
    return { output: { width: frame.width, height: frame.height, data: drawn }, colors: usedColors(shown, palette, size, black) };
  }

  function add(source: Frame, given: Frame | IndexedFrame): void {
    const indexed = given !== null && typeof given === 'object' && 'indices' in given ? given : undefined;
    if (indexed === undefined) {
      checkPair(source, given as Frame);
    } else {
      checkSource(source);
      checkIndexedFrame(indexed, indexed.width, indexed.height);
      if (indexed.width !== source.width || indexed.height !== source.height) {
        throw new ChromaseedError('ERR_INPUT', `output frame is ${indexed.width}x${indexed.height}, source is ${source.width}x${source.height}`);
      }
    }
    const { output, colors: shown } = indexed === undefined ? { output: given as Frame, colors: -1 } : draw(indexed, source.data);
    if (frames === 0) {
      width = source.width;
      height = source.height;
      prevSrc = new Uint8Array(source.data.length);
      prevOut = new Uint8Array(source.data.length);
      if (perPixel) {
        pixelStill = new Uint32Array(width * height);
        pixelFlips = new Uint32Array(width * height);
      }
    } else if (source.width !== width || source.height !== height) {
      throw new ChromaseedError('ERR_INPUT', `frame ${frames} is ${source.width}x${source.height}, earlier frames are ${width}x${height}`);
    }
    const s = source.data;
    const o = output.data;
    const c = shown >= 0 ? shown : countDistinctColors(o, s, bits);
    if (c > colors) colors = c;

    // One pass for the frame's PSNR and the pair's sums. Pair sums: a pixel whose output did
    // not change adds nothing to them (and needs no square root); one whose source did not
    // change either is simply still.
    const paired = frames > 0;
    let squares = 0;
    let shownPixels = 0;
    let still = 0;
    let stillChange = 0;
    let stillFlipCount = 0;
    let visible = 0;
    let excess = 0;
    const sWords = wordsOf(s);
    const oWords = wordsOf(o);
    const psWords = wordsOf(prevSrc);
    const poWords = wordsOf(prevOut);
    const stillAt = pixelStill;
    const flipsAt = pixelFlips;
    for (let p = 0, j = 0; p < sWords.length; p++, j += 4) {
      const sw = sWords[p];
      if ((sw & alphaMask) === 0) continue;
      const dr = s[j] - o[j];
      const dg = s[j + 1] - o[j + 1];
      const db = s[j + 2] - o[j + 2];
      squares += dr * dr + dg * dg + db * db;
      shownPixels++;
      if (!paired) continue;
      const psw = psWords[p];
      if ((psw & alphaMask) === 0) continue;
      if (oWords[p] === poWords[p]) {
        visible++;
        if (sw === psw || Math.max(Math.abs(s[j] - prevSrc[j]), Math.abs(s[j + 1] - prevSrc[j + 1]), Math.abs(s[j + 2] - prevSrc[j + 2])) <= STILL_THRESHOLD) {
          still++;
          if (stillAt !== null) stillAt[p]++;
        }
        continue;
      }
      const sr = s[j] - prevSrc[j];
      const sg = s[j + 1] - prevSrc[j + 1];
      const sb = s[j + 2] - prevSrc[j + 2];
      const or = o[j] - prevOut[j];
      const og = o[j + 1] - prevOut[j + 1];
      const ob = o[j + 2] - prevOut[j + 2];
      const outSq = or * or + og * og + ob * ob;
      const outChange = Math.sqrt(outSq);
      const srcSq = sr * sr + sg * sg + sb * sb;
      visible++;
      if (outSq > srcSq) excess += outChange - Math.sqrt(srcSq);
      const m = Math.max(Math.abs(sr), Math.abs(sg), Math.abs(sb));
      if (m <= STILL_THRESHOLD) {
        still++;
        stillChange += outChange;
        if (outSq !== 0) stillFlipCount++;
        if (stillAt !== null) {
          stillAt[p]++;
          if (outSq !== 0) flipsAt![p]++;
        }
      }
    }
    const psnr = shownPixels === 0 ? null : psnrFromMse(squares / (shownPixels * 3));
    psnrs.push(psnr);
    if (psnr !== null) {
      psnrSum += psnr;
      psnrCount++;
    }
    if (visible > 0) {
      excessSum += excess / visible;
      excessPairs++;
    }
    if (still > 0) {
      flickerSum += stillChange / still;
      flipSum += stillFlipCount / still;
      stillPairs++;
    }
    prevSrc.set(s);
    if (indexed === undefined) {
      prevOut.set(o);
    } else {
      [prevOut, drawn] = [drawn, prevOut];
    }
    frames++;
  }

  function result(): QualityResult {
    return {
      frames,
      psnr: psnrCount === 0 ? null : psnrSum / psnrCount,
      psnr_per_frame: psnrs.slice(),
      flicker_static: stillPairs === 0 ? null : flickerSum / stillPairs,
      flip_static: stillPairs === 0 ? null : flipSum / stillPairs,
      excess_change: excessPairs === 0 ? null : excessSum / excessPairs,
      colors,
    };
  }

  function stillFlips(): StillFlips | null {
    return pixelStill === null ? null : { width, height, stillPairs: pixelStill, flips: pixelFlips! };
  }

  return { add, result, stillFlips };
}

/**
 * The k-means objective (scikit-learn's `inertia_`): Σ over visible pixels (alpha ≠ 0) of the
 * squared Euclidean RGB distance to the nearest of the `size` palette colours. Pass a mapper to
 * reuse its colour cache across calls.
 */
export function inertia(frame: Frame, palette: Uint8Array, size: number, mapper: Mapper = createMapper()): number {
  if (typeof mapper?.map !== 'function') throw invalidOption('mapper', 'a mapper (createMapper())', mapper);
  const { indices, transparent } = mapper.map(frame, palette, size, PLAIN_MAP);
  const d = frame.data;
  let sum = 0;
  for (let i = 0, j = 0; i < indices.length; i++, j += 4) {
    if (transparent !== null && transparent[i] === 1) continue;
    const p = indices[i] * 3;
    const dr = d[j] - palette[p];
    const dg = d[j + 1] - palette[p + 1];
    const db = d[j + 2] - palette[p + 2];
    sum += dr * dr + dg * dg + db * db;
  }
  return sum;
}

/**
 * {@link inertia} from a frame's colour histogram (its distinct colours and their pixel
 * counts, as k-means counted them): each colour's nearest palette colour is found once,
 * not each pixel's. The same sum, without a pass over the pixels. Pass a search to reuse it.
 */
export function histogramInertia(histogram: ColorHistogram, palette: Uint8Array, size: number, search: PaletteSearch = createPaletteSearch()): number {
  checkHistogram(histogram);
  checkPalette(palette, size);
  if (typeof search?.prepare !== 'function' || typeof search.nearest !== 'function') throw invalidOption('search', 'a palette search (createPaletteSearch())', search);
  if (size === 0) {
    if (histogram.count > 0) throw new ChromaseedError('ERR_INPUT', `the histogram counts ${histogram.count} opaque colour${histogram.count === 1 ? '' : 's'}, but the palette is empty`);
    return 0;
  }
  search.prepare(palette, size, 'euclidean', 'rgb');
  const { count, colors, weights } = histogram;
  let sum = 0;
  let hint = 0;
  for (let i = 0, o = 0; i < count; i++, o += 3) {
    const r = colors[o];
    const g = colors[o + 1];
    const b = colors[o + 2];
    const c = (hint = search.nearest(r, g, b, hint)) * 3;
    const dr = r - palette[c];
    const dg = g - palette[c + 1];
    const db = b - palette[c + 2];
    sum += weights[i] * (dr * dr + dg * dg + db * db);
  }
  return sum;
}

/** A colour histogram as k-means counts one: `count` colours, 3 bytes and a weight each. */
function checkHistogram(histogram: ColorHistogram): void {
  const { count, colors, weights } = histogram ?? {};
  if (!(Number.isInteger(count) && count >= 0 && isBytes(colors) && colors.length >= count * 3 && weights instanceof Float64Array && weights.length >= count)) {
    throw new ChromaseedError('ERR_INPUT', "a histogram is { count, colors, weights }, as a per-frame quantizer's histogram is: count colours, with 3 bytes each in colors and a weight each in a Float64Array");
  }
}

/**
 * METRICS.md's `colors` of one indexed frame: the distinct colours its opaque pixels show
 * (entries no pixel uses, and entries of the same colour, count once at most).
 */
export function indexedColors(frame: IndexedFrame): number {
  const { indices, transparent, palette, size } = frame;
  const n = frame.width * frame.height;
  const used = new Uint8Array(256);
  for (let p = 0; p < n; p++) if (transparent === null || transparent[p] === 0) used[indices[p]] = 1;
  return usedColors(used, palette, size, false);
}

/** The distinct colours of the entries marked (non-zero) in `used`, and black too when `black`: entries of one colour count once. */
function usedColors(used: Uint8Array, palette: Uint8Array, size: number, black: boolean): number {
  const seen = new Set<number>(black ? [colorKey(0, 0, 0)] : []);
  for (let i = 0; i < size; i++) if (used[i] !== 0) seen.add(colorKey(palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]));
  return seen.size;
}
