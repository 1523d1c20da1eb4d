import { chmodSync, createWriteStream, mkdtempSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChromaseedError, inputError, systemReason, throwIfAborted } from '../errors.js';
import { removeTemp, trackTemp } from './leftovers.js';
import { dependOnOtherProcess, descriptorKind } from './other-processes.js';
import { MAX_PALETTE_FILE_BYTES } from '../palette/read-palette.js';
import { isSvg, isTextHead } from '../text-sniff.js';

/**
 * Standard input (`-`) as an input. Every reader opens its input by name and may read it
 * more than once (a GIF's structure before its frames, `--seeding global`'s two passes,
 * ffmpeg's probe before its decode), which a pipe cannot give. So piped standard input is
 * first copied to a temporary file, removed when the command ends (or by the exit hook of
 * leftovers.ts on a second Ctrl-C). Standard input redirected from a file is read in place.
 * Named pipes are refused by checkInput, as devices are: a pipe nobody writes to would
 * block the open beyond the reach of Ctrl-C.
 *
 * A command gets an InputSession of its own: it reads the path `readable` gives and shows
 * the user `shownName`/`shownText` instead, in summaries, warnings and messages.
 */
export interface InputSession {
  /**
   * The file to read for the input named `name`: `name` itself, or for `-` the file standard
   * input is redirected from, else a copy of what is piped in. Called once the command's
   * options and outputs are checked, so their errors do not wait for a pipe to end.
   * Standard input may be read once; a terminal, a device or a directory there is refused.
   */
  readable(name: string, signal?: AbortSignal): Promise<string>;
  /** The name to show for a file `readable` returned: "standard input" for standard input's. */
  shownName(file: string): string;
  /** `text` (a message, a warning) with standard input's file named as the user knows it. */
  shownText(text: string): string;
  /** Removes the copy, if one was made. */
  release(): Promise<void>;
}

/** The standard input a command may read, as the CLI passes it (process.stdin, or a test's stream). */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; fd?: number };

/** What `-` is called in messages and summaries. */
const STDIN_NAME = 'standard input';

/** Whether `name` names standard input: `-`, which the command line hands over as an empty name. */
export function isStdin(name: string): boolean {
  return name === '-' || name === '';
}

/** `stdin`: read lazily, only when an input is `-` (bin/chromaseed.js makes process.stdin on first use). */
/** `pipeExample`: the running command with `-` for its input, shown when standard input is a terminal. */
export function createInputSession(stdin: () => InputStream | undefined, pipeExample = 'cat in.gif | chromaseed quantize - -o out.gif'): InputSession {
  // The file read for standard input (its copy, or the file it is redirected from), and the copy's directory.
  let stdinFile: string | null = null;
  let copyDir: string | null = null;
  let taken = false;
  const shownName = (file: string): string => (file === stdinFile ? STDIN_NAME : file);
  return {
    async readable(name, signal) {
      if (!isStdin(name)) return name;
      if (taken) throw new ChromaseedError('ERR_USAGE', `${STDIN_NAME} (-) can be only one of the inputs`);
      taken = true;
      const stream = stdin();
      // (yargs hands `-` over as an empty name; an empty argument typed as such is refused before.)
      if (stream === undefined) throw new ChromaseedError('ERR_USAGE', `the input - is ${STDIN_NAME}, which is not available; give a file`);
      if (stream.isTTY) throw new ChromaseedError('ERR_USAGE', `the input - is ${STDIN_NAME}, which is a terminal; give a file, or pipe one in (${pipeExample})`);
      const kind = stream.fd === 0 ? descriptorKind(0) : 'pipe';
      if (kind === 'file') {
        // Read by its own name, so that every message (some resolve /dev/stdin themselves) names the same file.
        stdinFile = await realpath('/dev/stdin').catch(() => '/dev/stdin');
        return stdinFile;
      }
      // Node opens /dev/null in the place of a closed standard input (`<&-`), so both read so.
      if (kind === '/dev/null') throw inputError(STDIN_NAME, `is /dev/null (closed, or nothing was piped in); give a file, or pipe one in (${pipeExample})`);
      if (kind !== 'pipe') throw inputError(STDIN_NAME, `is ${kind}, not a file or a pipe; give a file`);
      dependOnOtherProcess();
      try {
        // Synchronous: made and tracked with no turn of the event loop between, in which a
        // second Ctrl-C would end the process and leave the directory behind.
        copyDir = mkdtempSync(path.join(os.tmpdir(), 'chromaseed-'));
        // Ours to write whatever the umask: made 0500 under umask 222, the copy could not be created in it.
        chmodSync(copyDir, 0o700);
      } catch (err) {
        throw new ChromaseedError('ERR_INPUT', `${STDIN_NAME}: cannot make a temporary directory to copy it to (${systemReason(err)}); set TMPDIR to a directory you may write to`, { cause: err });
      }
      trackTemp(copyDir);
      stdinFile = path.join(copyDir, 'standard-input');
      try {
        await pipeline(stream, textLimit(), createWriteStream(stdinFile, { flags: 'wx', mode: 0o600 }), { signal });
      } catch (err) {
        throwIfAborted(signal);
        if (err instanceof ChromaseedError) throw err;
        throw inputError(STDIN_NAME, `cannot copy it to a temporary file (a pipe is read more than once): ${systemReason(err)}`, err);
      }
      if ((await stat(stdinFile)).size === 0) throw inputError(STDIN_NAME, 'nothing was read (it is empty)');
      return stdinFile;
    },
    shownName,
    shownText: (text) => (stdinFile === null ? text : text.split(stdinFile).join(STDIN_NAME)),
    async release() {
      if (copyDir === null) return;
      const dir = copyDir;
      copyDir = null;
      await removeTemp(dir);
    },
  };
}

/**
 * Passes the bytes through, but stops a text that is no SVG at MAX_PALETTE_FILE_BYTES: such text
 * can only be a palette file (transfer's SOURCE), and `yes |` would otherwise be copied
 * until the disk is full. Binary input is not judged here: any format ffmpeg reads may come.
 */
function textLimit(): Transform {
  let seen = 0;
  let text: boolean | null = null;
  let head = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding: string, done: TransformCallback) {
      seen += chunk.length;
      if (text === null) {
        head = Buffer.concat([head, chunk]).subarray(0, 4096);
        if (head.length >= 4096) text = isTextHead(head) && !isSvg(head.toString('latin1'));
      }
      if (text === true && seen > MAX_PALETTE_FILE_BYTES) return done(inputError(STDIN_NAME, `text of more than ${MAX_PALETTE_FILE_BYTES / (1 << 20)} MiB: neither an image, a video nor a palette file`));
      done(null, chunk);
    },
  });
}
