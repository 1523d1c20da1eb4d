import { stat } from 'node:fs/promises';
import path from 'node:path';
import { abortedWrite, checkIndexedFrame, checkTimedFrame, ChromaseedError } from '../errors.js';
import { bleedIntoClear, copyRgbaForOutput, expandToRgba } from '../pipeline/expand-frame.js';
import { MIN_FPS } from '../clip-options.js';
import { MAX_GIF_FPS, playbackDelayMs } from '../timing.js';
import type { SoundSource } from '../types.js';
import type { FrameWriter, FrameWriterOptions } from './frame-writer.js';
import { checkOutputPath } from './output-checks.js';
import { claimTemp, commitTemp, flushAndClose, removeQuietly } from './output-file.js';
import { abortingOnFailure, checkOpen, type WriterState } from './writer-state.js';

export type VideoContainer = 'mp4' | 'webm' | 'mkv' | 'mov';

export const VIDEO_EXTENSIONS: Readonly<Record<string, VideoContainer>> = { '.mp4': 'mp4', '.m4v': 'mp4', '.webm': 'webm', '.mkv': 'mkv', '.mov': 'mov' };

/**
 * ffmpeg's check of every picture it allocates (av_image_check_size): (width + 128) x
 * (height + 128) must stay under 2^28 ("Picture size is invalid", from the bundled ffmpeg,
 * once a frame had been quantized). Of squares, 16255x16255 passes and 16256x16256 does not.
 */
const FFMPEG_MAX_PICTURE_AREA = 2 ** 28;
const FFMPEG_MAX_SQUARE = Math.floor(Math.sqrt(FFMPEG_MAX_PICTURE_AREA - 1)) - 128;

export async function videoWriter(file: string, options: FrameWriterOptions): Promise<FrameWriter> {
  const container = VIDEO_EXTENSIONS[path.extname(file).toLowerCase()];
  // Loaded here, not at the top: fluent-ffmpeg is only needed when a video is written.
  const { codedSize, copyPicture, createVideoOutput } = await import('./video-out.js');
  const coded = codedSize(container, options.width, options.height);
  if ((coded.width + 128) * (coded.height + 128) >= FFMPEG_MAX_PICTURE_AREA) {
    // H.264 codes odd sides one larger: its largest square is even.
    const square = codedSize(container, FFMPEG_MAX_SQUARE, FFMPEG_MAX_SQUARE).width > FFMPEG_MAX_SQUARE ? FFMPEG_MAX_SQUARE - 1 : FFMPEG_MAX_SQUARE;
    const padded = coded.width !== options.width || coded.height !== options.height ? `, coded at ${coded.width}x${coded.height}` : '';
    throw new ChromaseedError('ERR_LIMIT', `${file}: frames of ${options.width}x${options.height} pixels${padded} are larger than ffmpeg can encode ((width + 128) x (height + 128) must stay under 2^28: at most ${square}x${square} for a square); scale them down with --width`);
  }
  const finalPath = await checkOutputPath(file, options.inputPath);
  /** The temporary file ffmpeg writes, claimed with the first frame. */
  let tempPath: string | null = null;
  const { width, height } = options;
  let video: ReturnType<typeof createVideoOutput> | null = null;
  let fps = options.fps;
  // Output frames owed so far: each input frame is repeated (or dropped) so that its delay is
  // kept at the output's fixed rate, with the rounding error carried forward (variable GIF delays).
  let elapsedMs = 0;
  let framesOut = 0;
  let framesIn = 0;
  let state: WriterState = 'open';
  // WebM keeps transparency when the first frame has some (a GIF's clear background) or a
  // later one may (options.mayTurnTransparent); it about doubles the run
  // (pigs_in_a_polka.gif: 0.75 -> 1.55 s), so an opaque clip is written without it.
  let alpha = false;
  let framesBlackened = 0;
  /** Frames shorter than the video's frame interval that fell between two of its frames. */
  let framesLeftOut = 0;
  /** The RGBA frame every frame is expanded into (see put). */
  let frameBuffer: Uint8Array | undefined;
  /** The source's sound, given to ffmpeg where it can decode it. */
  const soundCarried = options.sound?.decodable === true ? options.sound : undefined;

  async function abort(): Promise<void> {
    if (state !== 'open') return;
    state = 'aborted';
    await discard();
  }
  async function discard(): Promise<void> {
    if (video) await video.abort();
    if (tempPath !== null) await removeQuietly(tempPath);
  }

  /** One frame, painted into the buffer by `fill` (indexed or full colour) with transparent pixels' alpha as given. */
  async function put(frameDelayMs: number, fill: (rgba: Uint8Array, transparentAlpha: number) => boolean): Promise<void> {
    // One buffer for every frame: a frame has gone into ffmpeg's pipe when its writes
    // resolve, and writes come one at a time. The first
    // frame of a WebM is expanded with clear pixels clear: whether it has any decides whether
    // the video keeps them. Expanded before anything is sent, so a frame with an index past
    // its palette is the caller's RangeError and ends nothing (it aborted the video).
    const rgba = (frameBuffer ??= new Uint8Array(width * height * 4));
    const anyTransparent = fill(rgba, alpha || (!video && container === 'webm') ? 0 : 255);
    await abortingOnFailure(async () => {
      const delayMs = playbackDelayMs(frameDelayMs, options.gifDelays);
      if (!video) {
        // Callers pass the source's rate (ClipInfo.fps); without it, the first frame's, within
        // what --fps takes (a first frame of 10^9 ms gave a rate ffmpeg could not write).
        fps ??= Math.min(MAX_GIF_FPS, Math.max(MIN_FPS, 1000 / delayMs));
        alpha = container === 'webm' && (anyTransparent || options.mayTurnTransparent === true);
        tempPath = claimTemp(file, finalPath);
        video = createVideoOutput(tempPath, { width, height, fps, container, name: file, sound: soundCarried, alpha });
      }
      if (anyTransparent && !alpha) framesBlackened++;
      if (anyTransparent && alpha) bleedIntoClear(rgba, width, height);
      elapsedMs += delayMs;
      framesIn++;
      // A video source (delay = 1000/fps) maps one to one; at least one output frame for the first input.
      const owed = Math.max(framesIn === 1 ? 1 : 0, Math.round((elapsedMs * (fps as number)) / 1000) - framesOut);
      for (let i = 0; i < owed; i++) await video.write(rgba);
      framesOut += owed;
      if (owed === 0) framesLeftOut++;
    }, abort);
  }

  return {
    async write(frame, read) {
      checkOpen(file, state, 'write');
      checkIndexedFrame(frame, width, height);
      await put(frame.delayMs, (rgba, transparentAlpha) => expandToRgba(frame, rgba, transparentAlpha));
      read?.();
    },
    async writeRgba(frame) {
      checkOpen(file, state, 'write');
      checkTimedFrame(frame, width, height);
      await put(frame.delayMs, (rgba, transparentAlpha) => copyRgbaForOutput(frame.data, rgba, transparentAlpha));
    },
    async finish(finishing) {
      checkOpen(file, state, 'finish');
      if (!video) throw new ChromaseedError('ERR_INPUT', `${file}: no frames to write`);
      try {
        const { sound } = await video.finish();
        if (!sound && soundCarried !== undefined && (container === 'webm' || container === 'mkv')) {
          // The sound track is there, empty: the picture alone goes into a second file.
          const withTrack = tempPath!;
          tempPath = claimTemp(file, finalPath);
          try {
            await copyPicture(withTrack, tempPath, container, file);
          } finally {
            await removeQuietly(withTrack);
          }
        }
        // Open until the rename: an abort() while the file is flushed or beforePlace runs
        // removes it (it was ignored, and the video put in place).
        await flushAndClose(tempPath!, file);
        // Measured before the rename: nothing after it waits on the thread pool (see PlacedFiles.release).
        const { size: bytes } = await stat(tempPath!);
        await finishing?.beforePlace?.();
        if (state === 'aborted') throw abortedWrite(file);
        state = 'done';
        await commitTemp(tempPath!, finalPath);
        finishing?.afterPlace?.();
        const warnings = [...soundWarnings(options.sound, sound), ...blackWarnings(file, container, framesBlackened), ...leftOutWarnings(file, framesLeftOut, framesIn, fps as number, options.fps === undefined)];
        const padded = coded.width !== width || coded.height !== height ? { codedSize: coded } : {};
        return { bytes, videoFrames: framesOut, videoSeconds: framesOut / (fps as number), sound, ...padded, ...(warnings.length > 0 ? { warnings } : {}) };
      } catch (err) {
        // abort() while ffmpeg finished the file killed it: that is the failure to report,
        // not "ffmpeg was stopped by SIGKILL (out of memory?)".
        const aborted = state === 'aborted';
        state = 'aborted';
        await discard();
        throw aborted ? abortedWrite(file) : err;
      }
    },
    abort,
  };
}

