import { describe, expect, it } from 'vitest';
import { playbackDelayMs, rateForDelays } from '../../src/timing.js';

describe('frame timing', () => {
  it('rateForDelays: the rate of the delays\' greatest common divisor, at most 50 fps', () => {
    expect(rateForDelays([100, 100])).toBe(10);
    expect(rateForDelays([40, 80, 120])).toBe(25);
    expect(rateForDelays([1000, 60])).toBe(50); // gcd 20 ms
    expect(rateForDelays([70, 60])).toBe(50); // gcd 10 ms = 100 fps, capped
    expect(rateForDelays([0, 200])).toBe(10); // 0 plays as 100 ms
    expect(rateForDelays([])).toBe(10);
    expect(rateForDelays([1000 / 30])).toBeCloseTo(1000 / 33, 6); // not a GIF delay: whole ms
  });

  it('playbackDelayMs: 0 plays as 100 ms, anything else as itself', () => {
    expect(playbackDelayMs(0)).toBe(100);
    expect(playbackDelayMs(20)).toBe(20);
  });
});
