import { closeSync, openSync } from 'node:fs';
import { ChromaseedError } from '../errors.js';
import { dependsOnOtherProcess } from '../io/other-processes.js';
import type { CliStreams } from './main.js';
import { usageMessage } from './parser.js';
import { clearProgressLine } from './progress.js';
import { oneLine } from './report.js';

// How a run's end becomes what the user sees: one line on stderr and an exit code.

/** Exit codes, documented in the README. */
export const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/**
 * How long an error waits for a signal that may be on its way. A Ctrl-C on a terminal goes
 * to the whole process group, ffmpeg too, and ffmpeg's end ("stopped by SIGINT", "decoded
 * no frame") could be heard before this process's own signal: that was exit 1 and a message
 * blaming the input, for about a third of the Ctrl-Cs in a video's first 0.2 s. The same
 * holds for the programs at the other ends of piped standard input and output. A run that
 * has depended on no other process (other-processes.ts) does not wait: its error cannot be
 * the signal's doing, and it was 100 ms added to every error of that kind (a missing input,
 * -k 999).
 */
const SIGNAL_GRACE_MS = 100;

/** The error a run ended with, or the interruption when a signal came with it (see SIGNAL_GRACE_MS). */
export async function signalled(err: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal === undefined || (err instanceof ChromaseedError && err.code === 'ERR_ABORTED')) return err;
  if (!signal.aborted && dependsOnOtherProcess()) await new Promise((settle) => setTimeout(settle, SIGNAL_GRACE_MS));
  return signal.aborted ? new ChromaseedError('ERR_ABORTED', 'interrupted', { cause: err }) : err;
}

/**
 * The name of one of the command line's own bundle files that a lazy require could not find,
 * or null: the package replaced under a running command (an `npm ci` or a rebuild beside
 * it) is not a bug to report.
 */
function ownModuleMissing(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown; requireStack?: unknown };
  if (e?.code !== 'MODULE_NOT_FOUND' || !Array.isArray(e.requireStack) || !String(e.requireStack[0]).includes('cli-bundle')) return null;
  return /Cannot find module '([^']+)'/.exec(String(e.message))?.[1] ?? null;
}

export const INTERRUPTED_STREAM = 'interrupted; what standard output got of the GIF, if anything, is cut short';

/** What an interrupted run says, by where its output was going. */
export function interruptedLine(toStdout: boolean): string {
  return `chromaseed: ${toStdout ? INTERRUPTED_STREAM : 'interrupted; no output written'}\n`;
}

export function report(err: unknown, stderr: CliStreams['stderr'], argv: readonly string[] = []): number {
  // On a terminal, the message replaces what a progress line left (a pass's last note).
  clearProgressLine(stderr);
  if (err instanceof ChromaseedError && err.code === 'ERR_ABORTED') {
    // However far the run had got: every output is removed on the way out, but a stream.
    stderr.write(interruptedLine(err.message === INTERRUPTED_STREAM));
    return EXIT_INTERRUPTED;
  }
  if (err instanceof ChromaseedError) {
    stderr.write(`chromaseed: ${oneLine(err.message)}\n`);
    return err.code === 'ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  if (err instanceof Error && err.name === 'YError') {
    stderr.write(`chromaseed: ${oneLine(usageMessage(err.message.split('\n')[0], argv))}\n`);
    return EXIT_USAGE;
  }
  // Memory refused where no message of ours is made for it (a frame's or an image's buffers).
  if (isOutOfMemory(err)) {
    stderr.write(`chromaseed: not enough memory for this input (${(err as Error).message.replace(/\.$/, '')}); try a smaller input, or a clip at a smaller --width\n`);
    return EXIT_FAILURE;
  }
  // File descriptors refused where no message of ours names the file (a module of sharp's, a
  // worker thread's start), or where nothing names them at all: sharp reports a native
  // module it could not open for want of one as not installed. An error no other branch
  // explains, with the process unable to open a few more files, is put down to that.
  const shortage = descriptorShortage(err) ?? descriptorsShortNow();
  if (shortage !== null) {
    stderr.write(shortage === 'EMFILE' ? 'chromaseed: too many open files (EMFILE): this process reached its limit (ulimit -n); raise it\n' : "chromaseed: too many open files (ENFILE): the system's limit is reached; close other programs\n");
    return EXIT_FAILURE;
  }
  const missing = ownModuleMissing(err);
  if (missing !== null) {
    stderr.write(`chromaseed: its own file ${missing} is gone (reinstalled, rebuilt or removed while this ran?); run it again, or reinstall chromaseed\n`);
    return EXIT_FAILURE;
  }
  stderr.write(`chromaseed: internal error, please report it:\n${err instanceof Error ? err.stack : String(err)}\n`);
  return EXIT_FAILURE;
}

/**
 * An error no run could catch, thrown in a library's callback: fluent-ffmpeg reads the pipes
 * of an ffmpeg that could not be started, which are not there when the process has used up
 * its file descriptors (`ulimit -n`), and that was Node's own stack trace. Its TypeError
 * names no code, so whether descriptors ran out is probed, as for any error that nothing
 * else explains (see report). The exit hook removes the run's temporary files and ffmpeg
 * children either way.
 */
export function reportUncaught(err: unknown, stderr: CliStreams['stderr']): number {
  return report(err, stderr);
}

/** 'EMFILE' or 'ENFILE' when the process cannot open 8 more files now, else null: starting a child takes about 7 (a pipe each way for its 3 streams, one to hear of exec failing). */
function descriptorsShortNow(): string | null {
  let shortage: string | null = null;
  const probes: number[] = [];
  try {
    for (let i = 0; i < 8; i++) probes.push(openSync('/dev/null', 'r'));
  } catch (e) {
    shortage = descriptorShortage(e);
  }
  for (const fd of probes) closeSync(fd);
  return shortage;
}

/** 'EMFILE' (this process's limit) or 'ENFILE' (the system's) when `err` is a file descriptor refused, also where only its message says so (a worker thread that could not start). */
function descriptorShortage(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') return code;
  return (err instanceof Error && /\b(EMFILE|ENFILE)\b/.exec(err.message)?.[1]) || null;
}

/** What V8 and Node throw when a buffer cannot be had: too large to make, or no memory left for it. */
function isOutOfMemory(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof RangeError) {
    if (err.message.startsWith('Array buffer allocation failed') || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return true;
    // Past what a typed array may hold; not a negative or odd length, which is a bug.
    const length = /^Invalid typed array length: (\d+)$/.exec(err.message);
    return length !== null && Number(length[1]) >= 2 ** 31;
  }
  return err.name === 'DataCloneError' && /out of memory/i.test(err.message);
}
