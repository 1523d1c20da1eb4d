import { playbackDelayMs, SHORTEST_CUT_MS } from '../timing.js';
import type { TimedFrame } from '../types.js';

/** A part of a clip, or a constant rate, in milliseconds of playback (--start, --duration, --fps). */
export interface RetimeOptions {
  startMs?: number;
  durationMs?: number;
  fps?: number;
  /** The delays are a GIF's as written: 1 cs plays as 10 cs (see playbackDelayMs). */
  gifDelays?: boolean;
}

/** One output frame: which source frame it shows, and for how long. */
export interface PlannedFrame {
  readonly source: number;
  readonly delayMs: number;
}


/** Floating-point slack when ticks of 1000/fps ms are compared with whole milliseconds. */
const TICK_TOLERANCE_MS = 1e-6;

/**
 * Which source frames to show, and for how long, to play `delaysMs` from `startMs` for
 * `durationMs`, by playback time (a 0 delay plays as 100 ms, as in browsers; see
 * playbackDelayMs). The window's edges are rounded to whole centiseconds, the unit of GIF
 * delays. Without `fps`, the frames
 * the window overlaps keep their own delays, the first and last cut to it; with `fps`, one
 * frame every 1/fps seconds, each the source frame on screen at that moment, the last cut at
 * the window's (or the clip's) end.
 */
export function planFrames(delaysMs: readonly number[], options: RetimeOptions): PlannedFrame[] {
  const shownMs = (d: number): number => playbackDelayMs(d, options.gifDelays);
  const start = wholeCs(options.startMs ?? 0);
  const end = options.durationMs === undefined ? Infinity : start + Math.max(10, wholeCs(options.durationMs));
  const pieces: { source: number; delayMs: number; cut: boolean }[] = [];
  if (options.fps === undefined) {
    let t = 0;
    for (let i = 0; i < delaysMs.length && t < end; i++) {
      const shown = shownMs(delaysMs[i]);
      const from = Math.max(t, start);
      const to = Math.min(t + shown, end);
      // A frame wholly inside keeps its delay as written (0 stays 0); a cut one gets its part.
      const cut = from !== t || to !== t + shown;
      if (to > from) pieces.push({ source: i, delayMs: cut ? to - from : delaysMs[i], cut });
      t += shown;
    }
  } else {
    let total = 0;
    for (const d of delaysMs) total += shownMs(d);
    const stop = Math.min(end, total);
    const step = 1000 / options.fps;
    let i = 0;
    let shownUntil = delaysMs.length > 0 ? shownMs(delaysMs[0]) : 0;
    // Ticks are compared with a tolerance: at 60 fps the 54th tick of a 0.9 s clip comes out
    // a hair short of a whole step, and would be taken for a cut piece and left out.
    for (let j = 0; start + j * step < stop - TICK_TOLERANCE_MS; j++) {
      const at = start + j * step;
      while (at + TICK_TOLERANCE_MS >= shownUntil && i < delaysMs.length - 1) shownUntil += shownMs(delaysMs[++i]);
      const cut = stop - at < step - TICK_TOLERANCE_MS;
      pieces.push({ source: i, delayMs: cut ? stop - at : step, cut });
    }
  }
  const kept = pieces.filter((p) => !p.cut || p.delayMs >= SHORTEST_CUT_MS).map(({ source, delayMs }) => ({ source, delayMs }));
  if (kept.length > 0 || pieces.length === 0) return kept;
  // A window of short cut pieces only: its longest is shown, for 2 cs.
  const longest = pieces.reduce((a, b) => (b.delayMs > a.delayMs ? b : a));
  return [{ source: longest.source, delayMs: SHORTEST_CUT_MS }];
}

/**
 * `plan` made playable as a GIF, whose frames start on whole centiseconds and are slowed
 * down to 10 cs by browsers when shorter than 2: each frame's start is rounded to the
 * centisecond (as the GIF encoder rounds them), and a frame left shorter than `shortestMs`
 * gives its time to the frame before it (the first, to the frame after). In a run of short
 * frames (100 fps, say) every other one is kept, each then 2 cs. Frames of 2 cs or more keep
 * their times to the centisecond, and so does the whole; only short frames go.
 */
