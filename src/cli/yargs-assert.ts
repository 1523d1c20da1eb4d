/**
 * Stands in for node:assert in the command line's bundle (rolldown.config.js aliases it):
 * yargs takes two checks from it, and loading node:assert cost every run about 5 ms, as it
 * builds process.stderr to choose its colours. A failed check is a bug in how yargs is
 * called, and is thrown as node:assert would, with code ERR_ASSERTION.
 */

function fail(message: string | undefined, fallback: string): never {
  throw Object.assign(new Error(message ?? fallback), { code: 'ERR_ASSERTION' });
}

export function strictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) fail(message, `expected ${String(expected)}, got ${String(actual)}`);
}

export function notStrictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) fail(message, `expected anything but ${String(expected)}`);
}
