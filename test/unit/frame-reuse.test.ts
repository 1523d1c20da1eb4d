/**
 * Frame buffers handed back (FrameSource.release) are drawn into again (a GIF's here, a
 * video's in video-io.test.ts): the frames must come out as they do in buffers of their own,
 * and quantizeClip must hand back only frames it no longer looks at. And quantizeClip's
 * output, on shared memory.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { createFramePool } from '../../src/frame-pool.js';
import { showingFirstPass } from '../../src/cli/progress.js';
import { clipPalette } from '../../src/sequence/global-palette.js';
import { resolveSequenceOptions } from '../../src/options.js';
import { quantizeClip } from '../../src/pipeline/quantize-clip.js';
import type { Frame, FrameSource, TimedFrame } from '../../src/types.js';
import { readReleasing } from '../helpers/release-reads.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
// Disposal 2, a transparent index and local colour tables: every compositing path.
const handAnim = new Uint8Array(readFileSync(path.join(corpus, 'gifs/dartimage__hand_anim.gif')));

const copies = (frames: Iterable<TimedFrame>): Uint8Array[] => [...frames].map((f) => f.data.slice());

describe('createFramePool', () => {
  it('gives back what it was given, last first, keeping at most its limit, and then new buffers', () => {
    const pool = createFramePool(8, 2);
    const [a, b, c] = [new Uint8Array(8), new Uint8Array(8), new Uint8Array(8)];
    pool.give(a);
    pool.give(b);
    pool.give(c); // past the limit: not kept
    pool.give(new Uint8Array(4)); // another size
    expect(pool.take()).toBe(b);
    expect(pool.take()).toBe(a);
    const fresh = pool.take();
    expect([a, b, c]).not.toContain(fresh);
    expect(fresh.length).toBe(8);
    // copy: a buffer taken as take() does, holding the canvas's bytes.
    pool.give(a);
    const canvas = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const copied = pool.copy(canvas);
    expect(copied).toBe(a);
    expect([...copied]).toEqual([...canvas]);
  });
});

describe('decodeGif release', () => {
  it('draws later frames into handed-back buffers, with the same pixels as fresh ones', async () => {
    const expected = copies(decodeGif(handAnim, 'hand_anim.gif').frames());
    const gif = decodeGif(handAnim, 'hand_anim.gif');
    const { pixels, reused } = await readReleasing(gif.frames(), gif.release);
    expect(pixels.length).toBe(expected.length);
    pixels.forEach((bytes, f) => expect(bytes.equals(expected[f]), `frame ${f}`).toBe(true));
    // Every frame from the third on is drawn into the buffer of the frame two before it.
    expect(reused).toBe(expected.length - 2);
  });

  it('ignores a buffer of another size, and one handed back twice', () => {
    const gif = decodeGif(handAnim, 'hand_anim.gif');
    const frames = gif.frames();
    const first = frames.next().value as TimedFrame;
    const small: Frame = { width: 1, height: 1, data: new Uint8Array(4) };
    gif.release(small);
    gif.release(first);
    gif.release(first);
    const second = frames.next().value as TimedFrame;
    const third = frames.next().value as TimedFrame;
    expect(second.data).toBe(first.data);
    // Given twice, it is still one buffer: the next frame gets a new one, not the same again.
    expect(third.data).not.toBe(second.data);
    expect(third.data.length).toBe(first.data.length);
  });
});

describe('quantizeClip and a source that takes frames back', () => {
  /** hand_anim as a source (frames repeated as `pattern` says), counting reads and recording releases. */
  function source(pattern?: readonly number[]): { clip: FrameSource; released: { frame: number; read: number }[] } {
    const gif = decodeGif(handAnim, 'hand_anim.gif');
    const released: { frame: number; read: number }[] = [];
    const indexOf = new Map<Uint8Array, number>();
    let read = 0;
    async function* frames(): AsyncGenerator<TimedFrame> {
      const all = gif.frames();
      let last: TimedFrame | null = null;
      let at = -1;
      for (const want of pattern ?? Array.from({ length: gif.info.frameCount! }, (_, i) => i)) {
        while (at < want) {
          last = all.next().value as TimedFrame;
          at++;
        }
        indexOf.set(last!.data, read);
        read++;
        yield last!;
      }
    }
    const clip: FrameSource = {
      info: gif.info,
      frames: frames(),
      release(frame) {
        released.push({ frame: indexOf.get(frame.data)!, read });
        gif.release(frame);
      },
    };
    return { clip, released };
  }

  async function run(clip: FrameSource): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const q of quantizeClip(async () => clip, resolveSequenceOptions({ colors: 16 }))) {
      out.push(Buffer.concat([q.indexed.indices, q.indexed.palette.subarray(0, q.indexed.size * 3), q.indexed.transparent ?? new Uint8Array(0)]));
    }
    return out;
  }

  it('writes what it writes from buffers of their own, handing back each frame once the one after next is asked for', async () => {
    const { clip, released } = source();
    const { release: _, ...withoutRelease } = source().clip;
    const [reused, fresh] = [await run(clip), await run(withoutRelease)];
    expect(reused.length).toBe(24);
    reused.forEach((bytes, f) => expect(Buffer.from(bytes).equals(fresh[f]), `frame ${f}`).toBe(true));
    // Frame f goes back after frame f + 1 has been read, before frame f + 2 is.
    expect(released).toEqual(Array.from({ length: 23 }, (_, f) => ({ frame: f, read: f + 2 })));
  });

  it('writes each frame\'s indices and mask on shared memory, for the GIF encoder\'s thread', async () => {
    const { clip } = source([0, 1, 2]);
    let masks = 0;
    for await (const q of quantizeClip(async () => clip, resolveSequenceOptions({ colors: 16 }))) {
      expect(q.indexed.indices.buffer).toBeInstanceOf(SharedArrayBuffer);
      if (q.indexed.transparent !== null) {
        expect(q.indexed.transparent.buffer).toBeInstanceOf(SharedArrayBuffer);
        masks++;
      }
    }
    expect(masks).toBe(3); // hand_anim's frames have transparent pixels
  });

  it.each([
    ['mapped through the histogram', {}],
    // The per-pixel mapper: only the indices are the pool's (its mask is its own).
    ['dithered', { dither: 'bayer' }],
    ['one palette for the clip', { seeding: 'global' }],
  ] as const)("takes a frame's arrays back once the caller has released them and it has moved past the frame, for the same bytes (%s)", async (_, extra) => {
    const options = resolveSequenceOptions({ colors: 16, ...extra });
    const fresh: Buffer[] = [];
    for await (const q of quantizeClip(async () => source().clip, options)) fresh.push(Buffer.concat([q.indexed.indices, q.indexed.transparent ?? new Uint8Array(0)]));
    for (const holdFrames of [0, 5]) {
      // The caller releases each frame `holdFrames` frames later; until then its arrays must stay as yielded.
      const held: { arrays: Uint8Array[]; as: Buffer[]; release: () => void }[] = [];
      const seen = new Set<Uint8Array>();
      let f = 0;
      for await (const q of quantizeClip(async () => source().clip, options)) {
        const { indices, transparent } = q.indexed;
        expect(Buffer.concat([indices, transparent ?? new Uint8Array(0)]).equals(fresh[f]), `frame ${f}`).toBe(true);
        expect(indices.buffer).toBeInstanceOf(SharedArrayBuffer);
        const arrays = transparent === null ? [indices] : [indices, transparent];
        arrays.forEach((a) => seen.add(a));
        held.push({ arrays, as: arrays.map((a) => Buffer.from(a)), release: q.release });
        while (held.length > holdFrames) {
          const oldest = held.shift()!;
          oldest.arrays.forEach((a, i) => expect(Buffer.from(a).equals(oldest.as[i])).toBe(true));
          oldest.release();
          oldest.release(); // a second call does nothing
        }
        f++;
      }
      expect(f).toBe(24);
      // Reused from the frame two after the one released (the loop itself still maps and
      // holds the next frame from it until then). hand_anim has a mask in every frame.
      const inCirculation = Math.max(holdFrames, 1) + 1;
      expect(seen.size).toBe(Object.keys(extra).length === 0 ? 2 * inCirculation : inCirculation + 24);
    }
  });

  it("hands back each frame of one palette's counting pass once counted, through the pass's progress bar too (each was a new buffer: 5 ms of page faults a frame)", async () => {
    const options = resolveSequenceOptions({ colors: 16 });
    const { clip, released } = source();
    const quiet = { isTTY: false, columns: 80, write: () => true };
    const counted = await clipPalette(showingFirstPass(async () => clip, quiet, 'hand_anim.gif', 'counting colours', false), options);
    expect(released).toEqual(Array.from({ length: 24 }, (_, f) => ({ frame: f, read: f + 1 })));
    // The same palette as from frames of their own.
    const { release: _, ...withoutRelease } = source().clip;
    expect((await clipPalette(async () => withoutRelease, options)).palette).toEqual(counted.palette);
  });

  it('keeps a frame a retimed clip repeats until it has moved past it', async () => {
    // Frame 0 shown three times, then 1, then 2 twice: the same buffer comes back in a row.
    const { clip, released } = source([0, 0, 0, 1, 2, 2, 3]);
    await run(clip);
    // A repeat is handed back once, as the last read that showed it (read 2 for frame 0),
    // when the frame after it has come and the next is asked for.
    expect(released).toEqual([
      { frame: 2, read: 4 },
      { frame: 3, read: 5 },
      { frame: 5, read: 7 },
    ]);
  });
});
