import { ffmpegSeconds } from '../clip-options.js';
import type { VideoProbe } from './video-probe.js';

/**
 * ffmpeg's filter chain for reading a video's frames as sRGB RGBA: deinterlacing, the rate
 * filter, the resize, the conversion to RGB (exact where ffmpeg's fast one is not), and HDR
 * and wide-gamut colour brought into sRGB, as a colour-managed player shows them.
 */

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
 * Names the stream leaves unknown are taken as BT.2020's, which HDR video uses; an odd-sized
 * frame is made 4:4:4 first (zscaleReady). desat=0: ffmpeg 4.1's desaturation of highlights
 * weighs the channels by the stream's matrix, and for RGB or ICtCp streams it turned every
 * pixel black.
 */
function toneMapFilters(hdr: NonNullable<VideoProbe['hdr']>, odd: boolean): string[] {
  const primaries = ZSCALE_PRIMARIES.has(hdr.primaries) ? hdr.primaries : 'bt2020';
  return [
    ...zscaleReady(odd, hdr.matrix),
    `zscale=tin=${hdr.transfer}:${zscaleSource(hdr)}:pin=${primaries}:t=linear:npl=${REFERENCE_WHITE}:p=bt709`,
    'format=gbrpf32le',
    `tonemap=tonemap=mobius:param=0.8:desat=0:peak=${(1000 / REFERENCE_WHITE).toFixed(3)}`,
    'zscale=t=bt709:m=bt709:r=full',
    // RGB already, so the conversion to RGBA after it uses no matrix.
    'format=gbrp',
  ];
}

/**
 * Standard-dynamic-range video mastered with wider primaries than sRGB's (BT.2020's, or
 * P3's: a phone's or a Mac's Display P3, cinema's DCI-P3): its colours moved to sRGB's
 * primaries, as a colour-managed player shows them; those outside sRGB are clipped. Read as
 * ffmpeg reads it alone, only its matrix was applied, and a red of (192, 48, 32) came out as
 * (159, 74, 46) from BT.2020, (177, 62, 45) from Display P3. Names the stream leaves unknown
 * are taken as BT.2020's matrix for BT.2020 (BT.709's for P3) and BT.709's transfer (the
 * curve BT.2020's SDR transfers share).
 */
function gamutFilters(wide: NonNullable<VideoProbe['wideGamut']>, odd: boolean): string[] {
  const transfer = ZSCALE_SDR_TRANSFERS.has(wide.transfer) ? wide.transfer : 'bt709';
  return [
    ...zscaleReady(odd, wide.matrix),
    `zscale=tin=${transfer}:${zscaleSource(wide, wide.primaries === 'bt2020' ? 'bt2020nc' : 'bt709')}:pin=${wide.primaries}:t=${transfer}:m=bt709:p=bt709:r=full`,
    // RGB already, so the conversion to RGBA after it uses no matrix.
    'format=gbrp',
  ];
}

/** zscale's options for the stream's matrix (`unnamed` when it names none, BT.2020's by default) and range. */
function zscaleSource(colours: { matrix: string; range: string }, unnamed = 'bt2020nc'): string {
  const matrix = ZSCALE_MATRICES.has(colours.matrix) ? colours.matrix : unnamed;
  return `min=${matrix}:rin=${colours.range === 'pc' ? 'full' : 'limited'}`;
}

/**
 * zimg takes no 4:2:0 or 4:2:2 frame of an odd size: such frames are made 4:4:4 first. RGB
 * (matrix `gbr`) is made 16-bit RGB instead: as YUV, zimg refused its RGB matrix ("YUV color
 * family cannot have RGB matrix coefficients").
 */
function zscaleReady(odd: boolean, matrix: string): string[] {
  return odd ? [matrix === 'gbr' ? 'format=gbrp16le' : 'format=yuv444p16le'] : [];
}

/** HDR's reference white in cd/m², which becomes linear 1.0 (ITU-R BT.2408). */
const REFERENCE_WHITE = 203;

/** The matrix and primaries names ffmpeg prints that zscale also accepts. */
const ZSCALE_MATRICES = new Set(['bt709', 'bt470bg', 'smpte170m', 'bt2020nc', 'bt2020c', 'ictcp', 'gbr']);
const ZSCALE_PRIMARIES = new Set(['bt709', 'bt470m', 'bt470bg', 'smpte170m', 'smpte240m', 'bt2020', 'smpte431', 'smpte432']);
/** The SDR transfer names ffmpeg prints that zscale also accepts (iec61966-2-1: sRGB's curve). */
const ZSCALE_SDR_TRANSFERS = new Set(['bt709', 'smpte170m', 'bt2020-10', 'bt2020-12', 'iec61966-2-1']);

/** The filters that turn frames as ffmpeg's auto-rotation does, for when it is turned off. */
const TURN = { 90: 'transpose=clock', 180: 'hflip,vflip', 270: 'transpose=cclock' } as const;

/** How a video's frames are made: their size and rate, and what the read must report. */
interface FrameShape {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** --start: the rate filter is anchored there (see readCommand, video-in.ts). */
  readonly startSec: number | undefined;
  /** Frames are made at `fps` by the rate filter (not by their own times). */
  readonly rateFilter: boolean;
  /** Each frame's time is reported (showinfo), for a read by the frames' own times. */
  readonly showInfo: boolean;
}

/**
 * ffmpeg's filter chain, in order, from the stored frames to RGBA frames of the shape
 * given, and whether it turns a rotated video upright itself (ffmpeg must then not).
 */
