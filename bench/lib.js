// Shared helpers for the benchmarks: timing whole commands, finding peers, temp dirs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS = path.resolve(ROOT, '../shared/corpus');
export const CLI = path.join(ROOT, 'bin/chromaseed.js');
const RSS_HOOK = path.join(ROOT, 'bench/rss-hook.js');

/**
 * NODE_EXTRA_CA_CERTS names certificates for TLS, which none of the commands timed here
 * uses (chromaseed opens no connection; ffmpeg and the other peers do not read it). Node 20
 * nonetheless loads that file, with its own root certificates, before it runs any code:
 * about 75 ms at every start (the README's Benchmarks section) on a machine whose
 * environment sets it for a proxy, as this project's machine does (nodejs/node#40524). Left
 * in, the figures would time that setting rather than the tools, so every command the
 * benchmarks run gets an environment without it (children inherit process.env), and
 * `extraCaCertsNote` says how much it was worth.
 */
const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;

/** One line for a benchmark's output when the variable was set: the start of `node -e 0` with it and without it (median of 5 each, alternating). */
export function extraCaCertsNote() {
  if (!EXTRA_CA_CERTS) return null;
  const start = (env) => {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env });
    return performance.now() - t0;
  };
  const withIt = [];
  const without = [];
  for (let i = 0; i < 5; i++) {
    withIt.push(start({ ...process.env, NODE_EXTRA_CA_CERTS: EXTRA_CA_CERTS }));
    without.push(start(process.env));
  }
  return `NODE_EXTRA_CA_CERTS is set here and removed from every timed command's environment (TLS only; Node 20 loads it at start): node -e 0 takes ${median(withIt).toFixed(0)} ms with it, ${median(without).toFixed(0)} ms without (median of 5)`;
}

export function tempDir(name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `chromaseed-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  stopOnSignals();
  return dir;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** The signal a command ended by, or with the exit status a shell gives for it (128 + its number), if any. */
const endedBy = (status, signal) => SIGNALS.find((s) => signal === s || status === 128 + os.constants.signals[s]);
let stopping = null;
/** Commands started with `spawn` (runSampled) and still running. */
const running = new Set();

/**
 * Ends the benchmark as interrupted by `signal`: one line, exit 128 + its number (130, 143, 129).
 * A command still running (runSampled's) is given the signal and waited for (at most 10 s), so
 * that it is not left running, nor its ffmpeg.
 */
function interrupted(signal) {
  const code = () => 128 + os.constants.signals[stopping];
  if (!stopping) {
    stopping = signal;
    console.error(`\n${path.basename(process.argv[1] ?? 'bench')}: interrupted (${signal})`);
    if (running.size) {
      const ends = [...running].map((c) => new Promise((resolve) => c.once('close', resolve)));
      for (const c of running) c.kill(signal);
      Promise.all(ends).then(() => process.exit(code()));
      setTimeout(() => process.exit(code()), 10_000).unref();
      return;
    }
  }
  process.exit(code());
}

let handlersInstalled = false;
/**
 * Ctrl-C or a kill: exit (and so clean up the temp directories) rather than be ended by the
 * signal. A signal that comes while a command runs (spawnSync) is handled only after that
 * command has ended, and the command may fail because of it (ffmpeg exits with 255 on SIGINT
 * and SIGTERM) before the handler has run: an error that would end the benchmark waits a
 * moment, so that a signal already received ends it as interrupted, without a stack trace.
 */
function stopOnSignals() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of SIGNALS) process.on(signal, () => interrupted(signal));
  const crash = (err) => {
    setTimeout(() => {
      console.error(err);
      process.exit(1);
    }, 200);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

/**
 * Reads the script's options. `known` spells each as the script takes it: `--quick` (a switch)
 * or `--only VALUE` (a value, given as `--only X` or `--only=X`). `--help` (or `-h`) prints
 * `usage`; anything else, an option given twice or a value missing is refused with it, since a
 * benchmark would otherwise start a run of many minutes without it (`run.js quick`, a typo for
 * --quick, ran everything; `--only a --only b` ran with the first). Returns the switches given
 * (`has`) and the values (`value`, undefined when not given).
 */
export function checkArgs(usage, known) {
  const args = process.argv.slice(2);
  const refuse = (why) => {
    console.error(`${why}\n${usage}`);
    process.exit(2);
  };
  const switches = new Set();
  const values = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (switches.has(name) || values.has(name)) refuse(`${name} is given twice`);
    if (known.includes(`${name} VALUE`)) {
      const value = equals > 0 ? arg.slice(equals + 1) : args[++i];
      if (value === undefined || value === '') refuse(`${name} needs a value`);
      values.set(name, value);
    } else if (known.includes(arg)) {
      switches.add(arg);
    } else {
      refuse(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument ${JSON.stringify(arg)} (options start with --)`);
    }
  }
  return { has: (name) => switches.has(name), value: (name) => values.get(name) };
}

/** Says `message` on stderr and ends the script with exit code 2, as for a bad option. */
export function refuse(message) {
  console.error(message);
  process.exit(2);
}

/** `--only REGEX` from checkArgs' `options` as a RegExp, null when not given; one that is not a regular expression is refused. */
export function onlyPattern(options) {
  const pattern = options.value('--only');
  try {
    return pattern === undefined ? null : new RegExp(pattern);
  } catch (err) {
    refuse(`--only ${JSON.stringify(pattern)} is not a regular expression (${err.message})`);
  }
}

