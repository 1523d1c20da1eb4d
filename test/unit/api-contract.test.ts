import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { ChromaseedError } from '../../src/errors.js';
import { createGifEncoder } from '../../src/encode/gif-encode.js';
import { nearestIndex } from '../../src/map/nearest.js';
import { createKMeans, kmeansPixels, kmeansPoints } from '../../src/kmeans/kmeans.js';
import { fromSrgb } from '../../src/color/space.js';
import { parsePaletteText } from '../../src/palette/read-palette.js';
import { createSceneCutDetector } from '../../src/sequence/scene-cut.js';
import { matchPalettes, transferCost } from '../../src/transfer/match.js';
import { createMapper } from '../../src/map/map-pixels.js';
import { createQualityMeter, inertia } from '../../src/metrics/quality.js';
import { DITHERS, INITS, METRICS, resolveClusterOptions, resolveInputOptions, resolvePaletteOptions, resolveSequenceOptions, SEEDINGS, SPACES, TRANSFER_METHODS } from '../../src/options.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import { clipPalette, createColorAccumulator, type ClusterRequest } from '../../src/sequence/global-palette.js';
import { createSequentialQuantizer } from '../../src/sequence/sequential.js';
import { createPaletteTransfer, sourcePaletteFromCounts } from '../../src/transfer/transfer.js';
import { boostSaturation, vividPoints } from '../../src/palette/vivid.js';
import { formatPalette } from '../../src/palette/format.js';
import { sortPalette } from '../../src/palette/sort.js';
import { solveAssignment } from '../../src/transfer/hungarian.js';
import { paletteFromKMeans } from '../../src/palette/palette.js';
import { sniffKind } from '../../src/io/open-input.js';
import { clusterInThread } from '../../src/io/kmeans-thread.js';
import { resolveStability, STABILITY_PRESETS, type StabilityOptions } from '../../src/sequence/stability.js';
import type { FrameSource, IndexedFrame, TimedFrame } from '../../src/types.js';

// What the library does with arguments that break its contract: a ChromaseedError a caller
// can act on (or the RangeError the README documents for a writer's frames), never a hang,
// a TypeError from deep inside, or output made up from what was not given.

const RGBA = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255];

function sourceOf(frames: TimedFrame[]): () => Promise<FrameSource> {
  return async () => ({
    info: { width: frames[0].width, height: frames[0].height, frameCount: frames.length },
    frames: (async function* () {
      yield* frames;
    })(),
  });
}

async function drain(frames: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of frames) n++;
  return n;
}

describe('pixels that are not bytes', () => {
  it('are refused: a Float32Array hung k-means, a Uint16Array read as all transparent', () => {
    for (const make of [(v: number[]) => new Float32Array(v), (v: number[]) => new Float64Array(v), (v: number[]) => new Uint16Array(v), (v: number[]) => v]) {
      expect(() => kmeansPixels(make(RGBA) as unknown as Uint8Array, { k: 2 })).toThrow(/^rgba is an? \w+; expected RGBA bytes \(a Uint8Array, Uint8ClampedArray or Buffer\)$/);
    }
    // A palette of another kind is said to want RGB bytes, not RGBA.
    expect(() => nearestIndex(new Float64Array([255, 0, 0]) as unknown as Uint8Array, 1, 250, 0, 0)).toThrow(/^palette is a Float64Array; expected RGB bytes, 3 a colour \(a Uint8Array, Uint8ClampedArray or Buffer\)$/);
    // What a canvas gives works as it always did, and so do bytes made in another realm (a vm context, jsdom).
    expect(kmeansPixels(new Uint8ClampedArray(RGBA) as unknown as Uint8Array, { k: 2 }).k).toBe(2);
    const foreign = runInNewContext(`new Uint8Array(${JSON.stringify(RGBA)})`) as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(kmeansPixels(foreign, { k: 2 }).k).toBe(2);
  });

  it('are refused by the quality meter, which measured an Int8Array copy of the source at -0.03 dB', () => {
    const source = { width: 2, height: 2, data: new Uint8Array(RGBA) };
    for (const data of [new Int8Array(RGBA), new Float32Array(RGBA), new Uint16Array(RGBA), RGBA]) {
      const output = { width: 2, height: 2, data: data as unknown as Uint8Array };
      expect(() => createQualityMeter().add(source, output)).toThrow(/^output frame data is an? \w+; expected RGBA bytes/);
      expect(() => createQualityMeter().add(output, source)).toThrow(/^source frame data is an? \w+; expected RGBA bytes/);
    }
    const same = createQualityMeter();
    same.add(source, { ...source });
    expect(same.result().psnr).toBe(100);
    // -2 x -2 made 16 bytes a frame, and a fractional width was counted too.
    for (const [width, height] of [[-2, -2], [1.5, 2]]) {
      const odd = { width, height, data: new Uint8Array(16) };
      expect(() => createQualityMeter().add(odd, odd)).toThrow(`a frame's width and height are whole numbers of pixels, 0 or more, not ${width} and ${height}`);
    }
  });

  it('are refused in a clip and by the mapper, with the frame named', async () => {
    const frame = { width: 2, height: 2, data: new Uint16Array(RGBA) as unknown as Uint8Array, delayMs: 100 };
    await expect(drain(quantizeClip(sourceOf([frame]), resolveSequenceOptions({ colors: 2 })))).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/^frame data is a Uint16Array/) });
    expect(() => createMapper().map(frame, new Uint8Array(6), 2, { metric: 'euclidean', space: 'rgb', dither: 'none' })).toThrow(/^frame data is a Uint16Array/);
  });

  it("are taken from a Buffer that starts at any byte (a Buffer's view at offset 1 failed with a bare RangeError: its slice, meant as a copy, is a view)", async () => {
    const at = (offset: number): Buffer => {
      const pool = Buffer.alloc(RGBA.length + 4);
      pool.set(RGBA, offset);
      return pool.subarray(offset, offset + RGBA.length);
    };
    const expected = kmeansPixels(new Uint8Array(RGBA), { k: 2 });
    for (const offset of [1, 2, 3]) {
      const bytes = at(offset);
      expect(bytes.byteOffset % 4).not.toBe(0);
      expect(kmeansPixels(bytes, { k: 2 }).centroids).toEqual(expected.centroids);
      expect(createKMeans({ frames: true }).run(bytes, { k: 2 }).centroids).toEqual(expected.centroids);
      expect(vividPoints(bytes).n).toBe(vividPoints(new Uint8Array(RGBA)).n);
      const meter = createQualityMeter();
      meter.add({ width: 2, height: 2, data: bytes }, { width: 2, height: 2, data: at(offset) });
      expect(meter.result().psnr).toBe(100);
      expect(await drain(quantizeClip(sourceOf([{ width: 2, height: 2, data: bytes, delayMs: 100 }]), resolveSequenceOptions({ colors: 2 })))).toBe(1);
    }
  });

  it('are refused when their buffer was transferred away (a QA pass found bare TypeErrors), while empty bytes stay empty', () => {
    const detached = () => {
      const bytes = new Uint8Array(RGBA);
      structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
      return bytes;
    };
    const gone = (name: string) => expect.objectContaining({ code: 'ERR_INPUT', message: `${name} is a view of a detached buffer (transferred away, to a worker say): its bytes are gone` });
    expect(() => kmeansPixels(detached(), { k: 2 })).toThrow(gone('rgba'));
    expect(() => createKMeans({ frames: true }).run(detached(), { k: 2 })).toThrow(gone('rgba'));
    const empty = { width: 0, height: 0, data: new Uint8Array(0) };
    expect(() => createQualityMeter().add({ width: 0, height: 0, data: detached() }, empty)).toThrow(gone('source frame data'));
    expect(() => sniffKind(detached())).toThrow(gone("sniffKind's head"));
    expect(kmeansPixels(new Uint8Array(0), { k: 2 }).k).toBe(0);
  });
});

