// What a file is, told by its first bytes. Imports nothing: the command line reads these
// before it has loaded (early-gif-thread.ts) as well as when it opens an input (open-input.ts).

/** A GIF's start: `GIF87a` or `GIF89a`. */
export const hasGifSignature = (head: Uint8Array): boolean =>
  head.length >= 6 && head[0] === 0x47 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x38 && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61;

/** A JPEG's start: SOI, then a marker. */
export const isJpeg = (head: Uint8Array): boolean => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;

/**
 * A TIFF's start: the byte order (II or MM), then 42 in it, or 43 for a BigTIFF (files
 * past 4 GiB, and what some scanners and GIS tools write), which libvips reads as well.
 */
export const isTiff = (head: Uint8Array): boolean =>
  (head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0) ||
  (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43));

/** An ISO media file's start (MP4, MOV, 3GP, AVIF, HEIF): a box size, then the file-type box. */
export const isIsoMedia = (head: Uint8Array): boolean => head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70; // "ftyp"

/**
 * A raw H.264 or HEVC stream's start (Annex B): a start code, then a NAL unit header, whose
 * first bit is always 0. MPEG program streams and MPEG-1/2 video streams also start with a
 * start code, but theirs is followed by a byte of 0xb0 or more; an MPEG-4 Part 2 or VC-1
 * stream may not be. A guess, to spare a pass such a stream never needs (see openVideo): a
 * wrong one only delays that pass until the probe has said what the file is.
 */
export const isAnnexB = (head: Uint8Array): boolean => {
  const at = head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1 ? 4 : head[0] === 0 && head[1] === 0 && head[2] === 1 ? 3 : -1;
  return at > 0 && head.length > at && head[at] < 0x80;
};

/** A PNG's start, "\x89PNG": the signature's first half, enough to tell a PNG (damaged or not) from anything else. */
export const isPng = (head: Uint8Array): boolean => head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
