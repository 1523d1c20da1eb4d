import { describe, expect, it } from 'vitest';
import { commonRateFor, frameClock, misplacedAtRate, rateKeepingEveryFrame, showinfoTimes, type ClockPlan } from '../../src/io/video-timestamps.js';

/** The delays frameClock gives frames at `timesMs`, pushed one by one, then ended (stopping once it is done). */
function clockDelays(timesMs: number[], plan: ClockPlan): { frames: number[]; delays: number[] } {
  const clock = frameClock<number>(plan);
  const shown: { item: number; delayMs: number }[] = [];
  for (let i = 0; i < timesMs.length && !clock.done; i++) shown.push(...clock.push(i, timesMs[i]));
  shown.push(...clock.end());
  return { frames: shown.map((s) => s.item), delays: shown.map((s) => s.delayMs) };
}

describe('frameClock: frames timed by their presentation times', () => {
  it('shows each frame until the next one starts; the last to the stream\'s end, no longer than the gap before it', () => {
    expect(clockDelays([0, 100, 200, 233, 267], { nominalMs: 100, endMs: 300 }).delays).toEqual([100, 100, 33, 34, 33]);
    // A stated end past the last gap (a guessed packet duration) is not taken: the gap before is.
    expect(clockDelays([0, 100, 133], { nominalMs: 100, endMs: 233 }).delays).toEqual([100, 33, 33]);
    // No end known: the gap before; one frame alone: the end, or a nominal frame.
    expect(clockDelays([0, 100, 133], { nominalMs: 100 }).delays).toEqual([100, 33, 33]);
    expect(clockDelays([0], { nominalMs: 40, endMs: 1000 }).delays).toEqual([1000]);
    expect(clockDelays([0], { nominalMs: 40 }).delays).toEqual([40]);
  });

  it("a container's stated length that ends less than half a gap after the last frame is taken for that frame's start (the last frame was left out, a video written at 120 fps)", () => {
    // ffmpeg 5.1's Matroska without packet durations states the last frame's start as its length.
    expect(clockDelays([0, 100, 133, 167], { nominalMs: 100, endMs: 167, endStated: true }).delays).toEqual([100, 33, 34, 34]);
    expect(clockDelays([0, 100, 133, 164], { nominalMs: 100, endMs: 167, endStated: true }).delays).toEqual([100, 33, 31, 31]);
    // Half a gap or more after it is an end.
    expect(clockDelays([0, 100, 133, 167], { nominalMs: 100, endMs: 185, endStated: true }).delays).toEqual([100, 33, 34, 18]);
    // A packet's end is one, however soon.
    expect(clockDelays([0, 100, 133, 164], { nominalMs: 100, endMs: 167 }).delays).toEqual([100, 33, 31, 3]);
  });

  it('starts at the first frame, or with fromZero at the file\'s start (the picture keeps its place beside its sound)', () => {
    expect(clockDelays([500, 600, 700], { nominalMs: 100, endMs: 800 }).delays).toEqual([100, 100, 100]);
    expect(clockDelays([500, 600, 700], { nominalMs: 100, endMs: 800, fromZero: true }).delays).toEqual([600, 100, 100]);
    // A first frame before the file's start (an edit list's negative time) is shown from its own time.
    expect(clockDelays([-40, 0, 40], { nominalMs: 40, endMs: 80, fromZero: true }).delays).toEqual([40, 40, 40]);
  });

  it('a frame with no time comes a nominal frame after the one before; one at the time of the one before is left out', () => {
    expect(clockDelays([0, NaN, 100], { nominalMs: 40, endMs: 140 }).delays).toEqual([40, 60, 40]);
    expect(clockDelays([0, 40, 40, 80], { nominalMs: 40, endMs: 120 })).toEqual({ frames: [0, 1, 3], delays: [40, 40, 40] });
  });

  it('timestamps that go back (pieces joined) go on from a frame after the last, keeping their own gaps', () => {
    expect(clockDelays([0, 100, 200, 0, 50, 100], { nominalMs: 40, endMs: 300 }).delays).toEqual([100, 100, 100, 50, 50, 50]);
  });

  it('--duration: stops at the first frame past it; the frame it cuts keeps its part, left out under 2 cs unless it is the only one', () => {
    const times = [0, 100, 200, 233, 267, 300];
    const cut = (durationSec: number) => clockDelays(times, { nominalMs: 100, endMs: 333, durationSec }).delays;
    expect(cut(0.25)).toEqual([100, 100, 33]); // 233-250: 17 ms, left out
    expect(cut(0.26)).toEqual([100, 100, 33, 27]);
    expect(cut(0.15)).toEqual([100, 50]);
    expect(cut(0.005)).toEqual([20]); // the only frame: 2 cs
    expect(cut(10)).toEqual([100, 100, 33, 34, 33, 33]);
    // Stopping as soon as a frame starts past the part: the frames after are never asked for.
    const clock = frameClock<number>({ nominalMs: 100, durationSec: 0.15 });
    clock.push(0, 0);
    expect(clock.push(1, 100)).toEqual([{ item: 0, delayMs: 100 }]);
    expect(clock.done).toBe(false);
    expect(clock.push(2, 200)).toEqual([{ item: 1, delayMs: 50 }]);
    expect(clock.done).toBe(true);
    expect(clock.end()).toEqual([]);
  });

  it('shortestMs: frames shorter than a GIF shows give their time to their neighbours, as fitShortFrames does', () => {
    // 20 fps, then 60 fps: 2 cs and 3 cs in turn (starts rounded to whole centiseconds), 2 s in all.
    const times = [...Array.from({ length: 20 }, (_, i) => i * 50), ...Array.from({ length: 60 }, (_, i) => 1000 + (i * 1000) / 60)];
    const { delays } = clockDelays(times, { nominalMs: 50, endMs: 2000, shortestMs: 20 });
    expect(delays.slice(0, 20)).toEqual(Array(20).fill(50));
    expect(delays.every((d) => d >= 20 && d % 10 === 0)).toBe(true);
    expect(delays.reduce((a, b) => a + b)).toBe(2000);
    expect(delays).toHaveLength(60);
  });
});

