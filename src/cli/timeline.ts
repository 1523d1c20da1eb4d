import sharp, { type OverlayOptions } from 'sharp';
import { captionFitWidth, renderCaptionBar } from '../render/caption.js';
import { renderPaletteRows } from '../render/swatch.js';
import { EDGE_GREY, LABEL_FONT_FAMILY, escapeXml, labelWidth, svgOpen } from '../render/text.js';

/** Frame numbers down the left: their font size, and the spacing of the numbered rows at least. */
const AXIS_FONT = 11;
const MIN_TICK_SPACING = 28;
/** Cells of entries a frame does not have (fewer colours than k, or none): a light checkerboard of this square size, as image editors draw "nothing". */
const CHECK = 4;
const TICK_STEPS = [1, 2, 5, 10, 20, 50];
const AXIS_PIECE = 8192;
const AXIS_GREY = `#${EDGE_GREY.toString(16).repeat(3)}`;
/**
 * Columns between blocks: white edged in black, as between the side-by-side's panels, but
 * wider: the side-by-side's 4 pixels read as one more stripe among 4- to 8-pixel columns.
 */
const BLOCK_GAP = 12;
/** The tallest picture drawn: PNG's writers here (sharp's included) take 65,535 pixels a side. */
const MAX_HEIGHT = 65535;

/** One mode's palettes over time (one row per frame) and the caption naming it. */
export interface TimelineBlock {
  readonly label: string;
  readonly rows: readonly Uint8Array[];
}

/**
 * The palettes over time as a picture: one row per frame, one column per palette entry in
 * its stable order, so flicker shows as noise and steadiness as straight stripes. Cells
 * shrink for long clips so the picture stays within a few thousand pixels, and grow for
 * short ones so that a still or a two-frame clip is not a sliver. Frame numbers run down
 * the left; the cells of entries a frame does not have are a checkerboard, not white,
 * which a white entry could not be told from.
 *
 * One block per run (quantize's one, compare's modes side by side, so one's noise can be
 * seen next to another's stripes), in the order given, each under its label in the
 * side-by-side animation's caption bar, the blocks parted by a white rule edged in black
 * and sharing the frame numbers on the left, their rows level. Every block is as wide as the
 * largest palette of any run, so a column is the same entry width in each.
 */
export async function renderTimelines(blocks: readonly TimelineBlock[], k: number): Promise<Uint8Array> {
  return drawTimeline(
    blocks.map((b) => b.rows),
    k,
    blocks.map((b) => b.label),
  );
}

