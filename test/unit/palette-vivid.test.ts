import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { srgbToOklab } from '../../src/color/space.js';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels, kmeansPoints } from '../../src/kmeans/kmeans.js';
import { paletteFromKMeans, type Palette } from '../../src/palette/palette.js';
import { boostSaturation, vividPoints } from '../../src/palette/vivid.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

const lab = new Float64Array(3);
function oklch(r: number, g: number, b: number): { L: number; C: number; h: number } {
  srgbToOklab(r, g, b, lab, 0);
  return { L: lab[0], C: Math.hypot(lab[1], lab[2]), h: Math.atan2(lab[2], lab[1]) };
}
/** Unweighted mean Oklab chroma of the palette's colours. */
function meanChroma(p: Palette): number {
  return p.colors.reduce((a, c) => a + oklch(c.centroid[0], c.centroid[1], c.centroid[2]).C, 0) / p.colors.length;
}

describe('vividPoints', () => {
  it('keeps only salient colours, weighted by count x chroma, and is deterministic', async () => {
    const img = await loadStill(still('skimage__astronaut.png'));
    const v = vividPoints(img.data);
    expect(v.fallback).toBe(false);
    expect(v.opaquePixels).toBe(512 * 512);
    expect(v.keptPixels).toBeGreaterThan(0.1 * v.opaquePixels);
    expect(v.keptPixels).toBeLessThan(v.opaquePixels);
    expect(v.points.length).toBe(v.n * 3);
    // Count each kept colour's pixels independently to check the weights.
    const pixelsOf = new Map<number, number>();
    for (let i = 0; i < img.data.length; i += 4) {
      const key = (img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2];
      pixelsOf.set(key, (pixelsOf.get(key) ?? 0) + 1);
    }
    for (let i = 0; i < v.n; i += 97) {
      const [r, g, b] = [v.points[i * 3], v.points[i * 3 + 1], v.points[i * 3 + 2]];
      const { L, C } = oklch(r, g, b);
      expect(C).toBeGreaterThanOrEqual(4);
      expect(L).toBeGreaterThanOrEqual(20);
      expect(L).toBeLessThanOrEqual(94);
      expect(v.weights[i]).toBeCloseTo(pixelsOf.get((r << 16) | (g << 8) | b)! * C, 6);
    }
    const again = vividPoints(img.data);
    expect(again.points).toEqual(v.points);
    expect(again.weights).toEqual(v.weights);
  });

  it('falls back to every colour on a greyscale photo', async () => {
    const img = await loadStill(still('skimage__coffee.png'));
    const data = img.data.slice();
    for (let i = 0; i < data.length; i += 4) {
      const y = Math.round(0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2]);
      data[i] = data[i + 1] = data[i + 2] = y;
    }
    const v = vividPoints(data);
    expect(v.fallback).toBe(true);
    expect(v.keptPixels).toBe(v.opaquePixels);
    for (let i = 0; i < v.n; i++) expect(v.weights[i]).toBeGreaterThan(0);
    const p = paletteFromKMeans(kmeansPoints(v.points, v.weights, { k: 6, seed: 1 }));
    expect(p.k).toBe(6);
  });

  it('in the fallback, weighs each colour by its pixels times its chroma, greys by pixels times the chroma floor', () => {
    // 9 grey pixels and 1 dark red one (Oklab lightness under 20: not salient), so nothing is salient.
    const rgba = new Uint8Array(40);
    for (let p = 0; p < 9; p++) rgba.set([128, 128, 128, 255], p * 4);
    rgba.set([40, 0, 0, 255], 36);
    const lab = new Float64Array(3);
    srgbToOklab(40, 0, 0, lab, 0);
    const chroma = Math.hypot(lab[1], lab[2]);
    expect(lab[0]).toBeLessThan(20);
    expect(chroma).toBeGreaterThan(4);
    const v = vividPoints(rgba);
    expect(v.fallback).toBe(true);
    const weightOf = (r: number) => v.weights[Array.from({ length: v.n }, (_, i) => v.points[i * 3]).indexOf(r)];
    expect(weightOf(128)).toBeCloseTo(9 * 4, 9);
    expect(weightOf(40)).toBeCloseTo(chroma, 9);
  });

  it('rejects out-of-range options', () => {
    expect(() => vividPoints(new Uint8Array(4), { minChroma: -1 })).toThrow(/minChroma/);
  });

  it('leaves out a near-white however colourful it is (Oklab L above maxLightness)', () => {
    // Pale yellow: Oklab L 98.7, C 7.0 (chroma enough, too light); pure red: L 62.8, C 25.8.
    const rgba = Uint8Array.of(255, 255, 200, 255, 255, 0, 0, 255);
    const v = vividPoints(rgba);
    expect([v.fallback, v.n, [...v.points], v.keptPixels]).toEqual([false, 1, [255, 0, 0], 1]);
    const lighter = vividPoints(rgba, { maxLightness: 99 });
    expect([lighter.n, [...lighter.points]]).toEqual([2, [255, 255, 200, 255, 0, 0]]);
  });

  it('keeps every colour when the salient pixels are fewer than minSalientFraction of the opaque ones, though some are salient', () => {
    // 99 grey pixels and one red: 1% salient, under the default 5%.
    const rgba = new Uint8Array(100 * 4).fill(128);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    rgba.set([255, 0, 0, 255], 99 * 4);
    const v = vividPoints(rgba);
    expect([v.fallback, v.n, v.keptPixels]).toEqual([true, 2, 100]);
    expect(v.weights[0]).toBeCloseTo(99 * 4, 9); // the grey at the minChroma floor
    // At a bar of 1% the red alone is kept.
    const at1 = vividPoints(rgba, { minSalientFraction: 0.01 });
    expect([at1.fallback, at1.n, at1.keptPixels, [...at1.points]]).toEqual([false, 1, 1, [255, 0, 0]]);
  });
});

