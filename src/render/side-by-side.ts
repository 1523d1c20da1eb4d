import type { Frame, IndexedFrame, TimedFrame } from '../types.js';

/**
 * Lays quantized frames side by side into one indexed frame, under a caption bar, so the
 * modes of `compare` play in sync in one animation. Each panel keeps its own colours: the
 * combined palette is the caption's two, then each panel's entries (a colour already there
 * taken once, see mergePanelPalettes), so every panel shows exactly the colours it was given.
 * Pure: the caption arrives as an already rendered 1-bit mask.
 */
export interface Caption {
  /** 1 where caption text is drawn (white on black), `width * height`. */
  readonly mask: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** How many times their size the panels are drawn (each pixel a `scale`x`scale` block), so that each label fits over its panel. */
  readonly scale: number;
  /**
   * Each panel's column: the enlarged picture, or wider where its label is and the picture
   * may not be enlarged further (it is then centred, black either side).
   */
  readonly panelWidth: number;
}

/** Columns between panels: a white rule edged in black (GAP_COLUMNS), seen on dark and light content alike. */
export const PANEL_GAP = 4;
/** The gap's columns as caption palette entries (0 black, 1 white): all black vanished between dark panels. */
const GAP_COLUMNS = [0, 1, 1, 0] as const;

export function sideBySideSize(panelWidth: number, panelHeight: number, panels: number, captionHeight: number): { width: number; height: number } {
  return { width: panels * panelWidth + (panels - 1) * PANEL_GAP, height: panelHeight + captionHeight };
}

/** The palette of a side-by-side frame, and where each panel's entries went in it. */
export interface MergedPalette {
  readonly palette: Uint8Array;
  /** Entries in `palette`; more than 256 when the panels' colours do not fit one GIF frame. */
  readonly size: number;
  /** Per panel, its entry i's place in `palette`. */
  readonly places: readonly Uint16Array[];
}

/**
 * Entry 0 black (the caption's background, the gaps' edges, the margin beside a picture
 * narrower than its column), entry 1 white (the caption's text, the gaps' rule), then each
 * panel's entries in turn, a colour already there taken once: panels of the same few colours
 * (a clip of fewer colours than k, copied exactly) share their entries, leaving room for more.
 */
export function mergePanelPalettes(panels: readonly IndexedFrame[]): MergedPalette {
  const colours = [0x000000, 0xffffff];
  const placeOf = new Map(colours.map((c, i) => [c, i]));
  const places = panels.map((panel) => {
    const place = new Uint16Array(panel.size);
    for (let e = 0; e < panel.size; e++) {
      const c = (panel.palette[e * 3] << 16) | (panel.palette[e * 3 + 1] << 8) | panel.palette[e * 3 + 2];
      let at = placeOf.get(c);
      if (at === undefined) {
        at = colours.push(c) - 1;
        placeOf.set(c, at);
      }
      place[e] = at;
    }
    return place;
  });
  const palette = new Uint8Array(colours.length * 3);
  colours.forEach((c, i) => palette.set([c >> 16, (c >> 8) & 255, c & 255], i * 3));
  return { palette, size: colours.length, places };
}

export function composeSideBySide(panels: readonly IndexedFrame[], caption: Caption, merged: MergedPalette = mergePanelPalettes(panels)): IndexedFrame {
  const { scale, panelWidth } = caption;
  const sw = panels[0].width;
  const pw = sw * scale;
  const ph = panels[0].height * scale;
  const inset = Math.floor((panelWidth - pw) / 2);
  const { width, height } = sideBySideSize(panelWidth, ph, panels.length, caption.height);
  if (merged.size > 256) throw new RangeError(`side-by-side needs ${merged.size} palette entries, more than 256`);
  const indices = new Uint8Array(width * height);
  let transparent: Uint8Array | null = null;
  for (let i = 0; i < caption.mask.length && i < width * caption.height; i++) indices[i] = caption.mask[i];
  panels.forEach((panel, p) => {
    const place = merged.places[p];
    const x0 = p * (panelWidth + PANEL_GAP) + inset;
    for (let y = 0; y < ph; y++) {
      const src = Math.floor(y / scale) * sw;
      const dst = (y + caption.height) * width + x0;
      for (let x = 0; x < pw; x++) {
        const from = src + (scale === 1 ? x : Math.floor(x / scale));
        if (panel.transparent !== null && panel.transparent[from] === 1) {
          transparent ??= new Uint8Array(width * height);
          transparent[dst + x] = 1;
        } else {
          indices[dst + x] = place[panel.indices[from]];
        }
      }
    }
    if (p === panels.length - 1) return;
    for (let c = 0; c < PANEL_GAP; c++) {
      for (let i = caption.height * width + p * (panelWidth + PANEL_GAP) + panelWidth + c; i < indices.length; i += width) indices[i] = GAP_COLUMNS[c];
    }
  });
  return { width, height, indices, palette: merged.palette, size: merged.size, transparent, delayMs: panels[0].delayMs };
}

/**
 * The same picture in full colour, for outputs with no palette (video, PNG), where the
 * 256 entries of one indexed frame would cap k (two panels of k = 128 and the original do
 * not fit in them): `original` is drawn as it is, not requantized, and each panel in its
 * own palette. Transparent pixels (the source's alpha 0, a panel's mask) get alpha 0 and
 * colour black; the writer keeps them or draws them black. Written into `out` if given.
 */