export function fitShortFrames(plan: readonly PlannedFrame[], shortestMs = SHORTEST_CUT_MS): PlannedFrame[] {
  const fitter = shortFrameFitter<number>(shortestMs);
  const fitted = plan.flatMap((frame) => fitter.push(frame.source, frame.delayMs));
  fitted.push(...fitter.end());
  return fitted.map(({ item, delayMs }) => ({ source: item, delayMs }));
}

function wholeCs(ms: number): number {
  // Snapped to microseconds first, so 1.005 s rounds like 0.005 s does (1004.9999… ms in floating point).
  return Math.round(Math.round(ms * 1000) / 10_000) * 10;
}

/**
 * The frames of `plan` from a clip's frames in order. `prepare` (resizing, say) runs once per
 * source frame used; a frame shown more than once is copied (consumers may keep frames), and
 * the source is not read past the plan's last frame.
 */
export async function* followPlan(
  frames: Iterable<TimedFrame> | AsyncIterable<TimedFrame>,
  plan: readonly PlannedFrame[],
  prepare: (frame: TimedFrame) => TimedFrame | Promise<TimedFrame> = (f) => f,
): AsyncGenerator<TimedFrame> {
  let next = 0; // the plan's next entry
  let index = -1;
  if (plan.length === 0) return;
  for await (const frame of frames) {
    index++;
    if (plan[next].source !== index) continue;
    const ready = await prepare(frame);
    for (let copies = 0; next < plan.length && plan[next].source === index; next++, copies++) {
      yield { width: ready.width, height: ready.height, data: copies === 0 ? ready.data : new Uint8Array(ready.data), delayMs: plan[next].delayMs };
    }
    if (next === plan.length) return;
  }
}

/** A frame of `T` and how long it is shown. */
export interface Shown<T> {
  readonly item: T;
  readonly delayMs: number;
}

/**
 * fitShortFrames one frame at a time, for frames whose delays become known as they are read
 * (a variable-rate video): `push` takes each frame and its delay in turn and gives back the
 * frames now settled, `end` the rest. At most two frames are held back (a frame's delay is
 * settled once the kept frame after the next one is known).
 */
export function shortFrameFitter<T>(shortestMs = SHORTEST_CUT_MS): { push(item: T, delayMs: number): Shown<T>[]; end(): Shown<T>[] } {
  const kept: { item: T; startCs: number }[] = [];
  let given = 0; // kept frames already handed out, before kept[0]
  let t = 0;
  const settle = (until: number): Shown<T>[] => {
    const out: Shown<T>[] = [];
    while (kept.length > until) {
      const frame = kept.shift()!;
      given++;
      out.push({ item: frame.item, delayMs: Math.max(shortestMs, (kept[0].startCs - frame.startCs) * 10) });
    }
    return out;
  };
  return {
    push(item, delayMs) {
      const startCs = Math.round(t / 10);
      t += playbackDelayMs(delayMs);
      const last = kept[kept.length - 1];
      // The frame before turns out too short. If this one is short too, the frame before stays
      // on screen through it; else the first is replaced by this one, any other gives its time
      // to the one before it.
      if (last !== undefined && (startCs - last.startCs) * 10 < shortestMs) {
        if ((Math.round(t / 10) - startCs) * 10 < shortestMs) return [];
        if (given + kept.length === 1) {
          kept[0] = { item, startCs: 0 };
          return [];
        }
        kept.pop();
      }
      kept.push({ item, startCs });
      // Every kept frame but the last two is settled: only the last may still be replaced.
      return settle(2);
    },
    end() {
      const endCs = Math.round(t / 10);
      if (given + kept.length > 1 && kept.length > 0 && (endCs - kept[kept.length - 1].startCs) * 10 < shortestMs) kept.pop();
      const out = settle(1);
      const last = kept.shift();
      if (last !== undefined) out.push({ item: last.item, delayMs: Math.max(shortestMs, (endCs - last.startCs) * 10) });
      return out;
    },
  };
}
