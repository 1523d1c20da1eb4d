import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { paletteFromKMeans } from '../../src/palette/palette.js';
import { overlayLayout, renderOverlay } from '../../src/render/overlay.js';
import { labelWidth } from '../../src/render/text.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const still = (name: string) => path.resolve(repoRoot, '../shared/corpus/stills', name);

describe('overlayLayout', () => {
  it('keeps the strip inside the image and the squares inside the strip (on a strip 10 px wide or less, one row of squares ran past its edge)', () => {
    for (const [w, h, k] of [[451, 300, 8], [1411, 1411, 16], [160, 120, 8], [32, 600, 24], [3, 3, 2], [40, 40, 16], [40, 40, 256], [60, 400, 64], [16, 16, 256], [24, 20, 256], [5, 500, 6], [10, 400, 12], [8, 8, 16], [3, 200, 256]] as const) {
      const l = overlayLayout(w, h, k);
      const [bx, by, bw, bh] = l.backing;
      expect(bx).toBeGreaterThanOrEqual(0);
      expect(by).toBeGreaterThanOrEqual(0);
      expect(l.squares).toHaveLength(k);
      for (const [x, y] of l.squares) {
        expect(x).toBeGreaterThanOrEqual(bx);
        expect(y).toBeGreaterThanOrEqual(by);
        expect(x + l.size).toBeLessThanOrEqual(Math.min(w, bx + bw));
        expect(y + l.size).toBeLessThanOrEqual(Math.min(h, by + bh));
      }
    }
    // Big images get big, labelled squares; tiny ones get no unreadable labels.
    expect(overlayLayout(1411, 1411, 8).size).toBeGreaterThan(100);
    expect(overlayLayout(1411, 1411, 8).fontSize).toBeGreaterThanOrEqual(16);
    expect(overlayLayout(160, 120, 8).fontSize).toBe(0);
    // A tall, narrow strip stacks squares as wide as it allows (40x1400: they were 6 px, capped by the width alone).
    const tall = overlayLayout(40, 1400, 6);
    expect([tall.size, new Set(tall.squares.map(([x]) => x)).size]).toEqual([32, 1]);
    expect(tall.backing[3]).toBeLessThan(1400 / 4);
    // Up to three times as high as wide, squares are 14% of the width, as before; past that they grow.
    expect([overlayLayout(100, 300, 6).size, overlayLayout(100, 1000, 6).size]).toEqual([14, 44]);
  });

  it('spaces squares by their labels where the labels are wider, so neighbours never touch, and labels a banner (it got none)', () => {
    // A 1164x200 banner and a 640x237 logo, 6 colours: the banner's squares are capped by
    // its short side, 28 px, narrower than a label; the logo's labels ran together.
    // A 1000x50 banner's squares are 7 px: its labels, wider, were left out though a row of them fits.
    for (const [w, h, k] of [[1164, 200, 6], [640, 237, 6], [312, 312, 6], [1411, 1411, 6], [1164, 200, 16], [2000, 2000, 16], [500, 500, 16], [4032, 3024, 32], [312, 312, 16], [1000, 50, 6], [1000, 56, 2]] as const) {
      const l = overlayLayout(w, h, k);
      // Labelled, at a font that shrinks to fit its column where a fifth of the square would not
      // (2000x2000 at k = 16 lost its labels to a first version of this spacing).
      expect(l.fontSize, `${w}x${h} k=${k}`).toBeGreaterThanOrEqual(8);
      const label = labelWidth(7, l.fontSize);
      for (let i = 1; i < l.squares.length; i++) {
        if (l.squares[i][1] !== l.squares[i - 1][1]) continue;
        // Label centres are a label's width and more apart: at least a pixel between labels.
        expect(l.squares[i][0] - l.squares[i - 1][0], `${w}x${h}`).toBeGreaterThan(label + 1);
      }
    }
  });
});

