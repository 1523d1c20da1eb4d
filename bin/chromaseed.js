#!/usr/bin/env node
// Entry shim: all logic lives in src/cli/main.ts, compiled and bundled into dist/cli-bundle/
// by `npm ci`/`npm install` (see rolldown.config.js), and loaded by load-cli.cjs (all but the
// entry that may start the GIF encoder's thread first: see below).
// CommonJS (bin/package.json says so): as an ES module, it made Node set up its ES module
// loader, for nothing, at every start.
'use strict';
const { constants } = require('node:os');
const path = require('node:path');

// The command line's modules ask for the current directory as they load (yargs does), and a
// deleted directory, or one whose path is longer than the system allows, made that a stack
// trace. No run can work from there: relative names have nothing to resolve against.
try {
  process.cwd();
} catch (err) {
  process.stderr.write(`chromaseed: cannot read the current directory (${err.code}: deleted, or its path too long?); run it from a directory that exists\n`);
  process.exit(1);
}
// Ctrl-C aborts the run: writers remove their temporary files and ffmpeg children are killed.
// The handlers are set before the command line loads (up to 0.2 s): set after, a signal in
// that time ended the process by its default action (a core file, for SIGQUIT).
// Once cleaned up, an interrupted run ends by the signal itself, SIGINT or SIGTERM (a shell
// reports 130 or 143): a shell running a loop of commands stops the loop only when the
// command ended by the Ctrl-C, and went on to the next file when it exited with code 130.
// SIGQUIT (Ctrl-\, which would otherwise end the process at once and leave its temporary
// files) ends it with exit code 131 instead, since that signal's own end writes a core file.
// A second signal ends the process at once, the same way, after killing the children and
// removing the temporary files that the first one's clean-up has not reached yet.
//
// Once the outputs have their names the run is complete: it prints its summary before a
// signal is heard, and a second one then ends the process with exit code 0.
//
// SIGHUP (the terminal was closed) aborts the same way, with three differences. Nothing more
// is written to the terminal: no one is there to read it, and writes to it fail (EIO).
// The shell and then the kernel each send one, so a second SIGHUP is not a second Ctrl-C.
// And not only the interrupted process ends by the signal (a shell reports 129), but any
// process started on a terminal, never through Node's own exit: that restores the
// terminal's settings, and on a terminal that is gone Node 20 dies there by SIGSEGV. A run
// that ended by itself, with no terminal (SIGHUP sent by another program), keeps its exit code.
const controller = new AbortController();
let received = 'SIGINT';
let hungUp = false;
/** Set once the run has said how it ended (its summary, or the error's line). */
let runSaid = false;
const { isatty } = require('node:tty');
const onTerminal = [0, 1, 2].some((fd) => isatty(fd));
/** The command line, once loaded (below). */
let cli;

/** After a hang-up, whether the process ends by the signal: an interrupted run does, and any on a terminal. */
const endsByHangup = (interrupted) => hungUp && (interrupted || onTerminal);
/** Set once endBy has begun: the process is ending, and a second call does nothing. */
let ending = false;
/**
 * Ends the process by `signal`'s default action, once the leftovers are gone (no exit hook
 * runs). Where the signal cannot end it, at once with the exit code a shell would report:
 * Windows ends a process sent one with exit code 1, and the kernel drops a signal without a
 * handler sent to process 1 (a container's first process), which went on to end as an
 * internal error. Any other process still alive 200 ms after its signal exits so too.
 */
const endBy = (signal) => {
  if (ending) return;
  ending = true;
  cli?.releaseLeftovers();
  const code = 128 + constants.signals[signal];
  if (process.platform === 'win32' || process.pid === 1) process.exit(code);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(code), 200);
};

const endByHangup = () => endBy('SIGHUP');
/**
 * How an interrupted run ends: by the signal heard, but for SIGQUIT (whose default action
 * writes a core file), and with 130 where none was (a library's abort reported by the run).
 */
const endInterrupted = () => {
  if (!controller.signal.aborted) return process.exit(130);
  if (received === 'SIGQUIT') return process.exit(128 + constants.signals.SIGQUIT);
  endBy(received);
};

