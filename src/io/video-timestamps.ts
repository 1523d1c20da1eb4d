import { PassThrough } from 'node:stream';
import { SHORTEST_CUT_MS } from '../timing.js';
import { shortFrameFitter, type Shown } from '../pipeline/retime.js';
import { ffmpegCommand } from './ffmpeg-path.js';
import { watch } from './ffmpeg-run.js';
import { LITERAL_NAME } from './video-probe.js';

/*
 * A variable-frame-rate video read by its frames' own times. ffmpeg's raw output is at a
 * constant rate, the one it takes from the stream's first frames: a video whose frames come
 * at other times (clips of 10 and 30 fps joined, a screen recording, a phone's variable-rate
 * clip) had frames dropped or repeated, and a joined 10 + 30 fps Matroska of 2.0 s played
 * 2.2 s with 18 of its 40 frames lost. Such a video is read with every decoded frame once
 * (passthrough), and each frame shown until the next one's time.
 *
 * Which videos: a first pass copies the stream's packets to ffmpeg's framecrc output (no
 * decoding: 0.05 to 0.15 s on the test videos) and reads their times; a video whose every
 * frame falls within half a frame of where the constant-rate read shows it is read as before,
 * so constant-rate video comes out byte for byte as it did.
 */

/** What the packet pass learned: presentation times in milliseconds (sorted), and where the stream ends. */
export interface PacketTimes {
  readonly timesMs: readonly number[];
  /** The end of the packet with the latest time (its time plus its duration), when it states a duration that is its own (see durationsFitGaps). */
  readonly endMs?: number;
  /** True when the packets state durations, but as one guess for all (see durationsFitGaps): no end is known from them. */
  readonly durationsGuessed?: boolean;
  /** Packets without a presentation time. */
  readonly untimed: number;
  /**
   * Packets whose presentation time an earlier one has too: none in a healthy stream; many
   * where its times are damaged (an MP4's time table with a step of 0), and then the decoder
   * gives fewer frames, or others, than the packets.
   */
  readonly sharedTimes: number;
  /**
   * Milliseconds: the step the times are rounded to. The stream's time base, or a whole
   * millisecond where every time is one: a Matroska's times (stored in milliseconds) copied
   * into an MP4 keep that rounding on a finer time base.
   */
  readonly unitMs: number;
}

/**
 * The video stream's packet times, by stream copy to framecrc (no decoding). Up to
 * `untilSec` (plus a margin), when given. Null when the pass fails: the caller then reads
 * the video as before, and that read reports what is wrong with it. `signal` stops it (null).
 */
export async function packetTimes(file: string, read: { demuxer?: string; literalName?: boolean }, untilSec?: number, signal?: AbortSignal): Promise<PacketTimes | null> {
  if (signal?.aborted === true) return null;
  const command = ffmpegCommand(file);
  if (read.demuxer !== undefined) command.inputFormat(read.demuxer);
  if (read.literalName === true) command.inputOptions(LITERAL_NAME);
  // autoDestroy off: fluent-ffmpeg fails a run 20 ms after its output stream closes, and
  // under load ffmpeg may still be exiting then (the pass failed, and the video was read at a
  // constant rate). The stream is destroyed once ffmpeg is done.
  const out = new PassThrough({ autoDestroy: false });
  const options = ['-map', '0:V:0', '-c', 'copy'];
  // Packets come in decoding order, a few frames ahead of their presentation: a margin.
  if (untilSec !== undefined) options.push('-t', (untilSec + PACKET_MARGIN_SEC).toFixed(6));
  command.outputOptions(options).format('framecrc').output(out, { end: true });
  const packets: { pts: number; duration: number }[] = [];
  let base: [number, number] | null = null;
  let untimed = 0;
  let rest = '';
  const take = (line: string): void => {
    const tb = /^#tb 0: (\d+)\/(\d+)/.exec(line);
    if (tb !== null && Number(tb[1]) > 0 && Number(tb[2]) > 0) base = [Number(tb[1]), Number(tb[2])];
    // "0, dts, pts, duration, size, checksum"; a missing time is printed as NOPTS or as INT64_MIN.
    const packet = /^0,\s*(-?\d+|NOPTS),\s*(-?\d+|NOPTS),\s*(-?\d+),/.exec(line);
    if (packet === null) return;
    const pts = packet[2] === 'NOPTS' ? NaN : Number(packet[2]);
    if (!Number.isFinite(pts) || pts <= -9.2e18) {
      untimed++;
      return;
    }
    packets.push({ pts, duration: Number(packet[3]) });
  };
  out.setEncoding('utf8');
  out.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) take(line);
  });
  // fluent-ffmpeg reports the run's end once ffmpeg has exited, which may be before the last
  // of its output has come through this stream.
  const outEnded = new Promise<void>((resolve) => {
    out.once('end', resolve);
    out.once('error', () => resolve());
  });
  const run = watch(command);
  // Stopped (and waited for) when its answer is no longer wanted: the probe failed.
  signal?.addEventListener('abort', () => run.kill(), { once: true });
  command.run();
  const result = await run.done;
  await run.exit;
  if (result.error === null) await outEnded;
  out.destroy();
  if (result.error !== null) return null;
  take(rest);
  if (base === null) return null;
  const [num, den] = base as [number, number];
  const ms = (ticks: number): number => (ticks * num * 1000) / den;
  packets.sort((a, b) => a.pts - b.pts);
  const timesMs = packets.map((p) => ms(p.pts));
  let sharedTimes = 0;
  for (let i = 1; i < packets.length; i++) if (packets[i].pts === packets[i - 1].pts) sharedTimes++;
  const last = packets.at(-1);
  const wholeMs = timesMs.length > 1 && timesMs.every((t) => Math.abs(t - Math.round(t)) < 1e-6);
  const stated = last !== undefined && last.duration > 0;
  const own = stated && durationsFitGaps(packets);
  return { timesMs, untimed, sharedTimes, unitMs: wholeMs ? Math.max(1, ms(1)) : ms(1), ...(own ? { endMs: ms(last.pts + last.duration) } : {}), ...(stated && !own ? { durationsGuessed: true } : {}) };
}

