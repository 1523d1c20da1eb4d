import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { paletteFromKMeans, type PaletteEntry } from '../../src/palette/palette.js';
import { sortPalette } from '../../src/palette/sort.js';
import { renderPaletteRows, renderSwatch, segmentWidths } from '../../src/render/swatch.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

async function decode(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const meta = await sharp(png).metadata();
  expect(meta.format).toBe('png');
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Runs of identical colour along row y: [r, g, b, length]. */
function runs(img: { data: Buffer; width: number; channels: number }, y: number): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let x = 0; x < img.width; x++) {
    const o = (y * img.width + x) * img.channels;
    const last = out[out.length - 1];
    if (last && last[0] === img.data[o] && last[1] === img.data[o + 1] && last[2] === img.data[o + 2]) last[3]++;
    else out.push([img.data[o], img.data[o + 1], img.data[o + 2], 1]);
  }
  return out;
}

let colors: PaletteEntry[];
beforeAll(async () => {
  // Hubble deep field at k=12: a few colours cover most of the picture and several are
  // tiny, which exercises the minimum segment width.
  const img = await loadStill(still('skimage__hubble_deep_field.jpg'));
  colors = sortPalette(paletteFromKMeans(kmeansPixels(img.data, { k: 12, seed: 1 })).colors, 'count');
});

describe('segmentWidths', () => {
  it('sums to the width, follows the proportions and keeps a minimum', () => {
    const p = [0.6, 0.3, 0.0899, 0.01, 0.0001];
    const w = segmentWidths(p, 800, 4);
    expect([...w].reduce((a, b) => a + b, 0)).toBe(800);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(4);
    expect(w[4]).toBe(4);
    // The others share the remaining 796 px in proportion.
    const scale = 796 / (1 - 0.0001);
    for (let i = 0; i < 4; i++) expect(Math.abs(w[i] - p[i] * scale)).toBeLessThan(1);
  });

  it('splits equally when every proportion is zero, and lowers the minimum when needed', () => {
    expect([...segmentWidths([0, 0, 0, 0], 10, 1)]).toEqual([3, 3, 2, 2]);
    expect([...segmentWidths([0.25, 0.25, 0.25, 0.25], 12, 5)]).toEqual([3, 3, 3, 3]);
    expect(() => segmentWidths([0.5, 0.5], 1, 1)).toThrow(/swatch width/);
  });

  it('draws the smallest shares narrower than the minimum, down to 1 px, rather than let them take more than a twentieth of the bar', () => {
    // A flat background at 99% and 99 colours of 0.01% each: at 4 px each they took 396 of
    // 800 px, and the background was drawn as 50.5% of the bar.
    const many = segmentWidths([0.99, ...Array(99).fill(0.0001)], 800, 4);
    expect([many[0], Math.min(...many.subarray(1)), Math.max(...many.subarray(1))]).toEqual([701, 1, 1]);
    // 15 colours sharing 1%: 2 px each (30 px), not 4 (60 px, the background at 92.5%).
    const some = segmentWidths([0.99, ...Array(15).fill(0.01 / 15)], 800, 4);
    expect([some[0], Math.min(...some.subarray(1)), Math.max(...some.subarray(1))]).toEqual([770, 2, 2]);
    expect([...segmentWidths([0.97, 0.01, 0.01, 0.01], 12, 5)]).toEqual([9, 1, 1, 1]);
    // A few small shares keep the full minimum: 2 of 4 px are 1% of the bar.
    expect([...segmentWidths([0.9, 0.0999, 0.0001], 800, 4)].slice(1)).toEqual([80, 4]);
  });
});

