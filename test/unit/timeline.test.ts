import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../src/cli/timeline.js';

async function decode(png: Uint8Array) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { at: (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)], width: info.width, height: info.height };
}

describe('renderTimeline', () => {
  const red = Uint8Array.of(255, 0, 0);
  const white = Uint8Array.of(255, 255, 255);

  it('puts frame numbers down the left and shows entries a frame lacks as a checkerboard, not as white (an unused cell looked like a white entry)', async () => {
    // Frame 0 has 3 entries (red, white, red); frame 1 only one; k = 3, so 32 px cells.
    const img = await decode(await renderTimeline([Uint8Array.of(...red, ...white, ...red), Uint8Array.from(red)], 3));
    const cell = 32;
    const gutter = img.width - 3 * cell;
    expect(gutter).toBeGreaterThan(8);
    // Two frames are not a sliver: 32 px rows (they were 8).
    expect(img.height).toBe(2 * 32);
    const rowH = img.height / 2;
    expect(img.at(gutter + cell + 10, 10)).toEqual([255, 255, 255]);
    // Frame 1's missing second and third cells: two greys in 4-px checks, neither white.
    const checks = new Set<string>();
    for (let x = gutter + cell; x < gutter + 3 * cell; x++) checks.add(img.at(x, rowH + 5).join());
    expect([...checks].sort()).toEqual(['214,214,214', '244,244,244']);
    // Frame numbers: dark glyph pixels in the gutter beside the first row.
    let ink = 0;
    for (let y = 0; y < 14; y++) for (let x = 0; x < gutter; x++) if (img.at(x, y)[0] < 128) ink++;
    expect(ink).toBeGreaterThan(5);
  });

  it('keeps the last frame number inside the picture (4950 of 4951 frames, 1-px rows, showed only the top of its digits)', async () => {
    const rows = Array.from({ length: 4951 }, () => Uint8Array.from(red));
    const img = await decode(await renderTimeline(rows, 1));
    expect(img.height).toBe(4951);
    const gutter = img.width - 32;
    let ink = 0;
    for (let y = img.height - 10; y < img.height; y++) for (let x = 0; x < gutter - 6; x++) if (img.at(x, y)[0] < 128) ink++;
    expect(ink).toBeGreaterThan(20);
  });
});
