/**
 * Byte buffers read as 32-bit words, so that loops over RGBA pixels load one word per pixel
 * and loops over palette indices can skip identical runs four at a time.
 *
 * An RGBA pixel read as a word has alpha in its top byte on little-endian machines (all
 * common ones) and in its bottom byte on big-endian ones; the constants below hide which.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The alpha bits of a pixel word: `(word & ALPHA_MASK) === 0` for a transparent pixel. */
export const ALPHA_MASK = LITTLE_ENDIAN ? 0xff000000 : 0xff;

/** The colour bits of a pixel word: `((a ^ b) & COLOR_MASK) === 0` when two pixels share a colour. */
export const COLOR_MASK = LITTLE_ENDIAN ? 0x00ffffff : 0xffffff00;

/** Whether two pixel words are both opaque and of one colour (their alphas may differ): a pixel certainly unchanged. */
export function sameOpaqueColour(a: number, b: number): boolean {
  return (a & ALPHA_MASK) !== 0 && (b & ALPHA_MASK) !== 0 && ((a ^ b) & COLOR_MASK) === 0;
}

/** Shift that brings a pixel word's alpha byte to the bottom: `(word >>> ALPHA_SHIFT) & 0xff` is its alpha. */
export const ALPHA_SHIFT = LITTLE_ENDIAN ? 24 : 0;

/** Shift that brings a pixel word's three colour bytes to the bottom, in some fixed order. */
export const COLOR_SHIFT = LITTLE_ENDIAN ? 0 : 8;

/** `(word >>> COLOR_SHIFT) & 0xffffff` for a pixel of colour (r, g, b). */
export function colorKey(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN ? r | (g << 8) | (b << 16) : (r << 16) | (g << 8) | b;
}

/**
 * `bytes` as 32-bit words (`bytes.length >>> 2` of them). A view when the bytes are
 * 4-aligned (every frame this package makes), else a copy (made by the constructor: a
 * Buffer's `slice` is a view, and a Buffer at an odd offset failed with a RangeError).
 */
export function wordsOf(bytes: Uint8Array): Uint32Array {
  const aligned = (bytes.byteOffset & 3) === 0 ? bytes : new Uint8Array(bytes);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, bytes.length >>> 2);
}

/**
 * Makes every pixel fully opaque or fully transparent, in place, cut at half (alpha 128):
 * what a GIF can show, and what ffmpeg's paletteuse does by default. A pixel drawn at 1%
 * is neither clustered nor drawn, one drawn at 60% is drawn whole. Transparent pixels
 * become all zeros, as the GIF decoder leaves them.
 */
export function binaryAlpha(rgba: Uint8Array): void {
  if ((rgba.byteOffset & 3) !== 0) {
    // Not word-aligned (a Buffer from a shared pool): byte by byte, in place.
    for (let a = 3; a < rgba.length; a += 4) {
      if (rgba[a] === 255) continue;
      if (rgba[a] >= 128) rgba[a] = 255;
      else rgba[a - 3] = rgba[a - 2] = rgba[a - 1] = rgba[a] = 0;
    }
    return;
  }
  // A word a pixel: clearing one was a fill() call per transparent pixel, 23 ns each (6.5 s
  // of an animated PNG of 31 mostly clear 3000x3000 frames).
  const words = wordsOf(rgba); // a view, on an aligned buffer
  for (let p = 0; p < words.length; p++) {
    const w = words[p];
    const alpha = (w >>> ALPHA_SHIFT) & 0xff;
    if (alpha === 255) continue;
    words[p] = alpha >= 128 ? w | alphaMask : 0;
  }
}

// Module constants, so the loop above sees them as such.
const alphaMask = ALPHA_MASK;

/** Whether the first `size` colours (RGB byte triples) of two palettes are the same bytes. */
export function sameColors(a: Uint8Array, b: Uint8Array, size: number): boolean {
  for (let i = 0; i < size * 3; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first of the first `n` bytes where `a` and `b` differ, or `n` where none does; compared four at a time. */
export function firstDifference(a: Uint8Array, b: Uint8Array, n: number): number {
  const x = wordsOf(a.subarray(0, n));
  const y = wordsOf(b.subarray(0, n));
  let w = 0;
  while (w < x.length && x[w] === y[w]) w++;
  let p = w * 4;
  while (p < n && a[p] === b[p]) p++;
  return p;
}

/** One past the last of the first `n` bytes where `a` and `b` differ, or 0 where none does; compared four at a time. */
export function lastDifference(a: Uint8Array, b: Uint8Array, n: number): number {
  // The bytes after the last whole word first, then whole words, then bytes of the word that differs.
  const whole = n - (n & 3);
  let p = n;
  while (p > whole && a[p - 1] === b[p - 1]) p--;
  if (p > whole) return p;
  const x = wordsOf(a.subarray(0, n));
  const y = wordsOf(b.subarray(0, n));
  let w = x.length;
  while (w > 0 && x[w - 1] === y[w - 1]) w--;
  p = w * 4;
  while (p > 0 && a[p - 1] === b[p - 1]) p--;
  return p;
}
