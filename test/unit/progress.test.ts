import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, noteWhileSlow, showingFirstPass } from '../../src/cli/progress.js';
import { heartbeat } from '../../src/kmeans/heartbeat.js';
import { commitRun } from '../../src/cli/run-output.js';
import type { FinishOptions } from '../../src/io/frame-writer.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
}

// The terminal the tests run in (a CI's may be TERM=dumb) must not decide what they expect.
beforeEach(() => vi.stubEnv('TERM', 'xterm-256color'));
afterEach(() => vi.unstubAllEnvs());

describe('progress line', () => {
  afterEach(() => vi.useRealTimers());

  it('on a dumb terminal (TERM=dumb, no clear-to-end-of-line) covers the last line with spaces instead of ESC[K', () => {
    vi.stubEnv('TERM', 'dumb');
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'quantize', 280, true);
    progress.tick(1);
    progress.done();
    expect(writes.join('')).not.toContain('\x1b');
    // 99 columns each (the last is never written): the line, then blanks over it.
    expect(writes[0]).toMatch(/^\rquantize \[\.*\] 1\/280 +$/);
    expect(writes[0].length).toBe(1 + 99);
    expect(writes[1]).toBe('\r' + ' '.repeat(99) + '\r');
  });

  it('draws a name with a newline escaped, one line drawn over (each redraw added a line)', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'in\nput.gif', 30, true);
    progress.tick(1);
    progress.tick(2);
    progress.done();
    expect(writes.join('')).not.toContain('\n');
    expect(writes[0]).toMatch(/^\rin\\nput\.gif \[/);
  });

  it('redraws in place, clearing what a longer previous line left, with an ETA in minutes and seconds', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'quantize', 280, true);
    vi.setSystemTime(1_000);
    progress.tick(1); // no rate yet: the first frame only starts the clock
    vi.setSystemTime(2_000);
    progress.tick(4); // 3 fps: 276 frames left, 92 s
    vi.setSystemTime(11_000);
    progress.tick(250); // 24.9 fps: 30 frames left, 1 s
    progress.done();
    expect(writes).toHaveLength(4);
    expect(writes[0]).toMatch(/^\rquantize \[\.*\] 1\/280\x1b\[K$/);
    expect(writes[1]).toMatch(/^\rquantize \[#*\.*\] 4\/280 {2}3\.0 fps {2}ETA 1m32s\x1b\[K$/);
    expect(writes[2]).toMatch(/^\rquantize \[#*\.*\] 250\/280 {2}24\.9 fps {2}ETA 1s\x1b\[K$/);
    expect(writes[3]).toBe('\r\x1b[K');
  });

  it('says the output is being written once every frame is done (a video\'s encoder took 3 s more under "277/280 ... ETA 0s"), and nothing where no line was drawn', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'cockatoo.mp4', 280, true);
    for (let n = 1; n <= 280; n++) progress.tick(n); // all within one redraw: only the first is drawn
    progress.finishing();
    progress.done();
    expect(writes.slice(1)).toEqual(['\rcockatoo.mp4 280/280, writing the output…\x1b[K', '\r\x1b[K']);
    const silent = fakeStream(true);
    const unstarted = createProgress(silent.stream, 'cockatoo.mp4', 280, true);
    unstarted.finishing();
    unstarted.done();
    expect(silent.writes).toEqual([]);
  });

  it('drops an estimated total the frames pass, and names frames that end short of it by their number alone (it showed "50/133, writing the output")', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'late.mp4', 50, true);
    progress.tick(1);
    vi.setSystemTime(1_000);
    progress.tick(51);
    progress.finishing();
    expect(writes.slice(1)).toEqual(['\rlate.mp4 51 frames  50.0 fps\x1b[K', '\rlate.mp4 51 frames, writing the output…\x1b[K']);
    const short = fakeStream(true);
    const cut = createProgress(short.stream, 'late.mp4', 133, true);
    cut.tick(50);
    cut.finishing();
    expect(short.writes[1]).toBe('\rlate.mp4 50 frames, writing the output…\x1b[K');
  });

  it('measures the rate from the first frame, so a slow start (a pass counting colours) does not inflate the ETA', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'x', 100, true);
    vi.setSystemTime(60_000); // a minute before the first frame
    progress.tick(1);
    vi.setSystemTime(62_000);
    progress.tick(21); // 10 fps: 79 frames left
    expect(writes[1]).toMatch(/ 21\/100 {2}10\.0 fps {2}ETA 8s\x1b\[K$/);
  });

  it('a terminal that reports 0 columns (size unknown) gets the whole line', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    stream.columns = 0;
    const progress = createProgress(stream, 'x', 10, true);
    progress.tick(0);
    vi.setSystemTime(1_000);
    progress.tick(5);
    expect(writes[1]).toMatch(/ETA 1s\x1b\[K$/);
  });

  it('draws at most four times a second, and nothing when stderr is not a terminal', () => {
    vi.useFakeTimers({ now: 0 });
    const tty = fakeStream(true);
    const progress = createProgress(tty.stream, 'x', undefined, true);
    progress.tick(1);
    vi.setSystemTime(100);
    progress.tick(2);
    vi.setSystemTime(300);
    progress.tick(4); // no rate yet: too few frames to tell (below)
    vi.setSystemTime(450);
    progress.tick(5);
    vi.setSystemTime(1_000);
    progress.tick(11);
    expect(tty.writes).toEqual(['\rx 1 frame\x1b[K', '\rx 4 frames\x1b[K', '\rx 11 frames  10.0 fps\x1b[K']);
    const pipe = fakeStream(false);
    const silent = createProgress(pipe.stream, 'x', 10, true);
    vi.setSystemTime(1_000);
    silent.tick(5);
    silent.done();
    expect(pipe.writes).toEqual([]);
  });
});

