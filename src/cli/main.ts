import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { ChromaseedError, closestName, invalidOption, listOf } from '../errors.js';
import { STABILITY_LEVELS } from '../sequence/stability.js';
import { DITHERS, flag, INITS, METRICS, SEEDINGS, SPACES, TRANSFER_METHODS } from '../options.js';
import { PALETTE_FORMATS } from '../palette/format.js';
import { PALETTE_SORTS } from '../palette/sort.js';
import type { InputSession, InputStream } from '../io/spool-input.js';
import { clearProgressLine } from './progress.js';
import { oneLine } from './report.js';
import { dependsOnOtherProcess, notePipedOutput } from '../io/other-processes.js';
import { DEFAULT_MAX_FRAMES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_PIXELS, DEFAULT_RESTARTS } from '../limits.js';

// For bin/chromaseed.js: what a process that must end at once (a second Ctrl-C) releases first.
export { releaseLeftovers } from '../io/leftovers.js';

/** Where a command writes: data to stdout, everything a person reads to stderr. */
export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** What an input named `-` is read from (read only then); without it, `-` is refused. */
  stdin?: InputStream;
}

/** Exit codes, documented in the README. */
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

export type Args = Record<string, unknown>;

/** A command: its parsed arguments, where it writes, Ctrl-C, and how it reads `-` (see spool-input.ts). */
type Command = (args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession) => Promise<void>;

/**
 * Runs one command line and returns the exit code. Every error ends in report(): a
 * ChromaseedError prints as one line, any other error is a bug and prints its stack.
 */
