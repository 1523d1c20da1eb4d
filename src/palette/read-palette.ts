/**
 * A palette saved as text, read back: what `chromaseed palette` writes in each of its
 * formats (text, json, css, gpl), and the palette files people collect elsewhere (GIMP's
 * .gpl, Paint Shop Pro's .pal, Paint.NET's .txt, a list of hex codes one per line as
 * Lospec's .hex). `transfer` takes one as its
 * SOURCE, so a palette pulled from a photo once can repaint any clip later.
 *
 * Pure: text in, colours out.
 */

import { colorKey } from '../pixel-words.js';
import { ChromaseedError } from '../errors.js';
import { toHex } from './palette.js';
import { isTextHead } from '../text-sniff.js';

/** The colours of a palette file, in file order, and each one's share when the file gives every share. */
export interface PaletteFile {
  /** `size * 3` sRGB bytes. */
  readonly rgb: Uint8Array;
  readonly size: number;
  /** Each colour's share of the pixels (as written, e.g. `40.73%`), or null when the file does not give them all. */
  readonly shares: Float64Array | null;
  /** Said when some colours give a share and others do not, so that all were left out (a phrase, for a warning). */
  readonly sharesLeftOut?: string;
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
 * JASC-PAL (.pal); Paint.NET (.txt, AARRGGBB codes); otherwise colours by line, as
 * "#rrggbb" on the line (`palette`'s text and css formats, with the line's "NN.NN%" as its
 * share), CSS's "#rgb", or a bare "rrggbb" line (.hex), every other line blank, a comment,
 * a brace or the text format's header.
 */
export function parsePaletteText(text: string): PaletteFile | string {
  if (typeof text !== 'string') throw new ChromaseedError('ERR_INPUT', `parsePaletteText takes a palette file's text (a string), not ${text === null || typeof text !== 'object' ? String(text) : 'an object'}`);
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  let colours: Colour[] | string;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    colours = fromJson(trimmed);
    // No JSON, but codes in brackets ("[#f00, #0f0]", "[#ff0000] red"): read by line.
    const byLine = typeof colours === 'string' && trimmed.startsWith('[') ? fromLines(body) : null;
    if (byLine !== null && typeof byLine !== 'string' && byLine.length > 0) colours = byLine;
  } else {
    const format = headerFormat(body);
    colours = format === 'gimp' ? fromGimp(body) : format === 'jasc' ? fromJasc(body) : format === 'paint.net' ? fromPaintNet(body) : fromLines(body);
  }
  if (typeof colours === 'string') return colours;
  colours = mergeRepeats(colours);
  if (colours.length === 0) return 'no colours found (a palette file lists "#rrggbb" codes, or is a GIMP .gpl or `chromaseed palette --json` output)';
  if (colours.length > MAX_PALETTE_FILE_COLORS) return `${colours.length} colours, where a palette may have ${MAX_PALETTE_FILE_COLORS} at most`;
  const rgb = new Uint8Array(colours.length * 3);
  colours.forEach((c, i) => rgb.set(c.rgb, i * 3));
  const shared = colours.filter((c) => c.share !== null).length;
  const shares = shared === colours.length ? Float64Array.from(colours, (c) => c.share!) : null;
  // Shares are of one picture: more than the whole (a share over 100%, or shares that add up
  // to more, beyond the rounding of the 0.01% that `palette` writes) is a mistake, which
  // rescaling them would hide.
  const total = shares === null ? 0 : shares.reduce((sum, x) => sum + x, 0);
  const rounding = SHARE_ROUNDING * (shares?.length ?? 0);
  if (shares !== null && total > 1 + rounding + 1e-9) {
    // Four decimals: at two, 100.012% over the 100.01% allowed read "100.01%, more than the whole".
    return `the colours' shares add up to ${formatPercent(total)}, more than the whole picture (100%, and ${formatPercent(rounding)} for rounding); correct them, or leave them out (the colours then count alike)`;
  }
  if (shares === null && shared > 0) {
    // A colour added by hand to a saved palette: shares for some colours only say nothing of
    // the others', so none is used, and the user is told (they were left out without a word).
    const unshared = colours.find((c) => c.share === null)!.rgb;
    const hex = toHex(...unshared);
    const sharesLeftOut = `only ${shared} of its ${colours.length} colours ${shared === 1 ? 'has' : 'have'} a share (${hex} is listed without one), so the shares are left out and every colour counts alike; give each colour a share, or none`;
    return { rgb, size: colours.length, shares, sharesLeftOut };
  }
  return { rgb, size: colours.length, shares };
}

