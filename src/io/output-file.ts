import { closeSync, fchmodSync, fdatasync, fstatSync, linkSync, openSync, renameSync, unlinkSync, close as fsClose, write as fsWrite } from 'node:fs';
import { chmod, chown, lstat, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { abortedWrite, checkBytes, ChromaseedError, isBytes, systemReason } from '../errors.js';
import { extensionAloneError, fileName } from './file-name.js';
import { isFrameOf, isPngSequencePattern } from './frame-names.js';
import { trackTemp, trackUndo, untrackTemp } from './leftovers.js';
import { checkOutputPath, realTarget, refuseOthersInSticky, type InputPaths } from './output-checks.js';
import { STDOUT, tempPathFor } from './output-names.js';

/**
 * Output files are written under a temporary name in the output's own directory (so the final
 * rename stays on one file system and is atomic) and renamed only when complete. A reader
 * never sees half a file, and an interrupted run leaves the previous output untouched.
 * (The checks on an output's path made before any work are in output-checks.ts, the
 * temporary names in output-names.ts.)
 */

/**
 * Checks a picture a command writes beside its main output (`--timeline`, `--flicker-map`,
 * `--swatch`, `--overlay`), before any work: a `.png` name (these are always PNG, and PNG
 * bytes under another extension would mislead every viewer), writable, not the input, and
 * none of the run's `others` (the main output, or one of its numbered frames; another
 * picture), each given with the name an error calls it, that it would replace or that would
 * replace it. Here rather than in output-checks.ts: it ends by creating a temporary file.
 */
export async function checkExtraOutputPath(extraPath: string, option: string, inputPath: InputPaths, others: readonly (readonly [file: string | undefined, name: string])[] = []): Promise<void> {
  if (path.extname(extraPath).toLowerCase() !== '.png') {
    throw extensionAloneError(extraPath, ['.png'], `${option} ${extraPath}`) ?? new ChromaseedError('ERR_USAGE', `${option} ${extraPath}: this picture is written as PNG; give it a .png name`);
  }
  if (isPngSequencePattern(extraPath)) throw new ChromaseedError('ERR_USAGE', `${extraPath}: this picture is one file; drop the frame number (%d)`);
  const finalPath = await checkOutputPath(extraPath, inputPath);
  const extra = await realTarget(extraPath);
  for (const [file, name] of others) {
    if (file === undefined) continue;
    const other = await realTarget(file);
    if (extra === other || isFrameOf(other, extra)) {
      throw new ChromaseedError('ERR_USAGE', `${option} ${extraPath}: ${extra === other ? `is also the ${name}` : `is a file name of the ${name}'s numbered frames`}; choose another file name`);
    }
  }
  // Written only after the main output, so find out now whether a file can be created there
  // at all (a read-only mount, /proc): a late failure would leave the main output behind.
  await removeQuietly(claimTemp(extraPath, finalPath));
}

/** Removes a file if it exists; never throws (used on cleanup paths). */
export async function removeQuietly(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch {
    // Already gone or never created.
  }
  forgetTemp(file);
}

/**
 * Moves a finished temp file into place. A file it replaces keeps its permissions and, where
 * the system allows, its owner and group, as `sed -i` keeps them: the temp file is made under
 * the umask, so a private (600) output became world-readable. `replacedPath`: where the file
 * it replaces is, when it was moved aside first.
 */
export async function commitTemp(tempPath: string, finalPath: string, replacedPath = finalPath): Promise<void> {
  try {
    const replaced = await stat(replacedPath).catch(() => null);
    const claimedMode = claimedModes.get(tempPath);
    if (replaced?.isFile() === true) {
      await chmod(tempPath, replaced.mode & 0o777);
      await chown(tempPath, replaced.uid, replaced.gid).catch(() => chown(tempPath, -1, replaced.gid).catch(() => undefined));
    } else if (claimedMode !== undefined) {
      await chmod(tempPath, claimedMode);
    }
    // Synchronous: on the thread pool, the move could come after an exit had put the replaced
    // file back (PlacedFiles.putBack), and replace it.
    renameSync(tempPath, finalPath);
  } catch (err) {
    await removeQuietly(tempPath);
    throw new ChromaseedError('ERR_OUTPUT', `${finalPath}: cannot move the finished file into place: ${systemReason(err)}`, { cause: err });
  }
  forgetTemp(tempPath);
}

export interface AtomicFile {
  readonly finalPath: string;
  readonly tempPath: string;
  /** Appends bytes to the temp file. */
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes and closes: the temp file is complete, for a caller that moves it into place itself (see placeFiles). */
  seal(): Promise<void>;
  /**
   * Flushes and closes (unless sealed already) and renames into place, calling `finishing`'s
   * hooks around the rename; returns the file size in bytes.
   */
  commit(finishing?: FinishOptions): Promise<number>;
  /** Closes and deletes the temp file, written or sealed. Safe to call more than once, and after a failure. */
  abort(): Promise<void>;
}

/**
 * Standard output (or any stream) behind the AtomicFile interface, for `-o -`. Nothing can be
 * taken back once written, so `abort` only stops: a failed run leaves its reader a cut-short
 * GIF and the command a non-zero exit. Writes wait for the stream to take each chunk, so a
 * slow reader holds the run back instead of memory filling up.
 */
export function createStreamOutput(stream: NodeJS.WritableStream): AtomicFile {
  let bytes = 0;
  // A stream that fails (its reader gone: EPIPE) emits 'error' after the write's callback has
  // run: a listener taken off in that callback left the event unheard, and the process died
  // of it (a GIF to `node app.js | head`). So one listener stays for the output's life, and a
  // tick after it ends, and the failure is the write's (or the next write's) error.
  let failure: Error | null = null;
  let failWrite: ((err: Error) => void) | null = null;
  const heard = (err: Error): void => {
    failure ??= err;
    failWrite?.(err);
  };
  // With once, and taken off only where the stream can: a writer's stdout need only have
  // write and once (a stand-in without on or removeListener failed the run).
  stream.once('error', heard);
  const stopListening = (): void => {
    setImmediate(() => stream.removeListener?.('error', heard));
  };
  const outputError = (err: unknown): ChromaseedError => {
    const gone = (err as NodeJS.ErrnoException).code === 'EPIPE';
    return new ChromaseedError('ERR_OUTPUT', gone ? 'standard output: the reader closed it before the GIF was complete' : `standard output: write failed: ${systemReason(err)}`, { cause: err });
  };
  return {
    finalPath: STDOUT,
    tempPath: STDOUT,
    async write(chunk) {
      try {
        await new Promise<void>((resolve, reject) => {
          if (failure !== null) return reject(failure);
          failWrite = reject;
          stream.write(chunk, (err) => {
            failWrite = null;
            if (err) reject(err);
            else resolve();
          });
        });
        bytes += chunk.length;
      } catch (err) {
        throw outputError(err);
      }
    },
    async seal() {},
    async commit(finishing) {
      stopListening();
      // An error heard after the last write's callback: the GIF did not all get there.
      if (failure !== null) throw outputError(failure);
      // Nothing to rename: what goes with the stream is placed all the same.
      await finishing?.beforePlace?.();
      finishing?.afterPlace?.();
      return bytes;
    },
    async abort() {
      stopListening();
    },
  };
}

/** What fdatasync says on a file system that does not do it (some FUSE mounts): the rename is atomic all the same. */
const SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Puts a finished file's data on the disk before it takes its name, so that a crash cannot
 * leave an empty file there, and closes it. On a file system that reports a full disk only
 * then (NFS, quotas, thin volumes: the writes themselves succeeded), the error is this one:
 * it was ignored, the old file was replaced by one that could not be read, and the run said
 * it was done. `file`: a handle of ours, or the name of a file another program wrote (ffmpeg).
 */
export async function flushAndClose(file: Pick<TempHandle, 'datasync' | 'close'> | string, outputPath: string): Promise<void> {
  try {
    const handle = typeof file === 'string' ? await open(file, 'r') : file;
    try {
      await handle.datasync().catch((err: unknown) => {
        if (!SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      });
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: write failed: ${systemReason(err)}`, { cause: err });
  }
}

/** How an output that is complete takes its name, when another file must change with it: see FrameWriter.finish. */
export interface FinishOptions {
  /**
   * Called once the output is complete under its temporary name (encoded and flushed), just
   * before it is moved into place: a file that must change with it is put in place now, so
   * that only renames come between the two (the CLI's --timeline picture, placed before a
   * video's ffmpeg had finished, stood beside the old video if the process was killed then).
   * If it throws, the output is removed, the file it would replace is kept, and finish
   * rejects with its error. May be synchronous.
   */
  beforePlace?: () => void | Promise<void>;
  /**
   * Called, synchronously, the moment the output has taken its name (the last numbered frame
   * has): what went with it in `beforePlace` is now to stay, even if the process ends before
   * `finish` returns (its last steps, a large sequence's clean-up, can take a while).
   */
  afterPlace?: () => void;
}

/**
 * Creates `tempPath` with O_EXCL, so that what is written goes into a file this run made,
 * never into one that was there, and tracks it; returns its descriptor. Synchronous,
 * tracked just before: the exit hook (a second Ctrl-C) runs on this thread, so the file is
 * either made and tracked by then, or never made. Made by an open queued on libuv's thread
 * pool, it could be made after the hook had found nothing to remove (CI saw it). Untracked
 * again when the creation fails, and a file that was there already is left alone.
 */
function createExclusive(tempPath: string): number {
  trackTemp(tempPath);
  try {
    return openSync(tempPath, 'wx');
  } catch (err) {
    untrackTemp(tempPath);
    throw err;
  }
}

/** A temporary file of ours, written through the descriptor that created it. */
export interface TempHandle {
  /** Writes at the file's position, as FileHandle.write. */
  write(bytes: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  writeFile(bytes: Uint8Array): Promise<void>;
  datasync(): Promise<void>;
  /** Closes the descriptor; again, does nothing. */
  close(): Promise<void>;
}

/**
 * createExclusive, written through the descriptor that made the file. Not reopened by name:
 * a file made under a umask that takes the owner's write bit (222) could not be opened for
 * writing again ("cannot create a file ... permission denied"), and the name could have been
 * made a link to another file in between. As a FileHandle does, close waits for the
 * operations under way, and none starts after it: a write still on the thread pool when its
 * descriptor's number was given to another file would go there.
 */
export function openExclusive(tempPath: string): TempHandle {
  const fd = createExclusive(tempPath);
  let isOpen = true;
  const underWay = new Set<Promise<unknown>>();
  const run = <T>(call: (done: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> => {
    if (!isOpen) return Promise.reject(Object.assign(new Error(`${tempPath}: closed (EBADF)`), { code: 'EBADF' }));
    const op = new Promise<T>((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value))));
    underWay.add(op);
    const settled = () => underWay.delete(op);
    op.then(settled, settled);
    return op;
  };
  const write = (bytes: Uint8Array, offset: number, length: number) =>
    run<number>((done) => fsWrite(fd, bytes, offset, length, null, done)).then((bytesWritten) => ({ bytesWritten }));
  return {
    write,
    async writeFile(bytes) {
      for (let at = 0; at < bytes.length; ) at += (await write(bytes, at, bytes.length - at)).bytesWritten;
    },
    datasync: () => run<void>((done) => fdatasync(fd, (err) => done(err, undefined))),
    async close() {
      if (!isOpen) return;
      isOpen = false;
      await Promise.allSettled(underWay);
      await new Promise<void>((resolve, reject) => fsClose(fd, (err) => (err ? reject(err) : resolve())));
    },
  };
}

/** Creates (and tracks) a new temporary file beside `finalPath` with `create`; `outputPath` names it in the error. */
function newTemp<T>(outputPath: string, finalPath: string, create: (tempPath: string) => T): { tempPath: string; made: T } {
  const tempPath = tempPathFor(finalPath);
  try {
    return { tempPath, made: create(tempPath) };
  } catch (err) {
    throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: cannot create a file in ${path.dirname(finalPath)}: ${systemReason(err)}`, { cause: err });
  }
}

/**
 * Creates (and tracks) a new, empty temporary file beside `finalPath` and returns its path,
 * for a writer that fills it by name (ffmpeg, which is told to overwrite): created here, with
 * O_EXCL, the file ffmpeg writes is one this run made, never one that was there before.
 */
export function claimTemp(outputPath: string, finalPath: string): string {
  return newTemp(outputPath, finalPath, ownerMayWrite).tempPath;
}

/**
 * The modes the umask gave files claimed for another program, which could not have written
 * them as they were: under umask 222 or 277 (a file made 0444 or 0400), ffmpeg's reopening
 * failed ("Permission denied") for every video of a user who is not root. Such a file is
 * made readable and writable by its owner until commitTemp gives it back its mode.
 */
const claimedModes = new Map<string, number>();

/** A temporary file gone or committed: nothing left to remove at exit, no mode to give back. */
function forgetTemp(tempPath: string): void {
  untrackTemp(tempPath);
  claimedModes.delete(tempPath);
}

/** createExclusive for a file another program writes by name (see claimedModes). */
function ownerMayWrite(tempPath: string): void {
  const fd = createExclusive(tempPath);
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & 0o600) !== 0o600) {
      fchmodSync(fd, mode | 0o600);
      claimedModes.set(tempPath, mode);
    }
  } finally {
    closeSync(fd);
  }
}

