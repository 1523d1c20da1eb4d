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
