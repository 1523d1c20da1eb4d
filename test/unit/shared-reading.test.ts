import { describe, expect, it } from 'vitest';
import { shareReading } from '../../src/pipeline/shared-reading.js';
import type { Frame, FrameSource, TimedFrame } from '../../src/types.js';

/** A source of `count` 1x1 frames whose red is the frame's number, counting its reads and releases. */
function countingSource(count: number, failAt = -1) {
  const log = { reads: 0, released: [] as number[], returned: false };
  async function* frames(): AsyncGenerator<TimedFrame> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error(`frame ${i} is damaged`);
        log.reads++;
        yield { width: 1, height: 1, data: Uint8Array.of(i, 0, 0, 255), delayMs: 100 };
      }
    } finally {
      log.returned = true;
    }
  }
  const source: FrameSource = { info: { width: 1, height: 1, frameCount: count } as FrameSource['info'], frames: frames(), release: (f: Frame) => log.released.push(f.data[0]), warnings: [] };
  return { source, log };
}

/** Steps every seat's iterator once per round, as compare does; returns each seat's frame numbers. */
async function inStep(iterators: AsyncIterator<TimedFrame>[]): Promise<number[][]> {
  const seen: number[][] = iterators.map(() => []);
  for (;;) {
    let any = false;
    for (const [s, it] of iterators.entries()) {
      const r = await it.next();
      if (r.done !== true) {
        seen[s].push(r.value.data[0]);
        any = true;
      }
    }
    if (!any) return seen;
  }
}

describe('shareReading', () => {
  it('reads the clip once for every seat, each getting every frame in order', async () => {
    const { source, log } = countingSource(5);
    const reading = shareReading(source);
    const seats = [reading.seat(), reading.seat(), reading.seat()];
    const opened = await Promise.all(seats.map((s) => s.open()));
    expect(opened[0].info).toBe(source.info);
    const seen = await inStep(opened.map((o) => o.frames[Symbol.asyncIterator]()));
    expect(seen).toEqual([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);
    expect(log.reads).toBe(5);
    expect(log.returned).toBe(true);
  });

  it('keeps the frames for a seat opened late (the one-palette run, after its own pass)', async () => {
    const { source, log } = countingSource(3);
    const reading = shareReading(source);
    const early = reading.seat();
    const late = reading.seat();
    const a = (await early.open()).frames[Symbol.asyncIterator]();
    expect((await a.next()).value.data[0]).toBe(0);
    const b = (await late.open()).frames[Symbol.asyncIterator]();
    expect((await b.next()).value.data[0]).toBe(0);
    expect(await inStep([a, b])).toEqual([[1, 2], [1, 2]]);
    expect(log.reads).toBe(3);
  });

  it('gives a frame back to the source once every seat has released it', async () => {
    const { source, log } = countingSource(2);
    const reading = shareReading(source);
    const [x, y] = await Promise.all([reading.seat().open(), reading.seat().open()]);
    const first = (await x.frames[Symbol.asyncIterator]().next()).value as TimedFrame;
    x.release!(first);
    expect(log.released).toEqual([]);
    y.release!(first);
    expect(log.released).toEqual([0]);
  });

  it('keeps handing frames back once a seat has stopped (they were held for it for ever, and memory grew with the clip)', async () => {
    const { source, log } = countingSource(6);
    const reading = shareReading(source);
    const [x, y] = await Promise.all([reading.seat().open(), reading.seat().open()]);
    const xs = x.frames[Symbol.asyncIterator]();
    const ys = y.frames[Symbol.asyncIterator]();
    const first = (await xs.next()).value as TimedFrame;
    await ys.next();
    y.release!(first);
    await ys.return!(undefined);
    // The stopped seat released frame 0, and the other stopping hands it back.
    expect(log.released).toEqual([]);
    x.release!(first);
    expect(log.released).toEqual([0]);
    let before: TimedFrame | null = null;
    for (let r = await xs.next(); r.done !== true; r = await xs.next()) {
      if (before !== null) x.release!(before);
      before = r.value;
    }
    expect(log.released).toEqual([0, 1, 2, 3, 4]);
  });

  it('a second close() waits for the first to end the source', async () => {
    const { source, log } = countingSource(3);
    let finish!: () => void;
    const slowEnd: FrameSource = {
      ...source,
      frames: {
        [Symbol.asyncIterator]: () => {
          const it = source.frames[Symbol.asyncIterator]();
          return { next: () => it.next(), return: async () => { await new Promise<void>((r) => (finish = r)); return it.return!(); } };
        },
      },
    };
    const reading = shareReading(slowEnd);
    reading.seat();
    const first = reading.close();
    const second = reading.close();
    let ended = false;
    void second.then(() => (ended = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(ended).toBe(false);
    finish();
    await Promise.all([first, second]);
    expect(ended).toBe(true);
    expect(log.reads).toBe(0);
  });

  it('hands the source\'s failure to every seat that asks for the frame', async () => {
    const { source } = countingSource(3, 1);
    const reading = shareReading(source);
    const seats = await Promise.all([reading.seat().open(), reading.seat().open()]);
    const its = seats.map((s) => s.frames[Symbol.asyncIterator]());
    for (const it of its) expect((await it.next()).value.data[0]).toBe(0);
    for (const it of its) await expect(it.next()).rejects.toThrow('frame 1 is damaged');
  });

  it('close() ends the source (its ffmpeg) though a seat never came to the end', async () => {
    const { source, log } = countingSource(10);
    const reading = shareReading(source);
    const seat = reading.seat();
    reading.seat(); // never opened: an error before the one-palette run's pass ended, say
    await (await seat.open()).frames[Symbol.asyncIterator]().next();
    expect(log.returned).toBe(false);
    await reading.close();
    expect(log.returned).toBe(true);
    expect(log.reads).toBe(1);
  });

  it('counts the time spent reading, and each seat\'s wait for it', async () => {
    const { source } = countingSource(2);
    const slow: FrameSource = {
      ...source,
      frames: (async function* () {
        for await (const f of source.frames) {
          await new Promise((r) => setTimeout(r, 30));
          yield f;
        }
      })(),
    };
    const reading = shareReading(slow);
    const seats = [reading.seat(), reading.seat()];
    const opened = await Promise.all(seats.map((s) => s.open()));
    await inStep(opened.map((o) => o.frames[Symbol.asyncIterator]()));
    // The first seat to ask for a frame waits for it to be read; the second finds it read.
    expect(reading.readMs()).toBeGreaterThanOrEqual(55);
    expect(seats[0].waitedMs()).toBeGreaterThanOrEqual(55);
    expect(seats[1].waitedMs()).toBeLessThan(seats[0].waitedMs() / 3);
  });
});