export async function main(argv: string[], streams: CliStreams, signal?: AbortSignal): Promise<number> {
  // Set before any handler runs: the handlers ask it which options are switches and numbers.
  let parser: Argv | undefined;
  const choose = (load: () => Promise<Command>) => (args: Args) => {
    const parsed = parserOptions(parser!);
    // First: a --no-output beside -o is a negation, not an option given twice.
    refuseNegations(argv, args, parsed.boolean);
    refuseSwitchConflicts(argv, parsed);
    refuseRepeats(args);
    refuseOddValues(argv, args);
    refuseMangledOutputs(args);
    refuseOddNumbers(argv, numberOptions(parsed));
    throw new CommandChosen(async () => {
      const command = (args._ as string[])[0] as CommandName;
      // Text on standard output appended to an input (`palette in.gif >> in.gif`,
      // `--json 1<> in.gif`) would change the file being read.
      const text = textOnStdout(command, args);
      if (text !== null) await (await import('../io/output-file.js')).refuseInputAsStdout(streams.stdout, inputFiles(args), text);
      // Loaded with the command, as the commands are: --help and --version need neither.
      const inputs = (await import('../io/spool-input.js')).createInputSession(() => streams.stdin, PIPED[command]);
      notePipedOutput(streams.stdout);
      try {
        await (await load())(args, streams, signal, inputs);
      } catch (caught) {
        const err = await signalled(caught, signal);
        // Messages made below the command name the file read for standard input (see spool-input.ts).
        // Not other errors: some have a message that cannot be set (a DOMException), and they are reported whole.
        if (err instanceof ChromaseedError) err.message = inputs.shownText(err.message);
        // What went to standard output (-o -) cannot be taken back: it is not "no output".
        if (err instanceof ChromaseedError && err.code === 'ERR_ABORTED' && args.output === '-') err.message = INTERRUPTED_STREAM;
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
    });
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
  }
}

/**
 * A group of one-letter switches (-q, -h) that may end in one of the one-letter options that
 * take a value (-o, -k) with the value attached.
 */
const ATTACHED_VALUE = /^-([qh]*)([ok])([^=].*)$/;

/**
 * `-oout.gif` is `-o out.gif` and `-qoout.gif` is `-q -o out.gif`, as getopt reads them. yargs
 * read them as groups of one-letter switches (-o -o -u -t...: "Unknown arguments: u, t", or
 * an output named ""). Options only, up to `--`.
 */
function splitAttachedValues(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.flatMap((arg, i) => {
    const attached = end >= 0 && i > end ? null : ATTACHED_VALUE.exec(arg);
    if (attached === null) return [arg];
    const [, switches, letter, value] = attached;
    return [...Array.from(switches, (s) => `-${s}`), `-${letter}`, value];
  });
}

/**
 * `--` ends the options, so a file named like one ("-i.mp4") can be given. yargs leaves what
 * follows out of a command's positionals (its count then says none were given), so they are
 * put back as positionals, right after the command name, where no option before `--` can
 * take one as its value (`-o -- in.gif` must not write over in.gif). Every positional is a
 * file, and one starting with "-" is written "./-i.mp4", the same file, which no parser
 * takes for an option.
 */
function endOfOptions(argv: string[]): string[] {
  const end = argv.indexOf('--');
  if (end < 0) return argv;
  const files = argv.slice(end + 1).map((arg) => (arg.startsWith('-') ? `./${arg}` : arg));
  const command = argv.findIndex((arg, i) => i < end && (COMMANDS as readonly string[]).includes(arg));
  const at = command < 0 ? end : command + 1;
  return [...argv.slice(0, at), ...files, ...argv.slice(at, end)];
}

/** The command line's options: what comes before `--`. */
function optionsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/** Where a usage error found in a command's arguments points: "(see chromaseed quantize --help)". */
const commandHelp = (args: Args): string => `(see chromaseed ${String((args._ as string[])[0])} --help)`;

const EMPTY_FILE_NAME = 'an empty file name was given (an unset shell variable?); give a file, or - for standard input';

/**
 * Values yargs would misread, refused by what the user typed (`args`: what yargs made of it,
 * which says which names take values):
 * - an option given an empty value (`-k ""`, `--output=`, a shell variable that was not set):
 *   yargs reads "" as 0 for a number ("received 0") and as a file named "" for a path, so the
 *   message named a value the user never gave;
 * - a switch given a value (`--quiet=yes`, `-q=yes`, `-q8`): yargs reads anything but "true"
 *   as false, so the run went on not quiet ("true" and "false" are taken, as yargs takes them);
 * - an empty argument left (an unset "$f"): yargs hands it over as it hands `-`, standard input;
 * - a name yargs takes for another (oddName).
 */
function refuseOddValues(argv: readonly string[], args: Args): void {
  const options = optionsOf(argv);
  options.forEach((arg, i) => {
    const attached = /^-[A-Za-z]*?([A-Za-z])([^A-Za-z=].*)$/s.exec(arg);
    if (attached !== null && typeof args[attached[1]] === 'boolean') throw new ChromaseedError('ERR_USAGE', `-${attached[1]} is a switch: give it alone (or =true, =false), not ${attached[2]}`);
    const inline = /^(--?)([^=\s]+)=(.*)$/.exec(arg);
    const before = i > 0 && arg.trim() === '' ? /^(--?)([a-z][^=\s]*)$/i.exec(options[i - 1]) : null;
    const [, dashes, name, value] = inline ?? before ?? [];
    if (name === undefined || !(name in args)) return;
    const isSwitch = typeof args[name] === 'boolean';
    if (!isSwitch && (value ?? '').trim() === '') throw new ChromaseedError('ERR_USAGE', `${dashes}${name} was given an empty value ${commandHelp(args)}`);
    if (isSwitch && value !== undefined && !/^(true|false)$/.test(value)) {
      throw new ChromaseedError('ERR_USAGE', `${dashes}${name} is a switch: give it alone (or =true, =false), not =${value}`);
    }
  });
  if (argv.includes('')) throw new ChromaseedError('ERR_USAGE', EMPTY_FILE_NAME);
  const odd = oddName(argv);
  if (odd !== undefined) throw new ChromaseedError('ERR_USAGE', `unknown option ${odd} ${commandHelp(args)}`);
}

/**
 * An option name yargs takes for another: ---colors for --colors (past the decimal check),
 * or for -colors and colors ("Unknown arguments: -colors, colors"); --$0 for its own field.
 */
function oddName(argv: readonly string[]): string | undefined {
  for (const arg of optionsOf(argv)) {
    const odd = /^(---[^=\s]*|--?\$0)(=|$)/.exec(arg);
    if (odd !== null) return odd[1];
    // A file's name in the synopsis (--source x.png): yargs took it as an option, silently
    // overridden by the file given in its place or taken for it.
    const file = /^(--(?:no-)?([^=\s]+))(=|$)/.exec(arg);
    if (file !== null && isFileArgument(file[2])) return `${file[1]} (files are given by their place, not by a name)`;
  }
  return undefined;
}

/** The commands' file arguments (palette <image>, quantize <input>, transfer <source> <target>): no options. */
const FILE_ARGUMENTS = ['image', 'input', 'source', 'target'] as const;
const isFileArgument = (name: string): boolean => (FILE_ARGUMENTS as readonly string[]).includes(name);

/** The options that name a file to write. */
const OUTPUT_NAMES = [['output', '-o'], ['timeline', '--timeline'], ['swatch', '--swatch'], ['overlay', '--overlay']] as const;

/**
 * Node hands over command-line arguments as UTF-8, a name's other bytes replaced by U+FFFD:
 * an output named so was written under that other name, with no word (an input so named is
 * not found, and its error says why).
 */
function refuseMangledOutputs(args: Args): void {
  for (const [name, flag] of OUTPUT_NAMES) {
    const value = args[name];
    if (typeof value === 'string' && value.includes('\uFFFD')) {
      throw new ChromaseedError('ERR_USAGE', `${flag} ${value}: the name has bytes that are not UTF-8, which chromaseed is given replaced (U+FFFD), so it would write another name; choose a UTF-8 name`);
    }
  }
}

/** A number as people write one: digits, a point, an exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The names (aliases and the camelCase yargs also takes, --maxIterations) of the options yargs reads as numbers. */
function numberOptions({ number, alias }: { number: string[]; alias: Record<string, string[]> }): ReadonlySet<string> {
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return new Set(number.flatMap((name) => [name, camel(name), ...(alias[name] ?? [])]));
}

/**
 * yargs reads a number as JavaScript does, so `-k 0x10` was 16 colours, `--seed 0b11` 3 and
 * `--fps Infinity` infinite; a number is given in decimal (an exponent is fine).
 */
function refuseOddNumbers(argv: readonly string[], numbers: ReadonlySet<string>): void {
  const options = optionsOf(splitAttachedValues([...argv]));
  options.forEach((arg, i) => {
    const given = /^(--?)([^=\s]+)(?:=(.*))?$/s.exec(arg);
    if (given === null || !numbers.has(given[2])) return;
    const value = given[3] ?? options[i + 1];
    if (value !== undefined && !DECIMAL.test(value.trim())) {
      throw new ChromaseedError('ERR_USAGE', `${given[1]}${given[2]} takes a number written in decimal (such as 16, 0.5 or 1e3), not ${JSON.stringify(value)}`);
    }
  });
}

/** `--no-X` given a value, said the same wherever it is found (here and by yargs's parse). */
const noValueForNegation = (name: string, help: string): ChromaseedError => new ChromaseedError('ERR_USAGE', `--no-${name} takes no value: give it alone (or --${name}=false) ${help}`);

/**
 * `--no-X` turns a switch off (`--no-audio`). yargs took it for any option: `--no-plays` was
 * 0 plays (a GIF looping forever), `--no-seed` seed 0, `--no-k` "received 0".
 */
function refuseNegations(argv: readonly string[], args: Args, switches: readonly string[]): void {
  const help = commandHelp(args);
  for (const arg of optionsOf(argv)) {
    const negated = /^--no-([^=\s]+)(=.*)?$/.exec(arg);
    if (negated === null) continue;
    const [, name, value] = negated;
    if (!switches.includes(name)) throw new ChromaseedError('ERR_USAGE', `unknown option --no-${name}: --no- turns a switch off, and ${name.length === 1 ? '-' : '--'}${name} is not one ${help}`);
    if (value !== undefined) throw noValueForNegation(name, help);
  }
}

/**
 * A switch given both ways, in any of its spellings (`--quiet`, `-q`, a group such as `-qh`,
 * `--q`, `=true` or `=false`, `--no-quiet`, `--no-q`), is refused: it was the last one's,
 * silently (`-q --no-quiet`, `--audio --audio=false`).
 */
function refuseSwitchConflicts(argv: readonly string[], parsed: { boolean: string[]; alias: Record<string, string[]> }): void {
  // Every name of a switch, its aliases too (q), to the switch's own name (quiet).
  const canonical = new Map<string, string>(parsed.boolean.map((name) => [name, name]));
  for (const [name, aliases] of Object.entries(parsed.alias)) {
    if (parsed.boolean.includes(name)) for (const alias of aliases) canonical.set(alias, name);
  }
  const seen = new Map<string, { on?: string; off?: string }>();
  const note = (name: string, on: boolean, spelling: string) => {
    const main = canonical.get(name);
    if (main === undefined) return;
    const ways = seen.get(main) ?? {};
    if (on) ways.on ??= spelling;
    else ways.off ??= spelling;
    seen.set(main, ways);
    if (ways.on !== undefined && ways.off !== undefined) throw new ChromaseedError('ERR_USAGE', `${ways.on} and ${ways.off} were both given; give one`);
  };
  for (const arg of optionsOf(splitAttachedValues([...argv]))) {
    const negated = /^--no-([^=\s]+)$/.exec(arg);
    const long = /^--([^=\s]+)(?:=(true|false))?$/.exec(arg);
    const short = /^-([A-Za-z]+)(?:=(true|false))?$/.exec(arg);
    if (negated !== null) note(negated[1], false, arg);
    else if (long !== null) note(long[1], long[2] !== 'false', arg);
    else if (short !== null) for (const letter of short[1]) note(letter, short[2] !== 'false', short[1].length === 1 ? arg : `-${letter}`);
  }
}

/**
 * No option takes several values: given twice, yargs collects both, and a file name would
 * become "a.gif,b.gif". Refused under the option's long name (yargs also files each value
 * under the one-letter alias and a camelCase copy).
 */
function refuseRepeats(args: Args): void {
  for (const [name, value] of Object.entries(args)) {
    if (name !== '_' && name.length > 1 && !/[A-Z]/.test(name) && Array.isArray(value)) throw invalidOption(`--${name}`, '', value);
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
async function signalled(err: unknown, signal: AbortSignal | undefined): Promise<unknown> {
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

const INTERRUPTED_STREAM = 'interrupted; what standard output got of the GIF, if anything, is cut short';

function report(err: unknown, stderr: CliStreams['stderr'], argv: readonly string[] = []): number {
  // On a terminal, the message replaces what a progress line left (a pass's last note).
  clearProgressLine(stderr);
  if (err instanceof ChromaseedError && err.code === 'ERR_ABORTED') {
    // However far the run had got: every output is removed on the way out, but a stream.
    stderr.write(`chromaseed: ${err.message === INTERRUPTED_STREAM ? err.message : 'interrupted; no output written'}\n`);
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

const COMMANDS = ['palette', 'quantize', 'compare', 'transfer'] as const;
type CommandName = (typeof COMMANDS)[number];

/** Each command's files, as its usage line names them. */
const SYNOPSIS: Record<CommandName, string> = { palette: 'IMAGE', quantize: 'INPUT -o OUTPUT', compare: 'INPUT', transfer: 'SOURCE TARGET -o OUTPUT' };
/** What each command reads, for a message about too many or too few files. */
const READS: Record<CommandName, string> = { palette: 'one image', quantize: 'one input', compare: 'one input', transfer: 'a source and a target' };
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

/**
 * One line from a yargs message, pointing to --help. `options` are the long option names the
 * command offers (hidden ones left out), for the one a misspelt option means.
 */
function usageMessage(msg: string, argv: readonly string[] = [], options: readonly string[] = []): string {
  // A misspelt command: yargs, in strict mode, calls it an unknown argument.
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !(COMMANDS as readonly string[]).includes(first)) {
    const near = closestName(first, COMMANDS);
    if (near !== undefined) return `unknown command "${first}": did you mean "${near}"? (name one of ${listOf(COMMANDS)}; see chromaseed --help)`;
    return `unknown command "${first}": name one of ${listOf(COMMANDS)} (see chromaseed --help)`;
  }
  const command = argv.find((arg): arg is CommandName => (COMMANDS as readonly string[]).includes(arg));
  const help = `(see chromaseed ${command !== undefined ? `${command} ` : ''}--help)`;
  const odd = oddName(argv);
  if (odd !== undefined) return `unknown option ${odd} ${help}`;
  // Files beyond the command's own (`palette *.png`): strict mode calls them unknown
  // arguments. Only names of files that exist: `quantize a.gif 16` (-k forgotten) is not one.
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg)?.[1].split(', ');
  // An empty argument beside the files (an unset "$f"), which yargs names "".
  if (unknown?.includes('""') === true && argv.includes('')) return EMPTY_FILE_NAME;
  if (command !== undefined && unknown !== undefined && unknown.every((name) => argv.includes(name) && (name === '-' || (!name.startsWith('-') && existsSync(name))))) {
    return `${command} reads ${READS[command]}; ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} more than that (run it once per file: a shell loop does many)`;
  }
  // yargs' own words for the commonest slips, in ours.
  if (command !== undefined && /^Missing required argument: output$/.test(msg)) {
    return `-o is missing: name the file to write (chromaseed ${command} ${SYNOPSIS[command]}) ${help}`;
  }
  if (command !== undefined && /^Not enough non-option arguments/.test(msg)) {
    // A file whose name starts with "-" was read as options: it goes after --.
    const dashed = argv.find((arg) => /^-[^-]/.test(arg) && existsSync(arg));
    if (dashed !== undefined) return `${dashed} was read as options; give a file named like an option after -- (chromaseed ${command} ... -- ${dashed}) ${help}`;
    return `${command} reads ${READS[command]}: give ${command === 'transfer' ? 'both files' : 'its file'} (chromaseed ${command} ${SYNOPSIS[command]}; - reads standard input) ${help}`;
  }
  // One line per bad choice ("Invalid values:" then "  Argument: init, Given: ..."): the first is said.
  const choice = msg.split('\n').map((line) => /Argument: ([\w-]+), Given: (.*), Choices: (.*)$/.exec(line)).find((m) => m !== null) ?? null;
  if (choice !== null) {
    return `expected ${listOf(choice[3].split(', ').map((c) => c.replace(/^"|"$/g, '')))} for ${flag(choice[1])} but received ${choice[2]} ${help}`;
  }
  // A switch's --no- with a value (--no-audio=false): yargs calls it unknown.
  const negatedWithValue = argv.map((arg) => /^--no-([^=\s]+)=/.exec(arg)?.[1]).find((name) => name !== undefined && unknown?.includes(`no-${name}`));
  if (negatedWithValue !== undefined) return noValueForNegation(negatedWithValue, help).message;
  // Unknown options, as they were typed: yargs names them bare, a --max-iter twice (max-iter,
  // maxIter) and a --no-audio as "audio".
  // A name found nowhere as an option (`quantize a.gif 8`, -k forgotten) is left to yargs' words.
  const typed = unknown?.map((name) => {
    const kebab = name.length === 1 ? name : flag(name).slice(2);
    const flags = [`--${kebab}`, `--no-${kebab}`];
    // As typed, capitals too (--Width): its kebab form was looked for, and it was called a stray word.
    const long = argv.map((arg) => arg.split('=')[0]).find((flag) => flags.includes(flag) || flag === `--${name}`);
    if (long !== undefined) return long;
    // Given bare (`quantize a.gif -q -o z.gif q`): a word, even where -q is an option.
    if (argv.includes(name) || kebab.length > 1) return null;
    // One letter, alone or in a group of short switches (-qZ).
    return argv.some((arg) => /^-[A-Za-z]+$/.test(arg) && arg.includes(kebab)) ? `-${kebab}` : null;
  });
  if (typed !== undefined && typed.every((t) => t !== null)) {
    const names = [...new Set(typed)];
    // A misspelt long option (--colours, --dithr): the one meant, as for a command.
    const meant = names.map((name) => (name.startsWith('--') ? closestName(name.slice(2), options) : undefined));
    if (names.length === 1 && meant[0] !== undefined) return `unknown option ${names[0]}: did you mean --${meant[0]}? ${help}`;
    const said = names.map((name, i) => (meant[i] === undefined ? name : `${name} (--${meant[i]}?)`));
    return `unknown option${names.length === 1 ? '' : 's'} ${said.join(', ')} ${help}`;
  }
  // A stray word (`quantize a.gif 8`: -k forgotten), no file and no option.
  if (command !== undefined && unknown !== undefined && unknown.every((name) => !name.startsWith('-'))) {
    const number = unknown.find((name) => /^\d+$/.test(name));
    const hint = number !== undefined ? `, and an option's value follows its name (-k ${number})` : '';
    return `unexpected ${unknown.map((name) => `"${name}"`).join(', ')}: ${command} reads ${READS[command]}${hint} ${help}`;
  }
  // An option given last with no value: yargs names it bare ("following: k").
  const bare = /^Not enough arguments following: (\S+)$/.exec(msg);
  const option = bare ? `${bare[1].length === 1 ? '-' : '--'}${bare[1]}` : '';
  // yargs reads a value that starts with "-" (a file named -x.gif) as another option.
  const text = bare ? `${option} needs a value (one that starts with "-" is given as ${option}=VALUE)` : msg.replace(/\s*\n\s*/g, ' ');
  return `${text} ${help}`;
}

/** The options yargs keeps for the command being parsed, in getOptions(), which its typings leave out. */
function parserOptions(parser: Argv): { key: Record<string, unknown>; boolean: string[]; number: string[]; alias: Record<string, string[]>; hiddenOptions: string[] } {
  return (parser as unknown as { getOptions(): ReturnType<typeof parserOptions> }).getOptions();
}

/** The long option names the command being parsed offers, as --help lists them, and a switch's --no- form. */
function offeredOptions(parser: Argv): string[] {
  const { key, boolean, hiddenOptions } = parserOptions(parser);
  const names = Object.keys(key).filter((name) => name.length > 1 && !hiddenOptions.includes(name) && !isFileArgument(name));
  return [...names, ...names.filter((name) => boolean.includes(name)).map((name) => `no-${name}`)];
}

type Handler = (args: Args) => void;

function buildParser(argv: string[], handlers: Record<(typeof COMMANDS)[number], Handler>): Argv {
  const parser: Argv = yargs(argv)
    .scriptName('chromaseed')
    .usage('$0 <command> [options]\n\nQuantize the colours of GIFs, videos and photos with sequential (seeded) k-means.')
    .command(
      'palette <image>',
      'Pull a colour palette out of a still image (JPEG, PNG, WebP, AVIF, TIFF, SVG, GIF, BMP...), or out of all the frames of an animation or a video',
      (y) =>
        clusterOptions(y, 6)
          .positional('image', { type: 'string', describe: 'the image (or animation, or video) to read; - for standard input' })
          .option('sort', { requiresArg: true, choices: PALETTE_SORTS, default: 'count', describe: 'order of the colours' })
          .option('vivid', { type: 'boolean', describe: 'favour salient colours over muted averages' })
          .option('start', { requiresArg: true, type: 'string', describe: 'animation or video: start of the part whose colours are taken (seconds or hh:mm:ss.xxx)' })
          .option('duration', { requiresArg: true, type: 'string', describe: 'animation or video: duration of that part [default: to the end]' })
          // Defaults given in the text, not to yargs, so that --json with an explicit --format can be refused.
          .option('format', { requiresArg: true, choices: PALETTE_FORMATS, describe: 'output format on stdout [default: text]' })
          .option('json', { type: 'boolean', describe: 'same as --format json' })
          .option('swatch', { requiresArg: true, type: 'string', describe: 'write the palette as a PNG bar (widths = proportions)' })
          .option('overlay', { requiresArg: true, type: 'string', describe: 'write the image with the palette drawn over it (PNG)' })
          .option('max-pixels', { requiresArg: true, type: 'number', describe: `refuse images with more pixels than this [default: ${DEFAULT_MAX_PIXELS}]` })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'no note or warnings on stderr (the note: the image has fewer colours than k; --json keeps the warnings)' }),
      handlers.palette,
    )
    .command(
      'quantize <input>',
      'Quantize an animated GIF, WebP or PNG, or a video, to k colours per frame',
      (y) =>
        outputOptions(sequenceOptions(inputOptions(clusterOptions(y, 16))))
          .positional('input', { type: 'string', describe: 'GIF, animated WebP or PNG, video (mp4, webm, mov, mkv, ...) or still image; - for standard input' })
          .option('timeline', { requiresArg: true, type: 'string', describe: 'also write the palettes over time as a PNG (one row per frame)' })
          .demandOption('output'),
      handlers.quantize,
    )
    .command(
      'compare <input>',
      'Run seeded, unseeded and global k-means on one input and measure the flicker',
      (y) =>
        sequenceOptions(inputOptions(clusterOptions(y, 16)))
          // compare runs all three modes: --seeding stays known, to be refused with a reason, but is not offered.
          .option('seeding', { hidden: true })
          .positional('input', { type: 'string', describe: 'GIF, animated WebP or PNG, or video; - for standard input' })
          .option('output', { requiresArg: true, alias: 'o', type: 'string', describe: 'write a labelled side-by-side animation (GIF, video or PNG frames)' })
          .option('all', { type: 'boolean', describe: 'include the global mode in the side-by-side output and the timeline' })
          .option('levers', { type: 'boolean', describe: 'add rows with each steadiness lever of the seeded mode switched off' })
          .option('timeline', { requiresArg: true, type: 'string', describe: 'write the palettes over time as a PNG, unseeded | seeded side by side (one row per frame)' })
          .option('json', { type: 'boolean', describe: 'print the figures as JSON' })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress, summary or warnings on stderr (--json keeps the warnings)' }),
      handlers.compare,
    )
    .command(
      'transfer <source> <target>',
      "Repaint TARGET (still, GIF or video) with SOURCE's palette",
      (y) =>
        outputOptions(sequenceOptions(inputOptions(clusterOptions(y, "8, or a palette file's number of colours"))))
          .positional('source', { type: 'string', describe: 'where the colours come from (still, GIF, animated WebP or PNG, or video, or a palette file: chromaseed palette output, GIMP .gpl, hex codes)' })
          .positional('target', { type: 'string', describe: 'what is repainted (still, GIF, animated WebP or PNG, or video); either may be - for standard input' })
          .option('method', { requiresArg: true, choices: TRANSFER_METHODS, default: 'optimal', describe: 'how target clusters are matched to source colours' })
          .option('swatch', { requiresArg: true, type: 'string', describe: 'write source palette, target palette and mapping as a PNG' })
          .option('source-start', { requiresArg: true, type: 'string', describe: "SOURCE's part to take colours from: start time (--start and --duration are the target's)" })
          .option('source-duration', { requiresArg: true, type: 'string', describe: "SOURCE's part to take colours from: duration [default: all of it]" })
          .demandOption('output'),
      handlers.transfer,
    )
    .demandCommand(1, `name a command: ${listOf(COMMANDS)}`)
    .strict()
    // --colors.x is no option (yargs made it an object, "received [object Object]").
    .parserConfiguration({ 'dot-notation': false })
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new ChromaseedError('ERR_USAGE', usageMessage(msg, argv, offeredOptions(parser)));
    })
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    // Our own messages are English, so the parser's are too, whatever the environment's
    // language (a German LANG gave German usage errors ending in "(see chromaseed --help)").
    .locale('en')
    // A terminal's width (up to 110); 80 when piped (| less), as yargs' own default: 100 broke lines on an 80-column screen.
    .wrap(Math.min(110, process.stdout.columns ?? 80));
  return parser;
}

