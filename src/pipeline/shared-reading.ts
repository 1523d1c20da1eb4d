/**
 * One reading of a clip for several runs that go through it in step (compare's modes, each
 * asked for its next frame in turn): the clip is decoded once, not once a run. With
 * `--levers` compare runs eleven modes, and each decoded the clip again (a GIF in omggif, a
 * video in an ffmpeg of its own).
 */
import type { Frame, FrameSource, TimedFrame } from '../types.js';

/** One run's place at a shared reading. */
export interface Seat {
  /** The clip's frames from the first, for this run: call it once. */
  open(): Promise<FrameSource>;
  /** Milliseconds this run spent waiting for the clip's frames to be read. */
  waitedMs(): number;
}

export interface SharedReading {
  /** A seat for one more run; every seat is handed out before the first frame is read. */
  seat(): Seat;
  /** Milliseconds spent reading the clip, in all. */
  readMs(): number;
  /** Ends the reading (its ffmpeg, say) whether or not every run came to its end. */
  close(): Promise<void>;
}

/**
 * Shares `source`'s frames among the seats handed out. A frame is kept until every seat has
 * taken it, so runs must stay in step: a run that falls behind makes the others' frames pile
 * up. A frame goes back to `source` (its release) once every seat has released it.
 */
export function shareReading(source: FrameSource): SharedReading {
  const iterator = source.frames[Symbol.asyncIterator]();
  /** Frames read and not yet taken by every seat: frame `first + i` is `kept[i]`. */
  const kept: TimedFrame[] = [];
  let first = 0;
  /** Each seat's next frame; a seat not opened yet is at 0, one closed at Infinity. */
  const next: number[] = [];
  const releases = new Map<Frame, number>();
  let pulling: Promise<IteratorResult<TimedFrame>> | null = null;
  let ended = false;
  let failure: { error: unknown } | null = null;
  let totalMs = 0;
  let closed = false;

  /** Drops the frames every seat has taken. */
  const trim = (): void => {
    const behind = Math.min(...next);
    while (first < behind && kept.length > 0) {
      kept.shift();
      first++;
    }
  };

  /** Frame `i`, read if it is the next one; null after the last. */
  async function frameAt(i: number): Promise<TimedFrame | null> {
    for (;;) {
      if (i < first + kept.length) return kept[i - first];
      if (failure !== null) throw failure.error;
      if (ended) return null;
      if (pulling === null) {
        const started = performance.now();
        pulling = iterator.next().finally(() => {
          totalMs += performance.now() - started;
          pulling = null;
        });
      }
      try {
        const result = await pulling;
        if (result.done === true) ended = true;
        else if (i >= first + kept.length) kept.push(result.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  }

  function release(frame: Frame): void {
    const count = (releases.get(frame) ?? 0) + 1;
    if (count < next.length) {
      releases.set(frame, count);
      return;
    }
    releases.delete(frame);
    source.release?.(frame);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    kept.length = 0;
    await pulling?.catch(() => undefined);
    await iterator.return?.();
  }

  return {
    seat() {
      const at = next.push(0) - 1;
      let waited = 0;
      let opened = false;
      async function* frames(): AsyncGenerator<TimedFrame> {
        try {
          for (;;) {
            const started = performance.now();
            const frame = await frameAt(next[at]);
            waited += performance.now() - started;
            if (frame === null) return;
            next[at]++;
            trim();
            yield frame;
          }
        } finally {
          // A run that stops (at the end, or on an error) waits for no frame any more.
          next[at] = Infinity;
          trim();
          if (next.every((n) => n === Infinity)) await close();
        }
      }
      return {
        async open() {
          if (opened) throw new Error('shareReading: a seat is opened once');
          opened = true;
          return {
            get info() {
              return source.info;
            },
            frames: frames(),
            release,
            get warnings() {
              return source.warnings;
            },
          };
        },
        waitedMs: () => waited,
      };
    },
    readMs: () => totalMs,
    close,
  };
}
