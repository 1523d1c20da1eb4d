// Loads the command line's bundle (dist/cli-bundle/, CommonJS) with V8's code cache.
//
// Why: a short run is mostly start-up. Before a GIF's first frame, V8 parses the bundle and
// compiles each function the first time it runs; on hibiscus.regular.gif (one 312x442
// frame) that was about a quarter of the whole command. Node 20 keeps no code cache for
// ES modules (module.enableCompileCache() came in Node 22), so the bundle is CommonJS and
// its files are compiled here, through vm.Script, with the cache an earlier run wrote.
//
// The cache is one file per bundle file, in dist/cli-bundle/code-cache/: inside the
// package, so it goes with the code it was made from (the build empties the directory, then
// fills it: warm-code-cache.cjs), and nothing is written to the user's own directories. It is
// written when a run ends with success, for each bundle file the run loaded without a usable
// cache (another Node, a build without the warm-up), and holds every function that run
// compiled. Where the package cannot be written to (a read-only install), runs go on without
// it. V8 checks a cache against its own version and flags and refuses one that does not fit,
// but checks the source by its length only: the file's name also carries the source's length
// and CRC-32 (sourceVersion), so a cache never meets other code.
//
// CHROMASEED_CODE_CACHE=0 loads the bundle without it, as Node's --enable-source-maps does
// (stack traces then name the compiled files, through the source maps beside the bundle).
'use strict';
const Module = require('node:module');
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');
const { crc32 } = require('node:zlib');

const bundleDir = path.join(__dirname, '..', 'dist', 'cli-bundle');
const cacheDir = path.join(bundleDir, 'code-cache');
// With --enable-source-maps, Node's own loader is left to read the bundle's source maps.
const useCache = process.env.CHROMASEED_CODE_CACHE !== '0' && !process.sourceMapsEnabled;

/** Scripts compiled without a usable cache, with the file their cache goes to. */
const toWrite = [];

/**
 * Which source this is: its length and CRC-32, taken of the very text compiled (Node has
 * read it already). CRC-32 rather than SHA-1: SHA-1 took 3 ms over the files a quantize
 * loads, and loading node:crypto 3 ms more (which --help, --version and a run that fails
 * early never need otherwise); zlib's CRC-32 takes about 1 ms, and a run loads node:zlib
 * anyway. It only has to tell this package's own versions apart.
 */
function sourceVersion(content) {
  return `${content.length.toString(36)}-${crc32(content).toString(16).padStart(8, '0')}`;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function compileWithCache(content, filename) {
  if (!useCache || path.dirname(filename) !== bundleDir) return compile.call(this, content, filename);
  const cacheFile = path.join(cacheDir, `${path.basename(filename)}.${sourceVersion(content)}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet: compiled without one, and written at the end.
  }
  const script = new vm.Script(Module.wrap(content), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ script, cacheFile });
  const module = this;
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.cache = Module._cache;
  return script.runInThisContext({ displayErrors: true }).call(module.exports, module.exports, require, module, filename, path.dirname(filename));
};

// Written whole under a name of its own, then renamed: runs that end together (a test
// suite's) each put a complete file in place, and a run that loads one never sees half.
// Only by a run that succeeded: one that stopped early (a missing input, an interrupted
// video) compiled little of what a run that does the work needs, and its cache, taken as it
// is by every later run, made them compile the rest again (see warm-code-cache.cjs).
process.on('exit', (code) => {
  if (toWrite.length === 0 || code !== 0) return;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
  } catch {
    return; // a read-only package: the next run compiles as this one did
  }
  for (const { script, cacheFile } of toWrite) {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
    } catch {
      fs.rmSync(temporary, { force: true }); // a full disk, say: no cache, and no half of one
    }
  }
});

module.exports = require('../dist/cli-bundle/main.cjs');
