import type { ChildProcess } from 'node:child_process';
import { ChromaseedError } from '../errors.js';
import { ffmpegCommand, ffmpegLocation, lastMeaningfulLine } from './ffmpeg-path.js';
import { trackChild } from './leftovers.js';
import { dependOnOtherProcess } from './other-processes.js';

/*
 * Running ffmpeg once and reading what it printed: its exit, its stderr (bounded), damage
 * it read past, and a failure said as one line a user can act on. Shared by the readers
 * (video, animated PNG) and the video writer.
 */

/**
 * The container's reports (a file cut short, a damaged packet or element). Where a decoder
 * also complains of what it got (a broken slice), the two come in either order from run to
 * run (the decoders' threads print as they go), so the container's, the cause, is quoted.
 */
const CONTAINER_REPORTS = String.raw`Read error|File ended prematurely|stream \d+, offset 0x[0-9a-f]+: partial file|Truncating packet|Packet corrupt|corrupt input|[^\n]*\bEBML number\b|Element at 0x[0-9a-f]+ ending at 0x[0-9a-f]+ exceeds containing master element|Invalid mdhd time scale`;
/** The decoders' reports, under their own prefix. */
const DECODER_REPORTS = String.raw`corrupt decoded frame|error while decoding|Invalid NAL unit size|concealing \d+ DC, \d+ AC, \d+ MV errors|Failed to decode frame|Picture size \d+x\d+ is invalid`;
const CONTAINER_DAMAGE = new RegExp(String.raw`\] (${CONTAINER_REPORTS})`, 'i');

/**
 * What ffmpeg prints when it reads past damage and carries on, exiting 0 with the frames
 * it could decode: a cut-short Matroska file ("Read error"; "File ended prematurely" from
 * ffmpeg 5 when the cut falls between elements, where 4.1 says nothing) or MP4 ("partial
 * file", also when the cut falls between packets), corrupt packets, broken
 * H.264 slices, VP9 frames that do not decode (ffmpeg's own "Error while decoding stream
 * #0:0", with no decoder's prefix, where its native VP9 decoder says nothing; libvpx's
 * "Failed to decode frame", on the alpha path), a Matroska or WebM cluster of garbage,
 * skipped with the frames in it ("Invalid EBML number size tag" in 4.1; in 5.1 an element
 * that "exceeds containing master element", or another complaint of an "EBML number").
 * Decoding is not stopped for these; the user is told the output may lack frames or show
 * artefacts.
 */
const DAMAGE = new RegExp(String.raw`\] (${CONTAINER_REPORTS}|${DECODER_REPORTS})|Error while decoding stream #\d+:\d+`, 'i');

/**
 * Words of a line ffmpeg printed before it gave up on a file that say the file is at fault:
 * cut short, corrupt, or with a time scale, a picture size or a slice that cannot be right.
 */
const DAMAGE_WORDS = /Read error|Invalid data|Error while decoding|corrupt|truncat|time ?scale|concealing|Picture size \d+x\d+ is invalid/i;

/** What ffmpeg prints when the disk is full (or the file too large for it). */
export const DISK_FULL = /No space left on device|Disk quota exceeded|File too large/;

interface RunWatch {
  /**
   * Settles once, with fluent-ffmpeg's error (if any), ffmpeg's stderr (its first 16 KB and
   * last 8 KB; on an error, fluent-ffmpeg's last 100 lines) and the first line in which
   * ffmpeg reported damage it read past (the container's first, if any). Never rejects.
   */
  done: Promise<{ error: Error | null; stderr: string; damage: string | null }>;
  /** Resolves when the ffmpeg child has exited (or never started). */
  exit: Promise<void>;
  exited(): boolean;
  kill(): void;
}

/** How much of ffmpeg's stderr a run keeps: its first and its last characters. */
const STDERR_HEAD_CHARS = 16_384;
const STDERR_TAIL_CHARS = 8192;

/**
 * Runs `command` with `outputOptions`, decoding to ffmpeg's null output (a probe or a check
 * that reads what ffmpeg prints), and settles once ffmpeg has exited, as `watch` reports it.
 */
export async function decodeToNothing(command: ReturnType<typeof ffmpegCommand>, outputOptions: string[], stopAt?: (line: string) => boolean): ReturnType<typeof watch>['done'] {
  command.outputOptions(outputOptions).format('null').output('-');
  const run = watch(command, undefined, stopAt);
  command.run();
  const result = await run.done;
  await run.exit;
  return result;
}