describe('misplacedAtRate: whether a constant-rate read shows a frame half a frame or more from its time', () => {
  const packets = (timesMs: number[], untimed = 0) => ({ timesMs, untimed, sharedTimes: 0, unitMs: 1 });
  it('constant rates, and times that waver under half a frame, are not (test.webm: 31 to 48 ms apart at 30 fps)', () => {
    expect(misplacedAtRate(packets(Array.from({ length: 300 }, (_, i) => Math.round((i * 1001) / 30))), 30000 / 1001)).toBe(false);
    expect(misplacedAtRate(packets([0, 31, 79, 100, 133]), 30)).toBe(false);
    // The first frame's own offset does not count (big_buck_bunny's starts at 3 ms).
    expect(misplacedAtRate(packets([3, 45, 86, 128]), 24)).toBe(false);
  });
  it('joined rates, a missing frame, a pause are', () => {
    expect(misplacedAtRate(packets([0, 100, 200, 233, 267]), 10)).toBe(true);
    expect(misplacedAtRate(packets([0, 40, 120, 160]), 25)).toBe(true);
    // Only the part asked for counts; and without every packet's time, the constant-rate read is kept.
    expect(misplacedAtRate(packets([0, 40, 80, 500]), 25, 0.2)).toBe(false);
    expect(misplacedAtRate(packets([0, 100, 133], 1), 10)).toBe(false);
  });

  it('a frame exactly half a frame from its tick counts as misplaced', () => {
    expect(misplacedAtRate(packets([0, 150]), 10)).toBe(true); // due at 100 ms, half a frame late
    expect(misplacedAtRate(packets([0, 149]), 10)).toBe(false);
  });
});

