// The command line runs from one bundle (plus a chunk per command, loaded when chosen):
// Node's ES module loader spends about 50 ms resolving and linking the files of dist/ and
// of yargs one by one, a fifth of a small GIF's whole run. The library (dist/index.js)
// stays as tsc writes it, for importers.
//
// The bundle is CommonJS (.cjs, as the package is "type": "module") so that bin/load-cli.cjs
// can compile it with V8's code cache: Node 20 has no code cache for ES modules, and
// compiling the bundle's functions took about a quarter of a small GIF's run (see there).
// Dynamic imports of the external packages become require() (all three are CommonJS), so
// nothing in the bundle needs an ES module loader.
//
// The worker threads' entries are bundled too, as files of their own beside main.cjs
// (gif-encode-worker.cjs, kmeans-worker.cjs, sharing chunks with it), where
// src/io/worker-file.ts finds them: as ES modules from dist/io/, the GIF encoder's thread
// started later (the README's Development section says by how much). The bundle lives in
// dist/cli-bundle/, beside dist/cli/, so ../../package.json (--version) resolves from it as
// from dist/cli/.
export default {
  input: {
    main: 'dist/cli/main.js',
    'gif-encode-worker': 'dist/io/gif-encode-worker.js',
    'kmeans-worker': 'dist/io/kmeans-worker.js',
    // Loaded by bin/chromaseed.js before main.cjs, to start the GIF encoder's thread early.
    'early-gif-thread': 'dist/io/early-gif-thread.js',
  },
  platform: 'node',
  // Found on disk at run time: sharp's native binary, ffmpeg's binary (located through its
  // package), and fluent-ffmpeg, which reads __dirname.
  external: ['sharp', 'fluent-ffmpeg', '@ffmpeg-installer/ffmpeg'],
  // yargs resolves a config's `extends` by package name with import.meta.resolve, which has
  // no CommonJS form; the command line reads no yargs config, and the call sits in a
  // try whose catch keeps the config as it is.
  onwarn(warning, warn) {
    if (warning.code === 'EMPTY_IMPORT_META' && /yargs[\\/]build[\\/]lib[\\/]utils[\\/]apply-extends/.test(warning.id ?? '')) return;
    warn(warning);
  },
  output: {
    dir: 'dist/cli-bundle',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    dynamicImportInCjs: false,
    cleanDir: true,
    sourcemap: true,
    // What the early GIF thread's entry loads before the code cache is set up (bin/chromaseed.js),
    // in one file: in two, it took 1 ms more to load.
    codeSplitting: { groups: [{ name: 'early', test: /[\\/](io[\\/]gif-thread-pays|file-signatures)\.js$/ }] },
  },
};
