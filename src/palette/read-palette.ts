/**
 * A palette saved as text, read back: what `chromaseed palette` writes in each of its
 * formats (text, json, css, gpl), and the palette files people collect elsewhere (GIMP's
 * .gpl, a list of hex codes one per line as Lospec's .hex). `transfer` takes one as its
 * SOURCE, so a palette pulled from a photo once can repaint any clip later.
 *
 * Pure: text in, colours out.
 */

import { isTextHead } from '../text-sniff.js';

/** The colours of a palette file, in file order, and each one's share when the file gives every share. */
export interface PaletteFile {
  /** `size * 3` sRGB bytes. */
  readonly rgb: Uint8Array;
  readonly size: number;
  /** Each colour's share of the pixels (as written, e.g. `40.73%`), or null when the file does not give them all. */
  readonly shares: Float64Array | null;
}

/** More colours than a GIF frame (and k) can hold is not a palette this tool can use. */
const MAX_PALETTE_FILE_COLORS = 256;

/** A palette file is text of a few kilobytes; a text far larger is none (nor any input chromaseed reads). */
export const MAX_PALETTE_FILE_BYTES = 1 << 20;

/** Line breaks of every system, old Macs' lone CR included. */
const LINE_BREAK = /\r\n|\r|\n/;

interface Colour {
  rgb: [number, number, number];
  share: number | null;
}

/**
 * Reads `text` as a palette file, or returns why it is not one (a phrase for a message).
 * Recognised, in this order: JSON (`palette --json`'s object, or an array of "#rrggbb"
 * strings or [r, g, b] triples); GIMP Palette (its header line, then "R G B name" lines);
 * otherwise one colour per line, as "#rrggbb" anywhere on the line (`palette`'s text and css
 * formats, with the line's "NN.NN%" as its share), CSS's "#rgb", or a bare "rrggbb" line
 * (.hex), every other line blank, a comment, a brace or the text format's header.
 */
export function parsePaletteText(text: string): PaletteFile | string {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  let colours: Colour[] | string;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) colours = fromJson(trimmed);
  else if (/^GIMP Palette\s*$/.test(body.split(LINE_BREAK, 1)[0])) colours = fromGimp(body);
  else colours = fromLines(body);
  if (typeof colours === 'string') return colours;
  if (colours.length === 0) return 'no colours found (a palette file lists "#rrggbb" codes, or is a GIMP .gpl or `chromaseed palette --json` output)';
  if (colours.length > MAX_PALETTE_FILE_COLORS) return `${colours.length} colours, where a palette may have ${MAX_PALETTE_FILE_COLORS} at most`;
  const rgb = new Uint8Array(colours.length * 3);
  colours.forEach((c, i) => rgb.set(c.rgb, i * 3));
  const shares = colours.every((c) => c.share !== null) ? Float64Array.from(colours, (c) => c.share!) : null;
  return { rgb, size: colours.length, shares };
}

/**
 * Whether a file's first bytes may be a palette file: text (UTF-8, or UTF-16 with its byte
 * order mark, as Windows' PowerShell writes), and none of the text image formats that
 * ffmpeg reads (ASCII PBM/PGM/PPM, XBM, XPM), which are images, not palettes.
 */
export function mayBePaletteFile(head: Uint8Array): boolean {
  if (utf16(head) !== null) return true;
  if (!isTextHead(head)) return false;
  const start = new TextDecoder('latin1').decode(head.subarray(0, 64));
  return !/^(P[123]\s|#define\s|\/\* XPM \*\/)/.test(start);
}

/** parsePaletteText of a file's bytes: UTF-16 when they start with its byte order mark, UTF-8 otherwise. */
export function parsePaletteBytes(bytes: Uint8Array): PaletteFile | string {
  return parsePaletteText(new TextDecoder(utf16(bytes) ?? 'utf-8').decode(bytes));
}

function utf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

function fromJson(text: string): Colour[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  const list = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.colors) ? value.colors : null;
  if (list === null) return 'JSON, but neither an array of colours nor an object with a "colors" array';
  const colours: Colour[] = [];
  for (const [i, item] of list.entries()) {
    const colour = jsonColour(item);
    if (colour === null) return `JSON, but colour ${i + 1} is neither "#rrggbb", [r, g, b] nor an object with "rgb" or "hex"`;
    colours.push(colour);
  }
  return colours;
}

