import path from 'node:path';
import { ChromaseedError } from '../errors.js';
import type { FinishOptions } from '../io/frame-writer.js';
import { markRunComplete } from '../io/leftovers.js';
import { checkOutputPath } from '../io/output-checks.js';
import { checkExtraOutputPath, type PlacedFiles, stageFiles } from '../io/output-file.js';
import { hiddenFiles, tempsBeside } from '../io/output-names.js';
import { isStdin, type InputSession } from '../io/spool-input.js';
import type { Progress } from './progress.js';

/*
 * How a command's run ends: its outputs committed together, or removed on a failure or Ctrl-C.
 */

/** A picture written beside the main output: its file, and the option that names it (`--timeline`). */
export type ExtraPicture = readonly [file: string | undefined, option: string];

/**
 * The path to read the input from (`-` copied to a temporary file first), with the output and
 * the pictures beside it (a `--timeline`, a `--flicker-map`) checked against it and against
 * one another: piped in, `-` is copied before it is read, so what can be checked without it is
 * checked before the copy, and not only after a long pipe.
 */
export async function readableInput(inputs: InputSession, given: string, output: string | undefined, pictures: readonly ExtraPicture[], signal?: AbortSignal): Promise<string> {
  // Each picture against the main output and the pictures named before it.
  const check = async (input: string | undefined): Promise<void> => {
    for (const [i, [file, option]] of pictures.entries()) {
      if (file !== undefined) await checkExtraOutputPath(file, option, input, [[output, 'main output'], ...pictures.slice(0, i).map(([f, o]) => [f, `${o} picture`] as const)]);
    }
  };
  if (isStdin(given)) {
    if (output !== undefined) await checkOutputPath(output);
    await check(undefined);
  }
  const input = await inputs.readable(given, signal);
  await check(input);
  return input;
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

/**
 * Ends a run whose frames are all written: the pictures beside the main output (a timeline, a
 * flicker map, a swatch), drawn by `pictures`, are written under temporary names first, and
 * take their names once the main output is complete under its own temporary name, just before
 * that is renamed (FinishOptions.beforePlace), the file it replaces kept aside: a failure of
 * either (a picture too large, a full disk, a file that cannot be replaced) leaves the old
 * files as they were, and a process killed while a video's ffmpeg finishes leaves both old
 * files. Moved after the main output, a picture that could not take its name left the new main
 * output beside the old picture. Ctrl-C while the output is finished stops that too: a video
 * encoder flushing its last frames takes seconds on large frames, and the interrupted run must
 * leave no output.
 */
export async function commitRun<T>(
  output: { finish(options?: FinishOptions): Promise<T>; abort(): Promise<void> } | null,
  pictures: (() => Promise<readonly (readonly [file: string, bytes: Uint8Array])[]>) | null,
  inputPath: string,
  progress: Progress,
  signal?: AbortSignal,
): Promise<T | undefined> {
  let staged: Awaited<ReturnType<typeof stageFiles>> | null = null;
  // (Set in place(), which the compiler does not follow: typed here, not narrowed to null.)
  let placed = null as PlacedFiles | null;
  let result: T | undefined;
  const stop = () => void output?.abort();
  signal?.addEventListener('abort', stop, { once: true });
  // A Ctrl-C while the picture was drawn (sharp draws it off this thread) or placed has
  // aborted the output (see stop), which is then not put in place; a run with none (compare
  // --timeline without -o) went on to write it. Not after the output is placed: the run is
  // complete by then.
  const place = async (): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    placed = (await staged?.place()) ?? null;
    if (signal?.aborted) throw signal.reason;
  };
  // The moment the last output has its name (synchronous, with it).
  const placedAll = (): void => {
    placed?.keep();
    markRunComplete();
  };
  try {
    if (signal?.aborted) throw signal.reason;
    if (pictures !== null) staged = await stageFiles(await pictures(), inputPath);
    if (signal?.aborted) throw signal.reason;
    if (output === null) {
      await place();
      placedAll();
    } else {
      // Once the output has its name, the picture stays, whatever comes before finish returns.
      progress.finishing();
      result = await output.finish({ beforePlace: place, afterPlace: placedAll });
      // Every writer calls it; a wrapper that dropped the options would leave no picture.
      if (staged !== null && placed === null) throw new Error('commitRun: the output was put in place without the picture (FinishOptions.beforePlace was not called)');
    }
  } catch (err) {
    placed?.putBack();
    await staged?.abort();
    await failedRun(err, progress, output, signal);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  progress.done();
  await placed?.release();
  return result;
}

/**
 * A warning for each output of a finished run beside which hidden files named as its
 * temporary files are left (tempsBeside): a run killed outright gets no chance to remove
 * them, and one killed while a file was set aside for its replacement may have left the
 * earlier file there alone. Said, not removed: they may be another run's, still writing.
 * The commands list these first: the earlier file is the user's own work.
 */
export function leftoverWarnings(outputs: readonly (string | undefined)[]): string[] {
  const warnings: string[] = [];
  for (const output of outputs) {
    if (output === undefined) continue;
    const { unfinished, keptAside, shortened } = tempsBeside(output);
    const name = path.basename(output);
    // A name too long for its temporary names to hold whole shares them with others.
    const of = shortened ? `${name}, or of another file whose name starts the same` : name;
    if (unfinished.length > 0) {
      const one = unfinished.length === 1;
      warnings.push(`${hiddenFiles(unfinished)}: ${one ? 'an unfinished copy' : 'unfinished copies'} of ${of}, left by a run that was killed (kill -9, out of memory) or being written by one still running; remove ${one ? 'it' : 'them'} once no run is writing ${name}`);
    }
    if (keptAside.length > 0) {
      const one = keptAside.length === 1;
      warnings.push(`${hiddenFiles(keptAside)}: ${one ? 'an earlier copy' : 'earlier copies'} of ${of}, kept aside by a run that was killed (kill -9, out of memory) while replacing it, or by one still running; to get ${one ? 'it' : 'one'} back, rename it over ${name} (this replaces the one just written), or else remove ${one ? 'it' : 'them'}`);
    }
  }
  return warnings;
}
