import sharp from 'sharp';
import { COUNTED_PIXELS } from '../limits.js';
import type { StillFlips } from '../metrics/quality.js';
import type { Frame } from '../types.js';
import { CAPTION_HEIGHT, renderCaption } from './caption.js';
import { ALPHA_MASK, wordsOf } from '../pixel-words.js';
import { drawRgbaRow, layOutPanels, type DrawRow } from './side-by-side.js';
import { LABEL_FONT_FAMILY, escapeXml, labelWidth, px } from './text.js';

/** One mode's counts, and the label over its panel. */
export interface FlickerMapPanel {
  readonly label: string;
  readonly counts: StillFlips;
}

/**
 * Heat colours along t = √share, share being the part of a pixel's still frame pairs in which
 * its output changed colour: dark red for a pixel that changed once in many frames, through
 * orange, to pale yellow for one that changed in every pair. The square root spreads the
 * low shares, which are what a steady clip has: one change in 60 frames is t = 0.13, still
 * clearly red over the dimmed picture.
 */
const HEAT_STOPS: readonly (readonly [t: number, r: number, g: number, b: number])[] = [
  [0, 190, 0, 0],
  [0.5, 255, 140, 0],
  [1, 255, 255, 170],
];

/** The heat colour of a share in (0, 1], written at byte `o` of `out` (opaque). */
export function heatColour(share: number, out: Uint8Array, o: number): void {
  const t = Math.sqrt(Math.min(1, Math.max(0, share)));
  let i = 1;
  while (i < HEAT_STOPS.length - 1 && t > HEAT_STOPS[i][0]) i++;
  const [t0, r0, g0, b0] = HEAT_STOPS[i - 1];
  const [t1, r1, g1, b1] = HEAT_STOPS[i];
  const f = (t - t0) / (t1 - t0);
  out[o] = Math.round(r0 + (r1 - r0) * f);
  out[o + 1] = Math.round(g0 + (g1 - g0) * f);
  out[o + 2] = Math.round(b0 + (b1 - b0) * f);
  out[o + 3] = 255;
}

/**
 * Pixel `p` of one mode's map, at byte `o` of `out` (opaque): a heat colour where its output
 * changed colour in some frame pair that left it still, else `base` (the clip as each pixel
 * first showed) in dimmed greys, so the heat stands out while the picture still says where
 * things are: black where the clip never showed it, and the picture alone where it never
 * changed or the source never left it still (moving content).
 */
export function mapPixel(base: Uint8Array, counts: StillFlips, p: number, out: Uint8Array, o: number): void {
  const flips = counts.flips[p];
  if (flips > 0) {
    heatColour(flips / counts.stillPairs[p], out, o);
    return;
  }
  const i = p * 4;
  // Rec. 709 luma of the sRGB bytes, dimmed into 24..109: dark enough under every heat colour.
  const v = base[i + 3] === 0 ? 0 : Math.round(24 + (0.2126 * base[i] + 0.7152 * base[i + 1] + 0.0722 * base[i + 2]) / 3);
  out[o] = v;
  out[o + 1] = v;
  out[o + 2] = v;
  out[o + 3] = 255;
}

/**
 * Puts into `base` (RGBA; all clear to begin with) the pixels of `frame` where `base` has
 * none, so that given every frame in turn it holds the clip as each pixel first showed;
 * `unseen` is how many pixels `base` lacks, and the count left is returned (0: nothing more
 * to look for).
 */
export function fillUnseen(base: Uint8Array, frame: Uint8Array, unseen: number): number {
  const into = wordsOf(base);
  const from = wordsOf(frame);
  let left = unseen;
  for (let p = 0; p < into.length && left > 0; p++) {
    if ((into[p] & ALPHA_MASK) !== 0 || (from[p] & ALPHA_MASK) === 0) continue;
    into[p] = from[p];
    left--;
  }
  return left;
}

