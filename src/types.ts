/** Shared data types. Pixels are non-premultiplied 8-bit sRGB RGBA, row-major. */

/** One full-canvas frame: `data.length === width * height * 4`. Alpha 0 = transparent. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A frame of an animation, with how long it stays on screen. */
export interface TimedFrame extends Frame {
  /** Display time in milliseconds (GIF delays are centiseconds × 10, kept exactly). */
  readonly delayMs: number;
  /**
   * Where this frame can differ from the frame its source gave just before it: outside this
   * box the two are the same bytes (an empty box: nowhere). A GIF's decoder knows it from
   * the frame's rectangle and the one the frame before disposed of, so the pipeline looks
   * for the changed pixels only there. Absent: anywhere (a first frame, video, retimed or
   * resized frames).
   */
  readonly changedWithin?: ChangedBox;
}

/** What is known about a clip before its frames are read. */
export interface ClipInfo {
  readonly width: number;
  readonly height: number;
  /** NETSCAPE loop count: 0 = forever; undefined = no loop extension (play once). */
  readonly loopCount?: number;
  /** Frame count when known up front (GIF: exact; video: estimate or undefined). */
  readonly frameCount?: number;
  /**
   * True when `frameCount` may count frames that are not there: a video with other streams
   * (sound, subtitles), whose count comes from its container's length, which any of them may
   * set (one frame of picture over 2 s of sound counts 50).
   */
  readonly frameCountUncertain?: boolean;
  /**
   * Frames per second, when known: a video's own rate; for a GIF, the rate at which every
   * delay lasts a whole number of frames (what video output is written at).
   */
  readonly fps?: number;
  /** The source's sound, when it has some (a video's audio stream): what a video output carries over. */
  readonly sound?: SoundSource;
  /**
   * True when frames after the first may have transparent pixels even if the first has
   * none: a GIF or animated WebP frame whose disposal clears what the next does not cover,
   * or an animated PNG or a video stream stored with an alpha channel. A WebM output then
   * keeps transparency from the start.
   */
  readonly mayTurnTransparent?: boolean;
  /**
   * True for frames decoded from a video stream: sensor noise and compression change nearly
   * every pixel of every frame, so each output frame is a whole-frame encode (a GIF's frames
   * mostly repeat the last one). The GIF writer's choice of an encoder thread reads it.
   */
  readonly changesEveryFrame?: boolean;
  /**
   * True when the delays are a GIF's as written (or cut from them by --start/--duration): a
   * frame of 1 cs plays as 10 cs, as one of 0 cs does (browsers and ffmpeg's GIF reader show
   * them so), and a video written from them times it so; a GIF output keeps the 1 cs. Not
   * set on frames resampled by --fps, whose delays are the times they play.
   */
  readonly gifDelays?: boolean;
}

/** Where a clip's sound is: its file, and the part of it the frames were read from. */
export interface SoundSource {
  readonly file: string;
  /** False when ffmpeg has no decoder for it (an unknown codec): a video output is then picture only, with a warning. */
  readonly decodable: boolean;
  readonly startSec?: number;
  readonly durationSec?: number;
  /** The sound is read beside the file's picture, to keep its place in time (VideoProbe.streamsShiftAlone). */
  readonly withPicture?: boolean;
}

/** A clip whose frames are produced one at a time, so long videos are never held whole. */
export interface FrameSource {
  readonly info: ClipInfo;
  /**
   * Each frame in its own buffer, left as it is until the frame after it has been read: the
   * pipeline compares a frame with the one before. (A source that redraws one buffer in
   * place is not refused, but the still-pixel levers then see no pixel change.)
   */
  readonly frames: AsyncIterable<TimedFrame>;
  /**
   * Takes back a frame its reader no longer looks at, so that a later frame can be put
   * into its buffer (a GIF's, a video's): fresh memory costs a page fault per 4 KiB on first touch.
   * quantizeClip calls it for the frame before the one it has just handed out, clipPalette
   * for each frame once it has counted its colours.
   */
  release?(frame: Frame): void;
  /** Damage tolerated while reading (a truncated GIF, say), one line each; grows as frames are read. */
  readonly warnings?: readonly string[];
}

export type ColorSpace = 'rgb' | 'lab' | 'oklab';
export type Metric = 'euclidean' | 'manhattan';
export type InitMethod = 'kmeans++' | 'farthest' | 'random';

/** A frame after quantization: one palette index per pixel, ready for an encoder. */
export interface IndexedFrame {
  readonly width: number;
  readonly height: number;
  /** Palette index per pixel (`width * height`); meaningless where `transparent[i]` is 1. */
  readonly indices: Uint8Array;
  /** `size` opaque colours as sRGB byte triples: `palette.length >= size * 3`. Size 0: no pixel is opaque. */
  readonly palette: Uint8Array;
  readonly size: number;
  /** 1 where the pixel is transparent, or null when the frame has no transparent pixel. */
  readonly transparent: Uint8Array | null;
  /** Display time in milliseconds. */
  readonly delayMs: number;
}

/**
 * The smallest rectangle holding every pixel that differs from the frame before, columns
 * x0 to x1 and rows y0 to y1 (ends excluded). Outside it the frame is the frame before,
 * byte for byte, which lets later stages redo only this part: a GIF that redraws a small
 * rectangle of its canvas per frame (a cinemagraph, a screen recording) leaves the rest.
 */
export interface ChangedBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Where a frame differs from the one before it: a ChangedBox (null: nowhere) in its rows of `width` pixels. */
export interface FrameDifference {
  readonly changed: ChangedBox | null;
  /** The frame's width in pixels. */
  readonly width: number;
}
