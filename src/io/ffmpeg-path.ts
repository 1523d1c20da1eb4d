import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { ChromaseedError } from '../errors.js';

/** Where the ffmpeg binary came from, so error messages can say which one failed. */
export type FfmpegSource = 'env' | 'bundled' | 'path';

export interface FfmpegLocation {
  readonly path: string;
  readonly source: FfmpegSource;
}

let cached: FfmpegLocation | undefined;
/** Why the bundled binary is not used, for the message when PATH has none either. */
let noBundled = 'there is no bundled ffmpeg for this platform';

/**
 * The ffmpeg binary to run, in this order: `FFMPEG_PATH` from the environment (the user's
 * explicit choice), then the binary shipped by `@ffmpeg-installer/ffmpeg`, then `ffmpeg` on
 * PATH. The bundled package throws (a string, not an Error) at load time when its binary is
 * missing for this platform, so it is loaded lazily through `require` inside a try.
 */
export function ffmpegLocation(): FfmpegLocation {
  const fromEnv = process.env.FFMPEG_PATH;
  if (fromEnv) return { path: fromEnv, source: 'env' };
  if (cached) return cached;
  cached = { path: 'ffmpeg', source: 'path' };
  try {
    const require = createRequire(import.meta.url);
    const bundled = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    if (bundled.path && isExecutable(bundled.path)) cached = { path: bundled.path, source: 'bundled' };
  } catch (err) {
    // No bundled binary: fall back to `ffmpeg` on PATH. The package throws one string for a
    // platform it has no binary for and another where that platform's package is missing
    // (an install with --omit=optional).
    if (typeof err === 'string' && err.startsWith('Could not find ffmpeg executable')) {
      noBundled = `the bundled ffmpeg's package for this platform (@ffmpeg-installer/${process.platform}-${process.arch}) is not installed`;
    }
  }
  return cached;
}

const checked = new Set<string>();

/**
 * Throws ERR_FFMPEG unless the chosen binary exists and is executable. Checked before every
 * run because fluent-ffmpeg 2.1.3 crashes with a TypeError inside its spawn-error handler
 * (and never reports the failure) when the binary cannot be started.
 */
function assertFfmpegRunnable(): FfmpegLocation {
  const where = ffmpegLocation();
  if (checked.has(where.path)) return where;
  const candidates = where.path.includes(path.sep)
    ? [where.path]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, where.path));
  if (!candidates.some(isExecutable)) {
    const what =
      where.source === 'env'
        ? `FFMPEG_PATH is ${where.path}, which is missing, not a file or not executable`
        : where.source === 'bundled'
          ? `the bundled ${where.path} is not executable`
          : `${noBundled} and there is no ffmpeg on PATH`;
    throw new ChromaseedError('ERR_FFMPEG', `cannot run ffmpeg: ${what}; install ffmpeg or set FFMPEG_PATH to one`);
  }
  checked.add(where.path);
  return where;
}

const passthroughFlags = new Map<string, string[]>();

/**
 * The output options that give every decoded frame once, without resampling to a constant
 * rate: `-fps_mode passthrough` from ffmpeg 5.1 (version 9 removed the older `-vsync`); the
 * bundled 4.1 knows only `-vsync passthrough`. Which one the binary takes is asked once, by
 * giving it `-fps_mode` with `-version` (version strings do not tell: the bundled binary's
 * is a git build's, "N-47683-…").
 */
export function passthroughOptions(): string[] {
  const where = assertFfmpegRunnable();
  let flags = passthroughFlags.get(where.path);
  if (flags === undefined) {
    const probe = spawnSync(where.path, ['-hide_banner', '-fps_mode', 'passthrough', '-version'], { stdio: 'ignore', timeout: 10_000 });
    flags = [probe.status === 0 ? '-fps_mode' : '-vsync', 'passthrough'];
    passthroughFlags.set(where.path, flags);
  }
  return flags;
}

/**
 * A fluent-ffmpeg command bound to the chosen binary (set per command, not globally). An
 * input named like a protocol ("pipe:x.mp4", "http:clip.mp4") is given as "file:NAME":
 * ffmpeg would otherwise read "pipe:" from standard input and wait there forever.
 */
export function ffmpegCommand(input?: string): ffmpeg.FfmpegCommand {
  assertFfmpegRunnable();
  const command = input === undefined ? ffmpeg() : ffmpeg(ffmpegInputName(input));
  command.setFfmpegPath(ffmpegLocation().path);
  skipCapabilityQueries(command);
  return command;
}

