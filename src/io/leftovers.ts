import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * What must not outlive the process: temporary files (outputs being written, copies of piped
 * inputs) and ffmpeg children. Each is normally released by its own writer's or reader's
 * abort(); this is the last resort for an exit that does not wait for that (a second
 * Ctrl-C, an uncaught error, process.exit), so it is synchronous. An ffmpeg left running
 * would go on encoding for seconds with no one to read its output, and a temporary file
 * would stay beside the user's outputs.
 */
const temps = new Set<string>();
const undos = new Set<() => void>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', releaseLeftovers);
}

export function trackTemp(file: string): void {
  installExitHook();
  temps.add(file);
}

/** For a temporary file that is gone or kept (renamed into place); one to remove goes through removeTemp. */
export function untrackTemp(file: string): void {
  temps.delete(file);
}

/**
 * Removes a tracked temporary file or directory, then stops tracking it: in that order, as an
 * exit while the removal is under way (a second Ctrl-C ends the process at once) must still
 * find it to remove. Untracked first, a piped input's copy was left in $TMPDIR.
 */
export async function removeTemp(file: string): Promise<void> {
  await rm(file, { recursive: true, force: true });
  temps.delete(file);
}

/** removeTemp, at once. */
export function removeTempSync(file: string): void {
  rmSync(file, { recursive: true, force: true });
  temps.delete(file);
}

/**
 * A synchronous step that puts files back as they were (a numbered-PNG commit's), run at an
 * exit that comes before its owner is done, ahead of the temporary files' removal. Returns
 * the function that drops it again.
 */
export function trackUndo(undo: () => void): () => void {
  installExitHook();
  undos.add(undo);
  return () => void undos.delete(undo);
}

export function trackChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  installExitHook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Set the moment a command's outputs all have their names (see runComplete). */
let complete = false;

/** Called by the command line the moment its run's last output takes its name. */
export function markRunComplete(): void {
  complete = true;
}

/**
 * Whether this process's run has put its outputs in place: a second Ctrl-C from then on
 * ends it as a success (bin/chromaseed.js), since nothing it could stop would change the
 * files (and the run prints its summary before a signal is heard: see PlacedFiles.release).
 * Reported as interrupted, the run read as having written nothing while every output had
 * been replaced.
 */
export function runComplete(): boolean {
  return complete;
}

/** Kills the children still running and removes the temporary files still open, at once. */
export function releaseLeftovers(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const undo of undos) undo();
  undos.clear();
  for (const file of temps) {
    try {
      // A file, or a directory of them (the copies of piped inputs).
      rmSync(file, { recursive: true, force: true });
    } catch {
      // Cannot be removed (its directory is gone or not ours to write): nothing more to do.
    }
  }
  temps.clear();
}