describe('boostSaturation', () => {
  it('raises chroma at the same lightness and hue, staying in gamut', async () => {
    const img = await loadStill(still('imageio__kodim03.png'));
    const plain = paletteFromKMeans(kmeansPixels(img.data, { k: 8, seed: 3 }));
    const boosted = boostSaturation(plain, 0.15);
    expect(boosted.colors.length).toBe(plain.colors.length);
    for (let i = 0; i < plain.colors.length; i++) {
      const a = plain.colors[i];
      const b = boosted.colors[i];
      expect(b.count).toBe(a.count);
      expect(b.proportion).toBe(a.proportion);
      const ca = oklch(...(a.centroid as [number, number, number]));
      const cb = oklch(...(b.centroid as [number, number, number]));
      expect(cb.L).toBeCloseTo(ca.L, 1);
      expect(cb.C).toBeGreaterThanOrEqual(ca.C - 1e-4);
      expect(cb.C).toBeLessThanOrEqual(ca.C * 1.15 + 1e-4);
      if (ca.C > 2) expect(Math.abs(cb.h - ca.h)).toBeLessThan(0.01);
      for (const v of b.centroid) expect(v >= 0 && v <= 255).toBe(true);
    }
    expect(meanChroma(boosted)).toBeGreaterThan(meanChroma(plain) * 1.05);
  });

  it('leaves a saturated primary in gamut instead of clipping its hue', () => {
    const p = boostSaturation({ k: 1, inertia: 0, iterations: 0, colors: [{ hex: '#ff0000', rgb: [255, 0, 0], centroid: [255, 0, 0], count: 1, proportion: 1 }] });
    expect(p.colors[0].rgb).toEqual([255, 0, 0]);
  });
});

describe('vivid palettes on real photos', () => {
  it.each(['skimage__astronaut.png', 'wuffs__hibiscus.regular.jpeg', 'imageio__kodim03.png', 'skimage__rocket.jpg'])('%s: vivid palette has higher mean chroma than the plain one', async (name) => {
    const img = await loadStill(still(name));
    const options = { k: 8, seed: 1 };
    const plain = paletteFromKMeans(kmeansPixels(img.data, options));
    const v = vividPoints(img.data);
    const unboosted = paletteFromKMeans(kmeansPoints(v.points, v.weights, options));
    const vivid = boostSaturation(unboosted);
    // The weighting alone already moves the palette towards colour; the boost adds more.
    expect(meanChroma(unboosted)).toBeGreaterThan(meanChroma(plain) * 1.15);
    expect(meanChroma(vivid)).toBeGreaterThan(meanChroma(unboosted));
  });
});
