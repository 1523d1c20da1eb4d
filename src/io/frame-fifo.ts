import { execFile } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { removeTempSync, trackTemp } from './leftovers.js';

/*
 * ffmpeg's raw frames through a named pipe (FIFO), read straight into the frames' buffers.
 *
 * From ffmpeg's standard output, Node reads each 64 KiB of the pipe into a new buffer that
 * the reader then copies into a frame (five of them to a 320x240 frame): garbage that V8
 * frees only when it next collects young objects, which the pipeline, making little garbage
 * of its own, does seconds apart; about 30 MB of them were waiting at the 2,000-frame memory
 * benchmark's peak. A socket made over a FIFO takes `onread`, which reads
 * into buffers of our own: each read lands in the frame at the place it has filled to.
 *
 * Only for the ffmpeg bundled with chromaseed (the caller's choice): another one may run with
 * a /tmp of its own (a snap's, a container's), where it would not find the FIFO and would
 * write the whole decoded video into a file of that name, giving us nothing.
 */

/** Whole frames, one at a time; null at the end (a frame cut short at the end is dropped). */
export interface FrameReader {
  next(): Promise<Uint8Array | null>;
}

/** A FIFO being read (see openFrameFifo): its frames through next(). */
export interface FrameFifo extends FrameReader {
  /** Where ffmpeg writes (its output file). */
  readonly path: string;
  /** ffmpeg has exited: what it wrote is read to the end, and then the reader ends. */
  writerDone(): void;
  /** Stops reading and removes the FIFO; the buffers read into and not taken go to `give`. */
  close(give?: (buffer: Uint8Array) => void): void;
}

/** A consumer's wait on a stream (see createWaiter). */
export interface Waiter {
  /** Set at the followed stream's end, and its error (or one given to fail()). */
  readonly ended: boolean;
  readonly failure: Error | null;
  /** Something to take: the pending wait() resolves. */
  poke(): void;
  fail(err: Error): void;
  wait(): Promise<void>;
  /** Ends the wait at `stream`'s end or error too. */
  follow(stream: NodeJS.EventEmitter): void;
}

export function createWaiter(): Waiter {
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const fail = (err: Error): void => {
    failure ??= err;
    poke();
  };
  return {
    get ended() {
      return ended;
    },
    get failure() {
      return failure;
    },
    poke,
    fail,
    wait: () => new Promise<void>((resolve) => (wake = resolve)),
    follow(stream) {
      stream.on('end', () => {
        ended = true;
        poke();
      });
      stream.on('error', fail);
    },
  };
}

/** Frames read before they are asked for: ffmpeg decodes the next while one is quantized. */
const FRAMES_AHEAD = 2;

const makeFifo = promisify(execFile);

/**
 * A FIFO in a directory of its own in the temporary directory (no other user can put
 * anything at its name), read into frames of `frameBytes` in buffers `take` gives, at most
 * FRAMES_AHEAD of them before they are asked for (then ffmpeg waits, as on a full pipe).
 * Null where none can be made (Windows; a system without `mkfifo`): the caller then reads
 * ffmpeg's standard output.
 */
export async function openFrameFifo(frameBytes: number, take: () => Uint8Array): Promise<FrameFifo | null> {
  if (process.platform === 'win32') return null;
  let dir: string;
  try {
    dir = mkdtempSync(path.join(tmpdir(), `chromaseed-frames-${process.pid}-`));
  } catch {
    return null;
  }
  trackTemp(dir);
  const fifoPath = path.join(dir, 'frames');
  const remove = (): void => removeTempSync(dir);
  let readFd = -1;
  // Held open for writing until ffmpeg has exited: a FIFO with no writer reads as ended, and
  // ffmpeg opens it only once it has started, read its input and set up its filters.
  let keepFd = -1;
  try {
    await makeFifo('mkfifo', ['-m', '600', fifoPath]);
    readFd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
    keepFd = openSync(fifoPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    for (const fd of [readFd, keepFd]) if (fd >= 0) closeSync(fd);
    remove();
    return null;
  }
  const releaseWriter = (): void => {
    if (keepFd < 0) return;
    closeSync(keepFd);
    keepFd = -1;
  };
  const ready: Uint8Array[] = [];
  let current: Uint8Array | null = null;
  let filled = 0;
  let reading = true;
  const events = createWaiter();
  let socket: Socket | null = null;
  // The constructor takes `onread` (Node's documentation lists it there; the typings, under
  // connect()'s options only).
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd: readFd,
    readable: true,
    writable: false,
    onread: {
      // Asked for before each read: the rest of the frame being filled.
      buffer: () => {
        if (current === null) {
          // Thrown here, inside Node's read, an error would end the process uncaught.
          try {
            current = take();
          } catch (err) {
            events.fail(err as Error);
            socket?.destroy();
            return new Uint8Array(1);
          }
        }
        return current.subarray(filled);
      },
      callback: (bytes) => {
        filled += bytes;
        if (filled < frameBytes) return true;
        ready.push(current!);
        current = null;
        filled = 0;
        events.poke();
        // false stops reading until next() resumes it.
        reading = ready.length < FRAMES_AHEAD;
        return reading;
      },
    },
  };
  let pipe: Socket;
  try {
    pipe = socket = new Socket(options);
  } catch (err) {
    closeSync(readFd);
    releaseWriter();
    remove();
    throw err;
  }
  events.follow(pipe);
  // The constructor asks for the first buffer, before `socket` is set.
  if (events.failure !== null) pipe.destroy();
  return {
    path: fifoPath,
    async next() {
      for (;;) {
        const frame = ready.shift();
        if (frame !== undefined) {
          if (!reading) {
            reading = true;
            pipe.resume();
          }
          return frame;
        }
        if (events.failure) throw events.failure;
        if (events.ended) return null;
        await events.wait();
      }
    },
    writerDone: releaseWriter,
    close(give) {
      releaseWriter();
      pipe.destroy();
      if (give !== undefined) for (const buffer of current === null ? ready : [...ready, current]) give(buffer);
      current = null;
      ready.length = 0;
      remove();
    },
  };
}
