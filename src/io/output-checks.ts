import { constants, fstatSync, statSync, type Stats } from 'node:fs';
import { access, lstat, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ChromaseedError, systemReason } from '../errors.js';
import { fileName } from './file-name.js';
import { frameFileName, isFrameOf, isPngSequencePattern } from './frame-names.js';
import { checkNameLength, refuseDirectoryName, STDOUT } from './output-names.js';

/**
 * Checks made on an output's path before any work: its directory exists and may be
 * written, the name is no directory, pipe or device, and it is none of the input files;
 * nor is standard output an input, or a file the run writes as well. Said up front, not by
 * the rename after all the work.
 */

/** The sticky bit of a directory's mode (S_ISVTX). */
const STICKY = 0o1000;

/** Whether `file` is an existing directory; a name that cannot be looked at (too long, under a file, unreadable) is not, and checkOutputPath says why. */
export function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** One usage error, exit 2, whatever the name: `-o photos` was "cannot write files without an extension", and `-o d.gif` exit 1. */
export const isDirectoryError = (file: string): ChromaseedError => new ChromaseedError('ERR_USAGE', `${file}: is a directory; give a file name`);

/**
 * Real path of an existing file (links resolved), or else its directory's real path joined
 * with its name: where the system would create it. The directory is resolved by `realpath`,
 * not `path.resolve`: the system follows a symlink before the `..` after it, so `link/../x`
 * is beside the link's target, not beside the link. (A missing directory falls back to the
 * lexical path; checkOutputPath refuses it first.)
 */
export async function realTarget(file: string): Promise<string> {
  return realpath(file).catch(() => directoryEntry(file));
}

/** The name `file` has in its directory, the directory's real path joined with it: what a rename to `file` replaces (a symlink there, not its target). */
async function directoryEntry(file: string): Promise<string> {
  return realpath(path.dirname(file)).then((dir) => path.join(dir, path.basename(file)), () => path.resolve(file));
}

/** The input files no output may replace: one, several (transfer's source and target), or none; names or file: URLs. */
export type InputPaths = string | URL | readonly (string | URL)[] | undefined;

/**
 * Refuses standard output as the destination of `what` (the GIF of `-o -`, a palette, a
 * JSON summary) when it is one of the input files (`-o - >> in.gif`, `--json 1<> in.gif`):
 * it would be written into the file being read. Compared by device and inode, as `cat`
 * compares its input and output.
 */
export async function refuseInputAsStdout(stdout: NodeJS.WritableStream, inputs: InputPaths, what: string): Promise<void> {
  const out = stdoutFile(stdout);
  const input = out === null ? null : await inputIn(out.stats, inputList(inputs));
  if (input !== null) throw new ChromaseedError('ERR_USAGE', `standard output is the input file (${input}): refusing to write ${what} into it; redirect it to another file`);
}

/**
 * Refuses standard output as the destination of `what` when it is a file the run writes as
 * well (`-o - --timeline t.png > t.png`, `--json -o out.gif > out.gif`): the shell made that
 * file, and putting the run's own in place replaced it, `what` lost with exit 0. Compared
 * by name (below); numbered frames, the name against the pattern.
 */
export async function refuseOutputAsStdout(stdout: NodeJS.WritableStream, outputs: readonly string[], what: string): Promise<void> {
  const out = stdoutFile(stdout);
  if (out === null) return;
  // An output takes its name by a rename, which replaces that name alone: a symlink there,
  // not its target; one name of a file with others, not the others. So the names are
  // compared: standard output's as the system says it (Linux's /proc), or else, by device
  // and inode, a file with one name that is no link.
  const name = await readlink(`/proc/self/fd/${out.fd}`).catch(() => null);
  for (const output of outputs) {
    const entry = await directoryEntry(output);
    let clash: string | null = null;
    if (isPngSequencePattern(output)) {
      if (name !== null && isFrameOf(entry, name)) clash = `${path.join(path.dirname(output), path.basename(name))}, a name this run's frames take (${output})`;
    } else if (name !== null ? name === entry : await sameSingleFile(output, out.stats)) {
      clash = `${output}, a file this run writes as well`;
    }
    if (clash !== null) throw new ChromaseedError('ERR_USAGE', `standard output is ${clash}: ${what} would be lost when that file is put in place; redirect standard output to another file`);
  }
}

/** Whether `file` is no link and the one name of the file `stats` describes. */
async function sameSingleFile(file: string, stats: Stats): Promise<boolean> {
  const own = await lstat(file).catch(() => null);
  return own !== null && own.nlink === 1 && own.dev === stats.dev && own.ino === stats.ino;
}

/** Standard output's descriptor and what it is, when it is a regular file (which a run's file could be). */
function stdoutFile(stdout: NodeJS.WritableStream): { fd: number; stats: Stats } | null {
  const fd = (stdout as { fd?: unknown }).fd;
  try {
    const stats = typeof fd === 'number' ? fstatSync(fd) : null;
    return stats !== null && stats.isFile() ? { fd: fd as number, stats } : null;
  } catch {
    return null; // not a descriptor that can be looked at, so no file of ours
  }
}

/** The input among `inputs` that is the file `out` describes (the same device and inode, as `cat` and `cp` compare them), or null. */
async function inputIn(out: Stats, inputs: readonly string[]): Promise<string | null> {
  for (const input of inputs) {
    const file = await stat(input).catch(() => null);
    if (file !== null && file.dev === out.dev && file.ino === out.ino) return input;
  }
  return null;
}

