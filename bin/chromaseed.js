#!/usr/bin/env node
// Entry shim: all logic lives in src/cli/main.ts, compiled and bundled into dist/cli-bundle/
// by `npm ci`/`npm install` (see rolldown.config.js).
import { main } from '../dist/cli-bundle/main.js';

// Ctrl-C aborts the run: writers remove their temporary files and ffmpeg children are killed.
// The exit code is the shell's for the signal: 130 for SIGINT, 143 for SIGTERM, 129 for
// SIGHUP (the terminal was closed).
const controller = new AbortController();
let signalCode = 130;
const onSignal = (signal) => {
  if (signal === 'SIGTERM') signalCode = 143;
  if (signal === 'SIGHUP') signalCode = 129;
  if (controller.signal.aborted) process.exit(signalCode);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal);
process.exitCode = code === 130 ? signalCode : code;
