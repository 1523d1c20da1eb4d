import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
// The built modules: the worker is the compiled dist/io/gif-encode-worker.js.
import { createGifEncoder, type GifEncoderOptions } from '../../dist/encode/gif-encode.js';
import { offerEarlyGifThread, openGifEncoder } from '../../dist/io/gif-thread.js';
import { threadPays } from '../../dist/io/gif-thread-pays.js';
import { gifOutputOf, startEarlyGifThread, type EarlyGifThread } from '../../dist/io/early-gif-thread.js';
import { repoRoot, runMain } from '../helpers/cli.js';
import { createFrameWriter } from '../../dist/io/frame-writer.js';
import { createRng } from '../../dist/kmeans/random.js';
import type { IndexedFrame } from '../../src/types.js';

/** Frames of random indices into random 16-colour palettes: every pixel changes, as in a video. */
function noisyFrames(width: number, height: number, count: number): IndexedFrame[] {
  const rng = createRng(7);
  return Array.from({ length: count }, (_, f) => {
    const indices = new Uint8Array(width * height);
    for (let i = 0; i < indices.length; i++) indices[i] = Math.floor(rng() * 16);
    const palette = new Uint8Array(16 * 3);
    for (let i = 0; i < palette.length; i++) palette[i] = Math.floor(rng() * 256);
    // One frame with a transparent corner, so the encoder's transparency path is crossed too.
    const transparent = f === 2 ? new Uint8Array(width * height).fill(1, 0, width * 10) : null;
    return { width, height, indices, palette, size: 16, transparent, delayMs: 40 + 10 * f };
  });
}

/** A copy of `bytes` on shared memory, as quantizeClip writes its indices and masks. */
function onShared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

