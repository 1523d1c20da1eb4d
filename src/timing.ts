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
  let first: number | undefined;
  let uniform = true;
  for (const d of delaysMs) {
    const shown = playbackDelayMs(d);
    first ??= shown;
    uniform &&= shown === first;
    divisor = gcd(divisor, Math.max(1, Math.round(shown)));
  }
  if (first === undefined) return 10;
  // One delay throughout, such as an animated PNG's 1/30 s, which whole milliseconds cannot
  // express (33 ms would make 30.3 fps): its own rate.
  // Rounded to a millionth, so that 1000 / (1000 / 30) is 30, not 29.999999999999996.
  return Math.min(MAX_GIF_FPS, Math.round(1e9 / (uniform ? first : divisor)) / 1e6);
}

/**
 * A play count (APNG's and WebP's: 0 = forever) as a GIF loop count, which counts repeats
 * after the first play; one play is no loop block at all (undefined).
 */
export function loopCountForPlays(plays: number): number | undefined {
  return plays === 1 ? undefined : Math.max(0, plays - 1);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
