import path from 'node:path';

/** `%d` or `%0Nd` (as ffmpeg's image2 muxer and printf write them) in a file name. */
const FRAME_NUMBER = /%(0\d+)?d/;

/** True for a name with a frame number pattern in its last part (`f-%04d.jpg`), of any extension. */
export function hasFrameNumber(file: string): boolean {
  return FRAME_NUMBER.test(path.basename(file));
}

/** True for a `.png` name with a frame number pattern: one file per frame. */
export function isPngSequencePattern(file: string): boolean {
  return path.extname(file).toLowerCase() === '.png' && hasFrameNumber(file);
}

/**
 * Why `file` is not a usable output name because of a frame number in it, or null: frame numbers
 * are for PNG sequences, and a sequence's name holds exactly one `%d` or `%0Nd` and no other
 * `%` (not `%%d`, not two numbers), so every frame gets its own, predictable name.
 */
export function framePatternProblem(file: string): string | null {
  const base = path.basename(file);
  // In a PNG name, printf's other integer forms with a width or precision (%5d, %03i, %.3d,
  // %-4u, %ld) look like a frame number but are not ours: taken as plain characters, a still
  // was written under that very name. A % with no digits after it stays a character:
  // "50% done.png", "10%-done.png" and "90%ile.png" are names.
  const lookalike = path.extname(file).toLowerCase() === '.png' ? /%[-+# 0]*\d+(?:\.\d+)?[diu]|%[-+# 0]*\.\d+[diu]|%l{1,2}[diu]/.exec(base.replace(FRAME_NUMBER, '')) : null;
  if (lookalike !== null) return `${lookalike[0]} is no frame number chromaseed writes; number frames with %d or %0Nd (%04d: 0001, 0002, ...)`;
  if (!FRAME_NUMBER.test(base)) return null; // any other % is just a character of the name
  if (path.extname(file).toLowerCase() !== '.png') return 'numbered frames (%d) are written as PNG; give a .png name';
  if (base.replace(FRAME_NUMBER, '').includes('%')) return 'a frame name holds one %d (or %04d) and no other %';
  return null;
}

/** The file name for frame `n` (numbering starts at 1, like ffmpeg's image2 output). */
export function frameFileName(pattern: string, n: number): string {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern).replace(FRAME_NUMBER, (_m, pad: string | undefined) => String(n).padStart(pad ? Number(pad) : 0, '0'));
  return path.join(dir, base);
}

/** Whether `file` is one of the names `pattern` gives its frames (false when `pattern` has no `%d`). */
export function isFrameOf(pattern: string, file: string): boolean {
  return path.dirname(path.resolve(pattern)) === path.dirname(path.resolve(file)) && frameNumberOf(pattern, path.basename(file)) !== null;
}

/** The number of the frame `pattern` names `base` (a name in its directory), or null when it names no frame so. */
export function frameNumberOf(pattern: string, base: string): number | null {
  const name = path.basename(pattern);
  const match = FRAME_NUMBER.exec(name);
  if (match === null) return null;
  const before = name.slice(0, match.index);
  const after = name.slice(match.index + match[0].length);
  if (!base.startsWith(before) || !base.endsWith(after)) return null;
  const digits = base.slice(before.length, base.length - after.length);
  // Rebuilding the name checks the padding: f-%04d.png gives f-0007.png, never f-7.png.
  return /^\d+$/.test(digits) && Number(digits) >= 1 && frameFileName(name, Number(digits)) === base ? Number(digits) : null;
}