/**
 * Attaches the listeners a run needs before it starts, so no event or rejection is lost.
 * `keepLine`: which lines of stderr are kept for `done` (all by default); a filter that
 * prints a line per frame (showinfo) would otherwise push the stream report out of the head
 * and ffmpeg's error out of the tail. Damage is looked for in every line. `stopAt`: a line
 * after which ffmpeg is killed, its answer known (the run then settles with the kill's error).
 */
export function watch(command: ReturnType<typeof ffmpegCommand>, keepLine: (line: string) => boolean = () => true, stopAt?: (line: string) => boolean): RunWatch {
  let proc: ChildProcess | undefined;
  let started = false;
  let hasExited = false;
  let resolveExit!: () => void;
  const exit = new Promise<void>((resolve) => (resolveExit = resolve));
  let killRequested = false;
  // The first lines of stderr (the stream report the probe reads) and the last ones (the
  // error): bounded for long runs, and a decoder that logs a line per pixel (ffmpeg 4.1's
  // APNG palette blending) cannot push the stream report out.
  let stderrHead = '';
  let stderrTail = '';
  const stderrText = () => stderrHead + stderrTail;
  let damage: string | null = null;
  let containerDamage = false;
  /** Kills ffmpeg now, or as it starts (see 'start'). */
  const kill = (): void => {
    killRequested = true;
    if (proc && !hasExited) proc.kill('SIGKILL');
  };
  const done = new Promise<{ error: Error | null; stderr: string; damage: string | null }>((resolve) => {
    command.on('start', () => {
      started = true;
      dependOnOtherProcess();
      proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (proc) trackChild(proc);
      // A kill asked for before the child existed (the consumer stopped at once) happens now.
      if (killRequested) proc?.kill('SIGKILL');
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
        hasExited = true;
        resolveExit();
      } else {
        proc.once('exit', () => {
          hasExited = true;
          resolveExit();
        });
      }
    });
    command.on('stderr', (line: string) => {
      if (stopAt?.(line) === true) kill();
      if (!containerDamage && DAMAGE.test(line)) {
        containerDamage = CONTAINER_DAMAGE.test(line);
        if (damage === null || containerDamage) damage = lastMeaningfulLine(line);
      }
      if (!keepLine(line)) return;
      if (stderrHead.length < STDERR_HEAD_CHARS) stderrHead += line + '\n';
      else stderrTail = (stderrTail + line + '\n').slice(-STDERR_TAIL_CHARS);
    });
    command.on('end', () => resolve({ error: null, stderr: stderrText(), damage }));
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (!started || !proc || proc.pid === undefined) {
        // Spawning failed (or fluent-ffmpeg refused the arguments): there is no child to wait for.
        hasExited = true;
        resolveExit();
      }
      resolve({ error, stderr: stderr || stderrText(), damage });
    });
  });
  return {
    done,
    exit,
    exited: () => hasExited,
    kill,
  };
}

/** Where the ffmpeg that would not run came from, in a user's words. */
const FFMPEG_SOURCE = { env: 'from FFMPEG_PATH', bundled: 'the one bundled with chromaseed', path: 'found on PATH' } as const;

