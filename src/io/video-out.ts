import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { abortedWrite, ChromaseedError } from '../errors.js';
import { ffmpegRate, ffmpegSeconds } from '../clip-options.js';
import { ffmpegCommand, ffmpegInputName } from './ffmpeg-path.js';
import { decodeToNothing, DISK_FULL, ffmpegFailure, watch } from './ffmpeg-run.js';
import { nameOfTemp } from './output-names.js';

import type { SoundSource } from '../types.js';
import type { VideoContainer } from './video-writer.js';

export interface VideoOutputOptions {
  width: number;
  height: number;
  /** Frames per second of the RGBA frames written. */
  fps: number;
  container: VideoContainer;
  /** The file as messages name it (the output the user asked for); default: the written file's base name. */
  name?: string;
  /** Sound to carry over from the source (its first audio stream, over the same part). */
  sound?: SoundSource;
  /** Keep the frames' alpha (VP9 in WebM only: H.264 has none). */
  alpha?: boolean;
}

export interface VideoOutput {
  /** Sends one RGBA frame (`width * height * 4` bytes) to ffmpeg; resolves once it has left this process, when `rgba` may take the next frame. */
  write(rgba: Uint8Array): Promise<void>;
  /**
   * Closes ffmpeg's input and waits for the file to be complete. `sound`: whether any sound
   * was written (none when the part read lies past the end of the source's sound).
   */
  finish(): Promise<{ sound: boolean }>;
  /** Kills ffmpeg and waits for it to exit; the caller removes the file. */
  abort(): Promise<void>;
}

/**
 * Codec choices, all present in the bundled ffmpeg 4.1 (`ffmpeg -encoders`):
 * - mp4, mov, mkv: H.264 (libx264), yuv420p so every player can open it. 4:2:0 needs even
 *   sizes, so an odd width or height is padded by one pixel on the right or bottom, a copy
 *   of the edge (padding keeps every source pixel; scaling would resample them all).
 * - webm: VP9 (libvpx-vp9) in constant-quality mode; VP9 accepts odd sizes.
 * Quality is set high because the frames are already colour-quantized and the point of the
 * output is to show that: CRF 18 for H.264, CRF 20 for VP9, which keep the frames about as
 * well (RGB PSNR against the PNG frames, the first 4 s of chaplin.mp4 at k = 16: 41.38 and
 * 40.99 dB; 672 and 901 KB). VP9 at CRF 30 gave 37.77 dB at 469 KB, and 33.74 against 35.33
 * on a part of big_buck_bunny_0_30.webm, its flat colours ringing at their edges.
 *
 * ffmpeg turns the RGB frames into YUV with the BT.601 matrix in limited range; the streams
 * are labelled so, with sRGB's (BT.709) primaries. Unlabelled, many players guess BT.709 for
 * HD sizes and decode every colour slightly wrong (a palette's exact colours are the point).
 */
const COLOUR_LABELS = ['-colorspace', 'smpte170m', '-color_range', 'tv', '-color_primaries', 'bt709', '-color_trc', 'bt709'];

/**
 * The same frames make the same file: ffmpeg's Matroska and WebM muxers otherwise give each
 * file random track and segment IDs (every .mkv differed from the last, and every .webm from
 * Debian's ffmpeg 5.1). Without the muxers' version tags, too, the file does not change with
 * the ffmpeg's version where its encoder's bytes do not.
 */
const REPRODUCIBLE = ['-fflags', '+bitexact'];

/**
 * libx264's output depends on how many threads it encodes with, and left to itself it takes
 * 1.5 per CPU, so the same command made different MP4s on different machines, or under
 * `taskset` (realshort.mp4: 23 of 36 frames differed). A fixed count makes the same file
 * everywhere. Four costs nothing measurable here (2 CPUs, chaplin.mp4 to .mp4: 2.95 ± 0.09 s
 * with its own 3 threads, 2.88 ± 0.04 with 4; hyperfine, 6 runs) and should not hold up a
 * larger machine: on one CPU, x264 alone encodes that clip's 640x360 frames at about 100 a
 * second, as fast as the quantizer, which runs on one thread, makes them (about 90).
 */
