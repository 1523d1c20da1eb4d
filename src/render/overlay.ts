import sharp from 'sharp';
import { ChromaseedError } from '../errors.js';
import { COUNTED_PIXELS } from '../limits.js';
import type { PaletteEntry } from '../palette/palette.js';
import type { Frame } from '../types.js';
import { LABEL_FONT_FAMILY, escapeXml, labelWidth, px, svgOpen } from './text.js';

/** Where each swatch square of an overlay sits, in image pixels (for tests and callers that annotate further). */
export interface OverlayLayout {
  /** Side of each square. */
  readonly size: number;
  /** Top-left corner of each square, `x` then `y`, in palette order. */
  readonly squares: ReadonlyArray<readonly [number, number]>;
  /** The translucent backing rectangle: x, y, width, height. */
  readonly backing: readonly [number, number, number, number];
  /** Font size of the hex labels, or 0 when the squares are too small to label. */
  readonly fontSize: number;
  /** Pixels between neighbouring squares: 0 when they tile (an icon, or many colours on a small image). */
  readonly gap: number;
}

/** Labels smaller than this are unreadable, so they are left out. */
const MIN_FONT = 8;
/**
 * The smallest square that gets a label wider than itself (a banner's: 7 px under 50 px of
 * height, where a row of 8 px labels fits and was left out); a smaller one is a speck.
 */
export const MIN_SQUARE = 5;

/**
 * Lay out `k` labelled squares in a strip along the bottom of a `width × height` image.
 * Squares are at most 14% of the shorter side (more on a tall, narrow image); when one row would make them smaller than
 * about 24 px (or a sixth of that cap on small images), more rows are used, up to half the
 * image height. A label (7 monospace glyphs at about a fifth of the square, at least
 * MIN_FONT) may be wider than its square: squares are then spaced by the label's width, so
 * that neighbouring labels keep a gap, and a wide image with small squares (a banner) still
 * gets its hex codes.
 */
export function overlayLayout(width: number, height: number, k: number): OverlayLayout {
  // Icons and thumbnails have no room for spacing: there the squares simply tile; so do many
  // colours on a small image, whose spaced strip would be wider than it (k = 256 on 40x40: 67 px).
  const spaced = layoutWith(width, height, k, Math.min(width, height) >= 40, 0.5);
  if (spaced.backing[2] <= width) return spaced;
  // And when even 1-px squares need more than half the height (k = 256 on 16x16), the strip
  // may take all of it: otherwise squares fell off the image, silently not drawn.
  const tiled = layoutWith(width, height, k, false, 0.5);
  return tiled.backing[2] <= width && tiled.backing[3] <= height ? tiled : layoutWith(width, height, k, false, 1);
}

