import { existsSync, readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { ChromaseedError, closestName, listOf } from '../errors.js';
import { STABILITY_LEVELS } from '../sequence/stability.js';
import { DITHERS, flag, INITS, METRICS, SEEDINGS, SPACES, TRANSFER_METHODS } from '../options.js';
import { PALETTE_FORMATS } from '../palette/format.js';
import { PALETTE_SORTS } from '../palette/sort.js';
import { DEFAULT_MAX_FRAMES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_PIXELS, DEFAULT_RESTARTS, LARGE_K, LARGE_K_RESTARTS } from '../limits.js';
import { COMMANDS, EMPTY_FILE_NAME, isFileArgument, negationOfNoSwitch, noValueForNegation, oddName, optionsOf, type CommandName } from './argv-checks.js';
import type { Args } from './main.js';

// The commands and their options as yargs reads them, and yargs's messages in our words.

/** Each command's files, as its usage line names them. */
const SYNOPSIS: Record<CommandName, string> = { palette: 'IMAGE', quantize: 'INPUT -o OUTPUT', compare: 'INPUT', transfer: 'SOURCE TARGET -o OUTPUT' };
/** What each command reads, for a message about too many or too few files. */
const READS: Record<CommandName, string> = { palette: 'one image', quantize: 'one input', compare: 'one input', transfer: 'a source and a target' };

/**
 * The files too many, named as typed: the last `unknown.length` of the files given. The
 * files after `--` are handed to yargs first (endOfOptions), so it called a file typed
 * before them the one too many (`quantize a.gif -o o.gif -- b.gif` named a.gif).
 */
function lastTyped(typed: readonly string[], unknown: readonly string[]): readonly string[] {
  const dashes = typed.indexOf('--');
  if (dashes < 0) return unknown;
  return typed.filter((arg, i) => i > dashes || unknown.includes(arg)).slice(-unknown.length);
}

/**
 * One line from a yargs message, pointing to --help. `options` are the long option names the
 * command offers (hidden ones left out), for the one a misspelt option means; `asTyped`, the
 * command line before endOfOptions moved the files after `--`.
 */
export function usageMessage(msg: string, argv: readonly string[] = [], options: readonly string[] = [], switches: readonly string[] = [], asTyped: readonly string[] = argv): string {
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
  // The other commands write with -o; palette prints (it said "unknown option -o" alone).
  if (command === 'palette' && optionsOf(argv).some((arg) => /^(-o|--output)(=|$)|^-o[^-]/.test(arg))) {
    return `palette prints the palette on standard output: redirect it to a file (chromaseed palette IMAGE --format gpl > palette.gpl), or draw it with --swatch FILE.png ${help}`;
  }
  // `--no-plays 3`, `--no-output x.gif`, `--no-plays=3`: yargs reads the --no- as a value of
  // its own and calls what follows a stray word or a file too many, which blamed the wrong
  // argument (`switches`: every name of a switch, its one-letter aliases too).
  const negated = optionsOf(argv).map((arg) => /^--no-([^=\s]+)(=.*)?$/.exec(arg)?.[1]).find((name) => name !== undefined && !switches.includes(name) && (options.includes(name) || name.length === 1));
  if (negated !== undefined) return negationOfNoSwitch(negated, help).message;
  // Files beyond the command's own (`palette *.png`): strict mode calls them unknown
  // arguments. Only names of files that exist: `quantize a.gif 16` (-k forgotten) is not one.
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg)?.[1].split(', ');
  // An empty argument beside the files (an unset "$f"), which yargs names "".
  if (unknown?.includes('""') === true && argv.includes('')) return EMPTY_FILE_NAME;
  if (command !== undefined && unknown !== undefined && unknown.every((name) => argv.includes(name) && (name === '-' || (!name.startsWith('-') && existsSync(name))))) {
    const surplus = lastTyped(asTyped, unknown);
    return `${command} reads ${READS[command]}; ${surplus.join(', ')} ${surplus.length === 1 ? 'is' : 'are'} more than that (run it once per file: a shell loop does many)`;
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
  // yargs reads a value that starts with "-" (a file named -x.gif) as another option: said
  // where something follows the option, not where it was given last.
  const last = bare !== null && argv.lastIndexOf(option) === argv.length - 1;
  const text = bare ? `${option} needs a value${last ? '' : ` (one that starts with "-" is given as ${option}=VALUE)`}` : msg.replace(/\s*\n\s*/g, ' ');
  return `${text} ${help}`;
}

/** The options yargs keeps for the command being parsed, in getOptions(), which its typings leave out. */
export function parserOptions(parser: Argv): { key: Record<string, unknown>; boolean: string[]; number: string[]; alias: Record<string, string[]>; hiddenOptions: string[] } {
  return (parser as unknown as { getOptions(): ReturnType<typeof parserOptions> }).getOptions();
}

/** The long option names the command being parsed offers, as --help lists them, and a switch's --no- form. */
function offeredOptions(parser: Argv): string[] {
  const { key, boolean, hiddenOptions } = parserOptions(parser);
  const names = Object.keys(key).filter((name) => name.length > 1 && !hiddenOptions.includes(name) && !isFileArgument(name));
  return [...names, ...names.filter((name) => boolean.includes(name)).map((name) => `no-${name}`)];
}

export type Handler = (args: Args) => void;

export function buildParser(argv: string[], handlers: Record<(typeof COMMANDS)[number], Handler>, asTyped: readonly string[] = argv): Argv {
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
          .option('start', { requiresArg: true, type: 'string', describe: 'animation or video: start of the part whose colours are taken (seconds, 500ms or hh:mm:ss.xxx)' })
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
          .option('all', { type: 'boolean', describe: 'include the global mode in the side-by-side output, the timeline and the flicker map' })
          .option('levers', { type: 'boolean', describe: 'add rows with each steadiness lever of the seeded mode switched off' })
          .option('timeline', { requiresArg: true, type: 'string', describe: 'write the palettes over time as a PNG, unseeded | seeded side by side (one row per frame)' })
          .option('flicker-map', { requiresArg: true, type: 'string', describe: "write a PNG of where each mode's output changed colour on pixels the source left still: original | unseeded | seeded, heat over the first frame" })
          .option('json', { type: 'boolean', describe: 'print the figures as JSON' })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress, summary or warnings on stderr (--json keeps the warnings)' }),
      handlers.compare,
    )
    .command(
      'transfer <source> <target>',
      "Repaint TARGET (still, GIF or video) with SOURCE's palette",
      (y) =>
        outputOptions(sequenceOptions(inputOptions(clusterOptions(y, "8, or a palette file's number of colours")), ', and --method nearest'))
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
      throw new ChromaseedError('ERR_USAGE', usageMessage(msg, argv, offeredOptions(parser), parserOptions(parser).boolean, asTyped));
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
    .option('restarts', { requiresArg: true, type: 'number', describe: `initialisations tried, best kept (n_init), 1 to 1000 [default: ${DEFAULT_RESTARTS}; ${LARGE_K_RESTARTS} for k of ${LARGE_K} or more]` })
    .option('metric', { requiresArg: true, choices: METRICS, default: 'euclidean', describe: 'distance: euclidean (mean) or manhattan (median)' })
    .option('space', { requiresArg: true, choices: SPACES, default: 'rgb', describe: 'colour space k-means runs in' })
    .option('seed', { requiresArg: true, type: 'number', default: 0, describe: 'random seed (same seed, same result)' })
    .option('max-iterations', { requiresArg: true, type: 'number', describe: `Lloyd iterations at most per run (the run on colour bins, its refinement on exact colours and a final polish each), 1 to 10000 [default: ${DEFAULT_MAX_ITERATIONS}]` });
}

function inputOptions<T>(y: Argv<T>) {
  return y
    .option('fps', { requiresArg: true, type: 'number', describe: 'animation or video: resample to this frame rate, from 0.001 to 1000 (at most 50 for GIF output); a fraction such as 30000/1001 too' })
    .option('width', { requiresArg: true, type: 'number', describe: 'scale to this width (1 to 16384 pixels), keeping the aspect ratio' })
    .option('start', { requiresArg: true, type: 'string', describe: 'animation or video: start time (seconds, 500ms or hh:mm:ss.xxx)' })
    .option('duration', { requiresArg: true, type: 'string', describe: 'animation or video: duration to read (seconds, 500ms or hh:mm:ss.xxx)' })
    .option('max-pixels', { requiresArg: true, type: 'number', describe: `refuse frames larger than this many pixels [default: ${DEFAULT_MAX_PIXELS}]` })
    .option('max-frames', { requiresArg: true, type: 'number', describe: `refuse inputs with more frames than this [default: ${DEFAULT_MAX_FRAMES}]` });
}

/** `holdAlso`: where else the pixel hold acts, in its help (transfer's nearest method). */
function sequenceOptions<T>(y: Argv<T>, holdAlso = '') {
  return y
    // No yargs defaults for --seeding and --stability: a lever given with a mode that ignores it is refused.
    .option('seeding', { requiresArg: true, choices: SEEDINGS, describe: 'seeded: start each frame from the last palette; none: fresh per frame; global: one palette [default: seeded]' })
    .option('dither', { requiresArg: true, choices: DITHERS, default: 'none', describe: 'dithering when mapping pixels' })
    .option('stability', { requiresArg: true, choices: STABILITY_LEVELS, describe: 'seeded mode: how firmly palettes and still pixels are held (none = plain seeded k-means) [default: medium]' })
    .option('frame-iterations', { requiresArg: true, type: 'number', describe: 'seeded mode: Lloyd iterations per frame after the first [preset]' })
    .option('palette-hold', { requiresArg: true, type: 'number', describe: "seeded mode: a palette colour stays while keeping it raises its cluster's squared error by at most this fraction [preset]" })
    .option('pixel-hold', { requiresArg: true, type: 'number', describe: `seeded and global modes${holdAlso}: pixels whose source changes by at most this per channel (0-255, -1 = off) keep their entry [preset]` })
    .option('pixel-margin', { requiresArg: true, type: 'number', describe: `seeded and global modes${holdAlso}: a held entry's distance (squared for euclidean) may exceed the nearest's, or the dither's pick's, by this fraction [preset]` })
    .option('refresh', { requiresArg: true, type: 'number', describe: 'seeded mode: every N frames also try a fresh clustering, adopted when clearly better (0 = never; on frames of many colours, as in video, less often while they lose; on frames of greys, every frame, with the exact optimum) [preset]' })
    .option('refresh-gain', { requiresArg: true, type: 'number', describe: 'seeded mode: how much lower (fraction) a fresh objective must be to be adopted [preset]' })
    .option('anchor', { requiresArg: true, type: 'number', describe: 'seeded mode: how strongly an entry painting still pixels is held in place (0 = off) [preset]' })
    .option('still-weight', { requiresArg: true, type: 'number', describe: "seeded mode: what a still pixel's colour change costs against the error it removes (0 = off) [preset]" })
    .option('jump-hold', { requiresArg: true, type: 'number', describe: "seeded mode: a palette colour that would jump on unchanged pixels (30 levels or more; any move where they are half its cluster) stays while keeping it costs its cluster at most the palette hold's allowance plus this many times their squared jump (0 = off) [preset]" })
    .option('scene-cut', { requiresArg: true, type: 'number', describe: 'seeded mode: objective jump factor that restarts the palette (0 = never) [preset]' });
}

function outputOptions<T>(y: Argv<T>) {
  return y
    .option('output', { requiresArg: true, alias: 'o', type: 'string', describe: 'output: .gif, .mp4 (.m4v), .webm, .mkv, .mov, frames-%04d.png, .png for a still, or - for a GIF on standard output (replaced if it exists)' })
    .option('audio', { type: 'boolean', describe: "video from a video: carry its sound over (the default; --no-audio: picture only)" })
    .option('plays', { requiresArg: true, type: 'number', describe: "GIF output: times it plays, 0 = forever [default: the input's (transfer: TARGET's); from a video: forever]" })
    .option('json', { type: 'boolean', describe: 'print a JSON summary on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress, summary or warnings on stderr (--json keeps the warnings)' });
}

