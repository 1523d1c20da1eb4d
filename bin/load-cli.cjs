// Loads the command line's bundle (dist/cli-bundle/, CommonJS) with V8's code cache.
//
// Why: a short run is mostly start-up. Before a GIF's first frame, V8 parses the bundle and
// compiles each function the first time it runs; on hibiscus.regular.gif (one 312x442
// frame) that was about a quarter of the whole command. Node 20 keeps no code cache for
// ES modules (module.enableCompileCache() came in Node 22), so the bundle is CommonJS and
// its files are compiled here, through vm.Script, with the cache an earlier run wrote.
//
// The cache is one file per bundle file, in dist/cli-bundle/code-cache/: inside the
// package, so it goes with the code it was made from (the build empties the directory),
// and nothing is written to the user's own directories. It is written when a run ends, for
// each bundle file the run loaded without a usable cache (the first run, another Node), and
// holds every function that run compiled. Where the package cannot be written to (a
// read-only install), runs go on without it. V8 checks a cache against its own version and
// flags and refuses one that does not fit, but checks the source by its length only: the
// file's name also carries the bundle file's version (fileVersion), so a cache never meets
// other code.
//
// CHROMASEED_CODE_CACHE=0 loads the bundle without it, as Node's --enable-source-maps does
// (stack traces then name the compiled files, through the source maps beside the bundle).
'use strict';
const Module = require('node:module');
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');

const bundleDir = path.join(__dirname, '..', 'dist', 'cli-bundle');
const cacheDir = path.join(bundleDir, 'code-cache');
// With --enable-source-maps, Node's own loader is left to read the bundle's source maps.
const useCache = process.env.CHROMASEED_CODE_CACHE !== '0' && !process.sourceMapsEnabled;

/** Scripts compiled without a usable cache, with the file their cache goes to. */
const toWrite = [];

/**
 * Which version of a file this is: its size, inode and change time (ctime), which every
 * write sets and no one can set back (touch and cp -p set mtime, not ctime). A build makes
 * new files and empties the cache anyway; this keeps a hand-edited bundle from meeting its
 * old cache. (A SHA-1 of the source did the same, but loading node:crypto and hashing took
 * about 6 ms of every run.)
 */
function fileVersion(filename) {
  const { size, ino, ctimeNs } = fs.statSync(filename, { bigint: true });
  return `${size.toString(36)}-${ino.toString(36)}-${ctimeNs.toString(36)}`;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function compileWithCache(content, filename) {
  if (!useCache || path.dirname(filename) !== bundleDir) return compile.call(this, content, filename);
  const cacheFile = path.join(cacheDir, `${path.basename(filename)}.${fileVersion(filename)}.v8`);
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
process.on('exit', () => {
  if (toWrite.length === 0) return;
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
