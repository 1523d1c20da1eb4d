import { describe, expect, it } from 'vitest';
import { CAPTION_HEIGHT, renderCaption } from '../../src/render/caption.js';
import { composeSideBySide, composeSideBySideRgba, PANEL_GAP } from '../../src/render/side-by-side.js';
import type { IndexedFrame } from '../../src/types.js';

describe('side-by-side caption', () => {
  it("keeps long labels (the flicker map's, with their figures) inside their panels over small clips", async () => {
    // At 14 and 1 pixels wide the labels were drawn at 13-14 px in panels sized for 9 px
    // text: "unseeded, flicker 24.5273" ran into the next label, and the last was cut off.
    const labels = ['original', 'unseeded, flicker 24.5273', 'seeded, flicker 0.0587', 'global palette, flicker 0.0061'];
    for (const [w, h] of [[1, 40], [14, 25], [30, 20], [400, 300]]) {
      const caption = await renderCaption(labels, w, h);
      const panel = caption.panelWidth;
      const columns = new Set<number>();
      for (let i = 0; i < caption.mask.length; i++) if (caption.mask[i] === 1) columns.add(i % caption.width);
      for (let p = 0; p < labels.length; p++) {
        const x0 = p * (panel + PANEL_GAP);
        const inside = [...columns].filter((x) => x >= x0 && x < x0 + panel);
        expect(inside.length, `${labels[p]} over ${w}x${h}`).toBeGreaterThan(10);
        expect(Math.min(...inside), `${labels[p]} over ${w}x${h}`).toBeGreaterThan(x0);
        expect(Math.max(...inside), `${labels[p]} over ${w}x${h}`).toBeLessThan(x0 + panel - 1);
      }
      expect([...columns].every((x) => x % (panel + PANEL_GAP) < panel), `${w}x${h}`).toBe(true);
    }
  });

  it('enlarges panels narrower than their labels until every label fits over its own panel', async () => {
    const labels = ['original', 'unseeded', 'seeded', 'global palette'];
    for (const sourceWidth of [1, 30, 400]) {
      const caption = await renderCaption(labels, sourceWidth, 100);
      const panel = caption.panelWidth;
      expect(caption.width).toBe(4 * panel + 3 * PANEL_GAP);
      // Up to 10 times (1000 px tall); a 1-pixel column's label then needs a column wider than its picture.
      expect(caption.scale).toBe(sourceWidth === 400 ? 1 : Math.min(10, Math.ceil(92 / sourceWidth)));
      expect(panel).toBe(Math.max(92, sourceWidth * caption.scale));
      // The text of label i lies inside panel i, clear of its edges (at 30 pixels wide,
      // unscaled, the labels ran into each other: "originalnseedeeeedec").
      const columns = new Set<number>();
      for (let i = 0; i < caption.mask.length; i++) if (caption.mask[i] === 1) columns.add(i % caption.width);
      for (let p = 0; p < labels.length; p++) {
        const x0 = p * (panel + PANEL_GAP);
        const inside = [...columns].filter((x) => x >= x0 && x < x0 + panel);
        expect(inside.length, `${labels[p]} at ${sourceWidth} px`).toBeGreaterThan(10);
        expect(Math.min(...inside), labels[p]).toBeGreaterThan(x0);
        expect(Math.max(...inside), labels[p]).toBeLessThan(x0 + panel - 1);
      }
      expect([...columns].every((x) => x % (panel + PANEL_GAP) < panel)).toBe(true);
    }
  });

  it('enlarges no taller than an HD frame and widens the column instead (a 3x200 strip was enlarged 31 times, to 6,222 pixels; a 2x3000 one asked for 84,022)', async () => {
    const labels = ['original', 'unseeded', 'seeded', 'global palette'];
    const thin = await renderCaption(labels, 3, 200);
    expect([thin.scale, thin.panelWidth]).toEqual([5, 92]);
    const strip = await renderCaption(['original', 'unseeded', 'seeded'], 2, 3000);
    expect([strip.scale, strip.panelWidth]).toEqual([1, 6 * 'unseeded'.length + 8]);
    // Too tall to fit even once: said so, naming the way out, rather than a bad height from the writer.
    for (const height of [65_513, 65_520]) await expect(renderCaption(['original'], 2, height)).rejects.toThrow(/more than 65534 pixels high; scale the input down with --width$/);
  });
});

