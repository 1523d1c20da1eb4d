import sharp from 'sharp';
import { ChromaseedError, invalidOption, requireInRange } from '../errors.js';
import type { PaletteEntry } from '../palette/palette.js';
import { EDGE_GREY, LABEL_FONT_FAMILY, contrastColor, escapeXml, labelWidth, nearWhite, px, svgOpen } from './text.js';

/** Options for {@link renderSwatch}. */
export interface SwatchOptions {
  /**
   * Picture width in pixels, at least the number of colours. Default 800, or wider for more
   * than 100 colours (twice the narrowest segment a colour), so that the narrowest segments
   * leave most of the bar to follow the proportions.
   */
  readonly width?: number;
  /** Height of the bar in pixels (the key, if any, is added below it). Default 160. */
  readonly height?: number;
  /**
   * Narrowest segment in pixels, so a colour with a tiny share stays visible. Default 4,
   * lowered down to 1 where such segments would take more than a twentieth of the bar; a
   * minimum given is kept (transfer's mapping bars, which keep each mapping legible).
   */
  readonly minSegment?: number;
  /** Draw each segment's hex code on it. Default true. */
  readonly labels?: boolean;
  /**
   * Below the bar, a key: one equal chip per colour, in the same order, with its hex code and
   * share, so that colours too narrow in the bar for a label (a 1% accent) are named too.
   * Default true; left out of a swatch narrower than one chip (84 px).
   */
  readonly key?: boolean;
  /**
   * Edge colours hard to tell from a white page (see nearWhite) in 1 px of grey, inside
   * their segments and chips. Default true; a caller that frames the bar itself (transfer's
   * swatch) leaves it out, all but a 1 px rule between two such colours side by side.
   */
  readonly edges?: boolean;
}

/** Key chips: at least this wide (a 13 px "#rrggbb" and a margin), this tall (two lines), parted by GAP pixels of white. */
const KEY_FONT = 13;
const KEY_MIN_CHIP = 80;
const KEY_CHIP_HEIGHT = 42;
const KEY_GAP = 2;

/** The key's grid for `n` colours across `width` pixels: as many chips a row as fit, the rows filled in turn. */
function keyLayout(n: number, width: number): { columns: number; rows: number; height: number } {
  const columns = Math.max(1, Math.min(n, Math.floor((width + KEY_GAP) / (KEY_MIN_CHIP + KEY_GAP))));
  const rows = Math.ceil(n / columns);
  return { columns, rows, height: rows * (KEY_CHIP_HEIGHT + KEY_GAP) + KEY_GAP };
}

/** A share as the key prints it: one decimal, "<0.1%" for less. */
function shareText(proportion: number): string {
  return proportion > 0 && proportion < 0.0005 ? '<0.1%' : `${(proportion * 100).toFixed(1)}%`;
}

/**
 * The most of a bar that segments drawn wider than their share may take together: a flat
 * background at 99% next to 99 colours of 0.01% was drawn as half the bar with 4 px each.
 */
const MAX_WIDENED_SHARE = 0.05;

/**
 * Integer widths that sum to `width`, one per proportion, as close to `proportion * width`
 * as possible while none is narrower than `minWidth` (lowered to `floor(width / n)` when
 * `n` segments of `minWidth` would not fit, and, with `capWidened`, down to 1 px when the
 * segments held at the minimum would take more than a twentieth of the bar).
 *
 * Segments whose ideal width is below the minimum get exactly the minimum and the others
 * share what is left in proportion; the remaining fractional pixels go to the largest
 * remainders (ties to the earlier segment), so the result is deterministic.
 */