function jsonColour(item: unknown): Colour | null {
  if (typeof item === 'string') return hexColour(item, null);
  if (isTriple(item)) return { rgb: item, share: null };
  if (!isObject(item)) return null;
  const share = typeof item.proportion === 'number' && Number.isFinite(item.proportion) && item.proportion >= 0 ? item.proportion : null;
  if (isTriple(item.rgb)) return { rgb: item.rgb, share };
  return typeof item.hex === 'string' ? hexColour(item.hex, share) : null;
}

function fromGimp(text: string): Colour[] | string {
  const colours: Colour[] = [];
  const lines = text.split(LINE_BREAK).slice(1);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^(Name|Columns):/i.test(line)) continue;
    const m = /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})(?:\s+(.*))?$/.exec(line);
    const rgb = m ? ([Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number]) : null;
    if (rgb === null || rgb.some((v) => v > 255)) return `a GIMP palette, but line ${i + 2} is not "R G B name" with values 0 to 255: ${JSON.stringify(raw.slice(0, 60))}`;
    // Only chromaseed's own names ("#2c2c26 40.73%") carry a share: a name such as "Grey 50%" does not.
    const own = /^#[0-9a-f]{6}\s+(\d+(?:\.\d+)?)%$/i.exec(m![4] ?? '');
    colours.push({ rgb, share: own === null ? null : Number(own[1]) / 100 });
  }
  return colours;
}

function fromLines(text: string): Colour[] | string {
  const colours: Colour[] = [];
  for (const [i, raw] of text.split(LINE_BREAK).entries()) {
    const line = raw.trim();
    // A code is "#" and 3 or 6 hex digits at the start of the line or after a space, colon,
    // comma or bracket (a name may follow it: "#f80 orange"); 4, 5, 7 or 8 digits are refused.
    const hash = /(?:^|[\s:,(])#([0-9a-f]{3,8})(?![0-9a-z])/i.exec(line);
    const bare = hash === null ? /^(?:0x)?([0-9a-f]{6})$/i.exec(line) : null;
    let hex = hash?.[1] ?? bare?.[1];
    if (hex?.length === 3) hex = hex.replace(/./g, '$&$&'); // CSS's #f80 is #ff8800
    if (hex !== undefined && hex.length !== 6) return `line ${i + 1} has #${hex}, which is not #rrggbb (an alpha channel is not taken)`;
    if (hex !== undefined) colours.push(hexColour(hex, shareIn(line))!);
    else if (!STRUCTURE.test(line)) return `line ${i + 1} is neither a colour nor a comment: ${JSON.stringify(raw.slice(0, 60))}`;
  }
  return colours;
}

/**
 * Lines of a palette file that hold no colour: blank lines, comments (# that starts no colour
 * code, //, ;, /* *\/), braces (CSS), and the header of `palette`'s text format. Any other line means the text is something else (a subtitle file that happens to
 * name a colour).
 */
const STRUCTURE = /^$|^(#|\/\/|;|\/\*|\*)|^[^#]*\{$|^\}$|^k=\d+ inertia=/;

/** "40.73%" on a line as 0.4073; null when the line has no percentage. */
function shareIn(text: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*%/.exec(text);
  return m ? Number(m[1]) / 100 : null;
}

function hexColour(text: string, share: number | null): Colour | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(text.trim());
  if (m === null) return null;
  const v = parseInt(m[1], 16);
  return { rgb: [(v >> 16) & 255, (v >> 8) & 255, v & 255], share };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTriple(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255);
}
