// The two ways a video's frames come from ffmpeg (src/io/video-in.ts): through a FIFO, read
// straight into the frames, and, where no FIFO can be made (Windows), through ffmpeg's
// standard output. Both must give ffmpeg's own frames; the FIFO must not outlive a read,
// whole, stopped early or failed.
import { readdirSync, writeFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ffmpegLocation } from '../../src/io/ffmpeg-path.js';
import { openVideo } from '../../src/io/video-in.js';
import { ffmpegFrames } from '../helpers/ffmpeg-frames.js';
import type { TimedFrame } from '../../src/types.js';

const state = vi.hoisted(() => ({ fifo: true, made: 0 }));
vi.mock('../../src/io/frame-fifo.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/io/frame-fifo.js')>();
  return {
    ...actual,
    openFrameFifo: async (...args: Parameters<typeof actual.openFrameFifo>) => {
      if (!state.fifo) return null;
      const fifo = await actual.openFrameFifo(...args);
      if (fifo !== null) state.made++;
      return fifo;
    },
  };
});

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const realshort = path.join(corpus, 'videos/imageio__realshort.mp4');
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-frame-paths-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** This process's FIFOs in the temporary directory. */
const ownFifos = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith(`chromaseed-frames-${process.pid}-`));

async function readAll(file: string, options = {}): Promise<TimedFrame[]> {
  const source = await openVideo(file, options);
  const frames: TimedFrame[] = [];
  for await (const f of source.frames) frames.push({ ...f, data: f.data.slice() });
  return frames;
}

describe('video frames through a FIFO and through ffmpeg\'s standard output', () => {
  it('are ffmpeg\'s own frames either way, and the FIFO is gone after the read', async () => {
    state.fifo = true;
    const made = state.made;
    const throughFifo = await readAll(realshort);
    expect(state.made).toBe(made + 1);
    expect(ownFifos()).toEqual([]);
    state.fifo = false;
    const throughStdout = await readAll(realshort);
    state.fifo = true;
    const reference = ffmpegFrames(realshort, 320, 240)!;
    expect(throughFifo).toHaveLength(reference.frames.length);
    expect(throughStdout).toHaveLength(reference.frames.length);
    reference.frames.forEach((bytes, f) => {
      expect(Buffer.from(throughFifo[f].data).equals(Buffer.from(bytes)), `frame ${f} (FIFO)`).toBe(true);
      expect(Buffer.from(throughStdout[f].data).equals(Buffer.from(bytes)), `frame ${f} (stdout)`).toBe(true);
    });
  });

  it('uses standard output with an ffmpeg other than the bundled one, which may have a /tmp of its own (a snap\'s)', async () => {
    const made = state.made;
    process.env.FFMPEG_PATH = ffmpegLocation().path;
    try {
      const frames = await readAll(realshort);
      expect(frames).toHaveLength(36);
    } finally {
      delete process.env.FFMPEG_PATH;
    }
    expect(state.made).toBe(made);
    await readAll(realshort);
    expect(state.made).toBe(made + 1);
  });

  it('leaves no FIFO behind when the reader stops early or ffmpeg fails', async () => {
    const source = await openVideo(realshort);
    let n = 0;
    for await (const _ of source.frames) if (++n === 2) break;
    expect(ownFifos()).toEqual([]);
    // A file whose first half is the video: the probe reads it, and ffmpeg stops partway.
    const cut = path.join(work, 'cut.mp4');
    const whole = readFileSync(realshort);
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    await readAll(cut).catch(() => undefined);
    expect(ownFifos()).toEqual([]);
  });
});
