import { lightness, srgbToLab } from '../color/space.js';
import { invalidOption, listOf } from '../errors.js';
import { checkPaletteEntries, type PaletteEntry } from './palette.js';

/** How `chromaseed palette --sort` orders the colours. */
export type PaletteSort = 'count' | 'hue' | 'lightness';

export const PALETTE_SORTS: readonly PaletteSort[] = ['count', 'hue', 'lightness'];

/**
 * CIELAB chroma C* below which a colour counts as a grey for `hue` sorting. A hue angle
 * of a near-neutral colour is noise (a grey one step off neutral can land anywhere on the
 * circle), so those colours are not placed by hue. 8 is roughly where a colour stops
 * reading as grey next to its neighbours.
 */
export const GREY_CHROMA = 8;

interface Keyed {
  entry: PaletteEntry;
  index: number;
  lightness: number;
  chroma: number;
  hue: number;
}

/**
 * A sorted copy of `colors` (the input is not changed).
 *
 * - `count`: most pixels first (the default).
 * - `hue`: chromatic colours by CIELAB hue angle h = atan2(b*, a*) from 0° to 360°
 *   (magenta-red → orange → yellow → green → cyan → blue → purple), then the greys
 *   (CIELAB chroma C* < {@link GREY_CHROMA}) at the end, dark to light.
 * - `lightness`: by CIELAB L*, dark to light.
 *
 * Ties are broken by count (larger first) and then by the original position, so the
 * result is fully deterministic.
 */
export function sortPalette(colors: readonly PaletteEntry[], by: PaletteSort = 'count'): PaletteEntry[] {
  checkPaletteEntries(colors, 'colors');
  const lab = new Float64Array(3);
  const keyed: Keyed[] = colors.map((entry, index) => {
    const [r, g, b] = entry.centroid;
    srgbToLab(r, g, b, lab, 0);
    let hue = (Math.atan2(lab[2], lab[1]) * 180) / Math.PI;
    if (hue < 0) hue += 360;
    return { entry, index, lightness: lightness(r, g, b), chroma: Math.hypot(lab[1], lab[2]), hue };
  });
  const tie = (a: Keyed, b: Keyed): number => b.entry.count - a.entry.count || a.index - b.index;
  let compare: (a: Keyed, b: Keyed) => number;
  switch (by) {
    case 'count':
      compare = tie;
      break;
    case 'lightness':
      compare = (a, b) => a.lightness - b.lightness || tie(a, b);
      break;
    case 'hue':
      compare = (a, b) => {
        const ga = a.chroma < GREY_CHROMA;
        const gb = b.chroma < GREY_CHROMA;
        if (ga !== gb) return ga ? 1 : -1;
        if (ga) return a.lightness - b.lightness || tie(a, b);
        return a.hue - b.hue || tie(a, b);
      };
      break;
    default:
      throw invalidOption('--sort', listOf(PALETTE_SORTS), by);
  }
  return keyed.sort(compare).map((k) => k.entry);
}
