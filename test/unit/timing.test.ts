import { describe, expect, it } from 'vitest';
import { createGifDelays, loopCountForPlays, MAX_ANIMATION_FPS, playbackDelayMs, rateForDelays } from '../../src/timing.js';

describe('frame timing', () => {
  it('rateForDelays: the rate of the delays\' greatest common divisor, at most 50 fps', () => {
    expect(rateForDelays([100, 100])).toBe(10);
    expect(rateForDelays([40, 80, 120])).toBe(25);
    expect(rateForDelays([1000, 60])).toBe(50); // gcd 20 ms
    expect(rateForDelays([70, 60])).toBe(50); // gcd 10 ms = 100 fps, capped
    expect(rateForDelays([0, 200])).toBe(10); // 0 plays as 100 ms
    expect(rateForDelays([])).toBe(10);
    // Fractions of a millisecond (an APNG's delays): the rate at which all are whole frames.
    expect(rateForDelays([1000 / 30, 1000 / 30])).toBe(30);
    expect(rateForDelays([1000 / 30, 2000 / 30, 100])).toBe(30);
    expect(rateForDelays([1000 / 60, 1000 / 30])).toBe(50); // 60 fps, capped
    expect(rateForDelays([65535000])).toBeCloseTo(1 / 65535, 12); // the longest APNG delay
    // An animated WebP's or PNG's frames play faster than a GIF's: a higher cap keeps 60 fps.
    expect(rateForDelays([1000 / 60, 1000 / 60], MAX_ANIMATION_FPS)).toBe(60);
    expect(rateForDelays([1], MAX_ANIMATION_FPS)).toBe(MAX_ANIMATION_FPS);
    // No exact rate up to the cap: 50 fps as for a GIF (33 and 34 ms), or the shortest
    // frame's rate when faster, so that none is dropped (16 and 17 ms).
    expect(rateForDelays([33, 34], MAX_ANIMATION_FPS)).toBe(50);
    expect(rateForDelays([16, 17], MAX_ANIMATION_FPS)).toBe(62.5);
    expect(rateForDelays([16, 17])).toBe(50); // a GIF's cap
  });

  it('loopCountForPlays: plays (0 = forever) as a GIF loop count of repeats', () => {
    expect(loopCountForPlays(0)).toBe(0);
    expect(loopCountForPlays(1)).toBeUndefined(); // one play: no loop block
    expect(loopCountForPlays(3)).toBe(2);
  });

  it('playbackDelayMs: 0 plays as 100 ms, anything else as itself; a GIF\'s 1 cs as 100 ms too', () => {
    expect(playbackDelayMs(0)).toBe(100);
    expect(playbackDelayMs(20)).toBe(20);
    expect(playbackDelayMs(10)).toBe(10); // a 100 fps video's frame
    expect(playbackDelayMs(10, true)).toBe(100);
    expect(playbackDelayMs(0, true)).toBe(100);
    expect(playbackDelayMs(20, true)).toBe(20);
    expect(rateForDelays([10, 200], 50, true)).toBe(10); // 100 and 200 ms
    expect(rateForDelays([10, 200])).toBe(50); // 10 ms frames, capped
  });

  it('loopCountForPlays: more plays than a GIF holds become the most it holds, 65,535 repeats', () => {
    expect(loopCountForPlays(65_536)).toBe(65_535);
    expect(loopCountForPlays(70_000)).toBe(65_535);
    expect(loopCountForPlays(2 ** 32 - 1)).toBe(65_535);
  });

  it('rateForDelays: a common divisor whose rate is exactly the cap is kept, under a cap above 50 fps too', () => {
    // 20 and 30 ms: gcd 10 ms, 100 fps. At a cap of 100 that is the rate; the fallback would give 50, a 30 ms frame then 1.5 ticks.
    expect(rateForDelays([20, 30], 100)).toBe(100);
    expect(rateForDelays([20, 30], 99)).toBe(50);
  });
});

describe('GIF delays', () => {
  it('are rounded to the nearest centisecond, not down', () => {
    expect(createGifDelays()(95).cs).toBe(10);
    expect(createGifDelays()(15).cs).toBe(2);
  });
});
