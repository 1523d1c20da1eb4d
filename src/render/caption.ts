import sharp from 'sharp';
import { ChromaseedError } from '../errors.js';
import { PANEL_GAP, sideBySideSize, type Caption } from './side-by-side.js';
import { CAPTION_FONT_FAMILY, escapeXml } from './text.js';

/** The caption bar's height under panels up to 652 pixels wide; wider panels get a taller bar (see captionSize). */
export const CAPTION_HEIGHT = 22;

/**
 * Font size and bar height for panels `panelWidth` x `panelHeight` pixels: 9 to 14 px text in
 * a 22 px bar up to 652 px wide, then growing with the width (28 px text in a 45 px bar over
 * a 1280x720 panel), so that a side-by-side of HD video, shown shrunk to fit a screen, keeps
 * readable labels (a fixed 14 px was 5 px tall on a 5132 px wide compare shown 1920 wide);
 * but it grows no taller than a quarter of the panels' height (a 4000x200 strip got 142 px;
 * the 22 px bar stays under any panels), and no larger than a label of `longest` letters
 * fits its panel at (captionFitWidth's rule: a panel that width holds it at 9 px).
 */
function captionSize(panelWidth: number, panelHeight: number, longest: number): { fontSize: number; height: number } {
  const grown = Math.max(14, Math.min(Math.round(panelWidth / 45), Math.floor(panelHeight / 4 / 1.6)));
  const fits = Math.floor(((panelWidth - 8) * 9) / (6 * Math.max(1, longest)));
  const fontSize = Math.max(9, Math.min(Math.floor(panelWidth / 12), grown, fits));
  return { fontSize, height: Math.max(CAPTION_HEIGHT, Math.round(fontSize * 1.6)) };
}

/** The widest caption sharp renders from SVG, so the widest side-by-side. */
const MAX_CAPTION_WIDTH = 32767;
/** The tallest a panel is enlarged to: an HD frame's height. */
const MAX_ENLARGED_HEIGHT = 1080;
/** The tallest frame every writer takes: GIF's limit, 65,535, less one, since H.264 pads an odd height by one. */
const MAX_FRAME_HEIGHT = 65534;

/**
 * The narrowest panel a label fits over, in pixels: DejaVu Sans at the smallest caption
 * size, 9 px, takes under 6 px a letter.
 */
export function captionFitWidth(labels: readonly string[]): number {
  return 6 * longestOf(labels) + 8;
}

/**
 * One caption bar with a label centred over each panel, rendered once with sharp's SVG
 * text support and reduced to a 1-bit mask (text pixels), so every frame reuses it.
 * Laid out and sized for `sizedFor`'s labels: two captions a clip switches between (the GIF
 * side-by-side's original, once it is requantized) keep one layout and one size of text.
 */
export async function renderCaption(labels: readonly string[], sourceWidth: number, sourceHeight: number, sizedFor: readonly string[] = labels): Promise<Caption> {
  const { scale, panelWidth } = captionLayout(sizedFor, sourceWidth, sourceHeight);
  return { ...(await renderCaptionBar(labels, panelWidth, sourceHeight * scale, PANEL_GAP, sizedFor)), scale, panelWidth };
}

/**
 * How renderCaption lays out panels of `sourceWidth` x `sourceHeight` under `labels`, or a
 * usage error if the picture would be too tall or too wide to write (said before a run, by
 * a command that draws its picture after it).
 */
export function captionLayout(labels: readonly string[], sourceWidth: number, sourceHeight: number): Pick<Caption, 'scale' | 'panelWidth'> {
  // A panel narrower than its label (a 30-pixel GIF) is enlarged a whole number of times
  // until the label fits, but to no more than an HD frame's height (a 3x200 strip was
  // enlarged 31 times, to 6,222 pixels): past that its column is made as wide as the label,
  // the picture centred in it.
  const needed = captionFitWidth(labels);
  const scale = Math.max(1, Math.min(Math.floor(MAX_ENLARGED_HEIGHT / sourceHeight), Math.ceil(needed / sourceWidth)));
  const panelWidth = Math.max(sourceWidth * scale, needed);
  const barHeight = captionSize(panelWidth, sourceHeight * scale, longestOf(labels)).height;
  if (sourceHeight * scale + barHeight > MAX_FRAME_HEIGHT) {
    throw new ChromaseedError('ERR_USAGE', `a side-by-side of panels ${sourceHeight} pixels high, under a ${barHeight}-pixel caption, would be more than ${MAX_FRAME_HEIGHT} pixels high; scale the input down with --width`);
  }
  const width = sideBySideSize(panelWidth, 0, labels.length, barHeight).width;
  if (width > MAX_CAPTION_WIDTH) {
    throw new ChromaseedError('ERR_USAGE', `a side-by-side of ${labels.length} panels ${panelWidth} pixels wide would be ${width} pixels wide, more than ${MAX_CAPTION_WIDTH}; scale the input down with --width`);
  }
  return { scale, panelWidth };
}

const longestOf = (labels: readonly string[]): number => Math.max(...labels.map((l) => l.length));

/**
 * The bar alone, over panels `panelWidth` x `panelHeight` parted by `gap` columns, sized as
 * captionSize says: what compare's side-by-side and its palette timeline both draw their
 * labels with, its text sized for `sizedFor`'s labels. The caller sees that the labels fit
 * (captionFitWidth) and that the bar is at most MAX_CAPTION_WIDTH wide.
 */
export async function renderCaptionBar(labels: readonly string[], panelWidth: number, panelHeight: number, gap = PANEL_GAP, sizedFor: readonly string[] = labels): Promise<Omit<Caption, 'scale' | 'panelWidth'>> {
  const { fontSize, height } = captionSize(panelWidth, panelHeight, longestOf(sizedFor));
  const width = labels.length * (panelWidth + gap) - gap;
  if (width > MAX_CAPTION_WIDTH) throw new RangeError(`a caption bar ${width} pixels wide is more than sharp renders, ${MAX_CAPTION_WIDTH}`);
  const texts = labels
    .map((label, i) => {
      const x = i * (panelWidth + gap) + panelWidth / 2;
      return `<text x="${x}" y="${height / 2}" dy="0.35em" text-anchor="middle">${escapeXml(label)}</text>`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="black"/><g font-family="${CAPTION_FONT_FAMILY}" font-size="${fontSize}" fill="white">${texts}</g></svg>`;
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(width * height);
  // A low cut keeps the thin, antialiased strokes of 9-pixel text (at 128 "palette" lost its "l").
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * 3] >= 80 ? 1 : 0;
  return { mask, width, height };
}
