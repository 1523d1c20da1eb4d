import type { validateClipOptions } from '../clip-options.js';
import { MAX_ANIMATION_FPS, rateForDelays } from '../timing.js';
import type { VideoProbe } from './video-probe.js';
import { commonRateFor, frameClock, misplacedAtRate, rateKeepingEveryFrame, type ClockPlan, type PacketTimes } from './video-timestamps.js';

/**
 * How a video whose frames do not come at one rate is read: by its frames' own times (the
 * clock plan, its rate and frame count), or from --start at a rate that keeps every frame;
 * and the lengths a whole read is held against.
 */

/**
 * The rate a part from --start of a variable-rate video is read at: the lowest common rate
 * at which every gap between its frames' times is a whole number of frames (or, where none
 * is and the stream's own rate would drop frames, one that shows them all), when a read at
 * the stream's own rate would misplace frames; else undefined (that rate). After a seek the
 * frames are not read by their own times, and an MKV or WebM joined from 10 and 30 fps
 * parts was read at 10 fps, two of every three of the fast part's frames dropped, silently.
 */
export function finestRate(packets: PacketTimes | null, probe: VideoProbe, maxFps: number): number | undefined {
  if (packets === null || !misplacedAtRate(packets, probe.fps)) return undefined;
  const times = [...packets.timesMs].sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - times[i]).filter((gap) => gap > 0);
  return commonRateFor(gaps, packets.unitMs, probe.fps, maxFps) ?? rateKeepingEveryFrame(gaps, packets.unitMs, probe.fps, maxFps);
}

/** Where a variable-rate stream ends, for its ClockPlan: its last packet's end, or the file's length when nothing else (sound) may set it; the earlier of the two. */
function streamEnd(packets: PacketTimes, probe: VideoProbe): Pick<ClockPlan, 'nominalMs' | 'endMs' | 'endStated'> {
  const stated = statedLengthSec(probe);
  const statedMs = stated === undefined ? undefined : stated * 1000;
  const ends = [packets.endMs, statedMs].filter((t): t is number => t !== undefined);
  return {
    nominalMs: 1000 / probe.fps,
    ...(ends.length > 0 ? { endMs: Math.min(...ends) } : {}),
    // A muxer that knew no durations may state the last frame's start as the length (see
    // ClockPlan.endStated); one that wrote durations, even guessed ones, knew the end.
    ...(packets.endMs === undefined && packets.durationsGuessed !== true && statedMs !== undefined ? { endStated: true } : {}),
  };
}

/**
 * The file's length where it is the picture's: stated by the container (not estimated from
 * the bitrate), and with no other stream (sound, subtitles) that may make the file longer.
 */
function statedLengthSec(probe: VideoProbe): number | undefined {
  return probe.otherStreams !== true && probe.durationGuessed !== true ? probe.durationSec : undefined;
}

/**
 * What a whole read must reach not to be said to be cut short: statedLengthSec, counted
 * from the first frame where it may count from 0 (an MP4's: lengthMayCountFrom). The
 * shorter reading, so that a whole clip is never said to be cut short; one whose length
 * counts from its first frame is then said to be only when its frames end that much
 * earlier. (Only here: the last frame's time, streamEnd's, keeps the length as stated.)
 */
export function wholeReadSec(probe: VideoProbe): number | undefined {
  const stated = statedLengthSec(probe);
  return stated === undefined ? undefined : shorterReading(stated, probe);
}

/** A length the file states, counted from its first frame where it may count from 0 (an MP4's: lengthMayCountFrom). */
export function shorterReading(statedSec: number, probe: VideoProbe): number {
  return statedSec - (probe.lengthMayCountFrom ?? 0);
}

/** The frames' delays as `plan` shows the packet times. */
function delaysOf(packets: PacketTimes, plan: ClockPlan): number[] {
  const simulated = frameClock<number>(plan);
  const delays: number[] = [];
  for (const t of packets.timesMs) {
    for (const shown of simulated.push(0, t)) delays.push(shown.delayMs);
    if (simulated.done) break;
  }
  for (const shown of simulated.end()) delays.push(shown.delayMs);
  return delays;
}

/**
 * Seconds from the file's start to where a variable-rate stream's last frame ends as its
 * own times show it (no longer than the gap before it, see frameClock). Read from --start,
 * ffmpeg's rate filter holds that frame for its packet's duration instead, which a Matroska
 * joined from 10 and 30 fps parts states as the first part's 100 ms: 67 ms too long.
 */
export function pictureEndSec(packets: PacketTimes, probe: VideoProbe): number {
  const origin = Math.min(0, packets.timesMs[0] ?? 0);
  return (origin + delaysOf(packets, { ...streamEnd(packets, probe), fromZero: true }).reduce((a, b) => a + b, 0)) / 1000;
}

/**
 * How a variable-rate video is read by its frames' own times: undefined when a constant-rate
 * read shows every frame within half a frame of its time (the read stays as it was), or when
 * the packet times cannot be read. `fps` is the rate the frames' delays fit (what a video
 * output is written at), `frameCount` their number, both from the packet times.
 */
export function variableRateClock(packets: PacketTimes | null, probe: VideoProbe, opts: ReturnType<typeof validateClipOptions>, keepPlace: boolean): { plan: ClockPlan; fps: number; frameCount: number; lengthSec: number } | undefined {
  if (packets === null || !misplacedAtRate(packets, probe.fps, opts.durationSec)) return undefined;
  const plan: ClockPlan = {
    ...streamEnd(packets, probe),
    ...(opts.durationSec !== undefined ? { durationSec: opts.durationSec } : {}),
    // From the file's start, as the constant-rate read shows a picture that starts after the
    // sound (it repeats the first frame): a video written with that sound keeps them together.
    // Not an MPEG-TS picture read alone, whose times shift on their own (streamsShiftAlone).
    ...(keepPlace || probe.streamsShiftAlone !== true ? { fromZero: true } : {}),
    ...(opts.maxFps !== undefined ? { shortestMs: 1000 / opts.maxFps } : {}),
  };
  // The frames as the packet times place them, for the clip's rate and frame count.
  const delays = delaysOf(packets, plan);
  const maxFps = opts.maxFps ?? MAX_ANIMATION_FPS;
  // Delays fitted to a GIF's centiseconds (shortestMs) are exact; others are times' differences, rounded to the time base.
  // The first delay, from the file's start (fromZero), holds the picture's lead over the sound: not a rate's.
  // Nor the last: it runs to the stream's end as the file gives it, to 10 ms where ffmpeg
  // states the length, and a muxer's end may cut it short (an MP4 of 10 and 30 fps parts
  // joined, its last frame 0.3 or 3 ms long: 120 fps, 236 frames written for 40, not 30 fps).
  const fromLead = plan.fromZero === true && delays.length > 1 ? 1 : 0;
  const rated = delays.slice(fromLead, delays.length - fromLead > 1 ? -1 : undefined);
  const fps = (plan.shortestMs === undefined ? commonRateFor(rated, packets.unitMs, probe.fps, maxFps) : undefined) ?? rateForDelays(delays, maxFps);
  return { plan, fps, frameCount: delays.length, lengthSec: delays.reduce((sum, ms) => sum + ms, 0) / 1000 };
}