describe('rateKeepingEveryFrame: where no common rate fits', () => {
  it('reads parts of 25 and 30 fps at 30 (no common rate up to 120), and a stream of 20 fps with 100 ms pauses at 48, capped at 50 for a GIF', () => {
    const joined = [...Array(20).fill(40), 33, 34, 33, 33, 34, 33, 33, 34, 33, 33, 34, 33, 33, 34, 33, 33, 34, 33, 33, 34];
    expect(commonRateFor(joined, 1, 25, 120)).toBeUndefined();
    expect(rateKeepingEveryFrame(joined, 1, 25, 120)).toBe(30);
    expect(rateKeepingEveryFrame([...Array(30).fill(100), ...Array(30).fill(30)], 1, 10, 50)).toBe(48);
    expect(rateKeepingEveryFrame(Array(60).fill(5), 1, 10, 50)).toBe(50);
  });

  it("keeps the stream's own rate where it drops no frame: a constant rate whose times jitter (it read 29.5 fps with 2 ms of jitter at 48), or one stray short gap", () => {
    const jittered = Array.from({ length: 90 }, (_, i) => 34 + ((i * 7) % 5) - 2);
    expect(rateKeepingEveryFrame(jittered, 1, 29.5, 120)).toBeUndefined();
    expect(rateKeepingEveryFrame([...Array(99).fill(40), 5], 1, 25, 120)).toBeUndefined();
  });
});

describe('commonRateFor: the video rate for variable delays', () => {
  it('the lowest common rate that fits every delay within the time base\'s rounding, whole rates before NTSC\'s', () => {
    expect(commonRateFor([100, 33, 34], 1, 10, 120)).toBe(30);
    expect(commonRateFor([3003 / 30, 1001 / 30], 1 / 90, 10, 120)).toBe(30000 / 1001);
    expect(commonRateFor([50, 600], 1, 10, 120)).toBe(20);
    expect(commonRateFor([16, 17, 50], 1, 20, 120)).toBe(60);
    expect(commonRateFor([16, 17, 50], 1, 20, 50)).toBeUndefined();
    expect(commonRateFor([37, 41, 55], 1 / 90, 25, 120)).toBeUndefined();
  });
});

describe('showinfoTimes: frame times from showinfo\'s stderr lines', () => {
  it('pairs lines with frames in order, in whole ticks of the time base; lines glued to others are read', async () => {
    const times = showinfoTimes();
    times.line('[Parsed_showinfo_2 @ 0x1] config in time_base: 1/90000, frame_rate: 10/1');
    times.line('[Parsed_showinfo_2 @ 0x1] config out time_base: 0/0, frame_rate: 0/0');
    times.line('[Parsed_showinfo_2 @ 0x1] n:   0 pts:      0 pts_time:0       pos:       48 fmt:rgba sar:1/1 s:48x32 i:P iskey:1 type:I ');
    times.line('[Parsed_showinfo_2 @ 0x1] color_range:tv color_space:unknown color_primaries:unknown color_trc:unknown');
    times.line('frame=    1 fps=0.0 q=0.0 size=       0kB time=00:00:00.00 bitrate=N/A speed=   0x    [Parsed_showinfo_2 @ 0x1] n:   1 pts:   3003 pts_time:0.0333667 pos: 1 fmt:rgba');
    times.line('[Parsed_showinfo_2 @ 0x1] n:   2 pts:NOPTS pts_time:NOPTS pos: 1 fmt:rgba');
    expect(await times.next()).toBe(0);
    expect(await times.next()).toBeCloseTo(1001 / 30, 12);
    expect(await times.next()).toBeNaN();
    // A frame whose line has not come yet waits for it; after the run, NaN.
    const later = times.next();
    // Counted again from 0 after ffmpeg rebuilt its filters, in the new time base.
    times.line('[Parsed_showinfo_2 @ 0x2] config in time_base: 1/1000, frame_rate: 0/1');
    times.line('[Parsed_showinfo_2 @ 0x2] n:   0 pts:   1234567 pts_time:1234.57 pos: 1 fmt:rgba');
    expect(await later).toBe(1_234_567);
    const none = times.next();
    times.close();
    expect(await none).toBeNaN();
  });
});