export function segmentWidths(proportions: ArrayLike<number>, width: number, minWidth: number, capWidened = true): Int32Array {
  const n = proportions.length;
  const out = new Int32Array(n);
  if (n === 0) return out;
  if (!Number.isInteger(width) || width < n) throw invalidOption('swatch width', `an integer of at least ${n} (one pixel per colour)`, width);
  const fixed = new Uint8Array(n);
  const ideal = new Float64Array(n);
  /** Fills `ideal` for a minimum of `minW`; returns how many segments are held at it. */
  const fit = (minW: number): number => {
    fixed.fill(0);
    // Fixing one small segment shrinks the space the others share, which can push another
    // below the minimum: repeat until no new segment is fixed (at most n rounds).
    for (;;) {
      let fixedCount = 0;
      let freeProportion = 0;
      for (let i = 0; i < n; i++) {
        if (fixed[i]) fixedCount++;
        else freeProportion += Math.max(0, proportions[i]);
      }
      const free = width - fixedCount * minW;
      const freeCount = n - fixedCount;
      let changed = false;
      for (let i = 0; i < n; i++) {
        if (fixed[i]) {
          ideal[i] = minW;
          continue;
        }
        // All-zero proportions: share equally rather than divide by zero.
        ideal[i] = freeProportion > 0 ? (Math.max(0, proportions[i]) / freeProportion) * free : free / freeCount;
        if (ideal[i] < minW) {
          fixed[i] = 1;
          changed = true;
        }
      }
      if (!changed) return fixedCount;
    }
  };
  const minW = Math.max(1, Math.min(Math.floor(minWidth), Math.floor(width / n)));
  const held = fit(minW);
  if (capWidened && held * minW > MAX_WIDENED_SHARE * width) {
    const lower = Math.max(1, Math.floor((MAX_WIDENED_SHARE * width) / held));
    if (lower < minW) fit(lower);
  }
  let used = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.floor(ideal[i] + 1e-9);
    used += out[i];
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ideal[b] - out[b] - (ideal[a] - out[a]) || a - b);
  for (let r = width - used, j = 0; r > 0; r--, j = (j + 1) % n) out[order[j]]++;
  return out;
}

function positiveInt(name: string, v: number): number {
  return requireInRange(name, v, 1, 16384, 'an integer');
}

/**
 * The palette as a horizontal bar (PNG): one segment per colour, left to right in the
 * given order, each as wide as its share of the pixels (see {@link segmentWidths}) and,
 * when wide enough, labelled with its hex code in black or white, whichever contrasts more.
 * Labels sit in the lower part of the bar, horizontal when they fit and rotated a quarter
 * turn when the segment is narrow; the top rows of every segment are plain colour. Below
 * the bar, unless `key` is false, every colour again as an equal chip with its hex code and
 * share, on white.
 *
 * @returns PNG bytes (RGB, no alpha), `width × height` plus the key's height.
 * @example
 * await writeFileAtomic('palette.png', await renderSwatch(palette.colors));
 */