describe('before the first frame is done', () => {
  afterEach(() => vi.useRealTimers());

  it('draws the line at 0 frames after a second (a first 1080p frame\'s k-means left the terminal blank for 3.4 s), not sooner, and not over another pass\'s line', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'x.mp4', 720, true);
    vi.advanceTimersByTime(999);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual([`\rx.mp4 [${'.'.repeat(24)}] 0/720\x1b[K`]);
    // The rate is still measured from the first frame done.
    vi.advanceTimersByTime(3000);
    progress.tick(1);
    vi.advanceTimersByTime(1000);
    progress.tick(11);
    expect(writes.at(-1)).toMatch(/ 11\/720 {2}10\.0 fps {2}ETA 1m11s\x1b\[K$/);

    // A run done within the second draws nothing, then or later.
    const quick = fakeStream(true);
    createProgress(quick.stream, 'y.gif', 3, true).done();
    vi.advanceTimersByTime(5000);
    expect(quick.writes).toEqual([]);

    // A first pass's line (counting colours) drawn meanwhile is not drawn over.
    const passes = fakeStream(true);
    createProgress(passes.stream, 'z.webm', undefined, true);
    createProgress(passes.stream, 'z.webm', undefined, true, 'counting colours').tick(1);
    vi.advanceTimersByTime(5000);
    expect(passes.writes).toEqual(['\rz.webm: counting colours 1 frame\x1b[K']);
  });
  it('draws it on a heartbeat of the clustering too, which holds the thread so that no timer fires (the helper-found blank 3 s of a 1080p first frame)', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, 'x.mp4', 720, true);
    // The clock moves while the thread is busy: timers cannot run, heartbeats can.
    vi.setSystemTime(999);
    heartbeat();
    expect(writes).toEqual([]);
    vi.setSystemTime(1000);
    heartbeat();
    expect(writes).toEqual([`\rx.mp4 [${'.'.repeat(24)}] 0/720\x1b[K`]);
    // Once: neither a later beat nor the timer draws it again.
    heartbeat();
    vi.advanceTimersByTime(5000);
    expect(writes.length).toBe(1);
    progress.tick(1);
    expect(writes.length).toBe(2);

    // A run whose first frame is done hears no more beats.
    const later = fakeStream(true);
    const run = createProgress(later.stream, 'y.mp4', 10, true);
    run.tick(1);
    vi.setSystemTime(10_000);
    heartbeat();
    expect(later.writes.length).toBe(1);
    run.done();
  });
});