/** Opens a temp file next to `outputPath` for bytes that become `outputPath` on commit. */
export async function createAtomicFile(outputPath: string, inputPath?: InputPaths): Promise<AtomicFile> {
  const finalPath = await checkOutputPath(outputPath, inputPath);
  const { tempPath, made } = newTemp(outputPath, finalPath, openExclusive);
  let handle: TempHandle | null = made;
  let bytes = 0;
  let state: 'open' | 'sealed' | 'committed' | 'aborted' = 'open';

  async function seal(): Promise<void> {
    if (state !== 'open' || !handle) throw new Error(`${outputPath}: commit after ${state}`);
    state = 'sealed';
    const h = handle;
    handle = null;
    try {
      await flushAndClose(h, outputPath);
    } catch (err) {
      await removeQuietly(tempPath);
      throw err;
    }
  }

  async function closeHandle(): Promise<void> {
    const h = handle;
    handle = null;
    if (h) await h.close().catch(() => undefined);
  }

  return {
    finalPath,
    tempPath,
    async write(chunk) {
      if (state !== 'open' || !handle) throw new Error(`${outputPath}: write after ${state}`);
      try {
        let at = 0;
        while (at < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, at, chunk.length - at);
          at += bytesWritten;
        }
        bytes += chunk.length;
      } catch (err) {
        throw new ChromaseedError('ERR_OUTPUT', `${outputPath}: write failed: ${systemReason(err)}`, { cause: err });
      }
    },
    seal,
    async commit(finishing) {
      if (state === 'open') await seal();
      if (state === 'sealed') await finishing?.beforePlace?.();
      // Also where abort() came while beforePlace ran: the file is gone.
      if (state !== 'sealed') throw new Error(`${outputPath}: commit after ${state}`);
      state = 'committed';
      await commitTemp(tempPath, finalPath);
      finishing?.afterPlace?.();
      return bytes;
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      state = 'aborted';
      await closeHandle(); // none once sealed
      await removeQuietly(tempPath);
    },
  };
}

