import { ChromaseedError, invalidOption } from '../errors.js';
import type { Args } from './main.js';

// The command line as typed, checked before yargs's reading of it is trusted: yargs takes
// many slips (an empty value, a switch given a value, a number in hex, an option twice) for
// something else without a word. Each check names what the user typed.

/** The commands, in the order --help lists them. */
export const COMMANDS = ['palette', 'quantize', 'compare', 'transfer'] as const;
export type CommandName = (typeof COMMANDS)[number];

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
export function splitAttachedValues(argv: string[]): string[] {
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
 * takes for an option; but "-" alone stays standard input, as it does for cat, so that a
 * script that puts -- before every input can pipe one in.
 */
export function endOfOptions(argv: string[]): string[] {
  const end = argv.indexOf('--');
  if (end < 0) return argv;
  const files = argv.slice(end + 1).map((arg) => (arg.startsWith('-') && arg !== '-' ? `./${arg}` : arg));
  const command = argv.findIndex((arg, i) => i < end && (COMMANDS as readonly string[]).includes(arg));
  const at = command < 0 ? end : command + 1;
  return [...argv.slice(0, at), ...files, ...argv.slice(at, end)];
}

/** The command line's options: what comes before `--`. */
export function optionsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/** Where a usage error found in a command's arguments points: "(see chromaseed quantize --help)". */
const commandHelp = (args: Args): string => `(see chromaseed ${String((args._ as string[])[0])} --help)`;

export const EMPTY_FILE_NAME = 'an empty file name was given (an unset shell variable?); give a file, or - for standard input';

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
export function refuseOddValues(argv: readonly string[], args: Args): void {
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
export function oddName(argv: readonly string[]): string | undefined {
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
export const FILE_ARGUMENTS = ['image', 'input', 'source', 'target'] as const;
export const isFileArgument = (name: string): boolean => (FILE_ARGUMENTS as readonly string[]).includes(name);

/** The options that name a file to write. */
const OUTPUT_NAMES = [['output', '-o'], ['timeline', '--timeline'], ['flickerMap', '--flicker-map'], ['swatch', '--swatch'], ['overlay', '--overlay']] as const;

/** The files a command line writes (standard output, `-o -`, is none). */
export function outputFiles(args: Args): string[] {
  return OUTPUT_NAMES.map(([name]) => args[name]).filter((f): f is string => typeof f === 'string' && f !== '-');
}

/**
 * Node hands over command-line arguments as UTF-8, a name's other bytes replaced by U+FFFD:
 * an output named so was written under that other name, with no word (an input so named is
 * not found, and its error says why).
 */
export function refuseMangledOutputs(args: Args): void {
  for (const [name, flag] of OUTPUT_NAMES) {
    const value = args[name];
    if (typeof value === 'string' && value.includes('\uFFFD')) {
      throw new ChromaseedError('ERR_USAGE', `${flag} ${value}: the name has bytes that are not UTF-8, which chromaseed is given replaced (U+FFFD), so it would write another name; choose a UTF-8 name`);
    }
  }
}

/** Digits with a point or not, no sign: what a decimal and either side of a fraction are made of. */
const DIGITS = String.raw`(\d+\.?\d*|\.\d+)`;

/** A number as people write one: digits, a point, an exponent. */
const DECIMAL = new RegExp(String.raw`^[+-]?${DIGITS}(e[+-]?\d+)?$`, 'i');

/** A rate as ffmpeg and video tools also write one: a fraction of two decimals (30000/1001). */
const FRACTION = new RegExp(String.raw`^\s*${DIGITS}\s*\/\s*${DIGITS}\s*$`);

/**
 * `--fps 30000/1001` (NTSC's 29.97, as ffmpeg and video tools write it, `--fps=24000/1001`
 * too) becomes the fraction's value in decimal before yargs reads the line, which would make
 * it NaN; ffmpegRate hands ffmpeg NTSC's exact fraction back. Any other value, a fraction
 * whose denominator is 0 too, is left for refuseOddNumbers to refuse. Options only, up to `--`.
 */
export function resolveRateFractions(argv: readonly string[]): string[] {
  const options = optionsOf(argv).length;
  const decimal = (value: string): string | null => {
    const m = FRACTION.exec(value);
    return m !== null && Number(m[2]) > 0 ? String(Number(m[1]) / Number(m[2])) : null;
  };
  return argv.map((arg, i) => {
    if (i >= options) return arg;
    const attached = /^--fps=(.*)$/s.exec(arg);
    if (attached !== null) return `--fps=${decimal(attached[1]) ?? attached[1]}`;
    return i > 0 && argv[i - 1] === '--fps' ? (decimal(arg) ?? arg) : arg;
  });
}

/** The names (aliases and the camelCase yargs also takes, --maxIterations) of the options yargs reads as numbers. */
export function numberOptions({ number, alias }: { number: string[]; alias: Record<string, string[]> }): ReadonlySet<string> {
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return new Set(number.flatMap((name) => [name, camel(name), ...(alias[name] ?? [])]));
}

/**
 * yargs reads a number as JavaScript does, so `-k 0x10` was 16 colours, `--seed 0b11` 3 and
 * `--fps Infinity` infinite; a number is given in decimal (an exponent is fine).
 */
export function refuseOddNumbers(argv: readonly string[], numbers: ReadonlySet<string>): void {
  const options = optionsOf(splitAttachedValues([...argv]));
  options.forEach((arg, i) => {
    const given = /^(--?)([^=\s]+)(?:=(.*))?$/s.exec(arg);
    if (given === null || !numbers.has(given[2])) return;
    const value = given[3] ?? options[i + 1];
    if (value !== undefined && !DECIMAL.test(value.trim())) {
      const form = given[2] === 'fps' ? 'a number of frames per second, in decimal (25, 29.97) or as a fraction (30000/1001)' : 'a number written in decimal (such as 16)';
      throw new ChromaseedError('ERR_USAGE', `${given[1]}${given[2]} takes ${form}, not ${JSON.stringify(value)}`);
    }
  });
}

/** `--no-X` given a value, said the same wherever it is found (here and by yargs's parse). */
export const noValueForNegation = (name: string, help: string): ChromaseedError => new ChromaseedError('ERR_USAGE', `--no-${name} takes no value: give it alone (or --${name}=false) ${help}`);

/** `--no-X` of an option that is no switch, said the same wherever it is found (here and by yargs's parse). */
export const negationOfNoSwitch = (name: string, help: string): ChromaseedError => new ChromaseedError('ERR_USAGE', `unknown option --no-${name}: --no- turns a switch off, and ${name.length === 1 ? '-' : '--'}${name} is not one ${help}`);

/**
 * `--no-X` turns a switch off (`--no-audio`). yargs took it for any option: `--no-plays` was
 * 0 plays (a GIF looping forever), `--no-seed` seed 0, `--no-k` "received 0".
 */
export function refuseNegations(argv: readonly string[], args: Args, switches: readonly string[]): void {
  const help = commandHelp(args);
  for (const arg of optionsOf(argv)) {
    const negated = /^--no-([^=\s]+)(=.*)?$/.exec(arg);
    if (negated === null) continue;
    const [, name, value] = negated;
    if (!switches.includes(name)) throw negationOfNoSwitch(name, help);
    if (value !== undefined) throw noValueForNegation(name, help);
  }
}

/**
 * A switch given both ways, in any of its spellings (`--quiet`, `-q`, a group such as `-qh`,
 * `--q`, `=true` or `=false`, `--no-quiet`, `--no-q`), is refused: it was the last one's,
 * silently (`-q --no-quiet`, `--audio --audio=false`).
 */
export function refuseSwitchConflicts(argv: readonly string[], parsed: { boolean: string[]; alias: Record<string, string[]> }): void {
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
export function refuseRepeats(args: Args): void {
  for (const [name, value] of Object.entries(args)) {
    if (name !== '_' && name.length > 1 && !/[A-Z]/.test(name) && Array.isArray(value)) throw invalidOption(`--${name}`, '', value);
  }
}