describe('a note while slow work goes on', () => {
  afterEach(() => vi.useRealTimers());

  it('says what goes on once it has taken a second (a 24-megapixel still\'s palette: 2.7 s with nothing shown), and clears it when done; nothing for work done sooner, off a terminal or with --quiet', () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const end = noteWhileSlow(stream, 'photo.jpg', 'choosing the palette…', true);
    vi.advanceTimersByTime(999);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['\rphoto.jpg: choosing the palette…\x1b[K']);
    // No progress line of frames after it.
    vi.advanceTimersByTime(5000);
    end();
    expect(writes).toEqual(['\rphoto.jpg: choosing the palette…\x1b[K', '\r\x1b[K']);

    // Work that holds the thread (an image small enough to be clustered on it): its heartbeats draw the note.
    const held = fakeStream(true);
    const endHeld = noteWhileSlow(held.stream, 'noise.png', 'choosing the palette…', true);
    vi.setSystemTime(vi.getMockedSystemTime()!.valueOf() + 999);
    heartbeat();
    expect(held.writes).toEqual([]);
    vi.setSystemTime(vi.getMockedSystemTime()!.valueOf() + 1);
    heartbeat();
    heartbeat();
    expect(held.writes).toEqual(['\rnoise.png: choosing the palette…\x1b[K']);
    endHeld();
    heartbeat();
    expect(held.writes).toEqual(['\rnoise.png: choosing the palette…\x1b[K', '\r\x1b[K']);

    for (const [tty, enabled, wait] of [[true, true, 999], [false, true, 5000], [true, false, 5000]] as const) {
      const other = fakeStream(tty);
      const stop = noteWhileSlow(other.stream, 'photo.jpg', 'choosing the palette…', enabled);
      vi.advanceTimersByTime(wait);
      stop();
      vi.advanceTimersByTime(5000);
      expect(other.writes).toEqual([]);
    }
  });
});

describe('a frame count learnt from a first pass', () => {
  afterEach(() => vi.useRealTimers());

  it('gives the next pass of a clip that states none (a WebM) its bar and ETA, where it showed frames alone', async () => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    const main = createProgress(stream, 'x.webm', undefined, true);
    const frame = { width: 1, height: 1, data: new Uint8Array(4), delayMs: 40 };
    const open = async () => ({
      info: { width: 1, height: 1, loopCount: 0 },
      frames: (async function* () {
        for (let i = 0; i < 4; i++) yield frame;
      })(),
    });
    const read = showingFirstPass(open, stream, 'x.webm', 'counting colours', true, main.setTotal);
    for await (const f of (await read()).frames) expect(f).toBe(frame);
    main.tick(1);
    vi.setSystemTime(2_000);
    main.tick(3);
    expect(writes.slice(-2)).toEqual([`\rx.webm [${'#'.repeat(6)}${'.'.repeat(18)}] 1/4\x1b[K`, `\rx.webm [${'#'.repeat(18)}${'.'.repeat(6)}] 3/4  1.0 fps  ETA 1s\x1b[K`]);
  });
});

