import { PassThrough } from 'node:stream';
import { ChromaseedError, invalidOption, namesOf, refuseUnknownKeys, requireObject, throwIfAborted } from '../errors.js';
import { fileName } from './file-name.js';
import { createFramePool, type FramePool } from '../frame-pool.js';
import { CLIP_NAMES, ffmpegRate, ffmpegSeconds, scaledHeight, validateClipOptions, type ClipOptions } from '../clip-options.js';
import { binaryAlpha } from '../pixel-words.js';
import { refuseFileList } from '../text-sniff.js';
import { MAX_ANIMATION_FPS } from '../timing.js';
import type { ClipInfo, FrameSource, TimedFrame } from '../types.js';
import { ffmpegCommand, ffmpegHasDemuxer, ffmpegLocation, passthroughOptions } from './ffmpeg-path.js';
import { ffmpegFailure, watch } from './ffmpeg-run.js';
import { createWaiter, openFrameFifo, type FrameReader } from './frame-fifo.js';
import { inputFileSize, readHead } from './file-head.js';
import { isAnnexB, isIsoMedia } from '../file-signatures.js';
import { LITERAL_NAME, probeVideo, type VideoProbe } from './video-probe.js';
import { frameClock, packetTimes, showinfoTimes, type ClockPlan } from './video-timestamps.js';
import { SHOWINFO_LINE, videoFilters } from './video-filters.js';
import { finestRate, pictureEndSec, shorterReading, variableRateClock, wholeReadSec } from './video-read-rate.js';

/** How ffmpeg is to read a file (see openVideo). */
export interface VideoRead {
  readonly demuxer?: string;
  /** Stops the packet pass (see variableRateClock), which on a long file reads it whole: seconds. */
  readonly signal?: AbortSignal;
  /**
   * Without `width`: a stream whose frames have more pixels than this is refused as soon as
   * ffmpeg states its size, before it decodes a frame (see probeVideo). With `width` the
   * frames read are the scaled ones, which the caller checks.
   */
  readonly maxPixels?: number;
}

const VIDEO_READ_NAMES: readonly string[] = namesOf<VideoRead>({ demuxer: true, signal: true, maxPixels: true });

/** A whole read that ends before this share of the length the file states (and a second short of it at least) is said to be cut short. */
const SHORT_READ = 0.8;

/** The warning for damage ffmpeg read past, once per source. */
function damageWarning(file: string, line: string): string {
  return `${file}: the video is damaged (ffmpeg: ${line}); frames may be missing or show artefacts`;
}

/**
 * Opens a video (anything ffmpeg reads) as a stream of RGBA frames.
 *
 * A short probe run (`-frames:v 1 -f null`) reads the stream's size and rate from ffmpeg's
 * stderr, since ffprobe is not shipped. Decoding starts only when `frames` is iterated, and
 * each iteration runs its own ffmpeg, so a source that is never read leaves no process.
 * Frames come through a pipe with back-pressure: ffmpeg blocks when the consumer is slow, so
 * memory stays at a few frames (or about 1 MiB of small ones) however long the video is.
 * Breaking out of the loop (or an error) kills ffmpeg and waits for it to exit.
 * `read.demuxer` names ffmpeg's input format when its guess from the file's first bytes
 * would be wrong.
 * `picture` is true when ffmpeg reads the file as a picture (BMP, PPM, TGA...), not a video.
 * `variableLengthSec`, for a variable-rate video read by its frames' own times, is their
 * length; `info.fps` is then the rate their delays fit, not one the file plays at.
 */
