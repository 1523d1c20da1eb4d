/**
 * One palette for the clip, undithered, maps a GIF's frame only inside the box where it
 * changed (a mapper's kept mapping), and counts its colours only there (global-palette.ts): the
 * frames must come out as mapping every pixel gives them, the pixel hold's choices and
 * transparency included, and the counts as counting every pixel gives them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../src/io/open-input.js';
import { createMapper } from '../../src/map/map-pixels.js';
import { resolveInputOptions, resolveSequenceOptions, type SequenceOptionsInput } from '../../src/options.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import { createColorAccumulator } from '../../src/sequence/global-palette.js';
import type { Frame, FrameSource } from '../../src/types.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

/** The clip's frames as quantizeClip writes them: indices, and the mask (null: none transparent). */
async function written(file: string, options: SequenceOptionsInput, withBoxes: boolean): Promise<{ indices: Buffer; transparent: Buffer | null; boxed: boolean }[]> {
  const open = async (): Promise<FrameSource> => {
    const clip = await openInput(file, resolveInputOptions({}));
    if (withBoxes) return clip;
    // Without the decoder's changedWithin, every pixel of every frame is mapped.
    return { ...clip, frames: (async function* () {
      for await (const frame of clip.frames) yield { ...frame, changedWithin: undefined };
    })() };
  };
  const out = [];
  for await (const q of quantizeClip(open, resolveSequenceOptions({ colors: 16, seeding: 'global', ...options }))) {
    const { indices, transparent } = q.indexed;
    out.push({ indices: Buffer.from(indices), transparent: transparent === null ? null : Buffer.from(transparent), boxed: q.source.changedWithin !== undefined });
    q.release();
  }
  return out;
}

/** A mask as bytes: null is none transparent. */
const mask = (transparent: Buffer | Uint8Array | null, n: number): Buffer => (transparent === null ? Buffer.alloc(n) : Buffer.from(transparent));

describe('one palette for the clip maps only the changed box of a GIF frame', () => {
  it('clears the mask inside a box whose pixels turned opaque, and keeps it outside', async () => {
    // 4x2: two clear pixels top left; then they turn red inside the box (0,0)-(2,1); the
    // bottom right pixel stays clear, outside it.
    const red = [200, 0, 0, 255];
    const blue = [0, 0, 200, 255];
    const first = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, ...blue, ...blue, ...blue, ...blue, ...blue, 0, 0, 0, 0]);
    const second = Uint8Array.from([...red, ...red, ...blue, ...blue, ...blue, ...blue, ...blue, 0, 0, 0, 0]);
    const open = async (): Promise<FrameSource> => ({
      info: { width: 4, height: 2, frameCount: 2 },
      frames: (async function* () {
        yield { width: 4, height: 2, data: first.slice(), delayMs: 100 };
        yield { width: 4, height: 2, data: second.slice(), delayMs: 100, changedWithin: { x0: 0, y0: 0, x1: 2, y1: 1 } };
      })(),
    });
    const masks: Buffer[] = [];
    for await (const q of quantizeClip(open, resolveSequenceOptions({ colors: 4, seeding: 'global' }))) masks.push(mask(q.indexed.transparent, 8));
    expect(masks.map((m) => [...m])).toEqual([[1, 1, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 1]]);
  });

  const cases: [string, SequenceOptionsInput][] = [
    // A dithered photo with a small moving part: the box is 4% of the frame.
    ['gifs/dartimage__animated_gif.gif', {}],
    // Transparency, and frames that clear their rectangle.
    ['gifs/gifcontrols__earth-transparent.gif', {}],
    ['gifs/gifcontrols__playpause.gif', { pixelHold: 16, pixelMargin: 2, space: 'oklab' }],
    ['gifs/pillow__chi.gif', { pixelHold: -1, metric: 'manhattan' }],
  ];
  for (const [file, options] of cases) {
    it(`as every pixel mapped: ${path.basename(file)} ${JSON.stringify(options)}`, async () => {
      const [boxed, whole] = [await written(path.join(corpus, file), options, true), await written(path.join(corpus, file), options, false)];
      expect(boxed.length).toBe(whole.length);
      expect(boxed.slice(1).some((f) => f.boxed)).toBe(true);
      const differing = boxed.flatMap((f, t) => {
        const other = whole[t];
        const sameMask = mask(f.transparent, f.indices.length).equals(mask(other.transparent, f.indices.length));
        return f.indices.equals(other.indices) && sameMask ? [] : [t];
      });
      expect(differing).toEqual([]);
    }, 60_000);
  }
});

