// `npm run bench`: every benchmark in turn. Peers (scikit-learn, Debian's ffmpeg, gifsicle, ImageMagick) are
// skipped with a message where missing. Pass --quick for a short run on a few clips.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { checkArgs, ROOT } from './lib.js';

/** Options run.js passes on, unchanged, to the sub-benchmarks that take them. */
const FORWARDED = { '--no-cache': ['kmeans-bench.js'] };
const options = checkArgs(
  'npm run bench [-- --quick] [-- --only=PREFIX] [-- --no-cache]: every benchmark (--only=PREFIX, or --only PREFIX: those whose file name starts with PREFIX, e.g. quantize; --no-cache: passed to kmeans-bench.js, which refits scikit-learn)',
  ['--quick', '--only VALUE', ...Object.keys(FORWARDED)],
);

const quick = options.has('--quick');
const forwardedTo = (file) => Object.keys(FORWARDED).filter((o) => options.has(o) && FORWARDED[o].includes(file));
const only = options.value('--only');
const benches = [
  ['k-means vs scikit-learn (issue 2)', 'kmeans-bench.js'],
  ['pixel mapping', 'map-bench.js'],
  ['animation quality, flicker and speed vs ffmpeg (issues 3, 4)', 'quantize-bench.js'],
  ['animation at k = 256, a few clips', 'quantize-bench.js', ['--k', '256', '--only', 'muybridge|chi|cars|realshort|test.webm|320x240']],
  ['streaming memory (issue 3)', 'memory-bench.js'],
  ['palette transfer: what each method trades off', 'transfer-bench.js'],
];
// Each benchmark runs in a process group of its own, with its peers (ffmpeg, python,
// chromaseed): a signal to run.js (Ctrl-C, or a kill of run.js alone) is passed on to that whole
// group, once, and run.js waits for the benchmark to end before it exits with 128 + the signal.
let child = null;
let stoppedBy = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stoppedBy ??= signal;
    if (child === null) process.exit(128 + os.constants.signals[stoppedBy]);
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  });
}
function runBench(args) {
  return new Promise((resolve) => {
    child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    child.on('error', (err) => {
      console.error(err.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      child = null;
      resolve(code ?? 128 + os.constants.signals[signal]);
    });
  });
}

if (only !== undefined && !benches.some(([, file]) => file.startsWith(only))) {
  console.error(`no benchmark's file name starts with ${JSON.stringify(only)}: ${[...new Set(benches.map(([, file]) => file))].join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [title, file, args = []] of benches) {
  if (only && !file.startsWith(only)) continue;
  console.log(`\n## ${title}\n`);
  const status = await runBench([path.join(ROOT, 'bench', file), ...args, ...(quick ? ['--quick'] : []), ...forwardedTo(file)]);
  if (stoppedBy) {
    console.error(`run.js: interrupted (${stoppedBy}); ${file} ended with ${status}`);
    process.exit(128 + os.constants.signals[stoppedBy]);
  }
  if (status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
