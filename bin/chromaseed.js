#!/usr/bin/env node
// Entry shim: all logic lives in src/cli/main.ts, compiled and bundled into dist/cli-bundle/
// by `npm ci`/`npm install` (see rolldown.config.js).
import { main } from '../dist/cli-bundle/main.js';

// Ctrl-C aborts the run: writers remove their temporary files and ffmpeg children are killed.
const controller = new AbortController();
const onSignal = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal);
