import type { ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ChromaseedError } from '../errors.js';
import { ffmpegSeconds, scaledHeight, validateClipOptions, type ClipOptions } from '../clip-options.js';
import { binaryAlpha } from '../pixel-words.js';
import { SHORTEST_CUT_MS } from '../timing.js';
import type { ClipInfo, FrameSource, TimedFrame } from '../types.js';
import { everyFrameOptions, ffmpegCommand, ffmpegLocation, lastMeaningfulLine } from './ffmpeg-path.js';
import { trackChild } from './leftovers.js';

/** How ffmpeg is to read a file (see openVideo). */
export interface VideoRead {
  readonly demuxer?: string;
  readonly asStored?: boolean;
}

/** What the probe learned about the first video stream, after ffmpeg's auto-rotation. */
export interface VideoProbe {
  /** ffmpeg reads the file by its image demuxer, told to take its name (which has a %) as it is. */
  readonly literalName?: boolean;
  readonly width: number;
  readonly height: number;
  /**
   * Sample aspect ratio: how much wider a stored pixel is shown than it is tall (1 for
   * square pixels; 32/27 for widescreen NTSC DVD, whose 720x480 frames show as 16:9).
   */
  readonly sampleAspect: number;
  /**
   * Frames per second to read at: ffmpeg's own output rate for this input, unless
   * `rateFilter` says it must be asked for another.
   */
  readonly fps: number;
  /** Container duration in seconds, when the container states one. */
  readonly durationSec?: number;
  /** The duration is ffmpeg's guess from the bit rate (raw MPEG streams, say), not stated. */
  readonly durationGuessed?: boolean;
  /** True when `fps` is not the rate ffmpeg would pick itself, so a rate filter must ask for it. */
  readonly rateFilter?: boolean;
  /**
   * The decoder to ask for, when ffmpeg's own would lose something: its VP8 and VP9
   * decoders ignore the alpha channel of a WebM with transparency; libvpx's keep it.
   */
  readonly decoder?: string;
  /** ffmpeg's first report of damage it read past while probing (a file cut short, say). */
  readonly damage?: string;
  /** True when the frames may be partly transparent (the stream's pixel format or metadata has alpha). */
  readonly alpha?: boolean;
  /** The file's first audio stream: 'none' when there is one but ffmpeg has no decoder for it. */
  readonly sound?: 'yes' | 'none';
  /** True when the file has streams besides its video (sound, subtitles, a cover), any of which may set its length. */
  readonly otherStreams?: boolean;
  /**
   * True when the frames are YUV, name no colour matrix, and are stored at an HD size: read
   * with BT.709's matrix, as players read them (see `parseProbe`).
   */
  readonly guessBt709?: boolean;
  /**
   * The colours of a high-dynamic-range stream (transfer PQ or HLG), as its stream line
   * names them: read through a tone map to SDR (see toneMapFilters).
   */
  readonly hdr?: { transfer: 'smpte2084' | 'arib-std-b67'; matrix: string; primaries: string; range: string };
  /**
   * True when the stream states a field order (DV, broadcast, DVD) or its first frame is
   * flagged interlaced: read through a deinterlacer (see openVideo).
   */
  readonly interlaced?: boolean;
  /** How far ffmpeg turns the frames upright, clockwise, when it is a quarter turn or a half (from the stream's display matrix). */
  readonly rotation?: 90 | 180 | 270;
}

/**
 * HDR to SDR, with HDR's reference white (ITU-R BT.2408: 203 cd/m², a PQ signal of 58% or
 * HLG's 75%) as the top of the SDR range. Colours are moved from BT.2020's primaries to
 * sRGB's (BT.709's) in linear light; up to 0.8 of that white they are kept as they are, and
 * above it everything up to 1000 cd/m² (HLG's nominal peak, and what most PQ video is
 * mastered to) is rolled off into what is left (tonemap's mobius curve) instead of clipped:
 * reference white comes out at 244 of 255, 300 cd/m² at 251, 700 and more at 255.
 *
 * Read as ffmpeg reads it alone, an HDR video came out dim and grey. On test clips made from
 * an SDR clip with its white placed there (test/fixtures/hdr/), the frames differ from the
 * SDR clip's by 3.2 levels per channel on average (PQ; 3.0 HLG), against 46 (PQ) and 25
 * (HLG) read without this; mobius's default knee (0.3) gave 12.9, and hable's curve 47.
 *
 * Names the stream leaves unknown are taken as BT.2020's, which HDR video uses. zimg takes
 * no 4:2:0 or 4:2:2 frame of an odd size, so such frames are made 4:4:4 first (`odd`).
 * desat=0: ffmpeg 4.1's desaturation of highlights weighs the channels by the stream's
 * matrix, and for RGB or ICtCp streams it turned every pixel black.
 */
function toneMapFilters(hdr: NonNullable<VideoProbe['hdr']>, odd: boolean): string[] {
  const matrix = ZSCALE_MATRICES.has(hdr.matrix) ? hdr.matrix : 'bt2020nc';
  const primaries = ZSCALE_PRIMARIES.has(hdr.primaries) ? hdr.primaries : 'bt2020';
  const range = hdr.range === 'pc' ? 'full' : 'limited';
  return [
    ...(odd ? ['format=yuv444p16le'] : []),
    `zscale=tin=${hdr.transfer}:min=${matrix}:pin=${primaries}:rin=${range}:t=linear:npl=${REFERENCE_WHITE}:p=bt709`,
    'format=gbrpf32le',
    `tonemap=tonemap=mobius:param=0.8:desat=0:peak=${(1000 / REFERENCE_WHITE).toFixed(3)}`,
    'zscale=t=bt709:m=bt709:r=full',
    // RGB already, so the conversion to RGBA after it uses no matrix.
    'format=gbrp',
  ];
}