export async function openVideo(given: string | URL, options: ClipOptions = {}, read: VideoRead = {}): Promise<FrameSource & { readonly picture?: boolean; readonly variableLengthSec?: number }> {
  const file = fileName(given, 'openVideo');
  requireObject('read', '{ signal }', read);
  refuseUnknownKeys('openVideo', options, CLIP_NAMES);
  refuseUnknownKeys("openVideo's read", read, VIDEO_READ_NAMES);
  const { demuxer, signal, maxPixels } = read;
  if (maxPixels !== undefined && !(typeof maxPixels === 'number' && maxPixels >= 1)) throw invalidOption('maxPixels', 'a number of pixels, at least 1', maxPixels);
  if (demuxer !== undefined && !(typeof demuxer === 'string' && /^\w+$/.test(demuxer))) throw invalidOption('demuxer', "the name of an input format of ffmpeg's (ffmpeg -demuxers lists them)", demuxer);
  const opts = validateClipOptions(options);
  await inputFileSize(file);
  const head = await readHead(file, 4096);
  refuseFileList(file, head);
  // A read that may go by the frames' own times needs the packet times (see variableRateClock):
  // they are read beside the probe, both runs being mostly ffmpeg starting up (0.05 to 0.1 s
  // for the bundled binary, 0.4 s for Debian's 5.1). An MP4 or MOV waits for the probe,
  // which tells from the rates it states whether the pass is needed at all (steadyRate: a
  // constant-rate one, nearly every phone's and camera's, is spared it); so does a name with
  // a %, which the probe says whether to read as it is. A raw H.264 or HEVC stream never
  // needs the pass (its packet times are made up: VideoProbe.rawStream), so one that looks
  // like one does not start it. With --start they give the rate to read the part at (see
  // finestRate).
  const timesWanted = opts.fps === undefined;
  const stopEarly = new AbortController();
  const besideProbe = timesWanted && !file.includes('%') && !(demuxer === undefined && (isIsoMedia(head) || isAnnexB(head)));
  const passSignal = signal === undefined ? stopEarly.signal : AbortSignal.any([stopEarly.signal, signal]);
  const untilSec = opts.durationSec === undefined ? undefined : (opts.startSec ?? 0) + opts.durationSec;
  const early = besideProbe ? packetTimes(file, { demuxer }, untilSec, passSignal).catch(() => null) : undefined;
  const probe = await probeVideo(file, demuxer, opts.width === undefined ? maxPixels : undefined).catch(async (err: unknown) => {
    // No ffmpeg is left running when the file cannot be read.
    stopEarly.abort();
    await early;
    // ffmpeg said nothing: "ffmpeg failed: it printed no message".
    if (demuxer !== undefined && err instanceof ChromaseedError && err.code === 'ERR_FFMPEG' && ffmpegHasDemuxer(demuxer) === false) {
      throw new ChromaseedError('ERR_USAGE', `${file}: ffmpeg has no input format (demuxer) named "${demuxer}"; ffmpeg -demuxers lists those it reads`, { cause: err });
    }
    throw err;
  });
  // Said now, not once the frames are read: a command may do long work before that (a
  // transfer counts its source's colours first).
  // A picture has no time: its caller refuses the time options, as it does a still's.
  if (opts.startSec !== undefined && probe.picture !== true && probe.durationSec !== undefined && probe.durationGuessed !== true && opts.startSec >= probe.durationSec) throw pastTheEnd(file, probe.durationSec);
  // Frames are made the size a player shows them, with square pixels: an anamorphic video's
  // wide pixels stretch its width, tall ones (a rotated anamorphic video) its height.
  const aspect = probe.sampleAspect;
  const shownWidth = Math.max(1, Math.round(probe.width * Math.max(1, aspect)));
  const shownHeight = Math.max(1, Math.round(probe.height * Math.max(1, 1 / aspect)));
  let width = shownWidth;
  let height = shownHeight;
  if (opts.width !== undefined) {
    width = opts.width;
    height = scaledHeight(opts.width, shownWidth, shownHeight);
  }
  // Picture and sound of an MPEG-TS file each read beside the other (see streamsShiftAlone).
  // Read from a --start, where ffmpeg seeks, both keep their places already.
  const keepPlace = probe.streamsShiftAlone === true && probe.sound !== undefined && opts.startSec === undefined;
  // A variable-rate video, read without --fps or --start, is read by its frames' own times
  // (see video-timestamps.ts). Not an interlaced one: its fields may be packets of their own.
  // Nor a raw stream, whose only times are those its demuxer makes up.
  const variable = timesWanted && probe.picture !== true && probe.interlaced !== true && probe.steadyRate !== true && probe.rawStream !== true;
  if (!variable) stopEarly.abort();
  const packets = variable ? await (early ?? packetTimes(file, { demuxer, literalName: probe.literalName }, untilSec, passSignal)) : null;
  // A pass stopped by the signal reads as no times at all: said as what it is.
  throwIfAborted(signal);
  const clock = variable && opts.startSec === undefined ? variableRateClock(packets, probe, opts, keepPlace) : undefined;
  const startRate = variable && opts.startSec !== undefined ? finestRate(packets, probe, opts.maxFps ?? MAX_ANIMATION_FPS) : undefined;
  // Read from --start at that rate, the part ends where the last frame does by its own times.
  const toPictureEnd = startRate !== undefined ? pictureEndSec(packets!, probe) - opts.startSec! : Infinity;
  const partSec = toPictureEnd > 0 && toPictureEnd < (opts.durationSec ?? Infinity) ? toPictureEnd : opts.durationSec;
  const capped = clock === undefined && startRate === undefined && opts.fps === undefined && opts.maxFps !== undefined && probe.fps > opts.maxFps;
  const fps = clock?.fps ?? opts.fps ?? startRate ?? (capped ? opts.maxFps! : probe.fps);
  // loopCount 0: a GIF made from a video loops forever, as ffmpeg's own GIF output does.
  const info: ClipInfo = {
    width, height, fps, loopCount: 0, changesEveryFrame: true,
    frameCount: clock?.frameCount ?? estimateFrames(probe, fps, opts.startSec, partSec),
    ...(probe.otherStreams === true ? { frameCountUncertain: true } : {}),
    ...(probe.alpha === true ? { mayTurnTransparent: true } : {}),
    ...(probe.sound !== undefined ? { sound: { file, startSec: opts.startSec, durationSec: opts.durationSec, decodable: probe.sound === 'yes', ...(keepPlace ? { withPicture: true } : {}) } } : {}),
  };
  const delayMs = 1000 / fps;
  const { filters, turnHere } = videoFilters(probe, {
    width, height, fps, startSec: opts.startSec,
    rateFilter: clock === undefined && (opts.fps !== undefined || capped || probe.rateFilter === true),
    showInfo: clock !== undefined,
  });

  // Filled as damage shows up: at the probe, or while the frames are read.
  const warnings: string[] = probe.damage === undefined ? [] : [damageWarning(file, probe.damage)];
  // A time table ffmpeg reads without a word: the frames it gives were fewer than the file has (11 of 24).
  if (warnings.length === 0 && packets !== null && packets.sharedTimes > 0) {
    const total = packets.timesMs.length;
    warnings.push(`${file}: its frames' times are damaged (${packets.sharedTimes} of its ${total} frames have the time of another); frames may be missing or out of order`);
  }
  // Frames handed back (release), for the next ones (frame-pool.ts; measured in step 1 of
  // the README's How it works, as bench/RESULTS.md's History keeps it).
  const pool = createFramePool(width * height * 4);
  const frames: AsyncIterable<TimedFrame> = {
    [Symbol.asyncIterator]: () => readFrames(file, pool, { width, height, delayMs, filters, noAutorotate: turnHere, startSec: opts.startSec, durationSec: partSec, lengthSec: probe.durationSec, lengthSetByOthers: probe.otherStreams === true, wholeReadSec: wholeReadSec(probe), decoder: probe.decoder, demuxer, literalName: probe.literalName, ...(probe.rawStream === true ? { streamRate: probe.fps } : {}), alpha: probe.alpha === true, soundBeside: keepPlace, ...(startRate !== undefined ? { passLast: true } : {}), ...(opts.maxFps !== undefined ? { shortestMs: 1000 / opts.maxFps } : {}), ...(clock !== undefined ? { clock: clock.plan } : {}) }, warnings),
  };
  return { info, frames, warnings, release: pool.release, ...(probe.picture === true ? { picture: true } : {}), ...(clock !== undefined ? { variableLengthSec: clock.lengthSec } : {}) };
}


