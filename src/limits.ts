/* Defaults shared by modules that should not load each other (the command line's start-up loads options.ts, not the k-means engine). */

/** Decompression-bomb guards every reader applies unless told otherwise: pixels per frame canvas, and frames per clip. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MAX_FRAMES = 100_000;
/** k-means initialisations tried when the options give none, below LARGE_K colours: scikit-learn's n_init. */
export const DEFAULT_RESTARTS = 10;
/**
 * From this many colours on the default is LARGE_K_RESTARTS. With many clusters one start's
 * local optimum is about as good as another's, while each start costs k-means++ and a
 * Lloyd run at that k. Measured 2026-12-06, 3 starts against 10 at k = 128 and 256: photos'
 * palettes within 0.7% of the inertia in 2–38% less time (kodim03, astronaut, coffee;
 * harvesters.jpeg at k = 256: 1.75 -> 1.09 s, the same palette); animations within 0.1 dB
 * (realshort.mp4, test.webm, chaplin.mp4, the benchmark's 320x240 clips, six GIFs;
 * animated_gif.gif -0.09 dB at 128), the five videos timed at k = 256 in 3–11% less time.
 * Below, fewer starts cost more: that GIF 0.25 dB at k = 96, hand_anim.gif 0.3 dB at
 * k = 32 with one start.
 */
export const LARGE_K = 128;
/** The restarts k-means makes when none are given from LARGE_K colours on. */
export const LARGE_K_RESTARTS = 3;

/**
 * The length a reused buffer grows to when it must hold `needed` items and holds `held`: at
 * least half again as many, so that a clip whose frames need a little more each time does
 * not make a new buffer for every frame.
 */
export function grownLength(held: number, needed: number): number {
  return Math.max(needed, Math.ceil(held * 1.5));
}

/** The restarts k-means makes at palette size `k` when none are given. */
export function defaultRestarts(k: number): number {
  return k >= LARGE_K ? LARGE_K_RESTARTS : DEFAULT_RESTARTS;
}

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