/** The palette format a text names on its first line (its header), if any. */
function headerFormat(text: string): 'gimp' | 'jasc' | 'paint.net' | null {
  const first = text.split(LINE_BREAK, 1)[0];
  if (/^GIMP Palette\s*$/.test(first)) return 'gimp';
  if (/^JASC-PAL\s*$/.test(first)) return 'jasc';
  return /^;\s*paint\.net palette file/i.test(first) ? 'paint.net' : null;
}

/**
 * One entry per colour: exports list a colour again (Coolors writes each one as a variable and
 * then in gradients), and a repeat would only take a second of k's entries, or make `-k`
 * twice the palette. A repeat's share is added to the first one's.
 */
function mergeRepeats(colours: Colour[]): Colour[] {
  const first = new Map<number, Colour>();
  const kept: Colour[] = [];
  for (const c of colours) {
    const key = colorKey(c.rgb[0], c.rgb[1], c.rgb[2]);
    const seen = first.get(key);
    if (seen === undefined) {
      const copy = { rgb: c.rgb, share: c.share };
      first.set(key, copy);
      kept.push(copy);
    } else if (seen.share !== null && c.share !== null) seen.share += c.share;
    else seen.share = null;
  }
  return kept;
}

/**
 * Whether a file's first bytes may be a palette file: text (UTF-8, or UTF-16 with its byte
 * order mark, as Windows' PowerShell writes), and none of the text image formats that
 * ffmpeg reads (ASCII PBM/PGM/PPM, XBM, XPM), which are images, not palettes. A file that
 * opens with a palette format's own header line, or with a colour code, is one whatever
 * else it holds: older GIMP
 * palettes made on Windows name their colours in Latin-1, which is no UTF-8 (such a file was
 * handed to ffmpeg, which said "Invalid data"); the names are not read.
 */
export function mayBePaletteFile(head: Uint8Array): boolean {
  if (utf16(head) !== null) return true;
  const start = new TextDecoder('latin1').decode(head.subarray(0, 64));
  // So is one that opens with a colour code (a hex list, names in Latin-1 after the codes).
  if (headerFormat(start.replace(/^\xEF\xBB\xBF/, '')) !== null || /^(?:\xEF\xBB\xBF)?\s*#(?:[0-9a-f]{6}|[0-9a-f]{3})(?![0-9a-z])/i.test(start)) return true;
  if (!isTextHead(head)) return false;
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
    const colour = jsonColour(item, i + 1);
    if (typeof colour === 'string') return colour;
    colours.push(colour);
  }
  return colours;
}