describe('smaller contract breaks, each refused with the error type the README gives', () => {
  it('kmeansPixels: a length that is not whole pixels is ERR_INPUT, as a short frame is (it was ERR_USAGE)', () => {
    expect(() => kmeansPixels(new Uint8Array(RGBA.slice(0, 6)), { k: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'rgba has 6 bytes, not a whole number of RGBA pixels (4 bytes each)' }));
  });

  it('a palette transfer refuses target pixels that are not bytes, and a source of another size than its indexed frame (it failed with "cost 1 is NaN" or went on)', () => {
    const source = { size: 2, rgb: new Uint8Array([255, 0, 0, 0, 0, 255]), proportions: new Float64Array([0.5, 0.5]) };
    const indexed: IndexedFrame = { width: 2, height: 2, indices: new Uint8Array([0, 1, 0, 1]), palette: new Uint8Array([10, 10, 10, 240, 240, 240]), size: 2, transparent: null, delayMs: 100 };
    const frame = { source: { width: 2, height: 2, data: new Uint8Array(RGBA) }, indexed, inertia: 0 };
    expect(createPaletteTransfer(source, { method: 'optimal' }).next(frame).size).toBe(2);
    expect(() => createPaletteTransfer(source, { method: 'optimal' }).next({ ...frame, source: { width: 2, height: 2, data: new Float32Array(16) as unknown as Uint8Array } })).toThrow(/^frame data is a Float32Array/);
    expect(() => createPaletteTransfer(source, { method: 'optimal' }).next({ ...frame, source: { width: 1, height: 1, data: new Uint8Array(4) } })).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: "a target frame's indexed frame is 2x2 and its source 1x1; they are one frame, of one size" }));
  });

  it('a source palette built by hand is checked where the transfer is made (no proportions, NaN shares, a size past its colours and no source at all failed deep inside, with a TypeError or "cost 1 is NaN")', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 0, 255]);
    const made = (source: unknown) => () => createPaletteTransfer(source as Parameters<typeof createPaletteTransfer>[0], { method: 'optimal' });
    const refused = (source: unknown, message: RegExp) => {
      expect(made(source)).toThrow(ChromaseedError);
      expect(made(source)).toThrow(message);
    };
    refused(undefined, /^a source palette is \{ size, rgb, proportions \}/);
    refused({ size: 0, rgb, proportions: [] }, /^a source palette has 1 to 256 colours, not 0: an empty one/);
    refused({ size: 3, rgb, proportions: [0.3, 0.3, 0.4] }, /needs 9 bytes of rgb \(a Uint8Array\), not 6$/);
    refused({ size: 1, proportions: [1] }, /^a source palette of 1 colours needs 3 bytes of rgb \(a Uint8Array\), not undefined$/);
    refused({ size: 2, rgb }, /needs 2 proportions/);
    refused({ size: 2, rgb, proportions: [NaN, 1] }, /colour 0's is NaN/);
    expect(made({ size: 2, rgb, proportions: [0, 1] })).not.toThrow();
    expect(() => createPaletteTransfer({ size: 2, rgb, proportions: [0.5, 0.5] }, { method: 'rank' }).next(undefined as never)).toThrow(/^a target frame is/);
  });

  it('palettes built from colours and counts refuse colours outside 0..255 and counts that are no number >= 0 (300 wrapped to 44; a NaN count gave the one colour kept a share of 0)', () => {
    expect(() => sourcePaletteFromCounts([300, 0, 0], [1], 1)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: "sourcePaletteFromCounts: colour 0's r is 300; each is a number from 0 to 255" }));
    expect(() => sourcePaletteFromCounts([255, 0, 0, 0, 255, 0], [NaN, 1], 2)).toThrow("sourcePaletteFromCounts: colour 0's count is NaN; a count is a number of pixels, 0 or more");
    expect(() => sourcePaletteFromCounts([255, 0, 0, 0, 255, 0], [-1, 2], 2)).toThrow("colour 0's count is -1");
    expect(sourcePaletteFromCounts([255, 0, 0, 0, 255, 0.5], [1, 3], 2)).toMatchObject({ size: 2, rgb: new Uint8Array([0, 255, 1, 255, 0, 0]), proportions: new Float64Array([0.75, 0.25]) });
    const result = { k: 2, centroids: new Float64Array([1, 2, 3, 4, 5, 6]), counts: new Float64Array([1, 1]), inertia: 0, iterations: 0 };
    expect(() => paletteFromKMeans({ ...result, centroids: new Float64Array(3) })).toThrow('paletteFromKMeans needs 6 colour values (r, g and b of each) for 2 colours');
    expect(() => paletteFromKMeans({ ...result, centroids: new Float64Array([NaN, 2, 3, 4, 5, 6]) })).toThrow("paletteFromKMeans: colour 0's r is NaN");
    expect(() => paletteFromKMeans(null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    expect(paletteFromKMeans(result).colors.map((c) => c.hex)).toEqual(['#010203', '#040506']);
  });

  it("switches are true or false, and a hook a function, wherever an options object takes them ('no' was read as true, 'yes' as false; onIteration: 5 failed with \"hook is not a function\")", () => {
    const pixels = new Uint8Array(RGBA);
    for (const [name, value] of [['labels', 'yes'], ['exactGrey', 1]] as const) {
      expect(() => kmeansPixels(pixels, { k: 2, [name]: value })).toThrow(`expected true or false for ${name} but received ${JSON.stringify(value)}`);
    }
    expect(() => kmeansPixels(pixels, { k: 2, onIteration: 5 as never })).toThrow('expected a function for onIteration but received 5');
    expect(() => createGifEncoder({ width: 1, height: 1, differencing: 'no' as never })).toThrow('expected true or false for differencing but received "no"');
    const frame = { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) };
    expect(() => createMapper().map(frame, new Uint8Array(6), 2, { metric: 'euclidean', space: 'rgb', dither: 'floyd-steinberg', serpentine: 'no' as never })).toThrow('expected true or false for serpentine but received "no"');
    expect(kmeansPixels(pixels, { k: 2, labels: true, exactGrey: false, onIteration: () => undefined }).labels).toHaveLength(4);
  });

  it("a k-means run's difference, inertia's mapper and the anchor weights are checked (a TypeError from inside; \"received 1 numbers\" for a NaN weight)", () => {
    const pixels = new Uint8Array(RGBA);
    const engine = createKMeans({ frames: true });
    engine.run(pixels, { k: 2 });
    expect(() => engine.run(pixels, { k: 2 }, 5 as never)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: "a run's difference is { width, changed }: the frame's width (a whole divisor of its 4 pixels) and null or a box { x0, y0, x1, y1 } inside it, not 5" }));
    expect(() => engine.run(pixels, { k: 2 }, { width: 2, changed: { x0: 0, y0: 0, x1: 3, y1: 1 } })).toThrow(/^a run's difference is/);
    expect(engine.run(pixels, { k: 2 }, { width: 2, changed: null }).k).toBe(2);
    expect(() => inertia({ width: 2, height: 2, data: pixels }, new Uint8Array(6), 2, {} as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^expected a mapper \(createMapper\(\)\) for mapper/) }));
    expect(() => kmeansPixels(pixels, { k: 1, anchorWeights: new Float64Array([Number.NaN]) })).toThrow('expected a finite weight >= 0 for anchorWeights[0] but received something that is not a number');
  });

  it("a mapper's output buffer is bytes (an Int8Array gave index 199 back as -57; null a TypeError)", () => {
    const mapper = createMapper();
    const frame = { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) };
    const options = { metric: 'euclidean', space: 'rgb', dither: 'none' } as const;
    for (const [out, shown] of [[new Int8Array(1), 'an Int8Array'], [null, 'null'], [new Uint8Array(0), '0 bytes']] as const) {
      expect(() => mapper.map(frame, new Uint8Array(6), 2, options, out as unknown as Uint8Array)).toThrow(`the output buffer for 1 palette indices is a Uint8Array of at least 1 bytes, not ${shown}`);
    }
  });

  it('vividPoints refuses pixels that are not RGBA bytes, as kmeansPixels does (it read a Float32Array as bytes)', () => {
    expect(() => vividPoints(new Float32Array(64) as unknown as Uint8Array)).toThrow(/^rgba is a Float32Array/);
    expect(() => vividPoints(new Uint8Array([255, 0, 0, 255, 9]))).toThrow(/^rgba has 5 bytes, not a whole number of RGBA pixels/);
    expect(vividPoints(new Uint8Array(RGBA)).n).toBeGreaterThan(0);
  });

  it("a frame's width and height that are not whole pixel counts are named as the problem (the message spoke of -8x-8x4 = 256 bytes)", () => {
    const q = createSequentialQuantizer(resolveSequenceOptions({ colors: 2 }));
    expect(() => q.next({ width: -8, height: -8, data: new Uint8Array(256) })).toThrow(/^a frame's width and height are whole numbers of pixels, 0 or more, not -8 and -8$/);
    expect(() => q.next({ width: 2.5, height: 25.6, data: new Uint8Array(256) })).toThrow(ChromaseedError);
  });

  it('sniffKind takes bytes and says so when given a name (it failed with "head.subarray is not a function")', () => {
    expect(() => sniffKind('samples/cars.gif' as unknown as Uint8Array)).toThrow(/^sniffKind takes a file's first bytes \(a Uint8Array or Buffer\), not a name \("samples\/cars.gif"\)/);
    expect(sniffKind(readFileSync(path.resolve(__dirname, '../../samples/cars.gif')).subarray(0, 64))).toBe('gif');
  });
});

