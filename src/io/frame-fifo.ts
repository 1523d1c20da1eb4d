import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { trackTemp, untrackTemp } from './leftovers.js';

/*
 * ffmpeg's raw frames through a named pipe (FIFO), read straight into the frames' buffers.
 *
 * From ffmpeg's standard output, Node reads each 64 KiB of the pipe into a new buffer that
 * the reader then copies into a frame: four copies of a 320x240 frame's worth of buffers,
 * garbage that V8 frees only when it next collects young objects, which the pipeline, making
 * little garbage of its own, does seconds apart; about 30 MB of them were waiting at the
 * 2,000-frame memory benchmark's peak. A socket made over a FIFO takes `onread`, which reads
 * into buffers of our own: each read lands in the frame at the place it has filled to.
 */

/** Whole frames, one at a time; null at the end (a frame cut short at the end is dropped). */
export interface FrameReader {
  next(): Promise<Uint8Array | null>;
}

export interface FrameFifo {
  /** Where ffmpeg writes (its output file). */
  readonly path: string;
  /**
   * Starts reading frames of `frameBytes` into buffers `take` gives, at most FRAMES_AHEAD
   * of them read before they are asked for (then ffmpeg waits, as on a full pipe).
   */
  frames(frameBytes: number, take: () => Uint8Array): FrameReader;
  /** ffmpeg has exited: what it wrote is read to the end, and then the reader ends. */
  writerDone(): void;
  /** Stops reading and removes the FIFO; the buffer being filled, if any, goes to `give`. */
  close(give?: (buffer: Uint8Array) => void): void;
}

/** A consumer's wait on a stream (see createWaiter). */
export interface Waiter {
  /** Set at the followed stream's end, and its error. */
  readonly ended: boolean;
  readonly failure: Error | null;
  /** Something to take: the pending wait() resolves. */
  poke(): void;
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
  return {
    get ended() {
      return ended;
    },
    get failure() {
      return failure;
    },
    poke,
    wait: () => new Promise<void>((resolve) => (wake = resolve)),
    follow(stream) {
      stream.on('end', () => {
        ended = true;
        poke();
      });
      stream.on('error', (err: Error) => {
        failure = err;
        poke();
      });
    },
  };
}

/** Frames read before they are asked for: ffmpeg decodes the next while one is quantized. */
const FRAMES_AHEAD = 2;

/**
 * A FIFO in the temporary directory, or null where none can be made (Windows; a system
 * without `mkfifo`): the caller then reads ffmpeg's standard output.
 */
export function openFrameFifo(): FrameFifo | null {
  if (process.platform === 'win32') return null;
  const fifoPath = path.join(tmpdir(), `chromaseed-frames-${process.pid}-${randomBytes(6).toString('hex')}`);
  if (spawnSync('mkfifo', ['-m', '600', fifoPath], { stdio: 'ignore' }).status !== 0) return null;
  trackTemp(fifoPath);
  let readFd = -1;
  // Held open for writing until ffmpeg has exited: a FIFO with no writer reads as ended, and
  // ffmpeg opens it only once it has started, read its input and set up its filters.
  let keepFd = -1;
  try {
    readFd = openSync(fifoPath, constants.O_RDONLY | constants.O_NONBLOCK);
    keepFd = openSync(fifoPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    for (const fd of [readFd, keepFd]) if (fd >= 0) closeSync(fd);
    rmSync(fifoPath, { force: true });
    untrackTemp(fifoPath);
    return null;
  }
  let socket: Socket | null = null;
  let current: Uint8Array | null = null;
  const releaseWriter = (): void => {
    if (keepFd < 0) return;
    closeSync(keepFd);
    keepFd = -1;
  };
  return {
    path: fifoPath,
    frames(frameBytes, take) {
      const ready: Uint8Array[] = [];
      let filled = 0;
      let reading = true;
      const events = createWaiter();
      // The constructor takes `onread` (Node's documentation lists it there; the typings,
      // under connect()'s options only).
      const options: SocketConstructorOpts & { onread: OnReadOpts } = {
        fd: readFd,
        readable: true,
        writable: false,
        onread: {
          // Asked for before each read: the rest of the frame being filled.
          buffer: () => {
            current ??= take();
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
      socket = new Socket(options);
      events.follow(socket);
      return {
        async next() {
          for (;;) {
            const frame = ready.shift();
            if (frame !== undefined) {
              if (!reading) {
                reading = true;
                socket?.resume();
              }
              return frame;
            }
            if (events.failure) throw events.failure;
            if (events.ended) return null;
            await events.wait();
          }
        },
      };
    },
    writerDone: releaseWriter,
    close(give) {
      releaseWriter();
      if (socket !== null) socket.destroy();
      else closeSync(readFd);
      if (current !== null) give?.(current);
      current = null;
      rmSync(fifoPath, { force: true });
      untrackTemp(fifoPath);
    },
  };
}