describe('a pass that writes nothing (showingFirstPass)', () => {
  it('draws its own line while the first pass reads, clears it after, and leaves the second pass alone', async () => {
    const { writes, stream } = fakeStream(true);
    const frame = { width: 1, height: 1, data: new Uint8Array(4), delayMs: 40 };
    let opened = 0;
    const open = async () => {
      opened++;
      return {
        info: { width: 1, height: 1, frameCount: 3, fps: 25, loopCount: 0 },
        frames: (async function* () {
          for (let i = 0; i < 3; i++) {
            await new Promise((r) => setTimeout(r, 520)); // past the redraw interval, and a second for a rate by the third frame
            yield frame;
          }
        })(),
        warnings: ['seen'],
      };
    };
    const read = showingFirstPass(open as never, stream, 'clip.mp4', 'counting colours', true);
    const first = await read();
    let n = 0;
    for await (const _ of first.frames) n++;
    expect([n, first.warnings]).toEqual([3, ['seen']]);
    expect(writes[0]).toMatch(/^\rclip\.mp4: counting colours \[#{8}\.{16}\] 1\/3\x1b\[K$/);
    expect(writes.at(-2)).toMatch(/ 3\/3 {2}1\.\d fps {2}ETA 0s\x1b\[K$/);
    // Left, not cleared: clustering the colours comes next, and the run's own line draws over it.
    expect(writes.at(-1)).toBe('\rclip.mp4: counting colours 3/3, choosing the palette…\x1b[K');
    const drawn = writes.length;
    for await (const _ of (await read()).frames) n++;
    expect([opened, n, writes.length]).toEqual([2, 6, drawn]);
  });
});

describe('progress line on a narrow terminal', () => {
  afterEach(() => vi.useRealTimers());

  it('shortens a long or wide file name, not the figures, and stays within the line', () => {
    vi.useFakeTimers({ now: 0 });
    for (const name of ['moviepy__big_buck_bunny_0_30_with_a_very_long_name_indeed.webm', '動画ファイルの名前がとても長い場合の表示.mp4']) {
      const { writes, stream } = fakeStream(true);
      stream.columns = 60;
      const progress = createProgress(stream, name, 720, true);
      progress.tick(0);
      vi.setSystemTime(Date.now() + 119_600);
      progress.tick(360); // 360 frames left at 3.01 fps: 119.6 s, shown as 2m00s, not 1m60s
      const shown = writes[1].slice(1, -3);
      expect(shown).toMatch(/^\S+… \[#{11}\.{11}\] 360\/720 {2}3\.0 fps {2}ETA 2m00s$/);
      const columns = [...shown].reduce((w, c) => w + (/[\u3000-\u9fff]/.test(c) ? 2 : 1), 0);
      expect(columns).toBeLessThanOrEqual(59);
    }
  });
});

describe('progress line: what gives way first', () => {
  afterEach(() => vi.useRealTimers());

  /** The lines drawn after the first frame and after 120 of 241 frames in 10 s, on a terminal `columns` wide (between "\r" and ESC[K). */
  const linesAt = (columns: number, name: string, stage?: string): string[] => {
    vi.useFakeTimers({ now: 0 });
    const { writes, stream } = fakeStream(true);
    stream.columns = columns;
    const progress = createProgress(stream, name, 241, true, stage);
    progress.tick(1);
    vi.setSystemTime(10_000);
    progress.tick(120);
    return writes.map((w) => w.slice(1, -3));
  };
  const lineAt = (columns: number, name: string, stage?: string): string => linesAt(columns, name, stage)[1];

  it('leaves the label out where less of it than a name keeps would fit (a 33-column terminal read "… 241/241, choosing the palette…")', () => {
    for (const [columns, shown] of [[33, '241/241, choosing the palette…'], [35, '241/241, choosing the palette…'], [36, 'cou… 241/241, choosing the palette…']] as const) {
      const { writes, stream } = fakeStream(true);
      stream.columns = columns;
      createProgress(stream, 'chaplin.mp4', 241, true, 'counting colours').leave('241/241, choosing the palette…');
      expect(writes.map((w) => w.slice(1, -3))).toEqual([shown]);
    }
  });

  it('keeps the pass\'s stage whole and cuts the file name (at 80 columns the stage was cut to "counting c…" and then lost)', () => {
    expect(lineAt(80, 'moviepy__big_buck_bunny_0_30.webm', 'counting colours')).toBe('mov…: counting colours [############............] 120/241  11.9 fps  ETA 10s');
  });

  it('narrows the bar, then leaves it out, before the figures are cut (at 40 columns the ETA was never shown)', () => {
    expect(lineAt(50, 'imageio__chaplin.mp4')).toBe('ima… [######......] 120/241  11.9 fps  ETA 10s');
    expect(lineAt(40, 'imageio__chaplin.mp4')).toBe('imageio_… 120/241  11.9 fps  ETA 10s');
    expect(lineAt(20, 'imageio__chaplin.mp4')).toBe('120/241  11.9 fps …');
  });

  it('gives the name up for the pass where both do not fit, and the pass for the figures (it began ": counting colours", no ETA)', () => {
    expect(lineAt(40, 'imageio__chaplin.mp4', 'counting colours')).toBe('counting… 120/241  11.9 fps  ETA 10s');
    expect(lineAt(60, 'imageio__chaplin.mp4', 'counting colours for one palette')).toBe('counting colours for one pal… 120/241  11.9 fps  ETA 10s');
    expect(lineAt(20, 'imageio__chaplin.mp4', 'counting colours')).toBe('120/241  11.9 fps …');
  });

  it('keeps the bar, or no bar, from the first redraw to the next, as the rate and the ETA appear', () => {
    expect(linesAt(40, 'chaplin.mp4').map((line) => /\[[#.]+\]/.test(line))).toEqual([false, false]);
    // And the name and the bar keep their widths: the name read "chaplin.mp4" until the rate
    // came, then "cha…", and the bar went from 24 to 12 columns.
    const [before, after] = linesAt(80, 'chaplin.mp4', 'counting colours for one palette');
    const layout = (line: string) => [line.slice(0, line.indexOf('[')), line.match(/\[[#.]+\]/)![0].length];
    expect(layout(before)).toEqual(layout(after));
    expect(after).toMatch(/ 120\/241 {2}11\.9 fps {2}ETA 10s$/);
  });
});

describe('a run ending with a picture beside its output (commitRun)', () => {
  const quiet = { tick() {}, done() {}, leave() {}, setTotal() {}, finishing() {} };
  const output = () => {
    const calls: string[] = [];
    // As a writer does: the picture is placed once the output is complete, just before the output.
    const finish = async (options?: FinishOptions) => {
      await options?.beforePlace?.();
      calls.push('finish');
      return 'done';
    };
    return { calls, finish, abort: async () => void calls.push('abort') };
  };

  it('writes the picture first: when that fails, the main output is abandoned, not committed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'commit-run-'));
    const main = output();
    await expect(commitRun(main, async () => [[path.join(dir, 'missing/tl.png'), new Uint8Array(8)] as const], 'in.gif', quiet)).rejects.toMatchObject({ code: 'ERR_OUTPUT' });
    expect(main.calls).toEqual(['abort']);
    // A picture that cannot be drawn (transfer's swatch of a clear first frame was drawn
    // before this, so the output was left open, its encoder thread holding the process).
    const undrawn = output();
    await expect(commitRun(undrawn, async () => { throw new Error('cannot draw it'); }, 'in.gif', quiet)).rejects.toThrow('cannot draw it');
    expect(undrawn.calls).toEqual(['abort']);
    const next = output();
    expect(await commitRun(next, async () => [[path.join(dir, 'tl.png'), new Uint8Array([1, 2, 3])] as const], 'in.gif', quiet)).toBe('done');
    expect([next.calls, [...readFileSync(path.join(dir, 'tl.png'))]]).toEqual([['finish'], [1, 2, 3]]);
    rmSync(dir, { recursive: true });
  });

  it('Ctrl-C while the output is finished stops it: the output is aborted and the run reports the interruption', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'commit-run-'));
    const controller = new AbortController();
    const calls: string[] = [];
    let stopEncoder!: () => void;
    let finishing!: () => void;
    const finished = new Promise<void>((resolve) => (finishing = resolve));
    // Like a video encoder flushing its last frames: finish waits on ffmpeg, which the abort kills.
    const encoding = {
      finish: () => {
        finishing();
        return new Promise<string>((_, reject) => (stopEncoder = () => reject(new Error('ffmpeg was killed with signal SIGKILL'))));
      },
      abort: async () => {
        calls.push('abort');
        stopEncoder();
      },
    };
    const run = commitRun(encoding, async () => [[path.join(dir, 'tl.png'), new Uint8Array(8)] as const], 'in.mp4', quiet, controller.signal);
    // During the finish, not before it: waited for, where a fixed 20 ms came before it under load (the picture is placed first).
    await finished;
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(calls[0]).toBe('abort');
    expect(readdirSync(dir)).toEqual([]);
    // Aborted before it starts (between the last frame and the finish): nothing is finished.
    const late = output();
    await expect(commitRun(late, null, 'in.mp4', quiet, controller.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(late.calls).toEqual(['abort']);
    rmSync(dir, { recursive: true });
  });

  it('leaves no picture when the main output fails to finish', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'commit-run-'));
    const failing = { finish: async () => Promise.reject(new Error('disk full')), abort: async () => undefined };
    await expect(commitRun(failing, async () => [[path.join(dir, 'tl.png'), new Uint8Array(8)] as const], 'in.gif', quiet)).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