async function drawTimeline(runs: readonly (readonly Uint8Array[])[], k: number, labels: readonly string[]): Promise<Uint8Array> {
  let blocks = runs;
  // Counted in loops: a spread over every row of three long runs (195,000 arguments) overflows the stack.
  let frames = 0;
  let columns = 1;
  for (const rows of blocks) {
    frames = Math.max(frames, rows.length);
    for (const r of rows) columns = Math.max(columns, r.length / 3);
  }
  let cellW = Math.max(4, Math.min(32, Math.floor(1024 / k)));
  // Each label fits over its own block: at k = 2 a block is 64 pixels, narrower than "global palette".
  cellW = Math.max(cellW, Math.ceil(captionFitWidth(labels) / columns));
  const cellH = frames <= 64 ? Math.min(32, Math.floor(512 / frames)) : Math.max(1, Math.min(8, Math.floor(4096 / frames)));
  const blockW = columns * cellW;
  const bar = await renderCaptionBar(labels, blockW, Math.min(frames * cellH, MAX_HEIGHT), BLOCK_GAP);
  const top = bar.height;
  // Past what a picture may be tall (rows are 1 pixel by then), every n-th frame gets a row;
  // the numbers on the left still count frames. It failed after the whole run, output lost.
  const every = Math.ceil((frames * cellH) / (MAX_HEIGHT - top));
  const lastFrame = frames - 1;
  if (every > 1) {
    blocks = blocks.map((rows) => rows.filter((_, i) => i % every === 0));
    frames = Math.ceil(frames / every);
  }
  const gridH = frames * cellH;

  // A number every 1, 2, 5, 10, 20 or 50 frames: the first step that puts them MIN_TICK_SPACING apart (rows are 1 px at least).
  const step = TICK_STEPS.find((s) => s * cellH >= MIN_TICK_SPACING)!;
  const gutter = Math.ceil(labelWidth(String(Math.max(0, lastFrame)).length, AXIS_FONT)) + 10;
  const left = (b: number): number => gutter + b * (blockW + BLOCK_GAP);
  const width = left(blocks.length) - BLOCK_GAP;
  // The numbers in pieces of at most AXIS_PIECE pixels, cut just above a tick so no number
  // is cut in two: one SVG as tall as a long clip's picture rendered slowly, and past 32,767
  // pixels not at all.
  const tickPx = step * cellH;
  const piece = tickPx * Math.max(1, Math.floor(AXIS_PIECE / tickPx));
  const layers: OverlayOptions[] = [];
  for (let y0 = 0; y0 < gridH; y0 += piece) {
    const h = Math.min(piece, gridH - y0);
    // An axis line beside the first column, which may be a near-white entry (see nearWhite).
    const marks = [`<line x1="${gutter - 0.5}" y1="0" x2="${gutter - 0.5}" y2="${h}" stroke="${AXIS_GREY}"/>`];
    for (let y = 0; y < h; y += tickPx) {
      marks.push(`<line x1="${gutter - 5}" y1="${y + 0.5}" x2="${gutter}" y2="${y + 0.5}" stroke="#555555"/>`);
      // Kept inside the picture, or the last number, near the bottom edge, is cut off.
      marks.push(`<text x="${gutter - 7}" y="${Math.min(y + AXIS_FONT * 0.8, h - 2)}" text-anchor="end">${((y0 + y) / cellH) * every}</text>`);
    }
    const svg = `${svgOpen(gutter, h)}<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${AXIS_FONT}" fill="#333333">${marks.join('')}</g></svg>`;
    layers.push({ input: Buffer.from(svg), top: top + y0, left: 0 });
  }

  // The checkerboard only under blocks where some frame has fewer entries than the most,
  // drawn as its two kinds of row copied down (a pixel-by-pixel fill took 9 s on 65,000
  // frames at k = 256); one block's worth, shared by every block that needs it.
  let checker: Buffer | null = null;
  for (let b = 0; b < blocks.length; b++) {
    if (!blocks[b].some((r) => r.length / 3 < columns)) continue;
    checker ??= checkerboard(blockW, gridH);
    layers.push({ input: checker, raw: { width: blockW, height: gridH, channels: 3 }, top, left: left(b) });
  }
  for (let b = 0; b < blocks.length; b++) {
    layers.push({ input: await renderPaletteRows(blocks[b], cellW, cellH), top, left: left(b) });
    if (b > 0) layers.push({ input: divider(gridH), raw: { width: BLOCK_GAP, height: gridH, channels: 3 }, top, left: left(b) - BLOCK_GAP });
  }
  const captions = Buffer.alloc(bar.mask.length * 3);
  for (let i = 0; i < bar.mask.length; i++) if (bar.mask[i] === 1) captions.fill(255, i * 3, i * 3 + 3);
  // The bar's last row in the axis's grey: a clip opening on black (a film's first frames)
  // has rows as black as the bar, which ran into it, frame 0 lost.
  captions.fill(EDGE_GREY, (bar.height - 1) * bar.width * 3);
  layers.push({ input: captions, raw: { width: bar.width, height: bar.height, channels: 3 }, top: 0, left: gutter });
  // One composite and one PNG encoding: a second pass over a 65,000-frame picture took seconds.
  return sharp({ create: { width, height: top + gridH, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
}

function checkerboard(width: number, height: number): Buffer {
  const rowBytes = width * 3;
  const kinds = [0, 1].map((phase) => {
    const row = new Uint8Array(rowBytes);
    for (let x = 0; x < width; x++) row.fill((Math.floor(x / CHECK) + phase) % 2 === 1 ? 0xd6 : 0xf4, x * 3, x * 3 + 3);
    return row;
  });
  const checker = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) checker.set(kinds[Math.floor(y / CHECK) % 2], y * rowBytes);
  return checker;
}

/** The rule between blocks, `height` pixels of it: white, one black column at each edge. */
function divider(height: number): Buffer {
  const row = Buffer.alloc(BLOCK_GAP * 3, 255);
  row.fill(0, 0, 3).fill(0, row.length - 3);
  const out = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(out, y * row.length);
  return out;
}
