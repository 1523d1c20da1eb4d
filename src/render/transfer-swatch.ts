import sharp from 'sharp';
import { makeEntry, type PaletteEntry } from '../palette/palette.js';
import type { SourcePalette, TransferDecision } from '../transfer/transfer.js';
import { PAIR_KEY_MIDDLES, pairKeyHeight, renderPairKey, renderSwatch, segmentLabelled, segmentWidths } from './swatch.js';
import { CAPTION_FONT_FAMILY, px, svgOpen } from './text.js';

const SWATCH_WIDTH = 800;
const BAR_HEIGHT = 72;
const GAP = 6;
/** The legend left of the bars: what each one is. */
const LEGEND = ['source', 'target', 'became'] as const;
const LEGEND_FONT = 14;
/** Under a clip's target and became bars' names, the frame they show, smaller. */
const FRAME_FONT = 11;
const LEGEND_WIDTH = 72;

/**
 * The transfer as a picture, three labelled bars of equal width: SOURCE's colours (widths
 * = shares); the target's clusters on the first frame (widths = shares, most common
 * first); and directly below each target cluster the source colour it became. The last
 * two bars use the same widths, so each target segment sits right above its new colour.
 * A legend on the left names the bars, and for a clip (`clip`) the frame the last two show:
 * they read as the whole clip's mapping otherwise. Bars are 800 px wide, or 8 px a colour
 * for more than 100 colours, as the palette swatch (800 px at k = 256 would make 3 px
 * segments). Where some target segment is too narrow for its hex code (k = 64: 28 of 64),
 * a key below names every mapping: a chip per target cluster, in the bars' order, its
 * colour over the colour it became.
 */
export async function renderTransferSwatch(source: SourcePalette, decision: TransferDecision, clip = false): Promise<Buffer> {
  const sourceEntries: PaletteEntry[] = [];
  for (let j = 0; j < source.size; j++) {
    sourceEntries.push(makeEntry(source.rgb[j * 3], source.rgb[j * 3 + 1], source.rgb[j * 3 + 2], source.proportions[j], source.proportions[j]));
  }
  const { target, mapping } = decision;
  const order = Array.from({ length: target.size }, (_, e) => e).sort((a, b) => target.proportions[b] - target.proportions[a]);
  const targetEntries = order.map((e) => makeEntry(target.rgb[e * 3], target.rgb[e * 3 + 1], target.rgb[e * 3 + 2], target.proportions[e], target.proportions[e]));
  const becameEntries = order.map((e) => {
    const j = mapping[e];
    return makeEntry(source.rgb[j * 3], source.rgb[j * 3 + 1], source.rgb[j * 3 + 2], target.proportions[e], target.proportions[e]);
  });
  const colours = Math.max(source.size, target.size);
  const barWidth = Math.max(SWATCH_WIDTH, 8 * colours);
  // A mapping gets 12 px where that leaves the bar to the shares; with many colours (k = 64:
  // nearly every segment was 12 px, an even split) the minimum gives way, so that segments
  // held at it take at most half the bar, as in palette's swatch.
  const minSegment = Math.max(1, Math.min(12, Math.floor(barWidth / (2 * colours))));
  // A target with no opaque pixel at all has no colours: its two bars stay blank.
  const bars = await Promise.all(
    [sourceEntries, targetEntries, becameEntries].map((entries) => (entries.length === 0 ? null : renderSwatch(entries, { width: barWidth, height: BAR_HEIGHT, minSegment, key: false, edges: false }))),
  );
  const unnamed = segmentWidths(targetEntries.map((e) => e.proportion), barWidth, minSegment, false).some((w) => !segmentLabelled(w, BAR_HEIGHT));
  const key = unnamed ? await renderPairKey(targetEntries.map((t, i) => [t, becameEntries[i]] as const), barWidth) : null;
  // Each bar in a grey frame, just outside it (a white colour's segment ran into the white
  // page): a pixel of room above, below and to the right of the bars.
  const barsHeight = 3 * BAR_HEIGHT + 2 * GAP + 2;
  const height = barsHeight + (key === null ? 0 : GAP + pairKeyHeight(order.length, barWidth));
  const top = (i: number) => 1 + i * (BAR_HEIGHT + GAP);
  const legend = LEGEND.map((name, i) => {
    const middle = top(i) + BAR_HEIGHT / 2;
    if (!clip || i === 0) return `<text x="${LEGEND_WIDTH - 8}" y="${middle + LEGEND_FONT * 0.35}" text-anchor="end">${name}</text>`;
    return `<text x="${LEGEND_WIDTH - 8}" y="${middle - 2}" text-anchor="end">${name}</text><text x="${LEGEND_WIDTH - 8}" y="${middle + FRAME_FONT + 1}" text-anchor="end" font-size="${FRAME_FONT}" fill="#666666">frame ${decision.frame}</text>`;
  }).join('');
  // Beside the key's first row, which half is which.
  const keyLegend = key === null ? '' : ['target', 'became'].map((name, h) => `<text x="${LEGEND_WIDTH - 8}" y="${px(barsHeight + GAP + PAIR_KEY_MIDDLES[h] + FRAME_FONT * 0.35)}" text-anchor="end" font-size="${FRAME_FONT}" fill="#666666">${name}</text>`).join('');
  const frames = bars.map((bar, i) => (bar === null ? '' : `<rect x="${LEGEND_WIDTH - 1}" y="${top(i) - 1}" width="${barWidth + 2}" height="${BAR_HEIGHT + 2}" fill="#999999" shape-rendering="crispEdges"/>`)).join('');
  const svg = `${svgOpen(LEGEND_WIDTH + barWidth + 1, height)}${frames}<g font-family="${CAPTION_FONT_FAMILY}" font-size="${LEGEND_FONT}" fill="#333333">${legend}${keyLegend}</g></svg>`;
  return sharp({ create: { width: LEGEND_WIDTH + barWidth + 1, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: Buffer.from(svg), top: 0, left: 0 },
      ...bars.flatMap((input, i) => (input === null ? [] : [{ input, top: top(i), left: LEGEND_WIDTH }])),
      ...(key === null ? [] : [{ input: key, top: barsHeight + GAP, left: LEGEND_WIDTH }]),
    ])
    .png()
    .toBuffer();
}