/**
 * Before a process's first command, fluent-ffmpeg asks the binary for its formats and its
 * encoders (`ffmpeg -formats`, `ffmpeg -encoders`: two more processes, one after the other,
 * 37 ms before every video read or write could start), to refuse a format or codec it
 * lacks and to add `-strict experimental` after an experimental `-vcodec` or `-acodec`.
 * ffmpeg refuses unknown names itself, and a failed run is reported from what it printed
 * (ffmpegFailure; an unknown input format, of which it prints nothing, is asked about after:
 * ffmpegHasDemuxer); codecs are named here as `-c:v` and `-c:a`, which the second step does
 * not look at. So both queries only cost time. fluent-ffmpeg 2.1.3, its last release, makes
 * them in these two methods of every command.
 */
function skipCapabilityQueries(command: ffmpeg.FfmpegCommand): void {
  const steps = command as unknown as { _checkCapabilities(done: () => void): void; availableEncoders(answer: (err: null, encoders: ffmpeg.Encoders) => void): void };
  steps._checkCapabilities = (done) => done();
  steps.availableEncoders = (answer) => answer(null, {});
}

/** A file name as ffmpeg must be given it: one that looks like a protocol gets "file:". */
export function ffmpegInputName(file: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file) ? `file:${file}` : file;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    // A directory is "executable" too (FFMPEG_PATH=/usr/bin): it failed later, as EACCES.
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether the ffmpeg that runs reads the input format `name` (one of `ffmpeg -demuxers`,
 * aliases included), or undefined when it cannot tell. Asked only after a read with a named
 * format failed: ffmpeg refuses an unknown one without a word at the log level it runs at.
 */
export function ffmpegHasDemuxer(name: string): boolean | undefined {
  const run = spawnSync(ffmpegLocation().path, ['-hide_banner', '-demuxers'], { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0 || typeof run.stdout !== 'string') return undefined;
  const names = new Set<string>();
  // Rows such as " D  mov,mp4,m4a,3gp,3g2,mj2 QuickTime / MOV" after the legend; from
  // ffmpeg 6.1 a device has a column of its own (" D d alsa ALSA audio input").
  for (const line of run.stdout.split('\n')) {
    const row = /^ DE? ?d?\s+(\S+)\s/.exec(line);
    if (row !== null) for (const alias of row[1].split(',')) names.add(alias);
  }
  return names.size === 0 ? undefined : names.has(name);
}

/**
 * An ffmpeg line as a user reads it: without the addresses of its "[component @ 0x…] "
 * prefixes (one line may have two: "[NULL @ 0x…] [IMGUTILS @ 0x…] Picture size … is invalid"),
 * which mean nothing to a user, nor the advice ffmpeg adds on the same line to a feature it
 * lacks, to update it from Git, which a damaged file set off as often.
 */
function plainFfmpegLine(line: string): string {
  return line.replace(/\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*/g, '[$1] ').replace(/\s*Update your FFmpeg version to the newest one from Git\..*$/, '');
}

/**
 * The last line of ffmpeg's stderr that explains a failure: progress lines, the generic
 * "Conversion failed!" and blank lines are skipped, so the user sees the cause itself.
 */
export function lastMeaningfulLine(stderr: string | null | undefined): string {
  if (!stderr) return 'it printed no message';
  const lines = stderr.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line === '' || /^(frame|size)=/.test(line) || /^video:\d/.test(line)) continue;
    if (/^Conversion failed!?$/.test(line) || /^Exiting normally/.test(line) || /^Last message repeated \d+ times?$/.test(line)) continue;
    // Consequences of a decoding error printed after it, which would hide its cause.
    if (/^Error marking filters as finished|^Cannot determine format of input stream/.test(line)) continue;
    // Its request for a sample of a file with a feature it lacks, a line of its own after the report.
    if (/(^|\] )If you want to help, upload a sample of this file/.test(line)) continue;
    // The report of the streams, printed before the run and not about the failure: its
    // "encoder : Lavc58..." lines were quoted as the reason. Its lines below the headings are
    // indented, and an error line is not (one may start "take : 2.mp4: ", a file's name).
    // (Its longest key, "compatible_brands", has no space before its colon.)
    if (/^(Input|Output) #\d+, |^Stream mapping:|^Press \[q\]/.test(line) || /^\s+(Stream #\d+:\d+|Metadata:|Side data:|Duration: |[\w.-]+\s*: )/.test(lines[i])) continue;
    return plainFfmpegLine(line);
  }
  return 'no error message';
}
