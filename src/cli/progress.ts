import type { Frame, FrameSource, TimedFrame } from '../types.js';
import { countOf, oneLine } from './report.js';
import { listenToHeartbeat } from '../kmeans/heartbeat.js';

/**
 * A one-line progress display on stderr: frames done, frames per second and ETA.
 * Drawn only when stderr is a terminal (logs and pipes stay clean) and at most four
 * times a second, so a fast run is not slowed by its own bar.
 */
export interface Progress {
  tick(done: number): void;
  /** Clears the line. */
  done(): void;
  /** Replaces the line with the label and `note` (what comes next), left for the next progress line to draw over. */
  leave(note: string): void;
  /** The clip's frame count, learnt while the run goes (a first pass counted them): a bar and an ETA from the next redraw. */
  setTotal(frames: number): void;
  /**
   * Says that every frame is done and the output is being finished: a video's encoder can
   * take seconds more (3 s for cockatoo.mp4 to MP4), which the last line, "277/280 ... ETA
   * 0s", left unexplained.
   */
  finishing(): void;
}

interface Tty {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 250;

/**
 * How long a run may go without its first frame done before its line is drawn anyway, at 0
 * frames: a first frame's k-means with its restarts took 3.4 s at 1080p, with nothing on
 * the terminal. Not at once: a run done sooner draws no line at all.
 */
const FIRST_LINE_MS = 1000;

/** Progress lines drawn so far, by any progress: a run's line at 0 frames is not drawn over a first pass's. */
let linesShown = 0;

/**
 * The rate (and the ETA) is shown once frames have come for this long: measured over the
 * first one or two frames it was mostly what started with them (an encoder, a busy
 * machine), and a 3-second run began "ETA 1m47s".
 */
const RATE_MIN_SECONDS = 1;

/** The bar's width where the line has room; it narrows before the figures are cut, and goes below this. */
const BAR_COLUMNS = 24;
const BAR_MIN_COLUMNS = 6;
/** Columns the file name keeps (with its "…") before the bar gives way, or the name to the pass's. */
const NAME_MIN_COLUMNS = 4;

/**
 * `name` names the file; `stage`, when given, says which pass this is ("counting colours").
 * On a narrow terminal the name is shortened first, then the bar narrows and goes, then the
 * name gives way to the pass, and the figures (frames, rate, ETA) are cut last.
 */
export function createProgress(stream: Tty, name: string, frameCount: number | undefined, enabled: boolean, stage?: string): Progress {
  // A newline in the name drew a line per redraw instead of one line drawn over.
  const label = oneLine(name);
  if (!enabled || !stream.isTTY) return { tick() {}, done() {}, leave() {}, setTotal() {}, finishing() {} };
  let total = frameCount;
  // The rate is measured from the first frame done, not from the start: what comes before
  // it (opening the input, a first frame's k-means with restarts, a pass counting colours)
  // is no guide to the frames that follow, and counted in, it made the first ETAs hours long.
  let first: { n: number; at: number } | null = null;
  let lastDraw = -Infinity;
  let drawn = false;
  let framesDone = 0; // at the last tick, drawn or not (for `finishing`)
  const pass = stage === undefined ? '' : `: ${stage}`;
  const columns = (): number => stream.columns || 80; // a terminal of unknown size reports 0 columns
  /** The name and the pass in at most `room` columns. */
  const labelIn = (room: number): string => {
    if (columnsOf(label) + columnsOf(pass) <= room) return label + pass;
    if (room - columnsOf(pass) >= NAME_MIN_COLUMNS) return fitted(label, room - columnsOf(pass)) + pass;
    return stage === undefined ? fitted(label, room) : fitted(stage, room);
  };
  // The columns the label needs before a bar gets any: the name at its shortest, the pass whole.
  const labelMin = Math.min(columnsOf(label), NAME_MIN_COLUMNS) + columnsOf(pass);
  // Whether there is a bar is decided for the figures at their usual widest, so that it does
  // not come and go between redraws as the rate and the ETA appear.
  const widestFor = (frames: number | undefined): number => (frames ? columnsOf(`${frames}/${frames}  999.9 fps  ETA 9m59s`) : 0);
  let widestFigures = widestFor(total);
  const draw = (n: number, now: number): void => {
    const elapsed = first === null ? 0 : (now - first.at) / 1000;
    const fps = first !== null && elapsed >= RATE_MIN_SECONDS && n > first.n ? (n - first.n) / elapsed : 0;
    const rate = fps > 0 ? `  ${fps.toFixed(1)} fps` : '';
    // A total the frames have passed was an estimate from the stated length, and too low: gone.
    if (!total || n > total) return show(`${countOf(n, 'frame')}${rate}`);
    const figures = `${n}/${total}${rate}${fps > 0 ? `  ETA ${formatSeconds(Math.max(0, total - n) / fps)}` : ''}`;
    // Room for "[bar] " (the bar and 3 columns) beside the label, a space and the figures,
    // short of the last column.
    // The bar and the name are sized for the figures at their widest, not as they are now:
    // sized as they came, the name was cut once the rate appeared and the bar changed width.
    const widest = Math.max(widestFigures, columnsOf(figures));
    const room = columns() - 1 - labelMin - 1 - widest - 3;
    if (room < BAR_MIN_COLUMNS) return show(figures, widest);
    const width = Math.min(BAR_COLUMNS, room);
    const filled = Math.min(width, Math.round((n / total) * width));
    show(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}`, width + 3 + widest);
  };
  /** `figures` after the label, which gets what `reserve` columns of figures leave. */
  const show = (figures: string, reserve = columnsOf(figures)): void => {
    const cols = columns();
    // The label gives way to the figures, and the line never reaches the last column: a line
    // that wraps is no longer redrawn in place, and each redraw would add one.
    // A label cut to fewer columns than a name keeps ("…", "c…") names nothing: none then.
    const room = cols - 2 - reserve;
    const line = `${room >= NAME_MIN_COLUMNS ? labelIn(room) : ''} ${figures}`.trim();
    // Clear to the end of the line: a shorter line must not leave the tail of the last one.
    const text = fitted(line, cols - 1);
    stream.write('\r' + text + clearAfter(text, cols));
    drawn = true;
    linesShown++;
  };
  const shownBefore = linesShown;
  const stopWaiting = afterFirstLineWait(() => {
    if (first === null && linesShown === shownBefore) draw(0, Date.now());
  });
  return {
    tick(n) {
      stopWaiting();
      const now = Date.now();
      framesDone = n;
      first ??= { n, at: now };
      if (now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      draw(n, now);
    },
    done() {
      stopWaiting();
      if (drawn) clearProgressLine(stream);
    },
    leave(note) {
      stopWaiting();
      show(note);
    },
    setTotal(frames) {
      total = frames;
      widestFigures = widestFor(frames);
    },
    finishing() {
      stopWaiting();
      // The frames may end short of an estimated total, or past it: then only their number.
      if (drawn) show(`${framesDone === total ? `${total}/${total}` : countOf(framesDone, 'frame')}, writing the output…`);
    },
  };
}

/**
 * `label: note` on a line of its own once the work it names has gone on for a second (on a
 * terminal): a still's palette, clustered on a thread, took 2.7 s on a 24-megapixel photo
 * of film grain with nothing shown (8.5 s on a busy machine). Returns what ends it,
 * clearing the line if it was drawn.
 */
export function noteWhileSlow(stream: Tty, label: string, note: string, enabled: boolean): () => void {
  if (!enabled || !stream.isTTY) return () => undefined;
  let shown: Progress | null = null;
  const stopWaiting = afterFirstLineWait(() => {
    shown = createProgress(stream, label, undefined, true, note);
    shown.leave('');
  });
  return () => {
    stopWaiting();
    shown?.done();
  };
}

/**
 * Calls `act` once FIRST_LINE_MS have passed: by a timer while this thread waits (for
 * ffmpeg, or for work on another thread), or on a heartbeat of a clustering that holds it
 * (see heartbeat.ts), whichever comes first. Returns what cancels it.
 */
function afterFirstLineWait(act: () => void): () => void {
  const startedAt = Date.now();
  const fire = (): void => {
    stop();
    act();
  };
  const timer = setTimeout(fire, FIRST_LINE_MS);
  timer.unref();
  const stopListening = listenToHeartbeat(() => {
    if (Date.now() - startedAt >= FIRST_LINE_MS) fire();
  });
  const stop = (): void => {
    clearTimeout(timer);
    stopListening();
  };
  return stop;
}

/**
 * A dumb terminal (TERM=dumb: an editor's shell buffer) has no "clear to the end of the
 * line": there spaces cover what is left of the last line instead.
 */
function clearAfter(text: string, cols: number): string {
  return process.env.TERM === 'dumb' ? ' '.repeat(Math.max(0, cols - 1 - columnsOf(text))) : '\x1b[K';
}

/** Clears the line a progress display left on a terminal (a pass's last note), before what is printed next. */
export function clearProgressLine(stream: Tty): void {
  if (stream.isTTY) stream.write('\r' + clearAfter('', stream.columns || 80) + (process.env.TERM === 'dumb' ? '\r' : ''));
}

/**
 * `open`, with the frames of its first pass drawn on a progress line of their own: a pass
 * that writes nothing (counting a clip's colours for one palette: `--seeding global`, a
 * transfer's source) left the terminal silent for as long as the run after it. `onCounted`
 * learns how many frames it read, once it has read them all.
 */
export function showingFirstPass(open: () => Promise<FrameSource>, stream: Tty, label: string, stage: string, enabled: boolean, onCounted?: (frames: number) => void): () => Promise<FrameSource> {
  let passes = 0;
  return async () => {
    const source = await open();
    if (passes++ > 0) return source;
    async function* counted(): AsyncGenerator<TimedFrame> {
      // Made as the reading starts: a line made with the source (its 0 frames drawn after a
      // second) was drawn after a run that failed before reading, its finally never reached.
      const progress = createProgress(stream, label, source.info.frameCount, enabled, stage);
      let n = 0;
      let complete = false;
      try {
        for await (const frame of source.frames) {
          yield frame;
          progress.tick(++n);
        }
        complete = true;
      } finally {
        // Clustering the colours counted can take seconds more (3 s after 1,200 frames of 640x360).
        if (complete) {
          progress.leave(`${n}/${n}, choosing the palette…`);
          onCounted?.(n);
        } else progress.done();
      }
    }
    return { info: source.info, frames: counted(), release: (frame: Frame) => source.release?.(frame), get warnings() { return source.warnings; } };
  };
}

/** East Asian wide characters (Hangul, CJK, kana, full-width forms, emoji): two terminal columns. */
function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || cp >= 0x20000;
}

const widthOf = (c: string): number => (isWide(c.codePointAt(0)!) ? 2 : 1);

/** Terminal columns `text` takes. */
function columnsOf(text: string): number {
  let width = 0;
  for (const c of text) width += widthOf(c);
  return width;
}

/** `text` cut to at most `columns` terminal columns, with "…" where it was cut. */
function fitted(text: string, columns: number): string {
  if (columnsOf(text) <= columns) return text;
  if (columns < 1) return '';
  let kept = '';
  let used = 1; // the ellipsis
  for (const c of text) {
    if (used + widthOf(c) > columns) break;
    kept += c;
    used += widthOf(c);
  }
  return `${kept}…`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  // Rounded once, so 119.6 s reads 2m00s, not 1m60s.
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  const sec = whole % 60;
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