interface ReadPlan {
  width: number;
  height: number;
  delayMs: number;
  filters: string[];
  /** The filters turn the frames upright themselves (after deinterlacing), so ffmpeg must not. */
  noAutorotate?: boolean;
  /** Where the read starts; the rate filter is anchored there and picks from the frames decoded before it too. */
  startSec?: number;
  durationSec?: number;
  /** The container's duration in seconds, when it states one (for the message when --start is past it). */
  lengthSec?: number;
  /** The file has streams besides the video (sound, subtitles), which may make it longer than its picture. */
  lengthSetByOthers?: boolean;
  /** What a whole read should reach, in seconds (wholeReadSec). */
  wholeReadSec?: number;
  decoder?: string;
  demuxer?: string;
  /** See VideoProbe.literalName. */
  literalName?: boolean;
  /** The rate the demuxer stamps frames at, for a stream with no times of its own (see VideoProbe.rawStream); a part of it is then found by those times (videoFilters), not by a seek. */
  streamRate?: number;
  /** Read the first frame only. */
  firstOnly?: boolean;
  /** The rate filter passes the last frame on at the end even when no tick falls in it. */
  passLast?: boolean;
  /** The frames may be partly transparent. */
  alpha: boolean;
  /** The file's sound is read beside the picture (see readFrames). */
  soundBeside?: boolean;
  /** The shortest frame the output can show (a GIF: 20 ms), what a last frame cut at the part's end is lengthened to; none for other outputs, which round it to whole frames. */
  shortestMs?: number;
  /** Every frame is read once and timed by its own time, which showinfo reports (see video-timestamps.ts). */
  clock?: ClockPlan;
}

