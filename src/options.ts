import { ChromaseedError, invalidOption, listOf, namesOf, refuseUnknownKeys, requireInRange } from './errors.js';
import { DEFAULT_MAX_FRAMES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_PIXELS, defaultRestarts, MAX_ITERATIONS, MAX_RESTARTS } from './limits.js';
import { validateClipOptions } from './clip-options.js';
import { PALETTE_FORMATS, type PaletteFormat } from './palette/format.js';
import { PALETTE_SORTS, type PaletteSort } from './palette/sort.js';
import { resolveStability, STABILITY_LEVELS, STABILITY_NAMES, type StabilityLevel, type StabilityOptions } from './sequence/stability.js';
import type { ColorSpace, InitMethod, Metric } from './types.js';

/**
 * Where user options are checked. The CLI and the library both pass raw values through
 * these validators, so the same bad value gets the same message everywhere, and the core
 * receives resolved objects with every default filled in. The core's entry points that a
 * library caller may reach without them (kmeansPixels, a mapper, a writer, the readers'
 * clip options in clip-options.ts) check what they are given too, cheaply, once a call.
 */

// The choices, frozen: the resolvers check values against these lists, and a caller's
// METRICS.push('cosine') made them accept one no code handles.
export const METRICS: readonly Metric[] = Object.freeze(['euclidean', 'manhattan']);
export const SPACES: readonly ColorSpace[] = Object.freeze(['rgb', 'lab', 'oklab']);
export const INITS: readonly InitMethod[] = Object.freeze(['kmeans++', 'farthest', 'random']);
export const SEEDINGS = Object.freeze(['seeded', 'none', 'global'] as const);
export const DITHERS = Object.freeze(['none', 'floyd-steinberg', 'bayer'] as const);
export const TRANSFER_METHODS = Object.freeze(['optimal', 'rank', 'lightness', 'nearest'] as const);

export type Seeding = (typeof SEEDINGS)[number];
export type DitherMode = (typeof DITHERS)[number];
export type TransferMethod = (typeof TRANSFER_METHODS)[number];

/** GIF palettes hold 256 entries, so k above that cannot be written. */
export const MAX_COLORS = 256;
export { DEFAULT_MAX_FRAMES, DEFAULT_MAX_PIXELS } from './limits.js';

type Raw = Record<string, unknown>;

// Numbers are numbers: text such as '16' (or '0x10') was read as one for some options and
// refused for others (width, fps). The command line's parser hands numbers over.
function integer(raw: Raw, name: string, min: number, max: number, fallback: number): number {
  const v = raw[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidOption(flag(name), `an integer from ${min} to ${max}`, v);
  }
  return v;
}

function optionalNumber(raw: Raw, name: string): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalidOption(flag(name), 'a number', v);
  return v;
}

/** A flag: true, false or not given (a 'yes' or a 1 was read as false). */
function bool(raw: Raw, name: string): boolean {
  const v = raw[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalidOption(flag(name), 'true or false', v);
  return v;
}

export function choice<T extends string>(raw: Raw, name: string, allowed: readonly T[], fallback: T): T {
  const v = raw[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalidOption(flag(name), listOf(allowed), v);
  }
  return v as T;
}

/**
 * The names each resolver reads. A library caller's misspelt option (`{ colours: 8 }`)
 * would otherwise silently get its default, so the resolvers refuse names not listed; the
 * command line, whose parsed arguments also carry aliases and positionals, passes only
 * these (cli/pick-options.ts).
 */
export const CLUSTER_NAMES = ['colors', 'init', 'restarts', 'metric', 'space', 'seed', 'maxIterations'] as const satisfies readonly (keyof ClusterOptions)[];
export const PALETTE_NAMES = [...CLUSTER_NAMES, 'sort', 'vivid', 'format', 'json', 'maxPixels'] as const;
export const INPUT_NAMES = ['fps', 'width', 'start', 'duration', 'maxPixels', 'maxFrames'] as const;
/** The seeded mode's levers, as the command line names them. */
const LEVERS = ['stability', ...STABILITY_NAMES] as const;
export const SEQUENCE_NAMES = [...CLUSTER_NAMES, 'seeding', 'dither', ...LEVERS] as const;

function refuseUnknown(raw: Raw, names: readonly string[], caller: string): void {
  // An array or a Map has no option keys: its entries were left unread, without a word.
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Map) {
    throw new ChromaseedError('ERR_USAGE', `options are an object such as { ${names[0]}: ... }, not ${Array.isArray(raw) ? 'an array' : raw instanceof Map ? 'a Map' : String(raw)}`);
  }
  refuseUnknownKeys(caller, raw, names);
}

