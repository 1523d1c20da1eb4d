/* Defaults shared by modules that should not load each other (the command line's start-up loads options.ts, not the k-means engine). */

/** Decompression-bomb guards every reader applies unless told otherwise: pixels per frame canvas, and frames per clip. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MAX_FRAMES = 100_000;
/** k-means initialisations tried when the options give none: scikit-learn's n_init. */
export const DEFAULT_RESTARTS = 10;
/** Lloyd steps at most per k-means run when the options give none: scikit-learn's max_iter (and what --stability none gives a seeded frame). */
export const DEFAULT_MAX_ITERATIONS = 300;
/**
 * The most of each the options take, the library's as the command line's: 10^5 restarts of
 * 100 pixels took 7.4 s, and 10^9 held the thread for hours.
 */
export const MAX_RESTARTS = 1000;
export const MAX_ITERATIONS = 10_000;
/**
 * For sharp reading pixels this package made or already counted against --max-pixels (raw
 * frames, their SVG labels): sharp's own guard (16383² pixels) would refuse a frame the
 * user allowed with a raised --max-pixels, as an internal error, after the whole decode.
 */
export const COUNTED_PIXELS = { limitInputPixels: false } as const;