const isRateFilter = (filter: string): boolean => filter.startsWith('fps=');

/**
 * How far before --start decoding begins: ffmpeg's seek in MPEG-TS lands on the key frame
 * after the point asked for, which is then still before the start for key frames up to this
 * far apart. Costs this much more decoding than a seek straight to the start.
 */
const SEEK_PREROLL_SEC = 5;

/** What a read of a pipe gives at most on Linux (its buffer), so chunks per frame read. */
const PIPE_CHUNK_BYTES = 65536;

async function* readFrames(file: string, pool: FramePool, plan: ReadPlan, warnings: string[]): AsyncGenerator<TimedFrame> {
  const frameBytes = plan.width * plan.height * 4;
  const command = readCommand(file, plan);
  // Through a FIFO, read straight into the frames (see frame-fifo.ts); else ffmpeg's stdout.
  const fifo = ffmpegLocation().source === 'bundled' ? await openFrameFifo(frameBytes, pool.take) : null;
  let out: PassThrough | null = null;
  let reader: FrameReader;
  if (fifo !== null) {
    command.output(fifo.path);
    reader = fifo;
  } else {
    out = stdoutStream(frameBytes);
    command.output(out, { end: true });
    reader = pipeFrames(out, frameBytes, pool.take);
  }
  // The sound copied to nowhere, as far as the picture is read: read alone, an MPEG-TS
  // picture that starts after its sound was taken to start with it (see streamsShiftAlone),
  // and its first frame would come too early by the difference.
  if (plan.soundBeside === true && plan.firstOnly !== true) {
    command.output('-').outputOptions(['-map', '0:a:0', '-c:a', 'copy', ...(plan.durationSec !== undefined ? ['-t', ffmpegSeconds(plan.durationSec)] : [])]).format('null');
  }
  // By their own times: each frame's time comes from showinfo's line for it (printed before
  // the frame is written, but stderr is another pipe, read when Node gets to it: a frame
  // waits for its time), and each frame is held back until the next one's time is known.
  const timed = plan.clock !== undefined ? { times: showinfoTimes(), clock: frameClock<TimedFrame>(plan.clock) } : null;
  if (timed !== null) command.on('stderr', timed.times.line);
  const run = watch(command, timed !== null ? (line) => !SHOWINFO_LINE.test(line) : undefined);
  if (timed !== null) void run.done.then(timed.times.close);
  command.run();
  if (fifo !== null) void run.exit.then(fifo.writerDone);
  try {
    // With --duration each frame is held back until the next one arrives, so that the last
    // can be cut to the part's end: at a constant rate the part is whole frames (0.5 fps,
    // 3 s asked: two frames, 4 s), and a GIF, whose delays are its own, can play it exactly.
    const trimLast = plan.durationSec !== undefined && timed === null;
    let held: TimedFrame | null = null;
    let count = 0;
    for await (const frame of framesOf(reader, plan)) {
      count++;
      if (timed !== null) {
        for (const shown of timed.clock.push(frame, await timed.times.next())) yield { ...shown.item, delayMs: shown.delayMs };
        if (timed.clock.done) break;
      } else if (!trimLast) yield frame;
      else {
        if (held !== null) yield held;
        held = frame;
      }
    }
    // The part asked for (--duration) is read: ffmpeg, which would read on to the end, is stopped.
    const partRead = timed?.clock.done === true;
    if (partRead) run.kill();
    const result = await run.done;
    // A sound stream that cannot be copied (one listed with no packets, as broadcast captures
    // have) fails the copy beside the picture before any frame: read the picture alone.
    if (result.error && count === 0 && plan.soundBeside === true) {
      yield* readFrames(file, pool, { ...plan, soundBeside: false, ...(plan.clock !== undefined ? { clock: { ...plan.clock, fromZero: false } } : {}) }, warnings);
      return;
    }
    if (result.error && !partRead) throw ffmpegFailure(file, result.error, result.stderr);
    const { dropped, repeated } = droppedAtOutput(result.stderr);
    if (dropped > Math.max(2, DROPPED_SHARE * count) && timed === null && !plan.filters.some(isRateFilter)) warnings.push(droppedWarning(file, dropped, count - repeated + dropped, plan.delayMs));
    if (timed !== null) for (const shown of timed.clock.end()) yield { ...shown.item, delayMs: shown.delayMs };
    if (held !== null) {
      // What is left of the part for the last frame. Under half a frame it is left out, as a
      // constant-rate video rounding to the nearest frame would; otherwise a GIF shows it at
      // least 2 cs, since a browser shows a shorter GIF frame for 10. A whole frame is
      // whole up to rounding: 1000 - 119 x 8.333... ms at 120 fps is a hair under 8.333...,
      // and a video written from that part had a frame more than its 120.
      const left = plan.durationSec! * 1000 - (count - 1) * plan.delayMs;
      if (left >= plan.delayMs * (1 - 1e-9)) yield held;
      else if (left >= plan.delayMs / 2 || count === 1) yield { ...held, delayMs: Math.max(left, plan.shortestMs ?? 0) };
    }
    if (result.damage !== null && warnings.length === 0) warnings.push(damageWarning(file, result.damage));
    // A whole read whose frames end well before the length the file states: ffmpeg 4.1 (the
    // bundled one) reads a Matroska or WebM file cut between two of its elements as if it were
    // whole, and says nothing.
    const readSec = (count * plan.delayMs) / 1000;
    if (warnings.length === 0 && count > 0 && timed === null && plan.startSec === undefined && plan.durationSec === undefined && plan.wholeReadSec !== undefined && readSec < SHORT_READ * plan.wholeReadSec && plan.wholeReadSec - readSec >= 1) {
      warnings.push(`${file}: its frames end at ${readSec.toFixed(2)} s of the ${plan.wholeReadSec.toFixed(2)} s the file states: cut short or damaged; frames may be missing`);
    }
    const again = count === 0 ? planWhenNothingCame(file, plan) : null;
    if (again !== null) yield* readFrames(file, pool, again, warnings);
  } finally {
    if (!run.exited()) {
      run.kill();
    }
    await run.exit;
    out?.destroy();
    fifo?.close(pool.give);
  }
}

