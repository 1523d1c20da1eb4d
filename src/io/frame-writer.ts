import { stat } from 'node:fs/promises';
import path from 'node:path';
import { abortedWrite, checkIndexedFrame, checkTimedFrame, ChromaseedError, invalidOption } from '../errors.js';
import { copyRgbaForOutput, expandToRgba } from '../pipeline/expand-frame.js';
import { MAX_GIF_DELAY_MS, MAX_GIF_FPS, playbackDelayMs } from '../timing.js';
import type { InputOptions } from '../options.js';
import type { ClipInfo, IndexedFrame, SoundSource, TimedFrame } from '../types.js';
import { trackTemp } from './leftovers.js';
import { checkNameLength, checkOutputPath, commitTemp, createAtomicFile, createStreamOutput, realInputs, refuseDirectoryName, refuseInputAsStdout, removeQuietly, STDOUT, tempPathFor, type InputPaths } from './output-file.js';
import { checkGifEncoderOptions } from '../encode/gif-encode.js';
import { openGifEncoder } from './gif-thread.js';
import { frameFileName, framePatternProblem, isPngSequencePattern } from './frame-names.js';
import { createFramePngEncoder, createPngSequence, encodeRgbaPng } from './png-sequence.js';

export type VideoContainer = 'mp4' | 'webm' | 'mkv' | 'mov';

const VIDEO_EXTENSIONS: Readonly<Record<string, VideoContainer>> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.mkv': 'mkv', '.mov': 'mov' };

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

/**
 * A writer's options for a clip read from `inputPath`, as the command line passes them: its
 * size, rate, loop count, frame count, whether later frames may turn transparent, whether
 * nearly every pixel changes, a GIF's delays as browsers play them and, with `keepSound`, sound.
 */
export function clipWriterOptions(info: ClipInfo, inputPath: string, keepSound: boolean): FrameWriterOptions {
  return {
    width: info.width, height: info.height, fps: info.fps, loopCount: info.loopCount, inputPath,
    frameCount: info.frameCount, frameCountUncertain: info.frameCountUncertain, sound: keepSound ? info.sound : undefined, mayTurnTransparent: info.mayTurnTransparent,
    changesEveryFrame: info.changesEveryFrame, gifDelays: info.gifDelays,
  };
}

export interface FrameWriter {
  write(frame: IndexedFrame): Promise<void>;
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
   * and `videoSeconds` how long they play, the delays rounded to whole frames at the rate.
   */
  finish(): Promise<{ bytes: number; videoFrames?: number; videoSeconds?: number; sound?: boolean; warnings?: string[] }>;
  /** Stops and removes everything written so far. Safe to call more than once. */
  abort(): Promise<void>;
}

export type OutputKind = 'gif' | 'video' | 'png' | 'png-sequence';

const WRITABLE = '.gif, .mp4 (or .m4v), .webm, .mkv, .mov, .png (one frame), a .png name with %d for the frame number (frame-%04d.png), or - for a GIF on standard output';

