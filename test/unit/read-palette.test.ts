import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStill } from '../../src/io/still.js';
import { kmeansPixels } from '../../src/kmeans/kmeans.js';
import { formatPalette, PALETTE_FORMATS } from '../../src/palette/format.js';
import { paletteFromKMeans, type Palette } from '../../src/palette/palette.js';
import { isTextHead } from '../../src/text-sniff.js';
import { mayBePaletteFile, parsePaletteBytes, parsePaletteText, type PaletteFile } from '../../src/palette/read-palette.js';

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

  it('reads CSS, comments and every line ending, and CSS\'s #rgb; GIMP names give no shares', () => {
    const css = parsed('/* header */\n:root {\n  --a: #abcdef; /* 10% */\n  --b: #f80;\n}\n');
    expect([...css.rgb]).toEqual([0xab, 0xcd, 0xef, 0xff, 0x88, 0x00]);
    expect([...parsed('# made by hand\r// two colours\r; of old Macs\r#000000\r#ffffff\r').rgb]).toEqual([0, 0, 0, 255, 255, 255]);
    // #rgb with a name after it, and as a CSS value with more after it; a # comment that starts no code.
    expect([...parsed('# three codes\n#f80 orange\n#08f blue\n.a { color: #fff !important; }\n#more below\n').rgb]).toEqual([0xff, 0x88, 0x00, 0x00, 0x88, 0xff, 255, 255, 255]);
    // "Grey 50%" names a colour; it is no share.
    expect(parsed('GIMP Palette\n0 0 0 Black 100%\n128 128 128 Grey 50%\n').shares).toBeNull();
  });

  it('leaves out a colour in a comment: a commented-out line, a header naming a code, a block over several lines, the rest of a line', () => {
    const green = [0, 255, 0];
    expect([...parsed('// old: #ff0000\n#00ff00\n').rgb]).toEqual(green);
    expect([...parsed('# based on #123456 theme\n#00ff00\n').rgb]).toEqual(green);
    expect([...parsed('/* #ff0000 removed */\n#00ff00\n').rgb]).toEqual(green);
    expect([...parsed('/* #ff0000 removed\n  Palette by someone */\n#00ff00\n').rgb]).toEqual(green);
    expect([...parsed(':root {\n  /* --old: #ff0000; */\n  --new: #00ff00; // was #0000ff\n}\n').rgb]).toEqual(green);
    // Code after a closed block comment still counts.
    expect([...parsed('/* primary */ --a: #00ff00;\n').rgb]).toEqual(green);
    expect([...parsed('#00ff00 # was #00ee00\n').rgb]).toEqual(green);
    // Several codes in a row are several colours (no share: the line's percentage is whose?).
    const two = parsed('#ff0000 #00ff00 50%\n');
    expect([[...two.rgb], two.shares]).toEqual([[255, 0, 0, 0, 255, 0], null]);
    expect([...parsed('#ff0000,#00ff00;\t#0000ff\n').rgb]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    // A code right after a word is part of a name; after a colon, a comma, a bar, it is a colour.
    expect([...parsed('#00ff00 Swatch #101\n').rgb]).toEqual(green);
    expect([...parsed('.brand { color: #ff0000; background: #00ff00; }\n| #0000ff | #ffff00 |\n').rgb]).toEqual([255, 0, 0, ...green, 0, 0, 255, 255, 255, 0]);
    const gradient = parsed('linear-gradient(90deg, #ff0000 0%, #00ff00 100%)\n');
    expect([[...gradient.rgb], gradient.shares]).toEqual([[255, 0, 0, ...green], null]);
    // A path's "/*" and a URL's "//" open no comment.
    expect([...parsed('// exported from assets/*.png\n#00ff00 // see https://lospec.com/a/*.gpl\n').rgb]).toEqual(green);
    // A Markdown list's "* " is a bullet, not a block comment's column.
    expect([...parsed('* #ff0000\n* #00ff00\n- #0000ff\n').rgb]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    // Left open, a block comment would hide the rest of the file without a word.
    expect(parsePaletteText('#ff0000 red /* main\n#00ff00\n')).toBe('line 1 opens a /* comment that is never closed');
  });

  it("reads Paint Shop Pro's JASC-PAL and Paint.NET's AARRGGBB palettes, as Lospec offers them", () => {
    expect([...parsed('JASC-PAL\r\n0100\r\n2\r\n255 0 0\r\n0 0 255\r\n').rgb]).toEqual([255, 0, 0, 0, 0, 255]);
    expect([...parsed(';paint.net Palette File\n;Downloaded from Lospec.com/palette-list\n;Colors: 2\nFF000000\nFFff8000\n').rgb]).toEqual([0, 0, 0, 255, 128, 0]);
    expect(parsePaletteText(';paint.net Palette File\n80000000\n')).toBe('line 2 has 80000000, a colour with alpha 80 (an alpha channel is not taken)');
    expect(parsePaletteText(';paint.net Palette File\n#ff0000\n')).toBe('a Paint.NET palette, but line 2 is not an AARRGGBB code: "#ff0000"');
    expect(parsePaletteText('JASC-PAL\n0100\n3\n1 2 3\n')).toBe('a JASC palette of 3 colours, but only 1 follow');
    // A third colour past a count of 2 was dropped without a word.
    expect(parsePaletteText('JASC-PAL\n0100\n2\n1 2 3\n4 5 6\n7 8 9\n')).toBe('a JASC palette of 2 colours, but more follow (line 6)');
    expect(parsePaletteText('JASC-PAL\n0100\n2\n1 2 300\n')).toBe('a JASC palette, but line 4 is not "R G B" with values 0 to 255: "1 2 300"');
    expect(parsePaletteText('JASC-PAL\nabc\n')).toBe('a JASC palette, but not its version and colour count on lines 2 and 3');
  });

  it('keeps one entry per colour, adding up the shares of a repeated one', () => {
    // Coolors' CSS export names each colour and then lists them again in its gradients.
    const coolors = '/* Coolors Exported Palette - https://coolors.co/264653-2a9d8f */\n\n/* CSS HEX */\n--charcoal: #264653;\n--persian-green: #2a9d8f;\n\n/* SCSS Gradient */\n$gradient-top: linear-gradient(0deg, #264653, #2a9d8f);\n';
    const file = parsed(coolors);
    expect([file.size, [...file.rgb]]).toEqual([2, [0x26, 0x46, 0x53, 0x2a, 0x9d, 0x8f]]);
    const shared = parsed('#ff0000 40.00%\n#00ff00 35.00%\n#ff0000 25.00%\n');
    expect([shared.size, [...shared.rgb], [...shared.shares!]]).toEqual([2, [255, 0, 0, 0, 255, 0], [0.65, 0.35]]);
    // A fully opaque alpha is no alpha (Coolors' SCSS export writes #rrggbbff).
    expect([...parsed('$charcoal: #264653ff;\n$red: #F00F;\n').rgb]).toEqual([0x26, 0x46, 0x53, 255, 0, 0]);
    // In JSON too ("#ff0000ff" was refused there).
    expect([...parsed('["#264653ff", "#f00"]').rgb]).toEqual([0x26, 0x46, 0x53, 255, 0, 0]);
    expect(parsePaletteText('["#ff000080"]')).toMatch(/^JSON, but colour 1 is neither/);
    // A repeat without a share leaves the file without shares, as any colour without one does,
    // and says so (they were left out without a word: found by a QA pass).
    expect(parsed('#ff0000 40.00%\n#00ff00 60.00%\n#ff0000\n')).toMatchObject({ shares: null, sharesLeftOut: 'only 1 of its 2 colours has a share (#ff0000 is listed without one), so the shares are left out and every colour counts alike; give each colour a share, or none' });
    expect(parsed('#ff0000 60%\n#00ff00 50%\n#0000ff\n')).toMatchObject({ shares: null, sharesLeftOut: expect.stringMatching(/^only 2 of its 3 colours have a share \(#0000ff is listed without one\)/) });
    // A file with no share at all, or every one, has nothing to say.
    expect(parsed('#ff0000\n#00ff00\n').sharesLeftOut).toBeUndefined();
    // A share written wrong is named, not called missing (which left every share out).
    expect(parsePaletteText('#ff0000 -10%\n#00ff00 20%\n')).toBe('line 1 gives #ff0000 the share -10%, which is not one: a share is a percentage from 0 to 100, such as 40.73%');
    expect(parsePaletteText('#ff0000 60%\n#00ff00 NaN %\n')).toBe('line 2 gives #00ff00 the share NaN%, which is not one: a share is a percentage from 0 to 100, such as 40.73%');
    expect(parsePaletteText('#ff0000; /* 1e2% */\n')).toBe('line 1 gives #ff0000 the share 1e2%, which is not one: a share is a percentage from 0 to 100, such as 40.73%');
    expect(parsePaletteText('#ff0000 50,5%\n')).toBe('line 1 gives #ff0000 the share 50,5%, which is not one: a share is a percentage from 0 to 100, such as 40.73%');
    // A name or a note with a percentage in it is no share (a review found "Grey-50%" refused as one).
    expect(parsed('#808080 Grey 50%\n#ff0000 opacity 50%\n#7f7f7f Grey-50%\n#000000 K100%\n#00ff00 //50%\n')).toMatchObject({ size: 5, shares: null });
    expect(parsed('color: #ff0000; opacity:50%\n')).toMatchObject({ size: 1, shares: null });
    // A share with no digit before its point is a share.
    expect(parsed('#ff0000 .5%\n#00ff00 99.5%\n').shares).toEqual(Float64Array.of(0.005, 0.995));
    expect(parsed('#ff0000 60%\n#00ff00 40%\n').sharesLeftOut).toBeUndefined();
  });

  it('says why a text is not a palette', () => {
    expect(parsePaletteText('')).toMatch(/^no colours found/);
    expect(parsePaletteText('# only a comment\n')).toMatch(/^no colours found/);
    expect(parsePaletteText('hello world\n')).toBe('line 1 is neither a colour nor a comment: "hello world"');
    // A subtitle that happens to name a colour was a one-colour palette.
    expect(parsePaletteText('1\n00:00:01,000 --> 00:00:02,000\n<font color="#ff0000">Hi</font>\n')).toBe('line 1 is neither a colour nor a comment: "1"');
    // Colours with alpha were left out, silently.
    expect(parsePaletteText('#ff000080\n#00ff00\n')).toBe('line 1 has #ff000080, which is not #rrggbb (an alpha channel is not taken)');
    expect(parsePaletteText('#00ff00\n#f008\n')).toBe('line 2 has #f008, which is not #rrggbb (an alpha channel is not taken)');
    // A code of 5 or 7 digits is no code with alpha: a digit missing or one too many.
    expect(parsePaletteText('#12345\n')).toBe('line 1 has #12345, which is not #rrggbb');
    expect(parsePaletteText('#00ff00\n#ff00000\n')).toBe('line 2 has #ff00000, which is not #rrggbb');
    // Cut to one or two digits, alone on a line, a code was taken for a comment: a colour lost without a word.
    expect(parsePaletteText('#ff\n#00ff00\n')).toBe('line 1 has #ff, which is not #rrggbb');
    expect(parsePaletteText('#00ff00 50%\n#0f 50%\n')).toBe('line 2 has #0f, which is not #rrggbb');
    // Digits alone number a section, and a letter a note: comments, as before.
    expect(parsePaletteText('#1\n#12\n#a\n#ab cd\n#00ff00\n')).toMatchObject({ size: 1 });
    // A mistyped code was taken for a comment and dropped: a palette one colour short, silently.
    expect(parsePaletteText('#ff0000\n#ff00gg\n')).toBe('line 2 has #ff00gg, which is not #rrggbb');
    expect(parsePaletteText('#ff0000\n#00ff0g; green\n')).toBe('line 2 has #00ff0g, which is not #rrggbb');
    // A code after a square bracket is a code (the first of "[#f00, #0f0]" was dropped, silently).
    expect(parsePaletteText('palette: [#f00, #0f0]\n')).toMatchObject({ size: 2, rgb: Uint8Array.of(255, 0, 0, 0, 255, 0) });
    expect(parsePaletteText('#f00 #0f0\n[#00f]\n')).toMatchObject({ size: 3 });
    // Words after a # are still comments, with digits too (a review found "#8bit palette" refused).
    expect(parsePaletteText('#palette\n#Columns: 16\n# 1 red\n#8bit palette\n#pico8 colours\n#1st row: reds\n#ff0000\n')).toMatchObject({ size: 1, rgb: Uint8Array.of(255, 0, 0) });
    expect(parsePaletteText('{"colors": 3}')).toBe('JSON, but neither an array of colours nor an object with a "colors" array');
    expect(parsePaletteText('[ "#12345" ]')).toMatch(/^JSON, but colour 1 is neither/);
    expect(parsePaletteText('{"colors": [')).toMatch(/^not valid JSON/);
    // A share that is no share made every share equal, silently (0.9 and -0.5 read as 0.5 and 0.5).
    expect(parsePaletteText('[{"hex": "#ff0000", "proportion": 0.9}, {"hex": "#00ff00", "proportion": -0.5}]')).toBe('JSON, but colour 2\'s "proportion" is -0.5, not a number of at least 0');
    expect(parsePaletteText('[{"hex": "#ff0000", "proportion": "abc"}]')).toBe('JSON, but colour 1\'s "proportion" is "abc", not a number of at least 0');
    expect(parsePaletteText('[{"hex": "#ff0000", "proportion": null}, {"hex": "#00ff00"}]')).toMatchObject({ size: 2, shares: null });
    expect(parsePaletteText('GIMP Palette\n1 2 256 x\n')).toBe('a GIMP palette, but line 2 is not "R G B name" with values 0 to 255: "1 2 256 x"');
    expect(parsePaletteText(Array.from({ length: 257 }, (_, i) => `#${i.toString(16).padStart(6, '0')}`).join('\n'))).toBe('257 colours, where a palette may have 256 at most');
  });

  it('refuses a colour given twice as two colours, and shares of more than the whole (found by a QA pass: an edited hex was dropped, 150% rescaled, silently)', () => {
    // `palette --json` with its first hex edited: "rgb" was taken, the new colour dropped.
    const json = JSON.parse(formatPalette(palette, 'json')) as { colors: { hex: string }[] };
    json.colors[0].hex = '#00ff00';
    expect(parsePaletteText(JSON.stringify(json))).toMatch(/^JSON, but colour 1's "hex" #00ff00 and "rgb" \[\d+, \d+, \d+\] are different colours; correct one of them, or give one only$/);
    expect(parsePaletteText('[{"rgb": [1, 2, 3], "hex": "#zzzzzz"}]')).toBe('JSON, but colour 1\'s "hex" is "#zzzzzz", not "#rrggbb"');
    expect(parsePaletteText('[{"rgb": [1, 2, 300], "hex": "#010203"}]')).toBe('JSON, but colour 1\'s "rgb" is [1,2,300], not [r, g, b] of whole numbers from 0 to 255');
    expect(parsePaletteText('[{"rgb": [255, 136, 0], "hex": "#f80"}]')).toMatchObject({ size: 1, rgb: Uint8Array.of(255, 136, 0) });
    // Its text format, the code edited (the rgb() was ignored, the new code taken: no wrong
    // answer, but not surely what was meant either); the code alone is read as before.
    const text = formatPalette(palette, 'text').split('\n');
    const line = text.findIndex((l) => /#[0-9a-f]{6}/.test(l));
    text[line] = text[line].replace(/#[0-9a-f]{6}/, '#00ff00');
    expect(parsePaletteText(text.join('\n'))).toMatch(new RegExp(`^line ${line + 1} has #00ff00 and rgb\\(\\s*\\d+,\\s*\\d+,\\s*\\d+\\), which are different colours; correct one of them, or give the code only$`));
    expect(parsePaletteText('#ff8800  rgb(255, 136, 0)  100%\n')).toMatchObject({ size: 1 });
    // A code mistyped there made the line one of rgb() alone, passed over: the colour was gone.
    expect(parsePaletteText(' 1  #ff0000  rgb(255, 0, 0)   40.00%\n 2  #zzzzzz  rgb(0, 0, 255)   20.00%\n')).toBe('line 2 has #zzzzzz, which is not #rrggbb');
    // A GIMP palette's numbers are its colours; the name is only a name (GIMP keeps it when the colour is edited).
    expect(parsePaletteText('GIMP Palette\n0 255 0\t#762710 53.52%\n')).toMatchObject({ rgb: Uint8Array.of(0, 255, 0) });
    // Shares: none over the whole, together or alone; what `palette` rounds to 0.01% passes.
    expect(parsePaletteText('#ff0000 150%\n#00ff00 20%\n')).toBe("the colours' shares add up to 170%, more than the whole picture (100%, and 0.01% for rounding); correct them, or leave them out (the colours then count alike)");
    // Just over what rounding allows, said with the digits that show it (it read "100.01%, more than the whole picture").
    expect(parsePaletteText('#ff0000 50.006%\n#0000ff 50.006%\n')).toMatch(/^the colours' shares add up to 100\.012%, more than the whole picture \(100%, and 0\.01% for rounding\)/);
    expect(parsePaletteText('[{"hex": "#ff0000", "proportion": 0.7}, {"hex": "#00ff00", "proportion": 0.7}]')).toMatch(/^the colours' shares add up to 140%/);
    expect(parsePaletteText('#ff0000 60%\n#00ff00 40.01%\n')).toMatchObject({ size: 2 });
    expect(parsePaletteText('#ff0000 60%\n#00ff00 20%\n')).toMatchObject({ size: 2 });
  });

  it('takes a file of exactly 256 colours, the most a palette has', () => {
    const text = Array.from({ length: 256 }, (_, i) => `#${i.toString(16).padStart(6, '0')}`).join('\n');
    const file = parsed(text);
    expect([file.size, [...file.rgb.subarray(-3)]]).toEqual([256, [0, 0, 255]]);
  });
});

describe('mayBePaletteFile and parsePaletteBytes', () => {
  it('take UTF-8 and UTF-16 text, and leave text images (PPM, XBM, XPM) to the image readers', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(mayBePaletteFile(encode('#000000\n'))).toBe(true);
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[...'#ff0000\r\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(mayBePaletteFile(utf16)).toBe(true);
    expect([...(parsePaletteBytes(utf16) as PaletteFile).rgb]).toEqual([255, 0, 0]);
    for (const image of ['P3\n2 1\n255\n0 0 0 255 255 255\n', '#define hib_width 2\n#define hib_height 1\n', '/* XPM */\nstatic char *x[] = {\n']) expect(mayBePaletteFile(encode(image))).toBe(false);
  });

  it('take a palette format whose names are not UTF-8 (a GIMP palette from Windows, in Latin-1), by its header line', () => {
    // "Name: café" and a colour "Rosé" in Latin-1: no UTF-8, and it was handed to ffmpeg ("Invalid data").
    const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const gimp = latin1('GIMP Palette\nName: caf\xe9\n255 0 0 Ros\xe9\n0 0 255 Blue\n');
    expect(mayBePaletteFile(gimp)).toBe(true);
    expect([...(parsePaletteBytes(gimp) as PaletteFile).rgb]).toEqual([255, 0, 0, 0, 0, 255]);
    expect(mayBePaletteFile(latin1('JASC-PAL\n0100\n1\n255 0 0\n'))).toBe(true);
    // A hex list too, by its first colour code (it got ffmpeg's "Invalid data"); without a
    // header as the palette reader spells it, or a code, bytes that are no UTF-8 are left to the image readers.
    expect(mayBePaletteFile(latin1('#ff0000 Gr\xfcn\n#00ff00\n'))).toBe(true);
    expect([...(parsePaletteBytes(latin1('#ff0000 Gr\xfcn\n#00ff00\n')) as PaletteFile).rgb]).toEqual([255, 0, 0, 0, 255, 0]);
    expect(mayBePaletteFile(latin1('ff0000 caf\xe9\n'))).toBe(false);
    expect(mayBePaletteFile(latin1('gimp palette\n255 0 0 Ros\xe9\n'))).toBe(false);
    expect(mayBePaletteFile(latin1('; Paint.NET Palette File\nFFFF0000 Ros\xe9\n'))).toBe(true);
  });
});

describe('palette files of other tools (found by a QA pass)', () => {
  it("reads a share only where `palette` writes one, right after the colour: a name's \"Grey 50%\" is none (read as shares, a rank transfer turned darks light)", () => {
    expect(parsed('#1a1a1a Grey 10%\n#808080 Grey 50%\n#e6e6e6 Grey 90%\n').shares).toBeNull();
    expect(parsed('#ff0000 opacity 50%\n#00ff00 opacity 50%\n').shares).toBeNull();
    expect([...parsed(' 1  #343529  rgb( 52,  53,  41)   48.79%\n 2  #a79e46  rgb(167, 158,  70)   51.21%\n').shares!]).toEqual([0.4879, 0.5121]);
    expect([...parsed(':root {\n  --color-1: #343529; /* 48.79% */\n  --color-2: #a79e46; /* 51.21% */\n}\n').shares!]).toEqual([0.4879, 0.5121]);
  });

  it('reads codes in brackets on the first line as a list, not as broken JSON', () => {
    expect([...parsed('[#f00, #0f0]\n').rgb]).toEqual([255, 0, 0, 0, 255, 0]);
    expect([...parsed('[#ff0000] red\n[#00ff00] green\n').rgb]).toEqual([255, 0, 0, 0, 255, 0]);
    // JSON that is broken stays refused as JSON.
    expect(parsePaletteText('[[255, 0, 0],]')).toMatch(/^not valid JSON/);
  });

  it("reads Aseprite's GIMP palette with alpha (\"Channels: RGBA\"): opaque colours taken, its clear slot left out, a partly clear one refused", () => {
    const aseprite = (rows: string) => `GIMP Palette\nChannels: RGBA\n#\n${rows}`;
    expect([...parsed(aseprite('  0   0   0   0 000000\n 29  43  83 255 1D2B53\n126  37  83 255 7E2553\n')).rgb]).toEqual([29, 43, 83, 126, 37, 83]);
    expect(parsePaletteText(aseprite(' 29  43  83 128 half\n'))).toBe('line 4 has a colour with alpha 128 (an alpha channel is not taken)');
    expect(parsePaletteText('GIMP Palette\nChannels: RGBA\n255 0 0 red\n')).toMatch(/line 3 is not "R G B A name"/);
  });

  it("reads Coolors' SCSS export whole: its codes, past the same colours again as hsla() and rgba(); a file of rgb() alone is refused", () => {
    const scss = '/* SCSS HEX */\n$a: #001219ff;\n$b: #005f73ff;\n\n/* SCSS HSL */\n$a: hsla(197, 100%, 5%, 1);\n$b: hsla(190, 100%, 23%, 1);\n\n/* SCSS RGB */\n$a: rgba(0, 18, 25, 1);\n$b: rgba(0, 95, 115, 1);\n\n/* SCSS Gradient */\n$gradient-top: linear-gradient(0deg, #001219ff, #005f73ff);\n';
    expect([...parsed(scss).rgb]).toEqual([0, 18, 25, 0, 95, 115]);
    expect(parsePaletteText('$a: rgb(0, 18, 25);\n$b: hsl(190, 100%, 23%);\n')).toBe('line 1 gives its colour as rgb() or hsl(), which is not read: list the colours as #rrggbb');
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
