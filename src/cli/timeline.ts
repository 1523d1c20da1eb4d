import sharp from 'sharp';
import { renderPaletteRows } from '../render/swatch.js';
import { LABEL_FONT_FAMILY, escapeXml, labelWidth, svgOpen } from '../render/text.js';

/** Frame numbers down the left: their font size, and the spacing of the numbered rows at least. */
const AXIS_FONT = 11;
const MIN_TICK_SPACING = 28;
/** Cells of entries a frame does not have (fewer colours than k, or none): a light checkerboard of this square size, as image editors draw "nothing". */
const CHECK = 4;
const TICK_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];

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

  // A number every 1, 2, 5, 10, 20, 50, ... frames: the first step that puts them MIN_TICK_SPACING apart.
  const step = TICK_STEPS.find((s) => s * cellH >= MIN_TICK_SPACING) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const gutter = Math.ceil(labelWidth(String(Math.max(0, rows.length - 1)).length, AXIS_FONT)) + 10;
  const marks: string[] = [];
  for (let frame = 0; frame < rows.length; frame += step) {
    const y = frame * cellH;
    marks.push(`<line x1="${gutter - 5}" y1="${y + 0.5}" x2="${gutter}" y2="${y + 0.5}" stroke="#555555"/>`);
    marks.push(`<text x="${gutter - 7}" y="${y + AXIS_FONT * 0.8}" text-anchor="end">${frame}</text>`);
  }
  const axis = `${svgOpen(gutter, height)}<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${AXIS_FONT}" fill="#333333">${marks.join('')}</g></svg>`;

  const checker = new Uint8Array(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) checker.fill((Math.floor(x / CHECK) + Math.floor(y / CHECK)) % 2 === 1 ? 0xd6 : 0xf4, o, o + 3);
  }
  const cells = await sharp(checker, { raw: { width, height, channels: 3 } }).composite([{ input: grid }]).png().toBuffer();
  return sharp({ create: { width: gutter + width, height: Math.max(height, AXIS_FONT + 2), channels: 3, background: '#ffffff' } })
    .composite([{ input: Buffer.from(axis), top: 0, left: 0 }, { input: cells, top: 0, left: gutter }])
    .png()
    .toBuffer();
}