/** An option's camelCase name as the command line spells it: maxIterations, --max-iterations. */
export function flag(name: string): string {
  return '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Options shared by everything that runs k-means. */
export interface ClusterOptions {
  colors: number;
  init: InitMethod;
  restarts: number;
  metric: Metric;
  space: ColorSpace;
  seed: number;
  maxIterations: number;
}

/**
 * For the library's clip functions, which take resolved options: a plain object such as
 * `{ colors: 16 }` is missing the defaults the resolvers fill in, and would otherwise fail
 * on whichever of them is read first, in words that do not say what to do.
 */
export function requireResolved<T extends object>(options: T, names: readonly (keyof T & string)[], caller: string, resolver: string): void {
  if (options === null || typeof options !== 'object') {
    throw new ChromaseedError('ERR_USAGE', `${caller} needs its options (it was given ${String(options)}): pass them through ${resolver}, which checks them and fills in the defaults`);
  }
  const missing = names.filter((name) => options[name] === undefined);
  if (missing.length > 0) {
    throw new ChromaseedError('ERR_USAGE', `${caller} was given options without ${listOf(missing)}: pass them through ${resolver}, which checks them and fills in the defaults`);
  }
}

/**
 * requireResolved for a clustering's options (CLUSTER_NAMES and `others`), whose values are
 * then checked as the resolver checks them: resolved options changed by hand ({ ...resolved,
 * restarts: 1e9 }) were taken, and held the thread for hours at the first frame.
 */
export function requireResolvedClustering<T extends ClusterOptions>(options: T, caller: string, resolver: string, others: readonly (keyof T & string)[] = []): void {
  requireResolved(options, [...CLUSTER_NAMES, ...others], caller, resolver);
  clusterOptions(options as unknown as Raw, 1);
}

/**
 * What the resolvers take: the command line's options by their camelCase names, each one
 * optional (its default filled in). Typed for TypeScript callers; the values are checked
 * when resolved as well, for callers in JavaScript.
 */
export interface ClusterOptionsInput {
  colors?: number;
  init?: InitMethod;
  restarts?: number;
  metric?: Metric;
  space?: ColorSpace;
  seed?: number;
  maxIterations?: number;
}

export interface PaletteOptionsInput extends ClusterOptionsInput {
  sort?: PaletteSort;
  vivid?: boolean;
  format?: PaletteFormat;
  /** The same as `format: 'json'`. */
  json?: boolean;
  maxPixels?: number;
}

export interface InputOptionsInput {
  fps?: number;
  width?: number;
  /** Seconds, or text such as `'1:02.5'`, `'2.5'` or `'500ms'` (s, ms or us after seconds, as ffmpeg takes them). */
  start?: number | string;
  duration?: number | string;
  maxPixels?: number;
  maxFrames?: number;
}

export interface SequenceOptionsInput extends ClusterOptionsInput {
  seeding?: Seeding;
  dither?: DitherMode;
  stability?: StabilityLevel;
  frameIterations?: number;
  paletteHold?: number;
  pixelHold?: number;
  pixelMargin?: number;
  sceneCut?: number;
  refresh?: number;
  refreshGain?: number;
  anchor?: number;
  stillWeight?: number;
  jumpHold?: number;
}

export function resolveClusterOptions(input: ClusterOptionsInput = {}, defaultColors = 16): ClusterOptions {
  const raw = input as Raw;
  refuseUnknown(raw, CLUSTER_NAMES, 'resolveClusterOptions');
  requireInRange('defaultColors', defaultColors, 1, MAX_COLORS, 'an integer');
  return clusterOptions(raw, defaultColors);
}

function clusterOptions(raw: Raw, defaultColors: number): ClusterOptions {
  const colors = integer(raw, 'colors', 1, MAX_COLORS, defaultColors);
  return {
    colors,
    init: choice(raw, 'init', INITS, 'kmeans++'),
    restarts: integer(raw, 'restarts', 1, MAX_RESTARTS, defaultRestarts(colors)),
    metric: choice(raw, 'metric', METRICS, 'euclidean'),
    space: choice(raw, 'space', SPACES, 'rgb'),
    seed: integer(raw, 'seed', 0, 0xffffffff, 0),
    maxIterations: integer(raw, 'maxIterations', 1, MAX_ITERATIONS, DEFAULT_MAX_ITERATIONS),
  };
}

export interface PaletteOptions extends ClusterOptions {
  sort: PaletteSort;
  vivid: boolean;
  format: PaletteFormat;
  maxPixels: number;
}

function paletteFormat(raw: Raw): PaletteFormat {
  const format = choice(raw, 'format', PALETTE_FORMATS, 'text');
  if (!bool(raw, 'json')) return format;
  if (raw.format !== undefined && format !== 'json') throw new ChromaseedError('ERR_USAGE', `--json and --format ${format} ask for two formats; give one`);
  return 'json';
}

export function resolvePaletteOptions(input: PaletteOptionsInput = {}): PaletteOptions {
  const raw = input as Raw;
  refuseUnknown(raw, PALETTE_NAMES, 'resolvePaletteOptions');
  return {
    ...clusterOptions(raw, 6),
    sort: choice(raw, 'sort', PALETTE_SORTS, 'count'),
    vivid: bool(raw, 'vivid'),
    format: paletteFormat(raw),
    maxPixels: integer(raw, 'maxPixels', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_PIXELS),
  };
}

/** How frames are read: ffmpeg-side filters for video, limits for everything. */
export interface InputOptions {
  fps?: number;
  /** A video faster than this is read at this rate (set for GIF output, not from the command line). */
  maxFps?: number;
  width?: number;
  /** Seconds. */
  start?: number;
  /** Seconds. */
  duration?: number;
  maxPixels: number;
  maxFrames: number;
}

export function resolveInputOptions(input: InputOptionsInput = {}): InputOptions {
  const raw = input as Raw;
  refuseUnknown(raw, INPUT_NAMES, 'resolveInputOptions');
  const clip = validateClipOptions({ fps: raw.fps as number | undefined, width: raw.width as number | undefined, start: raw.start as string | undefined, duration: raw.duration as string | undefined });
  return {
    fps: clip.fps,
    width: clip.width,
    // Seconds as numbers: checked again by the readers without changing (no text round trip).
    start: clip.startSec,
    duration: clip.durationSec,
    maxPixels: integer(raw, 'maxPixels', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_PIXELS),
    maxFrames: integer(raw, 'maxFrames', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_FRAMES),
  };
}

export interface SequenceOptions extends ClusterOptions {
  seeding: Seeding;
  dither: DitherMode;
  /** Steadiness levers of the seeded mode (see sequence/stability.ts). */
  stability: StabilityOptions;
}

/** The first steadiness lever given (`--stability` included), as its flag, if any. */
export function leverGiven(raw: Raw): string | undefined {
  const lever = LEVERS.find((name) => raw[name] !== undefined);
  return lever === undefined ? undefined : flag(lever);
}

export function resolveSequenceOptions(input: SequenceOptionsInput = {}): SequenceOptions {
  const raw = input as Raw;
  refuseUnknown(raw, SEQUENCE_NAMES, 'resolveSequenceOptions');
  const seeding = choice(raw, 'seeding', SEEDINGS, 'seeded');
  const metric = choice(raw, 'metric', METRICS, 'euclidean');
  const dither = choice(raw, 'dither', DITHERS, 'none');
  // A lever the run would not use is a mistake worth saying, not something to ignore. With
  // one palette for the clip, the pixel hold still acts; every other lever shapes per-frame palettes.
  if (seeding !== 'seeded') {
    const lever = leverGiven(seeding === 'global' ? { ...raw, pixelHold: undefined, pixelMargin: undefined } : raw);
    if (lever !== undefined) throw new ChromaseedError('ERR_USAGE', `${lever} acts on --seeding ${lever.startsWith('--pixel-') ? 'seeded and global' : 'seeded only'}, and this run uses --seeding ${seeding}`);
  }
  const cluster = clusterOptions(raw, 16);
  // The default (for this k) is let through: a resolved ClusterOptions spread into these options carries it.
  if (seeding === 'none' && raw.restarts !== undefined && raw.restarts !== defaultRestarts(cluster.colors)) {
    throw new ChromaseedError('ERR_USAGE', '--restarts acts on --seeding seeded (its first frame and scene cuts) and global; --seeding none starts every frame once');
  }
  let stability = resolveStability(choice(raw, 'stability', STABILITY_LEVELS, 'medium'), Object.fromEntries(STABILITY_NAMES.map((name) => [name, optionalNumber(raw, name)])));
  // The anchor has no Manhattan form (a median is not pulled by weights): asked for, it is
  // refused; a preset's (high) is turned off, so no frame counts still pixels for it.
  if (metric === 'manhattan' && stability.anchor > 0) {
    if (raw.anchor !== undefined) throw new ChromaseedError('ERR_USAGE', '--anchor works with --metric euclidean only');
    stability = { ...stability, anchor: 0 };
  }
  // Levers that only shape another one do nothing while it is off.
  const off = (lever: string, needs: string, how: string) =>
    new ChromaseedError('ERR_USAGE', `${lever} acts with ${needs}, which this run has off (${how}); give it too, or drop ${lever}`);
  if (raw.pixelMargin !== undefined && stability.pixelHold < 0) throw off('--pixel-margin', '--pixel-hold', raw.pixelHold !== undefined ? '--pixel-hold -1' : `--stability ${raw.stability ?? 'medium'}`);
  for (const [key, lever] of [['refreshGain', '--refresh-gain'], ['stillWeight', '--still-weight']] as const) {
    // (A still weight of 0 is off itself, and asks for nothing.)
    if (raw[key] !== undefined && !(key === 'stillWeight' && raw[key] === 0) && stability.refresh === 0) throw off(lever, '--refresh', raw.refresh !== undefined ? '--refresh 0' : `--stability ${raw.stability ?? 'medium'}`);
  }
  return { ...cluster, seeding, dither, stability };
}

/**
 * The names in the resolvers' answers: what the functions that take resolved options
 * accept (quantizeClip, createSequentialQuantizer and clipPalette a resolveSequenceOptions
 * answer, openInput a resolveInputOptions one). A key besides these is refused there, as the
 * resolvers refuse one (refuseUnknownKeys): listed in full, so a field added to the types
 * and not here fails to compile.
 */
export const RESOLVED_SEQUENCE_NAMES: readonly string[] = namesOf<SequenceOptions>({
  colors: true, init: true, restarts: true, metric: true, space: true, seed: true, maxIterations: true, seeding: true, dither: true, stability: true,
});
export const RESOLVED_INPUT_NAMES: readonly string[] = namesOf<InputOptions>({
  fps: true, maxFps: true, width: true, start: true, duration: true, maxPixels: true, maxFrames: true,
});
