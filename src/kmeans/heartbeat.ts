/**
 * A frame's clustering runs synchronously, for seconds on a large first frame (counting
 * its colours, then k-means with its restarts), and meanwhile no timer of the caller's can
 * fire: the command line's progress line, due after a second, stayed blank until the frame
 * was done. So the clustering calls `heartbeat()` between its steps (after the count, after
 * each restart and refinement: a few tenths of a second apart at 1080p, a second on a frame
 * of noise), and a caller that wants to hear it sets a listener (one at a time: the last
 * set). No I/O here; with no listener, a beat costs one test.
 */

let listener: (() => void) | null = null;

/** Sets the function each heartbeat calls, in place of any set before; returns a function that removes it, if it is still the one set. */
export function listenToHeartbeat(beat: () => void): () => void {
  listener = beat;
  return () => {
    if (listener === beat) listener = null;
  };
}

/** Lets the listener, if any, run now: called between steps of a long synchronous pass. */
export function heartbeat(): void {
  if (listener !== null) listener();
}
