import { readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { checkBytes, checkRunArguments, ChromaseedError, inputError, isBytes, refuseUnknownKeys, systemReason } from '../errors.js';
import { decodeGif, isGif } from '../decode/gif-decode.js';
import { inputFileSize, readHead, readWholeFile } from './file-head.js';
import { isIsoMedia, isJpeg, isPng, isTiff } from '../file-signatures.js';
import { imageStreamFormat } from './image-stream.js';
import { isStdin } from './spool-input.js';
import { fileName } from './file-name.js';
import { isSvg } from '../text-sniff.js';
import { mayBePaletteFile, parsePaletteBytes } from '../palette/read-palette.js';
import { checkFrameCount, checkFrameSize, scaledHeight, validateClipOptions } from '../clip-options.js';
import { requireResolved, resolveInputOptions, RESOLVED_INPUT_NAMES, type InputOptions } from '../options.js';
import { MAX_ANIMATION_FPS, MAX_GIF_FPS, playbackDelayMs, rateForDelays } from '../timing.js';
import type { ClipInfo, Frame, FrameSource, TimedFrame } from '../types.js';

export type InputKind = 'gif' | 'webp' | 'apng' | 'still' | 'video';

/**
 * A clip whose delays are all known before a frame is decoded (a GIF, an animated WebP or PNG):
 * its part, rate and size are chosen here, by playback time, rather than by ffmpeg.
 */
export interface TimedClip {
  readonly info: ClipInfo;
  /** Each frame's delay in milliseconds, as stored. */
  readonly delaysMs: readonly number[];
  /** Full-canvas frames in order; each call starts again from the first. */
  frames(): Iterable<TimedFrame> | AsyncIterable<TimedFrame>;
  /** See FrameSource.release: given (a GIF's) only where the frames are the clip's own, not retimed or resized. */
  release?(frame: Frame): void;
  /** What its decoder warns of, as it reads the frames; reframing adds its own (reframeClip). */
  readonly warnings: string[];
  /**
   * Whether any frame, the first included, may have transparent pixels: what stands for
   * `info.mayTurnTransparent` when a part starts after the first frame (--start), since that
   * one assumes the writer sees the first frame. Absent: `info.mayTurnTransparent` says it.
   */
  readonly mayHaveTransparency?: boolean;
}

/** Bytes of a file's head that sniffKind reads: enough for the PNG chunks before the pixels. */
const HEAD_BYTES = 64 * 1024;

/**
 * What a file is, by its first bytes rather than its name: a `.gif` that is really a
 * PNG still goes to the right reader, and a text file fails with a clear message. An
 * animated PNG ('apng') is decoded by ffmpeg and timed by its own chunks; an animated WebP
 * ('webp'), which ffmpeg cannot decode, goes to sharp.
 */
export function sniffKind(head: Uint8Array): InputKind {
  if (!isBytes(head)) {
    throw new ChromaseedError('ERR_INPUT', `sniffKind takes a file's first bytes (a Uint8Array or Buffer), not ${typeof head === 'string' ? `a name ("${head}"): read the file's head first` : String(head)}`);
  }
  checkBytes("sniffKind's head", head);
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (isGif(head)) return 'gif';
  if (isJpeg(head)) return 'still';
  if (isPng(head)) return animationChunkFirst(head) === true ? 'apng' : 'still';
  // An extended WebP (VP8X chunk first) says in its flags whether it is animated.
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return ascii(12, 16) === 'VP8X' && (head[20] & 0x02) !== 0 ? 'webp' : 'still';
  if (isTiff(head)) return 'still';
  // ISO media: AVIF/HEIF stills share the box format with MP4 video; the brand tells them
  // apart. An AVIF image sequence ('avis'), which sharp refuses, is a video to ffmpeg.
  if (isIsoMedia(head) && /^(avif|heic|heix|mif1)$/.test(ascii(8, 12))) return 'still';
  if (isSvg(new TextDecoder('latin1').decode(head.subarray(0, 16_384)))) return 'still';
  if (isGzip(head) && isSvg(new TextDecoder('latin1').decode(gunzipStart(head)))) return 'still'; // .svgz, which sharp draws too
  return 'video';
}

const isGzip = (head: Uint8Array): boolean => head[0] === 0x1f && head[1] === 0x8b;

/**
 * The start of what a gzip file inflates to (empty if it is no gzip stream): from its first
 * 4 KiB, which hold more than the SVG test reads and inflate to 4 MiB at the very most.
 */
function gunzipStart(head: Uint8Array): Uint8Array {
  try {
    // A sync flush at the end takes a stream cut short, as the head of a file is.
    return gunzipSync(head.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 16_384);
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * What `file` is: sniffKind, and what a file's head cannot tell: a PNG's animation chunk
 * after 64 KiB of other chunks, and images one after another (a raw MJPEG stream), which
 * ffmpeg reads as a video when told their `demuxer`.
 */
export async function inputKind(file: string, head: Uint8Array): Promise<{ kind: InputKind; demuxer?: string }> {
  const kind = sniffKind(head);
  // ffmpeg 5 probes some BMPs as tracker music (libopenmpt: "no video stream"): named outright.
  if (kind === 'video' && isBmp(head)) return { kind, demuxer: 'bmp_pipe' };
  if (kind !== 'still') return { kind };
  // A PNG whose first 64 KiB hold neither animation control nor image data: read on.
  if (isPng(head) && head.length === HEAD_BYTES && animationChunkFirst(head) === undefined && (await (await import('./apng-animation.js')).isAnimatedPngFile(file))) {
    return { kind: 'apng' };
  }
  const demuxer = await imageStreamFormat(file, head);
  return demuxer === undefined ? { kind } : { kind: 'video', demuxer };
}

/** "BM", then a DIB header of one of the sizes Windows and OS/2 define, 14 bytes in. */
const isBmp = (head: Uint8Array): boolean => head[0] === 0x42 && head[1] === 0x4d && head.length >= 18 && [12, 16, 40, 52, 56, 64, 108, 124].includes(new DataView(head.buffer, head.byteOffset).getUint32(14, true));

/**
 * An APNG has an animation control chunk (acTL) before its first image data (IDAT). Whether
 * one of them comes first within `head`: undefined when neither is there (the head is all
 * text or profile chunks, or the file is cut short).
 */
function animationChunkFirst(head: Uint8Array): boolean | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  for (let at = 8; at + 8 <= head.length; ) {
    const type = String.fromCharCode(...head.subarray(at + 4, at + 8));
    if (type === 'acTL') return true;
    if (type === 'IDAT') return false;
    at += 12 + view.getUint32(at);
  }
  return undefined;
}

/**
 * "/dev/stdin" or "/dev/fd/3" redirected from a file stands for this process's own
 * descriptor, and ffmpeg, a process of its own, would open its own instead: such a name is
 * replaced by the file it stands for. One that names no path (a file deleted while open)
 * stays as it is; chromaseed's own readers can still read it.
 */
async function descriptorTarget(name: string): Promise<string> {
  // Followed link by link, so a link to /dev/stdin (or to a link to it) is seen too.
  let at = path.resolve(name);
  for (let hops = 0; hops < 40; hops++) {
    if (/^\/(dev\/(stdin|fd\/\d+)|proc\/(self|\d+)\/fd\/\d+)$/.test(at)) return realpath(name).catch(() => name);
    const link = await readlink(at).catch(() => null);
    if (link === null) return name;
    // A relative target is relative to the link's real directory, not to the path that led there.
    at = path.resolve(await realpath(path.dirname(at)).catch(() => path.dirname(at)), link);
  }
  return name;
}

/** Checks the input exists and is a readable, non-empty file; returns its first bytes. */
export async function checkInput(file: string): Promise<Uint8Array> {
  // Standard input is read by the command line itself (spool-input.ts); here a name is a file's.
  if (isStdin(file)) throw new ChromaseedError('ERR_USAGE', 'no input file name; give a file (only the command line reads - as standard input)');
  const size = await inputFileSize(file);
  try {
    return await readHead(file, Math.min(size, HEAD_BYTES));
  } catch (err) {
    throw inputError(file, `cannot read: ${systemReason(err)}`, err);
  }
}

/** True when a part of the clip, another rate or another size is asked for. */
function reframes(options: InputOptions): boolean {
  return options.fps !== undefined || options.width !== undefined || options.start !== undefined || options.duration !== undefined;
}

/**
 * Opens any supported input as a stream of full-canvas frames. A GIF (our own decoder), an
 * animated WebP (sharp) or an animated PNG (ffmpeg, timed by its chunks) has its delays and
 * loop count read exactly, and --start, --duration, --fps and --width are applied to its
 * frames here; a still becomes a one-frame clip; a video goes through ffmpeg, which applies
 * those options itself.
 */
export async function openInput(given: string | URL, options: InputOptions = resolveInputOptions(), signal?: AbortSignal): Promise<FrameSource & { kind: InputKind }> {
  const name = fileName(given, 'openInput');
  const source = await openInputOnce(name, options, signal);
  return { ...source, frames: readOnce(source.frames, name) };
}

/**
 * `frames` handing out its one pass once: a second read of a source gave no frame and no
 * error (a library caller's global seeding over one openInput: an empty clip).
 */
function readOnce(frames: AsyncIterable<TimedFrame>, file: string, from = 'openInput', again = "open the file again (openReusable's open() does)"): AsyncIterable<TimedFrame> {
  let taken = false;
  return {
    [Symbol.asyncIterator]() {
      if (taken) throw new ChromaseedError('ERR_USAGE', `${file}: its frames were already read (a source from ${from} is read once); ${again}`);
      taken = true;
      return frames[Symbol.asyncIterator]();
    },
  };
}

async function openInputOnce(name: string, options: InputOptions, signal?: AbortSignal): Promise<FrameSource & { kind: InputKind }> {
  checkRunArguments('openInput', signal);
  // {} has no limits: every frame count and size would pass unchecked.
  requireResolved(options, ['maxPixels', 'maxFrames'], 'openInput', 'resolveInputOptions');
  refuseUnknownKeys('openInput', options, RESOLVED_INPUT_NAMES);
  const head = await checkInput(name);
  const file = await descriptorTarget(name);
  let { kind, demuxer } = await inputKind(file, head);
  const clip = kind === 'gif' || kind === 'webp' || kind === 'apng' ? await openTimedClip(kind, file, options) : null;
  // An animated PNG without a frame is read as the still it shows.
  if (kind === 'apng' && clip === null) kind = 'still';
  if (clip !== null) {
    checkFrameSize(file, clip.info, options.maxPixels);
    // An animated WebP's or PNG's frames shorter than the output can show (GIF: 2 cs) give
    // their time to their neighbours; a GIF's own delays are kept as they are.
    const { maxFps } = options;
    const shortestMs = kind !== 'gif' && maxFps !== undefined && options.fps === undefined && clip.delaysMs.some((d) => playbackDelayMs(d) < 1000 / maxFps - 1e-6) ? 1000 / maxFps : undefined;
    if (!reframes(options) && shortestMs === undefined) {
      return { kind, info: clip.info, frames: toAsync(clip.frames()), warnings: clip.warnings, release: clip.release };
    }
    return { kind, ...(await reframeClip(clip, options, file, kind === 'gif' ? MAX_GIF_FPS : MAX_ANIMATION_FPS, shortestMs)), warnings: clip.warnings };
  }
  if (kind === 'still') {
    refuseTimeForStill(file, kind, stillOptions(options));
    const { loadStill } = await import('./still.js');
    const frame = await loadStill(file, { maxPixels: options.maxPixels, width: options.width });
    const timed: TimedFrame = { ...frame, delayMs: 0 };
    return { kind, info: { width: frame.width, height: frame.height, frameCount: 1 }, frames: toAsync([timed]) };
  }
  const { openVideo } = await import('./video-in.js');
  // Its clip options alone: openVideo refuses the limits, which it does not apply.
  const clipOptions = { fps: options.fps, maxFps: options.maxFps, width: options.width, start: options.start, duration: options.duration };
  const video = await openVideo(file, clipOptions, { ...(demuxer !== undefined ? { demuxer } : {}), signal, maxPixels: options.maxPixels }).catch((err: unknown) => {
    // A name that promises a picture, on bytes that are none chromaseed or ffmpeg reads (a
    // text file saved as .png): said plainly, rather than as ffmpeg's "cut short or
    // damaged". ffmpeg tries first: an MP4 saved as .gif, or a BMP as .png, is read. An
    // AVIF image sequence (ISO media, as an MP4) is ffmpeg's to read: its reason stands.
    if (err instanceof ChromaseedError && err.code === 'ERR_INPUT' && /\.(png|jpe?g|gif|webp|tiff?|avif|heic|heif|svgz?)$/i.test(file) && !isIsoMedia(head)) {
      throw inputError(file, 'is named like an image, but neither chromaseed nor ffmpeg can read it as one (PNG, JPEG, GIF, WebP, TIFF, AVIF or SVG)', err);
    }
    // A saved palette given where a picture is wanted: said as such, and where it goes.
    const palette = err instanceof ChromaseedError && err.code === 'ERR_INPUT' && mayBePaletteFile(head) ? parsePaletteBytes(head) : null;
    if (palette !== null && typeof palette !== 'string') {
      throw inputError(file, `a palette file (${palette.size} colour${palette.size === 1 ? '' : 's'}), which transfer alone reads, as its SOURCE, the first file (chromaseed transfer PALETTE TARGET -o OUT)`, err);
    }
    throw err;
  });
  checkFrameSize(file, video.info, options.maxPixels);
  // A picture only ffmpeg reads (BMP, PPM, TGA...) is a still, as a PNG is: its one frame.
  if (video.picture === true) {
    refuseTimeForStill(file, 'still', stillOptions(options));
    return { kind: 'still', info: { width: video.info.width, height: video.info.height, frameCount: 1 }, frames: firstAsStill(video.frames), warnings: video.warnings };
  }
  // Its length at its rate, when no other stream may have set it, says ahead what the frames
  // would find only after reading that many (an hour at 30 fps: minutes of work, no output).
  const { frameCount, frameCountUncertain, fps } = video.info;
  if (frameCount !== undefined && frameCountUncertain !== true && frameCount > options.maxFrames) {
    // The length counted from is given: a damaged header's (4,294,967 s for a 1 s clip) shows as such.
    // A variable-rate read's by its frames' times: `fps` is only the rate their delays fit (a 10 and 30 fps join at 50 fps "in 0.8 s").
    const lengthSec = video.variableLengthSec ?? (fps !== undefined && fps > 0 ? frameCount / fps : undefined);
    const rate = video.variableLengthSec !== undefined ? 'at a variable rate' : `at ${Number(fps?.toFixed(3))} fps`;
    const stated = lengthSec !== undefined ? ` in the ${lengthSec.toFixed(1)} s the file states` : '';
    throw new ChromaseedError('ERR_LIMIT', `${file}: about ${frameCount} frames ${rate}${stated}, more than the limit of ${options.maxFrames} (raise the limit with --max-frames, or read a part with --start and --duration, or fewer frames with --fps)`);
  }
  return { kind: 'video', info: video.info, frames: limitFrames(video.frames, options.maxFrames, file), warnings: video.warnings, release: video.release };
}

/**
 * The time options a still is checked for: a part of it (start, duration) is refused, while
 * a frame rate changes nothing in one frame (transfer gives its --fps to both inputs, for
 * whichever is a clip).
 */
function stillOptions(options: InputOptions): InputOptions {
  return { ...options, fps: undefined };
}

/** A picture's one frame, with no delay, as a still's. Its read starts, and ends, with the caller's. */
async function* firstAsStill(frames: AsyncIterable<TimedFrame>): AsyncGenerator<TimedFrame> {
  for await (const frame of frames) {
    yield { ...frame, delayMs: 0 };
    return;
  }
}

/**
 * Refuses --fps, --start and --duration for a still (it has no time). `prefix` names the
 * time options as given for this input (transfer's source: --source-start).
 */
export function refuseTimeForStill(file: string, kind: InputKind, options: InputOptions, prefix = '--'): void {
  const given = (['fps', 'start', 'duration'] as const).find((name) => options[name] !== undefined);
  const flag = given === 'fps' ? '--fps' : `${prefix}${given}`;
  if (kind === 'still' && given !== undefined) throw new ChromaseedError('ERR_USAGE', `${flag}: ${file} is a still image, which has no time; drop ${flag}`);
}

/**
 * Opens `file` now, to learn its size before an output is created, and returns an `open`
 * that hands out that same stream first and reopens the file on later calls (global
 * seeding reads a clip twice), so the common single pass decodes it once. `warnings`
 * gathers every pass's: damage a later pass meets (a file cut short while it was read
 * again) was lost, and the run ended with fewer frames and no word of why.
 */
export async function openReusable(given: string | URL, options: InputOptions, signal?: AbortSignal): Promise<{ info: FrameSource['info']; kind: InputKind; warnings: readonly string[]; open: () => Promise<FrameSource> }> {
  const file = fileName(given, 'openReusable');
  checkRunArguments('openReusable', signal);
  refuseUnknownKeys('openReusable', options, RESOLVED_INPUT_NAMES);
  // Said of the function called ("openInput was given options..." named one the caller never called).
  requireResolved(options, ['maxPixels', 'maxFrames'], 'openReusable', 'resolveInputOptions');
  let first: (FrameSource & { kind: InputKind }) | null = await openInput(file, options, signal);
  const { info, kind } = first;
  const warnings: string[] = [];
  const open = async (): Promise<FrameSource> => {
    const source = first ?? (await openInput(file, options, signal));
    first = null;
    // Read once, as openInput's: a second pass over the same source gave no frame and no error.
    return { ...source, frames: readOnce(reportingTo(warnings, source), file, 'open()', 'call open() again for another pass') };
  };
  // The first pass's warnings from opening (a GIF's damage is found before its frames) are there at once.
  warnings.push(...(first.warnings ?? []));
  return { info, kind, warnings, open };
}

/** `source`'s frames, its new warnings added to `all` as they come (each line once). */
async function* reportingTo(all: string[], source: FrameSource): AsyncGenerator<TimedFrame> {
  // A source's warnings only grow: a frame costs one length check, not a pass over them.
  let seen = 0;
  const add = (): void => {
    const lines = source.warnings ?? [];
    for (; seen < lines.length; seen++) if (!all.includes(lines[seen])) all.push(lines[seen]);
  };
  try {
    for await (const frame of source.frames) {
      add();
      yield frame;
    }
  } finally {
    add();
  }
}

/** A clip whose delays are read before its frames: decoded by chromaseed, sharp or ffmpeg. */
async function openTimedClip(kind: 'gif' | 'webp' | 'apng', file: string, options: InputOptions): Promise<TimedClip | null> {
  if (kind === 'webp') return (await import('./webp-animation.js')).openAnimatedWebp(file, options);
  if (kind === 'apng') return (await import('./apng-animation.js')).openAnimatedPng(file, options);
  return decodeGif(new Uint8Array(await readWholeFile(file, 'GIF')), file, { maxPixels: options.maxPixels, maxFrames: options.maxFrames });
}

/** How far a video's length may stray from its clip's at a rate resampledRate chooses. */
const RATE_LENGTH_SLACK_MS = 50;

/**
 * Video output's rate for a clip resampled at `fps` (`plan`: frames of one tick, the last
 * maybe cut short by the clip's or the part's end): `fps` itself, as for a video's frames,
 * or else the smallest multiple of it up to `maxFps` at which every frame lasts the same
 * whole number of frames and the last one at least one (the video writer rounds away what
 * lasts under half a frame), with the clip's length within RATE_LENGTH_SLACK_MS of its own
 * (a 0.9 s GIF at --fps 7: 14 fps, each frame 2 ticks, the last 1). A rate made to fit
 * every delay exactly (50 fps for --fps 29.97) showed the frames for 2, 1, 2, 2, 1...
 * ticks, a visible judder. Undefined where no multiple fits, which the pieces planFrames
 * keeps (20 ms at least) never meet: up to 25 fps some multiple has ticks of 20 to 40 ms.
 */
function resampledRate(plan: readonly { delayMs: number }[], fps: number, maxFps: number): number | undefined {
  // Added in the order the video writer adds the delays, so both round the same sum.
  const lengthMs = plan.reduce((t, f) => t + f.delayMs, 0);
  for (let m = 1; m === 1 || fps * m <= maxFps; m++) {
    const ticks = Math.round((lengthMs * (fps * m)) / 1000);
    if (ticks > (plan.length - 1) * m && Math.abs((ticks * 1000) / (fps * m) - lengthMs) <= RATE_LENGTH_SLACK_MS) return fps * m;
  }
  return undefined;
}

/**
 * A clip's part, rate and size as asked: frames chosen by playback time, then resized.
 * `maxFps`: the highest video rate its delays are kept at (see rateForDelays).
 * `shortestMs`: the shortest frame the output can show; shorter ones give their time to
 * their neighbours (see fitShortFrames).
 */
async function reframeClip(clip: TimedClip, options: InputOptions, file: string, maxFps: number, shortestMs?: number): Promise<FrameSource> {
  const { planFrames, followPlan, fitShortFrames } = await import('../pipeline/retime.js');
  const { fps, width, startSec, durationSec } = validateClipOptions(options);
  const { gifDelays } = clip.info;
  const window = planFrames(clip.delaysMs, { startMs: startSec === undefined ? undefined : startSec * 1000, durationMs: durationSec === undefined ? undefined : durationSec * 1000, fps, gifDelays });
  const plan = shortestMs === undefined ? window : fitShortFrames(window, shortestMs);
  // Said as a video's writer says the frames it has no room for.
  const merged = window.length - plan.length;
  if (merged > 0) clip.warnings.push(`${file}: ${merged} of ${window.length} frames lasted less than ${shortestMs} ms, the shortest a GIF frame plays at its time, and ${merged === 1 ? 'is' : 'are'} not in it (${merged === 1 ? 'its' : 'their'} time went to the frames beside ${merged === 1 ? 'it' : 'them'})`);
  if (plan.length === 0) {
    const seconds = clip.delaysMs.reduce((t, d) => t + playbackDelayMs(d, gifDelays), 0) / 1000;
    // A start just before the end (0.895 of 0.90 s) is not past it: it leaves less than a frame.
    if (startSec !== undefined && startSec < seconds) throw new ChromaseedError('ERR_INPUT', `${file}: --start ${startSec} leaves less than a frame of the ${seconds.toFixed(2)} s it plays; ask for an earlier --start`);
    throw new ChromaseedError('ERR_INPUT', `${file}: --start is past the end (it plays for ${seconds.toFixed(2)} s)`);
  }
  if (plan.length > options.maxFrames) {
    throw new ChromaseedError('ERR_LIMIT', `${file}: the part and rate asked for make ${plan.length} frames, more than the limit of ${options.maxFrames} (raise the limit with --max-frames)`);
  }
  const size = width === undefined ? clip.info : { width, height: scaledHeight(width, clip.info.width, clip.info.height) };
  checkFrameSize(file, size, options.maxPixels);
  const rate = fps === undefined ? undefined : resampledRate(plan, fps, maxFps);
  // A part that starts after the first frame: the writer does not see that frame, so that it
  // was opaque cannot be assumed (a disposal 3 may bring its clear pixels back later).
  const turns = plan[0].source > 0 && clip.mayHaveTransparency !== undefined ? clip.mayHaveTransparency : clip.info.mayTurnTransparent === true;
  // Frames at a constant rate are timed as they play: a 10 ms tick of --fps 100 is no GIF's 1 cs.
  const writtenAsGif = gifDelays === true && fps === undefined;
  const { mayTurnTransparent: _, gifDelays: __, ...kept } = clip.info;
  const info: ClipInfo = {
    ...kept, width: size.width, height: size.height, frameCount: plan.length, fps: rate ?? rateForDelays(plan.map((f) => f.delayMs), maxFps, writtenAsGif),
    ...(turns ? { mayTurnTransparent: true } : {}),
    ...(writtenAsGif ? { gifDelays: true } : {}),
  };
  // Each source frame used is resized once, before it is repeated.
  let resize: ((frame: TimedFrame) => Promise<TimedFrame>) | undefined;
  if (size.width !== clip.info.width) {
    const { resizeFrame } = await import('./resize-frames.js');
    resize = (frame) => resizeFrame(frame, size.width, size.height);
  }
  return { info, frames: followPlan(clip.frames(), plan, resize) };
}

async function* toAsync<T>(frames: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* frames;
}

async function* limitFrames(frames: AsyncIterable<TimedFrame>, max: number, file: string): AsyncGenerator<TimedFrame> {
  let n = 0;
  for await (const f of frames) {
    checkFrameCount(file, ++n, max);
    yield f;
  }
}
