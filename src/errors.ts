import type { Frame, FrameSource, IndexedFrame, TimedFrame } from './types.js';

/**
 * The one error type the library throws for anything a user can act on. The CLI prints
 * its message as a single line; any other error is a bug and is printed with its stack.
 */
export type ErrorCode =
  | 'ERR_USAGE' // bad command line or option value: exit code 2
  | 'ERR_INPUT' // missing, unreadable or undecodable input
  | 'ERR_LIMIT' // input exceeds a resource limit (canvas pixels, frame count)
  | 'ERR_OUTPUT' // output cannot be written
  | 'ERR_FFMPEG' // the ffmpeg child failed
  | 'ERR_ABORTED'; // interrupted by the user

/** Every code, once: a code added to ErrorCode and not here fails to compile. */
const ERROR_CODES: Readonly<Record<ErrorCode, true>> = { ERR_USAGE: true, ERR_INPUT: true, ERR_LIMIT: true, ERR_OUTPUT: true, ERR_FFMPEG: true, ERR_ABORTED: true };

export class ChromaseedError extends Error {
  override name = 'ChromaseedError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * An error a worker thread sent back, or its own failure, as message and code: a
 * ChromaseedError again when the code is one of ours; the thread running out of memory
 * (Node's code) is said with `outOfMemory`, advice the user can act on.
 */
export function errorFromThread(message: string, code: unknown, outOfMemory?: string): Error {
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' && outOfMemory !== undefined) return new ChromaseedError('ERR_LIMIT', outOfMemory);
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? new ChromaseedError(code as ErrorCode, message) : new Error(message);
}

/**
 * Whether `v` is a number from `min` to `max`: a number's type first, for `>=` and `<=` take
 * text and one-element arrays as the numbers they convert to ('8' and [8] passed as 8).
 */
export function isNumberIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && v >= min && v <= max;
}

/** `v`, or an option error unless it is a finite number from `min` to `max`. `whole`: how a lever that counts (iterations, frames) is named; one message for 1.5 and for -1, not two. */
export function requireInRange(name: string, v: number, min: number, max: number, whole?: string): number {
  if (!Number.isFinite(v) || v < min || v > max || (whole !== undefined && !Number.isInteger(v))) throw invalidOption(name, `${whole ?? 'a number'} from ${min} to ${max}`, v);
  return v;
}

/** `v`, or an option error naming the choices unless it is one of them. */
export function requireChoice<T extends string>(name: string, choices: readonly T[], v: unknown): T {
  if (!(choices as readonly unknown[]).includes(v)) throw invalidOption(name, listOf(choices), v);
  return v as T;
}

/** A switch of an options object: true, false or not given ('no' and 1 were read as true, 'yes' as false). */
export function requireFlag(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw invalidOption(name, 'true or false', v);
}

/** A callback of an options object: a function or not given (anything else failed where it was called). */
export function requireFunction(name: string, v: unknown, expected = 'a function'): void {
  if (v !== undefined && typeof v !== 'function') throw invalidOption(name, expected, v);
}

/** `Expected <expected> for <name> but received <value>`: every option error reads the same. */
export function invalidOption(name: string, expected: string, actual: unknown): ChromaseedError {
  if (Array.isArray(actual) && actual.length > 1) return new ChromaseedError('ERR_USAGE', `${name} was given ${actual.length} times (${actual.join(', ')}); give it once`);
  // yargs turns a word given to a number option into NaN; the word itself is gone by now.
  const shown = typeof actual === 'string' || Array.isArray(actual) ? JSON.stringify(actual) : Number.isNaN(actual) ? 'something that is not a number' : String(actual);
  return new ChromaseedError('ERR_USAGE', `expected ${expected} for ${name} but received ${shown}`);
}

/** `value`, or an option error unless it is an object: destructuring null or a number failed with a TypeError. */
export function requireObject<T>(name: string, example: string, value: T): T {
  if (value === null || typeof value !== 'object') throw invalidOption(name, `an object such as ${example}`, value);
  return value;
}

/** A clip function's first argument: a function that opens the clip (`open` from openReusable), not the clip or its name. */
export function requireOpen(open: unknown, caller: string): void {
  if (typeof open !== 'function') throw new ChromaseedError('ERR_USAGE', `${caller} takes a function that opens the clip (openReusable's open, or () => openInput(file)), not ${typeof open === 'string' ? `a name (${JSON.stringify(open)})` : String(open)}`);
}

/** What `open` gave: a FrameSource, `{ info: { width, height, ... }, frames }` with `frames` async-iterable. */
export function checkFrameSource(clip: FrameSource, caller: string): void {
  const info = clip?.info;
  const sized = info !== null && typeof info === 'object' && Number.isInteger(info.width) && Number.isInteger(info.height) && info.width >= 0 && info.height >= 0;
  const frames = clip?.frames as AsyncIterable<unknown> | undefined;
  // A source whose only fault is its size says so ({ width: '2' } was "an object with keys info, frames").
  if (!sized && info !== null && typeof info === 'object' && typeof frames?.[Symbol.asyncIterator] === 'function') {
    throw new ChromaseedError('ERR_USAGE', `${caller}'s frame source has an info whose width and height are ${describeNumber(info.width)} and ${describeNumber(info.height)}, not whole numbers of pixels, 0 or more`);
  }
  if (!sized || typeof frames?.[Symbol.asyncIterator] !== 'function') {
    throw new ChromaseedError('ERR_USAGE', `${caller}'s open function must give a frame source, { info: { width, height }, frames } with frames an async iterable (what openInput gives), not ${clip !== null && typeof clip === 'object' ? `an object with ${Object.keys(clip).length === 0 ? 'no keys' : `keys ${Object.keys(clip).join(', ')}`}` : String(clip)}`);
  }
  // Called after each frame: a release that is no function would fail there, after a frame was written.
  if (clip.release !== undefined && typeof clip.release !== 'function') {
    throw new ChromaseedError('ERR_USAGE', `${caller}'s frame source has a release that is ${kindOf(clip.release)}, not a function (release(frame) takes back a frame the caller no longer reads; leave it out if the source has none)`);
  }
}

/**
 * The names of options type `T`, listed whole for refuseUnknownKeys: a field added to `T`
 * and not to the list (or a name in the list that `T` lacks) fails to compile.
 */
export function namesOf<T>(names: Record<keyof T, true>): readonly (keyof T & string)[] {
  return Object.keys(names) as (keyof T & string)[];
}

/**
 * `given`'s fields that are set, over `defaults`: a partial options object takes the rest
 * from them (`{ dither: 'bayer' }` failed, naming the metric it left out). `given` must be
 * an object when there is one: a string's letters would be spread as keys.
 */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined, name: string, example: string): T {
  if (given === undefined) return defaults;
  requireObject(name, example, given);
  return { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
}

/**
 * Refuses a key of an options object that `caller` does not read: a misspelt or misplaced
 * option (`openVideo(file, { startSec: 0.5 })` for `start`) was left at its default without
 * a word. A known key whose value is undefined is taken (a spread of optional values); an
 * unknown one is refused even then. Something that is no object is left to the caller's own
 * check. Called once where a public function takes its options, never per pixel.
 */
export function refuseUnknownKeys(caller: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    const hint = near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`;
    throw new ChromaseedError('ERR_USAGE', `unknown option ${JSON.stringify(key)} for ${caller}${hint} (valid: ${listOf(known)})`);
  }
}

/**
 * The name in `names` that `given` most likely misspells, if any: case, `-` and `_` aside,
 * one contains the other (startSec, start) or few edits (a letter added, left out, changed
 * or two swapped) turn one into the other, at most a third of the longer's letters.
 */
export function closestName(given: string, names: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const a = plain(given);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const b = plain(name);
    const contained = Math.min(a.length, b.length) >= 3 && (a.includes(b) || b.includes(a));
    // The same name spelt otherwise (max_iterations, --seed-ing) before one it contains
    // (--seed); one edit away (--sorce-start) before one it contains (--start), and that
    // before two edits.
    const edits = a === b ? 0 : editDistance(a, b);
    const d = contained && edits > 1 ? 1.5 : edits;
    if ((contained || d <= Math.floor(Math.max(a.length, b.length) / 3)) && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Edits (insert, delete, change, swap of neighbours) from `a` to `b`: optimal string alignment. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/** `a, b or c`: a list of names in a message. */
export function listOf(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The optional arguments of a clip function: an AbortSignal and a function that clusters
 * (`clusterInThread(signal)`). Each failed deep inside ("signal?.addEventListener is not a
 * function", "cluster is not a function").
 */
export function checkRunArguments(caller: string, signal: unknown, cluster?: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidOption(`${caller}'s signal`, 'an AbortSignal (an AbortController\'s signal)', signal);
  requireFunction(`${caller}'s clusterer`, cluster, 'a function such as clusterInThread(signal)');
}

/** What a library run stopped by its AbortSignal throws (the CLI then ends by the signal that stopped it). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

/** What a run stopped through `signal` throws. */
export function abortedError(signal: AbortSignal): ChromaseedError {
  return new ChromaseedError('ERR_ABORTED', 'interrupted', { cause: signal.reason });
}

/** What a writer's pending `write` throws when `abort()` is called before it is done. */
export function abortedWrite(file: string): ChromaseedError {
  return new ChromaseedError('ERR_ABORTED', `${file}: aborted during a write`);
}

/**
 * What a run whose input gave no frame throws. A GIF or a still fails before that with its
 * own reason; a video whose header and first decodable frame ffmpeg found in the probe, and
 * of which the read then decoded none, was damaged past that frame's packet or cut short there.
 */
export function noFrameRead(input: string): ChromaseedError {
  return new ChromaseedError('ERR_INPUT', `${input}: no frame could be decoded: damaged, or cut short before its first whole frame`);
}

/** A Uint8Array (a Buffer is one) or a Uint8ClampedArray, also one made in another realm (a vm context, jsdom). */
export function isBytes(value: unknown): value is Uint8Array {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Uint8Array]' || tag === '[object Uint8ClampedArray]';
}

