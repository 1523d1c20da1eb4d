import { renderPaletteRows } from '../render/swatch.js';

/**
 * The palettes over time as a picture: one row per frame, one column per palette entry in
 * its stable order, so flicker shows as noise and steadiness as straight stripes. Cells
 * shrink for long clips so the picture stays within a few thousand pixels.
 */
export async function renderTimeline(rows: readonly Uint8Array[], k: number): Promise<Uint8Array> {
  const cellW = Math.max(4, Math.min(32, Math.floor(1024 / k)));
  const cellH = Math.max(1, Math.min(8, Math.floor(4096 / Math.max(1, rows.length))));
  return renderPaletteRows(rows, cellW, cellH);
}