export async function renderSwatch(colors: readonly PaletteEntry[], options: SwatchOptions = {}): Promise<Buffer> {
  const minSegment = options.minSegment ?? 4;
  // Wide enough for every colour to show its share: at k = 256, 800 px makes every segment 3 or 4 px.
  const width = positiveInt('swatch width', options.width ?? Math.max(800, 2 * minSegment * colors.length));
  const height = positiveInt('swatch height', options.height ?? 160);
  if (colors.length === 0) throw new ChromaseedError('ERR_USAGE', 'cannot draw a swatch of an empty palette');
  const widths = segmentWidths(colors.map((c) => c.proportion), width, minSegment, options.minSegment === undefined);
  // No key where not even one chip fits across.
  const key = (options.key ?? true) && width >= KEY_MIN_CHIP + 2 * KEY_GAP ? keyLayout(colors.length, width) : null;
  const fullHeight = height + (key?.height ?? 0);

  // Fill the first row, then copy it down: each segment is a solid column block.
  const rgb = new Uint8Array(width * fullHeight * 3);
  for (let i = 0, x = 0; i < colors.length; i++) {
    const [r, g, b] = colors[i].rgb;
    for (const end = x + widths[i]; x < end; x++) {
      rgb[x * 3] = r;
      rgb[x * 3 + 1] = g;
      rgb[x * 3 + 2] = b;
    }
  }
  const rowBytes = width * 3;
  for (let y = 1; y < height; y++) rgb.copyWithin(y * rowBytes, 0, rowBytes);
  const edges = options.edges ?? true;
  for (let i = 0, x = 0; i < colors.length; x += widths[i], i++) {
    if (!nearWhite(...colors[i].rgb)) continue;
    if (edges) edgeRect(rgb, width, x, 0, widths[i], height);
    // In a bar its caller frames, two near-white segments side by side still need a rule
    // between them: transfer's #e6f7fd and #fdffff read as one pale block with two labels.
    else if (i > 0 && nearWhite(...colors[i - 1].rgb)) for (let y = 0; y < height; y++) rgb.fill(EDGE_GREY, (y * width + x) * 3, (y * width + x + 1) * 3);
  }
  const layers: { input: Buffer; top: number; left: number }[] = [];
  if (options.labels ?? true) {
    const svg = swatchLabels(colors, widths, width, height);
    if (svg !== null) layers.push({ input: Buffer.from(svg), top: 0, left: 0 });
  }
  if (key !== null) layers.push({ input: Buffer.from(drawKey(rgb, colors, width, height, key, edges)), top: height, left: 0 });
  const image = sharp(rgb, { raw: { width, height: fullHeight, channels: 3 } });
  // The labels' layers bring an alpha channel, which every pixel has at full.
  return (layers.length > 0 ? image.composite(layers) : image).removeAlpha().png().toBuffer();
}

/**
 * Paints the key's chips into `rgb` below the bar (white between them) and returns the SVG
 * of their labels: hex code over share, centred, black or white to contrast.
 */
function drawKey(rgb: Uint8Array, colors: readonly PaletteEntry[], width: number, top: number, key: { columns: number; rows: number; height: number }, edges: boolean): string {
  rgb.fill(255, top * width * 3);
  const chips = keyChips(key, width);
  const texts: string[] = [];
  colors.forEach((c, i) => {
    const { x0, y0, w } = chips(i);
    paintRect(rgb, width, x0, top + y0, w, KEY_CHIP_HEIGHT, c.rgb);
    if (edges && nearWhite(...c.rgb)) edgeRect(rgb, width, x0, top + y0, w, KEY_CHIP_HEIGHT);
    const fill = contrastColor(c.rgb[0], c.rgb[1], c.rgb[2]);
    const cx = px(x0 + w / 2);
    texts.push(`<text x="${cx}" y="${px(y0 + KEY_CHIP_HEIGHT / 2 - 3)}" fill="${fill}">${escapeXml(c.hex)}</text>`);
    texts.push(`<text x="${cx}" y="${px(y0 + KEY_CHIP_HEIGHT / 2 + KEY_FONT - 1)}" fill="${fill}">${escapeXml(shareText(c.proportion))}</text>`);
  });
  return keySvg(width, key.height, texts);
}

/** Where chip `i` of a key `width` wide goes: the grid's columns share the width less the gaps. */
function keyChips(key: { columns: number }, width: number): (i: number) => { x0: number; y0: number; w: number } {
  const chipWidths = segmentWidths(new Float64Array(key.columns).fill(1), width - (key.columns + 1) * KEY_GAP, 1);
  return (i) => {
    const column = i % key.columns;
    let x0 = KEY_GAP;
    for (let j = 0; j < column; j++) x0 += chipWidths[j] + KEY_GAP;
    return { x0, y0: KEY_GAP + Math.floor(i / key.columns) * (KEY_CHIP_HEIGHT + KEY_GAP), w: chipWidths[column] };
  };
}

function keySvg(width: number, height: number, texts: readonly string[]): string {
  return `${svgOpen(width, height)}<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${KEY_FONT}" text-anchor="middle">${texts.join('')}</g></svg>`;
}