describe('options that did not go through the resolvers', () => {
  it("are held to the resolvers' limits: restarts up to 1000 and iterations up to 10000 in k-means, and resolved options changed by hand (10^9 restarts held the thread for hours; a tolerance of '0.1' was taken: found by a library QA pass)", () => {
    const px = new Uint8Array(RGBA);
    expect(() => kmeansPixels(px, { k: 2, restarts: 1001 })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'expected an integer from 1 to 1000 for restarts but received 1001' }));
    expect(() => kmeansPoints(new Float64Array(6), null, { k: 1, restarts: 1e9 })).toThrow(/^expected an integer from 1 to 1000 for restarts/);
    expect(() => kmeansPixels(px, { k: 2, maxIterations: 10_001 })).toThrow(/^expected an integer from 0 to 10000 for maxIterations/);
    expect(() => kmeansPixels(px, { k: 2, refineIterations: 1e9 })).toThrow(/^expected an integer from 0 to 10000 for refineIterations/);
    expect(() => kmeansPixels(px, { k: 2, tolerance: '0.1' as never })).toThrow(/^expected a number >= 0 for tolerance but received /);
    expect(kmeansPixels(px, { k: 2, restarts: 1000, maxIterations: 10_000 }).k).toBe(2);
    expect(() => createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 2 }), restarts: 1e9 })).toThrow(/^expected an integer from 1 to 1000 for --restarts but received 1000000000$/);
  });

  it('are refused by quantizeClip and clipPalette, naming what is missing and the resolver (quantizeClip blamed seeding and pointed to itself)', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
    const raw = { colors: 2 } as unknown as ReturnType<typeof resolveSequenceOptions>;
    await expect(drain(quantizeClip(sourceOf([frame]), raw))).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: 'quantizeClip was given options without init, restarts, metric, space, seed, maxIterations, seeding, dither or stability: pass them through resolveSequenceOptions, which checks them and fills in the defaults',
    });
    await expect(clipPalette(sourceOf([frame]), { ...resolveSequenceOptions({ colors: 2 }), metric: undefined } as unknown as ReturnType<typeof resolveSequenceOptions>)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^clipPalette was given options without metric: pass them through resolveClusterOptions/) });
  });

  it('no options at all are refused the same way, by quantizeClip, clipPalette and the per-frame quantizer (each failed with a TypeError from inside)', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
    const none = undefined as unknown as ReturnType<typeof resolveSequenceOptions>;
    await expect(drain(quantizeClip(sourceOf([frame]), none))).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^quantizeClip needs its options \(it was given undefined\): pass them through resolveSequenceOptions/) });
    await expect(clipPalette(sourceOf([frame]), none)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^clipPalette needs its options/) });
    expect(() => createSequentialQuantizer(none)).toThrow(/^createSequentialQuantizer needs its options \(it was given undefined\): pass them through resolveSequenceOptions/);
    expect(() => createSequentialQuantizer({ colors: 2, seeding: 'seeded' } as unknown as ReturnType<typeof resolveSequenceOptions>)).toThrow(/^createSequentialQuantizer was given options without init, restarts, metric, space, seed or maxIterations/);
  });

  it('a value given as a one-element array is shown as one, not as "given 1 times"', () => {
    expect(() => resolveSequenceOptions({ colors: [16] } as never)).toThrow('expected an integer from 1 to 256 for --colors but received [16]');
  });

  it('a number given as text, a flag given as anything but true or false, and null are refused alike (colors "0x10" was 16, width "320" refused, vivid "yes" false)', () => {
    for (const [resolve, name, value, expected] of [
      [resolveSequenceOptions, 'colors', '16', 'an integer from 1 to 256'],
      [resolveSequenceOptions, 'colors', '0x10', 'an integer from 1 to 256'],
      [resolveSequenceOptions, 'colors', null, 'an integer from 1 to 256'],
      [resolveSequenceOptions, 'pixelHold', '3', 'a number'],
      [resolveSequenceOptions, 'metric', null, 'euclidean or manhattan'],
      [resolvePaletteOptions, 'vivid', 'yes', 'true or false'],
      [resolvePaletteOptions, 'json', 1, 'true or false'],
      [resolveInputOptions, 'width', '320', 'a whole number of pixels from 1 to 16384'],
    ] as const) {
      expect(() => (resolve as (o: object) => unknown)({ [name]: value }), `${name}: ${String(value)}`).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringContaining(`expected ${expected}`) }));
    }
    expect(resolvePaletteOptions({ vivid: true, json: false })).toMatchObject({ vivid: true, format: 'text' });
  });

  it("an array or a Map is no options object, and resolveClusterOptions's default colours are checked (they were taken, 300 colours too)", () => {
    expect(() => resolveClusterOptions([] as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'options are an object such as { colors: ... }, not an array' }));
    expect(() => resolveSequenceOptions(new Map([['colors', 4]]) as never)).toThrow('options are an object such as { colors: ... }, not a Map');
    expect(() => resolveClusterOptions({}, 300)).toThrow('expected an integer from 1 to 256 for defaultColors but received 300');
    expect(resolveClusterOptions({}, 8).colors).toBe(8);
  });

  it('the lists of choices cannot be changed (METRICS.push("cosine") made the resolvers accept it)', () => {
    for (const list of [METRICS, SPACES, INITS, SEEDINGS, DITHERS, TRANSFER_METHODS]) expect(Object.isFrozen(list)).toBe(true);
    expect(() => (METRICS as string[]).push('cosine')).toThrow(TypeError);
    expect(() => resolveSequenceOptions({ metric: 'cosine' as never })).toThrow(/expected euclidean or manhattan/);
  });

  it("a palette transfer's method is checked where the transfer is made, as the option errors are (an unknown one failed at the first frame, a RangeError)", () => {
    const source = sourcePaletteFromCounts([255, 0, 0], [1], 1);
    expect(() => createPaletteTransfer(source, { method: 'foo' } as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'expected optimal, rank, lightness or nearest for --method but received "foo"' }));
    expect(() => createPaletteTransfer(source, undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    // Its map options too, whatever the method (a bad dither was taken, or failed at the first frame: found by a library QA pass).
    for (const method of ['optimal', 'nearest'] as const) {
      expect(() => createPaletteTransfer(source, { method, map: { metric: 'euclidean', space: 'rgb', dither: 'x' as never } })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/ for dither but received "x"$/) }));
      expect(() => createPaletteTransfer(source, { method, map: 'str' as never })).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    }
    expect(createPaletteTransfer(source, { method: 'nearest', map: { metric: 'manhattan', space: 'lab', dither: 'bayer' } })).toBeDefined();
  });

  it("a palette transfer's map and weights take their defaults for what they leave out, and a bad value is named (map { dither: 'atkinson' } was refused naming the metric it left out; { dither: 'bayer' } refused too)", () => {
    const source = sourcePaletteFromCounts([0, 0, 0, 255, 255, 255], [1, 1], 2);
    const grey = { width: 2, height: 1, data: new Uint8Array([100, 100, 100, 255, 140, 140, 140, 255]) };
    const target = { source: grey, indexed: { width: 2, height: 1, indices: new Uint8Array([0, 1]), palette: new Uint8Array([100, 100, 100, 140, 140, 140]), size: 2, transparent: null, delayMs: 100 }, inertia: NaN, fresh: true };
    // Bayer between black and white: the two greys come out mixed, not each its nearest.
    const whole = createPaletteTransfer(source, { method: 'nearest', map: { metric: 'euclidean', space: 'rgb', dither: 'bayer' }, pixelHold: -1 }).next(target);
    const partial = createPaletteTransfer(source, { method: 'nearest', map: { dither: 'bayer' }, pixelHold: -1 }).next(target);
    expect(Array.from(partial.indices)).toEqual(Array.from(whole.indices));
    expect(() => createPaletteTransfer(source, { method: 'nearest', map: { dither: 'atkinson' as never } })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'expected none, floyd-steinberg or bayer for dither but received "atkinson"' }));
    expect(() => createPaletteTransfer(source, { method: 'optimal', weights: { lightness: 2 } })).not.toThrow();
    expect(() => createPaletteTransfer(source, { method: 'optimal', weights: { lightness: -1 } })).toThrow('expected a finite number of at least 0 for weights.lightness but received -1');
    expect(() => createPaletteTransfer(source, { method: 'optimal', weights: 'heavy' as never })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^expected an object such as \{ lightness: 1, color: 0\.5, frequency: 0\.25 \} for weights/) }));
  });

  it("numbers given as text, true or [8] are refused wherever a lever or weight comes in, as the resolvers refuse them (a transfer's pixelHold '8', a weight '1', resolveStability's sceneCut '2' and k-means' text weights were taken)", () => {
    const source = sourcePaletteFromCounts([255, 0, 0, 0, 0, 255], [1, 1], 2);
    for (const pixelHold of ['8', true, [8]]) {
      expect(() => createPaletteTransfer(source, { method: 'nearest', pixelHold: pixelHold as never }), String(pixelHold)).toThrow(/^expected -1 \(off\) or a number from 0 to 255 for --pixel-hold but received /);
    }
    for (const weights of [{ lightness: '1' }, { color: true }, { frequency: [0.25] }]) {
      expect(() => createPaletteTransfer(source, { method: 'optimal', weights: weights as never }), JSON.stringify(weights)).toThrow(/^expected a finite number of at least 0 for weights\.(lightness|color|frequency) but received /);
    }
    expect(() => resolveStability('medium', { sceneCut: '2' as never })).toThrow('expected 0 (off) or a number from 1 to 1000000000 for --scene-cut but received "2"');
    expect(() => kmeansPoints(new Float64Array([1, 2, 3, 4, 5, 6]), ['1', '2'] as never, { k: 1 })).toThrow(/^expected a number \(<= 0 ignores the point\) for weights\[0\] but received "1"$/);
    expect(() => kmeansPoints(['1', 2, 3] as never, null, { k: 1 })).toThrow(/^expected a finite number of at most 1e100 in size for points\[0\] but received "1"$/);
    expect(() => kmeansPixels(new Uint8Array(RGBA), { k: 1, anchorWeights: ['1'] as never })).toThrow('expected a finite weight >= 0 for anchorWeights[0] but received "1"');
  });

  it("the public entry exports the resolvers, not their helpers (integer, choice, the name lists were public by a blanket re-export)", async () => {
    const core = await import('../../src/core.js');
    for (const internal of ['integer', 'choice', 'requireResolved', 'leverGiven', 'CLUSTER_NAMES', 'SEQUENCE_NAMES']) expect(core, internal).not.toHaveProperty(internal);
    for (const name of ['resolveSequenceOptions', 'resolveInputOptions', 'resolvePaletteOptions', 'resolveClusterOptions', 'METRICS', 'MAX_COLORS', 'sourcePaletteFromCounts']) expect(core, name).toHaveProperty(name);
    // What a public function takes, a user can make: histogramInertia's search, the stability levels' list.
    expect(Object.isFrozen(core.STABILITY_LEVELS)).toBe(true);
    expect(Object.keys(core.STABILITY_PRESETS)).toEqual([...core.STABILITY_LEVELS]);
    const engine = core.createKMeans();
    engine.run(new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]), { k: 1 });
    const search = core.createPaletteSearch();
    const palette = new Uint8Array([255, 0, 0]);
    expect(core.histogramInertia(engine.histogram, palette, 1, search)).toBe(core.histogramInertia(engine.histogram, palette, 1));
    expect(core.histogramInertia(engine.histogram, palette, 1, search)).toBe(255 * 255 * 2);
  });
});

