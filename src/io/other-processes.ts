import { fstatSync } from 'node:fs';

/**
 * Whether this run has depended on another process that a Ctrl-C on the terminal reaches
 * too (it goes to the whole process group): an ffmpeg child, or the program at the other
 * end of a pipe on standard input or output. Only then can a run's error be the signal's
 * doing, seen before the signal itself reaches this process (see main.ts's
 * SIGNAL_GRACE_MS), and only then is it worth waiting for the signal.
 */
let involved = false;

export function dependOnOtherProcess(): void {
  involved = true;
}

/** Notes standard output (`stream`) when another program reads it: a pipe or a socket. */
export function notePipedOutput(stream: object): void {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return; // in-process (a test's stream)
  try {
    const kind = fstatSync(fd);
    if (kind.isFIFO() || kind.isSocket()) involved = true;
  } catch {
    involved = true; // cannot tell: wait as before
  }
}

export function dependsOnOtherProcess(): boolean {
  return involved;
}