/**
 * Pixels come as bytes: a Uint8Array (a Buffer is one) or a Uint8ClampedArray (a canvas's
 * ImageData). Another array would be read through its bytes, as nonsense, or not at all.
 */
export function checkBytes(name: string, value: unknown, what = 'RGBA bytes'): void {
  if (isBytes(value)) {
    // Transferred away (postMessage, structuredClone): it reads as empty, and the first view made on it threw a bare TypeError.
    if (value.length === 0 && isDetached(value.buffer)) throw new ChromaseedError('ERR_INPUT', `${name} is a view of a detached buffer (transferred away, to a worker say): its bytes are gone`);
    return;
  }
  throw new ChromaseedError('ERR_INPUT', `${name} is ${kindOf(value)}; expected ${what} (a Uint8Array, Uint8ClampedArray or Buffer)`);
}

/** What an argument is, for a message: its class ("an Int8Array"), or the value itself. */
export function kindOf(value: unknown): string {
  const type = value === null || typeof value !== 'object' ? null : (value.constructor?.name ?? 'Object');
  return type === null ? String(value) : `${/^[AEIO]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Pixels without a frame around them (`rgba`): bytes, four to a pixel. */
export function checkRgbaPixels(name: string, value: unknown): void {
  checkBytes(name, value);
  const length = (value as Uint8Array).length;
  if (length % 4 !== 0) throw new ChromaseedError('ERR_INPUT', `${name} has ${length} bytes, not a whole number of RGBA pixels (4 bytes each)`);
}

function isDetached(buffer: ArrayBufferLike): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Whether `box` is a { x0, y0, x1, y1 } of whole numbers inside a `width` x `height` frame (ends excluded, as a changed box's). */
export function isBoxInside(box: unknown, width: number, height: number): boolean {
  const { x0, y0, x1, y1 } = (box ?? {}) as Record<string, unknown>;
  const whole = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  return whole(x0, width) && whole(x1, width) && whole(y0, height) && whole(y1, height);
}

/** A frame's width and height: whole numbers of pixels (-2 x -2 made 16 bytes a frame). Not clip-options.ts's checkFrameSize, which checks a size against the pixel limit. */
export function checkFrameDimensions(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new ChromaseedError('ERR_INPUT', `a frame's width and height are whole numbers of pixels, 0 or more, not ${String(width)} and ${String(height)}`);
  }
}