/**
 * Write `bytes` to `file` so a reader never sees a half-written file: the bytes go to a
 * temporary file beside it, which is renamed over the target once complete (the shared
 * output-file machinery: the directory is checked first, and the temporary file is removed
 * on failure or exit).
 *
 * @param inputPath when given, refuse to overwrite this input file.
 * @throws ChromaseedError `ERR_OUTPUT` naming the file when it cannot be written.
 */
export async function writeFileAtomic(given: string | URL, bytes: Uint8Array, inputPath?: InputPaths): Promise<void> {
  const file = fileName(given, 'writeFileAtomic');
  if (!isBytes(bytes)) throw new ChromaseedError('ERR_USAGE', `${file}: the bytes to write are ${typeof bytes === 'string' ? 'a string' : 'not bytes'}; expected a Uint8Array or Buffer`);
  // Bytes transferred away read as none: an existing file was replaced by an empty one.
  checkBytes(`${file}: the data`, bytes);
  await (await stageFiles([[file, bytes]], inputPath)).commit();
}

/** Files moved into place whose replaced files are kept until `release`, or put back by `putBack`. */
export interface PlacedFiles {
  /**
   * The files stay, whatever comes: an exit from now on removes the replaced files' second
   * names instead of putting them back. Synchronous, for the moment the file the placed ones
   * go with takes its name (FinishOptions.afterPlace): a second Ctrl-C after that put the old
   * picture back beside the new output.
   */
  keep(): void;
  /** The run is complete: the replaced files' second names go. */
  release(): Promise<void>;
  /** Puts back every replaced file, and removes the new files where there was none. Synchronous, for the exit hook too. */
  putBack(): void;
}