describe('renderSwatch', () => {
  it('draws one segment per colour, in order, with widths from the proportions', async () => {
    const img = await decode(await renderSwatch(colors));
    // The bar, and under it the key: one row of chips per 9 colours.
    expect([img.width, img.height]).toEqual([800, 160 + Math.ceil(colors.length / 9) * 44 + 2]);
    // The top rows carry no labels, so they show the exact palette colours.
    const top = runs(img, 2);
    expect(top.map(([r, g, b]) => [r, g, b])).toEqual(colors.map((c) => [...c.rgb]));
    expect(top).toEqual(runs(img, 20));
    const tiny = colors.filter((c) => c.proportion * 800 < 4).length;
    expect(tiny).toBeGreaterThan(0);
    top.forEach((run, i) => {
      const ideal = colors[i].proportion * 800;
      if (ideal < 4) expect(run[3]).toBe(4);
      else expect(Math.abs(run[3] - ideal)).toBeLessThanOrEqual(2 + tiny * 4 * colors[i].proportion);
    });
  });

  it('edges a near-white colour in grey, in the bar and in the key, inside its own width (#fefffc on 88% of chi.gif was lost in the white page)', async () => {
    const entry = (rgb: [number, number, number], proportion: number): PaletteEntry => ({ rgb, hex: `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`, proportion, count: proportion * 1000, centroid: rgb });
    const img = await decode(await renderSwatch([entry([254, 255, 252], 0.75), entry([50, 51, 49], 0.25)], { labels: false }));
    const at = (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    const grey = [0xa0, 0xa0, 0xa0];
    // The bar: the near-white segment's first and last columns and top and bottom rows are grey,
    // its inside and the dark segment's edges their own colours; the widths are the shares'.
    expect([at(0, 50), at(599, 50), at(300, 0), at(300, 159), at(300, 50), at(600, 50), at(600, 0)]).toEqual([grey, grey, grey, grey, [254, 255, 252], [50, 51, 49], [50, 51, 49]]);
    // The key's first chip (from x = 2, y = 162) is edged, the second is not.
    expect([at(2, 180), at(3, 180), at(20, 162), at(20, 163)]).toEqual([grey, [254, 255, 252], grey, [254, 255, 252]]);
    expect(at(402, 180)).toEqual([50, 51, 49]);
  });

  it('without edges (a bar its caller frames), parts two near-white colours side by side by a grey rule, and nothing else (transfer\'s #e6f7fd and #fdffff read as one block)', async () => {
    const entry = (rgb: [number, number, number], proportion: number): PaletteEntry => ({ rgb, hex: `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`, proportion, count: proportion * 1000, centroid: rgb });
    const img = await decode(await renderSwatch([entry([230, 247, 253], 0.5), entry([253, 255, 255], 0.25), entry([50, 51, 49], 0.25)], { labels: false, key: false, edges: false, height: 40 }));
    const at = (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    // 400 | 200 | 200 px: the rule is the second segment's first column; no other edge.
    expect([at(399, 20), at(400, 0), at(400, 20), at(400, 39), at(401, 20), at(0, 0), at(599, 20), at(600, 20)]).toEqual([[230, 247, 253], [0xa0, 0xa0, 0xa0], [0xa0, 0xa0, 0xa0], [0xa0, 0xa0, 0xa0], [253, 255, 255], [230, 247, 253], [253, 255, 255], [50, 51, 49]]);
  });

  it('labels wide segments with their hex code in a contrasting colour, in an RGB picture (the labels brought an alpha channel)', async () => {
    const img = await decode(await renderSwatch(colors));
    expect((await sharp(await renderSwatch(colors)).metadata()).channels).toBe(3);
    const widths = runs(img, 2).map((r) => r[3]);
    // The widest segment gets a horizontal label near the bottom: look for its text pixels.
    const widest = widths.indexOf(Math.max(...widths));
    const x0 = widths.slice(0, widest).reduce((a, b) => a + b, 0);
    const [r, g, b] = colors[widest].rgb;
    let differing = 0;
    for (let y = 120; y < 160; y++) {
      for (let x = x0; x < x0 + widths[widest]; x++) {
        const o = (y * img.width + x) * img.channels;
        if (Math.abs(img.data[o] - r) + Math.abs(img.data[o + 1] - g) + Math.abs(img.data[o + 2] - b) > 60) differing++;
      }
    }
    // Glyphs of "#rrggbb" at ~18 px cover a few hundred pixels.
    expect(differing).toBeGreaterThan(100);
    const plain = await decode(await renderSwatch(colors, { labels: false }));
    expect(runs(plain, 140)).toEqual(runs(plain, 2));
  });

  it('widens with many colours, so their widths still follow the proportions', async () => {
    // 256 colours whose shares fall from 2% to under 0.1%: on 800 px every one was 3 px wide.
    const shares = Array.from({ length: 256 }, (_, i) => 0.98 ** i);
    const total = shares.reduce((a, b) => a + b, 0);
    const many: PaletteEntry[] = shares.map((share, i) => ({ ...colors[0], rgb: [i, 255 - i, (i * 37) & 255], hex: '#000000', proportion: share / total }));
    const img = await decode(await renderSwatch(many, { labels: false }));
    expect(img.width).toBe(2048);
    const widths = runs(img, 2).map((r) => r[3]);
    expect(widths).toHaveLength(256);
    // 41 px ideal (it got 7 of 800 before); a 4 px floor for the many small ones took a
    // quarter of the bar, so they are drawn down to 1 px instead.
    expect(widths[0]).toBeGreaterThanOrEqual(Math.floor(0.95 * many[0].proportion * 2048));
    expect(Math.min(...widths)).toBe(1);
  });

  it('names every colour in the key below the bar, the smallest shares too (the bar has room for only the wide ones)', async () => {
    const img = await decode(await renderSwatch(colors));
    let named = 0;
    for (let i = 0; i < colors.length; i++) {
      // Chips 86 or 87 pixels wide (780 over 9 columns), 2 of white before each.
      const column = i % 9;
      const x0 = 2 + column * 88 + Math.min(column, 6);
      const chip = column < 6 ? 87 : 86;
      const y0 = 160 + 2 + Math.floor(i / 9) * 44;
      const [r, g, b] = colors[i].rgb;
      // The chip's top edge is its exact colour; its middle carries text in a contrasting one.
      expect(runs(img, y0 + 1).find((run) => run[0] === r && run[1] === g && run[2] === b)?.[3], colors[i].hex).toBe(chip);
      let text = 0;
      for (let y = y0 + 8; y < y0 + 36; y++) {
        for (let x = x0 + 10; x < x0 + chip - 10; x++) {
          const o = (y * img.width + x) * img.channels;
          if (Math.abs(img.data[o] - r) + Math.abs(img.data[o + 1] - g) + Math.abs(img.data[o + 2] - b) > 60) text++;
        }
      }
      if (text > 80) named++;
    }
    expect(named).toBe(colors.length);
    expect(colors.some((c) => c.proportion < 0.01)).toBe(true);
  });

  it('leaves the key out of a swatch narrower than one chip (it failed on widths of 4 px)', async () => {
    for (const width of [12, 83]) {
      const img = await decode(await renderSwatch(colors.slice(0, 3), { width, height: 20 }));
      expect([img.width, img.height]).toEqual([width, 20]);
    }
  });

  it('honours a custom size', async () => {
    const img = await decode(await renderSwatch(colors, { width: 300, height: 40, key: false }));
    expect([img.width, img.height]).toEqual([300, 40]);
    expect(runs(img, 1)).toHaveLength(colors.length);
  });
});

describe('renderPaletteRows', () => {
  it('draws one row per palette and one cell per colour, padding short rows with transparency', async () => {
    const rows: Uint8Array[] = [];
    for (const [name, k] of [['skimage__coffee.png', 6], ['skimage__chelsea.png', 6], ['wuffs__bricks-color.jpeg', 4]] as const) {
      const img = await loadStill(still(name));
      rows.push(Uint8Array.from(paletteFromKMeans(kmeansPixels(img.data, { k, seed: 1 })).colors.flatMap((c) => [...c.rgb])));
    }
    const img = await decode(await renderPaletteRows(rows, 7, 5));
    expect([img.width, img.height, img.channels]).toEqual([6 * 7, 3 * 5, 4]);
    rows.forEach((row, r) => {
      for (let c = 0; c < 6; c++) {
        for (const [dx, dy] of [[0, 0], [6, 4], [3, 2]]) {
          const o = ((r * 5 + dy) * img.width + c * 7 + dx) * 4;
          if (c * 3 < row.length) expect([...img.data.subarray(o, o + 4)]).toEqual([row[c * 3], row[c * 3 + 1], row[c * 3 + 2], 255]);
          else expect(img.data[o + 3]).toBe(0);
        }
      }
    });
  });

  it('draws empty palettes (frames with no opaque pixel) as one column of transparent cells', async () => {
    const img = await decode(await renderPaletteRows([new Uint8Array(0), new Uint8Array(0)], 7, 5));
    expect([img.width, img.height]).toEqual([7, 10]);
    expect(img.data.every((v, i) => i % 4 !== 3 || v === 0)).toBe(true);
  });

  it('rejects malformed rows', async () => {
    await expect(renderPaletteRows([new Uint8Array(4)], 2, 2)).rejects.toThrow(/multiple of 3/);
    await expect(renderPaletteRows([], 2, 2)).rejects.toThrow(/no rows/);
  });
});