/** The check every entry point taking a frame makes: width x height x 4 bytes of RGBA. */
export function checkRgbaFrame(frame: Frame): void {
  if (frame === null || typeof frame !== 'object') throw new ChromaseedError('ERR_INPUT', `a frame is { width, height, data }, not ${String(frame)}`);
  const { width, height, data } = frame;
  checkBytes('frame data', data);
  checkFrameDimensions(width, height);
  const n = width * height;
  if (data.length !== n * 4) throw new ChromaseedError('ERR_INPUT', `frame data has ${data.length} bytes, expected ${width}x${height}x4 = ${n * 4}`);
}

/**
 * A frame of a clip, as a frame source yields it: RGBA of the size the source's info
 * announced (the size the writers are opened for), and a delay. `index` counts from 0.
 */
export function checkClipFrame(frame: TimedFrame, index: number, width: number, height: number): void {
  checkRgbaFrame(frame);
  if (frame.width !== width || frame.height !== height) {
    throw new ChromaseedError('ERR_INPUT', `frame ${index} is ${frame.width}x${frame.height}, but the clip's info says ${width}x${height}: every frame of a clip has the clip's size`);
  }
  checkDelay(frame.delayMs, (message) => new ChromaseedError('ERR_INPUT', message), `frame ${index}'s`);
}

