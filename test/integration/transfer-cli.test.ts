import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { corpus, runMain } from '../helpers/cli.js';

const COFFEE = path.join(corpus, 'stills/skimage__coffee.png');
const HIBISCUS = path.join(corpus, 'stills/wuffs__hibiscus.regular.jpeg');
const CHI = path.join(corpus, 'gifs/pillow__chi.gif');
const tmp = mkdtempSync(path.join(tmpdir(), 'chromaseed-transfer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runMain;

interface Summary {
  palette: { hex: string; rgb: number[]; proportion: number }[];
  method: string;
  mapping: { entry: number; hex: string; proportion: number; source: number; sourceHex: string }[];
  frames: number;
  flicker_static: number | null;
  playbackSeconds: number;
  plays: number | null;
  warnings: string[];
}

const key = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

describe('chromaseed transfer (GIF target)', () => {
  const out = path.join(tmp, 'chi-coffee.gif');
  const swatch = path.join(tmp, 'swatch.png');
  let summary: Summary;

  beforeAll(async () => {
    const r = await run(['transfer', COFFEE, CHI, '-o', out, '--json', '--swatch', swatch, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    summary = JSON.parse(r.stdout) as Summary;
  }, 120_000);

  it('prints the source palette, method, mapping, frames and flicker_static', () => {
    expect(summary.method).toBe('optimal');
    // How the GIF plays, as the target does (chi.gif loops forever), and no damage.
    expect(summary).toMatchObject({ plays: 0, warnings: [] });
    expect(summary.playbackSeconds).toBeGreaterThan(0);
    expect(summary.palette).toHaveLength(8);
    expect(summary.palette.reduce((s, p) => s + p.proportion, 0)).toBeCloseTo(1, 3);
    for (let j = 1; j < 8; j++) expect(summary.palette[j].proportion).toBeLessThanOrEqual(summary.palette[j - 1].proportion);
    expect(summary.mapping).toHaveLength(8);
    const hexes = new Set(summary.palette.map((p) => p.hex));
    for (const m of summary.mapping) {
      expect(hexes.has(m.sourceHex)).toBe(true);
      expect(summary.palette[m.source].hex).toBe(m.sourceHex);
    }
    // optimal is one-to-one when both palettes have k colours.
    expect(new Set(summary.mapping.map((m) => m.source)).size).toBe(8);
    expect(summary.frames).toBe(31);
    expect(typeof summary.flicker_static).toBe('number');
    expect(summary.flicker_static!).toBeLessThan(2);
  });

  it("says on stderr, as quantize does, what it wrote, the file's size included (it left the size out)", async () => {
    const plain = path.join(tmp, 'chi-coffee-plain.gif');
    const r = await run(['transfer', COFFEE, CHI, '-o', plain, '-k', '4']);
    expect(r.code).toBe(0);
    const kib = (statSync(plain).size / 1024).toFixed(1);
    expect(r.stderr).toMatch(new RegExp(`chi-coffee-plain\\.gif: 31 frames, \\d+x\\d+, [\\d.]+ s long, looping forever, ${kib.replace('.', '\\.')} KiB, 4 source colours, method optimal.* \\(made in [\\d.]+ s\\)\\n$`));
  });

  it('writes a GIF with the target frame count and delays, painted in source colours only', () => {
    const produced = new GifReader(readFileSync(out));
    const original = new GifReader(readFileSync(CHI));
    expect(produced.numFrames()).toBe(original.numFrames());
    expect(produced.width).toBe(original.width);
    expect(produced.height).toBe(original.height);
    const allowed = new Set(summary.palette.map((p) => key(p.rgb[0], p.rgb[1], p.rgb[2])));
    const rgba = new Uint8Array(produced.width * produced.height * 4);
    let checked = 0;
    for (let f = 0; f < produced.numFrames(); f++) {
      expect(produced.frameInfo(f).delay).toBe(original.frameInfo(f).delay);
      rgba.fill(0);
      // Blits only the pixels this frame stores; everything else keeps alpha 0.
      produced.decodeAndBlitFrameRGBA(f, rgba);
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3] === 0) continue;
        checked++;
        if (!allowed.has(key(rgba[i], rgba[i + 1], rgba[i + 2]))) {
          throw new Error(`frame ${f} pixel ${i / 4} is rgb(${rgba[i]},${rgba[i + 1]},${rgba[i + 2]}), not a source colour`);
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(produced.width * produced.height); // at least the whole first frame
  });

  it('draws the swatch: source colours on top, each target cluster above the colour it became, a legend on the left naming the bars', async () => {
    const { data, info } = await sharp(swatch).raw().toBuffer({ resolveWithObject: true });
    const legend = 72;
    // Each bar framed in grey, a pixel outside it (a white segment ran into the page): a pixel of room around the bars.
    expect(info.width).toBe(legend + 800 + 1);
    expect(info.height).toBe(3 * 72 + 2 * 6 + 2);
    const at = (x: number, y: number) => key(data[(y * info.width + x) * info.channels], data[(y * info.width + x) * info.channels + 1], data[(y * info.width + x) * info.channels + 2]);
    for (const [x, y] of [[legend - 1, 40], [legend + 400, 0], [legend + 800, 40], [legend + 400, 73]]) expect(at(x, y), `${x},${y}`).toBe(key(153, 153, 153));
    const c0 = summary.palette[0].rgb;
    expect(at(legend + 2, 3)).toBe(key(c0[0], c0[1], c0[2]));
    // Bottom bar, first segment: the source colour of the most common target cluster.
    const top = [...summary.mapping].sort((a, b) => b.proportion - a.proportion)[0];
    const rgb = summary.palette[top.source].rgb;
    expect(at(legend + 2, 2 * (72 + 6) + 3)).toBe(key(rgb[0], rgb[1], rgb[2]));
    // The legend: dark text beside each bar (there was none: three bars no one could name without the README).
    for (let bar = 0; bar < 3; bar++) {
      let ink = 0;
      for (let y = bar * 78 + 20; y < bar * 78 + 52; y++) for (let x = 0; x < legend; x++) if (data[(y * info.width + x) * info.channels] < 128) ink++;
      expect(ink, `bar ${bar}`).toBeGreaterThan(20);
    }
    // The target is a clip: the target and became bars name the frame they show, in a line
    // under their names (they read as the whole clip's mapping).
    expect([0, 1, 2].map((bar) => legendInkBelowName(data, info, bar) > 10)).toEqual([false, true, true]);
  });
});

/** Dark pixels in the transfer swatch's legend, in the line under bar `bar`'s name (where a clip's frame number goes). */
function legendInkBelowName(data: Buffer, info: { width: number; channels: number }, bar: number): number {
  const middle = 1 + bar * 78 + 36;
  let ink = 0;
  // Below the name's descenders, left of the bar's grey frame (at x = 71).
  for (let y = middle + 8; y < middle + 12; y++) for (let x = 0; x < 70; x++) if (data[(y * info.width + x) * info.channels] < 160) ink++;
  return ink;
}

describe('chromaseed transfer --swatch with many colours', () => {
  it('keeps the source bar by share at k = 64 (every segment was 12 px but the largest: an even split)', async () => {
    const swatch = path.join(tmp, 'swatch-64.png');
    const r = await run(['transfer', HIBISCUS, COFFEE, '-k', '64', '-o', path.join(tmp, 'coffee-64.png'), '--json', '--swatch', swatch, '-q']);
    expect(r.code).toBe(0);
    const { palette } = JSON.parse(r.stdout) as Summary;
    expect(palette).toHaveLength(64);
    const { data, info } = await sharp(swatch).raw().toBuffer({ resolveWithObject: true });
    const legend = 72;
    const barWidth = 800;
    // The top bar's segments, left to right: runs of one colour along a row inside it, a
    // grey rule between two near-white ones (1 px, the second's first column) counted in the second.
    const widths: number[] = [];
    for (let x = legend, run = 0; x < legend + barWidth; x++) {
      const o = (3 * info.width + x) * info.channels;
      const next = x + 1 < legend + barWidth ? (3 * info.width + x + 1) * info.channels : -1;
      run++;
      const rule = run === 1 && data[o] === 0xa0 && data[o + 1] === 0xa0 && data[o + 2] === 0xa0 && widths.length > 0;
      if (!rule && (next < 0 || data[o] !== data[next] || data[o + 1] !== data[next + 1] || data[o + 2] !== data[next + 2])) {
        widths.push(run);
        run = 0;
      }
    }
    expect(widths).toHaveLength(64);
    // A still target: no frame named.
    expect([0, 1, 2].map((bar) => legendInkBelowName(data, info, bar))).toEqual([0, 0, 0]);
    // Segments held at the minimum take at most half the bar; the rest follow their shares.
    const narrowest = Math.min(...widths);
    expect(narrowest).toBeLessThanOrEqual(6);
    for (let j = 0; j < 64; j++) {
      const share = palette[j].proportion * barWidth;
      if (widths[j] > narrowest) expect(Math.abs(widths[j] - share), `colour ${j}: ${widths[j]} px for ${share.toFixed(1)}`).toBeLessThan(0.5 * share + 2);
    }
    const largest = palette.reduce((best, c, j) => (c.proportion > palette[best].proportion ? j : best), 0);
    expect(widths[largest]).toBeGreaterThan(3 * narrowest);
    // Segments that narrow have no room for their hex codes: below the bars, a key names every
    // mapping, a chip per target cluster, its colour over the one it became (there was none).
    const barsHeight = 3 * 72 + 2 * 6 + 2;
    const keyTop = barsHeight + 6;
    const columns = Math.floor((barWidth + 2) / 82);
    expect(info.height).toBe(keyTop + Math.ceil(64 / columns) * 44 + 2);
    const hexAt = (x: number, y: number): string => {
      const o = (y * info.width + x) * info.channels;
      return `#${[data[o], data[o + 1], data[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    };
    const chipWidth = (barWidth - (columns + 1) * 2) / columns;
    const chips: string[] = [];
    for (let i = 0; i < 64; i++) {
      const x = legend + 2 + Math.round((i % columns) * (chipWidth + 2)) + 3;
      const y = keyTop + 2 + Math.floor(i / columns) * 44;
      chips.push(`${hexAt(x, y + 3)} ${hexAt(x, y + 38)}`);
    }
    // In the bars' order: most common target cluster first.
    const { mapping } = JSON.parse(r.stdout) as Summary;
    expect(chips).toEqual([...mapping].sort((a, b) => b.proportion - a.proportion).map((m) => `${m.hex} ${m.sourceHex}`));
  });
});

describe('chromaseed transfer: the drift re-check', () => {
  it('matches again only the entries that moved, where that costs little more: the giphy logo\'s unchanged text keeps its colour (matched whole, flicker_static 27.8)', async () => {
    const giphy = path.join(corpus, 'gifs/glide__large_giphy_logo.gif');
    const r = await run(['transfer', HIBISCUS, giphy, '--width', '160', '-k', '16', '--method', 'optimal', '-o', path.join(tmp, 'giphy.gif'), '--json', '-q']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    // Measured: 24.34 (27.82 matched whole; 23.77 with no re-check at all).
    expect(summary.flicker_static).toBeLessThan(25);
    expect(summary.decisions.length).toBeGreaterThan(4);
  });
});

describe('chromaseed transfer (still target)', () => {
  for (const method of ['optimal', 'rank', 'lightness', 'nearest']) {
    it(`${method}: writes one PNG of the target's size in source colours only`, async () => {
      const out = path.join(tmp, `coffee-${method}.png`);
      const r = await run(['transfer', HIBISCUS, COFFEE, '-o', out, '--method', method, '--json', '-q']);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as Summary;
      expect(summary.method).toBe(method);
      expect(summary.frames).toBe(1);
      expect(summary.flicker_static).toBeNull();
      const allowed = new Set(summary.palette.map((p) => key(p.rgb[0], p.rgb[1], p.rgb[2])));
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([600, 400]);
      const used = new Set<number>();
      let foreign = 0;
      for (let i = 0; i < data.length; i += info.channels) {
        const c = key(data[i], data[i + 1], data[i + 2]);
        if (!allowed.has(c)) foreign++;
        used.add(c);
      }
      expect(foreign).toBe(0);
      if (method !== 'nearest') expect(used.size).toBeGreaterThanOrEqual(6);
    }, 60_000);
  }

  it('lightness keeps the dark and light of the target: darkest cluster gets the darkest source colour', async () => {
    const r = await run(['transfer', HIBISCUS, COFFEE, '-o', path.join(tmp, 'l.png'), '--method', 'lightness', '--json', '-q']);
    const s = JSON.parse(r.stdout) as Summary;
    const lum = (hex: string) => {
      const n = parseInt(hex.slice(1), 16);
      return 0.2126 * (n >> 16) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
    };
    const darkestTarget = [...s.mapping].sort((a, b) => lum(a.hex) - lum(b.hex))[0];
    const darkestSource = [...s.palette].sort((a, b) => lum(a.hex) - lum(b.hex))[0];
    expect(darkestTarget.sourceHex).toBe(darkestSource.hex);
  }, 60_000);
});

describe('chromaseed transfer (refusals and other outputs)', () => {
  it('refuses to overwrite the source and leaves it untouched', async () => {
    const source = path.join(tmp, 'source-copy.png');
    copyFileSync(COFFEE, source);
    const before = readFileSync(source);
    const r = await run(['transfer', source, HIBISCUS, '-o', source]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/input/);
    expect(readFileSync(source).equals(before)).toBe(true);
  });

  it('refuses a PNG sequence whose numbered frame is the source, writing no frame (it wrote over it)', async () => {
    const dir = mkdtempSync(path.join(tmp, 'source-frame-'));
    const source = path.join(dir, 'f-1.png');
    copyFileSync(COFFEE, source);
    const r = await run(['transfer', source, CHI, '-o', path.join(dir, 'f-%d.png'), '-q']);
    expect([r.code, r.stderr]).toEqual([2, `chromaseed: ${source}: refusing to overwrite the input file; choose another output path\n`]);
    expect(readFileSync(source).equals(readFileSync(COFFEE))).toBe(true);
    expect(readdirSync(dir)).toEqual(['f-1.png']);
  });

  it('refuses to overwrite the target', async () => {
    const target = path.join(tmp, 'target-copy.gif');
    copyFileSync(CHI, target);
    const r = await run(['transfer', COFFEE, target, '-o', target]);
    expect(r.code).not.toBe(0);
    expect(readFileSync(target).equals(readFileSync(CHI))).toBe(true);
  });

  it('refuses a source with no opaque pixel, naming it: there are no colours to take', async () => {
    const clear = path.join(tmp, 'clear-source.png');
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0 } } }).png().toFile(clear);
    const out = path.join(tmp, 'from-clear.gif');
    const r = await run(['transfer', clear, CHI, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`chromaseed: ${clear}: no opaque pixels to take colours from\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a single .png for a multi-frame target, writing nothing', async () => {
    const out = path.join(tmp, 'many.png');
    const r = await run(['transfer', COFFEE, CHI, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than one frame/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a --swatch that is not a .png name, before any work', async () => {
    const dir = mkdtempSync(path.join(tmp, 'swatch-name-'));
    const r = await run(['transfer', COFFEE, CHI, '-o', path.join(dir, 'out.gif'), '--swatch', path.join(dir, 'swatch.jpg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--swatch \S*swatch\.jpg: this picture is written as PNG/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes a %d PNG sequence, one file per target frame', async () => {
    const dir = mkdtempSync(path.join(tmp, 'seq-'));
    const r = await run(['transfer', COFFEE, CHI, '-o', path.join(dir, 'f-%03d.png'), '--method', 'rank', '-q']);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.png'))).toHaveLength(31);
  }, 60_000);
});

describe('chromaseed transfer: each input has its own part', () => {
  const REALSHORT = path.join(corpus, 'videos/imageio__realshort.mp4');
  const CHAPLIN = path.join(corpus, 'videos/moviepy__chaplin.mp4');
  const BUNNY = path.join(corpus, 'videos/moviepy__big_buck_bunny_0_30.webm');

  it('--start and --duration cut the target only: a source shorter than --start is read whole (it was cut too, and refused as past its end)', async () => {
    const out = path.join(tmp, 'part-target.gif');
    const r = await run(['transfer', REALSHORT, CHAPLIN, '-k', '4', '--start', '5', '--duration', '0.5', '--width', '96', '-o', out, '--json', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.playbackSeconds).toBeCloseTo(0.5, 1);
    expect(summary.palette).toHaveLength(4);
  });

  it('--source-start and --source-duration choose where the colours come from; their errors name them', async () => {
    const palette = async (part: string[]) => {
      const r = await run(['transfer', BUNNY, REALSHORT, '-k', '4', '--width', '96', '--duration', '0.2', ...part, '-o', path.join(tmp, 'part-source.gif'), '--json', '-q']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Summary).palette.map((p) => p.hex);
    };
    // The opening title card (greys and pink) against the meadow 20 s in.
    const title = await palette(['--source-duration', '2']);
    const meadow = await palette(['--source-start', '20', '--source-duration', '2']);
    expect(meadow).not.toEqual(title);
    const green = (hex: string) => parseInt(hex.slice(3, 5), 16) - Math.max(parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(5, 7), 16));
    expect(Math.max(...meadow.map(green))).toBeGreaterThan(Math.max(...title.map(green)));
    // Said as the source's frames are read (the container states no length): it said --start.
    const webm = await run(['transfer', path.join(corpus, 'videos/imageio__test.webm'), REALSHORT, '--source-start', '100', '-o', path.join(tmp, 'late-webm.gif')]);
    expect(webm.code).toBe(1);
    expect(webm.stderr).toMatch(/imageio__test\.webm: no frame comes out of the part asked for with --source-start: the video may end before it \(the file states no length\); ask for an earlier --source-start or a longer part\n$/);
    const late = await run(['transfer', CHI, REALSHORT, '--source-start', '60', '-o', path.join(tmp, 'late.gif')]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/pillow__chi\.gif: --source-start is past the end \(it plays for [\d.]+ s\)\n$/);
    const still = await run(['transfer', COFFEE, REALSHORT, '--source-start', '1', '-o', path.join(tmp, 'still.gif')]);
    expect(still.code).toBe(2);
    expect(still.stderr).toBe(`chromaseed: --source-start: ${COFFEE} is a still image, which has no time; drop --source-start\n`);
  });

  it("the output plays as many times as TARGET does, not the colour source (what --plays defaults to)", async () => {
    const LOOPS_256 = path.join(corpus, 'odd_gifs/glide__gif_netscape_iteration_256.gif'); // NETSCAPE loop count 256
    const CARS = path.join(corpus, 'gifs/dartimage__cars.gif'); // loops forever
    const plays = async (source: string, target: string) => {
      const r = await run(['transfer', source, target, '-k', '4', '--width', '64', '-o', path.join(tmp, 'plays.gif'), '--json', '-q']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Summary).plays;
    };
    expect(await plays(CARS, LOOPS_256)).toBe(257);
    expect(await plays(LOOPS_256, CARS)).toBe(0);
  });
});

describe('chromaseed transfer: a palette file as SOURCE', () => {
  const gifColours = (file: string): Set<number> => {
    const reader = new GifReader(readFileSync(file));
    const seen = new Set<number>();
    const rgba = new Uint8Array(reader.width * reader.height * 4);
    for (let f = 0; f < reader.numFrames(); f++) {
      reader.decodeAndBlitFrameRGBA(f, rgba);
      for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3] !== 0) seen.add(key(rgba[i], rgba[i + 1], rgba[i + 2]));
    }
    return seen;
  };

  it("takes the colours of `palette`'s own output, its shares too, and k from the file", async () => {
    const saved = path.join(tmp, 'coffee.gpl');
    const made = await run(['palette', COFFEE, '-k', '5', '--format', 'gpl']);
    expect(made.code).toBe(0);
    writeFileSync(saved, made.stdout);
    const fromImage = JSON.parse((await run(['palette', COFFEE, '-k', '5', '--json'])).stdout) as { colors: { hex: string; proportion: number }[] };
    const out = path.join(tmp, 'chi-from-gpl.gif');
    const r = await run(['transfer', saved, CHI, '-o', out, '--json', '-q']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const summary = JSON.parse(r.stdout) as Summary & { k: number };
    expect(summary.k).toBe(5);
    expect(summary.palette.map((p) => p.hex).sort()).toEqual(fromImage.colors.map((c) => c.hex).sort());
    for (const p of summary.palette) expect(p.proportion).toBeCloseTo(fromImage.colors.find((c) => c.hex === p.hex)!.proportion, 3);
    const allowed = new Set(summary.palette.map((p) => parseInt(p.hex.slice(1), 16)));
    for (const c of gifColours(out)) expect(allowed.has(c)).toBe(true);
  });

  it('warns when only some colours give a share, and takes equal ones (the shares were dropped without a word: found by a QA pass)', async () => {
    const mixed = path.join(tmp, 'mixed.hex');
    writeFileSync(mixed, '#ff0000 60%\n#00ff00 30%\n#0000ff\n');
    const warning = `${mixed}: only 2 of its 3 colours have a share (#0000ff is listed without one), so the shares are left out and every colour counts alike; give each colour a share, or none`;
    const out = path.join(tmp, 'mixed.png');
    const r = await run(['transfer', mixed, COFFEE, '-o', out]);
    expect([r.code, r.stderr.split('\n').filter((line) => line.startsWith('chromaseed: warning:'))]).toEqual([0, [`chromaseed: warning: ${warning}`]]);
    const quiet = await run(['transfer', mixed, COFFEE, '-o', out, '--json', '-q']);
    const summary = JSON.parse(quiet.stdout) as Summary & { warnings: string[] };
    expect([quiet.stderr, summary.warnings, summary.palette.map((p) => p.proportion)]).toEqual(['', [warning], [1 / 3, 1 / 3, 1 / 3]]);
  });

  it('remaps to a fixed list of hex codes with --method nearest, every pixel its nearest code', async () => {
    const codes = path.join(tmp, 'three.hex');
    writeFileSync(codes, 'ff0000\n00ff00\n0000ff\n');
    const out = path.join(tmp, 'chi-rgb.gif');
    const r = await run(['transfer', codes, CHI, '--method', 'nearest', '-o', out, '-q']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const codes3 = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
    const source = decodeGif(new Uint8Array(readFileSync(CHI)), 'chi').frames();
    const written = decodeGif(new Uint8Array(readFileSync(out)), 'out').frames();
    let checked = 0;
    for (let a = source.next(), b = written.next(); !a.done; a = source.next(), b = written.next()) {
      const [x, y] = [a.value.data, b.value!.data];
      for (let i = 0; i < x.length; i += 4) {
        if (x[i + 3] === 0) continue;
        const d = codes3.map(([r, g, bl]) => (x[i] - r) ** 2 + (x[i + 1] - g) ** 2 + (x[i + 2] - bl) ** 2);
        const best = codes3[d.indexOf(Math.min(...d))];
        if (y[i] !== best[0] || y[i + 1] !== best[1] || y[i + 2] !== best[2]) throw new Error(`pixel ${i / 4}: ${[...y.subarray(i, i + 3)]} is not its nearest code ${best}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('given to quantize or palette, is said to be a palette file that transfer reads (it was "not a video or an image that ffmpeg can read")', async () => {
    const saved = path.join(tmp, 'given-elsewhere.gpl');
    writeFileSync(saved, 'GIMP Palette\n0 0 0 black\n255 255 255 white\n');
    // And to transfer as its target: the same words say which file it must be.
    for (const argv of [['quantize', saved, '-o', path.join(tmp, 'x.gif')], ['palette', saved], ['transfer', HIBISCUS, saved, '-o', path.join(tmp, 'x.gif')]]) {
      const r = await run(argv);
      expect([r.code, r.stderr]).toEqual([1, `chromaseed: ${saved}: a palette file (2 colours), which transfer alone reads, as its SOURCE, the first file (chromaseed transfer PALETTE TARGET -o OUT)\n`]);
    }
  });

  it('with --seeding none, takes a --restarts that is the default for the k the file gives (3 from 128 colours on), refusing any other (both were refused)', async () => {
    const many = path.join(tmp, 'many.txt');
    writeFileSync(many, Array.from({ length: 200 }, (_, i) => `#${(i * 0x010305).toString(16).padStart(6, '0')}\n`).join(''));
    const out = path.join(tmp, 'none-200.gif');
    expect(await run(['transfer', many, CHI, '--seeding', 'none', '--restarts', '3', '-o', out, '-q'])).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(out)).toBe(true);
    expect(await run(['transfer', many, CHI, '--seeding', 'none', '--restarts', '10', '-o', out, '-q'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^chromaseed: --restarts acts on --seeding seeded/) });
  });

  it('refuses a part of it, and says why a text file is not a palette', async () => {
    const codes = path.join(tmp, 'two.txt');
    writeFileSync(codes, '#000000\n#ffffff\n');
    expect(await run(['transfer', codes, CHI, '--source-start', '1', '-o', path.join(tmp, 'x.gif')])).toMatchObject({ code: 2, stderr: `chromaseed: --source-start: ${codes} is a palette file, which has no time; drop --source-start\n` });
    const notes = path.join(tmp, 'notes.txt');
    writeFileSync(notes, 'hello world\n');
    const r = await run(['transfer', notes, CHI, '-o', path.join(tmp, 'x.gif')]);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: ${notes}: text, so read as a palette file: line 1 is neither a colour nor a comment: "hello world"\n`]);
    expect(existsSync(path.join(tmp, 'x.gif'))).toBe(false);
  });
});

/** chi.gif at k = 16 after `lead` frames of its size (RGBA, given its width and height), written as `name` in tmp. */
async function chiAfter(name: string, lead: (width: number, height: number) => Uint8Array[]): Promise<string> {
  const { openInput } = await import('../../src/io/open-input.js');
  const { createFrameWriter } = await import('../../src/io/frame-writer.js');
  const { quantizeClip } = await import('../../src/pipeline/quantize-clip.js');
  const { resolveSequenceOptions } = await import('../../src/options.js');
  const chi = await openInput(CHI);
  const { width, height } = chi.info;
  async function* frames() {
    for (const data of lead(width, height)) yield { width, height, data, delayMs: 100 };
    yield* chi.frames;
  }
  const file = path.join(tmp, name);
  const writer = await createFrameWriter(file, { width, height, loopCount: 0, mayTurnTransparent: true });
  for await (const q of quantizeClip(async () => ({ info: chi.info, frames: frames() }), resolveSequenceOptions({ colors: 16 }))) await writer.write(q.indexed);
  await writer.finish();
  return file;
}

describe('a target that starts from a clear frame (a fade-in)', () => {
  it('shows the first decision made on a frame with colours in --swatch and --json (the swatch failed after all the work, and the process hung)', async () => {
    // chi.gif with a fully transparent frame before its first.
    const fadeIn = await chiAfter('fade-in.gif', (width, height) => [new Uint8Array(width * height * 4)]);
    const swatch = path.join(tmp, 'fade-in-swatch.png');
    const r = await run(['transfer', HIBISCUS, fadeIn, '-o', path.join(tmp, 'fade-in-out.gif'), '--swatch', swatch, '--json', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect([summary.output, summary.swatch]).toEqual([path.join(tmp, 'fade-in-out.gif'), swatch]);
    expect(summary.mapping.length).toBeGreaterThan(0);
    expect(summary.decisions[0]).toBe(0);
    expect((await sharp(swatch).metadata()).height).toBe(3 * 72 + 2 * 6 + 2);
  });
  it('shows the decision in effect for the most frames: a clip opening on black showed its one colour (a film\'s opening, 20 decisions after it)', async () => {
    // chi.gif after three black frames.
    const opening = await chiAfter('from-black.gif', (width, height) => {
      const black = new Uint8Array(width * height * 4);
      for (let p = 3; p < black.length; p += 4) black[p] = 255;
      return [black, black, black];
    });
    const r = await run(['transfer', HIBISCUS, opening, '-o', path.join(tmp, 'from-black-out.gif'), '--json', '-q']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect([summary.decisions[0], summary.decisions.includes(3)]).toEqual([0, true]);
    // chi's colours, not black's alone.
    expect(summary.mapping.length).toBeGreaterThan(1);
  });
  it('a target too large to write is refused before the source is read (it was said after the source\'s pass)', async () => {
    const dir = mkdtempSync(path.join(tmp, 'huge-'));
    const wide = path.join(dir, 'wide.png');
    await sharp({ create: { width: 70_000, height: 2, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(wide);
    // A source that cannot be read at all: reaching it would say so instead.
    const broken = path.join(dir, 'broken.gif');
    writeFileSync(broken, readFileSync(CHI).subarray(0, 40));
    const out = path.join(dir, 'out.gif');
    const r = await run(['transfer', broken, wide, '-o', out, '-q']);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: ${out}: frames of 70000x2 pixels are larger than can be written (at most 65535 a side); scale them down with --width\n`]);
    expect(readdirSync(dir).sort()).toEqual(['broken.gif', 'wide.png']);
  });

});

describe('chromaseed transfer --method nearest in another space or metric', () => {
  it('shows each cluster going where its pixels go, in the run\'s space and metric (the mapping was worked out in RGB: with --space lab, #a82c0f, 18% of coffee.png, was said to become another colour than its pixels took)', async () => {
    // coffee.png's 8 cluster centres, 10x10 each, as the target: each cluster is one colour.
    const centres = ['#a35127', '#240d06', '#dfb188', '#c38051', '#a82c0f', '#5d180c', '#ce7534', '#f6e8da'];
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const pixels = Buffer.alloc(80 * 10 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 80; x++) pixels.set(rgb(centres[Math.floor(x / 10)]), (y * 80 + x) * 3);
    const target = path.join(tmp, 'centres.png');
    await sharp(pixels, { raw: { width: 80, height: 10, channels: 3 } }).png().toFile(target);
    for (const how of [['--space', 'lab'], ['--space', 'oklab'], ['--metric', 'manhattan']]) {
      const out = path.join(tmp, `centres-${how[1]}.png`);
      const r = await run(['transfer', HIBISCUS, target, '--method', 'nearest', '-k', '8', ...how, '-o', out, '--json', '-q']);
      expect(r.code).toBe(0);
      const { mapping } = JSON.parse(r.stdout) as { mapping: { hex: string; sourceHex: string }[] };
      const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      const painted = (x: number) => `#${[...data.subarray(x * 3, x * 3 + 3)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      const said = Object.fromEntries(mapping.map((m) => [m.hex, m.sourceHex]));
      expect([how[1], centres.map((hex) => said[hex])]).toEqual([how[1], centres.map((_, i) => painted(i * 10 + 5))]);
    }
  });
});

describe('chromaseed transfer --method nearest on a video', () => {
  it('holds still pixels\' colours, dithered or not, more with a wider --pixel-margin, and as before with --pixel-hold -1 (the levers were refused with nearest)', async () => {
    const realshort = path.join(corpus, 'videos/imageio__realshort.mp4');
    const figures = async (...how: string[]) => {
      const out = path.join(tmp, `realshort-nearest${how.join('')}.gif`);
      const dither = how.includes('--dither') ? [] : ['--dither', 'floyd-steinberg'];
      const r = await run(['transfer', HIBISCUS, realshort, '--method', 'nearest', '-k', '8', ...dither, ...how, '-o', out, '--json', '-q']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { psnr: number; flicker_static: number; mapping: unknown[] };
    };
    const [held, wider, loose] = [await figures(), await figures('--pixel-margin', '2'), await figures('--pixel-hold', '-1')];
    // The target's clusters, which only say where their centres go, are found without
    // dithering (dithered too, they took as long again): the same as an undithered run's.
    const [plain, plainLoose] = [await figures('--dither', 'none'), await figures('--dither', 'none', '--pixel-hold', '-1')];
    expect(held.mapping).toEqual(plain.mapping);
    // Undithered, video's noise moves still pixels across the borders between source
    // colours, and the hold keeps them: measured 17.78 dB and 0.60, 17.82 and 2.99 without.
    expect(plain.flicker_static).toBeLessThan(plainLoose.flicker_static / 3);
    expect(plain.psnr).toBeGreaterThan(plainLoose.psnr - 0.1);
    // Measured: 13.84 dB and flicker 8.75 held (medium: 8 levels, margin 0.5), 13.73 and
    // 2.08 at margin 2, 13.52 and 63.2 without.
    expect(held.flicker_static).toBeLessThan(loose.flicker_static / 4);
    expect(wider.flicker_static).toBeLessThan(held.flicker_static / 2);
    expect(held.psnr).toBeGreaterThan(loose.psnr);
  });
});

describe('chromaseed transfer from fewer source colours than k', () => {
  it('writes each colour once: target clusters given one source colour share one entry (a one-colour source made 16 entries alike, the pixels spread over them)', async () => {
    const one = path.join(tmp, 'one-colour.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 51, g: 102, b: 153 } } }).png().toFile(one);
    const png = path.join(tmp, 'one-colour-coffee.png');
    expect((await run(['transfer', one, COFFEE, '-k', '16', '-o', png, '-q'])).code).toBe(0);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    for (let p = 0; p < info.width * info.height; p++) expect([...data.subarray(p * info.channels, p * info.channels + 3)]).toEqual([51, 102, 153]);
    // One palette entry: a 1-bit PNG (it was 4-bit, 16 entries), a few hundred bytes.
    expect((await sharp(png).metadata()).bitsPerSample).toBe(1);
    expect(statSync(png).size).toBeLessThan(1000);
    const gif = path.join(tmp, 'one-colour-chi.gif');
    expect((await run(['transfer', one, CHI, '-k', '16', '-o', gif, '-q'])).code).toBe(0);
    const bytes = readFileSync(gif);
    // The global table: the one colour, padded to GIF's smallest table (with a transparent slot at most).
    const table = bytes.subarray(13, 13 + 3 * (2 << (bytes[10] & 7)));
    expect([...table.subarray(0, 3)]).toEqual([51, 102, 153]);
    expect(table.length).toBeLessThanOrEqual(12);
    expect(new GifReader(bytes).numFrames()).toBe(new GifReader(readFileSync(CHI)).numFrames());
  });
});
