import { ChromaseedError } from '../errors.js';

/**
 * A one-line progress display on stderr: frames done, frames per second and ETA.
 * Drawn only when stderr is a terminal (logs and pipes stay clean) and at most four
 * times a second, so a fast run is not slowed by its own bar.
 */
export interface Progress {
  tick(done: number): void;
  done(): void;
}

interface Tty {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 250;

export function createProgress(stream: Tty, label: string, total: number | undefined, enabled: boolean): Progress {
  if (!enabled || !stream.isTTY) return { tick() {}, done() {} };
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const draw = (n: number): void => {
    const elapsed = (Date.now() - started) / 1000;
    const fps = elapsed > 0 ? n / elapsed : 0;
    let line = `${label} ${n}${total ? `/${total}` : ''} ${n === 1 && !total ? 'frame' : 'frames'}  ${fps.toFixed(1)} fps`;
    if (total && fps > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((n / total) * width));
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${total}  ${fps.toFixed(1)} fps  ETA ${formatSeconds((total - n) / fps)}`;
    }
    const cols = stream.columns || 80; // a terminal of unknown size reports 0 columns
    // Clear to the end of the line: a shorter line must not leave the tail of the last one.
    stream.write('\r' + line.slice(0, cols - 1) + '\x1b[K');
    drawn = true;
  };
  return {
    tick(n) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      draw(n);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/**
 * What a failed frame loop throws, after clearing the progress line and removing the
 * partial output: Ctrl-C is reported as an interruption, anything else as itself.
 */
export async function failedRun(err: unknown, progress: Progress, output: { abort(): Promise<void> } | null, signal?: AbortSignal): Promise<never> {
  progress.done();
  await output?.abort();
  throw signal?.aborted ? new ChromaseedError('ERR_ABORTED', 'interrupted; no output written') : err;
}