describe('core functions the README does not list, given what they do not take', () => {
  it('answer with a ChromaseedError naming it (boostSaturation(null) and an accumulator finished without options were TypeErrors; finish({ colours: 3 }) named k)', () => {
    expect(() => boostSaturation(null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^expected an object such as a palette .* for palette but received null$/) }));
    expect(() => boostSaturation({} as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/palette's colors/) }));
    const counted = () => {
      const accumulator = createColorAccumulator();
      accumulator.add({ width: 2, height: 1, data: new Uint8Array([10, 20, 30, 255, 200, 100, 0, 255]) });
      return accumulator;
    };
    expect(() => counted().finish(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^a colour accumulator's request or finish needs its options \(it was given undefined\)/) }));
    expect(() => counted().finish({ colours: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^unknown option "colours" for a colour accumulator's request or finish; did you mean "colors"\?/) }));
    expect(counted().finish(resolveClusterOptions({ colors: 2 })).palette.size).toBe(2);
  });
});

describe('a clip of frames with no pixels', () => {
  it('is quantized frame by frame, as one of pixels is (0 wide, its second frame failed: "a run\'s difference is { width, changed }")', async () => {
    for (const [width, height] of [[0, 0], [0, 5], [5, 0]]) {
      const frames = Array.from({ length: 3 }, () => ({ width, height, data: new Uint8Array(0), delayMs: 50 }));
      for (const seeding of ['seeded', 'none', 'global'] as const) {
        expect(await drain(quantizeClip(sourceOf(frames), resolveSequenceOptions({ colors: 4, seeding }))), `${width}x${height} ${seeding}`).toBe(3);
      }
    }
  });
});

describe('a frame of another length than width x height x 4', () => {
  it('is refused by quantizeClip and by one palette for the clip, not padded with made-up pixels', async () => {
    const short = { width: 2, height: 2, data: new Uint8Array(RGBA.slice(0, 8)), delayMs: 100 };
    for (const seeding of ['seeded', 'none', 'global'] as const) {
      await expect(drain(quantizeClip(sourceOf([short]), resolveSequenceOptions({ colors: 2, seeding })))).rejects.toMatchObject({ code: 'ERR_INPUT', message: 'frame data has 8 bytes, expected 2x2x4 = 16' });
    }
  });

  it("is refused by quantizeClip at another size than the clip's info, or with a delay that is no number >= 0 (the writer failed later, with a RangeError)", async () => {
    const frame = (width: number, height: number, delayMs = 100): TimedFrame => ({ width, height, data: new Uint8Array(width * height * 4).fill(255), delayMs });
    const options = resolveSequenceOptions({ colors: 2 });
    const clip = (...frames: TimedFrame[]) => async () => ({ info: { width: 2, height: 2 }, frames: (async function* () {
      yield* frames;
    })() });
    await expect(drain(quantizeClip(clip(frame(2, 2), frame(1, 4)), options))).rejects.toMatchObject({ code: 'ERR_INPUT', message: "frame 1 is 1x4, but the clip's info says 2x2: every frame of a clip has the clip's size" });
    await expect(drain(quantizeClip(clip(frame(0, 0)), options))).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/^frame 0 is 0x0/) });
    for (const [delay, shown] of [[NaN, 'NaN'], [-5, '-5'], [Infinity, 'Infinity'], ['100', '"100"'], [undefined, 'undefined']] as const) {
      await expect(drain(quantizeClip(clip(frame(2, 2), { ...frame(2, 2), delayMs: delay as number }), options))).rejects.toMatchObject({ code: 'ERR_INPUT', message: `frame 1's delay is ${shown} ms; it must be a number >= 0` });
    }
    expect(await drain(quantizeClip(clip(frame(2, 2), frame(2, 2, 0)), options))).toBe(2);
    // One palette for the clip checks them as it counts them (it counted them, and --seeding global failed only in its second pass).
    const clustering = resolveClusterOptions({ colors: 2 });
    await expect(clipPalette(clip(frame(2, 2), frame(1, 4)), clustering)).rejects.toMatchObject({ code: 'ERR_INPUT', message: "frame 1 is 1x4, but the clip's info says 2x2: every frame of a clip has the clip's size" });
    await expect(clipPalette(clip({ ...frame(2, 2), delayMs: -1 }), clustering)).rejects.toMatchObject({ code: 'ERR_INPUT', message: "frame 0's delay is -1 ms; it must be a number >= 0" });
    expect((await clipPalette(clip(frame(2, 2), frame(2, 2, 0)), clustering)).palette.size).toBe(1);
  });

  it('as the frame before, given to the per-frame quantizer, is refused (it read indices past the end)', () => {
    const quantizer = createSequentialQuantizer(resolveSequenceOptions({ colors: 2 }));
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA) };
    quantizer.next(frame);
    expect(() => quantizer.next(frame, { source: new Uint8Array(RGBA.slice(0, 8)), indices: new Uint8Array(2) })).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'the frame before has 2 pixels and 2 indices; this frame has 4 (pass it only when the sizes match)' }));
    // A changedWithin past the frame's edge would be read as array bounds.
    const before = { source: new Uint8Array(RGBA), indices: new Uint8Array(4) };
    expect(() => quantizer.next(frame, { ...before, changedWithin: { x0: 0, y0: 0, x1: 3, y1: 2 } })).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'changedWithin is a box { x0, y0, x1, y1 } of whole numbers inside the 2x2 frame, not {"x0":0,"y0":0,"x1":3,"y1":2}' }));
    expect(() => quantizer.next(frame, { ...before, changedWithin: null as never })).toThrow(/^changedWithin is a box/);
    expect(() => quantizer.next({ ...frame, data: frame.data.slice() }, { ...before, changedWithin: { x0: 1, y0: 1, x1: 2, y1: 2 } })).not.toThrow();
    // The frame itself where its bytes belong read as "NaN pixels"; null crashed reading its fields.
    // Refused as any other array that is no bytes (README): ERR_INPUT, not a TypeError.
    const notBytes = (() => {
      try {
        quantizer.next(frame, { source: frame as unknown as Uint8Array, indices: new Uint8Array(4) });
      } catch (err) {
        return err;
      }
    })();
    expect(notBytes).toBeInstanceOf(ChromaseedError);
    expect(notBytes).toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/^the frame before is \{ source, indices \}: its RGBA bytes \(the frame's data\) and its palette indices, each a Uint8Array or Uint8ClampedArray$/) });
    expect(quantizer.next(frame, null).palette).toHaveLength(6);
    // A canvas's Uint8ClampedArray is taken, as for the frame itself.
    expect(quantizer.next(frame, { source: new Uint8ClampedArray(RGBA) as unknown as Uint8Array, indices: new Uint8Array(4) }).palette).toHaveLength(6);
  });
});

