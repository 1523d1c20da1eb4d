import { playbackDelayMs } from '../timing.js';
import type { TimedFrame } from '../types.js';

/** A part of a clip, or a constant rate, in milliseconds of playback (--start, --duration, --fps). */
export interface RetimeOptions {
  startMs?: number;
  durationMs?: number;
  fps?: number;
}

/** One output frame: which source frame it shows, and for how long. */
export interface PlannedFrame {
  readonly source: number;
  readonly delayMs: number;
}

/**
 * Which source frames to show, and for how long, to play `delaysMs` from `startMs` for
 * `durationMs`, by playback time (a 0 delay plays as 100 ms, as in browsers). Without `fps`,
 * the frames the window overlaps keep their own delays, the first and last cut to the window;
 * with `fps`, one frame every 1/fps seconds, each the source frame on screen at that moment.
 */
export function planFrames(delaysMs: readonly number[], options: RetimeOptions): PlannedFrame[] {
  const start = options.startMs ?? 0;
  const end = options.durationMs === undefined ? Infinity : start + options.durationMs;
  const plan: PlannedFrame[] = [];
  if (options.fps === undefined) {
    let t = 0;
    for (let i = 0; i < delaysMs.length && t < end; i++) {
      const shown = playbackDelayMs(delaysMs[i]);
      const from = Math.max(t, start);
      const to = Math.min(t + shown, end);
      // A frame wholly inside keeps its delay as written (0 stays 0); a cut one gets its part.
      if (to > from) plan.push({ source: i, delayMs: from === t && to === t + shown ? delaysMs[i] : to - from });
      t += shown;
    }
    return plan;
  }
  let total = 0;
  for (const d of delaysMs) total += playbackDelayMs(d);
  const stop = Math.min(end, total);
  const step = 1000 / options.fps;
  let i = 0;
  let shownUntil = delaysMs.length > 0 ? playbackDelayMs(delaysMs[0]) : 0;
  for (let j = 0; start + j * step < stop; j++) {
    const at = start + j * step;
    while (at >= shownUntil && i < delaysMs.length - 1) shownUntil += playbackDelayMs(delaysMs[++i]);
    plan.push({ source: i, delayMs: step });
  }
  return plan;
}

/**
 * The frames of `plan` from a clip's frames in order; a source frame shown more than once is
 * copied (consumers may keep frames), and the source is not read past the plan's last frame.
 */
export function* followPlan(frames: Iterable<TimedFrame>, plan: readonly PlannedFrame[]): Generator<TimedFrame> {
  if (plan.length === 0) return;
  let index = -1;
  let shown = -1;
  for (const frame of frames) {
    index++;
    for (let p = shown + 1; p < plan.length && plan[p].source === index; p++, shown++) {
      const repeat = p > 0 && plan[p - 1].source === index;
      yield { width: frame.width, height: frame.height, data: repeat ? frame.data.slice() : frame.data, delayMs: plan[p].delayMs };
    }
    if (shown === plan.length - 1) return;
  }
}
