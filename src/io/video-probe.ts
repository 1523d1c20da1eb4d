import { checkFrameSize } from '../clip-options.js';
import { ChromaseedError } from '../errors.js';
import { ffmpegCommand } from './ffmpeg-path.js';
import { decodeToNothing, ffmpegFailure } from './ffmpeg-run.js';

/*
 * What a video is, read from ffmpeg's report on its first frame (ffprobe is not shipped):
 * size, pixel aspect, rate, length, sound, alpha, colour matrix, HDR, interlacing, rotation.
 */

/** What the probe learned about the first video stream, after ffmpeg's auto-rotation. */
export interface VideoProbe {
  /** ffmpeg reads the file by its image demuxer, told to take its name (which has a %) as it is. */
  readonly literalName?: boolean;
  /** ffmpeg reads the file as one picture (BMP, PPM, TGA...: an image demuxer), not as a video; a file of several pictures is a video. */
  readonly picture?: boolean;
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
  /** Container duration in seconds, when the container states one: from the file's first time (see parseProbe), not from 0, but an MP4's may be (lengthMayCountFrom). */
  readonly durationSec?: number;
  /** The duration is ffmpeg's guess from the bit rate (raw MPEG streams, say), not stated. */
  readonly durationGuessed?: boolean;
  /**
   * Where the first frame is, in seconds, in an MP4 or MOV whose times start after 0: its
   * stated length (`durationSec`) may count from 0 or from that frame, as its muxer chose
   * (the movie header's duration takes in the empty edit before the frame in newer
   * ffmpeg's files, not in 4.1's, the bundled one's).
   */
  readonly lengthMayCountFrom?: number;
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
   * The planar RGB format (gbrp, gbrp10le...) of frames whose YUV-named planes hold G, B
   * and R (AV1's identity matrix, as ffmpeg 4 decodes it): taken as such before conversion,
   * or ffmpeg 4 reads a grey as magenta. ffmpeg 5 on decodes them as gbrp itself.
   */
  readonly gbrPlanes?: string;
  /** True when the frames are YUV stored with more than 8 bits a sample (10-bit HEVC, VP9 Profile 2, ProRes). */
  readonly deepYuv?: boolean;
  /**
   * True when the frames are planar RGB of more than 8 bits a sample (gbrp9le to gbrp16le,
   * gbrap12le, gbrap16le: DNxHR 444, FFV1 RGB, lossless RGB HEVC), or their G, B and R planes
   * are (`gbrPlanes`). Not gbrap10le, which ffmpeg 4.1 converts wrongly whatever the route.
   */
  readonly deepRgb?: boolean;
  /** True when the frames are 8-bit greys stated to be in limited range ("gray(tv)": 16 black, 235 white). */
  readonly limitedGrey?: boolean;
  /**
   * The colours of a high-dynamic-range stream (transfer PQ or HLG), as its stream line
   * names them: read through a tone map to SDR (see toneMapFilters in video-filters.ts).
   */
  readonly hdr?: { transfer: 'smpte2084' | 'arib-std-b67'; matrix: string; primaries: string; range: string };
  /**
   * The colours of a standard-dynamic-range stream with primaries wider than sRGB's (BT.2020's,
   * DCI-P3's or Display P3's), as its stream line names them: moved to sRGB's primaries (see
   * gamutFilters in video-filters.ts).
   */
  readonly wideGamut?: { transfer: string; matrix: string; range: string; primaries: WidePrimaries };
  /**
   * True when the stream states a field order (DV, broadcast, DVD) or its first frame is
   * flagged interlaced: read through a deinterlacer (see openVideo).
   */
  readonly interlaced?: boolean;
  /**
   * True for MPEG-TS (camcorders' .mts and .m2ts, broadcast captures): ffmpeg starts a
   * stream read alone from it at time zero, losing its offset from the other streams, so the
   * reader and the video writer also take the file's sound or picture (copied to nowhere).
   */
  readonly streamsShiftAlone?: boolean;
  /**
   * An MP4 or MOV whose average rate (its frame count over its length, which these state)
   * is its finest rate (tbr): its frames come a frame apart, as a constant-rate read shows
   * them, so their own times need not be read (see openVideo). A variable-rate one has an
   * average below its finest rate (10 and 30 fps joined: 20 and 30).
   */
  readonly steadyRate?: boolean;
  /** How far ffmpeg turns the frames upright, clockwise, when it is a quarter turn or a half (from the stream's display matrix). */
  readonly rotation?: 90 | 180 | 270;
  /**
   * True for a raw H.264 or HEVC stream (an encoder's or a camera's `.h264`, `.hevc`, no
   * container): its packets have no times but those the demuxer makes up. The bundled ffmpeg
   * 4.1's H.264 demuxer stamps the first dozen frames at its default 25 fps before the
   * stream's own rate, so a constant-rate read dropped or repeated frames there (3 of 30
   * dropped at 15 fps, 3 of 60 repeated at 30; Debian's 5.1 reads them whole), and ffmpeg's
   * seek and time offset do nothing on either: --start read the clip from its first frame.
   * Such a stream is read with the demuxer told its rate, and a part found by the times that
   * rate gives (see videoFilters). Raw MPEG-4 and MPEG-2 streams have times of their own.
   */
  readonly rawStream?: boolean;
}

/**
 * Runs ffmpeg on the first frame only and reads sizes and rates from what it prints. A
 * stream whose frames are over `maxPixels` is refused (checkFrameSize) before a frame of it
 * is decoded, ffmpeg stopped: decoding a frame of a 16000x16000 TGA (18 bytes of header)
 * took 10 s and 760 MB before the same refusal.
 */
export async function probeVideo(file: string, demuxer?: string, maxPixels?: number): Promise<VideoProbe> {
  // A picture read by ffmpeg's image demuxer (BMP, TGA, PPM...) whose name has a % would be
  // taken for a numbered sequence (x%d.bmp read x1.bmp, x2.bmp...): the name is read as it
  // is, where that demuxer is the one chosen (any other refuses the option).
  if (demuxer === undefined && file.includes('%')) {
    const literal = await probeWith(file, undefined, LITERAL_NAME, maxPixels).catch((err: unknown) => {
      if (err instanceof ChromaseedError && /pattern_type/.test(err.message)) return null;
      throw err;
    });
    if (literal !== null) return { ...literal, literalName: true };
  }
  return probeWith(file, demuxer, [], maxPixels);
}

/** ffmpeg's input option that reads an image file's name as it is, never as a numbered sequence. */
export const LITERAL_NAME = ['-pattern_type', 'none'];

/** An ffmpeg command reading `file`, by `demuxer` when given, with `inputOptions`. */
function readingCommand(file: string, demuxer: string | undefined, inputOptions: string[]): ReturnType<typeof ffmpegCommand> {
  const command = ffmpegCommand(file);
  if (demuxer !== undefined) command.inputFormat(demuxer);
  if (inputOptions.length > 0) command.inputOptions(inputOptions);
  return command;
}

/** A video stream's line of ffmpeg's stream report, and what follows "Video:" on it. */
const VIDEO_STREAM = /Stream #\d+:\d+.*?: Video: (.*)$/;
/** The frame size on that line ("1920x1080"), not a codec tag's hex (0x31637661). */
const FRAME_SIZE = /[ ,](\d{1,5})x(\d{1,5})(?=[ ,[]|$)/;

/**
 * The size the first video stream's line of ffmpeg's input report states (not a cover
 * picture's), read line by line: null until that line, and after.
 */
function statedSizeReader(): (line: string) => { width: number; height: number } | null {
  let done = false;
  return (line) => {
    if (done) return null;
    if (/^(Output #|Stream mapping:)/.test(line)) done = true;
    const video = done || / \(attached pic\)/.test(line) ? null : VIDEO_STREAM.exec(line);
    const size = video === null ? null : FRAME_SIZE.exec(video[1]);
    if (size === null) return null;
    done = true;
    return { width: Number(size[1]), height: Number(size[2]) };
  };
}

/**
 * ffmpeg's decoders test their limit on the width rounded up to their memory alignment (a
 * 1000x1000 H.264 frame is 1024x1000 to it) and take no more than 2^31 − 1: so much over the
 * limit is given to them, and the exact test is ours (checkFrameSize).
 */
const decoderPixelLimit = (maxPixels: number): number => Math.min(Math.floor(maxPixels) + 64 * 65536, 2 ** 31 - 1);

/** What a decoder prints when a picture is over its `-max_pixels`: the size it names is the aligned one. */
const DECODER_REFUSED = /Picture size (\d+)x(\d+) exceeds specified max pixel count/;

async function probeWith(file: string, demuxer: string | undefined, inputOptions: string[], maxPixels?: number): Promise<VideoProbe> {
  // The size the container states stops the run before a frame is decoded; the decoders'
  // own limit stops a picture whose size only decoding tells (a TGA's, read by the image
  // demuxer) before its buffers are made, and ffmpeg then ends by itself, having decoded
  // nothing. A refusal of another stream's picture (a cover, a second video) is not this
  // one's: it counts only when no frame of the stream read came.
  const command = readingCommand(file, demuxer, maxPixels === undefined ? inputOptions : [...inputOptions, '-max_pixels', String(decoderPixelLimit(maxPixels))]);
  const statedSize = statedSizeReader();
  let oversized: { width: number; height: number } | null = null;
  const stopAt = (line: string): boolean => {
    const size = maxPixels === undefined ? null : statedSize(line);
    if (size !== null && size.width * size.height > maxPixels!) oversized = size;
    return oversized !== null;
  };
  // 0:V, not 0:v: the first video stream that is not a picture attached to the sound.
  // showinfo reports whether that first frame is interlaced.
  // -max_error_rate 1: the first frame decoded is all the probe needs, however many before it
  // failed (an animated PNG whose first three of four frames are damaged made ffmpeg give up
  // for too many errors, and the reader's own pass, which tolerates them, never ran).
  const { error, stderr, damage } = await decodeToNothing(command, ['-map', '0:V:0', '-frames:v', '1', '-vf', 'showinfo', '-max_error_rate', '1'], stopAt);
  if (oversized !== null) checkFrameSize(file, oversized, maxPixels!);
  const refused = maxPixels === undefined ? null : DECODER_REFUSED.exec(stderr);
  if (refused !== null && (error !== null || !/\] n:\s*0 /.test(stderr))) checkFrameSize(file, { width: Number(refused[1]), height: Number(refused[2]) }, maxPixels!);
  if (error) throw ffmpegFailure(file, error, stderr);
  // ffmpeg draws a file named .txt, .nfo, .bin (and a few more) as text art on a 640x400
  // console: any text or binary file with such a name would "work", as a picture of itself.
  if (TEXT_ART.test(stderr)) throw new ChromaseedError('ERR_INPUT', `${file}: a text file, or other data, not a video or an image`);
  const probe = parseProbe(stderr);
  if (!probe) throw new ChromaseedError('ERR_INPUT', `${file}: ffmpeg found no video stream it could decode`);
  // An image demuxer reads every picture of the file: BMPs one after another are frames.
  if (probe.picture === true && (await decodedFrames(file, demuxer, inputOptions, 2)) > 1) return { ...probe, picture: undefined, damage: damage ?? undefined };
  return { ...probe, damage: damage ?? undefined };
}

/** How many frames ffmpeg decodes from `file`, counting up to `most`. */
async function decodedFrames(file: string, demuxer: string | undefined, inputOptions: string[], most: number): Promise<number> {
  const { stderr } = await decodeToNothing(readingCommand(file, demuxer, inputOptions), ['-map', '0:V:0', '-frames:v', String(most), '-vf', 'showinfo']);
  return (stderr.match(/\] n:\s*\d+ /g) ?? []).length;
}

/** ffmpeg's demuxers for text art (ANSI, BinText, XBin, ArtWorx, iCE Draw), chosen by file name. */
const TEXT_ART = /^Input #0, (tty|bin|xbin|adf|idf), from /m;

/** Primaries wider than sRGB's, as ffmpeg names them: BT.2020's, DCI-P3's (SMPTE 431) and Display P3's (SMPTE 432). */
export type WidePrimaries = 'bt2020' | 'smpte431' | 'smpte432';

function isWidePrimaries(name: string): name is WidePrimaries {
  return name === 'bt2020' || name === 'smpte431' || name === 'smpte432';
}

/**
 * Parses ffmpeg's stream report. The output stream line of the probe run is preferred: it
 * shows the size after auto-rotation and the rate ffmpeg will actually produce (the input
 * line's "fps" can be an average such as 30.30 where ffmpeg outputs 30).
 */
export function parseProbe(stderr: string): VideoProbe | null {
  const lines = stderr.split(/\r?\n/);
  // Matroska, WebM and NUT state their length from 0, not from the first frame: a whole clip
  // whose times start at 5 s (cut from a longer one) was said to be cut short. MPEG-TS and
  // FLV state it from the first frame; MP4 and MOV either way (see lengthMayCountFrom).
  const lengthFromZero = /^Input #0, (matroska,webm|nut), from /m.test(stderr);
  const lengthEitherWay = /^Input #0, mov,mp4,/m.test(stderr);
  let lengthMayCountFrom: number | undefined;
  let inOutput = false;
  let input: { w: number; h: number; sar: number; fps?: number; tbr?: number } | null = null;
  let output: { w: number; h: number; sar: number; fps?: number } | null = null;
  let durationSec: number | undefined;
  let codec: string | undefined; // of the first input video stream
  let alpha = false; // its pixel format or its metadata says it has an alpha channel
  let sound: VideoProbe['sound']; // the input's first audio stream
  let guessBt709 = false; // its frames name no colour matrix and are HD
  let deepYuv = false; // its frames are YUV of more than 8 bits
  let deepRgb = false; // its frames are planar RGB of more than 8 bits
  let limitedGrey = false; // its frames are 8-bit greys in limited range
  let gbrPlanes: string | undefined; // its planes hold G, B and R, though named YUV
  let hdr: VideoProbe['hdr']; // its frames' colours, when their transfer is PQ or HLG
  let wideGamut: VideoProbe['wideGamut']; // its frames' colours, when SDR with wide primaries
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
    // The WebM muxer writes "alpha_mode", the Matroska one "ALPHA_MODE".
    if (inFirstVideo && /^\s*alpha_mode\s*:\s*1\s*$/i.test(line)) alpha = true;
    // "displaymatrix: rotation of -90.00 degrees": ffmpeg turns the picture by minus that (here a quarter turn clockwise).
    const matrix = inFirstVideo && !inOutput ? /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line) : null;
    if (matrix !== null) {
      const turn = (((-Math.round(Number(matrix[1]))) % 360) + 360) % 360;
      if (turn === 90 || turn === 180 || turn === 270) rotation = turn;
    }
    const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
    // 0 is no length (an animated AVIF's container states it so): unknown, not over at once.
    if (dur && !inOutput) durationSec = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) || undefined;
    const start = dur && !inOutput && (lengthFromZero || lengthEitherWay) ? /, start: (\d+(?:\.\d+)?)/.exec(line) : null;
    if (durationSec !== undefined && start !== null && durationSec > Number(start[1])) {
      if (lengthFromZero) durationSec -= Number(start[1]);
      else lengthMayCountFrom = Number(start[1]);
    }
    const audio = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(line);
    if (!inOutput && audio !== null) sound ??= audio[1] === 'none' ? 'none' : 'yes';
    const video = VIDEO_STREAM.exec(line);
    if (!video) continue;
    const details = video[1];
    const size = FRAME_SIZE.exec(details);
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
      deepYuv = /^(yuv\w*p(9|1[0246])(le|be)|p01[06](le|be))$/.test(format?.[1] ?? '');
      // RGB stored in YUV's planes ("yuv444p(pc, gbr/bt709/iec61966-2-1)", as ffmpeg 4
      // reports an AV1 of matrix 0 with sRGB's primaries and curve: a lossless AVIF, or one
      // made from a GIF), which it converts as if it were YUV. ffmpeg 5 decodes just these
      // as gbrp; with other tags it reads the planes as YUV, and so is the file read here.
      if (/^yuv444p(\d+(le|be))?$/.test(format?.[1] ?? '') && /(^|, )gbr\/bt709\/iec61966-2-1(,|$)/.test(format?.[2] ?? '')) gbrPlanes = format![1].replace('yuv444p', 'gbrp');
      deepRgb = /^(gbrp(9|1[0246])|gbrap1[26])(le|be)$/.test(gbrPlanes ?? format?.[1] ?? '');
      limitedGrey = format?.[1] === 'gray' && /^tv\b/.test(format?.[2] ?? '');
      if (/\b(top|bottom) (coded )?first\b/.test(format?.[2] ?? '')) interlaced = true;
      // "(tv, bt2020nc/bt2020/smpte2084, progressive)": range (when known), matrix, primaries, transfer.
      const colours = /^(?:(tv|pc), )?([\w-]+)\/([\w-]+)\/([\w-]+)/.exec(format?.[2] ?? '');
      if (colours !== null && /^(smpte2084|arib-std-b67)$/.test(colours[4])) hdr = { range: colours[1] ?? 'tv', matrix: colours[2], primaries: colours[3], transfer: colours[4] as 'smpte2084' | 'arib-std-b67' };
      else if (colours !== null && isWidePrimaries(colours[3])) wideGamut = { range: colours[1] ?? 'tv', matrix: colours[2], transfer: colours[4], primaries: colours[3] };
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
    ...(lengthMayCountFrom !== undefined && lengthMayCountFrom > 0 ? { lengthMayCountFrom } : {}),
    ...(slowStart ? { rateFilter: true } : {}),
    ...(decoder ? { decoder } : {}),
    ...(sound ? { sound } : {}),
    ...(alpha ? { alpha } : {}),
    ...(guessBt709 ? { guessBt709 } : {}),
    ...(deepYuv ? { deepYuv } : {}),
    ...(deepRgb ? { deepRgb } : {}),
    ...(limitedGrey ? { limitedGrey } : {}),
    ...(gbrPlanes !== undefined ? { gbrPlanes } : {}),
    ...(hdr !== undefined ? { hdr } : {}),
    ...(wideGamut !== undefined ? { wideGamut } : {}),
    ...(interlaced ? { interlaced } : {}),
    ...(rotation !== undefined ? { rotation } : {}),
    ...(inputStreams > 1 ? { otherStreams: true } : {}),
    ...(/^Input #0, mpegts, from /m.test(stderr) ? { streamsShiftAlone: true } : {}),
    ...(/^Input #0, mov,mp4,/m.test(stderr) && input?.fps !== undefined && input.fps === input.tbr ? { steadyRate: true } : {}),
    ...(/^Input #0, (\w+_pipe|image2), from /m.test(stderr) ? { picture: true } : {}),
    ...(/^Input #0, (h264|hevc), from /m.test(stderr) ? { rawStream: true } : {}),
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