describe('caption size', () => {
  /** Rows of the caption mask with text in them. */
  const textRows = (c: { mask: Uint8Array; width: number; height: number }) => {
    const rows = [];
    for (let y = 0; y < c.height; y++) if (c.mask.subarray(y * c.width, (y + 1) * c.width).includes(1)) rows.push(y);
    return rows.length;
  };

  it('grows with wide panels, so labels stay readable when an HD side-by-side is shown shrunk (it was 22 px at any width)', async () => {
    const labels = ['original', 'unseeded', 'seeded'];
    const sd = await renderCaption(labels, 400, 300);
    const hd = await renderCaption(labels, 1280, 720);
    expect([sd.height, hd.height]).toEqual([CAPTION_HEIGHT, 45]);
    expect(textRows(hd)).toBeGreaterThan(1.8 * textRows(sd)); // 28 px letters against 14
    expect(hd.width).toBe(3 * 1280 + 2 * PANEL_GAP);
    // But no taller than a quarter of the panels: a 4000x200 strip got a 142 px bar.
    expect((await renderCaption(labels, 4000, 200)).height).toBeLessThanOrEqual(50);
    // The taller bar counts towards the tallest frame a writer takes.
    await expect(renderCaption(['original'], 2000, 65_500)).rejects.toThrow(/under a 70-pixel caption, would be more than 65534 pixels high/);
  });
});

describe('composeSideBySide', () => {
  it('draws each panel pixel as a scale x scale block, with its own palette and transparency', () => {
    const panel = (colour: number, transparentAt: number | null): IndexedFrame => ({
      width: 2,
      height: 1,
      indices: new Uint8Array([0, 1]),
      palette: new Uint8Array([colour, 0, 0, colour, colour, 0]),
      size: 2,
      transparent: transparentAt === null ? null : Uint8Array.from([0, 1], (_, i) => (i === transparentAt ? 1 : 0)),
      delayMs: 70,
    });
    const caption = { mask: new Uint8Array((4 + 4 + PANEL_GAP) * CAPTION_HEIGHT), width: 4 + 4 + PANEL_GAP, height: CAPTION_HEIGHT, scale: 2, panelWidth: 4 };
    const out = composeSideBySide([panel(10, null), panel(20, 1)], caption);
    expect([out.width, out.height, out.size, out.delayMs]).toEqual([12, CAPTION_HEIGHT + 2, 6, 70]);
    const row = (y: number) => Array.from(out.indices.subarray((CAPTION_HEIGHT + y) * 12, (CAPTION_HEIGHT + y + 1) * 12));
    // Panel 0: entries 2, 3; gap: a white rule edged in black (all black vanished between
    // dark panels); panel 1: entries 4, 5, its second pixel transparent.
    for (const y of [0, 1]) expect(row(y)).toEqual([2, 2, 3, 3, 0, 1, 1, 0, 4, 4, 0, 0]);
    const seeThrough = Array.from(out.transparent!.subarray((CAPTION_HEIGHT + 1) * 12, (CAPTION_HEIGHT + 2) * 12));
    expect(seeThrough).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(out.palette.subarray(6, 18))).toEqual([10, 0, 0, 10, 10, 0, 20, 0, 0, 20, 20, 0]);

    // Columns wider than their pictures (a label wider than an enlargement allows): the picture centred, the caption's black either side.
    const wide = composeSideBySide([panel(10, null), panel(20, 1)], { ...caption, mask: new Uint8Array((7 + 7 + PANEL_GAP) * CAPTION_HEIGHT), width: 7 + 7 + PANEL_GAP, panelWidth: 7 });
    const wideRow = Array.from(wide.indices.subarray(CAPTION_HEIGHT * wide.width, (CAPTION_HEIGHT + 1) * wide.width));
    expect(wideRow).toEqual([0, 2, 2, 3, 3, 0, 0, 0, 1, 1, 0, 0, 4, 4, 0, 0, 0, 0]);
  });
});

