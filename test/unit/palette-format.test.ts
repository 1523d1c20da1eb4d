import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { formatCss, formatGpl, formatJson, formatPalette, formatText } from '../../src/palette/format.js';
import { makeEntry, paletteFromKMeans, type Palette } from '../../src/palette/palette.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

let palette: Palette;
beforeAll(async () => {
  const img = await loadStill(still('wuffs__hibiscus.regular.jpeg'));
  palette = paletteFromKMeans(kmeansPixels(img.data, { k: 12, seed: 2 }));
  expect(palette.k).toBe(12);
});

describe('formatJson', () => {
  it('parses to exactly the documented keys and values', () => {
    const doc = JSON.parse(formatJson(palette));
    expect(Object.keys(doc)).toEqual(['k', 'inertia', 'iterations', 'colors']);
    expect(doc.k).toBe(12);
    expect(doc.inertia).toBe(palette.inertia);
    expect(doc.iterations).toBe(palette.iterations);
    expect(doc.colors).toHaveLength(12);
    doc.colors.forEach((c: Record<string, unknown>, i: number) => {
      const e = palette.colors[i];
      expect(Object.keys(c)).toEqual(['hex', 'rgb', 'centroid', 'count', 'proportion']);
      expect(c.hex).toBe(e.hex);
      expect(c.rgb).toEqual([...e.rgb]);
      (c.centroid as number[]).forEach((v, j) => expect(Math.abs(v - e.centroid[j])).toBeLessThanOrEqual(0.0005));
      expect(c.count).toBe(e.count);
      expect(c.proportion).toBe(e.proportion);
    });
    expect(formatPalette(palette, 'json')).toBe(formatJson(palette));
  });

  it('handles an empty palette', () => {
    expect(JSON.parse(formatJson({ k: 0, inertia: 0, iterations: 0, colors: [] }))).toEqual({ k: 0, inertia: 0, iterations: 0, colors: [] });
  });
});

describe('formatGpl', () => {
  it('is a GIMP palette with one R G B<TAB>name line per colour', () => {
    const lines = formatGpl(palette).trimEnd().split('\n');
    expect(lines).toHaveLength(4 + 12);
    expect(lines[0]).toBe('GIMP Palette');
    expect(lines[1]).toBe('Name: chromaseed');
    expect(lines[2]).toMatch(/^Columns: \d+$/);
    expect(lines[3]).toMatch(/^#/);
    lines.slice(4).forEach((line, i) => {
      const m = /^\s*(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\t(.+)$/.exec(line);
      expect(m).not.toBeNull();
      expect([Number(m![1]), Number(m![2]), Number(m![3])]).toEqual([...palette.colors[i].rgb]);
      expect(m![4]).toContain(palette.colors[i].hex);
    });
  });

  it('asks for at most 16 swatches a row (Columns), however many colours', () => {
    const of = (n: number): Palette => ({ k: n, inertia: 0, iterations: 1, colors: Array.from({ length: n }, (_, i) => makeEntry(i, i, i, 1, 1 / n)) });
    expect(formatGpl(of(20)).split('\n')[2]).toBe('Columns: 16');
    expect(formatGpl(of(16)).split('\n')[2]).toBe('Columns: 16');
    expect(formatGpl(of(5)).split('\n')[2]).toBe('Columns: 5');
  });
});

describe('formatCss', () => {
  it('declares one custom property per colour in a :root block', () => {
    const css = formatCss(palette);
    const block = /:root\s*\{([^}]*)\}/.exec(css);
    expect(block).not.toBeNull();
    const props = [...block![1].matchAll(/--color-(\d+):\s*(#[0-9a-f]{6});\s*\/\*\s*([\d.]+)%\s*\*\//g)];
    expect(props).toHaveLength(12);
    props.forEach((m, i) => {
      expect(Number(m[1])).toBe(i + 1);
      expect(m[2]).toBe(palette.colors[i].hex);
      expect(Number(m[3])).toBeCloseTo(palette.colors[i].proportion * 100, 2);
    });
  });
});

describe('formatText', () => {
  it('lists hex, rgb and percentage per colour after a k/inertia line', () => {
    const lines = formatText(palette).trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^k=12 inertia=[\d.]+ iterations=\d+$/);
    let total = 0;
    lines.slice(1).forEach((line, i) => {
      const e = palette.colors[i];
      const m = /^\s*(\d+)\s+(#[0-9a-f]{6})\s+rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\)\s+([\d.]+)%$/.exec(line);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(i + 1);
      expect(m![2]).toBe(e.hex);
      expect([Number(m![3]), Number(m![4]), Number(m![5])]).toEqual([...e.rgb]);
      total += Number(m![6]);
    });
    expect(total).toBeCloseTo(100, 0);
  });

  it('prints a share too small for two decimals with as many as it takes, not as 0.00% (an empty cluster)', () => {
    const tiny = { ...palette, colors: [{ ...palette.colors[0], proportion: 0.99997 }, { ...palette.colors[1], proportion: 0.00003 }] };
    for (const text of [formatText(tiny), formatCss(tiny), formatGpl(tiny)]) expect(text).toMatch(/ 0\.003%/);
    expect(formatText(tiny)).toMatch(/ 99\.997%|100\.00%/);
  });

  it('rejects an unknown format', () => {
    expect(() => formatPalette(palette, 'yaml' as never)).toThrow(/--format/);
  });
});
