// The build's last step (npm run build, so also npm ci): runs each command once on the
// samples, so that the command line's code cache (see load-cli.cjs) is written by runs that
// do the real work.
//
// Why: each bundle file's cache is written by the first run that loads it after a build, and
// holds the functions that run compiled; later runs take it as it is. Left to the user's
// first command, a --help or a run that stops at a missing file wrote caches without the
// functions a clip's run needs, and every later run compiled them again: hand_anim.gif 620 →
// 649 ms, animated-loop-3.gif 334 → 346 ms (medians of 21 alternated runs, the same code with
// either cache). The first command decides main.cjs's cache, which every command loads, so
// the main job comes first.
//
// Best effort: a run that fails (no ffmpeg on this platform, say) writes no cache (load-cli.cjs
// writes only for runs that succeed), so its files are left to the first run that succeeds,
// as before; and whatever fails here, the build goes on. Nothing is written outside a
// temporary directory but the cache itself.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const bin = path.join(__dirname, 'chromaseed.js');
const sample = (name) => path.join(__dirname, '..', 'samples', name);
// Nothing to warm: runs without the cache (CHROMASEED_CODE_CACHE=0, or --enable-source-maps in
// NODE_OPTIONS, which the runs inherit), or a package without the samples (one packed for a registry).
if (process.env.CHROMASEED_CODE_CACHE === '0' || process.sourceMapsEnabled || !fs.existsSync(sample('cars.gif'))) process.exit(0);

const first = ['quantize', sample('cars.gif'), '-o', 'out.gif'];
// These share little but main.cjs with each other, so they run together (about 3 s one after another).
const rest = [
  ['quantize', sample('chaplin.mp4'), '--duration', '0.5', '--width', '64', '-o', 'out.mp4'],
  ['compare', sample('cars.gif'), '-k', '4', '--width', '100', '--duration', '0.2', '-o', 'compare.gif', '--timeline', 'timeline.png'],
  ['palette', sample('hibiscus.jpg'), '--swatch', 'swatch.png', '--overlay', 'overlay.png'],
  ['transfer', sample('hibiscus.jpg'), sample('cars.gif'), '--duration', '0.2', '-o', 'transfer.gif'],
];

let dir = null;
const removeDir = () => {
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
};
// A Ctrl-C during the build reaches the runs too (they clean up after themselves); this removes their directory.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    removeDir();
    process.exit(128 + os.constants.signals[signal]);
  });
}

/** One command, in a directory of its own; resolves when it has ended, whatever its end. */
function run(args) {
  const cwd = fs.mkdtempSync(path.join(dir, `${args[0]}-`));
  return new Promise((resolve) => {
    let stderr = '';
    let spawnError = '';
    // Not --quiet: the summary's code is cached too (standard error is read here, and said only on failure).
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => (spawnError = err.message));
    child.on('close', (code, signal) => {
      if (code !== 0) process.stderr.write(`warm-code-cache: chromaseed ${args[0]} did not run (${spawnError || stderr.trim() || `signal ${signal}`}); its code is cached by the first run that succeeds instead\n`);
      resolve();
    });
  });
}

async function warm() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromaseed-warm-'));
  await run(first);
  await Promise.all(rest.map(run));
}

warm()
  .catch((err) => process.stderr.write(`warm-code-cache: ${err.message}; the code is cached by the first runs instead\n`))
  .finally(() => {
    try {
      removeDir();
    } catch {
      // a temporary directory that cannot be removed is no reason to fail the build
    }
  });