describe('GIF encoding on a thread of its own', () => {
  it('is chosen for video frames even in a short clip, and for GIF frames only in a long one', () => {
    const qvga = 320 * 240;
    expect(threadPays(qvga, 36, true)).toBe(true); // realshort.mp4
    expect(threadPays(qvga, 12, false)).toBe(false); // a GIF of the same size: 0.9 M pixels in all
    expect(threadPays(qvga, 14, false)).toBe(true); // over 1 M
    expect(threadPays(qvga, 1, true)).toBe(false); // one frame: nothing to overlap
    expect(threadPays(qvga, 0, true)).toBe(false); // a video's estimate for a part shorter than a frame: one frame
    expect(threadPays(160 * 120, 500, true)).toBe(false); // frames too small to be worth a message each
    expect(threadPays(qvga, undefined, false)).toBe(true); // count unknown: a stream may be long
  });

  it.each([
    ['its own buffers', false],
    // quantizeClip's arrays: the thread reads them where they are, without a copy.
    ['shared memory', true],
  ])('writes the same bytes as the encoder in this thread (frames in %s)', async (_, shared) => {
    const frames = noisyFrames(320, 240, 5).map((f) => (shared ? { ...f, indices: onShared(f.indices), transparent: f.transparent && onShared(f.transparent) } : f));
    const options = { width: 320, height: 240, loopCount: 0, differencing: true, mayTurnTransparent: true };
    const here = createGifEncoder(options);
    const hereChunks: Uint8Array[] = [];
    for (const frame of frames) {
      here.addFrame(frame);
      hereChunks.push(here.takeBytes());
    }
    hereChunks.push(here.finish());

    // Without the compiled worker, openGifEncoder would quietly encode in this thread.
    expect(existsSync(new URL('../../dist/io/gif-encode-worker.js', import.meta.url))).toBe(true);
    const there = openGifEncoder(options, frames.length, true);
    try {
      // Queued all at once, as the writer does while it quantizes ahead: replies keep frame order.
      const thereChunks = await Promise.all(frames.map((frame) => there.addFrame(frame)));
      const end = await there.finish();
      thereChunks.push(end.bytes);
      expect(Buffer.concat(thereChunks)).toEqual(Buffer.concat(hereChunks));
      expect(end.cutFrames).toEqual(here.cutFrames);
    } finally {
      there.close();
    }
  });

  it('answers each request with its own error, with our code: a failed start fails every frame after it, in order', async () => {
    const frames = noisyFrames(320, 240, 3);
    // A loop count no GIF holds: refused by the encoder as the thread starts it.
    const there = openGifEncoder({ width: 320, height: 240, loopCount: 70_000 }, frames.length, true);
    try {
      const replies = await Promise.allSettled(frames.map((frame) => there.addFrame(frame)));
      for (const reply of replies) {
        expect(reply.status).toBe('rejected');
        expect((reply as PromiseRejectedResult).reason).toMatchObject({ name: 'ChromaseedError', code: 'ERR_USAGE', message: expect.stringContaining('loopCount') });
      }
      // A frame the encoder refuses comes back as that frame's error, after the good ones.
      const good = openGifEncoder({ width: 320, height: 240 }, frames.length, true);
      const bad = { ...frames[1], size: 300 };
      const mixed = await Promise.allSettled([good.addFrame(frames[0]), good.addFrame(bad), good.addFrame(frames[2])]);
      good.close();
      expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((mixed[1] as PromiseRejectedResult).reason.message).toContain('for size 300');
    } finally {
      there.close();
    }
  });

  it("says when the thread has read a frame on shared memory: the frame's arrays may be written over from then on", async () => {
    const frames = noisyFrames(320, 240, 6);
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-gif-read-'));
    try {
      const write = async (name: string, scribble: boolean): Promise<{ bytes: Buffer; reads: number[] }> => {
        const file = path.join(dir, name);
        const writer = await createFrameWriter(file, { width: 320, height: 240, loopCount: 0, frameCount: frames.length, changesEveryFrame: true });
        const reads: number[] = [];
        for (const [f, frame] of frames.entries()) {
          const shared = { ...frame, indices: onShared(frame.indices), transparent: frame.transparent && onShared(frame.transparent) };
          // As quantizeClip's pool does with a frame handed back: the arrays take other pixels.
          await writer.write(shared, () => {
            reads.push(f);
            if (scribble) shared.indices.fill(15);
          });
        }
        await writer.finish();
        return { bytes: readFileSync(file), reads };
      };
      const [plain, scribbled] = [await write('plain.gif', false), await write('scribbled.gif', true)];
      expect(scribbled.reads).toEqual([0, 1, 2, 3, 4, 5]);
      expect(scribbled.bytes.equals(plain.bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the thread's replies as it goes, from a frame source that never waits", async () => {
    const frames = noisyFrames(320, 240, 14);
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-gif-turns-'));
    try {
      // Fewer frames than the writer lets ahead (16 of this size): it never waits for one.
      const writer = await createFrameWriter(path.join(dir, 'out.gif'), { width: 320, height: 240, frameCount: frames.length, changesEveryFrame: true });
      let read = 0;
      for (const frame of frames) {
        // Quantizing, as a GIF's frames are: no turn of the event loop in between.
        const until = Date.now() + 30;
        while (Date.now() < until);
        await writer.write(frame, () => void read++);
      }
      // The thread has had 0.4 s for its frames; their replies were taken between writes
      // (quantizeClip gets their arrays back), not left queued until finish.
      expect(read).toBeGreaterThan(0);
      await writer.finish();
      expect(read).toBe(frames.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// bin/chromaseed.js starts the thread as the process starts (early-gif-thread.ts), before
// the command line has loaded; the encoder takes it (offerEarlyGifThread) or ends it.
const distWorker = fileURLToPath(new URL('../../dist/io/gif-encode-worker.js', import.meta.url));

/** What the encoder in this thread writes for `frames`. */
function encodedHere(frames: IndexedFrame[], options: GifEncoderOptions): Buffer {
  const here = createGifEncoder(options);
  for (const frame of frames) here.addFrame(frame);
  return Buffer.concat([here.takeBytes(), here.finish()]);
}

/** What openGifEncoder writes for `frames` (thought to be a video's when `video`). */
async function encodedByOpened(frames: IndexedFrame[], options: GifEncoderOptions, video = true): Promise<{ bytes: Buffer; threaded: boolean }> {
  const encoder = openGifEncoder(options, frames.length, video);
  try {
    const chunks = await Promise.all(frames.map((frame) => encoder.addFrame(frame)));
    chunks.push((await encoder.finish()).bytes);
    return { bytes: Buffer.concat(chunks), threaded: encoder.threaded };
  } finally {
    encoder.close();
  }
}

describe('the GIF thread started as the process starts', () => {
  it('is started for a quantize that writes a GIF, as far as a glance at its command line tells', () => {
    expect(gifOutputOf(['quantize', 'in.mp4', '-o', 'out.gif'])).toBe('out.gif');
    expect(gifOutputOf(['quantize', 'in.mp4', '--output=OUT.GIF', '-q'])).toBe('OUT.GIF');
    expect(gifOutputOf(['quantize', 'in.mp4', '-k', '8', '--output', 'out.gif'])).toBe('out.gif');
    expect(gifOutputOf(['quantize', 'in.gif', '-o', 'out.mp4'])).toBeNull();
    expect(gifOutputOf(['quantize', 'in.gif', '-o'])).toBeNull();
    // Their encoders' frames are not the input's: side by side, or another file's.
    expect(gifOutputOf(['compare', 'in.gif', '-o', 'side.gif'])).toBeNull();
    expect(gifOutputOf(['transfer', 'photo.jpg', 'clip.mp4', '-o', 'out.gif'])).toBeNull();
    expect(startEarlyGifThread(['quantize', 'in.gif', '-o', 'out.mp4'], distWorker)).toBeNull();
    // A video narrowed below 256 pixels: landscape frames under the thread's 64k pixels.
    expect(startEarlyGifThread(['quantize', 'in.mp4', '--width', '200', '-o', 'out.gif'], distWorker)).toBeNull();
    expect(startEarlyGifThread(['quantize', 'in.mp4', '--width=255', '-o', 'out.gif'], distWorker)).toBeNull();
    const wide = startEarlyGifThread(['quantize', 'in.mp4', '--width', '256', '-o', 'out.gif'], distWorker);
    expect(wide).not.toBeNull();
    wide!.drop();
  });

  it('is not started for a GIF the encoder would keep in the main thread, from a glance at it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-early-thread-'));
    try {
      const started = (name: string, width: number, frames: number): boolean => {
        const file = path.join(dir, name);
        const encoder = createGifEncoder({ width, height: 256 });
        for (const frame of noisyFrames(width, 256, frames)) encoder.addFrame(frame);
        writeFileSync(file, Buffer.concat([encoder.takeBytes(), encoder.finish()]));
        const thread = startEarlyGifThread(['quantize', file, '-o', path.join(dir, 'out.gif')], distWorker);
        thread?.drop();
        return thread !== null;
      };
      // The thread's smallest frame is 256 x 256, its shortest clip 1 million pixels in all.
      expect(started('narrow.gif', 255, 20)).toBe(false);
      expect(started('one-frame.gif', 256, 1)).toBe(false);
      expect(started('short.gif', 256, 15)).toBe(false);
      expect(started('long.gif', 256, 16)).toBe(true);
      // A JPEG is one frame.
      expect(startEarlyGifThread(['quantize', path.join(repoRoot, 'samples/hibiscus.jpg'), '-o', path.join(dir, 'out.gif')], distWorker)).toBeNull();
      // A name that is no file is the command's to refuse: the thread starts as for a video.
      const missing = startEarlyGifThread(['quantize', path.join(dir, 'gone.gif'), '-o', path.join(dir, 'out.gif')], distWorker);
      expect(missing).not.toBeNull();
      missing!.drop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not open a pipe named as a GIF: its writer, waiting for a reader, goes on waiting', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-early-fifo-'));
    const fifo = path.join(dir, 'in.gif');
    execFileSync('mkfifo', [fifo]);
    // A writer blocked until a reader opens the pipe; an open of it (even without waiting)
    // would let it write into a pipe then closed at once.
    const writer = spawn('sh', ['-c', `printf GIF89a > '${fifo}'`], { stdio: 'ignore' });
    const ended = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const thread = startEarlyGifThread(['quantize', fifo, '-o', path.join(dir, 'out.gif')], distWorker);
      thread?.drop();
      const still = await Promise.race([ended.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
      expect(still).toBe('waiting');
      // Read, to let it finish.
      expect(readFileSync(fifo, 'latin1')).toBe('GIF89a');
      expect(await ended).toBe(0);
    } finally {
      writer.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encodes the frames when the encoder wants a thread, and is ended, unused, when it wants none', async () => {
    const frames = noisyFrames(320, 240, 4);
    const options = { width: 320, height: 240, loopCount: 0 };
    const early = startEarlyGifThread(['quantize', 'in.mp4', '-o', 'out.gif'], distWorker)!;
    const take = vi.spyOn(early, 'take');
    offerEarlyGifThread(early);
    const threaded = await encodedByOpened(frames, options);
    expect(threaded.threaded).toBe(true);
    expect(take).toHaveReturnedWith(expect.any(Worker));
    expect(threaded.bytes.equals(encodedHere(frames, options))).toBe(true);
    // Taken once only: the next encoder starts a thread of its own.
    expect(early.take()).toBeNull();

    // Frames too small for a thread: the one offered is ended, not kept for later.
    const small = noisyFrames(100, 100, 4);
    const unwanted = startEarlyGifThread(['quantize', 'in.mp4', '-o', 'out.gif'], distWorker)!;
    offerEarlyGifThread(unwanted);
    const inThread = await encodedByOpened(small, { width: 100, height: 100 });
    expect(inThread.threaded).toBe(false);
    expect(inThread.bytes.equals(encodedHere(small, { width: 100, height: 100 }))).toBe(true);
    expect(unwanted.take()).toBeNull();
  });

  it('is not handed on once it has failed: the encoder starts a thread of its own', async () => {
    const frames = noisyFrames(320, 240, 3);
    const options = { width: 320, height: 240 };
    // The thread, seen as it is made, so as to wait for its failure ('error', then 'exit'),
    // which arrives while the command line loads.
    const made: Worker[] = [];
    const builtin = process.getBuiltinModule.bind(process);
    const getBuiltinModule = vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => {
      if (id !== 'node:worker_threads') return builtin(id);
      const Seen = class extends Worker {
        constructor(...args: ConstructorParameters<typeof Worker>) {
          super(...args);
          made.push(this);
        }
      };
      return { Worker: Seen };
    }) as typeof process.getBuiltinModule);
    let broken: EarlyGifThread;
    try {
      broken = startEarlyGifThread(['quantize', 'in.mp4', '-o', 'out.gif'], path.join(tmpdir(), 'no-such-worker.js'))!;
    } finally {
      getBuiltinModule.mockRestore();
    }
    expect(made).toHaveLength(1);
    await new Promise((resolve) => made[0].once('exit', resolve));
    offerEarlyGifThread(broken);
    const opened = await encodedByOpened(frames, options);
    expect(opened.threaded).toBe(true);
    expect(opened.bytes.equals(encodedHere(frames, options))).toBe(true);
  });

  it('is ended by the end of a run that did not take it: one that fails before it writes, and one encoded in the main thread', async () => {
    const offered = () => ({ take: vi.fn((): Worker | null => null), drop: vi.fn() });
    const failed = offered();
    const missing = await runMain(['quantize', path.join(tmpdir(), 'no-such-clip.gif'), '-o', path.join(tmpdir(), 'never.gif')], undefined, failed);
    expect(missing.code).not.toBe(0);
    expect(failed.take).not.toHaveBeenCalled();
    expect(failed.drop).toHaveBeenCalled();
    // From the sources there is no compiled worker: the encoder wants none, and ends the one offered.
    const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-early-unused-'));
    try {
      const unused = offered();
      const run = await runMain(['quantize', path.join(repoRoot, 'samples/cars.gif'), '-k', '4', '-o', path.join(dir, 'out.gif'), '-q'], undefined, unused);
      expect(run.code).toBe(0);
      expect(unused.take).not.toHaveBeenCalled();
      expect(unused.drop).toHaveBeenCalled();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
