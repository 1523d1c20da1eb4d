import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ChromaseedError } from '../errors.js';
import { isPngSequencePattern } from './frame-names.js';

/**
 * The names outputs and their temporary files take: standard output's name (`-`), the
 * hidden temporary names an output is written under beside its final one (and the names
 * a replaced file waits under), and the checks on a name alone, made before any work.
 */

/** The output name that means standard output (a GIF streamed as it is encoded; a file named "-" is ./-). */
export const STDOUT = '-';

/**
 * `dir/.name.tmp-1a2b3c4d.ext`: hidden, unique, and keeping the extension for tools that look
 * at it. `kind` "old": where a file being replaced waits until the replacement is complete
 * (`dir/.name.old-1a2b3c4d.ext`).
 */
export function tempPathFor(finalPath: string, kind: 'tmp' | 'old' = 'tmp'): string {
  const { stem, ext } = tempStem(finalPath);
  return path.join(path.dirname(finalPath), `.${stem}.${kind}-${randomBytes(TEMP_TAG_BYTES).toString('hex')}${ext}`);
}

/** Random bytes in a temporary name, written as twice as many hex digits. */
const TEMP_TAG_BYTES = 4;

/** A temporary name's parts (tempPathFor's `.stem.tmp-1a2b3c4d.ext`): the stem, the kind, the extension if any. */
const TEMP_NAME = new RegExp(`^\\.(.*)\\.(tmp|old)-[0-9a-f]{${2 * TEMP_TAG_BYTES}}(\\.[^.]*)?$`);

/**
 * The name (`stem`) and extension a temporary name of `finalPath` is made of. The name is
 * cut short (`shortened`) where the temporary one would pass the 255 bytes a file name may
 * have: the 14 bytes it adds made outputs of 242 to 255 bytes fail.
 */
function tempStem(finalPath: string): { stem: string; ext: string; shortened: boolean } {
  const ext = path.extname(finalPath);
  const whole = path.basename(finalPath, ext);
  let stem = whole;
  const added = Buffer.byteLength(`..tmp-${'0'.repeat(2 * TEMP_TAG_BYTES)}${ext}`);
  while (stem.length > 0 && Buffer.byteLength(stem) + added > MAX_NAME_BYTES) stem = Array.from(stem).slice(0, -1).join('');
  return { stem, ext, shortened: stem !== whole };
}

/** The name a temporary file of tempPathFor's (`.name.tmp-1a2b3c4d.ext`, or `.old-`) stands for (`name.ext`), or null for another name. */
export function nameOfTemp(base: string): string | null {
  const temp = TEMP_NAME.exec(base);
  return temp === null ? null : `${temp[1]}${temp[3] ?? ''}`;
}

/**
 * The path of `name` in `file`'s directory, as `file` names that directory: `..` is left for
 * the system to resolve, which, through a symlinked directory, goes elsewhere than
 * path.join's text (`link/../x` is beside the link's target).
 */
export function pathBeside(file: string, name: string): string {
  const dir = path.dirname(file);
  return dir === '.' ? name : `${dir}${dir.endsWith(path.sep) ? '' : path.sep}${name}`;
}

/** The first of `files` and how many more, as warnings about hidden files list them. */
export function hiddenFiles(files: readonly string[]): string {
  const more = files.length - 1;
  return `${files[0]}${more > 0 ? ` and ${more} more hidden ${more === 1 ? 'file' : 'files'}` : ''}`;
}

/**
 * The hidden files beside `outputPath` named as its temporary files (tempPathFor's): what a
 * run killed outright (kill -9, out of memory) leaves, `unfinished` outputs and files
 * `keptAside` while they were being replaced, or another run's while it writes. Their paths
 * (pathBeside), sorted; `shortened`: the output's name is too long for its temporary names
 * to hold it whole, so another output whose name starts the same has the same ones. None
 * for standard output, a frame pattern (png-sequence.ts names its own), or a directory that
 * cannot be read. Synchronous: a finished run says it before its summary, and no signal may
 * come between (see runComplete).
 */
export function tempsBeside(outputPath: string): { unfinished: string[]; keptAside: string[]; shortened: boolean } {
  const { stem, ext, shortened } = tempStem(outputPath);
  const found = { unfinished: [] as string[], keptAside: [] as string[], shortened };
  if (outputPath === STDOUT || isPngSequencePattern(outputPath)) return found;
  let names: string[];
  try {
    names = readdirSync(path.dirname(outputPath));
  } catch {
    return found;
  }
  for (const name of names) {
    const temp = TEMP_NAME.exec(name);
    if (temp === null || temp[1] !== stem || (temp[3] ?? '') !== ext) continue;
    (temp[2] === 'tmp' ? found.unfinished : found.keptAside).push(pathBeside(outputPath, name));
  }
  // Sorted once found: a directory may hold many other files.
  found.unfinished.sort();
  found.keptAside.sort();
  return found;
}

/** The longest file name Linux, macOS and Windows file systems take, in bytes. */
const MAX_NAME_BYTES = 255;

/** Refuses a file whose name (the last part of its path) is longer than a file system takes. */
export function checkNameLength(file: string): void {
  const bytes = Buffer.byteLength(path.basename(file));
  if (bytes > MAX_NAME_BYTES) throw new ChromaseedError('ERR_OUTPUT', `${file}: the file name is ${bytes} bytes long, more than the ${MAX_NAME_BYTES} a file name may have`);
}

/**
 * Refuses a name ending in "/" (`out.gif/`), which names a directory, as `cp` and `touch`
 * take it: Node's path functions drop the slash, and a file `out.gif` would be written.
 */
export function refuseDirectoryName(file: string): void {
  if (file.endsWith('/') || file.endsWith(path.sep)) throw new ChromaseedError('ERR_USAGE', `${file}: ends in "/", which names a directory; give a file name`);
}
