import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled entry of worker thread `name` (gif-encode-worker, kmeans-worker) beside the
 * module that starts it (`from`: its `import.meta.url`), or null where there is none: run
 * from the TypeScript sources, as the unit tests are, the caller works in its own thread.
 * The command line's bundle (dist/cli-bundle/, CommonJS) has `<name>.cjs` beside it
 * (rolldown.config.js; why, in the README's Development section); the library (dist/io/,
 * ES modules) has `<name>.js`, as tsc writes it.
 */
export function workerFile(name: string, from: string): URL | null {
  for (const file of [`./${name}.cjs`, `./${name}.js`]) {
    const url = new URL(file, from);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}
