import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const corpus = path.resolve(repoRoot, '../shared/corpus');
export const BIN = path.join(repoRoot, 'bin/chromaseed.js');

function sink(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => Buffer.concat(chunks).toString('utf8');
  return w;
}

/** Runs the CLI in-process through `main`, capturing both streams; `signal`: Ctrl-C's, as the bin passes one. */
export async function runMain(argv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout, stderr }, signal);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs the real `bin/chromaseed.js` (the bundle in dist/cli-bundle/) as a child process. */
export function runBin(argv: string[], options: { killAfterMs?: number; killWhen?: () => boolean; killOnStderr?: boolean; signal?: NodeJS.Signals; signalCount?: number; env?: NodeJS.ProcessEnv; cwd?: string; group?: boolean; pollMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid: number; ms: number; msAfterSignal?: number }> {
  return new Promise((resolve) => {
    let signalledAt: number | undefined;
    const started = performance.now();
    // group: the process leads a process group of its own, and the signal goes to the whole
    // group, ffmpeg too, as a terminal sends Ctrl-C.
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env }, cwd: options.cwd, detached: options.group === true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    // signalCount: the signal sent that many times, 10 ms apart (Ctrl-C pressed twice, or the shell's and the kernel's SIGHUP).
    const signalAfter = (ms: number): void => {
      for (let i = 0; i < (options.signalCount ?? 1); i++) setTimeout(() => {
        signalledAt ??= performance.now();
        if (options.group === true) process.kill(-child.pid!, options.signal ?? 'SIGINT');
        else child.kill(options.signal ?? 'SIGINT');
      }, ms + 10 * i);
    };
    if (options.killAfterMs !== undefined) signalAfter(options.killAfterMs);
    // killOnStderr: the signal as soon as the process writes anything on standard error.
    child.stderr.on('data', (d) => {
      if (options.killOnStderr === true && stderr === '') signalAfter(0);
      stderr += d;
    });
    // killWhen: the signal once it says so (asked every pollMs, 50 ms): a fixed delay came, on a loaded
    // machine, before the process had started listening for it.
    const poll = options.killWhen === undefined ? undefined : setInterval(() => {
      if (!options.killWhen!()) return;
      clearInterval(poll);
      signalAfter(0);
    }, options.pollMs ?? 50);
    child.on('close', () => clearInterval(poll));
    // ms: from the start to the end; msAfterSignal: how long the process took to end after the (first) signal.
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid!, ms: performance.now() - started, msAfterSignal: signalledAt === undefined ? undefined : performance.now() - signalledAt }));
  });
}