const X264_THREADS = ['-threads', '4'];

/** The size a video's frames are coded at: H.264 (4:2:0) takes even sides only, so an odd one gains a pixel; VP9 takes any. */
export function codedSize(container: VideoContainer, width: number, height: number): { width: number; height: number } {
  return container === 'webm' ? { width, height } : { width: width + (width % 2), height: height + (height % 2) };
}

function codecOptions(container: VideoContainer, width: number, height: number, alpha: boolean): string[] {
  if (container === 'webm') {
    // With alpha, the bundled ffmpeg 4.1 lost the frames its encoders still held back for
    // look-ahead when the input ended (pigs_in_a_polka.gif at --width 100: 18 of 30 frames
    // in the file); without look-ahead every frame is written.
    const lookAhead = alpha ? ['-lag-in-frames', '0'] : [];
    // No row-based threading (-row-mt 1): with it, the bundled libvpx's bytes depended on how
    // its threads were scheduled, so the same command gave different files under load: with
    // alpha (gifcontrols__dispose2.gif, 8 encodes at once: 3 or 4 different files) and
    // without (dispose3.gif, 6 at once: 4 different files; 6 of 6 alike without it). It saved
    // 6% of chaplin.mp4's run to .webm.
    // VP9 keeps odd sides, but the bundled ffmpeg's conversion to 4:2:0 took the missing half
    // of the last column's (or row's) colour pairs as black: a flat (200, 40, 40) came out
    // (163, 55, 55) in a 17x13 frame's corner, (143, 64, 63) at 1x1. Converted on a frame
    // made even by repeating its edge, then cut back to its own size, it is within 2.
    const pixelFormat = alpha ? 'yuva420p' : 'yuv420p';
    const even = width % 2 === 1 || height % 2 === 1 ? ['-vf', `${smearToEven(width % 2, height % 2, alpha)},format=${pixelFormat},crop=${width}:${height}:0:0:exact=1`] : [];
    return ['-c:v', 'libvpx-vp9', ...even, '-pix_fmt', pixelFormat, ...COLOUR_LABELS, '-crf', '20', '-b:v', '0', '-deadline', 'good', '-cpu-used', '4', ...lookAhead, ...REPRODUCIBLE, '-f', 'webm'];
  }
  const opts = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', ...COLOUR_LABELS, '-crf', '18', '-preset', 'medium', ...X264_THREADS];
  // Square pixels, said outright: raw input has no aspect ratio, and padded to a height of
  // 32768 the unset one was written so that decoders refused the file ("pixel_aspect -1").
  // The added row or column repeats the edge ('smear'): black there showed as a dark line,
  // and 4:2:0 averaged it into the colour of the last real column (30,94,159 -> 57,88,121).
  const coded = codedSize(container, width, height);
  const padRight = coded.width - width;
  const padBottom = coded.height - height;
  const pad = padRight === 1 || padBottom === 1 ? `${smearToEven(padRight, padBottom, false)},` : '';
  opts.push('-vf', `${pad}setsar=1`);
  // write_colr: the labels in the container too (a 'colr' box), where QuickTime and players
  // built on it read them; the bundled ffmpeg 4.1 put them in the H.264 stream alone.
  if (container === 'mp4' || container === 'mov') opts.push('-movflags', '+faststart+write_colr');
  opts.push(...REPRODUCIBLE, '-f', container === 'mkv' ? 'matroska' : container);
  return opts;
}

/** Filters that add a column on the right and a row at the bottom (1 or 0 each), copies of the edge, in RGB. */
function smearToEven(right: number, bottom: number, alpha: boolean): string {
  return `format=${alpha ? 'gbrap' : 'gbrp'},pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0,fillborders=right=${right}:bottom=${bottom}:mode=smear`;
}

/**
 * The sound is encoded again, as ffmpeg does by default, rather than copied: a source's
 * codec need not fit the output container (MP3 or PCM in WebM, Vorbis in MP4), and a copy
 * could only be cut at its packets' edges. AAC is the codec every MP4 player plays; WebM
 * allows Opus or Vorbis, and Opus is the better of the two.
 */