describe('an AbortSignal', () => {
  it('stops quantizeClip and clipPalette with ERR_ABORTED, as the README lists', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
    const controller = new AbortController();
    controller.abort();
    const options = resolveSequenceOptions({ colors: 2 });
    await expect(drain(quantizeClip(sourceOf([frame, frame]), options, controller.signal))).rejects.toMatchObject({ name: 'ChromaseedError', code: 'ERR_ABORTED' });
    await expect(clipPalette(sourceOf([frame]), options, controller.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('stops clipPalette when it comes after the last frame is read, or while a clusterer that does not watch it runs (it returned the palette)', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
    const options = resolveSequenceOptions({ colors: 2 });
    const afterLast = new AbortController();
    const abortingAtEnd = async (): Promise<FrameSource> => ({
      info: { width: 2, height: 2, frameCount: 1 },
      frames: (async function* () {
        yield frame;
        afterLast.abort();
      })(),
    });
    await expect(clipPalette(abortingAtEnd, options, afterLast.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const during = new AbortController();
    const slowClusterer = async (request: ClusterRequest) => {
      during.abort();
      return kmeansPoints(request.points, request.weights, request.options);
    };
    await expect(clipPalette(sourceOf([frame]), options, during.signal, slowClusterer)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('stops them while the source is stuck waiting for a frame that never comes (a QA pass: the run never settled), and ends the source', async () => {
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
    let ended = 0;
    const stuck = async (): Promise<FrameSource> => ({
      info: { width: 2, height: 2 },
      frames: {
        [Symbol.asyncIterator]: () => {
          let n = 0;
          return {
            next: () => (n++ === 0 ? Promise.resolve({ value: frame, done: false as const }) : new Promise<never>(() => undefined)),
            return: async () => {
              ended++;
              return { value: undefined, done: true as const };
            },
          };
        },
      },
    });
    const runs = [
      (signal: AbortSignal) => drain(quantizeClip(stuck, resolveSequenceOptions({ colors: 2 }), signal)),
      (signal: AbortSignal) => drain(quantizeClip(stuck, resolveSequenceOptions({ colors: 2, seeding: 'global' }), signal)),
      (signal: AbortSignal) => clipPalette(stuck, resolveClusterOptions({ colors: 2 }), signal),
    ];
    for (const [i, run] of runs.entries()) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await expect(run(controller.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED', message: 'interrupted' });
      expect(ended).toBe(i + 1);
    }
  });
});

describe('options', () => {
  it('a per-frame quantizer refuses one palette for the clip, and an unknown mode, instead of seeding silently', () => {
    for (const seeding of ['global', 'bogus']) {
      expect(() => createSequentialQuantizer({ ...resolveSequenceOptions({ colors: 4 }), seeding: seeding as 'seeded' })).toThrow(/^expected 'seeded' or 'none' here/);
    }
  });

  it('the presets cannot be changed by a caller (a change reached every later run, and an out-of-range one failed them naming --palette-hold)', () => {
    expect(() => {
      (STABILITY_PRESETS.medium as { paletteHold: number }).paletteHold = 7;
    }).toThrow(TypeError);
    expect(resolveStability('medium').paletteHold).toBe(1);
    expect(Object.isFrozen(STABILITY_PRESETS)).toBe(true);
  });

  it("a per-frame quantizer checks levers built by hand when it is made: all given, each in range ({ anchor: 1 } failed at the second frame, naming maxIterations; 'high' was taken)", () => {
    const options = resolveSequenceOptions({ colors: 2 });
    const make = (stability: unknown) => () => createSequentialQuantizer({ ...options, stability: stability as StabilityOptions });
    expect(make({ anchor: 1 })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: "createSequentialQuantizer's stability lacks frameIterations, paletteHold, pixelHold, pixelMargin, sceneCut, refresh, refreshGain, stillWeight, jumpHold: give every lever, as resolveStability(level, overrides) or STABILITY_PRESETS do" }));
    expect(make('high')).toThrow(/^expected an object such as STABILITY_PRESETS\.medium, or resolveStability\(level, overrides\) for createSequentialQuantizer's stability but received "high"$/);
    expect(make({ ...STABILITY_PRESETS.high, paletteHold: -1 })).toThrow('expected a number from 0 to 1000 for --palette-hold but received -1');
    expect(make({ ...STABILITY_PRESETS.high, hold: 1 })).toThrow(/^unknown option "hold" for createSequentialQuantizer's stability/);
    const frame = { width: 2, height: 2, data: new Uint8Array(RGBA) };
    for (const stability of [STABILITY_PRESETS.high, resolveStability('low', { anchor: 1 }), undefined]) {
      const quantizer = make(stability)();
      quantizer.next(frame);
      expect(quantizer.next(frame).size).toBe(2);
    }
  });

  it('an unknown stability level is named as such, missing options are the defaults, and k-means checks its seed', () => {
    expect(() => resolveStability('ultra' as 'high')).toThrow('expected none, low, medium or high for --stability but received "ultra"');
    expect(resolveSequenceOptions().colors).toBe(16);
    expect(() => kmeansPixels(new Uint8Array(RGBA), undefined as unknown as { k: number })).toThrow('expected an object such as { k: 8 } for options but received undefined');
    for (const seed of [Number.NaN, 1.5, 'x']) expect(() => kmeansPixels(new Uint8Array(RGBA), { k: 2, seed: seed as number })).toThrow(/for seed/);
  });
});

describe('a GIF encoder given a frame short of indices or with a bad delay', () => {
  const frame = (over: Partial<IndexedFrame>): IndexedFrame => ({ width: 2, height: 2, indices: new Uint8Array(4), palette: new Uint8Array([0, 0, 0]), size: 1, transparent: null, delayMs: 100, ...over });
  it('throws a RangeError instead of writing index 0 or a delay of 0', () => {
    expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame(frame({ indices: new Uint8Array(1) }))).toThrow(RangeError);
    expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame(frame({ transparent: new Uint8Array(2) }))).toThrow(RangeError);
    for (const delayMs of [Number.NaN, -50, Infinity, '100']) expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame(frame({ delayMs: delayMs as number }))).toThrow(/frame delay is .* ms; it must be a number >= 0/);
    for (const bad of [{ size: 2 }, { size: 257 }, { size: 1.5 }, { palette: [0, 0, 0] as unknown as Uint8Array }]) expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame(frame(bad))).toThrow(/^frame has a palette of .* size must be a whole number from 0 to 256/);
  });

  it('names what it was given instead of writing it out (a Uint16Array of a million indices made a message of 2 million characters)', () => {
    const big = { width: 1000, height: 1000, indices: new Uint16Array(1e6) as unknown as Uint8Array, palette: new Uint8Array(3), size: 1, transparent: null, delayMs: 100 };
    expect(() => createGifEncoder({ width: 1000, height: 1000 }).addFrame(big)).toThrow(/^frame has a Uint16Array for palette indices; 1000000 bytes are needed$/);
    expect(() => createGifEncoder({ width: 2, height: 2 }).addFrame(frame({ palette: [0, 0, 0] as unknown as Uint8Array }))).toThrow(/^frame has a palette of an Array for size 1;/);
  });
});

describe('one-off look-ups and limits', () => {
  it('nearestIndex refuses a size past the palette, an unknown space and a channel that is no number from 0 to 255; decodeGif refuses a NaN limit (no limit at all)', () => {
    const palette = new Uint8Array([0, 0, 0, 255, 255, 255]);
    expect(nearestIndex(palette, 2, 200, 200, 200)).toBe(1);
    expect(() => nearestIndex(palette, 3, 200, 200, 200)).toThrow(/for size but received 3/);
    expect(() => nearestIndex(palette, 2, 200, 200, 200, 'euclidean', 'hsv' as 'rgb')).toThrow(/for space but received "hsv"/);
    // NaN and strings gave entry 0 whatever the palette.
    expect(() => nearestIndex(palette, 2, Number.NaN, 200, 200)).toThrow('expected a number from 0 to 255 (an sRGB channel) for r but received something that is not a number');
    expect(() => nearestIndex(palette, 2, 200, '200' as never, 200)).toThrow('expected a number from 0 to 255 (an sRGB channel) for g but received "200"');
    expect(() => nearestIndex(palette, 2, 200, 200, 256)).toThrow(/for b but received 256$/);
    expect(nearestIndex(palette, 2, 0, 0, 0.5)).toBe(0);
    const cars = new Uint8Array(readFileSync(path.resolve(__dirname, '../../samples/cars.gif')));
    expect(() => decodeGif(cars, 'cars.gif', { maxFrames: Number.NaN })).toThrow(/for maxFrames but received something that is not a number/);
  });
});

describe('stateful objects and factories answer misuse with a ChromaseedError', () => {
  const refused = (call: () => unknown, code: string, message: string | RegExp) => {
    let error: unknown;
    try {
      call();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChromaseedError);
    expect(error).toMatchObject({ code, message: typeof message === 'string' ? message : expect.stringMatching(message) });
  };

  it('the per-frame quantizer given the frame before at another size than the next frame (it was a RangeError)', () => {
    const quantizer = createSequentialQuantizer(resolveSequenceOptions({ colors: 2, stability: 'medium' }));
    const small = { width: 2, height: 2, data: new Uint8Array(RGBA) };
    const large = { width: 4, height: 2, data: new Uint8Array([...RGBA, ...RGBA]) };
    quantizer.next(small);
    refused(() => quantizer.next(large, { source: small.data, indices: new Uint8Array(4) }), 'ERR_INPUT', 'the frame before has 4 pixels and 4 indices; this frame has 8 (pass it only when the sizes match)');
    // Without the frame before, a new size is taken as it always was.
    expect(quantizer.next(large).size).toBe(2);
  });

  it('matchPalettes and transferCost with an empty or missing palette (a RangeError, a TypeError)', () => {
    const target = { size: 2, rgb: [0, 0, 0, 255, 255, 255], proportions: [0.5, 0.5] };
    const empty = { size: 0, rgb: [], proportions: [] };
    for (const method of TRANSFER_METHODS) refused(() => matchPalettes(target, empty, method), 'ERR_INPUT', "the source palette is empty (size 0): it has no colour to give the target's 2");
    expect(matchPalettes(empty, target, 'optimal')).toHaveLength(0);
    refused(() => matchPalettes(null as never, target, 'rank'), 'ERR_INPUT', /^the target palette is \{ size, rgb, proportions \}, not null$/);
    refused(() => transferCost(target, { size: 1, rgb: [0, 0, 0], proportions: [Number.NaN] }), 'ERR_INPUT', "the source palette's proportions are shares from 0 to 1; colour 0's is NaN");
    refused(() => matchPalettes(target, target, 'optimal', null as never), 'ERR_USAGE', /^expected an object such as \{ lightness: 1, .* for weights but received null$/);
  });

  it("a k-means engine's rerun() before any run() (a RangeError)", () => {
    refused(() => createKMeans().rerun({ k: 2 }), 'ERR_USAGE', /^rerun\(\) clusters the pixels of the last run\(\) again, and this engine has had no run\(\) yet/);
    const engine = createKMeans();
    engine.run(new Uint8Array(RGBA), { k: 2 });
    expect(engine.rerun({ k: 2 }).k).toBe(2);
  });

  it('null (or a number) where a factory or call takes an options object (a TypeError from destructuring)', () => {
    refused(() => createKMeans(null as never), 'ERR_USAGE', 'expected an object such as { frames: true } for options but received null');
    refused(() => createKMeans({ frames: 'yes' as never }), 'ERR_USAGE', 'expected true or false for frames but received "yes"');
    refused(() => createSceneCutDetector(null as never), 'ERR_USAGE', 'expected an object such as { minDifference: 24 } for options but received null');
    refused(() => createGifEncoder(null as never), 'ERR_USAGE', 'expected an object such as { width: 320, height: 240 } for options but received null');
    refused(() => createMapper().map({ width: 2, height: 2, data: new Uint8Array(RGBA) }, new Uint8Array(6), 2, null as never), 'ERR_USAGE', /^expected an object such as \{ metric: 'euclidean'.* for options but received null$/);
    refused(() => createPaletteTransfer(sourcePaletteFromCounts([255, 0, 0], [1], 1), null as never), 'ERR_USAGE', "expected an object such as { method: 'optimal' } for options but received null");
    refused(() => kmeansPoints(null as never, null, { k: 1 }), 'ERR_USAGE', /^expected n\*3 sRGB numbers \(a Float64Array\) for points but received null$/);
    refused(() => fromSrgb('hsv' as never), 'ERR_USAGE', 'expected rgb, lab or oklab for space but received "hsv"');
    refused(() => sourcePaletteFromCounts([255, 0, 0], [1], Number.NaN), 'ERR_USAGE', /for size but received something that is not a number$/);
    refused(() => decodeGif(null as never, 'x.gif'), 'ERR_INPUT', /^x\.gif: decodeGif takes the file's bytes/);
    refused(() => parsePaletteText(null as never), 'ERR_INPUT', /^parsePaletteText takes a palette file's text \(a string\), not null$/);
    refused(() => nearestIndex(null as never, 1, 0, 0, 0), 'ERR_INPUT', /^palette is null; expected/);
  });

  it('quantizeClip and clipPalette given something other than a function that opens the clip (a TypeError)', async () => {
    const options = resolveSequenceOptions({ colors: 2 });
    await expect(drain(quantizeClip('samples/cars.gif' as never, options))).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^quantizeClip takes a function that opens the clip .* not a name \("samples\/cars.gif"\)$/) });
    await expect(clipPalette(null as never, options)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^clipPalette takes a function that opens the clip/) });
    // A function that gives no frame source failed with "... is not a function" (an asyncIterator TypeError).
    const frames = [{ width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 }];
    await expect(drain(quantizeClip(async () => ({}) as never, options))).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^quantizeClip's open function must give a frame source, .* not an object with no keys$/) });
    await expect(drain(quantizeClip(async () => ({ info: { width: 2, height: 2 }, frames }) as never, options))).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/ not an object with keys info, frames$/) });
    await expect(clipPalette(async () => ({ frames: frames.values() }) as never, options)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^clipPalette's open function must give a frame source/) });
    // A release that is no function would have failed after the second frame, as "clip.release is not a function".
    const withRelease = async () => ({ ...(await sourceOf([...frames, ...frames, ...frames])()), release: true });
    await expect(drain(quantizeClip(withRelease as never, options))).rejects.toMatchObject({ code: 'ERR_USAGE', message: "quantizeClip's frame source has a release that is true, not a function (release(frame) takes back a frame the caller no longer reads; leave it out if the source has none)" });
    // A signal or a clusterer that is none failed inside: "signal?.addEventListener is not a function", "cluster is not a function".
    const open = sourceOf(frames);
    await expect(drain(quantizeClip(open, options, 5 as never))).rejects.toMatchObject({ code: 'ERR_USAGE', message: "expected an AbortSignal (an AbortController's signal) for quantizeClip's signal but received 5" });
    await expect(drain(quantizeClip(open, resolveSequenceOptions({ colors: 2, seeding: 'global' }), undefined, 5 as never))).rejects.toMatchObject({ code: 'ERR_USAGE', message: "expected a function such as clusterInThread(signal) for quantizeClip's clusterer but received 5" });
    await expect(clipPalette(open, options, 'stop' as never)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/for clipPalette's signal but received "stop"$/) });
    expect(await drain(quantizeClip(open, options, new AbortController().signal))).toBe(1);
    // A clusterer's answer, its request, a source's size and a release given no frame are
    // checked too (each failed with a TypeError, or named the wrong fault: found by a library QA pass).
    const global = resolveSequenceOptions({ colors: 2, seeding: 'global' });
    await expect(drain(quantizeClip(open, global, undefined, async () => ({}) as never))).rejects.toMatchObject({ code: 'ERR_USAGE', message: "clipPalette's clusterer answered an Object, not a k-means result ({ k, centroids, counts, ... }, as kmeansPoints gives)" });
    await expect(Promise.resolve().then(() => clusterInThread()({} as never))).rejects.toMatchObject({ code: 'ERR_USAGE', message: 'a clusterer takes the request clipPalette makes ({ points: Float64Array, weights: Float64Array or null, options }), not an Object' });
    const sizedWrong = async () => ({ ...(await open()), info: { width: '2', height: 2, frameCount: 1, fps: 10 } });
    await expect(drain(quantizeClip(sizedWrong as never, options))).rejects.toMatchObject({ code: 'ERR_USAGE', message: 'quantizeClip\'s frame source has an info whose width and height are "2" and 2, not whole numbers of pixels, 0 or more' });
    const decoded = decodeGif(new Uint8Array(readFileSync(path.resolve(__dirname, '../../samples/cars.gif'))), 'cars.gif');
    expect(() => decoded.release(null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'release takes a frame the source gave, not null' }));
    expect(() => decodeGif(new Uint8Array(8), 'x.gif', { maxFrames: '5' as never })).toThrow(/^expected a number >= 1 for maxFrames but received "5"/);
  });

  it('solveAssignment, formatPalette and sortPalette refuse what is no cost matrix, palette or palette entry (a RangeError, TypeErrors, "NaN%")', () => {
    expect(() => solveAssignment([1, 2, 3, 4, 5, 6], 3, 2)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'assignment needs 0 <= rows <= cols, got 3 x 2' }));
    expect(() => formatPalette(null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(/^expected an object such as a palette .* but received null$/) }));
    expect(() => sortPalette(null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: "expected an array of palette entries (a palette's colors) for colors but received null" }));
    // Entries of another shape: sortPalette failed with "undefined is not iterable", formatPalette printed "undefined" and "NaN%".
    expect(() => sortPalette([{}] as never, 'hue')).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'expected a colour written #rrggbb for colors[0].hex but received undefined' }));
    // Its warnings are a list of strings: 'oops' was written as "warnings": "oops".
    const one = { k: 1, inertia: 0, iterations: 0, colors: [] };
    for (const [warnings, shown] of [['oops', '"oops"'], [42, '42'], [[1], 'a list holding something else']] as const) {
      expect(() => formatPalette(one, 'json', warnings as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: `expected a list of strings (what was warned of) for warnings but received ${shown}` }));
    }
    expect(JSON.parse(formatPalette(one, 'json', ['a note'])).warnings).toEqual(['a note']);
    expect(() => formatPalette({ k: 1, inertia: 0, iterations: 0, colors: [null] } as never, 'css')).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: "expected a palette entry ({ hex, rgb, centroid, count, proportion }: paletteFromKMeans's) for palette's colors[0] but received null" }));
    const good = { hex: '#ff0000', rgb: [255, 0, 0], centroid: [255, 0, 0], count: 4, proportion: 1 } as const;
    expect(() => sortPalette([good, { ...good, rgb: [256, 0, 0] }] as never)).toThrow(expect.objectContaining({ message: 'expected three bytes, 0 to 255 for colors[1].rgb but received [256,0,0]' }));
    expect(() => formatPalette({ k: 1, inertia: 0, iterations: 0, colors: [{ ...good, proportion: Number.NaN }] } as never)).toThrow(expect.objectContaining({ message: "expected a share from 0 to 1 for palette's colors[0].proportion but received NaN" }));
    expect(sortPalette([good], 'hue')).toEqual([good]);
  });

  it("a palette transfer refuses a shown pixel's index past the frame's palette (it was counted nowhere and passed on)", () => {
    const source = { size: 2, rgb: new Uint8Array([255, 0, 0, 0, 0, 255]), proportions: new Float64Array([0.5, 0.5]) };
    const indexed: IndexedFrame = { width: 2, height: 2, indices: new Uint8Array([0, 1, 5, 1]), palette: new Uint8Array([10, 10, 10, 240, 240, 240]), size: 2, transparent: null, delayMs: 100 };
    const frame = { source: { width: 2, height: 2, data: new Uint8Array(RGBA) }, indexed, inertia: Number.NaN };
    for (const method of TRANSFER_METHODS) refused(() => createPaletteTransfer(source, { method }).next(frame), 'ERR_INPUT', "target frame has palette index 5 at pixel 2, not below its palette's size 2");
    // Under a transparent pixel the index means nothing, as for the writers.
    const hidden = { ...frame, indexed: { ...indexed, transparent: new Uint8Array([0, 0, 1, 0]) } };
    expect(createPaletteTransfer(source, { method: 'optimal' }).next(hidden).size).toBe(2);
    // The rest of the indexed frame's contract is the writers', said as ERR_INPUT here.
    refused(() => createPaletteTransfer(source, { method: 'rank' }).next({ ...frame, indexed: { ...indexed, indices: new Uint8Array(2) } }), 'ERR_INPUT', 'target frame has 2 bytes for palette indices; 4 bytes are needed');
  });
});

