import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { EarlyGifThread } from '../../src/io/early-gif-thread.js';

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

/** Runs the CLI in-process through `main`, capturing both streams; `signal`: Ctrl-C's, and `gifThread` one started early, as the bin passes them. */
export async function runMain(argv: string[], signal?: AbortSignal, gifThread?: EarlyGifThread): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout, stderr }, signal, gifThread);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Whether `signal` is sent to process `pid` and not yet taken (Linux's /proc; false where it cannot be read). */
export function pending(pid: number, signal: NodeJS.Signals): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  return [/^SigPnd:\s*([0-9a-f]+)/m, /^ShdPnd:\s*([0-9a-f]+)/m].some((field) => {
    const mask = field.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & bit) !== 0n;
  });
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
    // signalCount: the signal sent that many times, 10 ms apart (Ctrl-C pressed twice, or the
    // shell's and the kernel's SIGHUP), each once the one before has been taken: a signal sent
    // while the same one is still pending is merged into it, and on a loaded machine the
    // child heard one Ctrl-C of two (a test that needs the second then waited for ever).
    const signal = options.signal ?? 'SIGINT';
    let left = options.signalCount ?? 1;
    const send = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalledAt ??= performance.now();
      if (options.group === true) process.kill(-child.pid!, signal);
      else child.kill(signal);
      if (--left > 0) setTimeout(whenTaken, 10);
    };
    const whenTaken = (): void => {
      if (pending(child.pid!, signal)) setTimeout(whenTaken, 1);
      else send();
    };
    const signalAfter = (ms: number): void => void setTimeout(send, ms);
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