function soundOptions(container: VideoContainer): string[] {
  // libopus takes only the Vorbis channel layouts: 5.1(side), the usual layout of AC-3 in
  // Matroska, failed the run; it becomes 5.1, 2.1 stereo, and so on.
  if (container === 'webm') return ['-c:a', 'libopus', '-b:a', '128k', '-af', 'aformat=channel_layouts=mono|stereo|3.0|quad|5.0|5.1|6.1|7.1'];
  return ['-c:a', 'aac', '-b:a', '192k'];
}

/** Whether `file` has sound ffmpeg can decode: a stream with at least one packet. */
async function decodesSound(file: string): Promise<boolean> {
  const { error, stderr } = await decodeToNothing(ffmpegCommand(file), ['-map', '0:a:0']);
  // No audio stream fails; one without packets (WebM keeps the empty track) decodes nothing.
  return error === null && !/Output file is empty/.test(stderr);
}

/**
 * Copies the picture of video `from` alone into `to`. A Matroska or WebM muxer keeps a sound
 * track that got no packet (the part read lies past the source's sound), which players list
 * as a silent track; an MP4 leaves it out by itself.
 */
export async function copyPicture(from: string, to: string, container: VideoContainer, name: string): Promise<void> {
  const command = ffmpegCommand(from)
    .outputOptions(['-map', '0:V:0', '-c', 'copy', '-f', container === 'mkv' ? 'matroska' : container])
    .output(to);
  const run = watch(command);
  command.run();
  const { error, stderr } = await run.done;
  await run.exit;
  if (error !== null || DISK_FULL.test(stderr)) throw ffmpegFailure(name, error ?? new Error('ffmpeg could not copy the picture'), stderr);
}

/**
 * Starts ffmpeg writing `file` from raw RGBA frames on its stdin. Each frame is written to
 * the pipe as it is, and `write` resolves once it has gone into the pipe: `write` waits while
 * the encoder is busy, memory stays at a frame, and the caller may draw the next frame into
 * the same buffer. (Frames went through a stream piped into stdin, which held on to them
 * for a while, so each needed a new buffer: fresh memory faulted in a page at a time, 5 ms
 * for an 800x600 frame on this project's machine.)
 */
