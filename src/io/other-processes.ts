import { fstatSync, statSync } from 'node:fs';

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
  if (typeof fd === 'number' && descriptorKind(fd) === 'pipe') involved = true; // no fd: in-process (a test's stream)
}

/** 'file', 'pipe' (another process at the other end), or what else descriptor `fd` is, as a phrase. */
export function descriptorKind(fd: number): 'file' | 'pipe' | 'a directory' | 'a device' | '/dev/null' {
  try {
    const s = fstatSync(fd);
    if (s.isFile()) return 'file';
    if (s.isDirectory()) return 'a directory';
    if (s.isFIFO() || s.isSocket()) return 'pipe';
    if (s.isCharacterDevice() && s.rdev === statSync('/dev/null', { throwIfNoEntry: false })?.rdev) return '/dev/null';
    return 'a device';
  } catch {
    return 'pipe'; // not a descriptor we can ask about: the stream is all there is
  }
}

export function dependsOnOtherProcess(): boolean {
  return involved;
}
