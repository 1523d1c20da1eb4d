/**
 * The chunk structure of an animated PNG, read before any pixel is decoded: the image
 * header, the palette and transparency chunks every frame shares, the animation control,
 * and each frame's control chunk (fcTL) with where its compressed data is, which is read
 * frame by frame when decoded. Lenient as viewers are: a file cut short keeps the chunks
 * before the cut. Pure: no node: imports.
 */

import type { CanvasRect } from './canvas-draw.js';

/** IHDR, with what the frames' pixels need from PLTE and tRNS. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16 (checked against the colour type by pngHeaderProblem). */
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA. */
  readonly colourType: number;
  readonly interlaced: boolean;
  /** PLTE's RGB triples, or empty. */
  readonly palette: Uint8Array;
  /** tRNS as stored: alpha per palette entry, or the one grey or RGB sample that is clear (16 bits each). */
  readonly transparency: Uint8Array | null;
}

/** Where a piece of a file is: its first byte and its length. */
export interface FileSpan {
  readonly at: number;
  readonly length: number;
}

/** A piece of a frame's compressed data, and the whole chunk it is in (whose checksum covers it). */
export interface DataSpan extends FileSpan {
  readonly chunk: FileSpan;
}

/** One frame: its control chunk's fields, then where its compressed data is in the file. */
export interface ApngFrame extends CanvasRect {
  readonly delayMs: number;
  /** 0 none (left as drawn), 1 to the background (cleared), 2 to the previous canvas. */
  readonly dispose: number;
  /** 0 source (replaces the canvas's pixels), 1 over (alpha-blended). */
  readonly blend: number;
  /** Its IDAT or fdAT data (fdAT's sequence number left out), in order: one zlib stream. */
  readonly data: DataSpan[];
  /** True when its data is the image data (IDAT), which must fill the image (see frameProblem). Set as the chunks are read. */
  imageData: boolean;
}

export interface ApngStructure {
  readonly header: PngHeader;
  readonly frames: ApngFrame[];
  /** acTL's num_plays (0 = forever) and num_frames; null when the file has no acTL. */
  readonly animation: { readonly plays: number; readonly frames: number } | null;
  /** The length of an acTL too short to read (8 bytes): a damaged one, where `animation` is null. */
  readonly shortAnimationChunk?: number;
  /** The colour profile chunk (iCCP), whole as stored (length, type, data, checksum), or null. */
  readonly profile: Uint8Array | null;
  /** False when the file ends before its end chunk (IEND): cut short, or damaged (`damage`). */
  readonly complete: boolean;
  /**
   * Why the chunks stopped being read before the end, when they were damaged rather than cut
   * short: a checksum that does not match, a sequence number out of order, a frame control
   * chunk too short. The frames after it are left out (APNG: "decoders should discard all
   * subsequent frames"), and the one it belongs to when its data is left incomplete.
   */
  readonly damage?: string;
  /** Damaged chunks left out (a colour profile, a transparency chunk), each said as a phrase. */
  readonly ignored: readonly string[];
}

/** One whole chunk of a PNG file: its type, where its data is, and the data itself for the chunks in CHUNKS_READ. */
export interface PngChunk extends FileSpan {
  readonly type: string;
  /** The chunk's data, for the types in CHUNKS_READ; the whole chunk, as stored, for iCCP. */
  readonly data?: Uint8Array;
  /** For the types in CHUNKS_READ: true when the chunk does not match its checksum. */
  readonly corrupt?: boolean;
  /** An fdAT's sequence number (the first 4 bytes of its data). */
  readonly sequence?: number;
}

/** The chunks whose data the structure needs: all small but the profile. Image data is only located. */
export const CHUNKS_READ: ReadonlySet<string> = new Set(['IHDR', 'PLTE', 'tRNS', 'iCCP', 'acTL', 'fcTL']);

/** The big-endian 32-bit number at `at`, as PNG stores lengths, sizes and checksums. */
export function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/**
 * The structure of an animated PNG from its whole chunks, in order, up to its end chunk
 * (`complete`) or a cut. Image data (IDAT) belongs to the animation only when a frame
 * control chunk comes before it; otherwise it is a default image that viewers without
 * animation show, and is left out, as browsers do.
 */
