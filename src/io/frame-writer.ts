import path from 'node:path';
import { abortedWrite, ChromaseedError, invalidOption, kindOf, namesOf, refuseUnknownKeys, requireFlag, requireFunction, requireObject } from '../errors.js';
import { extensionAloneError, fileName } from './file-name.js';
import { MAX_GIF_FPS } from '../timing.js';
import { MAX_FPS } from '../clip-options.js';
import { RESOLVED_INPUT_NAMES, type InputOptions } from '../options.js';
import type { ClipInfo, IndexedFrame, SoundSource, TimedFrame } from '../types.js';
import { type InputPaths, isDirectory, isDirectoryError } from './output-checks.js';
import { type FinishOptions } from './output-file.js';
import { refuseDirectoryName, STDOUT } from './output-names.js';
import { framePatternProblem, isPngSequencePattern } from './frame-names.js';
import { gifWriter } from './gif-writer.js';
import { pngWriter, singlePngWriter } from './png-writers.js';
import { VIDEO_EXTENSIONS, videoWriter } from './video-writer.js';

/*
 * Frames out: the writer an output's name asks for (gif-writer.ts, video-writer.ts,
 * png-writers.ts), behind one interface, and the options the command line passes it.
 */

export interface FrameWriterOptions {
  width: number;
  height: number;
  // `| undefined`: a ClipInfo's optional fields can be passed as they are, under exactOptionalPropertyTypes too.
  /** Output frame rate for video (ClipInfo.fps). Default: from the first frame's delay (at most 50). */
  fps?: number | undefined;
  /** GIF loop count: 0 = forever, undefined = no loop extension. */
  loopCount?: number | undefined;
  /** The input file (or files: transfer's source and target), so that none is ever overwritten. */
  inputPath?: InputPaths;
  /** Frames to come, when known: a single .png refuses a multi-frame clip up front, unless the count is uncertain (ClipInfo.frameCountUncertain). */
  frameCount?: number | undefined;
  frameCountUncertain?: boolean | undefined;
  /** Sound a video output carries over (ClipInfo.sound); GIF and PNG have none. */
  sound?: SoundSource | undefined;
  /** Frames after the first may be partly transparent (ClipInfo.mayTurnTransparent): a WebM keeps transparency even when the first frame has none, and a GIF's first frame carries a transparent index (for Pillow). */
  mayTurnTransparent?: boolean | undefined;
  /** Nearly every pixel changes from frame to frame (ClipInfo.changesEveryFrame): a GIF is encoded on a thread of its own even for a short clip. */
  changesEveryFrame?: boolean | undefined;
  /** The delays are a GIF's as written (ClipInfo.gifDelays): a video shows a 1 cs frame for 100 ms, as browsers do. */
  gifDelays?: boolean | undefined;
  /** Where the output named "-" (STDOUT) goes, a GIF: the process's standard output unless given. */
  stdout?: NodeJS.WritableStream | undefined;
}

/** Every name of FrameWriterOptions. */
const FRAME_WRITER_NAMES: readonly string[] = namesOf<FrameWriterOptions>({
  width: true, height: true, fps: true, loopCount: true, inputPath: true, frameCount: true, frameCountUncertain: true,
  sound: true, mayTurnTransparent: true, changesEveryFrame: true, gifDelays: true, stdout: true,
});
const SOUND_NAMES: readonly string[] = namesOf<SoundSource>({ file: true, decodable: true, startSec: true, durationSec: true, withPicture: true });
const FINISH_NAMES: readonly string[] = namesOf<FinishOptions>({ beforePlace: true, afterPlace: true });

/**
 * A writer's options for a clip read from `inputPath`, as the command line passes them: its
 * size, rate, loop count, frame count, whether later frames may turn transparent, whether
 * nearly every pixel changes, a GIF's delays as browsers play them and, with `keepSound`, sound.
 */