/** The `n`th colour of a JSON palette, or why it is none. */
function jsonColour(item: unknown, n: number): Colour | string {
  const none = `JSON, but colour ${n} is neither "#rrggbb", [r, g, b] nor an object with "rgb" or "hex"`;
  if (typeof item === 'string') return hexColour(item, null) ?? none;
  if (isTriple(item)) return { rgb: item, share: null };
  if (!isObject(item)) return none;
  const { proportion } = item;
  // A share that is there but no share at all (-0.5, "abc") made every colour's share equal, without a word.
  if (proportion !== undefined && proportion !== null && !(typeof proportion === 'number' && Number.isFinite(proportion) && proportion >= 0)) {
    return `JSON, but colour ${n}'s "proportion" is ${JSON.stringify(proportion)}, not a number of at least 0`;
  }
  const share = (proportion as number | null | undefined) ?? null;
  const { rgb, hex } = item;
  if (rgb === undefined && hex === undefined) return none;
  // Each one given must be a colour, and the same colour: `palette --json` writes both, and
  // a user who edited one of them (the hex, say) had the other taken without a word.
  if (rgb !== undefined && !isTriple(rgb)) return `JSON, but colour ${n}'s "rgb" is ${JSON.stringify(rgb)}, not [r, g, b] of whole numbers from 0 to 255`;
  const fromHex = hex === undefined ? null : typeof hex === 'string' ? hexColour(hex, share) : null;
  if (hex !== undefined && fromHex === null) return `JSON, but colour ${n}'s "hex" is ${JSON.stringify(hex)}, not "#rrggbb"`;
  if (rgb !== undefined && fromHex !== null && !sameRgb(rgb, fromHex.rgb)) {
    return `JSON, but colour ${n}'s "hex" ${hex as string} and "rgb" [${rgb.join(', ')}] are different colours; correct one of them, or give one only`;
  }
  return fromHex ?? { rgb: rgb as [number, number, number], share };
}

/**
 * GIMP Palette: "R G B name" lines; or "R G B A name" after a "Channels: RGBA" line, as
 * Aseprite writes a palette with alpha: an opaque entry is a colour, a clear one (its
 * transparent slot) no colour, and one partly clear is refused (an alpha channel is not taken).
 */
function fromGimp(text: string): Colour[] | string {
  const colours: Colour[] = [];
  const lines = text.split(LINE_BREAK).slice(1);
  let alpha = false;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^(Name|Columns):/i.test(line)) continue;
    const channels = /^Channels:\s*(RGBA?)$/i.exec(line);
    if (channels !== null) {
      alpha = channels[1].length === 4;
      continue;
    }
    const parsed = rgbLine(line, alpha ? 'gimpAlpha' : 'gimp');
    if (parsed === null) return `a GIMP palette, but line ${i + 2} is not "${alpha ? 'R G B A' : 'R G B'} name" with values 0 to 255: ${JSON.stringify(raw.slice(0, 60))}`;
    const { rgb, name, a } = parsed;
    if (a === 0) continue;
    if (a !== 255) return `line ${i + 2} has a colour with alpha ${a} (an alpha channel is not taken)`;
    // Only chromaseed's own names ("#2c2c26 40.73%") carry a share: a name such as "Grey 50%" does not.
    const own = /^#[0-9a-f]{6}\s+(\d+(?:\.\d+)?)%$/i.exec(name);
    colours.push({ rgb, share: own === null ? null : Number(own[1]) / 100 });
  }
  return colours;
}

/** Colour lines of values: JASC's "R G B", GIMP's "R G B name" and, with alpha, "R G B A name". */
const VALUE_LINES = {
  jasc: /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})()$/,
  gimp: /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})()(?:\s+(.*))?$/,
  gimpAlpha: /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})(?:\s+(.*))?$/,
} as const;

/** A colour line of `kind` with values 0 to 255 (alpha 255 where the kind has none), or null. */
function rgbLine(line: string, kind: keyof typeof VALUE_LINES): { rgb: [number, number, number]; a: number; name: string } | null {
  const m = VALUE_LINES[kind].exec(line);
  if (m === null) return null;
  const [r, g, b, a] = [m[1], m[2], m[3], m[4] === '' ? '255' : m[4]].map(Number);
  return [r, g, b, a].some((v) => v > 255) ? null : { rgb: [r, g, b], a, name: m[5] ?? '' };
}

/**
 * Paint Shop Pro's palette (`.pal`, as Lospec offers it): `JASC-PAL`, a version line, the
 * number of colours, then one "R G B" line per colour.
 */