/** Fills the `w × h` rectangle at (x0, y0) of an RGB picture `width` wide with `rgb`. */
function paintRect(out: Uint8Array, width: number, x0: number, y0: number, w: number, h: number, rgb: readonly number[]): void {
  for (let y = y0; y < y0 + h; y++) {
    for (let o = (y * width + x0) * 3, end = o + w * 3; o < end; o += 3) {
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
    }
  }
}

/** The middles of the halves of {@link renderPairKey}'s first row of chips, from its top: where a legend names them. */
export const PAIR_KEY_MIDDLES = [KEY_GAP + KEY_CHIP_HEIGHT / 4, KEY_GAP + (3 * KEY_CHIP_HEIGHT) / 4] as const;

/** Height of {@link renderPairKey}'s picture for `pairs` pairs across `width` pixels. */
export function pairKeyHeight(pairs: number, width: number): number {
  return keyLayout(pairs, width).height;
}

/**
 * A key of colour pairs (transfer's: a target cluster and the colour it became), one chip
 * each in the grid of the palette swatch's key: the first colour in its top half, the
 * second in its bottom half, each with its hex code, in the order given. For bars whose
 * narrow segments have no room for their labels.
 *
 * @returns PNG bytes (RGB), `width` wide and {@link pairKeyHeight} tall.
 */