describe('a scene-cut detector', () => {
  const flat = (v: number) => ({ width: 4, height: 4, data: new Uint8Array(64).map((_, i) => (i % 4 === 3 ? 255 : v)) });
  const cutsOf = (detector: ReturnType<typeof createSceneCutDetector>) => [0, 2, 0, 2, 0, 200].map((v) => detector.next(flat(v), Number.NaN));

  it('fills in the options it is not given with the defaults the command line uses ({} never cut)', () => {
    const expected = cutsOf(createSceneCutDetector());
    expect(expected).toEqual([false, false, false, false, false, true]);
    expect(cutsOf(createSceneCutDetector({}))).toEqual(expected);
    expect(cutsOf(createSceneCutDetector({ window: 3 }))).toEqual(expected);
    expect(cutsOf(createSceneCutDetector({ minDifference: undefined }))).toEqual(expected);
    // A threshold above the jump is still obeyed.
    expect(cutsOf(createSceneCutDetector({ minDifference: 250 }))).toEqual([false, false, false, false, false, false]);
    // A palette transfer given some of them fills in the rest the same way.
    const source = sourcePaletteFromCounts([0, 0, 0, 255, 255, 255], [1, 1], 2);
    const transfer = createPaletteTransfer(source, { method: 'rank', sceneCut: { window: 5 } });
    for (const v of [0, 2, 0, 2, 0, 200]) {
      const f = flat(v);
      transfer.next({ source: f, inertia: Number.NaN, indexed: { width: 4, height: 4, indices: new Uint8Array(16), palette: new Uint8Array([v, v, v]), size: 1, transparent: null, delayMs: 100 } });
    }
    expect(transfer.decisions().map((d) => d.frame)).toEqual([0, 5]);
  });

  it('refuses values it cannot work with, and frames that are not frames', () => {
    const refusedWith = (options: object, message: string) => expect(() => createSceneCutDetector(options)).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message }));
    refusedWith({ window: 0 }, 'expected a whole number of frames from 1 to 10000 for window but received 0');
    refusedWith({ minDifference: Number.NaN }, 'expected a number from 0 to 255 for minDifference but received something that is not a number');
    refusedWith({ inertiaFactor: 0.5 }, 'expected a number from 1 to 1000000000 for inertiaFactor but received 0.5');
    expect(() => createSceneCutDetector({ inertiaFactor: Infinity })).not.toThrow();
    expect(() => createSceneCutDetector().next(null as never, Number.NaN)).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});

