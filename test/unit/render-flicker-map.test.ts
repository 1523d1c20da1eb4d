import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { fillUnseen, heatColour, mapPixel, renderFlickerMaps } from '../../src/render/flicker-map.js';
import { PANEL_GAP } from '../../src/render/side-by-side.js';
import type { Frame } from '../../src/types.js';

const colourOf = (share: number): number[] => {
  const out = new Uint8Array(4);
  heatColour(share, out, 0);
  return [...out];
};

describe('flicker map', () => {
  it('heat runs from dark red for a rare change to pale yellow for a change in every pair, brighter as the share grows', () => {
    expect(colourOf(1e-9)).toEqual([190, 0, 0, 255]);
    expect(colourOf(0.25)).toEqual([255, 140, 0, 255]);
    expect(colourOf(1)).toEqual([255, 255, 170, 255]);
    // One change in 60 pairs is no longer the darkest red.
    expect(colourOf(1 / 60)[0]).toBeGreaterThan(190);
    let last = -1;
    for (let s = 0.01; s <= 1; s += 0.01) {
      const [r, g, b] = colourOf(s);
      expect(r + g + b).toBeGreaterThanOrEqual(last);
      last = r + g + b;
    }
  });

  it('draws heat where a still pixel flipped, the picture dimmed to greys elsewhere, black where it never showed', () => {
    const base = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255, 200, 10, 10, 255, 50, 60, 70, 0]);
    const counts = { width: 4, height: 1, stillPairs: new Uint32Array([4, 4, 0, 2]), flips: new Uint32Array([0, 1, 0, 2]) };
    const px = (p: number): number[] => {
      const out = new Uint8Array(4);
      mapPixel(base, counts, p, out, 0);
      return [...out];
    };
    expect(px(0)).toEqual([109, 109, 109, 255]); // white, dimmed: 24 + 255 / 3
    expect(px(1)).toEqual(colourOf(1 / 4));
    // Never still (moving content): the picture only, as a grey of its luma.
    const luma = Math.round(24 + (0.2126 * 200 + 0.7152 * 10 + 0.0722 * 10) / 3);
    expect(px(2)).toEqual([luma, luma, luma, 255]);
    expect(px(3)).toEqual(colourOf(1)); // never shown in the base, but it flipped
    // Never shown and never flipped: black.
    counts.flips[3] = 0;
    expect(px(3)).toEqual([0, 0, 0, 255]);
  });

  it('takes a pixel clear in the first frame from the first frame that shows it', () => {
    const base = new Uint8Array([1, 2, 3, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
    let unseen = fillUnseen(base, new Uint8Array([9, 9, 9, 255, 0, 0, 0, 0, 4, 5, 6, 255]), 2);
    expect([unseen, [...base]]).toEqual([1, [1, 2, 3, 255, 0, 0, 0, 0, 4, 5, 6, 255]]);
    unseen = fillUnseen(base, new Uint8Array([7, 7, 7, 255, 8, 8, 8, 255, 7, 7, 7, 255]), unseen);
    expect([unseen, [...base]]).toEqual([0, [1, 2, 3, 255, 8, 8, 8, 255, 4, 5, 6, 255]]);
  });

  it('lays the first frame and each map side by side under their labels, over a legend with the heat ramp', async () => {
    const width = 120;
    const height = 60;
    const first: Frame = { width, height, data: new Uint8Array(width * height * 4).fill(128) };
    const still = new Uint32Array(width * height).fill(10);
    const flickering = new Uint32Array(width * height).fill(10);
    const steady = new Uint32Array(width * height);
    const png = await renderFlickerMaps(first, [
      { label: 'unseeded, flicker 3.0000', counts: { width, height, stillPairs: still, flips: flickering } },
      { label: 'seeded, flicker 0.0000', counts: { width, height, stillPairs: still, flips: steady } },
    ], 'original');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    // Labels of 24 letters need panels of 152 pixels: the 120-pixel clip is drawn twice its size.
    expect(info.width).toBe(3 * 240 + 2 * PANEL_GAP);
    const at = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    const panelTop = 40; // below the caption bar
    expect(at(120, panelTop + 30)).toEqual([128, 128, 128]); // the original
    expect(at(240 + PANEL_GAP + 120, panelTop + 30)).toEqual(colourOf(1).slice(0, 3)); // every pair flipped
    const grey = Math.round(24 + 128 / 3);
    expect(at(2 * (240 + PANEL_GAP) + 120, panelTop + 30)).toEqual([grey, grey, grey]); // none did
    // The legend's ramp, below the panels: dark red at its left end, pale yellow at its right.
    const legendMiddle = info.height - 11;
    const ramp = Array.from({ length: info.width }, (_, x) => at(x, legendMiddle)).filter(([r, , b]) => r >= 180 && b <= 170 && r - b > 60);
    expect(ramp.length).toBeGreaterThan(info.width / 4);
    expect(ramp[0][1]).toBeLessThan(40);
    expect(ramp.at(-1)![1]).toBeGreaterThan(240);
  });
});