/** The layout with spacing (`roomy`) or tiled, its strip at most `share` of the height unless one row is already taller. */
function layoutWith(width: number, height: number, k: number, roomy: boolean, share: number): OverlayLayout {
  const short = Math.min(width, height);
  const margin = roomy ? Math.max(2, Math.round(short * 0.03)) : 0;
  const gap = roomy ? Math.max(1, Math.round(short * 0.012)) : 0;
  const pad = roomy ? Math.max(2, Math.round(short * 0.015)) : 0;
  // A tall, narrow image (40x1400) has the height for larger squares in rows: capped by its
  // width alone they were specks (6 px, the strip a sliver of the picture's foot).
  const tall = height > 3 * width ? height / (3 * width) : 1;
  const cap = Math.max(1, Math.round(short * 0.14 * tall));
  const wanted = Math.min(24, cap);
  const room = width - 2 * margin - 2 * pad + gap; // for perRow columns of (pitch), the last one's gap included
  // Neighbouring labels keep this much space (at small gaps they touched: "#8f619a#a9658c").
  // Not more: 3 px took the labels off a 312-pixel photo's 16 colours.
  const space = Math.max(2, Math.round(gap * 0.2));
  type Option = { rows: number; perRow: number; size: number; pitch: number; fontSize: number; labelH: number };
  let firstBig: Option | null = null; // the fewest rows whose squares reach `wanted`
  let last: Option | null = null;
  for (let rows = 1; rows <= k; rows++) {
    const perRow = Math.ceil(k / rows);
    const size = Math.max(1, Math.min(cap, Math.floor(room / perRow) - gap));
    let pitch = size + gap;
    // About a fifth of the square, but smaller where that is too wide for its column.
    let font = Math.floor(Math.min(Math.max(size * 0.22, MIN_FONT), (pitch - space) / labelWidth(7, 1)));
    if (font < MIN_FONT && roomy && size >= MIN_SQUARE) {
      // Too narrow even at the smallest readable size: columns as wide as such a label, when a
      // row of them fits, parted by a glyph's width where that fits too (by 2 or 3 px, a
      // 300x200 image's "#ffffff#000000#ff0000" read as one word), else by `space`.
      const label = Math.ceil(labelWidth(7, MIN_FONT));
      const wide = [label + Math.ceil(labelWidth(1, MIN_FONT)), label + space].find((w) => perRow * w <= room);
      if (wide !== undefined) {
        pitch = wide;
        font = MIN_FONT;
      }
    }
    const fontSize = roomy && font >= MIN_FONT ? font : 0;
    const labelH = fontSize > 0 ? Math.ceil(fontSize * 1.35) : 0;
    const labelled = fontSize > 0;
    const option = { rows, perRow, size, pitch, fontSize, labelH };
    if (last !== null && rows * (size + labelH) + (rows - 1) * gap + 2 * pad > height * share) break;
    last = option;
    // More rows than big squares need, while they make room for the labels.
    if (size >= wanted && labelled) break;
    // Only a strip as narrow as the image: one row of 1-px squares is k wide, past a thin strip's edge.
    if (size >= wanted && perRow * pitch - gap + 2 * pad <= width) firstBig ??= option;
  }
  const best = last!.fontSize > 0 || firstBig === null ? last! : firstBig;
  const { rows, perRow, size, pitch, fontSize, labelH } = best;
  const stripW = perRow * pitch - gap + 2 * pad;
  const stripH = rows * (size + labelH) + (rows - 1) * gap + 2 * pad;
  const bx = Math.max(0, Math.round((width - stripW) / 2));
  const by = Math.max(0, height - margin - stripH);
  const squares: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) {
    const row = Math.floor(i / perRow);
    const col = i % perRow;
    // Centred in its column, which is wider than the square when the label is.
    squares.push([bx + pad + col * pitch + Math.floor((pitch - gap - size) / 2), by + pad + row * (size + labelH + gap)]);
  }
  return { size, squares, backing: [bx, by, stripW, stripH], fontSize, gap };
}

/**
 * The image at its own size with its palette drawn over it: a centred strip of colour
 * squares along the bottom on a translucent white backing, each square with its hex code
 * underneath (the "palette filter" look). Squares scale with the image
 * (see {@link overlayLayout}).
 *
 * @param image the decoded photo, e.g. from `loadStill` (already upright).
 * @returns PNG bytes, `image.width × image.height`; RGB when the image is fully opaque, else RGBA.
 */
export async function renderOverlay(image: Frame, colors: readonly PaletteEntry[]): Promise<Buffer> {
  const { width, height, data } = image;
  if (colors.length === 0) throw new ChromaseedError('ERR_USAGE', 'cannot draw an overlay of an empty palette');
  if (data.length !== width * height * 4) throw new ChromaseedError('ERR_INPUT', `overlay image data has ${data.length} bytes, expected ${width * height * 4}`);
  const layout = overlayLayout(width, height, colors.length);
  const { size, squares, backing, fontSize } = layout;
  const radius = Math.max(1, Math.round(Math.min(backing[2], backing[3]) * 0.06));
  const parts = [
    svgOpen(width, height),
    `<rect x="${backing[0]}" y="${backing[1]}" width="${backing[2]}" height="${backing[3]}" rx="${radius}" fill="#ffffff" fill-opacity="0.85"/>`,
  ];
  colors.forEach((c, i) => {
    const [x, y] = squares[i];
    // A grey ring just outside each square where they do not tile: a white or pale square on
    // the white card could not be seen.
    if (layout.gap > 0) parts.push(`<rect x="${x - 1}" y="${y - 1}" width="${size + 2}" height="${size + 2}" fill="#999999" shape-rendering="crispEdges"/>`);
    // Squares on pixel boundaries with no stroke, so their inside is the exact palette colour.
    parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${c.hex}" shape-rendering="crispEdges"/>`);
  });
  if (fontSize > 0) {
    parts.push(`<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${fontSize}" fill="#1a1a1a" text-anchor="middle">`);
    colors.forEach((c, i) => {
      const [x, y] = squares[i];
      parts.push(`<text x="${px(x + size / 2)}" y="${px(y + size + fontSize * 1.05)}">${escapeXml(c.hex)}</text>`);
    });
    parts.push('</g>');
  }
  parts.push('</svg>');

  let opaque = true;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      opaque = false;
      break;
    }
  }
  let out = sharp(data, { ...COUNTED_PIXELS, raw: { width, height, channels: 4 } }).composite([{ ...COUNTED_PIXELS, input: Buffer.from(parts.join('')), top: 0, left: 0 }]);
  if (opaque) out = out.removeAlpha();
  return out.png().toBuffer();
}