/**
 * A peer from Debian's packages, or null (the caller prints that it was skipped). `says`, when
 * given, must match what `NAME -version` prints: a name as common as `convert` may be another
 * program on the PATH, which was run as ImageMagick and "failed" on every clip.
 */
export function findPeer(name, candidates = [`/usr/bin/${name}`], says = null) {
  let found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status !== 0) return null;
    found = r.stdout.trim();
  }
  if (says === null) return found;
  const r = spawnSync(found, ['-version'], { encoding: 'utf8' });
  return says.test(`${r.stdout}${r.stderr}`) ? found : null;
}

/** Runs a command, returns wall seconds; throws with its stderr when it fails. */
export function timeCommand(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  const seconds = (performance.now() - t0) / 1000;
  // The signal that stops the benchmark reached the command too: end as interrupted, not
  // with the command's failure and a stack trace.
  // A failure for another reason after the benchmark got a signal too: see stopOnSignals.
  const stoppedBy = endedBy(r.status, r.signal);
  if (stoppedBy !== undefined) interrupted(stoppedBy);
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the chromaseed CLI as a user does (`node bin/chromaseed.js ...`); reports wall seconds. */
export function timeCli(args) {
  return timeCommand(process.execPath, [CLI, ...args]);
}

/** VmRSS (KiB) of `rootPid` and every process descending from it, read from /proc now. */
export function treeRssKiB(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  let kib = 0;
  for (const stack = [rootPid]; stack.length; ) {
    const pid = stack.pop();
    try {
      kib += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return kib;
}

/**
 * Runs `cmd` and measures its memory: `treePeakMiB`, the highest sum of VmRSS over the
 * process and its descendants (for chromaseed, the ffmpeg that decodes and the one that
 * encodes a video), sampled every `intervalMs`. A peak shorter than the interval can be
 * missed; RSS that processes share is counted in each.
 */
export function runSampled(cmd, args, { env = process.env, intervalMs = 20, label = path.basename(cmd) } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let peakKiB = 0;
    const timer = setInterval(() => (peakKiB = Math.max(peakKiB, treeRssKiB(child.pid))), intervalMs);
    child.on('error', (err) => {
      clearInterval(timer);
      running.delete(child);
      reject(err);
    });
    child.on('close', (status, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(timer);
      running.delete(child);
      if (stopping) return; // interrupted() ends the process
      const stoppedBy = endedBy(status, signal);
      if (stoppedBy !== undefined) return interrupted(stoppedBy);
      if (status !== 0) return reject(new Error(`${label} ${args.join(' ')} failed (${status ?? signal}):\n${stderr}`));
      resolve({ seconds, stderr, treePeakMiB: peakKiB / 1024 });
    });
  });
}

/**
 * Runs the chromaseed CLI under runSampled, and adds `nodeMaxRssMiB`, node's own peak
 * (maxRSS, recorded by a hook in a file in `dir`, a `tempDir`, so that it goes with it).
 * The hook costs about 10 ms of start-up and the sampling some CPU, so speed comparisons
 * use `timeCli`.
 */
export async function runCli(args, dir, intervalMs = 20) {
  const rssFile = path.join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const r = await runSampled(process.execPath, ['--import', RSS_HOOK, CLI, ...args], { env: { ...process.env, CHROMASEED_RSS_FILE: rssFile }, intervalMs, label: 'chromaseed' });
  const nodeMaxRssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
  rmSync(rssFile, { force: true });
  return { ...r, nodeMaxRssMiB };
}

/** The median of `xs` (not changed), the two middle ones averaged when their count is even. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
}

/**
 * How many runs a command gets, from its first run's wall time: best of 3 under
 * `shortSeconds`, best of 5 under a second. Sub-second runs vary by tens of percent from one
 * run to the next on a shared machine, which would decide a speed comparison by chance;
 * keeping the best keeps the run least disturbed by other load.
 */
function runsFor(seconds, shortSeconds) {
  return seconds >= shortSeconds ? 1 : seconds < 1 ? 5 : 3;
}

/** Wall time of a command that may be short: best of `runsFor` its first run. */
export function bestIfShort(fn, shortSeconds = 5) {
  let result = fn();
  let min = result.seconds;
  for (let i = 1; i < runsFor(min, shortSeconds); i++) {
    result = fn();
    min = Math.min(min, result.seconds);
  }
  return { ...result, seconds: min };
}

/**
 * Two commands whose times are compared, run alternately (a, b, a, b, ...) so that a spell
 * of load on the machine slows both rather than one; each keeps its best time. The number of
 * rounds is set by the quicker of the two first runs.
 */
export function bestOfPair(fnA, fnB, shortSeconds = 5) {
  let a = fnA();
  let b = fnB();
  let minA = a.seconds;
  let minB = b.seconds;
  for (let i = 1; i < runsFor(Math.min(minA, minB), shortSeconds); i++) {
    a = fnA();
    b = fnB();
    minA = Math.min(minA, a.seconds);
    minB = Math.min(minB, b.seconds);
  }
  return [{ ...a, seconds: minA }, { ...b, seconds: minB }];
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  return [line(rows[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
}

export function ensureDir(d) {
  mkdirSync(d, { recursive: true });
  return d;
}
