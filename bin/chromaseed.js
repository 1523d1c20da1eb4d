#!/usr/bin/env node
// Entry shim: all logic lives in src/cli/main.ts, compiled and bundled into dist/cli-bundle/
// by `npm ci`/`npm install` (see rolldown.config.js).
import { constants } from 'node:os';
import { main } from '../dist/cli-bundle/main.js';

// Ctrl-C aborts the run: writers remove their temporary files and ffmpeg children are killed.
// The exit code is the shell's for the signal: 130 for SIGINT, 143 for SIGTERM.
//
// SIGHUP (the terminal was closed) aborts the same way, with two differences. Nothing more
// is written to the terminal: no one is there to read it, and Node 20 crashes writing to it
// (SIGSEGV). And the process ends by the signal itself once cleaned up (a shell reports
// 129): Node 20 also aborts in a normal exit when it cannot restore the terminal's settings.
const controller = new AbortController();
let received = 'SIGINT';
const onSignal = (signal) => {
  received = signal;
  if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) if (stream.isTTY) stream.write = () => true;
  if (controller.signal.aborted) process.exit(128 + constants.signals[signal]);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal);
if (code === 130 && received === 'SIGHUP') {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}
process.exitCode = code === 130 ? 128 + constants.signals[received] : code;