export function clipWriterOptions(info: ClipInfo, inputPath: string | URL, keepSound: boolean): FrameWriterOptions {
  requireObject('info', "a clip's info ({ width, height, ... }: openReusable's or openInput's)", info);
  return {
    // A video faster than a video is written (a 2000 fps camera clip) is written at that rate.
    width: info.width, height: info.height, fps: info.fps === undefined ? undefined : Math.min(info.fps, MAX_FPS), loopCount: info.loopCount, inputPath,
    frameCount: info.frameCount, frameCountUncertain: info.frameCountUncertain, sound: keepSound ? info.sound : undefined, mayTurnTransparent: info.mayTurnTransparent,
    changesEveryFrame: info.changesEveryFrame, gifDelays: info.gifDelays,
  };
}

export type { FinishOptions };

export interface FrameWriter {
  /**
   * `read`, when given, is called once the writer reads `frame` no more (its arrays may then
   * take a later frame: QuantizedFrame.release): when the promise resolves, or for a GIF
   * once the frame is encoded, which on the encoder's own thread can be writes later. Not
   * called when the frame could not be taken; when it throws, the write fails (a GIF's
   * writer fails as the frame's encoding would have).
   */
  write(frame: IndexedFrame, read?: () => void): Promise<void>;
  /**
   * A full-colour frame, for the outputs that have no palette (video, PNG): what needs more
   * colours than an IndexedFrame's 256, such as compare's side-by-side of several palettes
   * and the original. Alpha 0 is a transparent pixel (kept or drawn black as in `write`),
   * any other alpha opaque, as the quantizer reads it. `frame.data` may be reused once the
   * promise resolves. Absent from a GIF writer: a GIF frame holds 256 colours.
   */
  writeRgba?(frame: TimedFrame): Promise<void>;
  /**
   * Completes the file and moves it into place. `videoFrames`: for video, the frames in the
   * file, which can outnumber those written (each is repeated to last its delay at the rate),
   * and `videoSeconds` how long they play, the delays rounded to whole frames at the rate;
   * `codedSize`, where the video's frames are coded larger than written (H.264 pads an odd
   * side by a pixel).
   */
  finish(options?: FinishOptions): Promise<{ bytes: number; videoFrames?: number; videoSeconds?: number; sound?: boolean; codedSize?: { width: number; height: number }; warnings?: string[] }>;
  /** Stops and removes everything written so far. Safe to call more than once. */
  abort(): Promise<void>;
}

export type OutputKind = 'gif' | 'video' | 'png' | 'png-sequence';

const WRITABLE = '.gif, .mp4 (or .m4v), .webm, .mkv, .mov, .png (one frame), a .png name with %d for the frame number (frame-%04d.png)';

/**
 * The kind of output a path asks for, by extension; no file is looked at, but for a name
 * refused, which may be a directory's (`-o photos`), said as such. `offerStdout`: whether a refusal lists `-`, a GIF on standard output (compare,
 * which prints its figures there, has no such output).
 */