/**
 * Whether the packets' durations are their own (most of them reach the next packet's time,
 * within a tick) rather than one guess for all. A stream copy reports one duration for every
 * packet of an MP4 whose times jitter: 1/tbr in the bundled ffmpeg 4.1 for a Matroska of
 * 30 fps remuxed (gaps of 33 and 34 ms, tbr 60), whose last frame then ended 16.7 ms after
 * it began, and the GIF writer folded it into the one before. `packets`: sorted by time.
 */
function durationsFitGaps(packets: readonly { pts: number; duration: number }[]): boolean {
  let fits = 0;
  for (let i = 0; i + 1 < packets.length; i++) if (Math.abs(packets[i + 1].pts - packets[i].pts - packets[i].duration) <= 1) fits++;
  return 2 * fits >= packets.length - 1;
}

/** How far past the part asked for the packet pass reads (see packetTimes). */
const PACKET_MARGIN_SEC = 2;

/**
 * Whether a constant-rate read at `fps` misplaces a frame: true when some frame's time is half
 * a frame or more from where that read shows it (the first frame's time plus a whole number of
 * frames, one per frame). Such frames are dropped or repeated (ffmpeg keeps its rate by
 * dropping and repeating frames a frame or more off), or shown at the wrong time. Only the
 * frames before `untilSec` (from the first frame's time) count, when given. False when any
 * packet has no time, or there are fewer than 2: the constant-rate read is kept.
 */
export function misplacedAtRate(packets: PacketTimes, fps: number, untilSec?: number): boolean {
  const { timesMs } = packets;
  if (packets.untimed > 0 || timesMs.length < 2 || !(fps > 0)) return false;
  const first = timesMs[0];
  for (let i = 1; i < timesMs.length; i++) {
    const at = timesMs[i] - first;
    if (untilSec !== undefined && at >= untilSec * 1000) break;
    if (Math.abs((at * fps) / 1000 - i) >= 0.5) return true;
  }
  return false;
}

/**
 * The lowest of the common frame rates (and `nominal`, the stream's own) at which every delay
 * is a whole number of frames, give or take what rounding the times to `unitMs` moves them,
 * at most `maxFps`; undefined when none is. Joined 10 and 30 fps clips stored in milliseconds
 * have delays of 100, 33 and 34 ms: 30 fps, where an exact fit (rateForDelays) took 50 and a
 * video showed the 30 fps frames for one and two frames of 50 fps in turn.
 */
export function commonRateFor(delaysMs: readonly number[], unitMs: number, nominal: number, maxFps: number): number | undefined {
  const distinct = [...new Set(delaysMs)];
  // Lowest first; a whole rate before the NTSC rate just under it (30, then 30000/1001).
  const candidates = [...new Set([nominal, ...COMMON_RATES])].filter((r) => r <= maxFps).sort((a, b) => Math.round(a * 1.001) - Math.round(b * 1.001) || b - a);
  return candidates.find((rate) => {
    // Two times each rounded to the time base: a delay is off by up to one step.
    const slack = (rate * unitMs) / 1000 + 1e-6;
    return distinct.every((d) => {
      const frames = (d * rate) / 1000;
      return Math.round(frames) >= 1 && Math.abs(frames - Math.round(frames)) <= slack;
    });
  });
}

