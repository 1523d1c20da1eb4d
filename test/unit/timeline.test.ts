import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderTimelines } from '../../src/cli/timeline.js';
import { captionFitWidth, renderCaptionBar } from '../../src/render/caption.js';

async function decode(png: Uint8Array) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { at: (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)], width: info.width, height: info.height };
}

describe('renderTimelines, one run (quantize)', () => {
  const red = Uint8Array.of(255, 0, 0);
  const white = Uint8Array.of(255, 255, 255);

  it('puts frame numbers down the left, the mode in a caption bar over the block (it had no heading), and shows entries a frame lacks as a checkerboard, not as white (an unused cell looked like a white entry)', async () => {
    // Frame 0 has 3 entries (red, white, red); frame 1 only one; k = 3, so 32 px cells.
    const img = await decode(await renderTimelines([{ label: 'seeded', rows: [Uint8Array.of(...red, ...white, ...red), Uint8Array.from(red)] }], 3));
    const cell = 32;
    const bar = await renderCaptionBar(['seeded'], 3 * cell, 2 * cell, 12);
    const gutter = img.width - 3 * cell;
    expect(gutter).toBeGreaterThan(8);
    // Two frames are not a sliver: 32 px rows (they were 8), under the caption bar.
    expect(img.height).toBe(bar.height + 2 * 32);
    for (let y = 0; y < bar.height - 1; y++) for (let x = 0; x < bar.width; x += 3) expect(img.at(gutter + x, y)[0], `${x},${y}`).toBe(bar.mask[y * bar.width + x] === 1 ? 255 : 0);
    // The bar's last row is grey, so that black first rows do not run into it (they did).
    for (let x = 0; x < bar.width; x++) expect(img.at(gutter + x, bar.height - 1)).toEqual([0xa0, 0xa0, 0xa0]);
    const top = bar.height;
    expect(img.at(gutter + cell + 10, top + 10)).toEqual([255, 255, 255]);
    // Frame 1's missing second and third cells: two greys in 4-px checks, neither white.
    const checks = new Set<string>();
    for (let x = gutter + cell; x < gutter + 3 * cell; x++) checks.add(img.at(x, top + cell + 5).join());
    expect([...checks].sort()).toEqual(['214,214,214', '244,244,244']);
    // A grey axis line edges the first column, which may be a near-white entry.
    expect([img.at(gutter - 1, top + 5), img.at(gutter - 1, top + 60)]).toEqual([[0xa0, 0xa0, 0xa0], [0xa0, 0xa0, 0xa0]]);
    // Frame numbers: dark glyph pixels in the gutter beside the first row.
    let ink = 0;
    for (let y = top; y < top + 14; y++) for (let x = 0; x < gutter - 1; x++) if (img.at(x, y)[0] < 128) ink++;
    expect(ink).toBeGreaterThan(5);
  });

  it('keeps the last frame number inside the picture (4950 of 4951 frames, 1-px rows, showed only the top of its digits)', async () => {
    const rows = Array.from({ length: 4951 }, () => Uint8Array.from(red));
    const img = await decode(await renderTimelines([{ label: 'seeded', rows }], 1));
    // One column, as wide as its caption needs ("seeded": 44 px, past k = 1's 32).
    const block = captionFitWidth(['seeded']);
    const bar = await renderCaptionBar(['seeded'], block, 4951, 12);
    expect([img.height, img.at(img.width - block, bar.height + 5), img.at(img.width - block - 2, bar.height + 5)]).toEqual([bar.height + 4951, [255, 0, 0], [255, 255, 255]]);
    const gutter = img.width - block;
    let ink = 0;
    for (let y = img.height - 10; y < img.height; y++) for (let x = 0; x < gutter - 6; x++) if (img.at(x, y)[0] < 128) ink++;
    expect(ink).toBeGreaterThan(20);
  });
});

