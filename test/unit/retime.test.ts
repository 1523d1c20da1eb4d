import { describe, expect, it } from 'vitest';
import { fitShortFrames, followPlan, planFrames, shortFrameFitter } from '../../src/pipeline/retime.js';
import type { TimedFrame } from '../../src/types.js';

describe('planFrames: a part of a GIF, or a constant rate, by playback time', () => {
  const delays = [100, 40, 0, 360]; // plays 0-100, 100-140, 140-240 (0 plays as 100 ms), 240-600

  it('with no window keeps every frame and its delay as written', () => {
    expect(planFrames(delays, {})).toEqual([
      { source: 0, delayMs: 100 }, { source: 1, delayMs: 40 }, { source: 2, delayMs: 0 }, { source: 3, delayMs: 360 },
    ]);
  });

  it('cuts the first and last frames to the window', () => {
    expect(planFrames(delays, { startMs: 120, durationMs: 200 })).toEqual([
      { source: 1, delayMs: 20 }, { source: 2, delayMs: 0 }, { source: 3, delayMs: 80 },
    ]);
    expect(planFrames(delays, { startMs: 150, durationMs: 50 })).toEqual([{ source: 2, delayMs: 50 }]);
    expect(planFrames(delays, { startMs: 600 })).toEqual([]);
  });

  it('rounds the window to whole centiseconds and leaves out a cut piece under 2 cs (browsers would show it for 10 cs)', () => {
    expect(planFrames(delays, { startMs: 93, durationMs: 200 })).toEqual([
      { source: 1, delayMs: 40 }, { source: 2, delayMs: 0 }, { source: 3, delayMs: 50 },
    ]); // 90-290 ms: frame 0's last 10 ms are left out
    expect(planFrames(delays, { startMs: 250, durationMs: 3 })).toEqual([{ source: 3, delayMs: 20 }]); // the only frame: at least 2 cs
    // Two cut pieces of 1 cs each (90-100 and 100-110 ms): the window still shows something.
    expect(planFrames(delays, { startMs: 90, durationMs: 20 })).toEqual([{ source: 0, delayMs: 20 }]);
    // 1.005 s and 0.005 s round alike, whatever floating point makes of 1.005 * 1000.
    expect(planFrames([2000], { startMs: 1005, durationMs: 100 })).toEqual([{ source: 0, delayMs: 100 }]);
    expect(planFrames([2000], { startMs: 1005 })[0].delayMs).toBe(990);
  });

  it('counts a GIF\'s 1 cs frame as the 10 cs it plays for, keeping it as written when wholly inside', () => {
    const gif = [10, 10, 200]; // plays 0-100, 100-200, 200-400
    expect(planFrames(gif, { gifDelays: true, startMs: 50 })).toEqual([{ source: 0, delayMs: 50 }, { source: 1, delayMs: 10 }, { source: 2, delayMs: 200 }]);
    expect(planFrames(gif, { gifDelays: true, fps: 10 }).map((f) => f.source)).toEqual([0, 1, 2, 2]);
    expect(planFrames(gif, { startMs: 50 })).toEqual([{ source: 2, delayMs: 170 }]); // as 10 ms video frames
  });

  it('at a constant rate shows the frame on screen at each tick, up to the end of the clip', () => {
    const plan = planFrames(delays, { fps: 10 });
    expect(plan.map((f) => f.source)).toEqual([0, 1, 2, 3, 3, 3]); // ticks at 0, 100, ..., 500 ms of 600
    expect(plan.every((f) => f.delayMs === 100)).toBe(true);
    expect(planFrames(delays, { fps: 20, startMs: 90, durationMs: 100 }).map((f) => f.source)).toEqual([0, 2]); // ticks at 90 and 140 ms
    // The last frame is cut at the end of the window or of the clip, never run past it.
    expect(planFrames(delays, { fps: 3, startMs: 100, durationMs: 400 }).map((f) => Math.round(f.delayMs))).toEqual([333, 67]);
    expect(planFrames(delays, { fps: 0.001 })).toEqual([{ source: 0, delayMs: 600 }]);
  });

  it('at rates whose tick is not a whole number of milliseconds keeps every tick (floating point)', () => {
    // cars.gif: 30 frames of 3 cs. At 60 fps the 54th tick ended a hair short of a whole step
    // and was left out as a cut piece under 2 cs, with it the last source frame.
    const delays = new Array(30).fill(30);
    for (const fps of [7, 12, 24, 30, 60, 90, 120]) {
      const plan = planFrames(delays, { fps });
      expect(plan.length, `${fps} fps`).toBe(Math.ceil((0.9 * fps) - 1e-9));
      expect(plan.reduce((t, f) => t + f.delayMs, 0), `${fps} fps`).toBeCloseTo(900, 6);
      // The last tick shows the frame on screen then (at 60 fps, 883 ms: the last one).
      expect(plan[plan.length - 1].source, `${fps} fps`).toBe(Math.floor(((plan.length - 1) * 1000) / fps / 30));
    }
  });

  it('followPlan yields the planned frames, preparing each source frame once and copying a repeated one, and stops reading after the last', async () => {
    let read = 0;
    function* source(): Generator<TimedFrame> {
      for (let i = 0; i < 4; i++) {
        read++;
        yield { width: 1, height: 1, data: new Uint8Array([i, 0, 0, 255]), delayMs: delays[i] };
      }
    }
    let prepared = 0;
    const out: TimedFrame[] = [];
    const plan = [{ source: 1, delayMs: 50 }, { source: 1, delayMs: 50 }, { source: 2, delayMs: 7 }];
    for await (const f of followPlan(source(), plan, (f) => (prepared++, f))) out.push(f);
    expect(out.map((f) => [f.data[0], f.delayMs])).toEqual([[1, 50], [1, 50], [2, 7]]);
    expect(out[0].data).not.toBe(out[1].data);
    expect(prepared).toBe(2);
    expect(read).toBe(3);
  });

  it('fitShortFrames: frames under 2 cs give their time to the one before; frames of 2 cs or more keep theirs', () => {
    const plan = (delays: number[]) => delays.map((delayMs, source) => ({ source, delayMs }));
    // 30 ms frames around one of 10 ms: only that one goes (a 50 fps grid moved them all).
    expect(fitShortFrames(plan([30, 30, 10, 30, 30]))).toEqual([
      { source: 0, delayMs: 30 }, { source: 1, delayMs: 40 }, { source: 3, delayMs: 30 }, { source: 4, delayMs: 30 },
    ]);
    // 60 fps: starts round to 0, 2, 3, 5, 7, 8 cs; each 1 cs frame goes to the one before.
    expect(fitShortFrames(plan(Array(6).fill(1000 / 60))).map((f) => f.delayMs)).toEqual([30, 20, 30, 20]);
    // A short first frame is replaced by the next, shown from the start; a short last one goes to the one before.
    expect(fitShortFrames(plan([10, 100, 5]))).toEqual([{ source: 1, delayMs: 120 }]);
    // 0 plays as 100 ms and is written so; one very long frame stays as it is, in one entry.
    expect(fitShortFrames(plan([0, 65_535_000]))).toEqual([{ source: 0, delayMs: 100 }, { source: 1, delayMs: 65_535_000 }]);
    // A run of short frames keeps every other one (100 fps: 2 cs each), not none.
    expect(fitShortFrames(plan(Array(10).fill(10)))).toEqual([0, 2, 4, 6, 8].map((source) => ({ source, delayMs: 20 })));
    expect(fitShortFrames(plan([30, ...Array(6).fill(10), 30])).map((f) => f.delayMs)).toEqual([30, 20, 20, 20, 30]);
    // Nothing to do: unchanged.
    expect(fitShortFrames(plan([20, 40, 60]))).toEqual(plan([20, 40, 60]));
  });

  it('shortFrameFitter, one frame at a time, gives what the list-based fitting it replaced gave on the whole list', () => {
    // That fitting, kept here as the reference: each start rounded to the centisecond; a frame
    // left short gives its time to the one before (the first is replaced by the next), a run of
    // short frames stays on the frame before it.
    const reference = (plan: { source: number; delayMs: number }[], shortestMs: number) => {
      const kept: { source: number; startCs: number }[] = [];
      let t = 0;
      for (const frame of plan) {
        const startCs = Math.round(t / 10);
        t += frame.delayMs > 0 ? frame.delayMs : 100; // a 0 delay plays as 100 ms
        const last = kept[kept.length - 1];
        if (last !== undefined && (startCs - last.startCs) * 10 < shortestMs) {
          if ((Math.round(t / 10) - startCs) * 10 < shortestMs) continue;
          if (kept.length === 1) {
            kept[0] = { source: frame.source, startCs: 0 };
            continue;
          }
          kept.pop();
        }
        kept.push({ source: frame.source, startCs });
      }
      const endCs = Math.round(t / 10);
      if (kept.length > 1 && (endCs - kept[kept.length - 1].startCs) * 10 < shortestMs) kept.pop();
      return kept.map((f, i) => ({ source: f.source, delayMs: Math.max(shortestMs, ((i + 1 < kept.length ? kept[i + 1].startCs : endCs) - f.startCs) * 10) }));
    };
    // A small generator of its own, so that a failure is the same on every run.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = [5, 10, 15, 1000 / 60, 20, 1000 / 30, 40, 100, 0, 1001 / 30];
    for (let run = 0; run < 500; run++) {
      const plan = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, source) => ({ source, delayMs: pick[Math.floor(random() * pick.length)] }));
      const shortest = random() < 0.5 ? 20 : 1000 / 30;
      const fitter = shortFrameFitter<number>(shortest);
      const streamed: { source: number; delayMs: number }[] = [];
      for (const { source, delayMs } of plan) {
        const settled = fitter.push(source, delayMs);
        streamed.push(...settled.map((s) => ({ source: s.item, delayMs: s.delayMs })));
      }
      streamed.push(...fitter.end().map((s) => ({ source: s.item, delayMs: s.delayMs })));
      expect(streamed).toEqual(reference(plan, shortest));
      expect(fitShortFrames(plan, shortest)).toEqual(streamed);
    }
  });

  it('a window holding only cut pieces under 2 cs shows the longest of them, for 2 cs', () => {
    // Frames of 95 and 100 ms; the window 90-110 ms holds 5 ms of frame 0 and 15 ms of frame 1.
    expect(planFrames([95, 100], { startMs: 90, durationMs: 20 })).toEqual([{ source: 1, delayMs: 20 }]);
  });
});