/**
 * Where no common rate fits every delay (parts at 25 and 30 fps: 150 fps would, over the
 * cap), a rate that shows every frame when the stream's own (`nominal`) would not: the first
 * common rate (or `maxFps`) whose tick is no longer than the shortest delay, give or take a
 * step of `unitMs`; the longer frames are shown a tick more here and there. (Read at the
 * stated 25 fps, one frame in six of the 30 fps part was lost, unsaid.) Undefined (the
 * stream's rate) when no delay is shorter than 90% of its frame: a constant-rate stream whose
 * times jitter, which a finer rate would only fill with repeats (29.5 fps, 2 ms of jitter: 48
 * fps). The shortest delay is taken among the 98% longest, so that a stray gap does not set it.
 */
export function rateKeepingEveryFrame(delaysMs: readonly number[], unitMs: number, nominal: number, maxFps: number): number | undefined {
  const sorted = [...delaysMs].sort((a, b) => a - b);
  const shortest = sorted[Math.floor(0.02 * sorted.length)] + unitMs;
  if (!(shortest < (0.9 * 1000) / nominal)) return undefined;
  const needed = 1000 / shortest;
  return Math.min(maxFps, COMMON_RATES.find((rate) => rate >= needed) ?? needed);
}

/** Frame rates of cameras, screen recorders and broadcast, for commonRateFor; whole rates before NTSC's at about the same rate. */
const COMMON_RATES = [1, 2, 5, 6, 8, 10, 12, 12000 / 1001, 15, 15000 / 1001, 20, 24, 24000 / 1001, 25, 30, 30000 / 1001, 48, 48000 / 1001, 50, 60, 60000 / 1001, 72, 90, 100, 120, 120000 / 1001];

/** How frames are timed from their presentation times (see frameClock). */
export interface ClockPlan {
  /** Milliseconds: the delay of a frame with no time, and of the last when the stream's end is not known. */
  readonly nominalMs: number;
  /** Milliseconds from the file's start: where the stream ends, when known. */
  readonly endMs?: number;
  /**
   * `endMs` is the container's stated length, the packets having no durations: a muxer that
   * knew none (ffmpeg 5.1 writing Matroska with -vsync vfr) states the last frame's start
   * there, so an end less than half a gap after that frame is taken for its start.
   */
  readonly endStated?: boolean;
  /** Seconds: the part to read (--duration), from the first frame (or from 0, with `fromZero`). */
  readonly durationSec?: number;
  /**
   * The first frame is shown from the file's time 0, not from its own time: the picture keeps
   * its place beside sound read with it (see readFrames' soundBeside).
   */
  readonly fromZero?: boolean;
  /** The shortest frame the output can show (a GIF: 20 ms): shorter ones give their time to their neighbours (see fitShortFrames). */
  readonly shortestMs?: number;
}

/**
 * Frames timed by their presentation times, given one at a time: `push(item, timeMs)` gives
 * the frames whose delay is now known (each frame is shown until the next one's time, so one
 * is held back), `end()` the rest, the last shown until the stream's end, at most as long as
 * the gap before it (a nominal frame when neither is known). `done` turns true
 * once a frame starts past the part asked for: the caller reads no further.
 *
 * A frame with no time (NaN) comes a nominal frame after the one before. One at the same
 * time as the frame before is left out (it has no time of its own; ffmpeg's own
 * variable-rate output drops it too). One before it (timestamps that start again, as in a
 * capture joined from pieces) starts a nominal frame after it, and so do the frames after it.
 */
