import { abortedError } from './errors.js';

/**
 * `frames`, ended by ERR_ABORTED as soon as `signal` aborts, even while a frame is awaited:
 * the signal was looked at between frames only, so a source waiting on something that never
 * came (a stalled network stream, a caller's generator) held the run past abort() for ever.
 * Ending early (a throw, a break, the abort) ends the source too, as `for await` does.
 */
export async function* abortable<T>(frames: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  const iterator = frames[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      const step = await nextUnlessAborted(iterator, signal);
      if (step.done === true) {
        ended = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // A source stuck in its next() takes the return() only when it moves: not waited for.
    if (!ended) void iterator.return?.()?.catch(() => undefined);
  }
}

function nextUnlessAborted<T>(iterator: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  const next = iterator.next();
  if (signal === undefined) return next;
  return new Promise((resolve, reject) => {
    const stop = (): void => reject(abortedError(signal));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    next.then(
      (step) => {
        signal.removeEventListener('abort', stop);
        resolve(step);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(err);
      },
    );
  });
}
