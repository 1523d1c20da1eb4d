import { ChromaseedError, invalidOption, namesOf, requireObject } from './errors.js';

/** What part of a clip to read, and at what rate and size (--fps, --width, --start, --duration). */
export interface ClipOptions {
  /** Output frame rate: frames are dropped or repeated to reach it. Default: the source's rate. */
  fps?: number;
  /** Without `fps`, a video faster than this is read at this rate instead. */
  maxFps?: number;
  /** Output width in pixels; the height follows the aspect ratio. */
  width?: number;
  /** Where to start: seconds, or a time string such as "00:01:02.5" or "1:02". */
  start?: string | number;
  /** How much to read, from `start`: seconds or a time string. */
  duration?: string | number;
}

/** The names of ClipOptions, all of them. */
export const CLIP_NAMES: readonly string[] = namesOf<ClipOptions>({ fps: true, maxFps: true, width: true, start: true, duration: true });

export interface ValidClipOptions {
  fps?: number;
  maxFps?: number;
  width?: number;
  startSec?: number;
  durationSec?: number;
}

/** The lowest --fps: one frame in 1000 s is already past a GIF frame's longest (655.35 s). */
export const MIN_FPS = 0.001;
/** The highest --fps, and the highest rate a video is written at. */
export const MAX_FPS = 1000;

/**
 * Checks these options, with the same message for the same bad value wherever they come
 * from: the command line (through options.ts) and each library entry point that takes them
 * (`openInput`, `openVideo`), since a library caller may skip options.ts. Re-checking
 * already valid options costs nothing worth saving.
 */
export function validateClipOptions(options: ClipOptions): ValidClipOptions {
  requireObject('options', '{ fps: 10 }', options);
  const out: ValidClipOptions = {};
  if (options.maxFps !== undefined) {
    if (typeof options.maxFps !== 'number' || !(options.maxFps > 0) || !Number.isFinite(options.maxFps)) throw invalidOption('maxFps', 'a number of frames per second above 0', options.maxFps);
    out.maxFps = options.maxFps;
  }
  if (options.fps !== undefined) {
    // A rate far lower made the resampling search (resampledRate) spin for minutes, deaf to Ctrl-C.
    if (typeof options.fps !== 'number' || !Number.isFinite(options.fps) || options.fps < MIN_FPS || options.fps > MAX_FPS) {
      throw invalidOption('--fps', `a number of frames per second from ${MIN_FPS} to ${MAX_FPS}`, options.fps);
    }
    out.fps = options.fps;
  }
  if (options.width !== undefined) {
    if (!Number.isInteger(options.width) || options.width < 1 || options.width > 16384) {
      throw invalidOption('--width', 'a whole number of pixels from 1 to 16384', options.width);
    }
    out.width = options.width;
  }
  if (options.start !== undefined) out.startSec = parseTime('--start', options.start, true);
  if (options.duration !== undefined) out.durationSec = parseTime('--duration', options.duration, false);
  return out;
}

/** The height a `width`-wide picture of `sourceWidth` x `sourceHeight` gets with its aspect ratio kept (--width). */
export function scaledHeight(width: number, sourceWidth: number, sourceHeight: number): number {
  return Math.max(1, Math.round((width * sourceHeight) / sourceWidth));
}

/** Seconds from a number, "SS.s" (or with a unit: "2.5s", "500ms", "40000us"), "MM:SS.s" or "HH:MM:SS.s" (`name` is the option, for the message); validated here so ffmpeg never sees a bad value. */
function parseTime(name: string, value: string | number, zeroOk: boolean): number {
  let seconds = NaN;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    // Seconds alone may have an exponent, as every number option's value (1e-1), and a unit
    // as ffmpeg's durations may (2.5s, 500ms, 40000us); a time with colons neither.
    const m = /^\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?(s|ms|us)?\s*$/.exec(value);
    // Minutes and seconds after a colon stay under 60: 1:75 is a typing mistake, not 2:15.
    const overflows = m !== null && ((m[2] !== undefined && Number(m[3]) >= 60) || (m[1] !== undefined && Number(m[2]) >= 60));
    const suffixAfterColon = m !== null && m[2] !== undefined && (m[4] !== undefined || m[5] !== undefined);
    if (m && !overflows && !suffixAfterColon) seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] + (m[4] ?? '')) / PER_SECOND[m[5] ?? 's'];
  }
  if (!Number.isFinite(seconds) || seconds < 0 || (!zeroOk && seconds === 0) || seconds > MAX_SECONDS) {
    const range = `seconds ${zeroOk ? '>= 0' : '> 0'} (at most ${MAX_SECONDS}; with a unit too: 500ms, 2.5s) or a time like 1:02.5 (minutes and seconds under 60, no unit)`;
    throw invalidOption(name, range, value);
  }
  return seconds;
}

/** How many of each unit a time in seconds may end in (ffmpeg's) make a second: a division, as 700 * 1e-3 is 0.7000000000000001. */
const PER_SECOND: Readonly<Record<string, number>> = { s: 1, ms: 1000, us: 1e6 };

/** A year of video is more than anyone reads; larger numbers would print in exponent form. */
const MAX_SECONDS = 31_536_000;

/** Seconds to microseconds, as plain decimal text (String(1e-7) would be '1e-7', which ffmpeg refuses). */
export function ffmpegSeconds(seconds: number): string {
  return seconds.toFixed(6).replace(/\.?0+$/, '');
}

/**
 * Frame rate as ffmpeg reads it: NTSC rates as exact fractions, others as decimals; a rate
 * below 1 fps whose frame is a whole number of milliseconds as that fraction (a 600 s GIF
 * frame: 1000/600000, where 0.001667 made the video 1199.76 s long).
 */
export function ffmpegRate(fps: number): string {
  const base = Math.round(fps * 1.001);
  if (Math.abs(fps - (base * 1000) / 1001) < 1e-6 && Math.abs(fps - base) > 1e-3) return `${base * 1000}/1001`;
  const frameMs = 1000 / fps;
  if (fps < 1 && Math.abs(frameMs - Math.round(frameMs)) < 1e-6) return `1000/${Math.round(frameMs)}`;
  return String(Number(fps.toFixed(6)));
}

/** A clip of more frames than `maxFrames` is refused (with what its decoder knows up front, or as frames arrive). */
export function checkFrameCount(file: string, frames: number, maxFrames: number): void {
  if (frames > maxFrames) throw new ChromaseedError('ERR_LIMIT', `${file}: more than ${maxFrames} frame${maxFrames === 1 ? '' : 's'} (raise the limit with --max-frames)`);
}

/** Frames this large, after scaling, are refused before any is made. */
export function checkFrameSize(file: string, size: { width: number; height: number }, maxPixels: number): void {
  if (size.width * size.height > maxPixels) {
    throw new ChromaseedError('ERR_LIMIT', `${file}: frames of ${size.width}x${size.height} exceed the limit of ${maxPixels} pixels (raise the limit with --max-pixels)`);
  }
}