describe('file names', () => {
  it("openInput and openReusable take a file: URL as Node's fs does (a TypeError from inside), and refuse another URL or no name in one line", async () => {
    const { openInput, openReusable } = await import('../../src/io/open-input.js');
    const { outputKind } = await import('../../src/io/frame-writer.js');
    const url = new URL('../../samples/cars.gif', import.meta.url);
    const byUrl = await openInput(url, resolveInputOptions({}));
    const byName = await openInput(path.resolve(__dirname, '../../samples/cars.gif'), resolveInputOptions({}));
    expect(byUrl.info).toEqual(byName.info);
    expect((await openReusable(url, resolveInputOptions({}))).info.width).toBe(byName.info.width);
    await expect(openInput(new URL('https://example.com/cars.gif'))).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^openInput takes a file name or a file: URL; https:\/\/example.com\/cars.gif is none/) });
    await expect(openInput(null as never)).rejects.toMatchObject({ code: 'ERR_USAGE', message: 'openInput takes a file name (a string) or a file: URL, not null' });
    // Options that did not go through resolveInputOptions had no limits at all.
    await expect(openInput(url, {} as never)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^openInput was given options without maxPixels or maxFrames/) });
    await expect(openReusable(url, { width: 10 } as never)).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/^openReusable was given options without maxPixels or maxFrames/) });
    expect(outputKind(new URL('file:///tmp/out.mp4'))).toBe('video');
  });
});

