import { describe, expect, it } from 'vitest';
import { labToSrgb, lightness, oklabToSrgb, srgbToLab, srgbToOklab, toSrgb } from '../../src/color/space.js';

const lab = (r: number, g: number, b: number): number[] => {
  const out = new Float64Array(3);
  srgbToLab(r, g, b, out, 0);
  return Array.from(out);
};
const fromLab = (l: number, a: number, b: number): number[] => {
  const out = new Float64Array(3);
  labToSrgb(l, a, b, out, 0);
  return Array.from(out);
};

describe('colour spaces against reference values', () => {
  it('sRGB to CIELAB (D65) gives the published values', () => {
    // Bruce Lindbloom's calculator, sRGB with D65 white, and every colour-science library.
    const cases: [number[], number[]][] = [
      [[255, 255, 255], [100, 0, 0]],
      [[255, 0, 0], [53.2408, 80.0925, 67.2032]],
      [[0, 255, 0], [87.7347, -86.1827, 83.1793]],
      [[0, 0, 255], [32.297, 79.1875, -107.8602]],
      [[128, 128, 128], [53.585, 0, 0]],
    ];
    for (const [rgb, want] of cases) {
      const got = lab(rgb[0], rgb[1], rgb[2]);
      for (let c = 0; c < 3; c++) expect(got[c], `${rgb} channel ${c}`).toBeCloseTo(want[c], 2);
    }
  });

  it('CIELAB back to sRGB round-trips (to the precision of the published matrices), and a colour outside sRGB is clamped channel by channel (not wrapped)', () => {
    for (const rgb of [[255, 0, 0], [12, 200, 77], [250, 250, 5], [3, 4, 5]]) {
      const [l, a, b] = lab(rgb[0], rgb[1], rgb[2]);
      const back = fromLab(l, a, b);
      for (let c = 0; c < 3; c++) expect(back[c]).toBeCloseTo(rgb[c], 3);
    }
    // The mean of pure red and pure blue in Lab: green would be far below 0, red and blue past 255.
    const red = lab(255, 0, 0);
    const blue = lab(0, 0, 255);
    const [r, g, b] = fromLab((red[0] + blue[0]) / 2, (red[1] + blue[1]) / 2, (red[2] + blue[2]) / 2);
    expect(g).toBe(0);
    expect(r).toBeGreaterThan(200);
    expect(r).toBeLessThanOrEqual(255);
    expect(b).toBeGreaterThan(50);
    expect(b).toBeLessThanOrEqual(255);
    // Every channel in range for Lab corners far outside the gamut.
    for (const [l, a, bb] of [[50, -128, 0], [50, 127, 127], [0, 127, -128], [100, -128, 127]]) {
      for (const v of fromLab(l, a, bb)) expect(v >= 0 && v <= 255, `${l},${a},${bb}: ${v}`).toBe(true);
    }
  });

  it('Oklab round-trips, clamps the same way, and the plain RGB converter clamps too', () => {
    const out = new Float64Array(3);
    srgbToOklab(12, 200, 77, out, 0);
    oklabToSrgb(out[0], out[1], out[2], out, 0);
    expect(Array.from(out).map((v) => Math.round(v * 1e3) / 1e3)).toEqual([12, 200, 77]);
    oklabToSrgb(60, 40, -40, out, 0); // a violet outside sRGB: green below 0
    for (const v of out) expect(v >= 0 && v <= 255).toBe(true);
    toSrgb('rgb')(-50, 128.5, 305, out, 0);
    expect(Array.from(out)).toEqual([0, 128.5, 255]);
  });

  it('lightness is CIELAB L*, for greys and colours alike', () => {
    for (const [r, g, b] of [[0, 0, 0], [255, 255, 255], [128, 128, 128], [0, 0, 255], [255, 255, 0], [30, 160, 90]]) {
      expect(lightness(r, g, b), `${r},${g},${b}`).toBeCloseTo(lab(r, g, b)[0], 9);
    }
  });
});
