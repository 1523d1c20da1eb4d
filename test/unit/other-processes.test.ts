import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

// The state is the process's: each case starts from a fresh copy of the module.
let mod: typeof import('../../src/io/other-processes.js');
beforeEach(async () => {
  vi.resetModules();
  mod = await import('../../src/io/other-processes.js');
});

const dir = mkdtempSync(path.join(tmpdir(), 'chromaseed-other-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Calls notePipedOutput with standard output open on `file`. */
function noteOutputTo(file: string, flags: string): void {
  const fd = openSync(file, flags);
  try {
    mod.notePipedOutput({ fd });
  } finally {
    closeSync(fd);
  }
}

describe('whether a run depends on another process (then an error waits for a Ctrl-C on its way)', () => {
  it('does not with standard output to a file, or to a stream of this process', () => {
    noteOutputTo(path.join(dir, 'out.txt'), 'w');
    mod.notePipedOutput({});
    expect(mod.dependsOnOtherProcess()).toBe(false);
  });

  it('does with standard output to a pipe', (context) => {
    const fifo = path.join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) context.skip();
    noteOutputTo(fifo, 'r+'); // read-write: opens at once, and fstat says FIFO as for a shell's pipe
    expect(mod.dependsOnOtherProcess()).toBe(true);
  });

  it('does once a child or piped input said so', () => {
    mod.dependOnOtherProcess();
    expect(mod.dependsOnOtherProcess()).toBe(true);
  });

  it("then an error is taken for the Ctrl-C that comes within the grace: ffmpeg's end heard before the signal is an interruption, not a failure (it was exit 1, blaming the input)", async () => {
    const { signalled } = await import('../../src/cli/error-report.js');
    mod.dependOnOtherProcess();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const failure = new Error('clip.mp4: ffmpeg was stopped by SIGINT');
    const said = await signalled(failure, controller.signal);
    expect(said).toMatchObject({ code: 'ERR_ABORTED', message: 'interrupted', cause: failure });
  });
});
