/** Decompression-bomb guards every reader applies unless told otherwise: pixels per frame canvas, and frames per clip. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MAX_FRAMES = 100_000;
