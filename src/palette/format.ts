import { ChromaseedError, invalidOption, listOf, requireObject } from '../errors.js';
import { checkPaletteEntries, type Palette } from './palette.js';

/** Text formats of `chromaseed palette --format`. */
export type PaletteFormat = 'text' | 'json' | 'css' | 'gpl';

export const PALETTE_FORMATS: readonly PaletteFormat[] = ['text', 'json', 'css', 'gpl'];

/**
 * Percent with two decimals: enough to tell a 0.04% speck from an empty cluster; more for a
 * share that two would print as 0.00% (a few pixels of a photo), so no colour in use reads
 * as unused.
 */
function percent(p: number): string {
  let decimals = 2;
  while (p > 0 && decimals < 8 && Number((p * 100).toFixed(decimals)) === 0) decimals++;
  return `${(p * 100).toFixed(decimals)}%`;
}

/** Inertia is a large sum; print it with at most 3 decimals and no exponent for typical sizes. */
function formatNumber(v: number): string {
  return String(Number.isFinite(v) ? round3(v) : v);
}

function pad(v: number | string, width: number): string {
  return String(v).padStart(width, ' ');
}

/**
 * Human-readable list: a header line with k, inertia and iterations, then one line per
 * colour: position, hex, `rgb(r, g, b)` and percentage of pixels.
 *
 * @example
 * k=2 inertia=1234.5 iterations=7
 *  1  #1a2b3c  rgb( 26,  43,  60)  75.00%
 *  2  #fefefe  rgb(254, 254, 254)  25.00%
 */
export function formatText(palette: Palette): string {
  const lines = [`k=${palette.k} inertia=${formatNumber(palette.inertia)} iterations=${palette.iterations}`];
  const w = String(palette.colors.length).length;
  palette.colors.forEach((c, i) => {
    const [r, g, b] = c.rgb;
    lines.push(`${pad(i + 1, w + 1)}  ${c.hex}  rgb(${pad(r, 3)}, ${pad(g, 3)}, ${pad(b, 3)})  ${pad(percent(c.proportion), 7)}`);
  });
  return lines.join('\n') + '\n';
}

/** Centroids are floats from an average; three decimals are far below a byte step. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * JSON with exactly the keys `k`, `inertia`, `iterations` and `colors`, each colour
 * `{hex, rgb, centroid, count, proportion}`; centroids are rounded to 3 decimals. One
 * colour per line, so the file stays readable and diffs line by line.
 */
export function formatJson(palette: Palette, warnings?: readonly string[]): string {
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'))) {
    throw new ChromaseedError('ERR_USAGE', `expected a list of strings (what was warned of) for warnings but received ${Array.isArray(warnings) ? 'a list holding something else' : typeof warnings === 'string' ? JSON.stringify(warnings) : String(warnings)}`);
  }
  const colors = palette.colors.map((c) =>
    JSON.stringify({
      hex: c.hex,
      rgb: [c.rgb[0], c.rgb[1], c.rgb[2]],
      centroid: [round3(c.centroid[0]), round3(c.centroid[1]), round3(c.centroid[2])],
      count: c.count,
      proportion: c.proportion,
    }),
  );
  const head = `{"k": ${JSON.stringify(palette.k)}, "inertia": ${JSON.stringify(palette.inertia)}, "iterations": ${JSON.stringify(palette.iterations)},`;
  // The command line's run adds what it warned of, as the other commands' --json do.
  const tail = warnings === undefined ? '' : `, "warnings": ${JSON.stringify(warnings)}`;
  return colors.length === 0 ? `${head} "colors": []${tail}}\n` : `${head}\n "colors": [\n  ${colors.join(',\n  ')}\n]${tail}}\n`;
}

/**
 * CSS custom properties in one `:root` block, numbered from 1 in palette order, each
 * followed by its share of the pixels as a comment, e.g. `--color-1: #1a2b3c;` then
 * a `75.00%` comment; a comment line with k and inertia comes first.
 */
export function formatCss(palette: Palette): string {
  const lines = [`/* chromaseed palette: k=${palette.k}, inertia=${formatNumber(palette.inertia)} */`, ':root {'];
  palette.colors.forEach((c, i) => lines.push(`  --color-${i + 1}: ${c.hex}; /* ${percent(c.proportion)} */`));
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * A GIMP palette (`.gpl`, also read by Inkscape and Krita): the `GIMP Palette` magic line,
 * `Name:`, `Columns:`, one `#` comment line, then one `R G B<TAB>name` line per colour, where
 * the name is the hex code and the percentage of pixels. So the file has `4 + k` lines.
 */
export function formatGpl(palette: Palette): string {
  // Swatches per row in GIMP's palette view: all of them, up to 16.
  const columns = Math.max(1, Math.min(16, palette.colors.length));
  const lines = [
    'GIMP Palette',
    'Name: chromaseed',
    `Columns: ${columns}`,
    `# k=${palette.k} inertia=${formatNumber(palette.inertia)} iterations=${palette.iterations}`,
  ];
  for (const c of palette.colors) {
    const [r, g, b] = c.rgb;
    lines.push(`${pad(r, 3)} ${pad(g, 3)} ${pad(b, 3)}\t${c.hex} ${percent(c.proportion)}`);
  }
  return lines.join('\n') + '\n';
}

/** Dispatch on the `--format` value (`--json` is `json`). */
/** `warnings`: with `json`, written under that key (the command line passes what it warns of). */
export function formatPalette(palette: Palette, format: PaletteFormat = 'text', warnings?: readonly string[]): string {
  checkPaletteEntries(requireObject('palette', "a palette ({ k, colors, ... }: paletteFromKMeans's)", palette).colors, "palette's colors");
  switch (format) {
    case 'text':
      return formatText(palette);
    case 'json':
      return formatJson(palette, warnings);
    case 'css':
      return formatCss(palette);
    case 'gpl':
      return formatGpl(palette);
    default:
      throw invalidOption('--format', listOf(PALETTE_FORMATS), format);
  }
}