/** A palette's bytes: RGB, 3 to a colour (the RGBA of checkBytes's default would mislead). */
export function checkPaletteBytes(palette: unknown): void {
  checkBytes('palette', palette, 'RGB bytes, 3 a colour');
}

/** A palette as the mapper and the metrics take it: `size` colours (0 to 256), 3 bytes each. */
export function checkPalette(palette: Uint8Array, size: number): void {
  checkPaletteBytes(palette);
  if (!Number.isInteger(size) || size < 0 || size > 256) throw invalidOption('size', 'an integer from 0 to 256', size);
  if (palette.length < size * 3) {
    throw new ChromaseedError('ERR_INPUT', `palette has ${palette.length} bytes, expected at least ${size * 3} for ${size} colours`);
  }
}

/**
 * Colours and their pixel counts as a caller builds a palette from them: `size` colours of 3
 * numbers from 0 to 255 each (a centroid need not be whole), and a count of 0 or more each.
 * A colour of 300 wrapped to 44, and a NaN count made the share of the one colour kept 0.
 */
export function checkColourCounts(caller: string, rgb: ArrayLike<number>, counts: ArrayLike<number>, size: number): void {
  if (rgb === null || typeof rgb !== 'object' || !(rgb.length >= size * 3)) throw new ChromaseedError('ERR_INPUT', `${caller} needs ${size * 3} colour values (r, g and b of each) for ${size} colours`);
  if (counts === null || typeof counts !== 'object' || !(counts.length >= size)) throw new ChromaseedError('ERR_INPUT', `${caller} needs ${size} counts for ${size} colours, the pixels nearest each`);
  for (let i = 0; i < size * 3; i++) {
    const v = rgb[i];
    if (!(typeof v === 'number' && v >= 0 && v <= 255)) throw new ChromaseedError('ERR_INPUT', `${caller}: colour ${Math.floor(i / 3)}'s ${'rgb'[i % 3]} is ${describeNumber(v)}; each is a number from 0 to 255`);
  }
  for (let i = 0; i < size; i++) {
    const v = counts[i];
    if (!(typeof v === 'number' && v >= 0 && v < Infinity)) throw new ChromaseedError('ERR_INPUT', `${caller}: colour ${i}'s count is ${describeNumber(v)}; a count is a number of pixels, 0 or more`);
  }
}

