import type { IndexedFrame } from '../types.js';

/**
 * Lays quantized frames side by side into one indexed frame, under a caption bar, so the
 * modes of `compare` play in sync in one animation. Each panel keeps its own palette:
 * the combined palette is [caption colours | panel 0 | panel 1 | ...] and each panel's
 * indices are offset into it, so every panel shows exactly the colours it was given.
 * Pure: the caption arrives as an already rendered 1-bit mask.
 */
export interface Caption {
  /** 1 where caption text is drawn (white on black), `width * height`. */
  readonly mask: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** How many times their size the panels are drawn (each pixel a `scale`x`scale` block), so that each label fits over its panel. */
  readonly scale: number;
}

/** Columns between panels: a white rule edged in black (GAP_COLUMNS), seen on dark and light content alike. */
export const PANEL_GAP = 4;
/** The gap's columns as caption palette entries (0 black, 1 white): all black vanished between dark panels. */
const GAP_COLUMNS = [0, 1, 1, 0] as const;

export function sideBySideSize(panelWidth: number, panelHeight: number, panels: number, captionHeight: number): { width: number; height: number } {
  return { width: panels * panelWidth + (panels - 1) * PANEL_GAP, height: panelHeight + captionHeight };
}

export function composeSideBySide(panels: readonly IndexedFrame[], caption: Caption): IndexedFrame {
  const { scale } = caption;
  const sw = panels[0].width;
  const pw = sw * scale;
  const ph = panels[0].height * scale;
  const { width, height } = sideBySideSize(pw, ph, panels.length, caption.height);
  const total = 2 + panels.reduce((n, p) => n + p.size, 0);
  if (total > 256) throw new RangeError(`side-by-side needs ${total} palette entries, more than 256`);
  const palette = new Uint8Array(total * 3);
  palette.set([0, 0, 0, 255, 255, 255]); // entry 0: caption background, entry 1: caption text (and the gaps between panels use both)
  const indices = new Uint8Array(width * height);
  let transparent: Uint8Array | null = null;
  for (let i = 0; i < caption.mask.length && i < width * caption.height; i++) indices[i] = caption.mask[i];
  let offset = 2;
  panels.forEach((panel, p) => {
    palette.set(panel.palette.subarray(0, panel.size * 3), offset * 3);
    const x0 = p * (pw + PANEL_GAP);
    for (let y = 0; y < ph; y++) {
      const src = Math.floor(y / scale) * sw;
      const dst = (y + caption.height) * width + x0;
      for (let x = 0; x < pw; x++) {
        const from = src + (scale === 1 ? x : Math.floor(x / scale));
        if (panel.transparent !== null && panel.transparent[from] === 1) {
          transparent ??= new Uint8Array(width * height);
          transparent[dst + x] = 1;
        } else {
          indices[dst + x] = panel.indices[from] + offset;
        }
      }
    }
    offset += panel.size;
    if (p === panels.length - 1) return;
    for (let c = 0; c < PANEL_GAP; c++) {
      for (let i = caption.height * width + x0 + pw + c; i < indices.length; i += width) indices[i] = GAP_COLUMNS[c];
    }
  });
  return { width, height, indices, palette, size: total, transparent, delayMs: panels[0].delayMs };
}
