// The command line runs from one bundle (plus a chunk per command, loaded when chosen):
// Node's ES module loader spends about 50 ms resolving and linking the files of dist/ and
// of yargs one by one, a fifth of a small GIF's whole run. The library (dist/index.js)
// stays as tsc writes it, for importers.
//
// The bundle lives in dist/cli-bundle/, beside dist/io/ and dist/cli/, so the paths the
// code resolves from its own file still land where tsc put their targets:
// ../io/gif-encode-worker.js and ../io/kmeans-worker.js (the worker threads: '../io/', not
// './', so that the path holds from dist/io/ and from the bundle alike) and
// ../../package.json (--version).
export default {
  input: 'dist/cli/main.js',
  platform: 'node',
  // Found on disk at run time: sharp's native binary, ffmpeg's binary (located through its
  // package), and fluent-ffmpeg, which reads __dirname.
  external: ['sharp', 'fluent-ffmpeg', '@ffmpeg-installer/ffmpeg'],
  output: { dir: 'dist/cli-bundle', format: 'esm', cleanDir: true, sourcemap: true },
};