function fromJasc(text: string): Colour[] | string {
  const lines = text.split(LINE_BREAK).map((l) => l.trim());
  const count = /^\d+$/.test(lines[2] ?? '') ? Number(lines[2]) : NaN;
  if (!/^\d{4}$/.test(lines[1] ?? '') || !Number.isFinite(count)) return 'a JASC palette, but not its version and colour count on lines 2 and 3';
  const colours: Colour[] = [];
  for (let i = 3; i < lines.length; i++) {
    if (lines[i] === '') continue;
    // The count is the file's word: a line past it is a mistake, not a colour to drop or take.
    if (colours.length === count) return `a JASC palette of ${count} colours, but more follow (line ${i + 1})`;
    const parsed = rgbLine(lines[i], 'jasc');
    if (parsed === null) return `a JASC palette, but line ${i + 1} is not "R G B" with values 0 to 255: ${JSON.stringify(lines[i].slice(0, 60))}`;
    colours.push({ rgb: parsed.rgb, share: null });
  }
  if (colours.length < count) return `a JASC palette of ${count} colours, but only ${colours.length} follow`;
  return colours;
}

/** Paint.NET's palette (`.txt`): `;` comment lines, then one AARRGGBB code per line, alpha first. */
function fromPaintNet(text: string): Colour[] | string {
  const colours: Colour[] = [];
  for (const [i, raw] of text.split(LINE_BREAK).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    const m = /^([0-9a-f]{2})([0-9a-f]{6})$/i.exec(line);
    if (m === null) return `a Paint.NET palette, but line ${i + 1} is not an AARRGGBB code: ${JSON.stringify(raw.slice(0, 60))}`;
    if (m[1].toLowerCase() !== 'ff') return `line ${i + 1} has ${line}, a colour with alpha ${m[1]} (an alpha channel is not taken)`;
    colours.push(hexColour(m[2], null)!);
  }
  return colours;
}

/**
 * Colours by line: one, or several (`#ff0000 #00ff00`, `color: #f00; background: #0f0`).
 * Comments hold no colour, however much they look like one: a line that starts one (`#`
 * that starts no code, `//`, `;`, `/*` up to its `*\/`, on this line or a later one), and
 * the rest of a line after ` //`, ` # ` or `/*` (`--old: #ff0000;` commented out stays out).
 * A code right after a word is part of a name (`#ff0000 Swatch #101`). A share is read from
 * the whole line, comment included (`palette --format css` writes it as one), when the line
 * has one colour.
 */
