import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createFrameWriter } from '../../src/io/frame-writer.js';
import type { IndexedFrame } from '../../src/types.js';

// Temporary names end in four random bytes: fixed here, so a file can already stand under
// the name a writer is about to use (another process's, or a link planted in a shared folder).
vi.mock('node:crypto', async (original) => ({
  ...(await original<typeof import('node:crypto')>()),
  randomBytes: (size: number) => Buffer.alloc(size, 0xab),
}));

const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-exclusive-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const W = 32;
const H = 24;
const frame: IndexedFrame = { width: W, height: H, indices: new Uint8Array(W * H).map((_, p) => p % 2), palette: new Uint8Array([200, 30, 30, 20, 20, 220]), size: 2, transparent: null, delayMs: 100 };

describe('temporary files are created, never opened over a file already there', () => {
  for (const [output, taken] of [
    ['clip.mp4', '.clip.tmp-abababab.mp4'],
    ['frame-%d.png', '.frame-1.tmp-abababab.png'],
    ['clip.gif', '.clip.tmp-abababab.gif'],
  ] as const) {
    it(`${output}: a file under its temporary name is left as it was, and the write fails with ERR_OUTPUT`, async () => {
      const dir = mkdtempSync(path.join(work, 'dir-'));
      writeFileSync(path.join(dir, taken), 'not ours');
      const failure = await (async () => {
        const writer = await createFrameWriter(path.join(dir, output), { width: W, height: H, fps: 10 });
        await writer.write(frame);
        await writer.finish();
      })().then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toMatchObject({ code: 'ERR_OUTPUT', message: expect.stringMatching(/file already exists/) });
      expect(readdirSync(dir)).toEqual([taken]);
      expect(readFileSync(path.join(dir, taken), 'utf8')).toBe('not ours');
    });
  }
});

describe('a file being replaced is kept aside under a name nothing holds', () => {
  it('f-%d.png over an existing frame: a file under the name drawn to keep it by is left as it was, and the write fails (rename() replaced it)', async () => {
    const dir = mkdtempSync(path.join(work, 'aside-'));
    writeFileSync(path.join(dir, 'f-1.png'), 'old frame');
    writeFileSync(path.join(dir, '.f-1.old-abababab.png'), 'not ours');
    const writer = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H, fps: 10 });
    await writer.write(frame);
    await expect(writer.finish()).rejects.toMatchObject({ code: 'ERR_OUTPUT', message: expect.stringMatching(/f-1\.png: cannot replace it: the 8 names drawn to keep it aside by were all taken$/) });
    expect(readdirSync(dir).sort()).toEqual(['.f-1.old-abababab.png', 'f-1.png']);
    expect(readFileSync(path.join(dir, '.f-1.old-abababab.png'), 'utf8')).toBe('not ours');
    expect(readFileSync(path.join(dir, 'f-1.png'), 'utf8')).toBe('old frame');
  });
});