describe('overlay legibility', () => {
  it('rings each square in grey, so a white colour shows on the white card, and parts labels wider than their squares by a glyph (a 300x200 image read "#ffffff#000000#ff0000")', async () => {
    const width = 300;
    const height = 200;
    const data = new Uint8Array(width * height * 4).fill(255);
    const colors = (['#ffffff', '#000000', '#ff0000'] as const).map((hex) => ({ hex, rgb: [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5), 16)] as const, proportion: 1 / 3 }));
    const layout = overlayLayout(width, height, 3);
    expect(layout.fontSize).toBe(8);
    expect(layout.squares[1][0] - layout.squares[0][0]).toBeGreaterThanOrEqual(labelWidth(8, 8));
    const { data: out } = await sharp(await renderOverlay({ width, height, data }, colors as never)).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...out.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
    const [x, y] = layout.squares[0];
    expect([at(x - 1, y + 5), at(x + 5, y - 1), at(x + layout.size, y + 5), at(x + 5, y + 5)]).toEqual([[153, 153, 153], [153, 153, 153], [153, 153, 153], [255, 255, 255]]);
  });
});

describe('renderOverlay', () => {
  it('keeps the photo size, shows every palette colour in its square, and leaves the rest of the photo alone', async () => {
    const photo = await loadStill(still('skimage__chelsea.png'));
    const palette = paletteFromKMeans(kmeansPixels(photo.data, { k: 8, seed: 1 }));
    const png = await renderOverlay(photo, palette.colors);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([photo.width, photo.height]);
    expect(info.channels).toBe(3); // opaque photo: no alpha written
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const src = (x: number, y: number) => [...photo.data.subarray((y * photo.width + x) * 4, (y * photo.width + x) * 4 + 3)];

    const layout = overlayLayout(photo.width, photo.height, 8);
    expect(layout.fontSize).toBeGreaterThan(0);
    palette.colors.forEach((c, i) => {
      const [x, y] = layout.squares[i];
      // Whole interior (one pixel in from the anti-aliased edge) is the exact palette colour.
      for (let dy = 1; dy < layout.size - 1; dy += 3) {
        for (let dx = 1; dx < layout.size - 1; dx += 3) expect(at(x + dx, y + dy)).toEqual([...c.rgb]);
      }
    });
    // Above the strip the photo is untouched.
    const [, by] = layout.backing;
    for (let y = 0; y < by - 1; y += 7) {
      for (let x = 0; x < info.width; x += 11) expect(at(x, y)).toEqual(src(x, y));
    }
    // The backing between squares is the photo lightened by translucent white.
    const [x0, y0] = layout.squares[0];
    const gx = x0 + layout.size + 1;
    const gy = y0 + Math.floor(layout.size / 2);
    const lit = at(gx, gy);
    const orig = src(gx, gy);
    for (let c = 0; c < 3; c++) expect(lit[c]).toBeGreaterThan(orig[c] + 0.5 * (255 - orig[c]));
    // Labels: dark glyph pixels under the first square.
    let dark = 0;
    for (let y = y0 + layout.size; y < y0 + layout.size + layout.fontSize * 1.35; y++) {
      for (let x = x0; x < x0 + layout.size; x++) if (Math.max(...at(x, y)) < 90) dark++;
    }
    expect(dark).toBeGreaterThan(20);
  });

  it('keeps transparency when the image has some', async () => {
    const photo = await loadStill(still('wuffs__bricks-color.jpeg'));
    const data = photo.data.slice();
    for (let i = 3; i < 40 * 4; i += 4) data[i] = 0;
    const palette = paletteFromKMeans(kmeansPixels(photo.data, { k: 5, seed: 1 }));
    const { data: out, info } = await sharp(await renderOverlay({ ...photo, data }, palette.colors)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([160, 120, 4]);
    expect(out[3]).toBe(0);
    const layout = overlayLayout(160, 120, 5);
    const [x, y] = layout.squares[2];
    const o = ((y + 2) * 160 + x + 2) * 4;
    expect([...out.subarray(o, o + 4)]).toEqual([...palette.colors[2].rgb, 255]);
  });
});
