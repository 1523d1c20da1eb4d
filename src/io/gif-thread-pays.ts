// Whether a GIF's frames are encoded on a thread of their own: asked by the encoder as it
// opens (gif-thread.ts), and by the command line as the process starts, before it has loaded
// (early-gif-thread.ts), so this module imports nothing.

/** Frames smaller than this are encoded in-thread: starting a worker would cost more than it saves. */
const WORKER_MIN_PIXELS = 64 * 1024;
/**
 * Nor does a worker pay on a clip with fewer pixels than this in all (size × frames): its
 * start takes tens of milliseconds of the second core, more than the encoding it would take
 * off this thread. Measured first (best of 7, alternating, before the command line had its
 * code cache): chi.gif (2.4 M) 0.36 -> 0.34 s and 0.32 -> 0.31 s in-thread, animated-loop-3
 * (1.1 M) 0.33 -> 0.28 s, partial_gif_decode (1.6 M) 0.42 -> 0.40 s; cars.gif (3.6 M) is
 * even, earth.gif (7.0 M) 0.49 -> 0.55 s and bounce.gif (22 M) 0.78 -> 0.85 s lose
 * in-thread. With the code cache, the main thread reaches its frames sooner and the balance
 * moved (medians of 16 alternated runs, in-thread -> worker): partial_gif_decode 788 ->
 * 723 ms, animated-loop-3 588 -> 575 ms, chi.gif 675 -> 680 ms (even).
 */
const WORKER_MIN_CLIP_PIXELS = 1_000_000;

/**
 * Whether encoding a clip of `frameCount` frames of `pixels` on a thread of its own pays
 * (see openGifEncoder). Video frames (`changesEveryFrame`) need no length: nearly every
 * pixel changes, so every frame is a whole-frame LZW encode, and the thread pays from a
 * few frames on. Measured on realshort.mp4 (320x240, best of 9, alternating, on an idle
 * machine): 36 frames (2.8 M pixels) 0.97 -> 0.89 s on the thread; its first 3, 8 and 15
 * frames even (0.39, 0.47, 0.60 s either way).
 */
export function threadPays(pixels: number, frameCount: number | undefined, changesEveryFrame: boolean): boolean {
  // A count of 0 is an estimate (a --duration shorter than a frame), and gives one frame.
  const several = frameCount === undefined || frameCount > 1;
  const clipPixels = frameCount === undefined ? Infinity : pixels * frameCount;
  return pixels >= WORKER_MIN_PIXELS && several && (changesEveryFrame || clipPixels >= WORKER_MIN_CLIP_PIXELS);
}