/** HDR's reference white in cd/m², which becomes linear 1.0 (ITU-R BT.2408). */
const REFERENCE_WHITE = 203;

/** The matrix and primaries names ffmpeg prints that zscale also accepts. */
const ZSCALE_MATRICES = new Set(['bt709', 'bt470bg', 'smpte170m', 'bt2020nc', 'bt2020c', 'ictcp', 'gbr']);
const ZSCALE_PRIMARIES = new Set(['bt709', 'bt470m', 'bt470bg', 'smpte170m', 'smpte240m', 'bt2020']);

/** The filters that turn frames as ffmpeg's auto-rotation does, for when it is turned off. */
const TURN = { 90: 'transpose=clock', 180: 'hflip,vflip', 270: 'transpose=cclock' } as const;

/**
 * What ffmpeg prints when it reads past damage and carries on, exiting 0 with the frames
 * it could decode: a cut-short Matroska file ("Read error") or MP4 ("partial file", also
 * when the cut falls between packets), corrupt packets, broken
 * H.264 slices. Decoding is not stopped for these; the user is told the output may lack
 * frames or show artefacts.
 */
const DAMAGE = /\] (Read error|stream \d+, offset 0x[0-9a-f]+: partial file|Truncating packet|Packet corrupt|corrupt (input|decoded frame)|error while decoding|Invalid NAL unit size|concealing \d+ DC, \d+ AC, \d+ MV errors)/i;

/** What ffmpeg prints when the disk is full (or the file too large for it). */
export const DISK_FULL = /No space left on device|Disk quota exceeded|File too large/;

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
 * memory stays at a few frames however long the video is. Breaking out of the loop (or an
 * error) kills ffmpeg and waits for it to exit. `read.demuxer` names ffmpeg's input format
 * when its guess from the file's first bytes would be wrong. `read.asStored` gives each
 * decoded frame once, at its stored size: no resampling to a constant rate, no stretching
 * of non-square pixels, frames that cannot be decoded skipped, and frames carry the nominal
 * rate's delay (for a caller that knows the frames and their delays: an animated PNG).
 */
export async function openVideo(file: string, options: ClipOptions = {}, read: VideoRead = {}): Promise<FrameSource> {
  const { demuxer, asStored = false } = read;
  const opts = validateClipOptions(options);
  try {
    await access(file);
  } catch {
    throw new ChromaseedError('ERR_INPUT', `${file}: no such file (looked in ${path.dirname(path.resolve(file))})`);
  }
  const probe = await probeVideo(file, demuxer);
  // Said now, not once the frames are read: a command may do long work before that (a
  // transfer counts its source's colours first).
  if (opts.startSec !== undefined && probe.durationSec !== undefined && probe.durationGuessed !== true && opts.startSec >= probe.durationSec) throw pastTheEnd(file, probe.durationSec);
  // Frames are made the size a player shows them, with square pixels: an anamorphic video's
  // wide pixels stretch its width, tall ones (a rotated anamorphic video) its height.
  const aspect = asStored ? 1 : probe.sampleAspect;
  const shownWidth = Math.max(1, Math.round(probe.width * Math.max(1, aspect)));
  const shownHeight = Math.max(1, Math.round(probe.height * Math.max(1, 1 / aspect)));
  let width = shownWidth;
  let height = shownHeight;
  if (opts.width !== undefined) {
    width = opts.width;
    height = scaledHeight(opts.width, shownWidth, shownHeight);
  }
  const capped = opts.fps === undefined && opts.maxFps !== undefined && probe.fps > opts.maxFps;
  const fps = opts.fps ?? (capped ? opts.maxFps! : probe.fps);
  // loopCount 0: a GIF made from a video loops forever, as ffmpeg's own GIF output does.
  const info: ClipInfo = {
    width, height, fps, loopCount: 0, changesEveryFrame: true,
    frameCount: estimateFrames(probe, fps, opts.startSec, opts.durationSec),
    ...(probe.otherStreams === true ? { frameCountUncertain: true } : {}),
    ...(probe.alpha === true ? { mayTurnTransparent: true } : {}),
    ...(probe.sound !== undefined ? { sound: { file, startSec: opts.startSec, durationSec: opts.durationSec, decodable: probe.sound === 'yes' } } : {}),
  };
  const delayMs = 1000 / fps;
  const filters: string[] = [];
  // First, before the rate filter repeats or drops frames and before the scaler mixes the
  // two fields' rows: interlaced frames would otherwise show every moving edge combed. One
  // frame out per frame in, at the stored rate; frames not flagged interlaced (progressive
  // parts of a mixed broadcast) pass untouched. Before ffmpeg turns a rotated video upright,
  // too, while the fields are still rows: that turn is then made here, after it. bwdif
  // takes frames of 3 rows and columns or more.
  const deinterlace = !asStored && probe.interlaced === true && Math.min(probe.width, probe.height) >= 3;
  const turnHere = deinterlace && probe.rotation !== undefined;
  if (deinterlace) filters.push('bwdif=mode=send_frame:deint=interlaced', ...(turnHere ? [TURN[probe.rotation!]] : []));
  // With --start, the rate filter is anchored at the start time (see readFrames): its ticks
  // fall there and every 1/fps after, each taking the frame the filter rounds to it.
  const anchored = !asStored && opts.startSec !== undefined;
  if (anchored) filters.push(`fps=${fps}:start_time=0`);
  else if (!asStored && (opts.fps !== undefined || capped || probe.rateFilter === true)) filters.push(`fps=${fps}`);
  // Area averaging when shrinking: colour statistics (what k-means sees) stay those of the source.
  const resized = width !== probe.width || height !== probe.height;
  if (resized) filters.push(`scale=${width}:${height}:flags=${width < probe.width ? 'area' : 'bicubic'}${EXACT_RGB}`);
  // Last, so that this scaler is the one that converts to RGBA (HDR names its matrix: never both).
  // Exact only after a resize (--width, which as a rule makes frames smaller): at the full
  // size it costs what EXACT_RGB says, and the conversion is ffmpeg's fast one, as for every
  // other video.
  if (probe.guessBt709 === true) filters.push(`scale=in_color_matrix=bt709:flags=bicubic${resized ? EXACT_RGB : ''}`);
  // After the resize, which is then made on the stored values (a fraction of the float work).
  // Not for a stream with alpha: the tone map's formats have no alpha channel.
  if (probe.hdr !== undefined && probe.alpha !== true) filters.push(...toneMapFilters(probe.hdr, width % 2 === 1 || height % 2 === 1));

  // Filled as damage shows up: at the probe, or while the frames are read.
  const warnings: string[] = probe.damage === undefined ? [] : [damageWarning(file, probe.damage)];
  const frames: AsyncIterable<TimedFrame> = {
    [Symbol.asyncIterator]: () => readFrames(file, { width, height, delayMs, filters, noAutorotate: turnHere, startSec: opts.startSec, anchored, durationSec: opts.durationSec, lengthSec: probe.durationSec, lengthSetByOthers: probe.otherStreams === true, decoder: probe.decoder, demuxer, literalName: probe.literalName, everyFrame: asStored, rateAsked: opts.fps, alpha: asStored || probe.alpha === true }, warnings),
  };
  return { info, frames, warnings };
}