/** The inputs as file names; a file: URL is taken, anything else refused (a URL failed as "inputList(...).map is not a function"). */
function inputList(inputs: InputPaths): readonly string[] {
  if (inputs === undefined) return [];
  return (Array.isArray(inputs) ? (inputs as readonly (string | URL)[]) : [inputs as string | URL]).map((input) => fileName(input, "a writer's inputPath"));
}

/** The inputs' real paths, for comparing against output paths. */
export async function realInputs(inputs: InputPaths): Promise<string[]> {
  return Promise.all(inputList(inputs).map(realTarget));
}

/**
 * Throws ERR_USAGE when `outputPath` is one of the input files (`realInputs`), after resolving
 * links and `..`, or another name of one (a hard link, found by inputIn), which the rename
 * would silently replace.
 */
export async function refuseInputAsOutput(outputPath: string, inputs: readonly string[], shownAs = outputPath): Promise<void> {
  if (inputs.length === 0 || outputPath === STDOUT) return;
  if (inputs.includes(await realTarget(outputPath))) {
    throw new ChromaseedError('ERR_USAGE', `${shownAs}: refusing to overwrite the input file; choose another output path`);
  }
  const out = await stat(outputPath).catch(() => null);
  const input = out !== null && out.nlink > 1 ? await inputIn(out, inputs) : null;
  if (input !== null) throw new ChromaseedError('ERR_USAGE', `${shownAs}: is another name (a hard link) of the input file ${input}; refusing to replace it; choose another output path`);
}

/**
 * Checks that `outputPath` can be created: its directory exists and is writable, it is not a
 * directory itself, and it is not the input. Returns the absolute output path. Standard
 * output (STDOUT) is no file: nothing to check, and it is returned as it is.
 */
export async function checkOutputPath(outputPath: string, inputPath?: InputPaths): Promise<string> {
  if (outputPath === STDOUT) return STDOUT;
  refuseDirectoryName(outputPath);
  // Resolved by the system's rules (see realTarget), with no lexical fallback: that could
  // find a `./missing` where `link/../missing` does not exist.
  const given = path.dirname(outputPath);
  let dir: string;
  try {
    dir = await realpath(given);
    if (!(await stat(dir)).isDirectory()) throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: ${given} is not a directory`);
  } catch (err) {
    if (err instanceof ChromaseedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' ? `${given} is not a directory` : code === 'ENOENT' ? `the directory ${given} does not exist` : `cannot reach the directory ${given}: ${systemReason(err)}`;
    throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: ${why}`, { cause: err });
  }
  const abs = path.join(dir, path.basename(outputPath));
  if (isDirectory(abs)) throw isDirectoryError(outputPath);
  // Said now, not by the rename after all the work (the temporary name is shortened to fit; this one cannot be).
  // A frame pattern's own text is no file's name: its first frame's is (the writer checks the last).
  checkNameLength(isPngSequencePattern(outputPath) ? frameFileName(outputPath, 1) : outputPath);
  try {
    // Search as well as write: in a directory one may write but not search (776), no file can
    // be made either, and that was found at the first frame, after the clip's first work.
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: cannot write to the directory ${dir}: ${systemReason(err)}`, { cause: err });
  }
  try {
    // Found out now, not by the rename after all the work.
    const existing = await lstat(abs);
    const special = await specialFileAt(abs, existing);
    if (special !== null) throw new ChromaseedError('ERR_USAGE', `${outputPath}: is ${special}, not a file: an output is written beside its name and renamed into place; give a file name (a GIF goes to a pipe as -o -)`);
    await refuseOthersInSticky(outputPath, existing, dir);
  } catch (err) {
    if (err instanceof ChromaseedError) throw err; // ENOENT is the normal case: a new file.
  }
  await refuseInputAsOutput(outputPath, await realInputs(inputPath));
  return abs;
}

/**
 * In a sticky directory (/tmp) only the owner of a name (`existing`: its lstat, so a
 * symlink's own owner, not its target's: the rename replaces the link), the directory's
 * owner, or root may replace or remove it. Said before any move, not by the rename; and
 * for a numbered frame before it is linked aside, since that second name would be one this
 * user could not remove either.
 */
export async function refuseOthersInSticky(file: string, existing: Stats, dir: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0 || existing.uid === uid) return;
  const dirStat = await stat(dir);
  if ((dirStat.mode & STICKY) !== 0 && dirStat.uid !== uid) {
    throw new ChromaseedError('ERR_OUTPUT', `${file}: cannot replace it: it belongs to another user, in a directory where only owners may replace files (sticky, like /tmp); choose another name`);
  }
}

/**
 * What an output must not be renamed over, named ('a named pipe', 'a socket', 'a device'), or
 * null: a pipe's reader would wait for ever on a pipe without a name, and a device would be
 * replaced by a file.
 */
function specialFile(s: Stats): string | null {
  return s.isFIFO() ? 'a named pipe' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : null;
}

/**
 * specialFile for the name `file` (its lstat: `own`), a symlink judged by what it points to:
 * the rename would replace the link and leave the pipe or device alone, where whoever made
 * the link meant the output to go there (`ln -s /dev/null out.gif`), as a link to a
 * directory is refused for the same reason.
 */
export async function specialFileAt(file: string, own: Stats): Promise<string | null> {
  if (!own.isSymbolicLink()) return specialFile(own);
  const target = await stat(file).catch(() => null);
  const special = target && specialFile(target);
  return special ? `a symlink to ${special}` : null;
}
