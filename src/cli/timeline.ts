import sharp, { type OverlayOptions } from 'sharp';
import { renderPaletteRows } from '../render/swatch.js';
import { LABEL_FONT_FAMILY, escapeXml, labelWidth, svgOpen } from '../render/text.js';

/** Frame numbers down the left: their font size, and the spacing of the numbered rows at least. */
const AXIS_FONT = 11;
const MIN_TICK_SPACING = 28;
/** Cells of entries a frame does not have (fewer colours than k, or none): a light checkerboard of this square size, as image editors draw "nothing". */
const CHECK = 4;
const TICK_STEPS = [1, 2, 5, 10, 20, 50];
const AXIS_PIECE = 8192;

/**
 * The palettes over time as a picture: one row per frame, one column per palette entry in
 * its stable order, so flicker shows as noise and steadiness as straight stripes. Cells
 * shrink for long clips so the picture stays within a few thousand pixels, and grow for
 * short ones so that a still or a two-frame clip is not a sliver. Frame numbers run down
 * the left; the cells of entries a frame does not have are a checkerboard, not white,
 * which a white entry could not be told from.
 */
export async function renderTimeline(rows: readonly Uint8Array[], k: number): Promise<Uint8Array> {
  const cellW = Math.max(4, Math.min(32, Math.floor(1024 / k)));
  const cellH = rows.length <= 64 ? Math.min(32, Math.floor(512 / rows.length)) : Math.max(1, Math.min(8, Math.floor(4096 / rows.length)));
  const grid = await renderPaletteRows(rows, cellW, cellH);
  const columns = Math.max(1, ...rows.map((r) => r.length / 3));
  const width = columns * cellW;
  const height = rows.length * cellH;

  // A number every 1, 2, 5, 10, 20 or 50 frames: the first step that puts them MIN_TICK_SPACING apart (rows are 1 px at least).
  const step = TICK_STEPS.find((s) => s * cellH >= MIN_TICK_SPACING)!;
  const gutter = Math.ceil(labelWidth(String(Math.max(0, rows.length - 1)).length, AXIS_FONT)) + 10;
  // The numbers in pieces of at most AXIS_PIECE pixels, cut just above a tick so no number
  // is cut in two: one SVG as tall as a long clip's picture rendered slowly, and past 32,767
  // pixels not at all.
  const tickPx = step * cellH;
  const piece = tickPx * Math.max(1, Math.floor(AXIS_PIECE / tickPx));
  const layers: OverlayOptions[] = [];
  for (let top = 0; top < height; top += piece) {
    const h = Math.min(piece, height - top);
    const marks: string[] = [];
    for (let y = 0; y < h; y += tickPx) {
      marks.push(`<line x1="${gutter - 5}" y1="${y + 0.5}" x2="${gutter}" y2="${y + 0.5}" stroke="#555555"/>`);
      // Kept inside the picture: the last number, near the bottom edge, was cut off.
      marks.push(`<text x="${gutter - 7}" y="${Math.min(y + AXIS_FONT * 0.8, h - 2)}" text-anchor="end">${(top + y) / cellH}</text>`);
    }
    const svg = `${svgOpen(gutter, h)}<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${AXIS_FONT}" fill="#333333">${marks.join('')}</g></svg>`;
    layers.push({ input: Buffer.from(svg), top, left: 0 });
  }

  // The checkerboard only where some frame has fewer entries than the most, drawn as its two
  // kinds of row copied down (a pixel-by-pixel fill took 9 s on 65,000 frames at k = 256).
  if (rows.some((r) => r.length / 3 < columns)) {
    const rowBytes = width * 3;
    const kinds = [0, 1].map((phase) => {
      const row = new Uint8Array(rowBytes);
      for (let x = 0; x < width; x++) row.fill((Math.floor(x / CHECK) + phase) % 2 === 1 ? 0xd6 : 0xf4, x * 3, x * 3 + 3);
      return row;
    });
    const checker = new Uint8Array(rowBytes * height);
    for (let y = 0; y < height; y++) checker.set(kinds[Math.floor(y / CHECK) % 2], y * rowBytes);
    layers.push({ input: Buffer.from(checker.buffer), raw: { width, height, channels: 3 }, top: 0, left: gutter });
  }
  // One composite and one PNG encoding: a second pass over a 65,000-frame picture took seconds.
  layers.push({ input: grid, top: 0, left: gutter });
  return sharp({ create: { width: gutter + width, height, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
}
