import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChromaseedError } from '../errors.js';

/**
 * A file's name as the readers and writers use it: a path, or a `file:` URL, which Node's
 * fs takes too (`new URL('./in.gif', import.meta.url)`) and which failed deep inside with
 * a TypeError. Anything else is refused in one line naming the function it was given to.
 */
export function fileName(file: string | URL, caller: string): string {
  if (typeof file === 'string') return file;
  if (file instanceof URL) {
    try {
      return fileURLToPath(file);
    } catch (err) {
      // Another scheme (https:) or a host fs cannot open: Node's message says which.
      throw new ChromaseedError('ERR_USAGE', `${caller} takes a file name or a file: URL; ${String(file)} is none (${(err as Error).message})`, { cause: err });
    }
  }
  throw new ChromaseedError('ERR_USAGE', `${caller} takes a file name (a string) or a file: URL, not ${file === null || typeof file !== 'object' ? String(file) : `an object (${(file as object).constructor?.name ?? 'Object'})`}`);
}

/**
 * The refusal of a name that is an extension alone (`-o .gif`, `--timeline out/.png`), one
 * of `extensions` (lower case, with the dot), or null; `shownAs`: the name as messages give
 * it. To the system such a name is a hidden file with no extension, and the refusals that
 * follow from that ("cannot write files without an extension") contradicted it as typed.
 */
export function extensionAloneError(file: string, extensions: readonly string[], shownAs = file): ChromaseedError | null {
  const base = path.basename(file);
  if (!extensions.includes(base.toLowerCase())) return null;
  return new ChromaseedError('ERR_USAGE', `${shownAs}: ${base} is an extension with no name before it; give one, as ${path.join(path.dirname(file), `out${base}`)}`);
}
