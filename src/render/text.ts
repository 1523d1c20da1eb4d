import { lightness } from '../color/space.js';

/**
 * Helpers shared by the pictures that carry text labels. Labels are drawn as SVG and
 * rendered by sharp's bundled librsvg/pango, so no font file ships with the project: the
 * family list below falls back to whatever monospace font fontconfig finds.
 */

/**
 * Monospace keeps every `#rrggbb` label the same width, so layout can be computed
 * without measuring text. DejaVu Sans Mono is on most Linux systems and has glyphs
 * 0.602 em wide.
 */
export const LABEL_FONT_FAMILY = "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";

/** Proportional text (captions, legends): DejaVu Sans where fontconfig has it. */
export const CAPTION_FONT_FAMILY = 'DejaVu Sans, sans-serif';

/** Advance width of one monospace glyph, in em (DejaVu Sans Mono's; others are close). */
const MONO_ADVANCE_EM = 0.602;

/** Estimated width in pixels of `chars` characters at `fontSize` pixels. */
export function labelWidth(chars: number, fontSize: number): number {
  return chars * MONO_ADVANCE_EM * fontSize;
}

/** Escape text for an SVG text node or attribute value. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : '&quot;'));
}

/**
 * Black or white, whichever reads better on an sRGB background: black when the
 * background's CIELAB L* is at least 50. L* 50 is luminance Y ≈ 0.18, about where black
 * and white text have equal WCAG contrast against it.
 */
export function contrastColor(r: number, g: number, b: number): '#000000' | '#ffffff' {
  return lightness(r, g, b) >= 50 ? '#000000' : '#ffffff';
}

/**
 * Colours hard to tell from a white page (CIELAB L* 90 or more, as #e2e2e2): drawn with an
 * edge of EDGE_GREY, or a near-white swatch segment or timeline column was lost in the page
 * (#fefffc, 88% of chi.gif, showed as an empty bar with a label floating in it).
 */
export function nearWhite(r: number, g: number, b: number): boolean {
  return lightness(r, g, b) >= 90;
}

/** The edge drawn around near-white colours, and the timeline's axis. */
export const EDGE_GREY = 0xa0;

/** Open an SVG document of the given pixel size (one SVG user unit = one pixel at sharp's default 72 dpi). */
export function svgOpen(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`;
}

/** Round to 0.1 px: keeps SVG text short without visible effect. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}
