import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled entry of worker thread `name` (gif-encode-worker, kmeans-worker), seen from
 * the module that starts it (`from`: its `import.meta.url`), or null where there is none:
 * run from the TypeScript sources, as the unit tests are, the caller works in its own thread.
 *
 * The command line's bundle (dist/cli-bundle/, CommonJS: rolldown.config.js) has each
 * worker's entry beside it, `<name>.cjs`. Started from dist/io/ as ES modules instead, file
 * by file, the GIF encoder's thread was ready about 20 ms later (partial_gif_decode.gif,
 * 6 runs each: 277 against 256 ms after the process started). The library (dist/, ES
 * modules) finds `../io/<name>.js`, as tsc writes it.
 */
export function workerFile(name: string, from: string): URL | null {
  for (const candidate of [`./${name}.cjs`, `../io/${name}.js`]) {
    const url = new URL(candidate, from);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}