/**
 * Renames each finished temporary file to its final name, in order, keeping any file it
 * replaces under a second name; on a failure, when `stopped()`, or when the process exits
 * first (a second Ctrl-C), puts back what it replaced (and removes the files it moved where
 * there was nothing), then throws. The temporary files not yet moved are left to the
 * caller's abort. `what` names the files in the message for an abort.
 */
export async function placeFiles(files: readonly { temp: string; final: string }[], stopped: () => boolean, what: string, keepLast = true): Promise<PlacedFiles> {
  const moved: { final: string; kept: string | null }[] = [];
  // Set by keep(): the new files stay, and nothing puts the old ones back any more.
  let settled = false;
  const putBack = (): void => {
    if (settled) return;
    for (const { final, kept } of moved.reverse()) {
      try {
        if (kept !== null) {
          renameSync(kept, final);
          // Linked aside but not yet replaced, both names are the one file, and the rename
          // did nothing: the second name is removed (gone already when the rename moved it).
          unlinkSync(kept);
        } else {
          unlinkSync(final);
        }
      } catch {
        // Nothing there to remove, or the old file stays under its second name.
      }
    }
    moved.length = 0;
    untrack();
  };
  const untrack = trackUndo(putBack);
  try {
    for (const [i, { temp, final }] of files.entries()) {
      if (stopped()) throw abortedWrite(what);
      // Where nothing that comes after may fail (`keepLast` false), the last file is moved
      // with one rename, atomic as a single file's is: set aside by a rename where a link is
      // refused, its name was empty for a moment.
      if (i === files.length - 1 && !keepLast) {
        await commitTemp(temp, final);
        break;
      }
      const entry = { final, kept: await keepAside(final) };
      // Listed before the move, so that a failed move puts its old file back too.
      moved.push(entry);
      await commitTemp(temp, final, entry.kept ?? final);
    }
    if (stopped()) throw abortedWrite(what);
  } catch (err) {
    putBack();
    throw err;
  }
  // The replaced files' second names, removed; synchronous, for the exit hook too, and for
  // release: with no turn of the event loop between the files taking their names and the run
  // printing its summary, a second Ctrl-C (handled in such a turn) cannot end a complete run
  // before it has said so (`--json` read nothing: 380 frames' second names, removed one by
  // one on the thread pool, were a turn each).
  const removeSecondNames = (): void => {
    for (const { kept } of moved.splice(0)) {
      try {
        if (kept !== null) unlinkSync(kept);
      } catch {
        // Gone already, or not ours to remove: it stays, a hidden file beside the new one.
      }
    }
  };
  let untrackKept = (): void => undefined;
  const keep = (): void => {
    if (settled) return;
    settled = true;
    untrack();
    untrackKept = trackUndo(removeSecondNames);
  };
  return {
    keep,
    async release() {
      keep();
      removeSecondNames();
      untrackKept();
    },
    putBack,
  };
}