function describeNumber(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/** A frame contract broken by the caller's code, not by the user's input: a RangeError. */
function contractBroken(message: string): Error {
  return new RangeError(message);
}

/**
 * The contract a frame of palette indices meets for the writers and the GIF encoder. Broken,
 * it is the caller's bug, not the user's: a RangeError, as the README says. `fail` makes the
 * error for callers that are no writer (a palette transfer answers with ERR_INPUT).
 */
export function checkIndexedFrame(frame: IndexedFrame, width: number, height: number, fail = contractBroken): void {
  if (frame === null || typeof frame !== 'object') throw fail(`a frame is { width, height, indices, palette, size, transparent, delayMs }, not ${String(frame)}`);
  if (frame.width !== width || frame.height !== height) {
    throw fail(`frame is ${frame.width}x${frame.height}; the canvas is ${width}x${height}, the size the writer or encoder was opened for`);
  }
  const n = width * height;
  // Not the value itself: a Uint16Array of a million indices was written out whole.
  const describe = (a: unknown): string => (isBytes(a) ? `${a.length} bytes` : kindOf(a));
  if (!isBytes(frame.indices) || frame.indices.length < n) throw fail(`frame has ${describe(frame.indices)} for palette indices; ${n} bytes are needed`);
  if (frame.transparent !== null && !(isBytes(frame.transparent) && frame.transparent.length >= n)) throw fail(`frame has ${describe(frame.transparent)} for its transparency mask; null or ${n} bytes are needed`);
  if (!(Number.isInteger(frame.size) && frame.size >= 0 && frame.size <= 256 && isBytes(frame.palette) && frame.palette.length >= frame.size * 3)) {
    throw fail(`frame has a palette of ${describe(frame.palette)} for size ${frame.size}; size must be a whole number from 0 to 256, with 3 bytes for each colour`);
  }
  checkDelay(frame.delayMs, fail);
}

/**
 * The same contract for a full-colour frame given to a writer (FrameWriter.writeRgba): the
 * writer's size, and a delay; bytes that are not RGBA of that size are refused as anywhere
 * else (checkRgbaFrame).
 */
export function checkTimedFrame(frame: TimedFrame, width: number, height: number): void {
  checkRgbaFrame(frame);
  if (frame.width !== width || frame.height !== height) {
    throw new RangeError(`frame is ${frame.width}x${frame.height}; the canvas is ${width}x${height}, the size the writer was opened for`);
  }
  checkDelay(frame.delayMs);
}

function checkDelay(delayMs: unknown, fail = contractBroken, whose = 'frame'): void {
  if (!(typeof delayMs === 'number' && delayMs >= 0 && delayMs < Infinity)) throw fail(`${whose} delay is ${describeNumber(delayMs)} ms; it must be a number >= 0`);
}

export function inputError(file: string, message: string, cause?: unknown): ChromaseedError {
  return new ChromaseedError('ERR_INPUT', `${file}: ${message}`, { cause });
}

/**
 * A failed system call as a user reads it: Node's "ENOSPC: no space left on device, write"
 * becomes "no space left on device (ENOSPC)". The code alone means little to most users;
 * the call and path after the comma mean even less (a temporary file's name).
 */
export function systemReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return err.message;
  const text = new RegExp(`^${code}: (.+?)(?:, [a-z]+\\b.*)?$`).exec(err.message)?.[1];
  return text === undefined ? code : `${text} (${code})`;
}
