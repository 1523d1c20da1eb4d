#!/usr/bin/env node
// Entry shim: all logic lives in src/cli/main.ts (compiled to dist/ by `npm ci`/`npm install`).
import { main } from '../dist/cli/main.js';

// Ctrl-C aborts the run: writers remove their temporary files and ffmpeg children are killed.
const controller = new AbortController();
const onSignal = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal);