/**
 * A second name for what is at `file` (a file, or a symlink, dangling or not), to put it
 * back by; null when there is nothing, or a directory (which nothing here replaces). A hard
 * link leaves the file in place; where the system refuses one (a file of another user
 * under protected_hardlinks, a file system without links) the file is renamed aside,
 * which needs only the directory to be writable, as the move itself does.
 */
async function keepAside(file: string): Promise<string | null> {
  const there = await lstat(file).catch(() => null);
  if (there === null || there.isDirectory()) return null;
  await refuseOthersInSticky(file, there, path.dirname(file));
  // A second name that something already holds is never taken over: another is drawn.
  for (let tries = 0; tries < KEEP_ASIDE_TRIES; tries++) {
    const kept = tempPathFor(file, 'old');
    // Both synchronous, as createExclusive is: made on the thread pool, a second name could
    // appear after an exit (a second Ctrl-C) had put back the names it knew of.
    try {
      linkSync(file, kept);
      return kept;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
    }
    // rename() replaces whatever holds the name: only onto one found free.
    if ((await lstat(kept).catch(() => null)) !== null) continue;
    try {
      renameSync(file, kept);
    } catch (err) {
      // Neither linked nor moved: it could not be replaced either (a file locked or made immutable).
      throw new ChromaseedError('ERR_OUTPUT', `${file}: cannot replace it: ${systemReason(err)}`, { cause: err });
    }
    return kept;
  }
  throw new ChromaseedError('ERR_OUTPUT', `${file}: cannot replace it: the ${KEEP_ASIDE_TRIES} names drawn to keep it aside by were all taken`);
}