/**
 * Flags for a scaler of ours that may make the conversion to RGBA: with half-resolution
 * chroma taken as it is and fast rounding, a flat grey (128, 128, 128) of an SD video
 * resized came out as (128, 126, 129) and (126, 126, 126), a black-and-white film tinted
 * magenta; with these, exactly as computed from the stored YUV values. On a small frame that
 * costs little (chaplin.mp4 at --width 320: 0.928 -> 0.943 s), at full HD size a lot (the
 * untagged 1280x720 big_buck_bunny_0_30.webm: 38.6 -> 63.9 s for the whole command).
 */
const EXACT_RGB = '+accurate_rnd+full_chroma_int';

interface ReadPlan {
  width: number;
  height: number;
  delayMs: number;
  filters: string[];
  /** The filters turn the frames upright themselves (after deinterlacing), so ffmpeg must not. */
  noAutorotate?: boolean;
  startSec?: number;
  /** The rate filter is anchored at startSec and picks from the frames decoded before it too. */
  anchored: boolean;
  durationSec?: number;
  /** The container's duration in seconds, when it states one (for the message when --start is past it). */
  lengthSec?: number;
  /** The file has streams besides the video (sound, subtitles), which may make it longer than its picture. */
  lengthSetByOthers?: boolean;
  decoder?: string;
  demuxer?: string;
  /** See VideoProbe.literalName. */
  literalName?: boolean;
  everyFrame: boolean;
  /** The rate given with --fps, if any. */
  rateAsked?: number;
  /** Read the first frame only. */
  firstOnly?: boolean;
  /** The rate filter passes the last frame on at the end even when no tick falls in it. */
  passLast?: boolean;
  /** The frames may be partly transparent. */
  alpha: boolean;
}

const isRateFilter = (filter: string): boolean => filter.startsWith('fps=');

/**
 * How far before --start decoding begins: ffmpeg's seek in MPEG-TS lands on the key frame
 * after the point asked for, which is then still before the start for key frames up to this
 * far apart. Costs this much more decoding than a seek straight to the start.
 */
const SEEK_PREROLL_SEC = 5;

