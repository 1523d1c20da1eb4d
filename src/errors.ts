/**
 * The one error type the library throws for anything a user can act on. The CLI prints
 * its message as a single line; any other error is a bug and is printed with its stack.
 */
export type ErrorCode =
  | 'ERR_USAGE' // bad command line or option value: exit code 2
  | 'ERR_INPUT' // missing, unreadable or undecodable input
  | 'ERR_LIMIT' // input exceeds a resource limit (canvas pixels, frame count)
  | 'ERR_OUTPUT' // output cannot be written
  | 'ERR_FFMPEG' // the ffmpeg child failed
  | 'ERR_ABORTED'; // interrupted by the user

export class ChromaseedError extends Error {
  override name = 'ChromaseedError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** `Expected <expected> for <name> but received <value>`: every option error reads the same. */
export function invalidOption(name: string, expected: string, actual: unknown): ChromaseedError {
  if (Array.isArray(actual)) return new ChromaseedError('ERR_USAGE', `${name} was given ${actual.length} times (${actual.join(', ')}); give it once`);
  // yargs turns a word given to a number option into NaN; the word itself is gone by now.
  const shown = typeof actual === 'string' ? JSON.stringify(actual) : Number.isNaN(actual) ? 'something that is not a number' : String(actual);
  return new ChromaseedError('ERR_USAGE', `expected ${expected} for ${name} but received ${shown}`);
}

/** `a, b or c`: a list of names in a message. */
export function listOf(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

export function inputError(file: string, message: string, cause?: unknown): ChromaseedError {
  return new ChromaseedError('ERR_INPUT', `${file}: ${message}`, { cause });
}

/**
 * A failed system call as a user reads it: Node's "ENOSPC: no space left on device, write"
 * becomes "no space left on device (ENOSPC)". The code alone means little to most users;
 * the call and path after the comma mean even less (a temporary file's name).
 */
export function systemReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return err.message;
  const text = new RegExp(`^${code}: (.+?)(?:, [a-z]+\\b.*)?$`).exec(err.message)?.[1];
  return text === undefined ? code : `${text} (${code})`;
}