/** One line naming the file and ffmpeg's own explanation; unreadable input is the user's to fix. */
export function ffmpegFailure(file: string, error: Error, stderr: string): ChromaseedError {
  const spawnCode = (error as NodeJS.ErrnoException).code;
  // A binary that cannot be started fails at spawn, or (not executable, wrong platform) exits
  // with 126 or 127 before printing anything.
  const notRun = /exited with code 12[67]\b/.test(error.message) && stderr.trim() === '';
  if (notRun || (/spawn|ENOENT|EACCES/.test(error.message) && !/ffmpeg exited/.test(error.message))) {
    const where = ffmpegLocation();
    return new ChromaseedError(
      'ERR_FFMPEG',
      `${file}: cannot run ffmpeg at ${where.path} (${FFMPEG_SOURCE[where.source]}${spawnCode ? `, ${spawnCode}` : ''}); set FFMPEG_PATH to an ffmpeg binary`,
      { cause: error },
    );
  }
  // Killed from outside (the kernel's out-of-memory killer, say): its last line is whatever it printed before.
  const signal = /killed with signal (\w+)/.exec(error.message)?.[1];
  const why = signal === 'SIGKILL' ? ' (out of memory?)' : signal === 'SIGXFSZ' ? ' (the file grew past the size limit, ulimit -f)' : '';
  if (signal !== undefined) return new ChromaseedError('ERR_FFMPEG', `${file}: ffmpeg was stopped by ${signal}${why}`, { cause: error });
  // An MP4 whose index was never written (or any file named .mp4 that is not one): ffmpeg's
  // last line is only "Invalid data found".
  if (/moov atom not found/.test(stderr)) return new ChromaseedError('ERR_INPUT', `${file}: not a complete MP4 (no moov atom): cut short, still being written, or not an MP4 at all`, { cause: error });
  // ffmpeg starts many lines with the input's name (given as file:NAME when it looks like a
  // protocol); it is already at the start of the message.
  const unnamed = (line: string): string => {
    for (const named of [`${file}: `, `file:${file}: `]) if (line.startsWith(named)) return line.slice(named.length);
    return line;
  };
  // Nothing was decoded: ffmpeg's last lines are about its empty output. The error above
  // them, if any, is the cause (a decoding error, a feature ffmpeg lacks); if none, the file
  // ended before a whole frame.
  const noFrame = /Cannot determine format of input stream \S+ after EOF|Output file is empty, nothing was encoded/.exec(stderr);
  if (noFrame !== null) {
    const before = stderr.slice(0, noFrame.index).split(/\r?\n/).reverse();
    const cause = before.find((line) => /invalid|error|not (yet )?implemented|unsupported|corrupt/i.test(line) && !/^Press \[q\]/.test(line));
    const line = cause === undefined ? '' : unnamed(lastMeaningfulLine(cause));
    // A Photoshop document ffmpeg recognises but whose pixels its decoder refuses (ImageMagick's
    // RLE: "Invalid rle char"), which other programs read: not called damaged.
    if (/^Input #\d+, psd_pipe, /m.test(stderr)) {
      const why = (/^\[psd @ \w+\] (.+)$/m.exec(stderr)?.[1] ?? line).replace(/\.$/, '');
      return new ChromaseedError('ERR_INPUT', `${file}: a Photoshop document whose pixels ffmpeg could not decode${why === '' ? '' : ` (${why})`}: damaged, or of a kind its decoder does not read (ImageMagick's RLE); save it as PNG or TIFF`, { cause: error });
    }
    const damaged = 'the file is cut short or damaged before its first frame';
    const why = line === '' ? damaged : DAMAGE_WORDS.test(line) ? `${damaged} (${line})` : line;
    return new ChromaseedError('ERR_INPUT', `${file}: ffmpeg decoded no frame: ${why}`, { cause: error });
  }
  // A file of sound only: ffmpeg's last line would advise editing the map. A picture attached
  // to the sound (an album cover) is a video stream of one frame that `0:V` leaves out.
  if (/Stream map '0:V:0' matches no streams/.test(stderr)) {
    // A track of no kind ffmpeg knows, with no codec tag ("Data: none", where a real data
    // track names its tag: GoPro's "Data: none (gpmd / ...)"): what an MP4 whose track
    // header is damaged, or cut short inside its index, shows. Not a file without video;
    // beside sound, it may be the sound file's own (or the video's, damaged): both are said.
    const untypedTrack = /^\s*Stream #\d+:\d+.*: Data: none(?! \([^)]*\/ 0x)/m.test(stderr);
    if (untypedTrack && !/^\s*Stream #\d+:\d+.*: Audio: /m.test(stderr)) {
      return new ChromaseedError('ERR_INPUT', `${file}: damaged: ffmpeg finds a track but not what kind it is (its header is damaged, or the file is cut short inside it), so no video stream to read`, { cause: error });
    }
    if (untypedTrack) {
      return new ChromaseedError('ERR_INPUT', `${file}: has no video stream, only sound and a track ffmpeg cannot tell the kind of (if that was the video, the file's header is damaged)`, { cause: error });
    }
    // A header that lists no stream at all (an MP4 whose track boxes are damaged).
    if (!/^\s*Stream #\d+:\d+/m.test(stderr)) {
      return new ChromaseedError('ERR_INPUT', `${file}: ffmpeg finds no stream in it at all: damaged, or an empty container`, { cause: error });
    }
    const cover = /^\s*Stream #\d+:\d+.*: Video: /m.test(stderr) ? ', only a picture attached to its sound (a cover); extract that with ffmpeg to use it' : '';
    return new ChromaseedError('ERR_INPUT', `${file}: has no video stream${cover}`, { cause: error });
  }
  // A video stream of no codec ffmpeg knows, which it reports as a decoder it lacks: one
  // whose codec tag it does not know ("Video: none (zzzz / 0x7A7A7A7A)", a codec newer than
  // the bundled ffmpeg), or, with no tag at all, one whose codec description is damaged or missing.
  if (/Decoder \(codec none\) not found/.test(stderr)) {
    const tag = /^\s*Stream #\d+:\d+.*: Video: none \(([^)]*?)\s*\/ 0x[0-9a-f]+\)/im.exec(stderr);
    const why = tag !== null ? `its video is in a codec ffmpeg does not know (tagged ${JSON.stringify(tag[1])})` : 'damaged: its header does not say which codec the video is in';
    return new ChromaseedError('ERR_INPUT', `${file}: ${why} (ffmpeg: Decoder (codec none) not found)`, { cause: error });
  }
  // ffmpeg lists an input whose header it could read ("Input #0, ...").
  const headerRead = /^Input #\d+, /m.test(stderr);
  // Raw frames with no header (.yuv, .rgb), which ffmpeg reads only when told their size and pixel format.
  if (/Picture size 0x0 is invalid/.test(stderr) && !headerRead) {
    return new ChromaseedError('ERR_INPUT', `${file}: raw video with no header (its size and pixel format are not in the file); put it in a container first: ffmpeg -f rawvideo -pix_fmt PIXFMT -s WIDTHxHEIGHT -r RATE -i IN out.mkv (PIXFMT: yuv420p, rgb24...)`, { cause: error });
  }
  // A full disk, or a failed last write, is reported mid-run; the encoder's closing statistics
  // follow and would hide it.
  const full = DISK_FULL.exec(stderr);
  const trailer = /Error writing trailer of .*?: (.*)/.exec(stderr);
  const line = unnamed(full !== null ? full[0].toLowerCase() : trailer !== null ? `writing the end of the file failed: ${trailer[1]}` : lastMeaningfulLine(stderr));
  // A demuxer that gave up on the header: its last line may read as the machine's fault
  // ("Cannot allocate memory", where an MP4's damaged chunk table asks for gigabytes), or
  // as a file of no format ("Invalid data found", where its sample size table claims two
  // billion entries).
  if (/\] error reading header$/m.test(stderr) && !headerRead) {
    return new ChromaseedError('ERR_INPUT', `${file}: damaged: ffmpeg could not read its header (ffmpeg: ${line})`, { cause: error });
  }
  // A file ffmpeg recognises no format in (it got no further than its name): said as such,
  // not as a failure of ffmpeg's.
  if (/^Invalid data found when processing input$/.test(line) && !headerRead) {
    return new ChromaseedError('ERR_INPUT', `${file}: not a video or an image that ffmpeg can read (ffmpeg: ${line})`, { cause: error });
  }
  // Random bytes that ffmpeg probed as some format at its lowest score (MP3 mostly) fail later
  // with a line of no use ("Invalid argument"): a file of no format it knows, as above.
  const guessed = /Format (\w+) detected only with low score/.exec(stderr);
  if (guessed !== null && !headerRead) {
    return new ChromaseedError('ERR_INPUT', `${file}: not a video or an image that ffmpeg can read (ffmpeg took it for ${guessed[1]} at a guess, then: ${line})`, { cause: error });
  }
  // A file that ends inside its header (a WebM or MKV cut a few hundred bytes in): ffmpeg says no more than that.
  if (/^End of file$/.test(line) && !headerRead) {
    return new ChromaseedError('ERR_INPUT', `${file}: cut short or damaged: it ends before ffmpeg could read its header (ffmpeg: ${line})`, { cause: error });
  }
  // A decoder that would not open on the track's own description of its codec (an H.264
  // track's parameter sets, say): damaged.
  if (/^Error while opening decoder for input stream .*: Invalid data found/.test(line)) {
    return new ChromaseedError('ERR_INPUT', `${file}: damaged: ffmpeg could not open its video's decoder with what its header says (ffmpeg: ${line})`, { cause: error });
  }
  const inputProblem = /Invalid data found|No such file|matches no streams|does not contain any stream|Permission denied|moov atom not found|could not find codec|Decoder \(codec \w+\) not found|Error while decoding|EOF/i;
  const code = inputProblem.test(line) ? 'ERR_INPUT' : 'ERR_FFMPEG';
  // Silent: no ffmpeg fails a file without a word, but a program that is none does (FFMPEG_PATH=/bin/false).
  const where = ffmpegLocation();
  const silent = stderr.trim() === '' ? `; is ${where.path} (${FFMPEG_SOURCE[where.source]}) an ffmpeg?` : '';
  return new ChromaseedError(code, `${file}: ffmpeg failed: ${line}${silent}`, { cause: error });
}
