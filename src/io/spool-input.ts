import { createReadStream, createWriteStream, fstatSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ChromaseedError, inputError, systemReason, throwIfAborted } from '../errors.js';
import { trackTemp, untrackTemp } from './leftovers.js';

/**
 * Standard input and pipes as inputs. Every reader opens its input by name and may read it
 * more than once (a GIF's structure before its frames, `--seeding global`'s two passes,
 * ffmpeg's probe before its decode), which a pipe cannot give. So a pipe is first copied to
 * a temporary file, removed when the command ends (or by the exit hook of leftovers.ts on
 * a second Ctrl-C). Regular files, `/dev/stdin` redirected from one included, are read in
 * place; devices (a terminal, /dev/zero) are refused by checkInput: a copy of an endless
 * device would fill the disk.
 */
export interface SpooledInputs {
  /** Each input argument as it should now be opened: the copy's path for a pipe, else unchanged. */
  readonly paths: readonly string[];
  /** Whether any input was copied (only then does `shown` change anything). */
  readonly copied: boolean;
  /** `message` with each copy's path replaced by the name the user gave (`-` reads "standard input"). */
  shown(message: string): string;
  /** Removes the copies. */
  release(): Promise<void>;
}

/** What `-` is called in messages. */
const STDIN_NAME = 'standard input';

/** The standard input a command may read, as the CLI passes it (process.stdin, or a test's stream). */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; fd?: number };

/**
 * Copies the inputs among `names` that are pipes (`-` or an empty name for standard input,
 * a FIFO, process substitution's /dev/fd/N) to temporary files. Standard input may be
 * given once; as a terminal it is refused.
 */
export async function spoolInputs(names: readonly string[], stdin: InputStream | undefined, signal?: AbortSignal): Promise<SpooledInputs> {
  const copies: { path: string; dir: string; name: string }[] = [];
  const release = async (): Promise<void> => {
    for (const copy of copies.splice(0)) {
      untrackTemp(copy.dir);
      await rm(copy.dir, { recursive: true, force: true });
    }
  };
  const paths: string[] = [];
  try {
    if (names.filter(isStdin).length > 1) throw new ChromaseedError('ERR_USAGE', `${STDIN_NAME} (-) can be only one of the inputs`);
    for (const name of names) {
      const source = isStdin(name) ? stdinSource(stdin) : await pipeSource(name);
      if (typeof source === 'string') {
        paths.push(source);
        continue;
      }
      const shownName = isStdin(name) ? STDIN_NAME : name;
      const dir = await mkdtemp(path.join(os.tmpdir(), 'chromaseed-'));
      // Named after the input, so captions and messages that show a file's base name read well.
      const copy = path.join(dir, isStdin(name) ? 'standard-input' : path.basename(name));
      copies.push({ path: copy, dir, name: shownName });
      trackTemp(dir);
      try {
        await pipeline(source(), createWriteStream(copy, { flags: 'wx', mode: 0o600 }), { signal });
      } catch (err) {
        throwIfAborted(signal);
        throw inputError(shownName, `cannot copy it to a temporary file (a pipe is read more than once): ${systemReason(err)}`, err);
      }
      if ((await stat(copy)).size === 0) throw inputError(shownName, 'nothing was read (it is empty)');
      paths.push(copy);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return {
    paths,
    copied: copies.length > 0,
    shown: (message) => copies.reduce((text, copy) => text.split(copy.path).join(copy.name), message),
    release,
  };
}

function isStdin(name: string): boolean {
  // The command line hands '-' over as an empty name.
  return name === '-' || name === '';
}

type Source = string | (() => NodeJS.ReadableStream);

/** Standard input to copy, or the path it is read at in place: a regular file (`< clip.mp4`) needs no copy. */
function stdinSource(stdin: InputStream | undefined): Source {
  if (stdin === undefined) throw new ChromaseedError('ERR_USAGE', `no input file name, and ${STDIN_NAME} is not available; give a file`);
  if (stdin.isTTY) throw new ChromaseedError('ERR_USAGE', `no input file name, and ${STDIN_NAME} is a terminal; give a file, or pipe one in (cat in.gif | chromaseed quantize - -o out.gif)`);
  if (stdin.fd === 0 && isRegularFile(0)) return '/dev/stdin';
  return () => stdin;
}

/** A named pipe or process substitution to copy; any other name unchanged (checkInput judges it). */
async function pipeSource(name: string): Promise<Source> {
  const s = await stat(name).catch(() => null);
  return s !== null && (s.isFIFO() || s.isSocket()) ? () => createReadStream(name) : name;
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
