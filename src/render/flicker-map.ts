import sharp from 'sharp';
import { COUNTED_PIXELS } from '../limits.js';
import type { StillFlips } from '../metrics/quality.js';
import type { Frame } from '../types.js';
import { CAPTION_HEIGHT, renderCaption } from './caption.js';
import { composeRgbaPanels } from './side-by-side.js';
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
 * One mode's map, pure: `base` (the clip's first frame) in dimmed greys, so the heat stands out
 * while the picture still says where things are, and over it, in heat colours, every pixel
 * whose output changed colour in some frame pair where the source left it still. A pixel that
 * never changed, or that the source never left still (moving content), shows the picture only;
 * one transparent in `base` is black under its heat.
 */
export function flickerMapPanel(base: Frame, counts: StillFlips): Frame {
  const { width, height } = base;
  if (counts.width !== width || counts.height !== height) throw new RangeError(`counts of ${counts.width}x${counts.height} pixels for a ${width}x${height} picture`);
  const { stillPairs, flips } = counts;
  const src = base.data;
  const data = new Uint8Array(width * height * 4);
  for (let p = 0, o = 0; p < width * height; p++, o += 4) {
    if (flips[p] > 0) {
      heatColour(flips[p] / stillPairs[p], data, o);
      continue;
    }
    // Rec. 709 luma of the sRGB bytes, dimmed into 24..110: dark enough under every heat colour.
    const luma = src[o + 3] === 0 ? 0 : 0.2126 * src[o] + 0.7152 * src[o + 1] + 0.0722 * src[o + 2];
    const v = src[o + 3] === 0 ? 0 : Math.round(24 + luma / 3);
    data[o] = v;
    data[o + 1] = v;
    data[o + 2] = v;
    data[o + 3] = 255;
  }
  return { width, height, data };
}

/** The legend's words, either side of its colour ramp. */
const LEGEND_LEFT = 'still pixels that changed colour: rarely';
const LEGEND_RIGHT = 'in every frame';

/**
 * compare's flicker map as a PNG: the clip's first frame, then each mode's map (flickerMapPanel),
 * side by side under their labels as in the side-by-side animation (a small clip enlarged
 * until its labels fit), over a legend: the heat colours' ramp from a pixel that changed
 * rarely to one that changed in every frame pair.
 */
export async function renderFlickerMaps(first: Frame, panels: readonly FlickerMapPanel[], originalLabel: string): Promise<Uint8Array> {
  const pictures = [first, ...panels.map((p) => flickerMapPanel(first, p.counts))];
  const caption = await renderCaption([originalLabel, ...panels.map((p) => p.label)], first.width, first.height);
  const top = composeRgbaPanels(pictures, caption);
  const { width } = top;
  // The caption's own text size (see caption.ts), shrunk where the words and a ramp of 8 letters would not fit.
  const words = LEGEND_LEFT.length + LEGEND_RIGHT.length + 2;
  const fontSize = Math.max(6, Math.min(Math.round(caption.height / 1.6), Math.floor((width - 16) / (labelWidth(words, 1) + 8))));
  const barHeight = Math.max(CAPTION_HEIGHT, Math.round(fontSize * 1.6));
  const left = 8 + labelWidth(LEGEND_LEFT.length + 1, fontSize);
  const right = width - 8 - labelWidth(LEGEND_RIGHT.length + 1, fontSize);
  const data = new Uint8Array(width * (top.height + barHeight) * 4);
  data.set(top.data);
  const legend = top.data.length;
  for (let o = legend + 3; o < data.length; o += 4) data[o] = 255; // black, opaque
  // The ramp: a share for each column, over the bar's middle half.
  const rampFrom = Math.ceil(left);
  const rampTo = Math.floor(right);
  const row = new Uint8Array(4);
  for (let x = rampFrom; x < rampTo; x++) {
    const t = (x - rampFrom + 1) / (rampTo - rampFrom);
    heatColour(t * t, row, 0);
    for (let y = Math.floor(barHeight / 4); y < Math.ceil((barHeight * 3) / 4); y++) data.set(row, legend + (y * width + x) * 4);
  }
  const middle = px(barHeight / 2);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${barHeight}">` +
    `<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-size="${fontSize}" fill="white">` +
    `<text x="8" y="${middle}" dy="0.35em">${escapeXml(LEGEND_LEFT)}</text>` +
    `<text x="${px(width - 8)}" y="${middle}" dy="0.35em" text-anchor="end">${escapeXml(LEGEND_RIGHT)}</text>` +
    '</g></svg>';
  return sharp(data, { ...COUNTED_PIXELS, raw: { width, height: top.height + barHeight, channels: 4 } })
    .composite([{ ...COUNTED_PIXELS, input: Buffer.from(svg), top: top.height, left: 0 }])
    .png()
    .toBuffer();
}