/** The kind of output a path asks for, by extension. */
export function outputKind(file: string): OutputKind {
  if (file === STDOUT) return 'gif';
  refuseDirectoryName(file);
  const problem = framePatternProblem(file);
  if (problem !== null) throw new ChromaseedError('ERR_USAGE', `${file}: ${problem}`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.gif') return 'gif';
  if (ext in VIDEO_EXTENSIONS) return 'video';
  if (ext === '.png') return isPngSequencePattern(file) ? 'png-sequence' : 'png';
  throw new ChromaseedError('ERR_USAGE', `${file}: cannot write ${ext ? `'${ext}'` : 'files without an extension'}; use ${WRITABLE}`);
}

/**
 * The input options for writing `output`: a GIF cannot play faster than MAX_GIF_FPS (its
 * delays are whole centiseconds, and browsers slow frames shorter than 2 cs down to 10 cs),
 * so a higher --fps is refused and a faster video is read at that rate.
 */
export function inputOptionsFor(output: string, options: InputOptions): InputOptions {
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
export async function createFrameWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const kind = outputKind(file);
  const { width, height } = options ?? {};
  if (!Number.isInteger(width) || width < 1) throw invalidOption('width', 'an integer from 1 to 65535', width);
  if (!Number.isInteger(height) || height < 1) throw invalidOption('height', 'an integer from 1 to 65535', height);
  // What a GIF stores in 16 bits, and the PNG and video writers' limit too, said of the frames
  // (an input's size, as a rule), not as an option the user never gave. H.264 pads an odd
  // side to the even one after it (see video-out.ts), and MP4 and MOV refuse 65,536.
  const container = kind === 'video' ? VIDEO_EXTENSIONS[path.extname(file).toLowerCase()] : undefined;
  const maxSide = container === 'mp4' || container === 'mov' ? MAX_FRAME_SIDE - 1 : MAX_FRAME_SIDE;
  if (width > maxSide || height > maxSide) {
    throw new ChromaseedError('ERR_LIMIT', `${file}: frames of ${width}x${height} pixels are larger than can be written (at most ${maxSide} a side); scale them down with --width`);
  }
  if (options.fps !== undefined && !(options.fps > 0 && Number.isFinite(options.fps))) throw invalidOption('fps', 'a number above 0', options.fps);
  if (kind === 'gif') return gifWriter(file, options);
  if (kind === 'video') return videoWriter(file, options);
  if (kind === 'png') return singlePngWriter(file, options);
  return pngWriter(file, options);
}

/**
 * Frames handed to the GIF encoder ahead of the file write. Enough that quantizing does not
 * wait while the encoder thread starts up (about 0.1 s, measured on cars.gif), but at most
 * about 16 MB of indices in flight for large frames.
 */
const gifFramesAhead = (pixels: number): number => Math.max(3, Math.min(16, Math.floor(16e6 / pixels)));

async function gifWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const encoderOptions = { width: options.width, height: options.height, loopCount: options.loopCount, differencing: true, mayTurnTransparent: options.mayTurnTransparent === true };
  checkGifEncoderOptions(encoderOptions); // before the temporary file exists
  if (file === STDOUT) await refuseInputAsStdout(options.stdout ?? process.stdout, options.inputPath);
  const out = file === STDOUT ? createStreamOutput(options.stdout ?? process.stdout) : await createAtomicFile(file, options.inputPath);
  const encoder = openGifEncoder(encoderOptions, options.frameCount, options.changesEveryFrame === true);
  // Encoded bytes, in frame order, not yet written. Each promise gets a no-op catch at once
  // so a failure is reported where it is awaited, not as an unhandled rejection.
  const ahead: Promise<Uint8Array>[] = [];
  const framesAhead = gifFramesAhead(options.width * options.height);
  let frames = 0;
  let state: 'open' | 'done' | 'aborted' = 'open';
  const writeReady = async (keep: number) => {
    while (ahead.length > keep) {
      const bytes = await ahead.shift()!;
      // Stream what is ready, so a long GIF is never held whole in memory.
      if (bytes.length > 0) await out.write(bytes);
    }
  };
  const fail = async (err: unknown): Promise<never> => {
    // A write or finish under way when abort() was called fails as aborted, whatever broke.
    if (state === 'aborted') throw abortedWrite(file);
    state = 'aborted';
    encoder.close();
    await out.abort();
    throw err;
  };
  return {
    async write(frame) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, options.width, options.height);
      try {
        const bytes = encoder.addFrame(frame);
        bytes.catch(() => undefined);
        ahead.push(bytes);
        frames++;
        await writeReady(framesAhead);
      } catch (err) {
        await fail(err);
      }
    },
    async finish() {
      checkOpen(file, state, 'finish');
      try {
        if (frames === 0) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
        await writeReady(0);
        const last = await encoder.finish();
        await out.write(last.bytes);
        encoder.close();
        const bytes = await out.commit();
        state = 'done';
        // Frames shown longer than a GIF frame can be (an APNG or WebP may ask for hours), as the encoder cut them.
        const cut = last.cutFrames;
        if (cut.length === 0) return { bytes };
        const which = cut.length === 1 ? `frame ${cut[0] + 1} is` : `${cut.length} frames (the first: ${cut[0] + 1}) are`;
        return { bytes, warnings: [`${file}: ${which} shown longer than a GIF frame can be, ${MAX_GIF_DELAY_MS / 1000} s, and cut to that; a video output keeps the whole time`] };
      } catch (err) {
        return fail(err);
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      encoder.close();
      await out.abort();
    },
  };
}