async function* readFrames(file: string, plan: ReadPlan, warnings: string[]): AsyncGenerator<TimedFrame> {
  const frameBytes = plan.width * plan.height * 4;
  // autoDestroy off: fluent-ffmpeg kills ffmpeg 20 ms after its output stream closes, which
  // could cut off a run that is still exiting; the stream is destroyed only once ffmpeg is done.
  const out = new PassThrough({ highWaterMark: frameBytes, autoDestroy: false });
  const command = readCommand(file, plan).output(out, { end: true });
  const run = watch(command);
  command.run();
  try {
    // With --duration each frame is held back until the next one arrives, so that the last
    // can be cut to the part's end: at a constant rate the part is whole frames (0.5 fps,
    // 3 s asked: two frames, 4 s), and a GIF, whose delays are its own, can play it exactly.
    const trimLast = plan.durationSec !== undefined && !plan.everyFrame;
    let held: TimedFrame | null = null;
    let count = 0;
    for await (const frame of framesOf(chunkReader(out), plan)) {
      count++;
      if (!trimLast) yield frame;
      else {
        if (held !== null) yield held;
        held = frame;
      }
    }
    const result = await run.done;
    if (result.error) throw ffmpegFailure(file, result.error, result.stderr);
    const dropped = droppedAtOutput(result.stderr);
    if (dropped > Math.max(2, DROPPED_SHARE * count) && !plan.everyFrame && !plan.filters.some(isRateFilter)) warnings.push(droppedWarning(file, dropped, count, plan.delayMs));
    if (held !== null) {
      // What is left of the part for the last frame. Under half a frame it is left out, as a
      // constant-rate video rounding to the nearest frame would; otherwise it is shown at
      // least 2 cs, since a browser shows a shorter GIF frame for 10.
      const left = plan.durationSec! * 1000 - (count - 1) * plan.delayMs;
      if (left >= plan.delayMs) yield held;
      else if (left >= plan.delayMs / 2 || count === 1) yield { ...held, delayMs: Math.max(left, SHORTEST_CUT_MS) };
    }
    if (result.damage !== null && warnings.length === 0) warnings.push(damageWarning(file, result.damage));
    const again = count === 0 ? planWhenNothingCame(file, plan) : null;
    if (again !== null) yield* readFrames(file, again, warnings);
  } finally {
    if (!run.exited()) {
      run.kill();
    }
    await run.exit;
    out.destroy();
  }
}

/** The ffmpeg command that decodes `plan`'s frames as raw RGBA; its output is set by the caller. */
function readCommand(file: string, plan: ReadPlan): ReturnType<typeof ffmpegCommand> {
  const command = ffmpegCommand(file);
  if (plan.demuxer !== undefined) command.inputFormat(plan.demuxer);
  if (plan.literalName === true) command.inputOptions(LITERAL_NAME);
  if (plan.decoder !== undefined) command.inputOptions(['-c:v', plan.decoder]);
  if (plan.noAutorotate === true) command.inputOptions(['-noautorotate']);
  if (plan.anchored) {
    // ffmpeg's own seek does not do here: its accurate seek drops every frame that starts
    // before the start time, the one on screen there included, and its constant-rate output
    // then shows the next frame early (0.5 fps, --start 3: the frame from 4 s at 3 s; nothing
    // at all past the last frame's start), and in MPEG-TS it lands on the key frame after the
    // time asked for. So decoding starts at the key frame before a point a few seconds
    // earlier, with every frame kept and timestamps counted from the start time, where the
    // rate filter is anchored (openVideo).
    const start = plan.startSec!;
    const seek = Math.max(0, start - SEEK_PREROLL_SEC);
    command.inputOptions(['-itsoffset', ffmpegSeconds(seek - start), ...(seek > 0 ? ['-noaccurate_seek', '-ss', ffmpegSeconds(seek)] : [])]);
  } else if (plan.startSec !== undefined) {
    command.inputOptions(['-ss', ffmpegSeconds(plan.startSec)]); // before -i: fast, and frame-accurate
  }
  const outputOptions = ['-map', '0:V:0', '-an', '-sn', '-dn', '-pix_fmt', 'rgba'];
  if (plan.everyFrame) outputOptions.push(...everyFrameOptions());
  if (plan.firstOnly === true) outputOptions.push('-frames:v', '1');
  if (plan.durationSec !== undefined) outputOptions.push('-t', ffmpegSeconds(plan.durationSec));
  const filters = plan.passLast === true ? plan.filters.map((f) => (isRateFilter(f) ? `${f}:eof_action=pass` : f)) : plan.filters;
  if (filters.length > 0) outputOptions.push('-vf', filters.join(','));
  return command.outputOptions(outputOptions).format('rawvideo');
}

/** ffmpeg's raw output cut into frames of `plan`'s size, each in a buffer of its own. */
async function* framesOf(reader: ReturnType<typeof chunkReader>, plan: ReadPlan): AsyncGenerator<TimedFrame> {
  const frameBytes = plan.width * plan.height * 4;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(frameBytes - filled, chunk.length - at);
      frame.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === frameBytes) {
        // Partial alpha (a WebM or PNG with transparency) is cut at half, as for every input.
        if (plan.alpha) binaryAlpha(frame);
        // A new buffer per frame (not per pixel): the consumer may keep frames, e.g. to hold one back.
        yield { width: plan.width, height: plan.height, data: frame, delayMs: plan.delayMs };
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  }
}

/**
 * A read that gave no frame: the plan to read again with, where a frame is there to be had,
 * or the error that says why there is none (null: neither).
 */
