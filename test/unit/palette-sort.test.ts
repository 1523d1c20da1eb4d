import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lightness, srgbToLab } from '../../src/color/space.js';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { makeEntry, paletteFromKMeans, type PaletteEntry } from '../../src/palette/palette.js';
import { GREY_CHROMA, sortPalette } from '../../src/palette/sort.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

const lab = new Float64Array(3);
function lch(e: PaletteEntry): { L: number; C: number; h: number } {
  srgbToLab(e.centroid[0], e.centroid[1], e.centroid[2], lab, 0);
  const h = (Math.atan2(lab[2], lab[1]) * 180) / Math.PI;
  return { L: lab[0], C: Math.hypot(lab[1], lab[2]), h: h < 0 ? h + 360 : h };
}

let colors: PaletteEntry[];
beforeAll(async () => {
  // Kodak "hats": strongly coloured hats plus grey/white areas, so both hue groups occur.
  const img = await loadStill(still('imageio__kodim03.png'));
  colors = [...paletteFromKMeans(kmeansPixels(img.data, { k: 16, seed: 7 })).colors];
});

describe('sortPalette', () => {
  it('count: most common first', () => {
    const sorted = sortPalette(colors, 'count');
    expect(sorted).toHaveLength(colors.length);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1].count).toBeGreaterThanOrEqual(sorted[i].count);
    expect(sortPalette(colors)).toEqual(sorted);
  });

  it('lightness: CIELAB L* from dark to light', () => {
    const sorted = sortPalette(colors, 'lightness');
    const ls = sorted.map((c) => lightness(c.centroid[0], c.centroid[1], c.centroid[2]));
    for (let i = 1; i < ls.length; i++) expect(ls[i]).toBeGreaterThanOrEqual(ls[i - 1]);
    expect(ls[0]).toBeLessThan(ls[ls.length - 1]);
  });

  it('hue: chromatic colours by hue angle, then greys dark to light', () => {
    const sorted = sortPalette(colors, 'hue');
    const keys = sorted.map(lch);
    const firstGrey = keys.findIndex((k) => k.C < GREY_CHROMA);
    const chromatic = firstGrey < 0 ? keys : keys.slice(0, firstGrey);
    const greys = firstGrey < 0 ? [] : keys.slice(firstGrey);
    // The photo has both kinds, so both orderings are exercised.
    expect(chromatic.length).toBeGreaterThan(3);
    expect(greys.length).toBeGreaterThan(0);
    for (const g of greys) expect(g.C).toBeLessThan(GREY_CHROMA);
    for (let i = 1; i < chromatic.length; i++) expect(chromatic[i].h).toBeGreaterThanOrEqual(chromatic[i - 1].h);
    for (let i = 1; i < greys.length; i++) expect(greys[i].L).toBeGreaterThanOrEqual(greys[i - 1].L);
  });

  it('hue: angles run from 0 to 360, so blues and violets (negative atan2) come after greens, not first', () => {
    const entry = (r: number, g: number, b: number) => makeEntry(r, g, b, 1, 1 / 3);
    const hexes = sortPalette([entry(40, 40, 230), entry(230, 30, 30), entry(30, 200, 40), entry(140, 40, 200)], 'hue').map((c) => c.hex);
    // L*a*b* hue angles: red about 40°, green 136°, blue 301°, violet 314°.
    expect(hexes).toEqual(['#e61e1e', '#1ec828', '#2828e6', '#8c28c8']);
  });

  it('returns a permutation and leaves the input alone', () => {
    const before = colors.map((c) => c.hex);
    for (const by of ['count', 'hue', 'lightness'] as const) {
      const sorted = sortPalette(colors, by);
      expect(sorted.map((c) => c.hex).sort()).toEqual([...before].sort());
    }
    expect(colors.map((c) => c.hex)).toEqual(before);
  });

  it('rejects an unknown order', () => {
    expect(() => sortPalette(colors, 'brightness' as never)).toThrow(/--sort/);
  });
});
