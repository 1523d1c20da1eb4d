/**
 * Properties of the whole pipeline, quantizeClip and then the GIF encoder, on small random
 * clips under random options: the combinations of seeding, stability and its levers, metric,
 * space, dithering and k that the command line accepts, on content that reaches the edges
 * (frames of one pixel or one row, noise, a few flat colours, greys, scattered transparency,
 * frames with no opaque pixel, a still clip). The example tests pin behaviour on chosen
 * cases; these check what must hold on every one. The PRNG is seeded, so a failing case
 * replays from the description its message prints.
 */
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { createGifEncoder } from '../../src/encode/gif-encode.js';
import { createRng } from '../../src/kmeans/random.js';
import { resolveSequenceOptions, type SequenceOptionsInput } from '../../src/options.js';
import { expandFrame } from '../helpers/expand-frame.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import type { FrameSource, IndexedFrame, TimedFrame } from '../../src/types.js';

const SEED = 0x9e3779b9;
const CASES = 80;
const KINDS = ['noise', 'few', 'drift', 'fewer', 'still', 'sprite', 'grey', 'holes', 'blinking', 'fade'] as const;
type Kind = (typeof KINDS)[number];

interface Clip {
  kind: Kind;
  width: number;
  height: number;
  frames: TimedFrame[];
}

function randomCase(rand: () => number): { clip: Clip; options: SequenceOptionsInput } {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const kind = pick(KINDS);
  const width = int(1, 32);
  const height = int(1, 24);
  const colours = Array.from({ length: int(1, 300) }, () => [int(0, 255), int(0, 255), int(0, 255)]);
  const background = Array.from({ length: width * height }, () => pick(kind === 'drift' ? colours.slice(0, 6) : colours));
  const frames: TimedFrame[] = [];
  for (let t = 0, n = int(1, 8); t < n; t++) {
    const data = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      let rgb: number[];
      let opaque = true;
      if (kind === 'noise') rgb = [int(0, 255), int(0, 255), int(0, 255)];
      else if (kind === 'few') rgb = pick(colours.slice(0, 3));
      // Many colours, then a frame of a handful: the palette seeded from the first has more entries than colours to fill them.
      else if (kind === 'fewer') rgb = t % 2 === 0 ? background[p] : colours[p % Math.min(colours.length, 1 + (t % 5))];
      // Flat colours that move by a level or two a frame: what the palette hold holds.
      else if (kind === 'drift') rgb = background[p].map((v) => (v + t * (1 + (p % 2))) % 256);
      else if (kind === 'still') rgb = background[p];
      else if (kind === 'sprite') rgb = p % width >= t && p % width < t + 4 ? [255, 0, 0] : background[p];
      else if (kind === 'grey') rgb = Array(3).fill(int(0, 255));
      else if (kind === 'holes') {
        rgb = pick(colours);
        opaque = rand() < 0.6;
      } else if (kind === 'blinking') {
        rgb = background[p];
        opaque = t % 2 === 0; // every other frame has no opaque pixel
      } else rgb = [(t * 37) % 256, (t * 37) % 256, p % 256];
      // A transparent pixel is all zeros, as the decoders leave it.
      if (opaque) data.set([rgb[0], rgb[1], rgb[2], 255], p * 4);
    }
    frames.push({ width, height, data, delayMs: 100 });
  }

  const options: SequenceOptionsInput = {
    colors: pick([1, 2, 3, 7, 16, 64, 255, 256]),
    seeding: pick(['seeded', 'seeded', 'none', 'global'] as const),
    metric: pick(['euclidean', 'manhattan'] as const),
    space: pick(['rgb', 'lab', 'oklab'] as const),
    dither: pick(['none', 'none', 'floyd-steinberg', 'bayer'] as const),
    init: pick(['kmeans++', 'farthest', 'random'] as const),
    seed: int(0, 5),
  };
  // With one palette for the clip, the pixel hold is the one lever taken.
  if (options.seeding === 'global' && rand() < 0.5) options.pixelHold = pick([-1, 0, 8, 255]);
  if (options.seeding === 'seeded') {
    options.stability = pick(['none', 'low', 'medium', 'high'] as const);
    if (rand() < 0.5) {
      // Levers set one by one, as far as they go together (what the option check refuses is tested elsewhere).
      const refresh = pick([0, 1, 3]);
      Object.assign(options, {
        paletteHold: pick([0, 1, 5]),
        pixelHold: pick([-1, 0, 8, 255]),
        anchor: options.metric === 'euclidean' ? pick([0, 2]) : 0,
        sceneCut: pick([0, 1, 4]),
        frameIterations: pick([1, 5]),
        jumpHold: pick([0, 1, 100]),
        refresh,
        ...(refresh > 0 ? { refreshGain: pick([0, 0.05]), stillWeight: pick([0, 0.1, 10]) } : {}),
      });
    }
  }
  return { clip: { kind, width, height, frames }, options };
}