/** `n` pixels of one mode's map from pixel `from` on, each `scale` wide, at byte `o` of `out` (as DrawRow draws). */
function drawMapRow(base: Uint8Array, counts: StillFlips, from: number, n: number, scale: number, out: Uint8Array, o: number): void {
  for (let p = from; p < from + n; p++) {
    mapPixel(base, counts, p, out, o);
    for (let s = 1; s < scale; s++) out.copyWithin(o + s * 4, o, o + 4);
    o += scale * 4;
  }
}

/** The legend's words, either side of its colour ramp. */
const LEGEND_LEFT = 'still pixels that changed colour: rarely';
const LEGEND_RIGHT = 'in every frame';

/**
 * compare's flicker map as a PNG: `base` (the clip as each pixel first showed), then each
 * mode's map (mapPixel), side by side under their labels as in the side-by-side animation (a
 * small clip enlarged until its labels fit), over a legend: the heat colours' ramp from a
 * pixel that changed rarely to one that changed in every frame pair. Opaque throughout:
 * where the clip never showed a pixel, black.
 */
export async function renderFlickerMaps(base: Frame, panels: readonly FlickerMapPanel[], baseLabel: string): Promise<Uint8Array> {
  const caption = await renderCaption([baseLabel, ...panels.map((p) => p.label)], base.width, base.height);
  // The base as the side-by-side draws a frame: a pixel the clip never showed is transparent
  // black there, which removeAlpha below leaves black.
  const drawRow: DrawRow = (p, from, n, scale, data, o) => {
    if (p === 0) drawRgbaRow(base.data, from, n, scale, data, o);
    else drawMapRow(base.data, panels[p - 1].counts, from, n, scale, data, o);
  };
  // The legend's text: about the captions' size (14 px under a 22-pixel bar, growing with it
  // over wide panels), smaller where the words and a ramp as wide as 8 of its letters would
  // not fit (the widths as monospace letters', whose advance is known).
  const width = caption.width;
  const words = LEGEND_LEFT.length + LEGEND_RIGHT.length + 2;
  const fontSize = Math.max(6, Math.min(Math.max(14, Math.round(caption.height / 1.6)), Math.floor((width - 16) / labelWidth(words + 8, 1))));
  const barHeight = Math.max(CAPTION_HEIGHT, Math.round(fontSize * 1.6));
  const picture = layOutPanels(panels.length + 1, base.width, base.height, caption, drawRow, { below: barHeight });
  const { data, height } = picture;
  const legend = (height - barHeight) * width * 4;
  // Opaque black: over transparent pixels the legend's antialiased text would come out solid.
  for (let o = legend + 3; o < data.length; o += 4) data[o] = 255;
  // The ramp: a share for each column, over the bar's middle half.
  const rampFrom = Math.ceil(8 + labelWidth(LEGEND_LEFT.length + 1, fontSize));
  const rampTo = Math.floor(width - 8 - labelWidth(LEGEND_RIGHT.length + 1, fontSize));
  for (let x = rampFrom; x < rampTo; x++) {
    const t = (x - rampFrom + 1) / (rampTo - rampFrom);
    const top = legend + (Math.floor(barHeight / 4) * width + x) * 4;
    heatColour(t * t, data, top);
    for (let y = 1; y < Math.ceil(barHeight / 2); y++) data.copyWithin(top + y * width * 4, top, top + 4);
  }
  const middle = px(barHeight / 2);
  // Monospace, unlike the captions: the ramp fits between the words by their width, which
  // only a monospace font lets be known without measuring the text.
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${barHeight}">` +
    `<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${fontSize}" fill="white">` +
    `<text x="8" y="${middle}" dy="0.35em">${escapeXml(LEGEND_LEFT)}</text>` +
    `<text x="${px(width - 8)}" y="${middle}" dy="0.35em" text-anchor="end">${escapeXml(LEGEND_RIGHT)}</text>` +
    '</g></svg>';
  return sharp(data, { ...COUNTED_PIXELS, raw: { width, height, channels: 4 } })
    .composite([{ ...COUNTED_PIXELS, input: Buffer.from(svg), top: height - barHeight, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}