export function createVideoOutput(file: string, options: VideoOutputOptions): VideoOutput {
  const { width, height, fps, container, sound } = options;
  const frameBytes = width * height * 4;
  const command = ffmpegCommand()
    .input('pipe:0')
    .inputFormat('rawvideo')
    .inputOptions(['-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-framerate', ffmpegRate(fps)]);
  let streams = ['-an'];
  if (sound !== undefined) {
    // The same part of the source as its frames were read from, seeked the same way.
    command.input(ffmpegInputName(sound.file)).inputOptions([
      ...(sound.startSec !== undefined ? ['-ss', ffmpegSeconds(sound.startSec)] : []),
      ...(sound.durationSec !== undefined ? ['-t', ffmpegSeconds(sound.durationSec)] : []),
    ]);
    streams = ['-map', '0:v:0', '-map', '1:a:0', ...soundOptions(container)];
    // The AAC encoder's priming starts the sound before zero, so the Matroska muxer shifts
    // every packet later; the bundled ffmpeg 4.1 left out the first two picture packets,
    // which have no decoding time (B-frames), and showed realshort.mp4's frames at 0, 54, 88,
    // 121, 133, 188 ms. Shifting by the decoding times, as asked here, moves every packet
    // alike, by the B-frame delay or the sound's priming, whichever is longer, in 4.1 as in
    // 5.1: 67, 100, 134, 167, 200, 234 ms.
    if (container === 'mkv') streams.push('-avoid_negative_ts', 'make_non_negative');
  }
  command.outputOptions([...streams, ...codecOptions(container, width, height, options.alpha === true)]).output(file);
  // The file's picture copied to nowhere beside its sound: read alone, MPEG-TS sound that
  // starts after the picture was taken to start with it (see VideoProbe.streamsShiftAlone).
  if (sound?.withPicture === true) command.output('-').outputOptions(['-map', '1:V:0', '-c:v', 'copy']).format('null');
  const run = watch(command);
  // ffmpeg's stdin once it runs; null when it never does (it could not be started).
  const stdin = new Promise<Writable | null>((resolve) => {
    command.once('start', () => {
      const pipe = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc?.stdin ?? null;
      // ffmpeg ending early breaks the pipe (EPIPE): its exit is what is reported.
      pipe?.on('error', () => undefined);
      resolve(pipe);
    });
    void run.exit.then(() => resolve(null));
  });
  command.run();
  const label = options.name ?? nameOfTemp(path.basename(file)) ?? path.basename(file);
  let closed = false;
  let aborted = false;

  async function failure(): Promise<ChromaseedError> {
    const { error, stderr } = await run.done;
    // Newer libx264 builds take no side over 16384 (the bundled one took 40,000); ffmpeg's
    // own line only guesses at "bit_rate, rate, width or height".
    const tooLarge = /invalid width x height \((\d+x\d+)\)/.exec(stderr);
    if (tooLarge !== null) return new ChromaseedError('ERR_USAGE', `${label}: this ffmpeg's H.264 encoder takes no frame of ${tooLarge[1]}; make it smaller (--width)`);
    // Debian's libvpx cannot allocate a frame with a side past 16384, and says only that.
    if (container === 'webm' && Math.max(width, height) > 16384 && /Failed to allocate|Error submitting video frame/.test(stderr)) {
      return new ChromaseedError('ERR_USAGE', `${label}: this ffmpeg's VP9 encoder could not take a frame of ${width}x${height}; make it smaller (--width)`);
    }
    const err = ffmpegFailure(label, error ?? new Error('ffmpeg stopped early'), stderr);
    // The sound is the part a user can leave out, and an odd stream the likelier cause.
    // Not when the disk or a signal (the out-of-memory killer, the file-size limit of
    // `ulimit -f`) stopped it, or the input is gone (removed during the run): sound has no part in that.
    const hint = sound === undefined || DISK_FULL.test(stderr) || / was stopped by SIG/.test(err.message) || /: No such file or directory$/m.test(stderr) ? '' : ' (--no-audio writes the picture alone)';
    return new ChromaseedError('ERR_FFMPEG', err.message.replace(/^(.*?): ffmpeg failed/, '$1: ffmpeg could not write the video') + hint, { cause: err });
  }

  return {
    async write(rgba) {
      if (closed) throw new Error('createVideoOutput: write after finish/abort');
      if (rgba.length !== frameBytes) throw new RangeError(`frame has ${rgba.length} bytes, expected ${frameBytes}`);
      if (run.exited()) throw await failure();
      const pipe = await stdin;
      // Either ffmpeg takes the frame, or it exits (encoder error): never wait on a dead pipe.
      const taken = pipe === null || aborted ? Promise.resolve(false) : new Promise<boolean>((resolve) => pipe.write(rgba, (err) => resolve(err == null)));
      const ended = await Promise.race([taken.then((ok) => !ok), run.exit.then(() => true)]);
      // abort() while the write waited (for ffmpeg to start, or to take the frame) ends it as
      // aborted, not as ffmpeg failing, even if the frame went into the pipe before the kill.
      if (ended || aborted) throw aborted ? abortedWrite(label) : await failure();
    },
    async finish() {
      if (closed) throw new Error('createVideoOutput: finish called twice');
      closed = true;
      (await stdin)?.end();
      const { error, stderr } = await run.done;
      await run.exit;
      // ffmpeg 4.1 exits 0 when the file's last write fails (an MP4's index, moved to the front
      // on a full disk): the file is unplayable however it exits.
      if (error || DISK_FULL.test(stderr) || /Error writing trailer/.test(stderr)) throw await failure();
      if (sound === undefined) return { sound: false };
      // ffmpeg's closing statistics ("video:58kB audio:47kB ...") round a second of silence
      // to 0kB as well as no sound at all (a part past the sound's end): only then is the file read back.
      return { sound: !/\baudio:0kB\b/.test(stderr) || (await decodesSound(file)) };
    },
    async abort() {
      if (closed && run.exited()) return;
      closed = true;
      aborted = true;
      run.kill();
      void stdin.then((pipe) => pipe?.destroy());
      await run.exit;
    },
  };
}
