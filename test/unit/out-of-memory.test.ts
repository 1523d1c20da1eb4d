import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { repoRoot, runMain } from '../helpers/cli.js';

// What loading the photo throws, per test: memory refused where no message of ours is made for it.
const failure = vi.hoisted(() => ({ error: new Error('unset') as unknown }));
vi.mock('../../src/io/still.js', async (original) => ({
  ...(await original<typeof import('../../src/io/still.js')>()),
  loadStill: async () => {
    throw failure.error;
  },
}));

const PHOTO = path.join(repoRoot, 'samples/hibiscus.jpg');

describe('memory refused', () => {
  it('is said in one line, exit 1 (it was an internal error with a stack trace: a frame too large to allocate, a copy to a thread)', async () => {
    for (const error of [new RangeError('Array buffer allocation failed'), new RangeError('Invalid typed array length: 6400000000'), new DOMException('Data cannot be cloned, out of memory.', 'DataCloneError')]) {
      failure.error = error;
      const r = await runMain(['palette', PHOTO]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `chromaseed: not enough memory for this input (${error.message.replace(/\.$/, '')}); try a smaller input, or a clip at a smaller --width\n`]);
    }
  });

  it('a length that is a bug, not a size (negative, or past its buffer), is an internal error, not "not enough memory"', async () => {
    for (const make of [() => new Uint8Array(-1), () => new Uint8Array(new ArrayBuffer(10), 0, 100)]) {
      failure.error = (() => {
        try {
          make();
        } catch (err) {
          return err;
        }
      })();
      const r = await runMain(['palette', PHOTO]);
      expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^chromaseed: internal error, please report it:\nRangeError: /)]);
    }
  });

  it('another error whose message cannot be set is reported as it is (setting it threw "Cannot set property message ... which has only a getter", which was reported instead)', async () => {
    failure.error = new DOMException('something else', 'InvalidStateError');
    const r = await runMain(['palette', PHOTO]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^chromaseed: internal error, please report it:\nInvalidStateError: something else\n/);
  });
});