const onSignal = (signal) => {
  if (signal === 'SIGHUP') {
    if (hungUp) return;
    hungUp = true;
    for (const stream of [process.stdout, process.stderr]) if (stream.isTTY) stream.write = () => true;
  }
  if (!controller.signal.aborted) {
    received = signal;
    controller.abort();
    return;
  }
  const complete = cli?.runComplete() === true;
  if (endsByHangup(!complete)) return endByHangup();
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K'); // the progress line
  // Said as the first Ctrl-C's end would have said it, unless the run has said how it ended.
  if (!complete && !runSaid && cli) process.stderr.write(cli.interruptedNow());
  // (process.exit's 'exit' hook releases the leftovers; endBy releases them itself.)
  if (complete) process.exit(0);
  received = signal;
  endInterrupted();
};
// A write to a terminal that has just gone fails with EIO, often before its SIGHUP arrives:
// that is the hang-up itself. Node emits it as an 'error' event, and with no listener its
// exit on the uncaught error crashed restoring the gone terminal (SIGSEGV after closing
// tmux during a run). Other errors of standard output are reported by the writes themselves.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EIO' && stream.isTTY) onSignal('SIGHUP');
  });
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGQUIT', onSignal);
process.on('SIGHUP', onSignal);

// The GIF encoder's thread, started before the command line loads when the run will want one
// (src/io/early-gif-thread.ts). Only a speed-up: whatever goes wrong here, the run goes on
// without it (and a file of the bundle that is missing is said below).
let gifThread = null;
try {
  const bundle = path.join(__dirname, '..', 'dist', 'cli-bundle');
  gifThread = require(path.join(bundle, 'early-gif-thread.cjs')).startEarlyGifThread(process.argv.slice(2), path.join(bundle, 'gif-encode-worker.cjs'));
} catch {
  gifThread = null;
}
// Loading the command line opens its files: with almost no file descriptors left to the
// process (a low ulimit -n) that can fail before anything else could say so.
try {
  cli = require('./load-cli.cjs');
} catch (err) {
  // A file the start loads, gone as the package is rebuilt or reinstalled beside the run: said
  // as error-report.ts says it of the files loaded later.
  const missing = err.code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(err.message) : null;
  if (err.code === 'EMFILE') process.stderr.write('chromaseed: too many open files (EMFILE) to start: this process reached its limit (ulimit -n); raise it\n');
  else if (err.code === 'ENFILE') process.stderr.write("chromaseed: too many open files (ENFILE) to start: the system's limit is reached; close other programs\n");
  else if (missing !== null) process.stderr.write(`chromaseed: its own file ${missing[1]} is gone (reinstalled, rebuilt or removed while this ran?); run it again, or reinstall chromaseed\n`);
  else throw err;
  process.exit(1);
}
const { main, reportUncaught } = cli;

// An error thrown where no run can catch it (in a library's callback) is said as the run's
// own errors are, not as Node's stack trace, and ends the process as the run's end would:
// by the signal after a hang-up, a Ctrl-C or SIGTERM (endBy removes the temporary files),
// with an exit code otherwise (the exit hook removes them).
const onUncaught = (err) => {
  const code = reportUncaught(err, process.stderr);
  if (endsByHangup(code === 130)) return endByHangup();
  if (code === 130) return endInterrupted();
  process.exitCode = code;
  process.exit();
};
process.on('uncaughtException', onUncaught);

// process.stdin is made on first use (it sets up the terminal or pipe): only for an input named -.
const streams = { stdout: process.stdout, stderr: process.stderr, get stdin() { return process.stdin; } };
// The process ends by process.exit once the run has, and once standard output and error have
// taken what is queued for them. Ended by its event loop running dry, Node first closed its
// handles, its signal watchers among them, so a Ctrl-C in the few milliseconds that took
// (right after the summary, or an error's line) killed the process by SIGINT, and a shell
// read a finished run as interrupted (130); through process.exit the watchers stay to the
// end. But process.exit drops writes still queued, as they are on a full pipe to a slow
// reader (a script's log piped on): the error's line, or the end of --help, was lost.
const whenWritten = (end) => {
  const queued = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (queued.length === 0) return end();
  // A write's callback comes once everything before it is out (or the stream has failed).
  Promise.all(queued.map((s) => new Promise((resolve) => s.write('', resolve)))).then(end);
};
main(process.argv.slice(2), streams, controller.signal, gifThread).then((code) => {
  runSaid = true;
  if (endsByHangup(code === 130)) return endByHangup();
  if (code === 130) return whenWritten(endInterrupted);
  process.exitCode = code;
  whenWritten(() => process.exit());
}, onUncaught); // a rejected run is reported as an uncaught error, whatever --unhandled-rejections says
// Node ends a process whose event loop has nothing left, even with the run still waiting
// on a promise: the exit code would be 0, as if it had succeeded. (As an ES module awaiting
// the run, the bin got Node's exit code 13 for an unsettled await.) It is an internal error,
// exit 1 as the others. A finished run, and an exit of our own (a signal's, an uncaught
// error's), has set its code already.
process.on('exit', () => {
  if (process.exitCode !== undefined) return;
  process.stderr.write('chromaseed: internal error, please report it: the run stopped before it finished, with nothing left to wait for\n');
  process.exitCode = 1;
});