export function composeSideBySideRgba(original: TimedFrame, panels: readonly IndexedFrame[], caption: Caption, out?: Uint8Array): TimedFrame {
  const drawRow: DrawRow = (p, from, n, scale, data, o) => {
    if (p === 0) drawRgbaRow(original.data, from, n, scale, data, o);
    else drawIndexedRow(panels[p - 1], from, n, scale, data, o);
  };
  const { width, height, data } = layOutPanels(panels.length + 1, original.width, original.height, caption, drawRow, { out });
  return { width, height, data, delayMs: original.delayMs };
}

/** Draws `n` of panel p's pixels, from its pixel `from` on, each `scale` wide, at byte `o` of `data` (RGBA). */
export type DrawRow = (p: number, from: number, n: number, scale: number, data: Uint8Array, o: number) => void;

/**
 * `count` full-colour panels of `sw` x `sh` pixels, each drawn a row at a time by `drawRow`,
 * enlarged and centred in their columns under the caption bar and parted by the gap's rule,
 * as composeSideBySideRgba lays out a clip's frames (compare's flicker map lays out its
 * maps so). `below` rows are left under the panels, transparent black, for the caller to
 * fill; the picture is written into `out` when it is the right size.
 */
export function layOutPanels(count: number, sw: number, sh: number, caption: Caption, drawRow: DrawRow, { out, below = 0 }: { out?: Uint8Array | undefined; below?: number } = {}): Frame {
  const { scale, panelWidth } = caption;
  const pw = sw * scale;
  const ph = sh * scale;
  const inset = Math.floor((panelWidth - pw) / 2);
  const { width, height: panelsBottom } = sideBySideSize(panelWidth, ph, count, caption.height);
  const height = panelsBottom + below;
  const data = out?.length === width * height * 4 ? out : new Uint8Array(width * height * 4);
  const bar = Math.min(caption.mask.length, width * caption.height);
  for (let i = 0, o = 0; i < bar; i++, o += 4) grey(data, o, caption.mask[i] === 1 ? 255 : 0);
  const rowBytes = width * 4;
  for (let p = 0; p < count; p++) {
    const column = p * (panelWidth + PANEL_GAP);
    const x0 = column + inset;
    // A column wider than its picture: opaque black either side, as the caption.
    if (panelWidth > pw) {
      for (let y = caption.height; y < panelsBottom; y++) {
        for (let x = column; x < x0; x++) grey(data, (y * width + x) * 4, 0);
        for (let x = x0 + pw; x < column + panelWidth; x++) grey(data, (y * width + x) * 4, 0);
      }
    }
    for (let sy = 0; sy < sh; sy++) {
      // One source row drawn into the first of its `scale` output rows, then copied down.
      const top = (caption.height + sy * scale) * rowBytes + x0 * 4;
      drawRow(p, sy * sw, sw, scale, data, top);
      for (let r = 1; r < scale; r++) data.copyWithin(top + r * rowBytes, top, top + pw * 4);
    }
    if (p === count - 1) continue;
    for (let c = 0; c < PANEL_GAP; c++) {
      const v = GAP_COLUMNS[c] === 1 ? 255 : 0;
      for (let o = (caption.height * width + column + panelWidth + c) * 4; o < panelsBottom * rowBytes; o += rowBytes) grey(data, o, v);
    }
  }
  return { width, height, data };
}

/** An opaque grey pixel (black or white: caption and gaps) at byte `o`. */
function grey(out: Uint8Array, o: number, v: number): void {
  out[o] = v;
  out[o + 1] = v;
  out[o + 2] = v;
  out[o + 3] = 255;
}

/** `n` source pixels from `from`, each `scale` wide, at byte `o` of `out`: alpha 0 stays transparent (black), any other alpha is opaque, as the quantizer reads it. */
export function drawRgbaRow(src: Uint8Array, from: number, n: number, scale: number, out: Uint8Array, o: number): void {
  for (let x = 0, i = from * 4; x < n; x++, i += 4) {
    const clear = src[i + 3] === 0;
    for (let s = 0; s < scale; s++, o += 4) {
      out[o] = clear ? 0 : src[i];
      out[o + 1] = clear ? 0 : src[i + 1];
      out[o + 2] = clear ? 0 : src[i + 2];
      out[o + 3] = clear ? 0 : 255;
    }
  }
}

/** The same for a panel of palette indices; its mask marks the transparent pixels. */
function drawIndexedRow(panel: IndexedFrame, from: number, n: number, scale: number, out: Uint8Array, o: number): void {
  const { indices, palette, transparent } = panel;
  for (let x = 0, i = from; x < n; x++, i++) {
    const clear = transparent !== null && transparent[i] === 1;
    const j = indices[i] * 3;
    for (let s = 0; s < scale; s++, o += 4) {
      out[o] = clear ? 0 : palette[j];
      out[o + 1] = clear ? 0 : palette[j + 1];
      out[o + 2] = clear ? 0 : palette[j + 2];
      out[o + 3] = clear ? 0 : 255;
    }
  }
}