/** The ffmpeg command that decodes `plan`'s frames as raw RGBA; its output is set by the caller. */
function readCommand(file: string, plan: ReadPlan): ReturnType<typeof ffmpegCommand> {
  const command = ffmpegCommand(file);
  if (plan.demuxer !== undefined) command.inputFormat(plan.demuxer);
  if (plan.literalName === true) command.inputOptions(LITERAL_NAME);
  if (plan.streamRate !== undefined) command.inputOptions(['-framerate', ffmpegRate(plan.streamRate)]);
  if (plan.decoder !== undefined) command.inputOptions(['-c:v', plan.decoder]);
  if (plan.noAutorotate === true) command.inputOptions(['-noautorotate']);
  if (plan.startSec !== undefined && plan.streamRate === undefined) {
    // ffmpeg's own seek does not do here: its accurate seek drops every frame that starts
    // before the start time, the one on screen there included, and its constant-rate output
    // then shows the next frame early (0.5 fps, --start 3: the frame from 4 s at 3 s; nothing
    // at all past the last frame's start), and in MPEG-TS it lands on the key frame after the
    // time asked for. So decoding starts at the key frame before a point a few seconds
    // earlier, with every frame kept and timestamps counted from the start time, where the
    // rate filter is anchored (videoFilters).
    const start = plan.startSec;
    const seek = Math.max(0, start - SEEK_PREROLL_SEC);
    command.inputOptions(['-itsoffset', ffmpegSeconds(seek - start), ...(seek > 0 ? ['-noaccurate_seek', '-ss', ffmpegSeconds(seek)] : [])]);
  }
  // -max_error_rate 1: a video ffmpeg decodes in full, with damage concealed, is read (and
  // warned of, as damage is); past its default, two frames in three decoded with errors,
  // ffmpeg exits with an error after writing every frame.
  const outputOptions = ['-map', '0:V:0', '-an', '-sn', '-dn', '-pix_fmt', 'rgba', '-max_error_rate', '1'];
  // Every frame once, at its own time; not past frames it cannot decode, as the constant-rate read.
  if (plan.clock !== undefined) outputOptions.push(...passthroughOptions());
  if (plan.firstOnly === true) outputOptions.push('-frames:v', '1');
  // By the frames' own times, the part is cut by the reader (see frameClock), which needs the time of the frame after it.
  // A raw stream's part keeps its frames' times (see videoFilters), from which ffmpeg counts the -t.
  const partEnd = plan.durationSec !== undefined && plan.streamRate !== undefined && plan.startSec !== undefined ? plan.startSec + plan.durationSec : plan.durationSec;
  if (partEnd !== undefined && plan.clock === undefined) outputOptions.push('-t', ffmpegSeconds(partEnd));
  const filters = plan.passLast === true ? plan.filters.map((f) => (isRateFilter(f) ? `${f}:eof_action=pass` : f)) : plan.filters;
  if (filters.length > 0) outputOptions.push('-vf', filters.join(','));
  return command.outputOptions(outputOptions).format('rawvideo');
}