/** Transparent pixels a video could not keep: H.264 has no alpha; a WebM has it only when the first frame needed it or the source said later ones might. */
function blackWarnings(file: string, container: string, frames: number): string[] {
  if (frames === 0) return [];
  const which = `${frames} ${frames === 1 ? 'frame has' : 'frames have'} transparent pixels, drawn black`;
  const why = container === 'webm' ? 'the first frame had none, so the WebM was written without transparency (a .gif keeps it)' : 'H.264 video has no transparency (a .gif or .webm keeps it)';
  return [`${file}: ${which}: ${why}`];
}

/**
 * Frames a video at `fps` has no room for: the rate comes from the source (ClipInfo.fps),
 * or, not given (`guessed`), from the first frame's delay, which a later, shorter frame may
 * undercut (a title held 10 s, then frames of 100 ms: all but the title were gone, unsaid).
 */
function leftOutWarnings(file: string, frames: number, of: number, fps: number, guessed: boolean): string[] {
  if (frames === 0) return [];
  const rate = `${Number(fps.toPrecision(4))} fps`;
  const why = guessed ? `, a rate taken from the first frame's delay; give fps (clipWriterOptions(info) gives the source's)` : '';
  return [`${file}: ${frames} of ${of} frames lasted less than one frame of the video at ${rate} and ${frames === 1 ? 'is' : 'are'} not in it${why}`];
}

/** Why a video written with the source's sound (`asked`) has none. */
function soundWarnings(asked: SoundSource | undefined, written: boolean): string[] {
  if (asked === undefined || written) return [];
  if (!asked.decodable) return [`${asked.file}: ffmpeg cannot decode its sound (an unknown codec), so the video is picture only`];
  return [`${asked.file}: its sound ends before the part read, so the video is picture only`];
}