describe('renderTimelines (compare)', () => {
  const red = [255, 0, 0];
  const green = [0, 160, 0];
  const blue = [0, 0, 255];

  it('puts one block per run side by side under the caption bar, level rows, parted by a white rule edged in black', async () => {
    // Two runs of 3 frames at k = 3 (32-px cells, 96-px blocks); the second has a frame of 2 entries.
    const steady = Array.from({ length: 3 }, () => Uint8Array.from([...red, ...green, ...blue]));
    const short = [Uint8Array.from([...blue, ...red, ...green]), Uint8Array.from([...red, ...blue]), Uint8Array.from([...green, ...blue, ...red])];
    const png = await renderTimelines([{ label: 'unseeded', rows: short }, { label: 'seeded', rows: steady }], 3);
    const img = await decode(png);
    const bar = await renderCaptionBar(['unseeded', 'seeded'], 96, 3 * 32, 12);
    const gutter = img.width - bar.width;
    expect(gutter).toBeGreaterThan(8);
    expect(img.height).toBe(bar.height + 3 * 32);
    // The caption bar is the side-by-side's, pixel for pixel: the labels in the blocks' order.
    for (let y = 0; y < bar.height - 1; y++) for (let x = 0; x < bar.width; x += 3) expect(img.at(gutter + x, y)[0], `${x},${y}`).toBe(bar.mask[y * bar.width + x] === 1 ? 255 : 0);
    // The bar's last row is grey, so that black first rows do not run into it (they did).
    for (let x = 0; x < bar.width; x++) expect(img.at(gutter + x, bar.height - 1)).toEqual([0xa0, 0xa0, 0xa0]);
    const cell = (block: number, column: number, frame: number) => img.at(gutter + block * (96 + 12) + column * 32 + 16, bar.height + frame * 32 + 16);
    expect([cell(0, 0, 0), cell(0, 2, 2), cell(1, 0, 0), cell(1, 2, 2)]).toEqual([blue, red, red, blue]);
    // The short frame's missing entry: the checkerboard, in its own block only.
    expect(cell(0, 2, 1)).not.toEqual([255, 255, 255]);
    expect([214, 244]).toContain(cell(0, 2, 1)[0]);
    // The rule: black, white, black across 12 columns, all the way down.
    const rule = Array.from({ length: 12 }, (_, i) => img.at(gutter + 96 + i, bar.height + 50)[0]);
    expect(rule).toEqual([0, ...Array(10).fill(255), 0]);
  });

  it('widens cells so every label fits over its block (k = 2: 64-px blocks, narrower than "global palette")', async () => {
    const labels = ['unseeded', 'seeded', 'global palette'];
    const img = await decode(await renderTimelines(labels.map((label) => ({ label, rows: [Uint8Array.from([...red, ...blue])] })), 2));
    // "global palette" needs 6 px a letter and 8 more: 92 px, so cells of 46 instead of 32.
    const block = 92;
    const bar = await renderCaptionBar(labels, block, 32, 12);
    const gutter = img.width - (3 * block + 2 * 12);
    expect(gutter).toBeGreaterThan(8);
    for (let b = 0; b < 3; b++) {
      const x0 = gutter + b * (block + 12);
      expect([img.at(x0, bar.height + 5), img.at(x0 + 45, bar.height + 5), img.at(x0 + 46, bar.height + 5), img.at(x0 + 91, bar.height + 5)]).toEqual([red, red, blue, blue]);
      // Each label's text lies over its own block.
      let ink = 0;
      for (let y = 0; y < bar.height; y++) for (let x = x0; x < x0 + block; x++) if (img.at(x, y)[0] > 128) ink++;
      expect(ink, labels[b]).toBeGreaterThan(20);
      if (b < 2) expect(img.at(x0 + block, bar.height + 5)).toEqual([0, 0, 0]);
    }
  });

  it('draws a row for every n-th frame of a clip longer than a picture may be tall (70,000 frames failed after the whole run, the output lost)', async () => {
    // Even frames red, odd frames blue: with a row for every second frame, only red shows.
    const rows = Array.from({ length: 70_000 }, (_, i) => Uint8Array.of(...(i % 2 === 0 ? [255, 0, 0] : [0, 0, 255]), 9, 9, 9));
    const img = await decode(await renderTimelines([{ label: 'seeded', rows }], 2));
    const top = img.height - 35_000;
    expect(top).toBeGreaterThan(0);
    const x = img.width - 40; // inside the first column of cells
    for (const y of [0, 1, 17_000, 34_999]) expect(img.at(x, top + y), String(y)).toEqual([255, 0, 0]);
  });

  it('renders a long clip at k = 256: one-pixel rows, 3 blocks (65,000 frames took 13 s and 1 GB)', async () => {
    const frames = 5000;
    const rows = Array.from({ length: frames }, (_, i) => Uint8Array.from({ length: 256 * 3 }, (_, j) => (j * 7 + i) & 255));
    const img = await decode(await renderTimelines(['unseeded', 'seeded', 'global palette'].map((label) => ({ label, rows })), 256));
    const bar = await renderCaptionBar(['unseeded', 'seeded', 'global palette'], 1024, frames, 12);
    expect(img.height).toBe(bar.height + frames);
    expect(bar.width).toBe(3 * 1024 + 2 * 12);
    expect(img.width - bar.width).toBeLessThan(60);
  });
});