export function videoFilters(probe: VideoProbe, { width, height, fps, startSec, rateFilter, showInfo }: FrameShape): { filters: string[]; turnHere: boolean } {
  const filters: string[] = [];
  // First, before the rate filter repeats or drops frames and before the scaler mixes the
  // two fields' rows: interlaced frames would otherwise show every moving edge combed. One
  // frame out per frame in, at the stored rate; frames not flagged interlaced (progressive
  // parts of a mixed broadcast) pass untouched. Before ffmpeg turns a rotated video upright,
  // too, while the fields are still rows: that turn is then made here, after it. bwdif
  // takes frames of 3 rows and columns or more.
  const deinterlace = probe.interlaced === true && Math.min(probe.width, probe.height) >= 3;
  const turnHere = deinterlace && probe.rotation !== undefined;
  if (deinterlace) filters.push('bwdif=mode=send_frame:deint=interlaced', ...(turnHere ? [TURN[probe.rotation!]] : []));
  // With --start, the rate filter is anchored at the start time (see readCommand, video-in.ts): its ticks
  // fall there and every 1/fps after, each taking the frame the filter rounds to it. A raw
  // stream (VideoProbe.rawStream), which ffmpeg cannot seek in or shift, keeps its frames'
  // times, made up at its rate: the filter is anchored at the start time itself, and drops
  // the frames before it.
  if (startSec !== undefined) filters.push(`fps=${fps}:start_time=${probe.rawStream === true ? ffmpegSeconds(startSec) : 0}`);
  else if (rateFilter) filters.push(`fps=${fps}`);
  // Planes 0, 1, 2 taken as G, B, R. After the rate filter: before it, ffmpeg 4.1 lost the
  // last frame at EOF (15 frames at --fps 10 came out 14).
  if (probe.gbrPlanes !== undefined) filters.push(`mergeplanes=0x000102:${probe.gbrPlanes}`);
  // The bundled ffmpeg 4.1's scaler reads planar RGB of more than 8 bits up to 2 levels off,
  // into RGBA and into smaller frames alike (a grey of 128 read as (129, 128, 130)); turned
  // into 16-bit packed RGB first, every value comes through exactly. (10-bit RGB with alpha
  // is not taken: that scaler reads it wrongly into every format.)
  const zscaled = probe.alpha !== true && (probe.hdr !== undefined || probe.wideGamut !== undefined);
  if (probe.deepRgb === true && !zscaled) filters.push(probe.alpha === true ? 'format=rgba64le' : 'format=rgb48le');
  // Converted to RGBA without a resize, 8-bit greys were taken as full range whatever their
  // stream states (a limited range's black of 16 stayed 16), though deeper greys and YUV are
  // expanded: as YUV, they are too.
  if (probe.limitedGrey === true) filters.push('format=yuv444p');
  // Area averaging when shrinking: colour statistics (what k-means sees) stay those of the source.
  const resized = width !== probe.width || height !== probe.height;
  if (resized) filters.push(`scale=${width}:${height}:flags=${width < probe.width ? 'area' : 'bicubic'}${EXACT_RGB}`);
  // Last, so that this scaler is the one that converts to RGBA; HDR and wide-gamut frames are
  // converted into RGB by zscale instead, with their own matrix (BT.2020's when unnamed).
  // Exact only after a resize (--width, which as a rule makes frames smaller) and for frames
  // of more than 8 bits: at the full size it costs what EXACT_RGB says, and ffmpeg's fast
  // conversion keeps 8-bit greys exact (other colours within 3 levels), not deeper frames'
  // (a 10-bit grey of 128 read as (128, 126, 128), ProRes's 224 as 223).
  const namesMatrix = probe.guessBt709 === true && !zscaled;
  const exactHere = probe.deepYuv === true && !zscaled && !resized;
  if (namesMatrix || exactHere) filters.push(`scale=${namesMatrix ? 'in_color_matrix=bt709:' : ''}flags=bicubic${resized || exactHere ? EXACT_RGB : ''}`);
  // After the resize, which is then made on the stored values (a fraction of the float work).
  // Not for a stream with alpha: the tone map's formats have no alpha channel.
  const odd = width % 2 === 1 || height % 2 === 1;
  if (zscaled) filters.push(...(probe.hdr !== undefined ? toneMapFilters(probe.hdr, odd) : gamutFilters(probe.wideGamut!, odd)));
  // Last, so that it reports the frames as they come out, one line each, with its time.
  if (showInfo) filters.push(SHOWINFO);
  return { filters, turnHere };
}

/** showinfo without its checksums of every frame's pixels, which nothing here reads. */
const SHOWINFO = 'showinfo=checksum=0';

/** showinfo's own lines, one or more a frame: not kept with the rest of ffmpeg's stderr (see watch, ffmpeg-run.ts). */
export const SHOWINFO_LINE = /^\[Parsed_showinfo_\d+ @ /;

/**
 * Flags for a scaler of ours that may make the conversion to RGBA: with half-resolution
 * chroma taken as it is and fast rounding, a flat grey (128, 128, 128) of an SD video
 * resized came out as (128, 126, 129) and (126, 126, 126), a black-and-white film tinted
 * magenta; with these, exactly as computed from the stored YUV values. On a small frame that
 * costs little (chaplin.mp4 at --width 320: 0.928 -> 0.943 s), at full HD size a lot (the
 * untagged 1280x720 big_buck_bunny_0_30.webm: 38.6 -> 63.9 s for the whole command).
 */
const EXACT_RGB = '+accurate_rnd+full_chroma_int';