async function videoWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const finalPath = await checkOutputPath(file, options.inputPath);
  const container = VIDEO_EXTENSIONS[path.extname(file).toLowerCase()];
  // Loaded here, not at the top: fluent-ffmpeg is only needed when a video is written.
  const { createVideoOutput } = await import('./video-out.js');
  const tempPath = tempPathFor(finalPath);
  const { width, height } = options;
  let video: ReturnType<typeof createVideoOutput> | null = null;
  let fps = options.fps;
  // Output frames owed so far: each input frame is repeated (or dropped) so that its delay is
  // kept at the output's fixed rate, with the rounding error carried forward (variable GIF delays).
  let elapsedMs = 0;
  let framesOut = 0;
  let framesIn = 0;
  let state: 'open' | 'done' | 'aborted' = 'open';
  // WebM keeps transparency when the first frame has some (a GIF's clear background) or a
  // later one may (options.mayTurnTransparent); it about doubles the run
  // (pigs_in_a_polka.gif: 0.75 -> 1.55 s), so an opaque clip is written without it.
  let alpha = false;
  let framesBlackened = 0;

  async function abort(): Promise<void> {
    if (state !== 'open') return;
    state = 'aborted';
    await discard();
  }
  async function discard(): Promise<void> {
    if (video) await video.abort();
    await removeQuietly(tempPath);
  }

  /** One frame, painted into the buffer by `fill` (indexed or full colour) with transparent pixels' alpha as given. */
  async function put(frameDelayMs: number, fill: (rgba: Uint8Array, transparentAlpha: number) => boolean): Promise<void> {
    try {
      const delayMs = playbackDelayMs(frameDelayMs, options.gifDelays);
      // A fresh buffer per frame: ffmpeg's pipe holds a reference until it is sent. The
      // first frame of a WebM is expanded with clear pixels clear: whether it has any
      // decides whether the video keeps them.
      const rgba = new Uint8Array(width * height * 4);
      const anyTransparent = fill(rgba, alpha || (!video && container === 'webm') ? 0 : 255);
      if (!video) {
        // Callers pass the source's rate (ClipInfo.fps); without it, the first frame's.
        fps ??= Math.min(MAX_GIF_FPS, 1000 / delayMs);
        alpha = container === 'webm' && (anyTransparent || options.mayTurnTransparent === true);
        trackTemp(tempPath);
        video = createVideoOutput(tempPath, { width, height, fps, container, name: file, sound: options.sound?.decodable === true ? options.sound : undefined, alpha });
      }
      if (anyTransparent && !alpha) framesBlackened++;
      elapsedMs += delayMs;
      framesIn++;
      // A video source (delay = 1000/fps) maps one to one; at least one output frame for the first input.
      const owed = Math.max(framesIn === 1 ? 1 : 0, Math.round((elapsedMs * (fps as number)) / 1000) - framesOut);
      for (let i = 0; i < owed; i++) await video.write(rgba);
      framesOut += owed;
    } catch (err) {
      await abort();
      throw err;
    }
  }

  return {
    async write(frame) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, width, height);
      await put(frame.delayMs, (rgba, transparentAlpha) => expandToRgba(frame, rgba, transparentAlpha));
    },
    async writeRgba(frame) {
      checkOpen(file, state, 'write');
      checkTimedFrame(frame, width, height);
      await put(frame.delayMs, (rgba, transparentAlpha) => copyRgbaForOutput(frame.data, rgba, transparentAlpha));
    },
    async finish() {
      checkOpen(file, state, 'finish');
      if (!video) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
      try {
        const { sound } = await video.finish();
        state = 'done';
        await commitTemp(tempPath, finalPath);
        const warnings = [...soundWarnings(options.sound, sound), ...blackWarnings(file, container, framesBlackened)];
        return { bytes: (await stat(finalPath)).size, videoFrames: framesOut, videoSeconds: framesOut / (fps as number), sound, ...(warnings.length > 0 ? { warnings } : {}) };
      } catch (err) {
        state = 'aborted';
        await discard();
        throw err;
      }
    },
    abort,
  };
}

/** A writer's contract: no write or finish once it is finished or aborted (the caller's bug: a plain Error). */
function checkOpen(file: string, state: 'open' | 'done' | 'aborted', call: 'write' | 'finish'): void {
  if (state !== 'open') throw new Error(`${file}: ${call} after ${state}`);
}

/** Transparent pixels a video could not keep: H.264 has no alpha; a WebM has it only when the first frame needed it or the source said later ones might. */
function blackWarnings(file: string, container: string, frames: number): string[] {
  if (frames === 0) return [];
  const which = `${frames} ${frames === 1 ? 'frame has' : 'frames have'} transparent pixels, drawn black`;
  const why = container === 'webm' ? 'the first frame had none, so the WebM was written without transparency (a .gif keeps it)' : 'H.264 video has no transparency (a .gif or .webm keeps it)';
  return [`${file}: ${which}: ${why}`];
}