export async function renderPairKey(pairs: readonly (readonly [PaletteEntry, PaletteEntry])[], width: number): Promise<Buffer> {
  const key = keyLayout(pairs.length, positiveInt('key width', width));
  const rgb = new Uint8Array(width * key.height * 3).fill(255);
  const chips = keyChips(key, width);
  const half = KEY_CHIP_HEIGHT / 2;
  const texts: string[] = [];
  pairs.forEach((pair, i) => {
    const { x0, y0, w } = chips(i);
    pair.forEach((c, h) => {
      const top = y0 + h * half;
      paintRect(rgb, width, x0, top, w, half, c.rgb);
      if (nearWhite(...c.rgb)) edgeRect(rgb, width, x0, top, w, half);
      texts.push(`<text x="${px(x0 + w / 2)}" y="${px(top + half / 2 + KEY_FONT * 0.35)}" fill="${contrastColor(c.rgb[0], c.rgb[1], c.rgb[2])}">${escapeXml(c.hex)}</text>`);
    });
  });
  return sharp(rgb, { raw: { width, height: key.height, channels: 3 } })
    .composite([{ input: Buffer.from(keySvg(width, key.height, texts)), top: 0, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}

/**
 * A one-pixel EDGE_GREY edge on the inside of the `w × h` rectangle at (x0, y0) of an RGB
 * picture `width` wide: its top and bottom rows, and its sides where it is 3 pixels wide or
 * more (a narrower one would be all edge).
 */
function edgeRect(rgb: Uint8Array, width: number, x0: number, y0: number, w: number, h: number): void {
  const rowBytes = width * 3;
  for (const y of [y0, y0 + h - 1]) rgb.fill(EDGE_GREY, (y * width + x0) * 3, (y * width + x0 + w) * 3);
  if (w < 3) return;
  for (let y = y0, o = (y0 * width + x0) * 3; y < y0 + h; y++, o += rowBytes) {
    rgb.fill(EDGE_GREY, o, o + 3);
    rgb.fill(EDGE_GREY, o + (w - 1) * 3, o + w * 3);
  }
}

/** The size of a bar's hex labels: the font, a label's width, and its margin from the bar's foot. */
function labelMetrics(height: number): { fontSize: number; textW: number; margin: number } {
  const fontSize = Math.max(9, Math.min(18, Math.round(height * 0.11)));
  return { fontSize, textW: labelWidth(7, fontSize), margin: Math.max(3, Math.round(fontSize * 0.5)) };
}

/** Whether a segment `w` pixels wide of a bar `height` tall has room for its hex label, rotated if need be. */
export function segmentLabelled(w: number, height: number): boolean {
  const { fontSize, textW, margin } = labelMetrics(height);
  return w >= textW + 12 || (w >= fontSize + 2 && height >= textW + 2 * margin);
}

/** SVG with the hex labels for {@link renderSwatch}, or null when no segment has room for one. */
function swatchLabels(colors: readonly PaletteEntry[], widths: Int32Array, width: number, height: number): string | null {
  const { fontSize, textW, margin } = labelMetrics(height);
  const parts: string[] = [];
  for (let i = 0, x = 0; i < colors.length; x += widths[i], i++) {
    const w = widths[i];
    const c = colors[i];
    const fill = contrastColor(c.rgb[0], c.rgb[1], c.rgb[2]);
    const cx = x + w / 2;
    if (w >= textW + 12) {
      parts.push(`<text x="${px(cx)}" y="${px(height - margin)}" text-anchor="middle" fill="${fill}">${escapeXml(c.hex)}</text>`);
    } else if (segmentLabelled(w, height)) {
      // Rotated -90°: the text runs upward from the bottom, its baseline offset so the glyphs
      // are centred on the segment (cap height ≈ 0.7 em).
      const bx = cx + fontSize * 0.35;
      const by = height - margin;
      parts.push(`<text x="${px(bx)}" y="${px(by)}" transform="rotate(-90 ${px(bx)} ${px(by)})" fill="${fill}">${escapeXml(c.hex)}</text>`);
    }
  }
  if (parts.length === 0) return null;
  return `${svgOpen(width, height)}<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${fontSize}">${parts.join('')}</g></svg>`;
}

/**
 * A grid of palettes, one row per palette and one `cellW × cellH` cell per colour: the
 * palette-over-time picture (a row per frame). Rows may differ in length; missing cells
 * are transparent.
 *
 * @param rows each `k * 3` sRGB bytes (each entry's `rgb`, one after another).
 * @returns PNG bytes (RGBA), `maxK * cellW` wide (at least one cell) and `rows.length * cellH` tall.
 */
export async function renderPaletteRows(rows: readonly Uint8Array[], cellW: number, cellH: number): Promise<Buffer> {
  positiveInt('cell width', cellW);
  positiveInt('cell height', cellH);
  if (rows.length === 0) throw new ChromaseedError('ERR_USAGE', 'cannot draw a palette timeline with no rows');
  let maxK = 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].length % 3 !== 0) throw new ChromaseedError('ERR_USAGE', `palette row ${i} has ${rows[i].length} bytes, not a multiple of 3`);
    maxK = Math.max(maxK, rows[i].length / 3);
  }
  // Frames with no opaque pixel have empty palettes; a clip of only those still gets its
  // picture, one column of empty (transparent) cells.
  const width = Math.max(maxK, 1) * cellW;
  const height = rows.length * cellH;
  if (width > 65535 || height > 65535) {
    throw new ChromaseedError('ERR_LIMIT', `palette timeline of ${width}x${height} pixels is too large (at most 65535 per side); use smaller cells`);
  }
  const rowBytes = width * 4;
  const rgba = new Uint8Array(rowBytes * height);
  for (let r = 0; r < rows.length; r++) {
    const pal = rows[r];
    const top = r * cellH * rowBytes;
    // Paint one pixel row of this palette row, then copy it down the cell height.
    for (let c = 0, j = 0; j < pal.length; c++, j += 3) {
      for (let x = c * cellW, end = x + cellW, o = top + x * 4; x < end; x++, o += 4) {
        rgba[o] = pal[j];
        rgba[o + 1] = pal[j + 1];
        rgba[o + 2] = pal[j + 2];
        rgba[o + 3] = 255;
      }
    }
    for (let y = 1; y < cellH; y++) rgba.copyWithin(top + y * rowBytes, top, top + rowBytes);
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
}