describe('composeSideBySideRgba', () => {
  it('draws the original as it is and each panel in its own palette, with no 256-colour limit (video and PNG side-by-sides)', () => {
    // A 2x1 original of two colours, one pixel half transparent (drawn opaque, as the
    // quantizer reads it), and two panels of 200 entries each: 402 colours in one frame.
    const original = { width: 2, height: 1, data: Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 128), delayMs: 40 };
    const panel = (first: number, transparentAt: number | null): IndexedFrame => ({
      width: 2,
      height: 1,
      indices: Uint8Array.of(0, 199),
      palette: Uint8Array.from({ length: 600 }, (_, i) => (first + i) & 255),
      size: 200,
      transparent: transparentAt === null ? null : Uint8Array.from([0, 1], (_, i) => (i === transparentAt ? 1 : 0)),
      delayMs: 40,
    });
    const width = 3 * 4 + 2 * PANEL_GAP;
    const mask = new Uint8Array(width * CAPTION_HEIGHT);
    mask[5] = 1;
    const out = composeSideBySideRgba(original, [panel(10, null), panel(20, 0)], { mask, width, height: CAPTION_HEIGHT, scale: 2, panelWidth: 4 });
    expect([out.width, out.height, out.delayMs, out.data.length]).toEqual([width, CAPTION_HEIGHT + 2, 40, width * (CAPTION_HEIGHT + 2) * 4]);
    const px = (x: number, y: number) => Array.from(out.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
    // The caption bar: white text on black.
    expect([px(5, 0), px(6, 0)]).toEqual([[255, 255, 255, 255], [0, 0, 0, 255]]);
    for (const y of [CAPTION_HEIGHT, CAPTION_HEIGHT + 1]) {
      const row = Array.from({ length: width }, (_, x) => px(x, y));
      expect(row.slice(0, 4)).toEqual([[1, 2, 3, 255], [1, 2, 3, 255], [4, 5, 6, 255], [4, 5, 6, 255]]);
      // The gap: a white rule edged in black, as in the GIF.
      expect(row.slice(4, 8)).toEqual([[0, 0, 0, 255], [255, 255, 255, 255], [255, 255, 255, 255], [0, 0, 0, 255]]);
      expect(row.slice(8, 12)).toEqual([[10, 11, 12, 255], [10, 11, 12, 255], [(10 + 597) & 255, (10 + 598) & 255, (10 + 599) & 255, 255], [(10 + 597) & 255, (10 + 598) & 255, (10 + 599) & 255, 255]]);
      // Panel 2's first pixel is transparent: alpha 0, black, for the writer to keep or draw black.
      expect(row.slice(16, 18)).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
      expect(row[18]).toEqual([(20 + 597) & 255, (20 + 598) & 255, (20 + 599) & 255, 255]);
    }
  });

  it('writes into the buffer it is given when that has the right size', () => {
    const original = { width: 1, height: 1, data: Uint8Array.of(9, 9, 9, 255), delayMs: 10 };
    const panel: IndexedFrame = { width: 1, height: 1, indices: Uint8Array.of(0), palette: Uint8Array.of(7, 7, 7), size: 1, transparent: null, delayMs: 10 };
    const width = 2 + PANEL_GAP;
    const caption = { mask: new Uint8Array(width * 2), width, height: 2, scale: 1, panelWidth: 1 };
    const first = composeSideBySideRgba(original, [panel], caption);
    expect(composeSideBySideRgba(original, [panel], caption, first.data).data).toBe(first.data);
    // In a column wider than its picture, centred, opaque black either side (a reused buffer is painted over).
    const wideWidth = 6 + PANEL_GAP;
    const reused = new Uint8Array(wideWidth * 3 * 4).fill(77);
    const wide = composeSideBySideRgba(original, [panel], { mask: new Uint8Array(wideWidth * 2), width: wideWidth, height: 2, scale: 1, panelWidth: 3 }, reused);
    const row = Array.from({ length: wideWidth }, (_, x) => Array.from(wide.data.subarray((2 * wideWidth + x) * 4, (2 * wideWidth + x) * 4 + 4)));
    expect([row[0], row[1], row[2], row[PANEL_GAP + 3], row[PANEL_GAP + 4], row[PANEL_GAP + 5]]).toEqual([[0, 0, 0, 255], [9, 9, 9, 255], [0, 0, 0, 255], [0, 0, 0, 255], [7, 7, 7, 255], [0, 0, 0, 255]]);
  });
});