function planWhenNothingCame(file: string, plan: ReadPlan): ReadPlan | null {
  if (plan.anchored && plan.passLast !== true && !(plan.startSec! >= (plan.lengthSec ?? Infinity))) {
    // A start time inside the last frame, after its first tick: the rate filter does not
    // know how long that frame lasts, so it gives nothing unless told to pass it on.
    return { ...plan, passLast: true };
  }
  if (plan.startSec === undefined && plan.rateAsked === undefined && plan.filters.some(isRateFilter)) {
    // A clip shorter than half a tick of the rate it is read at (5 ms at 1000 fps, read at
    // a GIF's 50) has no frame on screen at any tick of ffmpeg's rate filter: its first
    // frame is read instead, for one tick.
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
    const length = lasts === undefined ? '' : ` (the video lasts ${lasts} s)`;
    throw new ChromaseedError('ERR_INPUT', `${file}: no frame comes out of the part asked for with --start${length}; ask for a longer part`);
  }
  if (plan.rateAsked !== undefined) {
    // ffmpeg's rate filter keeps a frame only if it is on screen at a tick: a clip of one short frame may have none.
    const length = plan.lengthSec === undefined ? 'too short' : `${plan.lengthSec.toFixed(2)} s long`;
    throw new ChromaseedError('ERR_INPUT', `${file}: no frame comes out at --fps ${plan.rateAsked}: the video is ${length}, under one frame at that rate; drop --fps or give a higher rate`);
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
function droppedAtOutput(stderr: string): number {
  // Only ffmpeg's statistics lines: a file name or a title may say "drop=" too.
  const stats = [...stderr.matchAll(/(?:^|[\r\n])frame=\s*\d+[^\r\n]* drop=(\d+)/g)];
  return stats.length === 0 ? 0 : Number(stats[stats.length - 1][1]);
}

/**
 * A few dropped frames are the rounding of a rate that only wavers (a phone's video, whose
 * frames come a little early or late): not worth a warning. More than this share of the
 * frames read is a rate that changes.
 */
const DROPPED_SHARE = 0.02;

function droppedWarning(file: string, dropped: number, kept: number, delayMs: number): string {
  const fps = Number((1000 / delayMs).toFixed(2));
  return `${file}: ffmpeg left out ${dropped} of its ${dropped + kept} frames: it reads the video at a constant ${fps} fps, the rate of its first frames, and later ones come faster (a variable frame rate); give --fps with the fastest rate to keep them (it repeats frames of the slower parts)`;
}

function pastTheEnd(file: string, lengthSec: number): ChromaseedError {
  return new ChromaseedError('ERR_INPUT', `${file}: --start is past the end (the video lasts ${lengthSec.toFixed(2)} s)`);
}

/** Pulls chunks from a readable one at a time without destroying it at the end (see readFrames). */
function chunkReader(stream: PassThrough): { next(): Promise<Buffer | null> } {
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('readable', poke);
  stream.on('end', () => {
    ended = true;
    poke();
  });
  stream.on('error', (err) => {
    failure = err;
    poke();
  });
  return {
    async next() {
      for (;;) {
        const chunk = stream.read() as Buffer | null;
        if (chunk !== null) return chunk;
        if (failure) throw failure;
        if (ended) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

interface RunWatch {
  /**
   * Settles once, with fluent-ffmpeg's error (if any), ffmpeg's stderr (its first 16 KB and
   * last 8 KB; on an error, fluent-ffmpeg's last 100 lines) and the
   * first line in which ffmpeg reported damage it read past. Never rejects.
   */
  done: Promise<{ error: Error | null; stderr: string; damage: string | null }>;
  /** Resolves when the ffmpeg child has exited (or never started). */
  exit: Promise<void>;
  exited(): boolean;
  kill(): void;
}

/** How much of ffmpeg's stderr a run keeps: its first and its last characters. */
const STDERR_HEAD_CHARS = 16_384;
const STDERR_TAIL_CHARS = 8192;

/**
 * Runs `command` with `outputOptions`, decoding to ffmpeg's null output (a probe or a check
 * that reads what ffmpeg prints), and settles once ffmpeg has exited, as `watch` reports it.
 */
export async function decodeToNothing(command: ReturnType<typeof ffmpegCommand>, outputOptions: string[]): ReturnType<typeof watch>['done'] {
  command.outputOptions(outputOptions).format('null').output('-');
  const run = watch(command);
  command.run();
  const result = await run.done;
  await run.exit;
  return result;
}

/** Attaches the listeners a run needs before it starts, so no event or rejection is lost. */
export function watch(command: ReturnType<typeof ffmpegCommand>): RunWatch {
  let proc: ChildProcess | undefined;
  let started = false;
  let hasExited = false;
  let resolveExit!: () => void;
  const exit = new Promise<void>((resolve) => (resolveExit = resolve));
  let killRequested = false;
  // The first lines of stderr (the stream report the probe reads) and the last ones (the
  // error): bounded for long runs, and a decoder that logs a line per pixel (ffmpeg 4.1's
  // APNG palette blending) cannot push the stream report out.
  let stderrHead = '';
  let stderrTail = '';
  const stderrText = () => stderrHead + stderrTail;
  let damage: string | null = null;
  const done = new Promise<{ error: Error | null; stderr: string; damage: string | null }>((resolve) => {
    command.on('start', () => {
      started = true;
      proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (proc) trackChild(proc);
      // A kill asked for before the child existed (the consumer stopped at once) happens now.
      if (killRequested) proc?.kill('SIGKILL');
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
        hasExited = true;
        resolveExit();
      } else {
        proc.once('exit', () => {
          hasExited = true;
          resolveExit();
        });
      }
    });
    command.on('stderr', (line: string) => {
      if (stderrHead.length < STDERR_HEAD_CHARS) stderrHead += line + '\n';
      else stderrTail = (stderrTail + line + '\n').slice(-STDERR_TAIL_CHARS);
      if (damage === null && DAMAGE.test(line)) damage = lastMeaningfulLine(line);
    });
    command.on('end', () => resolve({ error: null, stderr: stderrText(), damage }));
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (!started || !proc || proc.pid === undefined) {
        // Spawning failed (or fluent-ffmpeg refused the arguments): there is no child to wait for.
        hasExited = true;
        resolveExit();
      }
      resolve({ error, stderr: stderr || stderrText(), damage });
    });
  });
  return {
    done,
    exit,
    exited: () => hasExited,
    kill: () => {
      killRequested = true;
      if (proc && !hasExited) proc.kill('SIGKILL');
    },
  };
}

/** One line naming the file and ffmpeg's own explanation; unreadable input is the user's to fix. */
export function ffmpegFailure(file: string, error: Error, stderr: string): ChromaseedError {
  const spawnCode = (error as NodeJS.ErrnoException).code;
  // A binary that cannot be started fails at spawn, or (not executable, wrong platform) exits
  // with 126 or 127 before printing anything.
  const notRun = /exited with code 12[67]\b/.test(error.message) && stderr.trim() === '';
  if (notRun || (/spawn|ENOENT|EACCES/.test(error.message) && !/ffmpeg exited/.test(error.message))) {
    const where = ffmpegLocation();
    return new ChromaseedError(
      'ERR_FFMPEG',
      `${file}: cannot run ffmpeg at ${where.path} (${where.source}${spawnCode ? `, ${spawnCode}` : ''}); set FFMPEG_PATH to an ffmpeg binary`,
      { cause: error },
    );
  }
  // Killed from outside (the kernel's out-of-memory killer, say): its last line is whatever it printed before.
  const signal = /killed with signal (\w+)/.exec(error.message)?.[1];
  const why = signal === 'SIGKILL' ? ' (out of memory?)' : signal === 'SIGXFSZ' ? ' (the file grew past the size limit, ulimit -f)' : '';
  if (signal !== undefined) return new ChromaseedError('ERR_FFMPEG', `${file}: ffmpeg was stopped by ${signal}${why}`, { cause: error });
  // An MP4 whose index was never written (or any file named .mp4 that is not one): ffmpeg's
  // last line is only "Invalid data found".
  if (/moov atom not found/.test(stderr)) return new ChromaseedError('ERR_INPUT', `${file}: not a complete MP4 (no moov atom): cut short, still being written, or not an MP4 at all`, { cause: error });
  // ffmpeg starts many lines with the input's name (given as file:NAME when it looks like a
  // protocol); it is already at the start of the message.
  const unnamed = (line: string): string => {
    for (const named of [`${file}: `, `file:${file}: `]) if (line.startsWith(named)) return line.slice(named.length);
    return line;
  };
  // Nothing was decoded: ffmpeg's last lines are about its empty output. The error above
  // them, if any, is the cause (a decoding error, a feature ffmpeg lacks); if none, the file
  // ended before a whole frame.
  const noFrame = /Cannot determine format of input stream \S+ after EOF|Output file is empty, nothing was encoded/.exec(stderr);
  if (noFrame !== null) {
    const before = stderr.slice(0, noFrame.index).split(/\r?\n/).reverse();
    const cause = before.find((line) => /invalid|error|not (yet )?implemented|unsupported|corrupt/i.test(line) && !/^Press \[q\]/.test(line));
    const line = cause === undefined ? '' : unnamed(lastMeaningfulLine(cause));
    const damaged = 'the file is cut short or damaged before its first frame';
    const why = line === '' ? damaged : /Read error|Invalid data|Error while decoding|corrupt|truncat/i.test(line) ? `${damaged} (${line})` : line;
    return new ChromaseedError('ERR_INPUT', `${file}: ffmpeg decoded no frame: ${why}`, { cause: error });
  }
  // A file of sound only: ffmpeg's last line would advise editing the map. A picture attached
  // to the sound (an album cover) is a video stream of one frame that `0:V` leaves out.
  if (/Stream map '0:V:0' matches no streams/.test(stderr)) {
    const cover = /^\s*Stream #\d+:\d+.*: Video: /m.test(stderr) ? ', only a picture attached to its sound (a cover); extract that with ffmpeg to use it' : '';
    return new ChromaseedError('ERR_INPUT', `${file}: has no video stream${cover}`, { cause: error });
  }
  // A full disk, or a failed last write, is reported mid-run; the encoder's closing statistics
  // follow and would hide it.
  const full = DISK_FULL.exec(stderr);
  const trailer = /Error writing trailer of .*?: (.*)/.exec(stderr);
  const line = unnamed(full !== null ? full[0].toLowerCase() : trailer !== null ? `writing the end of the file failed: ${trailer[1]}` : lastMeaningfulLine(stderr));
  // A file ffmpeg recognises no format in (it got no further than its name): said as such,
  // not as a failure of ffmpeg's.
  if (/^Invalid data found when processing input$/.test(line) && !/^Input #\d+, /m.test(stderr)) {
    return new ChromaseedError('ERR_INPUT', `${file}: not a video or an image that ffmpeg can read (ffmpeg: ${line})`, { cause: error });
  }
  const inputProblem = /Invalid data found|No such file|matches no streams|does not contain any stream|Permission denied|moov atom not found|could not find codec|Error while decoding|EOF/i;
  const code = inputProblem.test(line) ? 'ERR_INPUT' : 'ERR_FFMPEG';
  return new ChromaseedError(code, `${file}: ffmpeg failed: ${line}`, { cause: error });
}

/** Runs ffmpeg on the first frame only and reads sizes and rates from what it prints. */
export async function probeVideo(file: string, demuxer?: string): Promise<VideoProbe> {
  // A picture read by ffmpeg's image demuxer (BMP, TGA, PPM...) whose name has a % would be
  // taken for a numbered sequence (x%d.bmp read x1.bmp, x2.bmp...): the name is read as it
  // is, where that demuxer is the one chosen (any other refuses the option).
  if (demuxer === undefined && file.includes('%')) {
    const literal = await probeWith(file, undefined, LITERAL_NAME).catch((err: unknown) => {
      if (err instanceof ChromaseedError && /pattern_type/.test(err.message)) return null;
      throw err;
    });
    if (literal !== null) return { ...literal, literalName: true };
  }
  return probeWith(file, demuxer, []);
}

/** ffmpeg's input option that reads an image file's name as it is, never as a numbered sequence. */
const LITERAL_NAME = ['-pattern_type', 'none'];

async function probeWith(file: string, demuxer: string | undefined, inputOptions: string[]): Promise<VideoProbe> {
  const command = ffmpegCommand(file);
  if (demuxer !== undefined) command.inputFormat(demuxer);
  if (inputOptions.length > 0) command.inputOptions(inputOptions);
  // 0:V, not 0:v: the first video stream that is not a picture attached to the sound.
  // showinfo reports whether that first frame is interlaced.
  const { error, stderr, damage } = await decodeToNothing(command, ['-map', '0:V:0', '-frames:v', '1', '-vf', 'showinfo']);
  if (error) throw ffmpegFailure(file, error, stderr);
  // ffmpeg draws a file named .txt, .nfo, .bin (and a few more) as text art on a 640x400
  // console: any text or binary file with such a name would "work", as a picture of itself.
  if (TEXT_ART.test(stderr)) throw new ChromaseedError('ERR_INPUT', `${file}: a text or binary file, not a video or an image (ffmpeg would only draw it as text)`);
  const probe = parseProbe(stderr);
  if (!probe) throw new ChromaseedError('ERR_INPUT', `${file}: ffmpeg found no video stream it could decode`);
  return { ...probe, damage: damage ?? undefined };
}

/** ffmpeg's demuxers for text art (ANSI, BinText, XBin, ArtWorx, iCE Draw), chosen by file name. */
const TEXT_ART = /^Input #0, (tty|bin|xbin|adf|idf), from /m;

/**
 * Parses ffmpeg's stream report. The output stream line of the probe run is preferred: it
 * shows the size after auto-rotation and the rate ffmpeg will actually produce (the input
 * line's "fps" can be an average such as 30.30 where ffmpeg outputs 30).
 */
export function parseProbe(stderr: string): VideoProbe | null {
  const lines = stderr.split(/\r?\n/);
  let inOutput = false;
  let input: { w: number; h: number; sar: number; fps?: number; tbr?: number } | null = null;
  let output: { w: number; h: number; sar: number; fps?: number } | null = null;
  let durationSec: number | undefined;
  let codec: string | undefined; // of the first input video stream
  let alpha = false; // its pixel format or its metadata says it has an alpha channel
  let sound: VideoProbe['sound']; // the input's first audio stream
  let guessBt709 = false; // its frames name no colour matrix and are HD
  let hdr: VideoProbe['hdr']; // its frames' colours, when their transfer is PQ or HLG
  // "yuv420p(tv, top first)" on the stream line, or "i:T" / "i:B" in showinfo's report of the first frame.
  let interlaced = /\] n:\s*0 .* i:[TB] /m.test(stderr);
  let rotation: VideoProbe['rotation']; // of the first video stream
  let inputStreams = 0;
  let inFirstVideo = false;
  for (const line of lines) {
    if (/^Output #\d+/.test(line)) inOutput = true;
    // A stream's own line ("Stream #0:1(eng): Audio: aac ..."), not the mapping's ("Stream #0:0 -> #0:0 (h264 ...").
    if (/^\s*Stream #\d+:\d+[^ ]*: /.test(line)) {
      inFirstVideo = false;
      if (!inOutput) inputStreams++;
    }
    if (inFirstVideo && /^\s*alpha_mode\s*:\s*1\s*$/.test(line)) alpha = true;
    // "displaymatrix: rotation of -90.00 degrees": ffmpeg turns the picture by minus that (here a quarter turn clockwise).
    const matrix = inFirstVideo && !inOutput ? /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line) : null;
    if (matrix !== null) {
      const turn = (((-Math.round(Number(matrix[1]))) % 360) + 360) % 360;
      if (turn === 90 || turn === 180 || turn === 270) rotation = turn;
    }
    const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
    if (dur && !inOutput) durationSec = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]);
    const audio = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(line);
    if (!inOutput && audio !== null) sound ??= audio[1] === 'none' ? 'none' : 'yes';
    const video = /Stream #\d+:\d+.*?: Video: (.*)$/.exec(line);
    if (!video) continue;
    const details = video[1];
    const size = /[ ,](\d{1,5})x(\d{1,5})(?=[ ,[]|$)/.exec(details);
    if (!size) continue;
    // "[SAR 32:27 DAR 16:9]"; 0:1 (unknown) and a missing one mean square pixels.
    const sar = /\[SAR (\d+):(\d+) /.exec(details);
    const aspect = sar && Number(sar[1]) > 0 && Number(sar[2]) > 0 ? Number(sar[1]) / Number(sar[2]) : 1;
    const parsed = { w: Number(size[1]), h: Number(size[2]), sar: aspect, fps: rate(details, 'fps'), tbr: rate(details, 'tbr') };
    if (inOutput) output ??= parsed;
    else if (input === null) {
      input = parsed;
      codec = /^(\w+)/.exec(details)?.[1];
      // "h264 (High), yuv420p(tv, ...), ...": the pixel format says whether there is alpha.
      const format = /^[^,]*, (\w+)(?:\(([^)]*)\))?/.exec(details);
      if (ALPHA_FORMATS.test(format?.[1] ?? '')) alpha = true;
      // "(tv, bt709)" or "(tv, bt470bg/bt470bg/smpte170m)" name the matrix first; "unknown/bt709/bt709" does not.
      const matrixUnnamed = /^(yuv|nv|p0|p2|ayuv|vuya|uyv|yuyv)/.test(format?.[1] ?? '') && !/(^|, )(bt709|bt470bg|smpte170m|smpte240m|bt2020nc|bt2020c|fcc|ycgco|bt470m|chroma-derived)/.test(format?.[2] ?? '');
      // Frames that name no matrix are read as players read them: BT.709 at HD sizes (mpv's
      // rule, on the size as stored, before rotation: 1280 wide or more, or over 576 high),
      // which are BT.709 by the HD standards, BT.601 below. ffmpeg alone takes BT.601 for
      // every size, which turned an untagged HD red of (192, 48, 32) into (177, 30, 32),
      // where a player shows (189, 44, 30).
      guessBt709 = matrixUnnamed && (parsed.w >= 1280 || parsed.h > 576);
      if (/\b(top|bottom) (coded )?first\b/.test(format?.[2] ?? '')) interlaced = true;
      // "(tv, bt2020nc/bt2020/smpte2084, progressive)": range (when known), matrix, primaries, transfer.
      const colours = /^(?:(tv|pc), )?([\w-]+)\/([\w-]+)\/(smpte2084|arib-std-b67)\b/.exec(format?.[2] ?? '');
      if (colours !== null) hdr = { range: colours[1] ?? 'tv', matrix: colours[2], primaries: colours[3], transfer: colours[4] as 'smpte2084' | 'arib-std-b67' };
      inFirstVideo = true;
    }
  }
  const best = output ?? input;
  if (!best || best.w < 1 || best.h < 1) return null;
  const raw = output?.fps ?? input?.tbr ?? input?.fps ?? 25;
  // A variable-rate video that starts slower than it goes on (10 fps, then 30): ffmpeg would
  // read it at the first part's rate, dropping two frames in three of the rest. When that
  // rate is clearly below the average, it is read at the stream's finest rate (tbr) instead.
  const slowStart = output?.fps !== undefined && input?.fps !== undefined && input.tbr !== undefined && output.fps < 0.9 * input.fps && input.tbr > output.fps;
  // ffmpeg's VP8 and VP9 decoders report yuv420p for a stream whose alpha is in side data.
  const decoder = alpha && codec === 'vp9' ? 'libvpx-vp9' : alpha && codec === 'vp8' ? 'libvpx' : undefined;
  return {
    width: best.w,
    height: best.h,
    sampleAspect: best.sar,
    fps: snapNtsc(slowStart ? input!.tbr! : raw),
    durationSec,
    ...(/Estimating duration from bitrate/.test(stderr) ? { durationGuessed: true } : {}),
    ...(slowStart ? { rateFilter: true } : {}),
    ...(decoder ? { decoder } : {}),
    ...(sound ? { sound } : {}),
    ...(alpha ? { alpha } : {}),
    ...(guessBt709 ? { guessBt709 } : {}),
    ...(hdr !== undefined ? { hdr } : {}),
    ...(interlaced ? { interlaced } : {}),
    ...(rotation !== undefined ? { rotation } : {}),
    ...(inputStreams > 1 ? { otherStreams: true } : {}),
  };
}

/** Pixel formats with an alpha channel (pal8: a palette, as in GIF and PNG, may have transparent entries). */
const ALPHA_FORMATS = /^(yuva|gbrap|ya(8|16)|rgba|bgra|argb|abgr|pal8|vuya|ayuv|uyva)/;

function rate(details: string, unit: 'fps' | 'tbr'): number | undefined {
  const m = new RegExp(`(\\d+(?:\\.\\d+)?)(k?) ${unit}`).exec(details);
  if (!m) return undefined;
  const value = Number(m[1]) * (m[2] === 'k' ? 1000 : 1);
  return value > 0 && Number.isFinite(value) ? value : undefined;
}

/** ffmpeg prints rates to two decimals; 29.97 and friends are really n*1000/1001. */
function snapNtsc(fps: number): number {
  const base = Math.round(fps * 1.001);
  if ([24, 30, 48, 60, 120].includes(base) && Math.abs(fps - (base * 1000) / 1001) < 0.006) return (base * 1000) / 1001;
  return fps;
}

function estimateFrames(probe: VideoProbe, fps: number, startSec?: number, durationSec?: number): number | undefined {
  if (probe.durationSec === undefined && durationSec === undefined) return undefined;
  let seconds = Math.max(0, (probe.durationSec ?? Infinity) - (startSec ?? 0));
  if (durationSec !== undefined) seconds = Math.min(seconds, durationSec);
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * fps)) : undefined;
}
