import { describe, expect, it } from 'vitest';
import type { PngHeader } from '../../src/decode/apng-structure.js';
import { decodePngPixels, pngDataLength } from '../../src/decode/png-pixels.js';
import { createRng } from '../../src/kmeans/random.js';

/**
 * One scanline filtered as the PNG specification defines the five filter types, from its raw
 * bytes `row` and the raw line above (null for the first): the filter type byte, then each
 * byte less its predictor, modulo 256.
 */
function filterRow(type: number, row: number[], above: number[] | null, bpp: number): number[] {
  const out = [type];
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = above !== null ? above[i] : 0;
    const c = above !== null && i >= bpp ? above[i - bpp] : 0;
    let predictor = 0;
    if (type === 1) predictor = a;
    else if (type === 2) predictor = b;
    else if (type === 3) predictor = Math.floor((a + b) / 2);
    else if (type === 4) {
      // Paeth: the one of a, b, c nearest a + b - c, ties in that order.
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out.push((row[i] - predictor) & 255);
  }
  return out;
}

describe('decodePngPixels', () => {
  it('undoes every filter type as the PNG specification defines it: the average with the pixel to the left from the second pixel on, and Paeth ties in the order a, b, c', () => {
    const width = 7;
    const height = 40;
    const bpp = 3;
    const rng = createRng(5);
    // Four levels only, so that the Paeth predictor's distances tie often (a = 0, b = 120, c = 60).
    const raw = Array.from({ length: height }, () => Array.from({ length: width * bpp }, () => Math.floor(rng() * 4) * 60));
    const data = Uint8Array.from(raw.flatMap((row, y) => filterRow(y % 5, row, y > 0 ? raw[y - 1] : null, bpp)));
    const header: PngHeader = { width, height, bitDepth: 8, colourType: 2, interlaced: false, palette: new Uint8Array(0), transparency: null };
    expect(data.length).toBe(pngDataLength(header, width, height));
    const rgba = new Uint8Array(width * height * 4);
    decodePngPixels(data, header, width, height, rgba);
    const expected = raw.flatMap((row) => Array.from({ length: width }, (_, x) => [row[x * 3], row[x * 3 + 1], row[x * 3 + 2], 255]).flat());
    expect([...rgba]).toEqual(expected);
  });
});
