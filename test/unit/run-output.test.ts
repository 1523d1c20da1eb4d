import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitRun } from '../../src/cli/run-output.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'chromaseed-run-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quietProgress = { tick() {}, done() {}, leave() {} };

describe('commitRun', () => {
  it('a Ctrl-C while the picture is drawn writes nothing, with no main output too (compare --timeline without -o wrote it and exited 0)', async () => {
    const stop = new AbortController();
    const timeline = path.join(tmp, 'timeline.png');
    const drawing = async () => {
      stop.abort();
      return [timeline, new Uint8Array([1, 2, 3])] as const;
    };
    await expect(commitRun(null, drawing, path.join(tmp, 'in.gif'), quietProgress, stop.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(existsSync(timeline)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
    // Not interrupted: written.
    await commitRun(null, async () => [timeline, new Uint8Array([1, 2, 3])] as const, path.join(tmp, 'in.gif'), quietProgress, new AbortController().signal);
    expect(readdirSync(tmp)).toEqual(['timeline.png']);
  });
});