/** ffmpeg's frames, timed by `plan`. */
async function* framesOf(reader: FrameReader, plan: ReadPlan): AsyncGenerator<TimedFrame> {
  for (let frame = await reader.next(); frame !== null; frame = await reader.next()) {
    // Partial alpha (a WebM or PNG with transparency) is cut at half, as for every input.
    if (plan.alpha) binaryAlpha(frame);
    // A buffer per frame (not per pixel): the consumer may keep frames, e.g. to hold one
    // back, until it hands them back (release). Each is filled whole.
    yield { width: plan.width, height: plan.height, data: frame, delayMs: plan.delayMs };
  }
}

/**
 * The stream fluent-ffmpeg pipes ffmpeg's stdout into, where no FIFO can be made. autoDestroy
 * off: fluent-ffmpeg kills ffmpeg 20 ms after its output stream closes, which could cut off
 * a run that is still exiting; the stream is destroyed only once ffmpeg is done. Its reading
 * side hands out each chunk as the pipe gave it (object mode): read() of a byte stream joins
 * everything buffered into a new buffer, a frame's worth of memory faulted in and copied once
 * more before it is copied into the frame (chaplin.mp4: 143 ms of the main thread in that
 * join, and garbage). Its limit counts chunks: up to a frame, or 16 pipe reads (1 MiB) of
 * smaller frames, is buffered there.
 */