export function frameClock<T>(plan: ClockPlan): { push(item: T, timeMs: number): Shown<T>[]; end(): Shown<T>[]; readonly done: boolean } {
  const fitter = plan.shortestMs === undefined ? null : shortFrameFitter<T>(plan.shortestMs);
  const cutMs = plan.durationSec === undefined ? Infinity : plan.durationSec * 1000;
  let originMs = NaN; // the time, in the file's milliseconds, that is 0 on the output's timeline
  let shiftMs = 0; // added to every later time, after timestamps went back
  let held: { item: T; atMs: number } | null = null;
  let lastGapMs: number | undefined;
  let count = 0; // frames handed on (before fitting)
  let done = false;
  const pass = (item: T, delayMs: number): Shown<T>[] => {
    count++;
    return fitter === null ? [{ item, delayMs }] : fitter.push(item, delayMs);
  };
  // The held frame, shown until `endMs` or the part's end, whichever is first. One cut short
  // by the part's end is left out under 2 cs (as planFrames does) unless it is the only one.
  const release = (frame: { item: T; atMs: number }, endMs: number): Shown<T>[] => {
    const until = Math.min(endMs, cutMs);
    const cut = until < endMs;
    if (cut && until - frame.atMs < SHORTEST_CUT_MS && count > 0) return [];
    return pass(frame.item, Math.max(until - frame.atMs, cut ? SHORTEST_CUT_MS : 0));
  };
  return {
    get done() {
      return done;
    },
    push(item, timeMs) {
      if (done) return [];
      let ms = timeMs + shiftMs;
      if (Number.isNaN(originMs)) {
        const first = Number.isFinite(ms) ? ms : 0;
        originMs = plan.fromZero === true ? Math.min(0, first) : first;
      }
      if (!Number.isFinite(ms)) ms = held === null ? originMs : held.atMs + plan.nominalMs + originMs;
      else if (held !== null && ms - originMs < held.atMs) {
        // Timestamps went back: this frame and the ones after it follow on a frame later.
        const want = held.atMs + (lastGapMs ?? plan.nominalMs) + originMs;
        shiftMs += want - ms;
        ms = want;
      }
      // The first frame is shown from 0: from its own time, or (fromZero) from the file's start.
      const atMs = held === null && count === 0 ? 0 : ms - originMs;
      if (held !== null && atMs === held.atMs) return [];
      const out: Shown<T>[] = [];
      if (held !== null) {
        lastGapMs = atMs - held.atMs;
        out.push(...release(held, atMs));
      }
      if (atMs >= cutMs) {
        done = true;
        held = null;
        out.push(...(fitter?.end() ?? []));
        return out;
      }
      held = { item, atMs };
      return out;
    },
    end() {
      const out: Shown<T>[] = [];
      if (held !== null) {
        // The stream's end is of no use once timestamps went back: it may be before the reset.
        const endMs = plan.endMs !== undefined && shiftMs === 0 ? plan.endMs - originMs : NaN;
        // Up to the stream's end, but no longer than the gap before it: packet durations may be
        // guessed from the first frames' rate (MPEG-TS, a Matroska's default duration).
        const stated = plan.endStated === true && lastGapMs !== undefined && endMs - held.atMs < lastGapMs / 2;
        const toEnd = endMs > held.atMs && !stated ? endMs - held.atMs : Infinity;
        const natural = lastGapMs !== undefined ? Math.min(toEnd, lastGapMs) : Number.isFinite(toEnd) ? toEnd : plan.nominalMs;
        out.push(...release(held, held.atMs + natural));
        held = null;
      }
      if (!done) out.push(...(fitter?.end() ?? []));
      done = true;
      return out;
    },
  };
}

/**
 * The times of the frames that pass ffmpeg's showinfo filter, from its stderr lines, in order:
 * `line` takes each line, `next` gives the next frame's time in milliseconds (NaN for a frame with
 * no time, or when the run ended before its line came), `close` says no more lines come. Lines
 * are paired with frames by order, not by showinfo's count ("n:"), which starts again when
 * ffmpeg rebuilds its filters (the frame size changes). Times are read as whole ticks of the
 * filter's time base ("config in time_base: 1/90000"): showinfo's pts_time has six
 * significant digits, 10 ms steps past 1000 s.
 */
export function showinfoTimes(): { line(line: string): void; next(): Promise<number>; close(): void } {
  const times: number[] = [];
  let taken = 0;
  let closed = false;
  let base: [number, number] | null = null;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    line(line) {
      const tb = /\] config in time_base: (\d+)\/(\d+)/.exec(line);
      if (tb !== null && Number(tb[1]) > 0 && Number(tb[2]) > 0) base = [Number(tb[1]), Number(tb[2])];
      // Anywhere in the line: the bundled ffmpeg prints other threads' messages without line breaks.
      const frame = /\] n: *\d+ +pts: *(NOPTS|-?\d+) +pts_time: *(\S+)/.exec(line);
      if (frame === null) return;
      times.push(frame[1] === 'NOPTS' ? NaN : base !== null ? (Number(frame[1]) * base[0] * 1000) / base[1] : Number(frame[2]) * 1000);
      poke();
    },
    async next() {
      while (taken >= times.length) {
        if (closed) return NaN;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return times[taken++];
    },
    close() {
      closed = true;
      poke();
    },
  };
}
