import type { Argv } from 'yargs';
import { ChromaseedError } from '../errors.js';
import type { EarlyGifThread } from '../io/early-gif-thread.js';
import type { InputSession, InputStream } from '../io/spool-input.js';
import { notePipedOutput } from '../io/other-processes.js';
import { COMMANDS, endOfOptions, FILE_ARGUMENTS, numberOptions, outputFiles, refuseMangledOutputs, refuseNegations, refuseOddNumbers, refuseOddValues, refuseRepeats, refuseSwitchConflicts, resolveRateFractions, splitAttachedValues, type CommandName } from './argv-checks.js';
import { EXIT_OK, INTERRUPTED_STREAM, interruptedLine, report, signalled } from './error-report.js';
import { buildParser, parserOptions } from './parser.js';

// For bin/chromaseed.js: what a process that must end at once (a second Ctrl-C) releases first,
// whether its run is complete by then, what it says (below), and how an error nothing caught is reported.
export { releaseLeftovers, runComplete } from '../io/leftovers.js';
export { reportUncaught } from './error-report.js';

/** Whether the command under way writes its output to standard output (-o -). */
let outputToStdout = false;

/** The line a process that must end at once, interrupted, leaves (a second Ctrl-C). */
export function interruptedNow(): string {
  return interruptedLine(outputToStdout);
}

/** Where a command writes: data to stdout, everything a person reads to stderr. */
export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** What an input named `-` is read from (read only then); without it, `-` is refused. */
  stdin?: InputStream;
}

export type Args = Record<string, unknown>;

/** A command: its parsed arguments, where it writes, Ctrl-C, and how it reads `-` (see spool-input.ts). */
type Command = (args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession) => Promise<void>;

/**
 * Runs one command line and returns the exit code. Every error ends in report(): a
 * ChromaseedError prints as one line, any other error is a bug and prints its stack.
 * `gifThread`: a GIF encoder's thread the caller started ahead (see early-gif-thread.ts),
 * used by the command if it wants one, and ended by the time the run ends if not.
 */
export async function main(typed: string[], streams: CliStreams, signal?: AbortSignal, gifThread?: EarlyGifThread | null): Promise<number> {
  const argv = resolveRateFractions(typed);
  // Set before any handler runs: the handlers ask it which options are switches and numbers.
  let parser: Argv | undefined;
  const choose = (load: () => Promise<Command>) => (args: Args) => {
    const parsed = parserOptions(parser!);
    // First: a --no-output beside -o is a negation, not an option given twice.
    refuseNegations(argv, args, parsed.boolean);
    refuseSwitchConflicts(argv, parsed);
    refuseOddValues(argv, args);
    // Before the repeats: their message shows what yargs made of the values, NaN for a word.
    refuseOddNumbers(argv, numberOptions(parsed));
    refuseRepeats(args);
    refuseMangledOutputs(args);
    throw new CommandChosen(async () => {
      const command = (args._ as string[])[0] as CommandName;
      const toStdout = args.output === '-';
      outputToStdout = toStdout;
      // Text on standard output appended to an input (`palette in.gif >> in.gif`,
      // `--json 1<> in.gif`) would change the file being read.
      const text = textOnStdout(command, args);
      const outputChecks = await import('../io/output-checks.js');
      if (text !== null) await outputChecks.refuseInputAsStdout(streams.stdout, inputFiles(args), text);
      // Nor may what goes there be lost to another output of the run put in the same file (`> t.png --timeline t.png`).
      const onStdout = toStdout ? 'the GIF (-o -)' : text;
      if (onStdout !== null) await outputChecks.refuseOutputAsStdout(streams.stdout, outputFiles(args), onStdout);
      // Loaded with the command, as the commands are: --help and --version need neither.
      const inputs = (await import('../io/spool-input.js')).createInputSession(() => streams.stdin, PIPED[command]);
      notePipedOutput(streams.stdout);
      if (gifThread) (await import('../io/gif-thread.js')).offerEarlyGifThread(gifThread);
      try {
        await (await load())(args, streams, signal, inputs);
      } catch (caught) {
        const err = await signalled(caught, signal);
        // Messages made below the command name the file read for standard input (see spool-input.ts).
        // Not other errors: some have a message that cannot be set (a DOMException), and they are reported whole.
        if (err instanceof ChromaseedError) err.message = inputs.shownText(err.message);
        // What went to standard output (-o -) cannot be taken back: it is not "no output".
        if (err instanceof ChromaseedError && err.code === 'ERR_ABORTED' && toStdout) err.message = INTERRUPTED_STREAM;
        throw err;
      } finally {
        await inputs.release();
      }
    });
  };
  try {
    parser = buildParser(endOfOptions(splitAttachedValues(helpFor(argv))), {
      palette: choose(async () => (await import('./palette-command.js')).paletteCommand),
      quantize: choose(async () => (await import('./quantize-command.js')).quantizeCommand),
      compare: choose(async () => (await import('./compare-command.js')).compareCommand),
      transfer: choose(async () => (await import('./transfer-command.js')).transferCommand),
    }, argv);
    await parser.parseAsync();
    return EXIT_OK; // --help or --version: yargs has printed it
  } catch (err) {
    if (!(err instanceof CommandChosen)) return report(err, streams.stderr, helpFor(argv));
    try {
      await err.run();
      return EXIT_OK;
    } catch (runErr) {
      return report(runErr, streams.stderr);
    }
  } finally {
    gifThread?.drop();
  }
}

/**
 * Thrown by a command handler once yargs has validated the arguments. Leaving the
 * parser this way skips the help text yargs otherwise renders after every handler
 * "in case it fails later" (about 50 ms of string measuring, a quarter of a small
 * clip's run), and runs the command outside yargs, so its errors reach report().
 */
class CommandChosen {
  constructor(readonly run: () => Promise<void>) {}
}

/** Each command fed from a pipe, for the message when standard input is a terminal. */
const PIPED: Record<CommandName, string> = {
  palette: 'cat photo.jpg | chromaseed palette -',
  quantize: 'cat in.gif | chromaseed quantize - -o out.gif',
  compare: 'cat in.gif | chromaseed compare -',
  transfer: 'cat photo.jpg | chromaseed transfer - target.gif -o out.gif',
};

/** What a command line writes to standard output, other than a GIF (-o -: the GIF writer checks that), or null. */
function textOnStdout(command: CommandName, args: Args): string | null {
  if (args.output === '-') return null;
  if (command === 'palette') return 'the palette';
  if (command === 'compare') return 'the figures';
  return args.json === true ? 'the JSON summary' : null;
}

/** `help quantize` as `quantize --help`, as git and npm take it (it was an unknown command). */
function helpFor(argv: string[]): string[] {
  if (argv[0] !== 'help' || argv.length !== 2) return argv;
  // `help X` of no command X is about X: "unknown command "help"" named the wrong word.
  return (COMMANDS as readonly string[]).includes(argv[1]) ? [argv[1], '--help'] : [argv[1]];
}

/** The files a command line reads (standard input, `-`, is none). */
function inputFiles(args: Args): string[] {
  return FILE_ARGUMENTS.map((name) => args[name]).filter((f): f is string => typeof f === 'string' && f !== '-');
}
