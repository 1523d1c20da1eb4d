// The GIF encoder's thread, started by bin/chromaseed.js as the process starts, when the
// command line asks for a GIF that will want one, for the encoder to take when it opens
// (offerEarlyGifThread in gif-thread.ts).
//
// Why: a thread spends about 100 ms of the second core starting (Node compiles its own modules
// for it), and started when the encoder opened, after the command line had loaded and the
// input had been read, it was still starting as the first frames waited for it: the main
// thread then sat idle at the end while the thread caught up (70 ms of partial_gif_decode.gif's
// 550). Started beside the 50 ms of loading the command line, it is ready by the first frame.
// A wrong guess costs about 20 ms, as the two threads' starts share the machine, so the
// input is looked at first (a GIF's header and block structure, at most 1 MiB of it) and a
// clip the encoder would encode in the main thread starts none, nor does a --width under 256
// pixels. The encoder ends a thread it does not want, and an unwanted one never holds the
// process open. Only a speed-up: nothing here may fail a run.
//
// This file is an entry of the command line's bundle of its own (rolldown.config.js),
// loaded before the rest (and so, with the two modules it imports, put in one chunk for it,
// compiled without the code cache of bin/load-cli.cjs): it imports only what it needs.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { hasGifSignature, isJpeg } from '../file-signatures.js';
import { threadPays } from './gif-thread-pays.js';

/** A GIF thread started early, for the next encoder to take or end. */
export interface EarlyGifThread {
  /** The thread, unless it has failed or stopped, or was taken before. */
  take(): Worker | null;
  /** Ends the thread unless it was taken. */
  drop(): void;
}

/** How -o and --output, and --width, are written. */
const OUTPUT = /^(?:-o|--output)(?:=(.*))?$/s;
const WIDTH = /^--width(?:=(.*))?$/s;
const GIF_NAME = /\.gif$/i;
/** How much of a GIF is read to count its frames: past it, the clip counts as long. */
const GLANCE_BYTES = 1 << 20;

/**
 * The GIF that `argv` (the arguments after the script) names as output, as far as a glance
 * tells, or null. Only `quantize` is looked at: `compare` writes its modes side by side, and
 * `transfer` reads two files, so what their encoders want is not told by a glance at the input.
 */
export function gifOutputOf(argv: readonly string[]): string | null {
  if (argv[0] !== 'quantize') return null;
  const output = valueOf(argv, OUTPUT);
  return output !== undefined && GIF_NAME.test(output) ? output : null;
}

/** The value of the first option of `argv` that `option` matches, given after `=` or as the next argument. */
function valueOf(argv: readonly string[], option: RegExp): string | undefined {
  for (const [i, arg] of argv.entries()) {
    const given = option.exec(arg);
    if (given !== null) return given[1] ?? argv[i + 1];
  }
  return undefined;
}

/**
 * Whether `argv`'s --width makes frames too small for a thread: those of a landscape or square
 * video have at most width² pixels (a portrait one's more, for which a thread is missed).
 */
function narrowedForMainThread(argv: readonly string[]): boolean {
  const given = valueOf(argv, WIDTH);
  const width = given === undefined ? NaN : Number(given);
  return width > 0 && !threadPays(width * width, undefined, true);
}

/**
 * A GIF's screen size (pixels) and its number of images, from its first bytes: `complete`
 * when they reach its trailer, otherwise the frames counted up to where they end (or up to
 * a block no GIF has). Null when the bytes are not a GIF's. A walk of its own, not the
 * reader's parseGifStructure, which would bring the error module and its chunk into what
 * loads before the code cache (its results are the reader's on every corpus GIF: the tests).
 */
export function glanceAtGif(bytes: Uint8Array): { pixels: number; frames: number; complete: boolean } | null {
  const n = bytes.length;
  if (n < 13 || !hasGifSignature(bytes)) return null;
  const pixels = (bytes[6] | (bytes[7] << 8)) * (bytes[8] | (bytes[9] << 8));
  let frames = 0;
  // After the header, the global colour table if there is one.
  let p = 13 + (bytes[10] & 0x80 ? 3 * (2 << (bytes[10] & 7)) : 0);
  while (p < n) {
    const label = bytes[p];
    if (label === 0x3b) return { pixels, frames, complete: true };
    if (label === 0x21) {
      p += 2; // introducer and label, then the extension's sub-blocks
    } else if (label === 0x2c) {
      frames++;
      if (p + 10 > n) break;
      const packed = bytes[p + 9];
      // Descriptor, local colour table, LZW code size, then the image's sub-blocks.
      p += 10 + (packed & 0x80 ? 3 * (2 << (packed & 7)) : 0) + 1;
    } else {
      break;
    }
    while (p < n && bytes[p] !== 0) p += bytes[p] + 1;
    p++;
  }
  return { pixels, frames, complete: false };
}

/**
 * Whether a file named in `argv`, other than `output`, is a clip whose frames the encoder
 * would encode in the main thread: a GIF too small or too short for a thread (threadPays),
 * or a JPEG (one frame). Any other input (a video, standard input) may want one.
 */
function namesMainThreadClip(argv: readonly string[], output: string): boolean {
  return argv.some((arg) => {
    const start = arg === output ? null : firstBytes(arg);
    if (start === null) return false;
    if (isJpeg(start)) return true;
    const glance = glanceAtGif(start);
    return glance !== null && !threadPays(glance.pixels, glance.complete ? glance.frames : undefined, false);
  });
}

/**
 * Up to GLANCE_BYTES of the start of `file`, or null if it is no regular file (an option's
 * value, a file that is not there: the command says so), or cannot be read. A pipe is not
 * opened: that would let its writer go on, to a reader that closes it at once.
 */
function firstBytes(file: string): Uint8Array | null {
  try {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() !== true) return null;
    const fd = openSync(file, 'r');
    try {
      const bytes = new Uint8Array(Math.min(stat.size, GLANCE_BYTES));
      return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * The thread running `file` (the bundle's GIF encoder entry), started, or null when `argv`
 * names no GIF output, or names an input whose frames the encoder would encode in the main
 * thread. `take()` gives the thread away, once, unless it has failed or stopped (by what it
 * has heard: one whose failure is still on its way fails the run as a thread that stops
 * does); `drop()` ends it unless it was taken.
 */
export function startEarlyGifThread(argv: readonly string[], file: string): EarlyGifThread | null {
  const output = gifOutputOf(argv);
  if (output === null || narrowedForMainThread(argv) || namesMainThreadClip(argv, output)) return null;
  // Loaded only here: a run that starts no thread does not wait for it.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(file);
  worker.unref();
  let state: 'waiting' | 'failed' | 'taken' | 'dropped' = 'waiting';
  // Listened to at once: an 'error' with no listener would be an uncaught exception. After
  // an error or an exit the thread is not handed on: its replies would never come.
  const unusable = () => {
    if (state === 'waiting') state = 'failed';
  };
  worker.on('error', unusable).on('exit', unusable);
  return {
    take() {
      if (state !== 'waiting') return null;
      state = 'taken';
      worker.off('error', unusable).off('exit', unusable);
      worker.ref();
      return worker;
    },
    drop() {
      if (state === 'taken') return;
      state = 'dropped';
      void worker.terminate();
    },
  };
}
