import { describe, expect, it } from 'vitest';
import { followPlan, planFrames } from '../../src/pipeline/retime.js';
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

  it('at a constant rate shows the frame on screen at each tick, up to the end of the clip', () => {
    const plan = planFrames(delays, { fps: 10 });
    expect(plan.map((f) => f.source)).toEqual([0, 1, 2, 3, 3, 3]); // ticks at 0, 100, ..., 500 ms of 600
    expect(plan.every((f) => f.delayMs === 100)).toBe(true);
    expect(planFrames(delays, { fps: 20, startMs: 90, durationMs: 100 }).map((f) => f.source)).toEqual([0, 2]); // ticks at 90 and 140 ms
  });

  it('followPlan yields the planned frames, copying a repeated one, and stops reading after the last', () => {
    let read = 0;
    function* source(): Generator<TimedFrame> {
      for (let i = 0; i < 4; i++) {
        read++;
        yield { width: 1, height: 1, data: new Uint8Array([i, 0, 0, 255]), delayMs: delays[i] };
      }
    }
    const out = [...followPlan(source(), [{ source: 1, delayMs: 50 }, { source: 1, delayMs: 50 }, { source: 2, delayMs: 7 }])];
    expect(out.map((f) => [f.data[0], f.delayMs])).toEqual([[1, 50], [1, 50], [2, 7]]);
    expect(out[0].data).not.toBe(out[1].data);
    expect(read).toBe(3);
  });
});
