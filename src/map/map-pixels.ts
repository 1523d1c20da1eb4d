import type { ColorSpace, Frame, Metric } from '../types.js';
import { ChromaseedError, invalidOption } from '../errors.js';
import { fromSrgb } from '../color/space.js';
import { createPaletteSearch } from './nearest.js';
import { bayerDither, createDitherScratch, floydSteinbergDither, type Lookup } from './dither.js';

export { nearestIndex, createPaletteSearch, type PaletteSearch } from './nearest.js';

export type Dither = 'none' | 'floyd-steinberg' | 'bayer';

export interface MapOptions {
  metric: Metric;
  space: ColorSpace;
  dither: Dither;
  /** Floyd–Steinberg only: alternate scan direction row by row (default true). */
  serpentine?: boolean;
}

export interface MappedFrame {
  /** Palette index per pixel; 0 (meaningless) where `transparent[i]` is 1. */
  indices: Uint8Array;
  /** 1 where the source alpha is 0; null when the frame has no such pixel. A new array per call. */
  transparent: Uint8Array | null;
}

export interface Mapper {
  /**
   * Map `frame.data` (width*height*4 RGBA) to indices into `palette` (size*3 sRGB bytes).
   * Every opaque or semi-transparent pixel gets its exact nearest palette colour (alpha is
   * ignored unless it is 0, which marks the pixel transparent). `out` is reused if given.
   */
  map(frame: Frame, palette: Uint8Array, size: number, options: MapOptions, out?: Uint8Array): MappedFrame;
}

const TABLE_SIZE = 1 << 24;
/** Generations fit in the 24 high bits of a cache entry; 0 means "never written". */
const MAX_GENERATION = (1 << 24) - 1;

const METRICS: readonly Metric[] = ['euclidean', 'manhattan'];
const SPACES: readonly ColorSpace[] = ['rgb', 'lab', 'oklab'];
const DITHERS: readonly Dither[] = ['none', 'floyd-steinberg', 'bayer'];

/**
 * A mapper owns a 2^24-entry cache keyed by the packed 24-bit colour (64 MiB, allocated on
 * first use). Each entry holds `generation << 8 | index`. A new palette (or metric/space)
 * bumps the generation instead of clearing 16M entries, so stale entries simply stop
 * matching; only when the 24-bit generation counter wraps is the table cleared. When the same
 * palette is mapped again (a global palette over a clip), the generation is kept and the
 * previous frames' work is reused.
 */
export function createMapper(): Mapper {
  let cache: Uint32Array | null = null;
  let generation = 0;
  const search = createPaletteSearch();
  // Identity of the palette the current generation belongs to.
  const lastPalette = new Uint8Array(256 * 3);
  let lastSize = 0;
  let lastMetric: Metric | null = null;
  let lastSpace: ColorSpace | null = null;
  let convert = fromSrgb('rgb');
  let isRgb = true;
  const q = new Float64Array(3);
  const ditherScratch = createDitherScratch();

  function samePalette(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): boolean {
    if (size !== lastSize || metric !== lastMetric || space !== lastSpace) return false;
    for (let i = 0; i < size * 3; i++) if (palette[i] !== lastPalette[i]) return false;
    return true;
  }

  function loadPalette(palette: Uint8Array, size: number, metric: Metric, space: ColorSpace): void {
    if (cache === null) cache = new Uint32Array(TABLE_SIZE);
    if (samePalette(palette, size, metric, space)) return;
    generation++;
    if (generation > MAX_GENERATION) {
      cache.fill(0);
      generation = 1;
    }
    lastPalette.set(palette.subarray(0, size * 3));
    lastSize = size;
    lastMetric = metric;
    lastSpace = space;
    convert = fromSrgb(space);
    isRgb = space === 'rgb';
    search.prepare(palette, size, metric, space);
  }

  /** Cache miss: convert the colour once and search. `key` = r | g << 8 | b << 16. */
  function resolve(key: number): number {
    const r = key & 0xff;
    const g = (key >>> 8) & 0xff;
    const b = key >>> 16;
    let index: number;
    if (isRgb) {
      index = search.nearest(r, g, b);
    } else {
      convert(r, g, b, q, 0);
      index = search.nearest(q[0], q[1], q[2]);
    }
    (cache as Uint32Array)[key] = ((generation << 8) | index) >>> 0;
    return index;
  }

  /** Index for a packed colour, through the cache. Used by the dithering loops. */
  const lookup: Lookup = (key: number): number => {
    const v = (cache as Uint32Array)[key];
    return v >>> 8 === generation ? v & 0xff : resolve(key);
  };

  function map(frame: Frame, palette: Uint8Array, size: number, options: MapOptions, out?: Uint8Array): MappedFrame {
    const { width, height, data } = frame;
    const n = width * height;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || data.length !== n * 4) {
      throw new ChromaseedError('ERR_INPUT', `frame data has ${data.length} bytes, expected ${width}x${height}x4 = ${n * 4}`);
    }
    if (!Number.isInteger(size) || size < 1 || size > 256) throw invalidOption('size', 'an integer between 1 and 256', size);
    if (palette.length < size * 3) {
      throw new ChromaseedError('ERR_INPUT', `palette has ${palette.length} bytes, expected at least ${size * 3} for ${size} colours`);
    }
    if (!METRICS.includes(options.metric)) throw invalidOption('metric', `one of ${METRICS.join(', ')}`, options.metric);
    if (!SPACES.includes(options.space)) throw invalidOption('space', `one of ${SPACES.join(', ')}`, options.space);
    const dither = options.dither ?? 'none';
    if (!DITHERS.includes(dither)) throw invalidOption('dither', `one of ${DITHERS.join(', ')}`, dither);
    if (out !== undefined && out.length < n) {
      throw new ChromaseedError('ERR_INPUT', `output buffer has ${out.length} entries, expected at least ${n}`);
    }
    const indices = out ?? new Uint8Array(n);
    loadPalette(palette, size, options.metric, options.space);

    let transparent: Uint8Array | null = null;
    if (dither === 'floyd-steinberg') {
      transparent = floydSteinbergDither(frame, palette, lookup, indices, options.serpentine ?? true, ditherScratch);
    } else if (dither === 'bayer') {
      transparent = bayerDither(frame, palette, size, lookup, indices);
    } else {
      transparent = mapPlain(data, n, indices);
    }
    return { indices, transparent };
  }

  /** The undithered hot loop: one table read per pixel, a search per distinct new colour. */
  function mapPlain(data: Uint8Array, n: number, indices: Uint8Array): Uint8Array | null {
    const table = cache as Uint32Array;
    const gen = generation;
    let transparent: Uint8Array | null = null;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      if (data[j + 3] === 0) {
        if (transparent === null) transparent = new Uint8Array(n);
        transparent[i] = 1;
        indices[i] = 0;
        continue;
      }
      const key = data[j] | (data[j + 1] << 8) | (data[j + 2] << 16);
      const v = table[key];
      indices[i] = v >>> 8 === gen ? v & 0xff : resolve(key);
    }
    return transparent;
  }

  return { map };
}
