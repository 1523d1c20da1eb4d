import { abortedError, throwIfAborted } from './errors.js';

/**
 * `frames`, ended by ERR_ABORTED as soon as `signal` aborts. The abort also ends the source
 * at once (its `return()`): while the caller holds a frame, a video's ffmpeg is stopped then,
 * not when the next frame is asked for; and while a frame is awaited, the wait ends too (the
 * signal was looked at between frames only, so a source waiting on something that never
 * came, a stalled stream or a caller's generator, held the run past abort() for ever).
 * Ending early (a throw, a break) ends the source as `for await` does.
 */
export async function* abortable<T>(frames: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  const iterator = frames[Symbol.asyncIterator]();
  let ended = false;
  // A source stuck in its next() takes the return() only when it moves: not waited for.
  const end = (): void => {
    if (ended) return;
    ended = true;
    void iterator.return?.()?.catch(() => undefined);
  };
  let failPending: ((err: Error) => void) | null = null;
  const stop = (): void => {
    failPending?.(abortedError(signal!));
    end();
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      throwIfAborted(signal);
      const step = await new Promise<IteratorResult<T>>((resolve, reject) => {
        failPending = reject;
        iterator.next().then(resolve, reject);
      });
      failPending = null;
      if (step.done === true) {
        ended = true;
        return;
      }
      yield step.value;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    end();
  }
}
