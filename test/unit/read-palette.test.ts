import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { formatPalette, PALETTE_FORMATS } from '../../src/palette/format.js';
import { paletteFromKMeans, type Palette } from '../../src/palette/palette.js';
import { isTextHead, parsePaletteText, type PaletteFile } from '../../src/palette/read-palette.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let palette: Palette;
beforeAll(async () => {
  const img = await loadStill(path.join(repoRoot, 'samples/hibiscus.jpg'));
  palette = paletteFromKMeans(kmeansPixels(img.data, { k: 12, seed: 2 }));
});

function parsed(text: string): PaletteFile {
  const result = parsePaletteText(text);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

describe('parsePaletteText', () => {
  it("reads back every format `palette` writes: the same colours, in order, with their shares", () => {
    const rgb = palette.colors.flatMap((c) => [...c.rgb]);
    for (const format of PALETTE_FORMATS) {
      const file = parsed(formatPalette(palette, format));
      expect([format, [...file.rgb]]).toEqual([format, rgb]);
      // text, css and gpl print shares to 0.01%; json gives them exactly.
      palette.colors.forEach((c, i) => expect(Math.abs(file.shares![i] - c.proportion)).toBeLessThanOrEqual(format === 'json' ? 0 : 0.00005));
    }
  });

  it('reads GIMP palettes, hex lists and JSON arrays of others, without shares', () => {
    const gimp = parsed('GIMP Palette\r\nName: Sunset\r\nColumns: 2\r\n# made by hand\r\n255   0  0\tRed\r\n  0 128 255  Sky blue\r\n\r\n');
    expect([[...gimp.rgb], gimp.shares]).toEqual([[255, 0, 0, 0, 128, 255], null]);
    // Lospec's .hex: bare codes, one per line.
    expect([...parsed('ff0000\n00FF00\n0x0000ff\n').rgb]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    expect([...parsed('["#102030", [1, 2, 3]]').rgb]).toEqual([16, 32, 48, 1, 2, 3]);
    expect([...parsed('{"colors": [{"hex": "#ffffff"}, {"rgb": [0, 0, 0], "proportion": 0.5}]}').rgb]).toEqual([255, 255, 255, 0, 0, 0]);
    // Shares only when every colour has one.
    expect(parsed('#000000 25%\n#ffffff\n').shares).toBeNull();
    expect([...parsed('\uFEFF#000000 25%\n#ffffff 75%\n').shares!]).toEqual([0.25, 0.75]);
  });

  it('leaves out lines without a colour, and words that only look like one', () => {
    // A seven-digit run, a code run into a word, lines with no code; the colour mid-line of CSS counts.
    const file = parsed('/* header */\n:root {\n  --a: #abcdef; /* 10% */\n  --b: #1234567;\n  border: none;\n  --c: #00ff00zz;\n}\n');
    expect([...file.rgb]).toEqual([0xab, 0xcd, 0xef]);
  });

  it('says why a text is not a palette', () => {
    expect(parsePaletteText('hello world\n')).toMatch(/^no colours found/);
    expect(parsePaletteText('{"colors": 3}')).toBe('JSON, but neither an array of colours nor an object with a "colors" array');
    expect(parsePaletteText('[ "#12345" ]')).toMatch(/^JSON, but colour 1 is neither/);
    expect(parsePaletteText('{"colors": [')).toMatch(/^not valid JSON/);
    expect(parsePaletteText('GIMP Palette\n1 2 256 x\n')).toBe('a GIMP palette, but line 2 is not "R G B name" with values 0 to 255: "1 2 256 x"');
    expect(parsePaletteText(Array.from({ length: 257 }, (_, i) => `#${i.toString(16).padStart(6, '0')}`).join('\n'))).toBe('257 colours, where a palette may have 256 at most');
  });
});

describe('isTextHead', () => {
  it('tells text from binary, allowing a character cut at the end', () => {
    const utf8 = new TextEncoder().encode('Palette « été » 40%\n');
    expect(isTextHead(utf8)).toBe(true);
    expect(isTextHead(utf8.subarray(0, utf8.indexOf(0xa9)))).toBe(true); // é cut after its first byte
    expect(isTextHead(new Uint8Array([0x47, 0x49, 0x46, 0]))).toBe(false);
    expect(isTextHead(new Uint8Array([0xff, 0xfe, 0x41]))).toBe(false);
    expect(isTextHead(new Uint8Array([0x41, 0x1b, 0x41]))).toBe(false);
    expect(isTextHead(new Uint8Array(0))).toBe(false);
  });
});