export function apngStructure(chunks: Iterable<PngChunk>, complete: boolean): ApngStructure {
  let header: PngHeader = { width: 0, height: 0, bitDepth: 8, colourType: 6, interlaced: false, palette: new Uint8Array(0), transparency: null };
  const frames: ApngFrame[] = [];
  let animation: ApngStructure['animation'] = null;
  let shortAnimationChunk: number | undefined;
  let headerRead = false;
  let profile: Uint8Array | null = null;
  let damage: string | undefined;
  // fcTL and fdAT chunks are numbered from 0, in order, with no gaps or repeats.
  let nextSequence = 0;
  const ignored: string[] = [];
  for (const { type, at, length, data = new Uint8Array(0), corrupt, sequence: fdatSequence } of chunks) {
    const where = `its ${type} chunk at byte ${at - 8}`;
    // A damaged colour profile or transparency chunk is left out, as libpng and libspng
    // leave out a damaged ancillary chunk (a still PNG's is, through sharp).
    if (corrupt === true && (type === 'iCCP' || type === 'tRNS')) {
      ignored.push(`${where} does not match its checksum: left out`);
      continue;
    }
    const sequence = type === 'fcTL' && length >= 4 ? u32(data, 0) : type === 'fdAT' ? fdatSequence : undefined;
    if (corrupt === true) damage = `${where} does not match its checksum`;
    else if (sequence !== undefined && sequence !== nextSequence) damage = `${where} is numbered ${sequence} where ${nextSequence} comes next: chunks are missing, repeated or out of order`;
    else if (type === 'fcTL' && length < 26) damage = `${where} is ${length} bytes long, not 26`;
    // The chunk is not taken: a frame whose data it was to end is found short when checked.
    if (damage !== undefined) return { header, frames, animation, profile, complete: false, damage, ignored, ...(shortAnimationChunk !== undefined ? { shortAnimationChunk } : {}) };
    if (sequence !== undefined) nextSequence++;
    // The first header only: PNG has one, first, and a second (libpng refuses the file) would
    // resize a canvas whose frames were all made for the first.
    if (type === 'IHDR' && length >= 13 && !headerRead) {
      headerRead = true;
      header = { ...header, width: u32(data, 0), height: u32(data, 4), bitDepth: data[8], colourType: data[9], interlaced: data[12] === 1 };
    } else if (type === 'PLTE') {
      header = { ...header, palette: data };
    } else if (type === 'tRNS') {
      header = { ...header, transparency: data };
    } else if (type === 'iCCP') {
      profile = data;
    } else if (type === 'acTL') {
      if (length >= 8) animation = { frames: u32(data, 0), plays: u32(data, 4) };
      else shortAnimationChunk = length;
    } else if (type === 'fcTL') {
      // A denominator of 0 means hundredths of a second (APNG specification).
      const delayMs = (u16(data, 20) * 1000) / (u16(data, 22) || 100);
      frames.push({ width: u32(data, 4), height: u32(data, 8), x: u32(data, 12), y: u32(data, 16), delayMs, dispose: data[24], blend: data[25], data: [], imageData: false });
    } else if (type === 'IDAT' && frames.length > 0) {
      const frame = frames[frames.length - 1];
      frame.imageData = true;
      frame.data.push({ at, length, chunk: { at: at - 8, length: length + 12 } });
    } else if (type === 'fdAT' && frames.length > 0 && length >= 4) {
      frames[frames.length - 1].data.push({ at: at + 4, length: length - 4, chunk: { at: at - 8, length: length + 12 } });
    }
  }
  return { header, frames, animation, profile, complete, ignored, ...(shortAnimationChunk !== undefined ? { shortAnimationChunk } : {}) };
}

/** What is wrong with a header, for a message; null when its frames can be decoded. */
export function pngHeaderProblem({ width, height, bitDepth, colourType, palette }: PngHeader): string | null {
  if (width === 0 || height === 0) return 'its image header is missing or gives a size of zero';
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!(depths[colourType] ?? []).includes(bitDepth)) return `its image header gives colour type ${colourType} with ${bitDepth} bits per sample, which PNG does not have`;
  if (colourType === 3 && palette.length < 3) return 'its frames are palette images, but it has no palette';
  if (palette.length % 3 !== 0) return `its palette has ${palette.length} bytes, not 3 for each colour`;
  return null;
}

/** What is wrong with a frame's control chunk, for a message; null when it can be drawn. */
export function frameProblem(frame: ApngFrame, header: PngHeader): string | null {
  if (frame.width === 0 || frame.height === 0) return 'it has a size of zero';
  // APNG: the image data's frame "must have the same dimensions as the image" and sit at 0,0 (browsers refuse the file otherwise).
  if (frame.imageData && (frame.x !== 0 || frame.y !== 0 || frame.width !== header.width || frame.height !== header.height)) {
    return `its control chunk gives it a ${frame.width}x${frame.height} rectangle at ${frame.x},${frame.y}, but its data is the image data (IDAT), whose frame must fill the ${header.width}x${header.height} image`;
  }
  if (frame.x + frame.width > header.width || frame.y + frame.height > header.height) {
    return `its ${frame.width}x${frame.height} rectangle at ${frame.x},${frame.y} does not fit the ${header.width}x${header.height} canvas`;
  }
  if (frame.dispose > 2) return `its disposal, ${frame.dispose}, is not one the format has`;
  if (frame.blend > 1) return `its blending, ${frame.blend}, is not one the format has`;
  if (frame.data.length === 0) return 'it has no image data';
  return null;
}
