/**
 * Frame timing shared by the GIF reader, the resampler and the video writer. Pure.
 */

/** GIF delays are whole centiseconds, and browsers slow frames shorter than 2 cs down to 10 cs. */
export const MAX_GIF_FPS = 50;

/**
 * The shortest a frame cut at the window's edge may be: browsers play delays under 2 cs as
 * 10 cs, so a shorter piece is left out (the window loses under 20 ms at that edge); when it
 * is the only frame, it is shown this long instead.
 */
export const SHORTEST_CUT_MS = 20;

/**
 * How long a frame is on screen when played: its delay, except that a GIF delay of 0 plays
 * as 100 ms in browsers (and video has no "as fast as possible"). `gifDelays`: the delay is
 * a GIF's as written (ClipInfo.gifDelays), whose 1 cs plays as 100 ms too (Chrome, Firefox
 * and Safari all slow it down so); a 10 ms frame of a 100 fps video or of an animated PNG is real.
 */
export function playbackDelayMs(delayMs: number, gifDelays = false): number {
  return delayMs > (gifDelays ? 10 : 0) ? delayMs : 100;
}

/**
 * A GIF's delays, in whole centiseconds, for frames of `delayMs` each in turn: the rounding
 * error is carried into the next frame, so fractional video delays (33.33 ms) keep the
 * clip's length instead of drifting. A delay longer than a GIF frame holds (655.35 s) is cut
 * (`cut`), not carried on.
 */
export function createGifDelays(): (delayMs: number) => { cs: number; cut: boolean } {
  let elapsedMs = 0;
  let writtenCs = 0;
  const maxCs = MAX_GIF_DELAY_MS / 10;
  return (delayMs) => {
    elapsedMs += delayMs;
    const owedCs = Math.round(elapsedMs / 10) - writtenCs;
    const cs = Math.min(maxCs, Math.max(0, owedCs));
    writtenCs += cs;
    const cut = owedCs > maxCs;
    if (cut) elapsedMs = writtenCs * 10;
    return { cs, cut };
  };
}

/**
 * The constant frame rate at which every delay lasts a whole number of frames, at most
 * `maxFps`: variable delays written to video at this rate keep their timing exactly
 * (repeated frames cost a video encoder almost nothing). For whole milliseconds (GIF, WebP)
 * it is the rate of their greatest common divisor; for fractions of a millisecond (an APNG's
 * 1/30 s) the shortest delay's rate times the smallest whole number that fits the others
 * (1/30 and 2/30 s: 30 fps). When no rate up to the cap fits, each frame starts on the
 * nearest tick of MAX_GIF_FPS, or of the shortest delay's rate when that is faster (so that
 * no frame is dropped), at most `maxFps`. 10 fps when there is no delay. `maxFps`: the cap,
 * MAX_GIF_FPS unless the delays come from a format whose frames play faster (an animated
 * WebP or PNG). `gifDelays`: see playbackDelayMs.
 */
export function rateForDelays(delaysMs: Iterable<number>, maxFps = MAX_GIF_FPS, gifDelays = false): number {
  const shown = [...new Set(Array.from(delaysMs, (d) => playbackDelayMs(d, gifDelays)))];
  if (shown.length === 0) return 10;
  const shortest = shown.reduce((a, b) => Math.min(a, b));
  if (shown.every(Number.isInteger)) {
    const exact = 1000 / shown.reduce(gcd);
    return exact <= maxFps ? exact : fallbackRate(shortest, maxFps);
  }
  for (let n = 1; n <= MAX_MULTIPLE && (1000 * n) / shortest <= maxFps * (1 + TOLERANCE); n++) {
    if (shown.every((d) => isWhole((d * n) / shortest))) return Number(((1000 * n) / shortest).toPrecision(9));
  }
  return fallbackRate(shortest, maxFps);
}

/** The rate for delays no rate up to `maxFps` fits (see rateForDelays). */
function fallbackRate(shortestMs: number, maxFps: number): number {
  return Math.min(maxFps, Math.max(MAX_GIF_FPS, Number((1000 / shortestMs).toPrecision(9))));
}

/**
 * The highest rate at which an animated WebP's or PNG's delays are kept in video output:
 * browsers play their frames down to 10 ms or so (a GIF's only down to 20 ms), and a 60 fps
 * clip must not lose every sixth frame.
 */
export const MAX_ANIMATION_FPS = 120;

/** How many times the shortest delay's rate is tried, at most: the search stays short. */
const MAX_MULTIPLE = 1000;

/** Slack for delays that are fractions of a millisecond in floating point (1000/30 ms). */
const TOLERANCE = 1e-6;

function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < TOLERANCE;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * A play count (APNG's and WebP's: 0 = forever) as a GIF loop count, which counts repeats
 * after the first play; one play is no loop block at all (undefined). An APNG's count is 32
 * bits, a GIF's 16: more plays than a GIF can hold become the most it holds (65,536).
 */
export function loopCountForPlays(plays: number): number | undefined {
  return plays === 1 ? undefined : Math.min(MAX_GIF_LOOP_COUNT, Math.max(0, plays - 1));
}

/** The most repeats a GIF's loop block holds (16 bits). */
export const MAX_GIF_LOOP_COUNT = 65_535;

/** The other way: how often a GIF with this loop count plays (0 = forever; no loop block, once). */
export function playsForLoopCount(loopCount: number | undefined): number {
  return loopCount === undefined ? 1 : loopCount === 0 ? 0 : loopCount + 1;
}

/** The longest a GIF frame can be shown: its delay is 16 bits of centiseconds. */
export const MAX_GIF_DELAY_MS = 655_350;
