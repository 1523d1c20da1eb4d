// The FIFO that ffmpeg's raw frames come through (src/io/frame-fifo.ts), written to here by
// hand: whole frames in order, read into the buffers given, an end that waits for the writer
// to be done, no hang when no writer ever comes, and nothing left in the temporary directory.
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openFrameFifo } from '../../src/io/frame-fifo.js';

const FRAME = 100_000;

/** Bytes whose value is their place, mod 251, from `start`. */
function pattern(start: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (start + i) % 251;
  return bytes;
}

/**
 * Opens the FIFO for writing without blocking (a blocking write to a full FIFO would stop
 * this thread, and with it the reader) and writes `data` in pieces of at most `piece`
 * bytes, waiting while it is full; `progress` follows how far it got.
 */
function writer(path: string): { fd: number; write(data: Uint8Array, piece: number, progress?: { at: number }): Promise<void> } {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return {
    fd,
    async write(data, piece, progress = { at: 0 }) {
      while (progress.at < data.length) {
        try {
          progress.at += writeSync(fd, data, progress.at, Math.min(piece, data.length - progress.at));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
  };
}

/** A source of new frame buffers that keeps each in `buffers`. */
function newBufferInto(buffers: Uint8Array[]): () => Uint8Array {
  return () => {
    buffers.push(new Uint8Array(FRAME));
    return buffers[buffers.length - 1];
  };
}

describe('frame FIFO', () => {
  it('gives whole frames in order, in the buffers it is given, and ends once the writer is done', async () => {
    const buffers: Uint8Array[] = [];
    const fifo = (await openFrameFifo(FRAME, newBufferInto(buffers)))!;
    expect(fifo).not.toBeNull();
    // A writer as ffmpeg is: it opens the FIFO, writes in pieces that do not match the
    // frames (two and a half frames), and closes it.
    const out = writer(fifo.path);
    const data = pattern(0, 2.5 * FRAME);
    const written = out.write(data, 30_000).then(() => closeSync(out.fd));
    const first = await fifo.next();
    const second = await fifo.next();
    await written;
    // Not ended while the writer's end may still come: ffmpeg opens the FIFO late.
    fifo.writerDone();
    expect(await fifo.next()).toBeNull();
    expect(first).not.toBeNull();
    expect(buffers).toContain(first);
    expect(buffers).toContain(second);
    expect(Buffer.from(first!).equals(Buffer.from(data.subarray(0, FRAME)))).toBe(true);
    expect(Buffer.from(second!).equals(Buffer.from(data.subarray(FRAME, 2 * FRAME)))).toBe(true);
    // The half frame at the end is dropped, its buffer given back.
    const given: Uint8Array[] = [];
    fifo.close((b) => given.push(b));
    expect(given).toHaveLength(1);
    expect(given[0]).not.toBe(first);
    expect(existsSync(fifo.path)).toBe(false);
  });

  it('gives back the frames read ahead and not taken when closed, and reports a buffer it could not get', async () => {
    const buffers: Uint8Array[] = [];
    const fifo = (await openFrameFifo(FRAME, newBufferInto(buffers)))!;
    const out = writer(fifo.path);
    await out.write(pattern(3, 2 * FRAME), 65_536);
    // Two frames read ahead, none asked for, and a buffer taken for the third.
    for (let waited = 0; buffers.length < 3 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    closeSync(out.fd);
    const given: Uint8Array[] = [];
    fifo.close((b) => given.push(b));
    expect(given).toEqual(buffers);
    // A buffer the pool cannot give (out of memory) is an error of the read, not of the process.
    const failing = (await openFrameFifo(FRAME, () => {
      throw new RangeError('Array buffer allocation failed');
    }))!;
    await expect(failing.next()).rejects.toThrow('Array buffer allocation failed');
    failing.close();
    expect(existsSync(failing.path)).toBe(false);
  });

  it('ends with no frame when no writer ever comes (ffmpeg failed before opening it), and when closed unread', async () => {
    const fifo = (await openFrameFifo(FRAME, () => new Uint8Array(FRAME)))!;
    fifo.writerDone();
    expect(await fifo.next()).toBeNull();
    fifo.close();
    expect(existsSync(fifo.path)).toBe(false);
    const unread = (await openFrameFifo(FRAME, () => new Uint8Array(FRAME)))!;
    unread.close();
    expect(existsSync(unread.path)).toBe(false);
  });

  it('reads at most two frames ahead of what is asked for, then waits for next()', async () => {
    let taken = 0;
    const fifo = (await openFrameFifo(FRAME, () => {
      taken++;
      return new Uint8Array(FRAME);
    }))!;
    const out = writer(fifo.path);
    // Six frames offered; a FIFO holds 64 KiB, so the writer must wait for the reader.
    const data = pattern(7, 6 * FRAME);
    const progress = { at: 0 };
    const writing = out.write(data, 65_536, progress);
    for (let waited = 0; taken < 3 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Two frames ready and a third begun (its buffer taken), the rest waiting in the writer.
    expect(taken).toBe(3);
    expect(progress.at).toBeLessThan(4 * FRAME);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) frames.push((await fifo.next())!);
    await writing;
    closeSync(out.fd);
    fifo.writerDone();
    expect(await fifo.next()).toBeNull();
    frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.from(data.subarray(i * FRAME, (i + 1) * FRAME))), `frame ${i}`).toBe(true));
    fifo.close();
  });
});