function fromLines(text: string): Colour[] | string {
  const colours: Colour[] = [];
  let openedAt = -1; // the line whose /* is not closed yet
  let functional: number | undefined; // the first line of a colour in rgb() or hsl()
  for (const [i, raw] of text.split(LINE_BREAK).entries()) {
    let line = raw.trim();
    if (openedAt >= 0) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      openedAt = -1;
      line = line.slice(end + 2).trim();
    }
    // Closed block comments out; then whichever comes first of a line comment (to the end of
    // the line) and a block comment left open (to a later line).
    // Openers count at the start of the line or after a space (or, for /*, a ; { or }), so
    // that a path's "assets/*.png" or a URL's "//" opens nothing.
    let code = line.replace(/(^|[\s;{}])\/\*.*?\*\//g, '$1 ').trim();
    // A code mistyped (#ff00gg) is said, not taken for a comment and dropped: a "#" word of
    // 6 or 8 letters and digits, a digit among them and at most two of them no hex digit
    // (a note such as "#8bit" or "#pico8 palette" stays a comment).
    const startsWithCode = CODE.exec(code)?.index === 0;
    const mistyped = startsWithCode ? null : /^#([0-9a-z]{6}|[0-9a-z]{8})(?=\s|$|[;,])/i.exec(code);
    if (mistyped !== null && /\d/.test(mistyped[1]) && mistyped[1].replace(/[0-9a-f]/gi, '').length <= 2) return `line ${i + 1} has #${mistyped[1]}, which is not #rrggbb`;
    // A code cut short to two digits, alone on its line (#ff), is a colour lost, not a comment;
    // digits alone (#1, #12) number a section.
    const cut = startsWithCode ? null : /^#((?=[0-9]?[a-f])[0-9a-f]{2})(?:\s+\S*%)?$/i.exec(code);
    if (cut !== null) return `line ${i + 1} has #${cut[1]}, which is not #rrggbb`;
    if (/^(\/\/|;)/.test(code) || (code.startsWith('#') && !startsWithCode)) code = '';
    const comment = /(?:^|\s)(?:\/\/|#(?=\s|$))|(?:^|[\s;{}])\/\*/.exec(code);
    if (comment !== null) {
      if (comment[0].endsWith('/*')) openedAt = i;
      code = code.slice(0, comment.index).trim();
    }
    const found: string[] = [];
    let digits = '';
    let end = 0;
    for (const m of code.matchAll(CODES)) {
      const hash = m.index + m[0].indexOf('#');
      // A code right after a word is part of a name ("Swatch #101"); after another code, a
      // colon, a comma, a bracket, a bar or a dash it is one more colour.
      if (found.length > 0 && /\w\s*$/.test(code.slice(end, hash))) continue;
      end = m.index + m[0].length;
      const hex = opaqueHex(m[1]);
      if (hex === null) return `line ${i + 1} has #${m[1]}, which is not #rrggbb${m[1].length === 4 || m[1].length === 8 ? ' (an alpha channel is not taken)' : ''}`;
      found.push(hex);
      digits = m[1];
    }
    const bare = found.length === 0 ? /^(?:0x)?([0-9a-f]{6})$/i.exec(code) : null;
    if (bare !== null) found.push(bare[1]);
    // A code mistyped beside an rgb() (`palette`'s text format: "2  #zzzzzz  rgb(0, 0, 255)")
    // made the line one of those passed over below, and the colour was gone without a word.
    if (found.length === 0 && FUNCTIONAL.test(code)) {
      const broken = BROKEN_CODE.exec(code);
      if (broken !== null) return `line ${i + 1} has #${broken[1]}, which is not #rrggbb`;
      functional ??= i;
      continue;
    }
    if (found.length === 0 && code !== '' && !STRUCTURE.test(code)) return `line ${i + 1} is neither a colour nor a comment: ${JSON.stringify(raw.slice(0, 60))}`;
    const rest = found.length === 1 && digits !== '' ? line.slice(line.toLowerCase().indexOf(`#${digits.toLowerCase()}`) + 1 + digits.length) : null;
    const share = rest === null ? null : shareAfter(rest);
    // A share written wrong (-10%, NaN%, 1e2%) would leave every share out, as if missing.
    const badShare = share === null && rest !== null ? SHARE_LIKE.exec(rest) : null;
    if (badShare !== null) return `line ${i + 1} gives #${digits} the share ${badShare[1]}%, which is not one: a share is a percentage from 0 to 100, such as 40.73%`;
    for (const hex of found) colours.push(hexColour(hex, share)!);
    // `palette`'s text format gives each colour twice, "#343529  rgb( 52,  53,  41)": one edited, the other was read as it was.
    const stated = rest === null ? null : /^\s*rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)/i.exec(rest);
    if (stated !== null && !sameRgb([Number(stated[1]), Number(stated[2]), Number(stated[3])], colours[colours.length - 1].rgb)) {
      return `line ${i + 1} has #${digits} and ${stated[0].trim()}, which are different colours; correct one of them, or give the code only`;
    }
  }
  // Everything after it would be left out without a word.
  if (openedAt >= 0) return `line ${openedAt + 1} opens a /* comment that is never closed`;
  if (colours.length === 0 && functional !== undefined) return `line ${functional + 1} gives its colour as rgb() or hsl(), which is not read: list the colours as #rrggbb`;
  return colours;
}

/**
 * A colour in CSS's functional notation (rgb(), hsl()), on a line without a code: Coolors'
 * SCSS export gives each colour as a code, then again as hsla() and rgba() (rounded, so not
 * always the same colour). Those lines are passed over; a file of no codes at all is refused.
 */