/**
 * The version in package.json. yargs would look for package.json upward from where the
 * program was started or from its own file, which in the CLI bundle is not under
 * node_modules; this file's place relative to it is fixed (see rolldown.config.js).
 */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * `defaultColors` as a number is yargs's default; as text, the default the command works out
 * (transfer: a palette file's size). --restarts has its default in the text, not in yargs, so
 * that one given to --seeding none, which starts each frame once, can be refused.
 */
function clusterOptions<T>(y: Argv<T>, defaultColors: number | string) {
  const colors = typeof defaultColors === 'number' ? { default: defaultColors, describe: 'palette size k, 1 to 256' } : { describe: `palette size k, 1 to 256 [default: ${defaultColors}]` };
  return y
    .option('colors', { requiresArg: true, alias: 'k', type: 'number', ...colors })
    .option('init', { requiresArg: true, choices: INITS, default: 'kmeans++', describe: 'how k-means starts' })
    .option('restarts', { requiresArg: true, type: 'number', describe: `initialisations tried, best kept (n_init), 1 to 1000 [default: ${DEFAULT_RESTARTS}]` })
    .option('metric', { requiresArg: true, choices: METRICS, default: 'euclidean', describe: 'distance: euclidean (mean) or manhattan (median)' })
    .option('space', { requiresArg: true, choices: SPACES, default: 'rgb', describe: 'colour space k-means runs in' })
    .option('seed', { requiresArg: true, type: 'number', default: 0, describe: 'random seed (same seed, same result)' })
    .option('max-iterations', { requiresArg: true, type: 'number', describe: `Lloyd iterations at most per run (the run on colour bins, its refinement on exact colours and a final polish each), 1 to 10000 [default: ${DEFAULT_MAX_ITERATIONS}]` });
}

function inputOptions<T>(y: Argv<T>) {
  return y
    .option('fps', { requiresArg: true, type: 'number', describe: 'animation or video: resample to this frame rate, from 0.001 to 1000 (at most 50 for GIF output)' })
    .option('width', { requiresArg: true, type: 'number', describe: 'scale to this width (1 to 16384 pixels), keeping the aspect ratio' })
    .option('start', { requiresArg: true, type: 'string', describe: 'animation or video: start time (seconds or hh:mm:ss.xxx)' })
    .option('duration', { requiresArg: true, type: 'string', describe: 'animation or video: duration to read (seconds or hh:mm:ss.xxx)' })
    .option('max-pixels', { requiresArg: true, type: 'number', describe: `refuse frames larger than this many pixels [default: ${DEFAULT_MAX_PIXELS}]` })
    .option('max-frames', { requiresArg: true, type: 'number', describe: `refuse inputs with more frames than this [default: ${DEFAULT_MAX_FRAMES}]` });
}

function sequenceOptions<T>(y: Argv<T>) {
  return y
    // No yargs defaults for --seeding and --stability: a lever given with a mode that ignores it is refused.
    .option('seeding', { requiresArg: true, choices: SEEDINGS, describe: 'seeded: start each frame from the last palette; none: fresh per frame; global: one palette [default: seeded]' })
    .option('dither', { requiresArg: true, choices: DITHERS, default: 'none', describe: 'dithering when mapping pixels' })
    .option('stability', { requiresArg: true, choices: STABILITY_LEVELS, describe: 'seeded mode: how firmly palettes and still pixels are held (none = plain seeded k-means) [default: medium]' })
    .option('frame-iterations', { requiresArg: true, type: 'number', describe: 'seeded mode: Lloyd iterations per frame after the first [preset]' })
    .option('palette-hold', { requiresArg: true, type: 'number', describe: "seeded mode: a palette colour stays while keeping it raises its cluster's squared error by at most this fraction [preset]" })
    .option('pixel-hold', { requiresArg: true, type: 'number', describe: 'seeded mode: pixels whose source changes by at most this per channel (0-255, -1 = off) keep their entry [preset]' })
    .option('pixel-margin', { requiresArg: true, type: 'number', describe: "seeded mode: a held entry's squared distance may exceed the nearest's by this fraction [preset]" })
    .option('refresh', { requiresArg: true, type: 'number', describe: 'seeded mode: every N frames also try a fresh clustering, adopted when clearly better (0 = never; on frames of many colours, as in video, less often while they lose; on frames of greys, every frame, with the exact optimum) [preset]' })
    .option('refresh-gain', { requiresArg: true, type: 'number', describe: 'seeded mode: how much lower (fraction) a fresh objective must be to be adopted [preset]' })
    .option('anchor', { requiresArg: true, type: 'number', describe: 'seeded mode: how strongly an entry painting still pixels is held in place (0 = off) [preset]' })
    .option('still-weight', { requiresArg: true, type: 'number', describe: "seeded mode: what a still pixel's colour change costs against the error it removes (0 = off) [preset]" })
    .option('scene-cut', { requiresArg: true, type: 'number', describe: 'seeded mode: objective jump factor that restarts the palette (0 = never) [preset]' });
}

function outputOptions<T>(y: Argv<T>) {
  return y
    .option('output', { requiresArg: true, alias: 'o', type: 'string', describe: 'output: .gif, .mp4 (.m4v), .webm, .mkv, .mov, frames-%04d.png, .png for a still, or - for a GIF on standard output (replaced if it exists)' })
    .option('audio', { type: 'boolean', describe: "video from a video: carry its sound over (the default; --no-audio: picture only)" })
    .option('plays', { requiresArg: true, type: 'number', describe: "GIF output: times it plays, 0 = forever [default: the source's; from a video: forever]" })
    .option('json', { type: 'boolean', describe: 'print a JSON summary on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress, summary or warnings on stderr (--json keeps the warnings)' });
}