async function run(clip: Clip, options: SequenceOptionsInput): Promise<IndexedFrame[]> {
  const open = async (): Promise<FrameSource> => ({
    info: { width: clip.width, height: clip.height, frameCount: clip.frames.length },
    frames: (async function* () {
      for (const f of clip.frames) yield { ...f, data: f.data.slice() };
    })(),
  });
  const out: IndexedFrame[] = [];
  for await (const q of quantizeClip(open, resolveSequenceOptions(options))) {
    const f = q.indexed;
    out.push({ ...f, indices: f.indices.slice(), palette: f.palette.slice(0, f.size * 3), transparent: f.transparent?.slice() ?? null });
  }
  return out;
}

/** The RGBA a frame shows: its palette colours, all zeros where transparent. */
const shown = (f: IndexedFrame): Uint8Array => expandFrame(f).data;

/** Distinct colours of opaque pixels, over all the frames given. */
function distinctColours(...frames: Uint8Array[]): number {
  const seen = new Set<number>();
  for (const rgba of frames) for (let o = 0; o < rgba.length; o += 4) if (rgba[o + 3] !== 0) seen.add((rgba[o] << 16) | (rgba[o + 1] << 8) | rgba[o + 2]);
  return seen.size;
}

function gifRoundTrip(clip: Clip, out: IndexedFrame[]): Uint8Array[] {
  const mayTurnTransparent = clip.frames.some((f) => f.data.some((v, i) => i % 4 === 3 && v === 0));
  const encoder = createGifEncoder({ width: clip.width, height: clip.height, loopCount: 0, differencing: true, mayTurnTransparent });
  for (const f of out) encoder.addFrame(f);
  return [...decodeGif(encoder.finish(), 'round trip').frames()].map((f) => f.data);
}

describe('pipeline properties on random clips under random options', () => {
  it(`hold on ${CASES} cases`, async () => {
    const rand = createRng(SEED);
    for (let n = 0; n < CASES; n++) {
      const { clip, options } = randomCase(rand);
      const what = `case ${n}: ${clip.kind} ${clip.width}x${clip.height}, ${clip.frames.length} frames, ${JSON.stringify(options)}`;
      const out = await run(clip, options);
      expect(out.length, what).toBe(clip.frames.length);
      const k = options.colors!;
      const exactFrames = options.dither === 'none';
      const clipColours = distinctColours(...clip.frames.map((f) => f.data));
      out.forEach((f, t) => {
        const source = clip.frames[t].data;
        expect(f.size, `${what}, frame ${t}: palette size`).toBeLessThanOrEqual(k);
        for (let p = 0; p < f.indices.length; p++) {
          const transparent = source[p * 4 + 3] === 0;
          if ((f.transparent?.[p] === 1) !== transparent) expect.fail(`${what}, frame ${t}, pixel ${p}: transparent in the source ${transparent}, in the output ${!transparent}`);
          if (!transparent && f.indices[p] >= f.size) expect.fail(`${what}, frame ${t}, pixel ${p}: index ${f.indices[p]} past the palette's ${f.size}`);
        }
        // At most k colours (in the frame, or in the clip for one global palette): each is kept
        // exactly, whatever the levers (a seeded frame's capped steps and the anchor included).
        const few = options.seeding === 'global' ? clipColours <= k : distinctColours(source) <= k;
        if (exactFrames && few) expect(Buffer.from(shown(f)).equals(Buffer.from(source)), `${what}, frame ${t}: ${distinctColours(source)} colours, not kept exactly`).toBe(true);
      });
      // A still clip stays still under every preset (levers set by hand, a refresh every frame at no gain, may repaint).
      if (clip.kind === 'still' && options.seeding !== 'none' && options.paletteHold === undefined) {
        const first = Buffer.from(shown(out[0]));
        out.forEach((f, t) => expect(first.equals(Buffer.from(shown(f))), `${what}: frame ${t} differs from frame 0`).toBe(true));
      }
      const decoded = gifRoundTrip(clip, out);
      expect(decoded.length, what).toBe(out.length);
      decoded.forEach((d, t) => expect(Buffer.from(d).equals(Buffer.from(shown(out[t]))), `${what}: the GIF's frame ${t} is not what was encoded`).toBe(true));
      const again = await run(clip, options);
      again.forEach((f, t) => expect(Buffer.from(shown(f)).equals(Buffer.from(shown(out[t]))), `${what}: a second run differs at frame ${t}`).toBe(true));
    }
  }, 60_000);
});
