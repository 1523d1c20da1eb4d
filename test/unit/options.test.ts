import { describe, expect, it } from 'vitest';
import { ChromaseedError } from '../../src/errors.js';
import { resolveClusterOptions, resolveInputOptions, resolvePaletteOptions, resolveSequenceOptions } from '../../src/options.js';
import { STABILITY_PRESETS } from '../../src/sequence/stability.js';

describe('option resolvers refuse names they do not read', () => {
  it('a misspelt option is an ERR_USAGE naming it, not a silent default', () => {
    // The types refuse these names too (ts-expect-error); a caller in plain JavaScript has only the message.
    const calls = [
      // @ts-expect-error a misspelt name
      () => resolveSequenceOptions({ colours: 8 }),
      // @ts-expect-error
      () => resolveInputOptions({ frameRate: 10 }),
      // @ts-expect-error
      () => resolvePaletteOptions({ colors: 5, sorting: 'hue' }),
      // @ts-expect-error
      () => resolveClusterOptions({ k: 4 }, 6),
    ];
    for (const call of calls) {
      expect(call).toThrow(ChromaseedError);
      expect(call).toThrow(/^unknown option "(colours|frameRate|sorting|k)" for resolve(Sequence|Input|Palette|Cluster)Options(; did you mean "[a-zA-Z]+"\?)? \(valid: [a-z]/);
    }
    // Each resolver reads only its own names: an input option is not a sequence option.
    // @ts-expect-error an input option
    expect(() => resolveSequenceOptions({ fps: 10 })).toThrow(/unknown option "fps"/);
  });

  it('every name a resolver reads is accepted', () => {
    expect(resolveSequenceOptions({ colors: 8, seeding: 'seeded', dither: 'bayer', refresh: 2, maxIterations: 50 }).stability.refresh).toBe(2);
    expect(resolveSequenceOptions({ pixelHold: 2, pixelMargin: 0.5 }).stability).toMatchObject({ pixelHold: 2, pixelMargin: 0.5 });
    expect(resolveInputOptions({ fps: 10, width: 64, start: '1', duration: '2', maxPixels: 1000, maxFrames: 5 }).maxFrames).toBe(5);
    expect(resolvePaletteOptions({ colors: 5, sort: 'hue', vivid: true, json: true, maxPixels: 10 }).format).toBe('json');
    expect(resolveClusterOptions({ colors: 4, init: 'random', restarts: 2, metric: 'manhattan', space: 'lab', seed: 3, maxIterations: 9 }, 6).colors).toBe(4);
  });

  it('a time is seconds, with an exponent as any number (1e-1: a QA pass found it refused), or minutes and seconds with colons', () => {
    expect(resolveInputOptions({ start: '1e-1', duration: '2.5E1' })).toMatchObject({ start: 0.1, duration: 25 });
    expect(resolveInputOptions({ start: '1:02.5', duration: '1:00:00' })).toMatchObject({ start: 62.5, duration: 3600 });
    expect(() => resolveInputOptions({ start: '1:2e1' })).toThrow(/expected seconds >= 0 .* for --start but received "1:2e1"/);
    expect(() => resolveInputOptions({ start: '1:75' })).toThrow(/for --start but received "1:75"/);
    expect(() => resolveInputOptions({ duration: '1e9' })).toThrow(/at most 31536000/);
  });

  it("a time in seconds may end in one of ffmpeg's units (s, ms, us), and only a time in seconds may", async () => {
    expect(resolveInputOptions({ start: '300ms', duration: '2.5s' })).toMatchObject({ start: 0.3, duration: 2.5 });
    // Divided, not multiplied: 700 * 1e-3 is 0.7000000000000001.
    expect(resolveInputOptions({ start: '700ms', duration: '40000us' })).toMatchObject({ start: 0.7, duration: 0.04 });
    expect(resolveInputOptions({ start: '1e3ms', duration: '.5s' })).toMatchObject({ start: 1, duration: 0.5 });
    // A rate given as a fraction on the command line is its decimal, which ffmpeg gets back as that fraction.
    const { resolveRateFractions } = await import('../../src/cli/argv-checks.js');
    const { ffmpegRate } = await import('../../src/clip-options.js');
    const line = resolveRateFractions(['quantize', 'in.mp4', '--fps', '30000/1001', '--fps=24000/1001', '--', '--fps', '1/2']);
    expect(line).toEqual(['quantize', 'in.mp4', '--fps', String(30000 / 1001), `--fps=${24000 / 1001}`, '--', '--fps', '1/2']);
    expect([ffmpegRate(Number(line[3])), ffmpegRate(Number(line[4].slice(6))), ffmpegRate(29.97), ffmpegRate(10 / 3)]).toEqual(['30000/1001', '24000/1001', '29.97', '3.333333']);
    expect(resolveInputOptions({ start: '0ms', duration: '1us' })).toMatchObject({ start: 0, duration: 1e-6 });
    for (const odd of ['1:00.5s', '1:02ms', '5m', '1.5m', '2 s', '2MS', '500µs']) {
      expect(() => resolveInputOptions({ duration: odd })).toThrow(new RegExp(`with a unit too: 500ms, 2\\.5s\\) or a time like 1:02\\.5 \\(minutes and seconds under 60, no unit\\) for --duration but received "${odd}"`));
    }
  });

  it('the pixel hold acts on dithered output too: given with --dither it is taken, and a preset keeps its own (it was refused, and a preset\'s turned off)', () => {
    expect(resolveSequenceOptions({ dither: 'bayer', pixelHold: 2 }).stability).toMatchObject({ pixelHold: 2, pixelMargin: 0.5 });
    expect(resolveSequenceOptions({ dither: 'floyd-steinberg', pixelMargin: 2 }).stability).toMatchObject({ pixelHold: 8, pixelMargin: 2 });
    expect(resolveSequenceOptions({ dither: 'bayer', stability: 'high' }).stability).toMatchObject({ pixelHold: 16, pixelMargin: 1 });
    expect(resolveSequenceOptions({ dither: 'bayer', pixelHold: -1 }).stability.pixelHold).toBe(-1);
    // A margin without the hold is refused, dithered or not (--stability none has no hold).
    expect(() => resolveSequenceOptions({ stability: 'none', dither: 'bayer', pixelMargin: 2 })).toThrow(/^--pixel-margin acts with --pixel-hold, which this run has off \(--stability none\)/);
    // With one palette for the clip, the pixel hold is the one lever taken, dithered or not
    // (it was refused undithered, where a still pixel was thought to keep its entry anyway).
    expect(resolveSequenceOptions({ seeding: 'global', dither: 'floyd-steinberg', pixelHold: 4, pixelMargin: 1 }).stability).toMatchObject({ pixelHold: 4, pixelMargin: 1 });
    expect(resolveSequenceOptions({ seeding: 'global', dither: 'bayer' }).stability).toMatchObject({ pixelHold: 8, pixelMargin: 0.5 });
    expect(resolveSequenceOptions({ seeding: 'global', pixelHold: 4 }).stability).toMatchObject({ pixelHold: 4, pixelMargin: 0.5 });
    expect(() => resolveSequenceOptions({ seeding: 'global', pixelHold: 4, refresh: 2 })).toThrow(/^--refresh acts on --seeding seeded only, and this run uses --seeding global$/);
    expect(() => resolveSequenceOptions({ seeding: 'global', dither: 'bayer', pixelHold: 4, paletteHold: 2 })).toThrow(/^--palette-hold acts on --seeding seeded only, and this run uses --seeding global$/);
    expect(() => resolveSequenceOptions({ seeding: 'global', dither: 'bayer', stability: 'low' })).toThrow(/^--stability acts on --seeding seeded only/);
    expect(() => resolveSequenceOptions({ seeding: 'none', dither: 'bayer', pixelHold: 4 })).toThrow(/^--pixel-hold acts on --seeding seeded and global, and this run uses --seeding none$/);
  });

  it('a lever that only shapes another is refused while that one is off (they were taken and did nothing)', () => {
    expect(() => resolveSequenceOptions({ pixelHold: -1, pixelMargin: 3 })).toThrow(/^--pixel-margin acts with --pixel-hold, which this run has off \(--pixel-hold -1\); give it too, or drop --pixel-margin$/);
    expect(() => resolveSequenceOptions({ stability: 'none', pixelMargin: 3 })).toThrow(/\(--stability none\)/);
    expect(() => resolveSequenceOptions({ stability: 'high', refreshGain: 0.5 })).toThrow(/^--refresh-gain acts with --refresh, which this run has off \(--stability high\)/);
    expect(() => resolveSequenceOptions({ refresh: 0, stillWeight: 2 })).toThrow(/^--still-weight acts with --refresh, which this run has off \(--refresh 0\)/);
    expect(resolveSequenceOptions({ refresh: 0, stillWeight: 0 }).stability.stillWeight).toBe(0);
    expect(resolveSequenceOptions({ stability: 'high', refresh: 4, refreshGain: 0.5, pixelMargin: 2 }).stability).toMatchObject({ refresh: 4, refreshGain: 0.5, pixelMargin: 2 });
    // -1 is off; other values below 0 were taken as off.
    expect(() => resolveSequenceOptions({ pixelHold: -0.5 })).toThrow(/-1 \(off\) or a number from 0 to 255/);
  });

  it('the jump hold is a lever of the seeded mode, from 0 up, acting on its own', () => {
    expect(() => resolveSequenceOptions({ seeding: 'none', jumpHold: 1 })).toThrow(/^--jump-hold acts on --seeding seeded only, and this run uses --seeding none$/);
    expect(() => resolveSequenceOptions({ jumpHold: -1 })).toThrow(/--jump-hold/);
    expect(resolveSequenceOptions({ stability: 'none', jumpHold: 2 }).stability).toMatchObject({ paletteHold: 0, refresh: 0, jumpHold: 2 });
    expect([STABILITY_PRESETS.none.jumpHold, STABILITY_PRESETS.medium.jumpHold]).toEqual([0, 1]);
  });

  it('--restarts with --seeding none is refused unless it is the default, which resolved cluster options spread in carry', () => {
    expect(() => resolveSequenceOptions({ seeding: 'none', restarts: 5 })).toThrow(/^--restarts acts on --seeding seeded/);
    expect(resolveSequenceOptions({ ...resolveClusterOptions({ colors: 8 }), seeding: 'none' }).seeding).toBe('none');
    expect(resolveSequenceOptions({ seeding: 'global', restarts: 5 }).restarts).toBe(5);
    // The default depends on k: 3 from 128 on, which --seeding none lets through as it lets 10 through below.
    expect(resolveSequenceOptions({ ...resolveClusterOptions({ colors: 256 }), seeding: 'none' }).restarts).toBe(3);
    expect(() => resolveSequenceOptions({ seeding: 'none', colors: 256, restarts: 10 })).toThrow(/^--restarts acts on --seeding seeded/);
  });

  it("the restarts default to 10 below k = 128 and to 3 from there on, as the command line's help says", () => {
    expect([127, 128, 256].map((colors) => resolveClusterOptions({ colors }).restarts)).toEqual([10, 3, 3]);
    expect(resolveClusterOptions({ colors: 256, restarts: 10 }).restarts).toBe(10);
    expect(resolveSequenceOptions({ colors: 128 }).restarts).toBe(3);
  });

  it('the anchor, which has no Manhattan form, is refused with --metric manhattan however given, and a preset\'s is turned off', () => {
    expect(() => resolveSequenceOptions({ metric: 'manhattan', anchor: 4 })).toThrow(/--anchor works with --metric euclidean only/);
    // A library caller's string passed the check (it looked for a number) and ran without effect; text is no number now.
    expect(() => resolveSequenceOptions({ metric: 'manhattan', anchor: '4' } as never)).toThrow(/expected a number for --anchor but received "4"/);
    expect(resolveSequenceOptions({ metric: 'manhattan', anchor: 0 }).stability.anchor).toBe(0);
    expect(resolveSequenceOptions({ metric: 'manhattan', stability: 'high' }).stability).toMatchObject({ anchor: 0, pixelHold: 16 });
    expect(resolveSequenceOptions({ stability: 'high' }).stability.anchor).toBe(4);
  });

  it('a count given as a fraction is refused, not taken as it is', () => {
    expect(() => resolveClusterOptions({ colors: 2.5 })).toThrow(ChromaseedError);
    expect(() => resolveClusterOptions({ colors: 2.5 })).toThrow('expected an integer from 1 to 256 for --colors but received 2.5');
    expect(() => resolveSequenceOptions({ restarts: 1.5 })).toThrow(/--restarts but received 1\.5$/);
    expect(() => resolveInputOptions({ maxFrames: 10.5 })).toThrow(/--max-frames but received 10\.5$/);
  });

  it('seconds after a colon stay under 60: 1:59.5 is a time, 1:60 is refused', () => {
    expect(resolveInputOptions({ start: '1:59.5' }).start).toBe(119.5);
    expect(() => resolveInputOptions({ start: '1:60' })).toThrow(/for --start but received "1:60"$/);
    expect(() => resolveInputOptions({ duration: '0:60.5' })).toThrow(/for --duration but received "0:60.5"$/);
  });
});


describe('the same mistake reads the same wherever it is made', () => {
  it('a choice lists what is allowed as a sentence, a number its range as "from A to B", in the resolvers and in the core alike', async () => {
    const { kmeansPixels } = await import('../../src/kmeans/kmeans.js');
    const { createMapper } = await import('../../src/map/map-pixels.js');
    const { sortPalette } = await import('../../src/palette/sort.js');
    // @ts-expect-error a name the types refuse, as the command line's value would be
    expect(() => resolveSequenceOptions({ metric: 'L1' })).toThrow(/^expected euclidean or manhattan for --metric but received "L1"$/);
    expect(() => kmeansPixels(new Uint8Array([1, 2, 3, 255]), { k: 2, metric: 'L1' as never })).toThrow(/^expected euclidean or manhattan for metric but received "L1"$/);
    const pixel = { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) };
    expect(() => createMapper().map(pixel, new Uint8Array(3), 1, { metric: 'L1' as never, space: 'rgb', dither: 'none' })).toThrow(/^expected euclidean or manhattan for metric but received "L1"$/);
    // @ts-expect-error
    expect(() => resolvePaletteOptions({ sort: 'size' })).toThrow(/^expected count, hue or lightness for --sort but received "size"$/);
    expect(() => sortPalette([], 'size' as never)).toThrow(/^expected count, hue or lightness for --sort but received "size"$/);
    expect(() => resolveSequenceOptions({ colors: 300 })).toThrow(/^expected an integer from 1 to 256 for --colors but received 300$/);
    expect(() => kmeansPixels(new Uint8Array([1, 2, 3, 255]), { k: 300 })).toThrow(/^expected an integer from 1 to 256 for k but received 300$/);
  });
});