/** Why a video written with the source's sound (`asked`) has none. */
function soundWarnings(asked: SoundSource | undefined, written: boolean): string[] {
  if (asked === undefined || written) return [];
  if (!asked.decodable) return [`${asked.file}: ffmpeg cannot decode its sound (an unknown codec), so the video is picture only`];
  return [`${asked.file}: its sound ends before the part read, so the video is picture only`];
}

async function pngWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  // The pattern with its directory resolved as the system does, so every frame lands there.
  const pattern = await checkOutputPath(file, undefined);
  // The last frame's name, when the count is known (not a video's estimate, which its sound
  // may have set): refused before any work (%0300d, or a long name past frame 99).
  checkNameLength(frameFileName(file, options.frameCountUncertain === true ? 1 : Math.max(1, options.frameCount ?? 1)));
  const seq = createPngSequence(pattern, { inputs: await realInputs(options.inputPath) });
  const encode = createFramePngEncoder(options.width, options.height);
  let rgba: Uint8Array | null = null; // writeRgba's copy, allocated on first use
  let state: 'open' | 'done' | 'aborted' = 'open';
  // A function, so the check after an await reads the state afresh.
  const wasAborted = (): boolean => state === 'aborted';
  async function abort(): Promise<void> {
    if (state !== 'open') return;
    state = 'aborted';
    await seq.abort();
  }
  /** Writes a frame's PNG bytes. Encoding comes before: a frame with an index past its palette is the caller's RangeError and ends nothing; a failed sharp encoding is left to the caller's abort(). */
  async function put(png: Uint8Array): Promise<void> {
    if (wasAborted()) throw abortedWrite(file);
    try {
      await seq.write(png);
    } catch (err) {
      await abort();
      throw err;
    }
  }
  return {
    async write(frame) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, options.width, options.height);
      await put(await encode(frame));
    },
    async writeRgba(frame) {
      checkOpen(file, state, 'write');
      checkTimedFrame(frame, options.width, options.height);
      rgba ??= new Uint8Array(options.width * options.height * 4);
      const anyTransparent = copyRgbaForOutput(frame.data, rgba, 0);
      await put(await encodeRgbaPng(rgba, options.width, options.height, !anyTransparent));
    },
    async finish() {
      checkOpen(file, state, 'finish');
      if (seq.count === 0) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
      try {
        await seq.commit();
      } catch (err) {
        await abort();
        throw err;
      }
      state = 'done';
      const leftOver = await seq.leftOver();
      return { bytes: seq.bytes, ...(leftOver === null ? {} : { warnings: [leftOver] }) };
    },
    abort,
  };
}

async function singlePngWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const tooMany = () => new ChromaseedError('ERR_USAGE', `${file}: the input has more than one frame${options.frameCount && options.frameCountUncertain !== true ? ` (${options.frameCount})` : ''} but a .png holds one; write a .gif, a video, or frame-%04d.png`);
  // An uncertain count (a video's, which its sound or subtitles may have set) is not refused up front: its second frame, if any, is.
  if (options.frameCount !== undefined && options.frameCount > 1 && options.frameCountUncertain !== true) throw tooMany();
  const out = await createAtomicFile(file, options.inputPath);
  // The frame's PNG, encoded as it comes (so the caller's buffers are free once write resolves) and written at `finish`.
  let png: Uint8Array | null = null;
  let state: 'open' | 'done' | 'aborted' = 'open';
  async function keep(encode: () => Promise<Uint8Array>): Promise<void> {
    try {
      if (png !== null) throw tooMany();
      png = await encode();
    } catch (err) {
      state = 'aborted';
      await out.abort();
      throw err;
    }
  }
  return {
    async write(f) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(f, options.width, options.height);
      await keep(() => createFramePngEncoder(options.width, options.height)(f));
    },
    async writeRgba(f) {
      checkOpen(file, state, 'write');
      checkTimedFrame(f, options.width, options.height);
      const rgba = new Uint8Array(options.width * options.height * 4);
      const anyTransparent = copyRgbaForOutput(f.data, rgba, 0);
      await keep(() => encodeRgbaPng(rgba, options.width, options.height, !anyTransparent));
    },
    async finish() {
      checkOpen(file, state, 'finish');
      state = 'done';
      try {
        if (png === null) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
        await out.write(png);
        return { bytes: await out.commit() };
      } catch (err) {
        await out.abort();
        throw err;
      }
    },
    abort() {
      if (state === 'open') state = 'aborted';
      return out.abort();
    },
  };
}