export function outputKind(given: string | URL, offerStdout = true): OutputKind {
  const file = fileName(given, 'outputKind');
  if (file === STDOUT) return 'gif';
  refuseDirectoryName(file);
  const problem = framePatternProblem(file);
  if (problem !== null) throw new ChromaseedError('ERR_USAGE', `${file}: ${problem}`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.gif') return 'gif';
  if (ext in VIDEO_EXTENSIONS) return 'video';
  if (ext === '.png') return isPngSequencePattern(file) ? 'png-sequence' : 'png';
  if (isDirectory(file)) throw isDirectoryError(file);
  const alone = extensionAloneError(file, ['.gif', '.png', ...Object.keys(VIDEO_EXTENSIONS)]);
  if (alone !== null) throw alone;
  // A dot-name (`.webp`) has no extension to the system, but one as typed.
  const base = path.basename(file);
  const named = ext || (base.startsWith('.') ? base : '');
  throw new ChromaseedError('ERR_USAGE', `${file}: cannot write ${named ? `'${named}'` : 'files without an extension'}; use ${WRITABLE}${offerStdout ? ', or - for a GIF on standard output' : ''}`);
}

/**
 * The input options for writing `output`: a GIF cannot play faster than MAX_GIF_FPS (its
 * delays are whole centiseconds, and browsers slow frames shorter than 2 cs down to 10 cs),
 * so a higher --fps is refused and a faster video is read at that rate.
 */
export function inputOptionsFor(output: string | URL, options: InputOptions): InputOptions {
  requireObject('options', 'resolveInputOptions({ ... })', options);
  refuseUnknownKeys('inputOptionsFor', options, RESOLVED_INPUT_NAMES);
  if (outputKind(output) !== 'gif') return options;
  if (options.fps !== undefined && options.fps > MAX_GIF_FPS) {
    throw new ChromaseedError('ERR_USAGE', `--fps ${options.fps}: a GIF plays at most ${MAX_GIF_FPS} frames per second (its delays are whole centiseconds, and browsers slow shorter frames down); use --fps ${MAX_GIF_FPS} or less, or write a video`);
  }
  return { ...options, maxFps: MAX_GIF_FPS };
}

/** The largest side a writer takes. */
const MAX_FRAME_SIDE = 65535;

/**
 * Opens a writer for `file`, choosing GIF, video or PNG sequence by extension. Everything is
 * written under temporary names next to the output and moved into place by `finish`; the
 * output path is checked first (not the input, directory exists and is writable).
 */
export async function createFrameWriter(given: string | URL, options: FrameWriterOptions): Promise<FrameWriter> {
  const file = fileName(given, 'createFrameWriter');
  const kind = outputKind(file);
  const { width, height } = options ?? {};
  refuseUnknownKeys('createFrameWriter', options, FRAME_WRITER_NAMES);
  if (!Number.isInteger(width) || width < 1) throw invalidOption('width', 'an integer from 1 to 65535', width);
  if (!Number.isInteger(height) || height < 1) throw invalidOption('height', 'an integer from 1 to 65535', height);
  // What a GIF stores in 16 bits, and the PNG and video writers' limit too, said of the frames
  // (an input's size, as a rule), not as an option the user never gave. H.264 pads an odd
  // side to the even one after it (see video-out.ts): MP4 and MOV refuse 65,536, Matroska takes it.
  const container = kind === 'video' ? VIDEO_EXTENSIONS[path.extname(file).toLowerCase()] : undefined;
  const maxSide = container === 'mp4' || container === 'mov' ? MAX_FRAME_SIDE - 1 : MAX_FRAME_SIDE;
  if (width > maxSide || height > maxSide) {
    throw new ChromaseedError('ERR_LIMIT', `${file}: frames of ${width}x${height} pixels are larger than can be written (at most ${maxSide} a side); scale them down with --width`);
  }
  if (options.fps !== undefined && !(options.fps > 0 && Number.isFinite(options.fps))) throw invalidOption('fps', 'a number above 0', options.fps);
  // A video writer repeats each frame for its delay at this rate: fps 1e9 had ffmpeg writing
  // for hours (2 x 10^8 frames, 91 MB in 6 minutes) for two frames. (clipWriterOptions gives a
  // faster source this rate.)
  if (kind === 'video' && options.fps !== undefined && options.fps > MAX_FPS) throw invalidOption('fps', `a number above 0 and at most ${MAX_FPS} (a video's)`, options.fps);
  // A GIF writer checks its loop count as the encoder does; other outputs do not loop, but a
  // count that is none at all (-1) is refused alike, not passed over.
  if (kind !== 'gif' && options.loopCount !== undefined && !(Number.isInteger(options.loopCount) && options.loopCount >= 0)) throw invalidOption('loopCount', 'an integer from 0 up (only a GIF plays it)', options.loopCount);
  if (options.frameCount !== undefined && !(Number.isInteger(options.frameCount) && options.frameCount >= 0)) throw invalidOption('frameCount', 'an integer from 0 up', options.frameCount);
  // Read as false when not true: mayTurnTransparent 1 wrote a GIF without the transparent index it asks for.
  for (const flag of ['frameCountUncertain', 'mayTurnTransparent', 'changesEveryFrame', 'gifDelays'] as const) requireFlag(flag, options[flag]);
  if (options.sound !== undefined) checkSound(options.sound);
  // Written to only at the first frame: a stdout that is no stream failed there, as "stream.once is not a function".
  const { stdout } = options;
  if (stdout !== undefined && !(stdout !== null && typeof stdout === 'object' && typeof stdout.write === 'function' && typeof stdout.once === 'function')) {
    throw new ChromaseedError('ERR_USAGE', `expected a writable stream (process.stdout, say) for stdout but received ${kindOf(stdout)}`);
  }
  const open = kind === 'gif' ? gifWriter : kind === 'video' ? videoWriter : kind === 'png' ? singlePngWriter : pngWriter;
  return oneCallAtATime(await open(file, options), file);
}

/** A SoundSource (ClipInfo.sound): given anything else, ffmpeg's wrapper failed at the first frame with a TypeError, or the finish warned of "undefined". */
function checkSound(sound: SoundSource): void {
  requireObject('sound', "a clip's sound (ClipInfo.sound: { file, decodable })", sound);
  refuseUnknownKeys('createFrameWriter\'s sound', sound, SOUND_NAMES);
  if (typeof sound.file !== 'string' || sound.file === '') throw invalidOption('sound.file', 'the name of the file the sound is in', sound.file);
  if (typeof sound.decodable !== 'boolean') throw invalidOption('sound.decodable', 'true or false', sound.decodable);
  requireFlag('sound.withPicture', sound.withPicture);
  for (const time of ['startSec', 'durationSec'] as const) {
    const v = sound[time];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw invalidOption(`sound.${time}`, 'a number of seconds, 0 or more', v);
  }
}

/**
 * `writer` with its writes and its finish taken one at a time, in the order they were made.
 * A caller that did not await each write (a library user's Promise.all over the frames) got
 * a video of 465 frames for 30, repeated and out of order, and a PNG sequence of one file;
 * a finish() while a write was under way removed every frame written. A call made while
 * none is under way starts at once, as before (a GIF frame is encoded before it returns).
 * abort() is not queued: it stops what is running, and a call still waiting for its turn
 * then fails as aborted during a write, as the one running does.
 */
function oneCallAtATime(writer: FrameWriter, file: string): FrameWriter {
  let running = 0;
  let previous: Promise<unknown> = Promise.resolve();
  let aborted = false;
  const queued = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    // (The writers' calls are async functions: they fail by rejecting, never by throwing.)
    const start = (): Promise<R> => call(...args);
    // Made before the abort, waiting when it came: aborted during a write. Made after it: the
    // writer's own "write after aborted", as when no call is running.
    const madeBeforeAbort = !aborted;
    const run = running > 0 ? previous.then(() => (aborted && madeBeforeAbort ? Promise.reject(abortedWrite(file)) : start())) : start();
    running++;
    previous = run.then(
      () => void running--,
      () => void running--,
    );
    return run;
  };
  const writeRgba = writer.writeRgba;
  const write = queued((frame: IndexedFrame, read?: () => void) => writer.write(frame, read));
  const finish = queued((options?: FinishOptions) => writer.finish(options));
  return {
    write: (frame: IndexedFrame, read?: () => void) => {
      // Refused before it is queued, as finish's options are.
      try {
        requireFunction("write's read", read);
      } catch (err) {
        return Promise.reject(err);
      }
      return write(frame, read);
    },
    ...(writeRgba ? { writeRgba: queued((frame: TimedFrame) => writeRgba.call(writer, frame)) } : {}),
    finish: (options?: FinishOptions) => {
      // Refused before it is queued, as a rejection: the writer stays open, to be finished or aborted.
      try {
        refuseUnknownKeys("a writer's finish", options, FINISH_NAMES);
        for (const hook of ['beforePlace', 'afterPlace'] as const) requireFunction(hook, options?.[hook]);
      } catch (err) {
        return Promise.reject(err);
      }
      return finish(options);
    },
    abort: () => {
      aborted = true;
      return writer.abort();
    },
  };
}