/** Random second names keepAside draws before it gives up (one is taken once in 4 billion, unless planted). */
const KEEP_ASIDE_TRIES = 8;

/**
 * Files that appear together or not at all (a command's pictures): each is written now
 * under a temporary name beside it; `place` gives them their names, keeping the files they
 * replace until its caller's run is complete (see PlacedFiles), and `commit` does that for
 * a run that is complete once they are in place (calling `afterPlace` the moment the last
 * has its name, before the replaced files' second names are removed). A failure, or
 * `abort`, removes every temporary file, and a failure while they are placed puts back the
 * files replaced.
 */
export async function stageFiles(files: readonly (readonly [file: string, bytes: Uint8Array])[], inputPath?: InputPaths): Promise<{ place(): Promise<PlacedFiles>; commit(afterPlace?: () => void): Promise<void>; abort(): Promise<void> }> {
  const staged: AtomicFile[] = [];
  const abort = async () => {
    for (const out of staged.splice(0)) await out.abort();
  };
  for (const [file, bytes] of files) {
    try {
      const out = await createAtomicFile(file, inputPath);
      staged.push(out);
      await out.write(bytes);
      await out.seal();
    } catch (e) {
      await abort();
      if (e instanceof ChromaseedError) throw e;
      throw new ChromaseedError('ERR_OUTPUT', `${file}: cannot write: ${systemReason(e)}`, { cause: e });
    }
  }
  // `onPlaced` comes the moment the last file has its name, before the temporary files'
  // removal (gone already, but each removal a turn of the event loop).
  const place = async (keepLast = true, onPlaced?: (placed: PlacedFiles) => void): Promise<PlacedFiles> => {
    try {
      const placed = await placeFiles(staged.map((out) => ({ temp: out.tempPath, final: out.finalPath })), () => false, files.map(([file]) => file).join(', '), keepLast);
      onPlaced?.(placed);
      return placed;
    } finally {
      await abort();
    }
  };
  return {
    place,
    async commit(afterPlace) {
      // Kept at once: an exit from then on (a second Ctrl-C) no longer puts the old files back.
      const placed = await place(false, (done) => {
        done.keep();
        afterPlace?.();
      });
      await placed.release();
    },
    abort,
  };
}