describe('an options object with a name the function does not read', () => {
  // A misspelt option was left at its default without a word: openVideo(file, { startSec: 0.5 })
  // read the whole video. Each public function or factory taking options now refuses a name it
  // does not read, in one line: the name, the closest it reads when one is near, and all it reads.
  const usage = (message: string | RegExp) => ({ code: 'ERR_USAGE', message: typeof message === 'string' ? message : expect.stringMatching(message) });
  const sample = (name: string) => path.resolve(__dirname, '../../samples', name);
  const frame = { width: 2, height: 2, data: new Uint8Array(RGBA), delayMs: 100 };
  const mapOptions = { metric: 'euclidean', space: 'rgb', dither: 'none' } as const;

  it('the readers and inputOptionsFor: openVideo, openInput, openReusable, loadStill', async () => {
    const { openVideo } = await import('../../src/io/video-in.js');
    const { openInput, openReusable } = await import('../../src/io/open-input.js');
    const { loadStill } = await import('../../src/io/still.js');
    const { inputOptionsFor } = await import('../../src/io/frame-writer.js');
    const resolved = resolveInputOptions({});
    await expect(openVideo(sample('chaplin.mp4'), { startSec: 0.5 } as never)).rejects.toMatchObject(usage('unknown option "startSec" for openVideo; did you mean "start"? (valid: fps, maxFps, width, start or duration)'));
    await expect(openVideo(sample('chaplin.mp4'), {}, { demux: 'mov' } as never)).rejects.toMatchObject(usage('unknown option "demux" for openVideo\'s read; did you mean "demuxer"? (valid: demuxer, signal or maxPixels)'));
    await expect(openInput(sample('cars.gif'), { ...resolved, maxFrame: 10 } as never)).rejects.toMatchObject(usage('unknown option "maxFrame" for openInput; did you mean "maxFrames"? (valid: fps, maxFps, width, start, duration, maxPixels or maxFrames)'));
    await expect(openReusable(sample('cars.gif'), { ...resolved, strat: 1 } as never)).rejects.toMatchObject(usage(/^unknown option "strat" for openReusable; did you mean "start"\? \(valid: fps, /));
    await expect(loadStill(sample('hibiscus.jpg'), { maxPixel: 10 } as never)).rejects.toMatchObject(usage('unknown option "maxPixel" for loadStill; did you mean "maxPixels"? (valid: maxPixels or width)'));
    expect(() => inputOptionsFor('out.gif', { ...resolved, fsp: 10 } as never)).toThrow(expect.objectContaining(usage(/^unknown option "fsp" for inputOptionsFor; did you mean "fps"\?/)));
    // The names they read still work; openInput hands a video to openVideo with its clip options alone (not its limits).
    expect(await drain((await openVideo(sample('chaplin.mp4'), { start: 0.5, duration: 0.2, width: 32, fps: 10 })).frames)).toBe(2);
    expect(await drain((await openInput(sample('chaplin.mp4'), inputOptionsFor('out.gif', resolveInputOptions({ start: 0.5, duration: 0.2, width: 32, fps: 10 })))).frames)).toBe(2);
    expect((await openReusable(sample('cars.gif'), { ...resolved, fps: undefined })).info.width).toBeGreaterThan(0);
    expect((await loadStill(sample('hibiscus.jpg'), { width: 16, maxPixels: 1e8 })).width).toBe(16);
  });

  it('a frame writer, and its finish', async () => {
    const { createFrameWriter } = await import('../../src/io/frame-writer.js');
    const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-options-'));
    try {
      const out = path.join(dir, 'out.gif');
      await expect(createFrameWriter(out, { width: 2, height: 2, loop: 0 } as never)).rejects.toMatchObject(usage(/^unknown option "loop" for createFrameWriter; did you mean "loopCount"\? \(valid: width, height, fps, loopCount, /));
      const writer = await createFrameWriter(out, { width: 2, height: 2, loopCount: 0 });
      const frame = { width: 2, height: 2, indices: new Uint8Array(4), palette: new Uint8Array([0, 0, 0]), size: 1, transparent: null, delayMs: 100 };
      // A `read` that is no function would have failed as the frame was taken: refused, and nothing written.
      await expect(writer.write(frame, 5 as never)).rejects.toMatchObject(usage("expected a function for write's read but received 5"));
      let read = 0;
      await writer.write(frame, () => void read++);
      await expect(writer.finish({ beforeplace: async () => undefined } as never)).rejects.toMatchObject(usage('unknown option "beforeplace" for a writer\'s finish; did you mean "beforePlace"? (valid: beforePlace or afterPlace)'));
      // A hook that is no function failed as the output was put in place (a TypeError).
      await expect(writer.finish({ beforePlace: 5 } as never)).rejects.toMatchObject(usage('expected a function for beforePlace but received 5'));
      // Refused before anything was done: the writer is still open, and finishes.
      let placed = false;
      await writer.finish({ beforePlace: async () => void (placed = true) });
      expect(placed).toBe(true);
      expect(read).toBe(1); // the encoder took its copy of the frame
      // A `read` that throws fails the writer where the frame's bytes are awaited, and leaves no file.
      const failing = await createFrameWriter(path.join(dir, 'failing.gif'), { width: 2, height: 2 });
      await failing.write(frame, () => {
        throw new Error('read failed');
      });
      await expect(failing.finish()).rejects.toThrow('read failed');
      expect(existsSync(path.join(dir, 'failing.gif'))).toBe(false);
      expect(existsSync(out)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('k-means, its engine, the mapper, vividPoints and the GIF codec', () => {
    const refused = (call: () => unknown, message: string) => expect(call).toThrow(expect.objectContaining(usage(message)));
    refused(() => kmeansPixels(new Uint8Array(RGBA), { k: 2, iterations: 5 } as never), 'unknown option "iterations" for k-means; did you mean "maxIterations"? (valid: k, init, metric, space, restarts, seed, maxIterations, refineIterations, tolerance, initialCentroids, anchorWeights, exactGrey, labels or onIteration)');
    // No name near enough: none suggested.
    refused(() => kmeansPoints(new Float64Array(3), null, { k: 1, x: 1 } as never), 'unknown option "x" for k-means (valid: k, init, metric, space, restarts, seed, maxIterations, refineIterations, tolerance, initialCentroids, anchorWeights, exactGrey, labels or onIteration)');
    refused(() => createKMeans({ frame: true } as never), 'unknown option "frame" for createKMeans; did you mean "frames"? (valid: frames)');
    refused(() => createKMeans().run(new Uint8Array(RGBA), { k: 2, Seed: 3 } as never), 'unknown option "Seed" for k-means; did you mean "seed"? (valid: k, init, metric, space, restarts, seed, maxIterations, refineIterations, tolerance, initialCentroids, anchorWeights, exactGrey, labels or onIteration)');
    refused(() => createMapper().map(frame, new Uint8Array(6), 2, { ...mapOptions, serpentin: false } as never), 'unknown option "serpentin" for a mapper\'s map; did you mean "serpentine"? (valid: metric, space, dither or serpentine)');
    refused(() => vividPoints(new Uint8Array(RGBA), { minChrome: 3 } as never), 'unknown option "minChrome" for vividPoints; did you mean "minChroma"? (valid: minChroma, minLightness, maxLightness or minSalientFraction)');
    const cars = new Uint8Array(readFileSync(sample('cars.gif')));
    refused(() => decodeGif(cars, 'cars.gif', { maxFrame: 5 } as never), 'unknown option "maxFrame" for decodeGif; did you mean "maxFrames"? (valid: maxPixels or maxFrames)');
    refused(() => createGifEncoder({ width: 2, height: 2, loop: 0 } as never), 'unknown option "loop" for createGifEncoder; did you mean "loopCount"? (valid: width, height, loopCount, differencing or mayTurnTransparent)');
    // The names they read still work, an explicitly undefined one included.
    expect(kmeansPixels(new Uint8Array(RGBA), { k: 2, maxIterations: 5, seed: undefined }).k).toBe(2);
    expect(createKMeans({ frames: true }).run(new Uint8Array(RGBA), { k: 2 }).k).toBe(2);
    expect(createMapper().map(frame, new Uint8Array(6), 2, { ...mapOptions, serpentine: false }).indices).toHaveLength(4);
    expect(vividPoints(new Uint8Array(RGBA), { minChroma: 3 }).n).toBeGreaterThan(0);
    expect(decodeGif(cars, 'cars.gif', { maxFrames: 1000 }).info.width).toBeGreaterThan(0);
    const encoder = createGifEncoder({ width: 2, height: 2, loopCount: 0, differencing: false });
    encoder.addFrame({ width: 2, height: 2, indices: new Uint8Array(4), palette: new Uint8Array([0, 0, 0]), size: 1, transparent: null, delayMs: 100 });
    expect(encoder.finish().length).toBeGreaterThan(0);
  });

  it('the sequence: createSequentialQuantizer (and its stability), quantizeClip, clipPalette, resolveStability and the resolvers', async () => {
    const resolved = resolveSequenceOptions({ colors: 2 });
    expect(() => createSequentialQuantizer({ ...resolved, colours: 8 } as never)).toThrow(expect.objectContaining(usage(/^unknown option "colours" for createSequentialQuantizer; did you mean "colors"\? \(valid: colors, init, restarts, metric, space, seed, maxIterations, seeding, dither or stability\)$/)));
    expect(() => createSequentialQuantizer({ ...resolved, stability: { ...STABILITY_PRESETS.medium, palettHold: 2 } } as never)).toThrow(expect.objectContaining(usage(/^unknown option "palettHold" for createSequentialQuantizer's stability; did you mean "paletteHold"\?/)));
    await expect(drain(quantizeClip(sourceOf([frame]), { ...resolved, dithering: 'bayer' } as never))).rejects.toMatchObject(usage(/^unknown option "dithering" for quantizeClip; did you mean "dither"\?/));
    await expect(clipPalette(sourceOf([frame]), { ...resolveClusterOptions({ colors: 2 }), k: 4 } as never)).rejects.toMatchObject(usage('unknown option "k" for clipPalette (valid: colors, init, restarts, metric, space, seed, maxIterations, seeding, dither or stability)'));
    expect(() => resolveStability('medium', { paletteHolds: 2 } as never)).toThrow(expect.objectContaining(usage(/^unknown option "paletteHolds" for resolveStability; did you mean "paletteHold"\?/)));
    expect(() => resolveSequenceOptions({ colours: 8 } as never)).toThrow(expect.objectContaining(usage(/^unknown option "colours" for resolveSequenceOptions; did you mean "colors"\? \(valid: colors, init, /)));
    // What the resolvers give is taken whole, by each (clipPalette takes a cluster's or a quantizer's).
    expect(createSequentialQuantizer(resolved).next(frame).size).toBe(2);
    expect(await drain(quantizeClip(sourceOf([frame]), resolveSequenceOptions({ colors: 2, seeding: 'global' })))).toBe(1);
    expect((await clipPalette(sourceOf([frame]), resolveClusterOptions({ colors: 2 }))).palette.size).toBe(2);
    expect(resolveStability('medium', { paletteHold: 2, anchor: undefined }).paletteHold).toBe(2);
  });

  it('a palette transfer, its weights, map and scene cuts, transferCost, matchPalettes and the scene-cut detector', () => {
    const source = sourcePaletteFromCounts([0, 0, 0, 255, 255, 255], [1, 1], 2);
    const refused = (call: () => unknown, message: RegExp) => expect(call).toThrow(expect.objectContaining(usage(message)));
    refused(() => createPaletteTransfer(source, { method: 'rank', scenecut: false } as never), /^unknown option "scenecut" for createPaletteTransfer; did you mean "sceneCut"\? \(valid: method, weights, sceneCut, map, pixelHold or pixelMargin\)$/);
    refused(() => createPaletteTransfer(source, { method: 'optimal', weights: { lightness: 1, colour: 0.5, frequency: 0.25 } } as never), /^unknown option "colour" for the cost weights; did you mean "color"\? \(valid: lightness, color or frequency\)$/);
    // A weight's value too, where the transfer is made (it failed at the first frame); `rank` reads none.
    refused(() => createPaletteTransfer(source, { method: 'optimal', weights: { lightness: -1, color: 1, frequency: 1 } }), /^expected a finite number of at least 0 for weights\.lightness but received -1$/);
    expect(() => createPaletteTransfer(source, { method: 'rank', weights: { lightness: -1, color: 1, frequency: 1 } })).not.toThrow();
    refused(() => createPaletteTransfer(source, { method: 'nearest', map: { ...mapOptions, dithering: 'bayer' } } as never), /^unknown option "dithering" for createPaletteTransfer's map; did you mean "dither"\?/);
    refused(() => createPaletteTransfer(source, { method: 'rank', sceneCut: { windowSize: 5 } } as never), /^unknown option "windowSize" for createPaletteTransfer's sceneCut; did you mean "window"\?/);
    refused(() => transferCost(source, source, { lightness: 1, color: 0.5, frequency: 0.25, colour: 1 } as never), /^unknown option "colour" for the cost weights; did you mean "color"\?/);
    // matchPalettes reads them for `optimal` only; a misspelt name is refused whatever the method.
    refused(() => matchPalettes(source, source, 'rank', { lightness: 1, color: 0.5, frequency: 0.25, colour: 1 } as never), /^unknown option "colour" for the cost weights/);
    refused(() => createSceneCutDetector({ minDiff: 10 } as never), /^unknown option "minDiff" for createSceneCutDetector; did you mean "minDifference"\? \(valid: minDifference, differenceRatio, inertiaFactor, window or stillShare\)$/);
    // An unknown name is refused even given as undefined; a known one so given is its default.
    refused(() => createSceneCutDetector({ minDiff: undefined } as never), /^unknown option "minDiff"/);
    expect(() => createSceneCutDetector({ minDifference: undefined, stillShare: 0.5 })).not.toThrow();
    expect(() => createPaletteTransfer(source, { method: 'optimal', weights: { lightness: 1, color: 0.5, frequency: 0.25 }, sceneCut: { window: 5 }, map: { ...mapOptions, serpentine: true } })).not.toThrow();
    expect(transferCost(source, source, { lightness: 1, color: 0.5, frequency: 0.25 })).toHaveLength(4);
  });
});