function stdoutStream(frameBytes: number): PassThrough {
  return new PassThrough({
    writableHighWaterMark: frameBytes,
    readableObjectMode: true,
    readableHighWaterMark: Math.max(16, Math.ceil(frameBytes / PIPE_CHUNK_BYTES)),
    autoDestroy: false,
  });
}

/** The chunks of ffmpeg's stdout copied into frames of `frameBytes`, each in a buffer of its own. */
function pipeFrames(stream: PassThrough, frameBytes: number, take: () => Uint8Array): FrameReader {
  const chunks = chunkReader(stream);
  let chunk: Buffer | null = null;
  let at = 0;
  return {
    async next() {
      // Taken when bytes come for it: a read that gives nothing (planWhenNothingCame reads
      // again) or ends on a whole frame takes no buffer for nothing.
      let frame: Uint8Array | null = null;
      let filled = 0;
      for (;;) {
        if (chunk === null || at === chunk.length) {
          chunk = await chunks.next();
          at = 0;
          if (chunk === null) return null;
        }
        frame ??= take();
        const n = Math.min(frameBytes - filled, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === frameBytes) return frame;
      }
    },
  };
}

/**
 * A read that gave no frame: the plan to read again with, where a frame is there to be had,
 * or the error that says why there is none (null: neither).
 */
function planWhenNothingCame(file: string, plan: ReadPlan): ReadPlan | null {
  if (plan.startSec !== undefined && plan.passLast !== true && !(plan.startSec >= (plan.lengthSec ?? Infinity))) {
    // A start time inside the last frame, after its first tick: the rate filter does not
    // know how long that frame lasts, so it gives nothing unless told to pass it on.
    return { ...plan, passLast: true };
  }
  if (plan.startSec === undefined && plan.filters.some(isRateFilter)) {
    // A clip shorter than half a tick of the rate it is read at (5 ms at 1000 fps, read at
    // a GIF's 50; 1.2 s at --fps 0.4) has no frame on screen at any tick of ffmpeg's rate
    // filter: its first frame, the one on screen at the first tick, is read instead, for one
    // tick, as a GIF or an animated WebP at that rate gives its first frame.
    return { ...plan, filters: plan.filters.filter((f) => !isRateFilter(f)), firstOnly: true };
  }
  if (plan.startSec !== undefined) {
    // ffmpeg gives nothing past the end, and nothing when its rate filter has no tick in a short part.
    if (plan.lengthSec !== undefined && plan.startSec >= plan.lengthSec) throw pastTheEnd(file, plan.lengthSec);
    const lasts = plan.lengthSec?.toFixed(2);
    // The container's length may be its sound's: 3 s of picture under 10 s of sound "lasts 10 s".
    if (lasts !== undefined && plan.lengthSetByOthers === true) {
      throw new ChromaseedError('ERR_INPUT', `${file}: no frame comes out of the part asked for with --start: the picture may end before it (the file lasts ${lasts} s, which its sound or subtitles may set); ask for an earlier --start or a longer part`);
    }
    // With no length stated (a raw stream, a WebM written as it was recorded), the start may be past the end.
    if (lasts === undefined) throw new ChromaseedError('ERR_INPUT', `${file}: no frame comes out of the part asked for with --start: the video may end before it (the file states no length); ask for an earlier --start or a longer part`);
    // An MP4's length may count from 0 rather than from its first frame (wholeReadSec): said both ways.
    const fromFirst = plan.wholeReadSec !== undefined && plan.wholeReadSec < plan.lengthSec! ? `, or ${plan.wholeReadSec.toFixed(2)} s if the file counts that from 0, not from its first frame at ${(plan.lengthSec! - plan.wholeReadSec).toFixed(2)} s` : '';
    throw new ChromaseedError('ERR_INPUT', `${file}: no frame comes out of the part asked for with --start (the video lasts ${lasts} s${fromFirst}); ask for a longer part`);
  }
  return null; // no frame, and none to be had: the caller says the clip is empty
}

