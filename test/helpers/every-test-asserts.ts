import { beforeEach, expect } from 'vitest';

// A test that makes no assertion cannot fail, whatever the code does: each must make one.
// (Every test did when this was added; one that checks only that a call does not throw says
// so with expect(...).not.toThrow().)
beforeEach(() => {
  expect.hasAssertions();
});
