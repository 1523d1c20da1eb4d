/**
 * Frame timing shared by the GIF reader, the resampler and the video writer. Pure.
 */

/** GIF delays are whole centiseconds, and browsers slow frames shorter than 2 cs down to 10 cs. */
export const MAX_GIF_FPS = 50;

/**
 * How long a frame is on screen when played: its delay, except that a GIF delay of 0 plays
 * as 100 ms in browsers (and video has no "as fast as possible").
 */
export function playbackDelayMs(delayMs: number): number {
  return delayMs > 0 ? delayMs : 100;
}

/**
 * The constant frame rate at which every delay (whole milliseconds) lasts a whole number of
 * frames, the rate of their greatest common divisor, at most MAX_GIF_FPS: variable GIF
 * delays written to video at this rate keep their timing exactly (repeated frames cost a
 * video encoder almost nothing). 10 fps when there is no delay.
 */
export function rateForDelays(delaysMs: Iterable<number>): number {
  let divisor = 0;
  for (const d of delaysMs) divisor = gcd(divisor, Math.max(1, Math.round(playbackDelayMs(d))));
  return divisor === 0 ? 10 : Math.min(MAX_GIF_FPS, 1000 / divisor);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