/**
 * Frames ffmpeg dropped to keep its constant output rate, from its closing statistics
 * ("... dup=0 drop=18 speed=..."). Without a rate filter of ours that rate is the one ffmpeg
 * takes from the stream's first frames, and a container that states no average rate
 * (Matroska, WebM, MPEG-TS) gives no sign that later frames come faster (a variable-rate
 * screen recording, clips of 10 and 30 fps joined): those frames are then lost.
 */
function droppedAtOutput(stderr: string): { dropped: number; repeated: number } {
  // Only ffmpeg's statistics lines: a file name or a title may say "drop=" too. "dup=":
  // frames repeated to fill a gap, which are not the file's own.
  const stats = [...stderr.matchAll(/(?:^|[\r\n])frame=\s*\d+[^\r\n]* dup=(\d+) drop=(\d+)/g)];
  const last = stats[stats.length - 1];
  return last === undefined ? { dropped: 0, repeated: 0 } : { dropped: Number(last[2]), repeated: Number(last[1]) };
}

/**
 * A few dropped frames are the rounding of a rate that only wavers (a phone's video, whose
 * frames come a little early or late): not worth a warning. More than this share of the
 * frames read is a rate that changes.
 */
const DROPPED_SHARE = 0.02;

function droppedWarning(file: string, dropped: number, total: number, delayMs: number): string {
  const fps = Number((1000 / delayMs).toFixed(2));
  return `${file}: ffmpeg left out ${dropped} of its ${total} frames: it reads the video at a constant ${fps} fps, the rate of its first frames, and later ones come faster (a variable frame rate); give --fps with the fastest rate to keep them (it repeats frames of the slower parts)`;
}

function pastTheEnd(file: string, lengthSec: number): ChromaseedError {
  return new ChromaseedError('ERR_INPUT', `${file}: --start is past the end (the video lasts ${lengthSec.toFixed(2)} s)`);
}

/** Pulls chunks from a readable one at a time without destroying it at the end (see readFrames). */
function chunkReader(stream: PassThrough): { next(): Promise<Buffer | null> } {
  const events = createWaiter();
  events.follow(stream);
  stream.on('readable', events.poke);
  return {
    async next() {
      for (;;) {
        const chunk = stream.read() as Buffer | null;
        if (chunk !== null) return chunk;
        if (events.failure) throw events.failure;
        if (events.ended) return null;
        await events.wait();
      }
    },
  };
}

/**
 * The frames a read should give, from the stated length at the rate. Where the length may
 * count from 0 rather than from the first frame (lengthMayCountFrom), the shorter reading:
 * the longer one made a 2 s MP4 starting at 3.3 s "about 133 frames", refused by --max-frames
 * 100 and shown as 50/133 at its end. The frames are counted against the limit as they come
 * too (limitFrames), and the progress bar drops a total that the frames pass.
 */
function estimateFrames(probe: VideoProbe, fps: number, startSec?: number, durationSec?: number): number | undefined {
  if (probe.durationSec === undefined && durationSec === undefined) return undefined;
  const lengthSec = probe.durationSec === undefined ? Infinity : shorterReading(probe.durationSec, probe);
  let seconds = Math.max(0, lengthSec - (startSec ?? 0));
  if (durationSec !== undefined) seconds = Math.min(seconds, durationSec);
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * fps)) : undefined;
}
