import { fstatSync, writeSync } from 'node:fs';
import { ChromaseedError, systemReason } from '../errors.js';
import { createGifDelays, playbackDelayMs, playsForLoopCount } from '../timing.js';
import type { CliStreams } from './main.js';

// What the commands print: numbers, counts and warnings, worded the same everywhere.

/**
 * `text` kept to one line: a control character in it (a newline in a file name) is written
 * as an escape, `\n`, `\r`, `\t` or `\xNN`, so that every message stays the one line that
 * scripts and people read (a name with a newline split a message in two).
 */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Damage the reader tolerated, on stderr: the output was made, but from a damaged input. */
export function reportWarnings(streams: CliStreams, warnings: readonly string[]): void {
  const shown = 3;
  for (const w of warnings.slice(0, shown)) streams.stderr.write(`chromaseed: warning: ${oneLine(w)}\n`);
  if (warnings.length > shown) streams.stderr.write(`chromaseed: warning: and ${warnings.length - shown} more like these\n`);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `1 frame`, `2 frames`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "240 frames", "24 frames (80 in the video)", "240 frames with sound": what a writer's finish reports (a video repeats frames to keep their delays). */
export function framesWritten(frames: number, written: { videoFrames?: number; sound?: boolean }): string {
  const { videoFrames, sound } = written;
  const counted = videoFrames === undefined || videoFrames === frames ? countOf(frames, 'frame') : `${countOf(frames, 'frame')} (${videoFrames} in the video)`;
  return sound === true ? `${counted} with sound` : counted;
}

/** What a GIF output's loop count means in plays (playsForLoopCount); null for other outputs, which do not loop. */
export function playsOf(gif: boolean, loopCount: number | undefined): number | null {
  return gif ? playsForLoopCount(loopCount) : null;
}

/**
 * Adds up how long the output plays, frame by frame: a GIF's frames as browsers show the
 * centiseconds it is written with (0 and 1 cs as 10), other outputs' by their delays as a
 * video writes them (see playbackDelayMs; `gifDelays`: the input's are a GIF's).
 */
export function playbackClock(gif: boolean, gifDelays?: boolean): { add(delayMs: number): void; readonly ms: number } {
  const gifCs = gif ? createGifDelays() : null;
  let ms = 0;
  return {
    add(delayMs) {
      ms += gifCs !== null ? playbackDelayMs(gifCs(delayMs).cs * 10, true) : playbackDelayMs(delayMs, gifDelays);
    },
    get ms() {
      return ms;
    },
  };
}

/**
 * What `quantize` and `transfer` say of the file they wrote: the --json summary's fields
 * and the start of the line on stderr ("240 frames, 320x240, 8.00 s long, looping forever, 1.2 MiB").
 */
export function writtenReport(
  frames: number,
  size: { width: number; height: number },
  written: { bytes: number; videoFrames?: number; sound?: boolean; videoSeconds?: number; codedSize?: { width: number; height: number } },
  clock: { readonly ms: number },
  plays: number | null,
  seconds: number,
): { fields: Record<string, number | boolean | null>; line: string } {
  const { width, height } = size;
  const played = playedMs(clock, written);
  const playing = hasPlayback(frames, written);
  return {
    fields: { frames, width, height, bytes: written.bytes, videoFrames: written.videoFrames ?? null, sound: written.sound === true, playbackSeconds: playing ? round(played / 1000, 3) : null, plays, seconds: round(seconds, 3) },
    line: `${framesWritten(frames, written)}, ${width}x${height}${codedOf(written)}${playing ? playbackOf(played, plays) : ''}, ${formatBytes(written.bytes)}`,
  };
}

/** " (34x26 in the file)": a video coded at even sides, its odd one padded; nothing otherwise. */
export function codedOf(written: { codedSize?: { width: number; height: number } }): string {
  const coded = written.codedSize;
  return coded === undefined ? '' : ` (${coded.width}x${coded.height} in the file, H.264's even sides)`;
}

/** How long the output plays, in ms: a video's whole frames at its rate, else the frames' delays as `clock` added them. */
function playedMs(clock: { readonly ms: number }, written: { videoSeconds?: number }): number {
  return written.videoSeconds !== undefined ? written.videoSeconds * 1000 : clock.ms;
}

/** The line that names a palette timeline written, with its blocks' captions. */
export function timelineLine(file: string, captions: readonly string[]): string {
  return `${oneLine(file)}: the palettes over time, ${captions.join(' | ')}\n`;
}

/**
 * Whether the output plays for a time: not one frame of a GIF or PNG, a still, but a video
 * of one frame does, for a tick of its rate (--fps 0.001 made one of 1000 s, which the
 * summary did not say).
 */
function hasPlayback(frames: number, written: { videoSeconds?: number }): boolean {
  return frames > 1 || written.videoSeconds !== undefined;
}

/** ", 3.00 s long, looping forever": how long the output plays and how often (see playsOf). */
function playbackOf(playbackMs: number, plays: number | null): string {
  const looping = plays === null ? '' : plays === 0 ? ', looping forever' : plays === 1 ? ', playing once' : `, playing ${plays} times`;
  return `, ${(playbackMs / 1000).toFixed(2)} s long${looping}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/**
 * Writes `text` to standard output, all of it or a failed run: a full disk is exit 1 with
 * one line, not a file cut short with exit 0. Node writes to a file (or a device such as
 * /dev/full) on standard output with one synchronous call whose short count it ignores
 * (ENOSPC after the first 4 KiB said nothing) and whose error it throws as an unhandled
 * event (a stack trace); so such a descriptor is written here until all is out or the
 * system says why not. A reader that has gone away (`| head`) is not an error: there is
 * no one left to tell.
 */
export async function printOut(stdout: CliStreams['stdout'], text: string): Promise<void> {
  const fd = (stdout as { fd?: unknown }).fd;
  try {
    if (typeof fd === 'number' && stdout.isTTY !== true && isFileOrDevice(fd)) {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      return;
    }
    if (!stdout.listeners('error').includes(ignore)) stdout.on('error', ignore); // the callback below reports it
    await new Promise<void>((resolve, reject) => stdout.write(text, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw new ChromaseedError('ERR_OUTPUT', `standard output: write failed: ${systemReason(err)}`, { cause: err });
  }
}

const ignore = (): void => {};

function isFileOrDevice(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isFile() || s.isCharacterDevice();
  } catch {
    return false;
  }
}
