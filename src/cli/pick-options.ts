import { ChromaseedError, invalidOption } from '../errors.js';
import { outputKind } from '../io/frame-writer.js';
import { descriptorKind } from '../io/other-processes.js';
import { STDOUT } from '../io/output-names.js';
import { INPUT_NAMES, PALETTE_NAMES, resolveInputOptions, resolvePaletteOptions, resolveSequenceOptions, SEQUENCE_NAMES, type InputOptionsInput, type PaletteOptionsInput, type SequenceOptionsInput } from '../options.js';
import { loopCountForPlays, MAX_GIF_LOOP_COUNT } from '../timing.js';
import type { Args } from './main.js';

/**
 * The resolvers of options.ts, fed from yargs's parsed arguments. Those also carry each
 * option's alias, a kebab-case copy and the positionals, and the resolvers refuse names
 * they do not read, so each gets only the names on its own list.
 */
function pick<T extends object>(args: Args, names: readonly (keyof T & string)[]): T {
  const picked: Args = {};
  for (const name of names) if (args[name] !== undefined) picked[name] = args[name];
  // The values are yargs's, of the types its options declare; the resolvers check them all.
  return picked as T;
}

export const inputOptionsOf = (args: Args) => resolveInputOptions(pick<InputOptionsInput>(args, INPUT_NAMES));
/**
 * transfer's SOURCE: the size and rate options as for the target, but its own part
 * (--source-start, --source-duration; whole when not given), since the target's part
 * says nothing about where the colours wanted are.
 */
export const sourceInputOptionsOf = (args: Args) => {
  const { start: _, duration: __, ...shared } = pick<InputOptionsInput>(args, INPUT_NAMES);
  try {
    return resolveInputOptions({ ...shared, ...pick<InputOptionsInput>({ start: args.sourceStart, duration: args.sourceDuration }, ['start', 'duration']) });
  } catch (err) {
    throw asSourcePartError(err);
  }
};

/** An error about the part of transfer's SOURCE: the readers name its options --start and --duration, which for the source are --source-start and --source-duration. */
export function asSourcePartError(err: unknown): unknown {
  if (err instanceof ChromaseedError) err.message = err.message.replace(/--(start|duration)\b/g, '--source-$1');
  return err;
}
export const sequenceOptionsOf = (args: Args) => resolveSequenceOptions(pick<SequenceOptionsInput>(args, SEQUENCE_NAMES));
export const paletteOptionsOf = (args: Args) => resolvePaletteOptions(pick<PaletteOptionsInput>(args, PALETTE_NAMES));

/**
 * `--plays N` as the GIF loop count to write (0 = forever; see loopCountForPlays), or null
 * when not given (the source's is kept). Only a GIF loops, so another output refuses it.
 */
export function loopCountOf(args: Args, output: string): { loopCount: number | undefined } | null {
  const plays = args.plays;
  if (plays === undefined) return null;
  if (typeof plays !== 'number' || !Number.isInteger(plays) || plays < 0 || plays > MAX_GIF_LOOP_COUNT + 1) throw invalidOption('--plays', 'a whole number of plays from 1 to 65536, or 0 for forever', plays);
  if (outputKind(output) !== 'gif') throw new ChromaseedError('ERR_USAGE', `--plays: ${output} does not loop; only a GIF output plays a set number of times`);
  return { loopCount: loopCountForPlays(plays) };
}

/**
 * Whether a video output carries the source's sound: yes unless `--no-audio`. Only a video
 * output has sound, so another output refuses `--audio` and `--no-audio`.
 */
export function keepsSound(args: Args, output: string): boolean {
  if (args.audio !== undefined && outputKind(output) !== 'video') {
    const flag = args.audio === false ? '--no-audio' : '--audio';
    throw new ChromaseedError('ERR_USAGE', `${flag}: ${output} has no sound; only a video output carries the source's sound`);
  }
  return args.audio !== false;
}

/** Whether standard output is /dev/null: sent there, or closed (`>&-`), where Node puts /dev/null in its place. */
function isNullStdout(stdout: { fd?: unknown }): boolean {
  return typeof stdout.fd === 'number' && descriptorKind(stdout.fd) === '/dev/null';
}

/**
 * Refuses a run whose only result is what it prints (`palette`, `compare` with no picture or
 * animation asked for) when standard output is /dev/null: the result went nowhere and the
 * run exited 0. `file` is where to redirect it, `instead` what else the command can write.
 */
export function refuseNowhereToPrint(stdout: { isTTY?: boolean; fd?: unknown }, what: string, file: string, instead: string): void {
  if (isNullStdout(stdout)) throw new ChromaseedError('ERR_USAGE', `standard output is /dev/null (closed, or sent there), so ${what} would go nowhere; redirect it to a file (> ${file}), or ${instead}`);
}

/**
 * `-o -`, a GIF on standard output, refused where it cannot work: with --json, which prints
 * there too, to a terminal, which would show the GIF's bytes as text, and to /dev/null,
 * which Node also puts in the place of a closed standard output (`>&-`): the run said it
 * had written the GIF, and exited 0. The name the summary gives the output.
 */
export function outputNameOf(args: Args, output: string, stdout: { isTTY?: boolean; fd?: unknown }): string {
  if (output !== STDOUT) return output;
  if (args.json === true) throw new ChromaseedError('ERR_USAGE', '-o - and --json would both write to standard output; give -o a file name, or drop --json');
  if (stdout.isTTY === true) throw new ChromaseedError('ERR_USAGE', '-o -: standard output is a terminal; redirect it to a file (> out.gif) or pipe it to another program');
  if (isNullStdout(stdout)) {
    throw new ChromaseedError('ERR_USAGE', '-o -: standard output is /dev/null (closed, or sent there), so the GIF would go nowhere; redirect it to a file (> out.gif) or pipe it to another program');
  }
  return 'standard output';
}