describe("one palette's count of a GIF's colours, inside each frame's changed box only", () => {
  /** The accumulator's weighted colours for the clip's frames, each with its box or with `keep` saying which keep theirs. */
  async function counted(file: string, keep: (t: number) => boolean, askEarly = false): Promise<{ points: Float64Array; weights: Float64Array }> {
    const accumulator = createColorAccumulator();
    const clip = await openInput(file, resolveInputOptions({}));
    let t = 0;
    for await (const frame of clip.frames) {
      accumulator.add(keep(t) ? frame : { ...frame, changedWithin: undefined });
      // Asking in mid-clip counts what is pending; the count goes on from there.
      if (askEarly && t === 3) accumulator.request(resolveSequenceOptions({ colors: 4 }));
      t++;
    }
    const { points, weights } = accumulator.request(resolveSequenceOptions({ colors: 4 }));
    return { points, weights: weights! };
  }
  for (const file of ['gifs/dartimage__animated_gif.gif', 'gifs/gifcontrols__earth-transparent.gif', 'gifs/dartimage__hand_anim.gif']) {
    it(`lists the colours and pixel counts a whole count gives, in its order: ${path.basename(file)}`, async () => {
      const whole = await counted(path.join(corpus, file), () => false);
      for (const [keep, askEarly] of [[() => true, false], [() => true, true], [(t: number) => t % 5 !== 2, false]] as const) {
        const boxed = await counted(path.join(corpus, file), keep, askEarly);
        expect(Buffer.from(boxed.points.buffer).equals(Buffer.from(whole.points.buffer))).toBe(true);
        expect(Buffer.from(boxed.weights.buffer).equals(Buffer.from(whole.weights.buffer))).toBe(true);
      }
    }, 60_000);
  }
});

describe('a changedWithin outside the frame, with one palette for the clip', () => {
  it('is refused, by the first pass and by the mapping (it would be read as array bounds)', async () => {
    const clear = new Uint8Array(2 * 2 * 4);
    const bad = { x0: 0, y0: 0, x1: 3, y1: 2 };
    const accumulator = createColorAccumulator();
    accumulator.add({ width: 2, height: 2, data: clear });
    expect(() => accumulator.add({ width: 2, height: 2, data: clear, delayMs: 100, changedWithin: bad } as Frame)).toThrow(/^changedWithin is a box \{ x0, y0, x1, y1 \} of whole numbers inside the 2x2 frame, not \{"x0":0,"y0":0,"x1":3,"y1":2\}$/);
    const open = async (): Promise<FrameSource> => ({
      info: { width: 2, height: 2, frameCount: 2 },
      frames: (async function* () {
        yield { width: 2, height: 2, data: clear.slice(), delayMs: 100 };
        yield { width: 2, height: 2, data: clear.slice(), delayMs: 100, changedWithin: bad };
      })(),
    });
    await expect((async () => {
      for await (const q of quantizeClip(open, resolveSequenceOptions({ colors: 2, seeding: 'global' }))) q.release();
    })()).rejects.toThrow(/^changedWithin is a box/);
  });
});

describe("a mapper's kept mapping", () => {
  it('maps only its box, and is refused with dithering or for a frame of another size', () => {
    const mapper = createMapper();
    const palette = Uint8Array.of(0, 0, 0, 255, 255, 255);
    const frame = { width: 2, height: 1, data: Uint8Array.of(250, 250, 250, 255, 5, 5, 5, 255) };
    // Outside the box (the second pixel) the frame before's entry stays, whatever the pixel.
    const kept = { changed: { x0: 0, y0: 0, x1: 1, y1: 1 }, width: 2, indices: Uint8Array.of(0, 1), transparent: null };
    expect([...mapper.map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'none' }, undefined, undefined, kept).indices]).toEqual([1, 1]);
    expect(() => mapper.map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'bayer' }, undefined, undefined, kept)).toThrow(/^a mapper's kept mapping acts on undithered mapping/);
    expect(() => mapper.map(frame, palette, 2, { metric: 'euclidean', space: 'rgb', dither: 'none' }, undefined, undefined, { ...kept, width: 3 })).toThrow(/^a kept mapping is the frame before's/);
  });
});