const FUNCTIONAL = /(?:^|[\s:])(?:rgba?|hsla?)\(/i;

/**
 * A colour code: "#" and 3 or 6 hex digits at the start of the line or after a space,
 * colon, semicolon, comma, bracket or bar (a name may follow it: "#f80 orange"); 4, 5, 7 or 8 digits are
 * found so that they can be refused. Square brackets too: "[#f00, #0f0]" lost its first colour.
 */
const CODES = /(?:^|[\s:,;([|])#([0-9a-f]{3,8})(?![0-9a-z])/gi;
const CODE = new RegExp(CODES.source, 'i');
/** Where CODES looks, a "#" word of 3 to 8 letters and digits that is no code. */
const BROKEN_CODE = /(?:^|[\s:,;([|])#([0-9a-z]{3,8})(?![0-9a-z])/i;

/**
 * A code's digits as rrggbb: CSS's #f80 is #ff8800, and an alpha that is fully opaque
 * (#rrggbbff, #rgbf, as Coolors' SCSS export writes) is no alpha. Null for any other.
 */
function opaqueHex(digits: string): string | null {
  let rgb = digits;
  if (digits.length === 8 && /ff$/i.test(digits)) rgb = digits.slice(0, 6);
  else if (digits.length === 4 && /f$/i.test(digits)) rgb = digits.slice(0, 3);
  if (rgb.length === 3) return rgb.replace(/./g, '$&$&');
  return rgb.length === 6 ? rgb : null;
}

/**
 * Lines, with their comments taken out, that hold no colour and are no mistake: CSS braces,
 * the header of `palette`'s text format, and a line of a block comment's `*` column outside
 * one (a `*` line with a code is a list item: `* #ff0000`).
 */
const STRUCTURE = /^[^#]*\{$|^\}$|^k=\d+ inertia=|^\*/;

/**
 * The share `palette` writes after a colour's code, as 0.4879: its text format's
 * "#343529  rgb( 52,  53,  41)   48.79%" and its css format's "#343529; /* 48.79% *\/".
 * Null for anything else after the code: the "50%" of a name such as "Grey 50%" or of
 * "opacity 50%" is no share (read as one, it turned a picture's darks light).
 */
function shareAfter(rest: string): number | null {
  const m = SHARE.exec(rest);
  return m ? Number(m[1]) / 100 : null;
}

/**
 * What may follow a colour's code for a share to be read: the text format's rgb() and the css
 * format's `;` and comment around `number%`, the number as `number` (a regular expression's
 * source) matches it.
 */
const shareWith = (number: string): RegExp => new RegExp(String.raw`^\s*(?:rgb\(\s*\d+,\s*\d+,\s*\d+\)\s*)?;?\s*(?:\/\*\s*)?(${number})\s*%\s*(?:\*\/)?\s*$`, 'i');
const SHARE = shareWith(String.raw`\d+(?:\.\d+)?|\.\d+`);

/**
 * Where shareAfter finds a share, a number it does not read (-10, 1e2, 50,5, NaN): a share
 * written wrong. A word is no share ("Grey-50%", "K100%", "opacity:50%" name or describe the colour).
 */
const SHARE_LIKE = shareWith(String.raw`[-+]?(?:\d|\.\d)[\d.,e+-]*|[-+]?NaN|[-+]?Infinity`);

function hexColour(text: string, share: number | null): Colour | null {
  const m = /^#?([0-9a-f]{3,8})$/i.exec(text.trim());
  const hex = m === null ? null : opaqueHex(m[1]);
  if (hex === null) return null;
  const v = parseInt(hex, 16);
  return { rgb: [(v >> 16) & 255, (v >> 8) & 255, v & 255], share };
}

/** How far a share `palette` writes (as 40.73%) may be from the exact one. */
const SHARE_ROUNDING = 0.00005;

function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(4))}%`;
}

function sameRgb(a: readonly number[], b: readonly number[]): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTriple(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255);
}
