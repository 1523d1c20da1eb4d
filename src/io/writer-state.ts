/** Where a writer is in its life: taking frames, finished, or aborted. */
export type WriterState = 'open' | 'done' | 'aborted';

/** A writer's contract: no write or finish once it is finished or aborted (the caller's bug: a plain Error). */
export function checkOpen(file: string, state: WriterState, call: 'write' | 'finish'): void {
  if (state !== 'open') throw new Error(`${file}: ${call} after ${state}`);
}

/** `step`, with its failure aborting the writer (what it wrote removed) before it is rethrown. */
export async function abortingOnFailure<T>(step: () => Promise<T>, abort: () => Promise<void>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await abort();
    throw err;
  }
}
