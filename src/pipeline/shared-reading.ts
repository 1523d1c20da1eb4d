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
 * up. A frame goes back to `source` (its release) once every seat has released it or stopped.
 */
export function shareReading(source: FrameSource): SharedReading {
  const iterator = source.frames[Symbol.asyncIterator]();
  /** Frames read and not yet taken by every seat: frame `first + i` is `kept[i]`. */
  const kept: TimedFrame[] = [];
  let first = 0;
  /** Each seat's next frame; a seat not opened yet is at 0, one stopped at Infinity. */
  const next: number[] = [];
  /** The seats that have released each frame some seat has released. */
  const releases = new Map<Frame, Set<number>>();
  let pulling: Promise<IteratorResult<TimedFrame>> | null = null;
  let ended = false;
  let failure: { error: unknown } | null = null;
  let totalMs = 0;
  let closing: Promise<void> | null = null;

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

  /** Gives `frame` back to the source once every seat has released it or stopped (a stopped seat reads nothing more). */
  function handBack(frame: Frame, by: Set<number>): void {
    if (!next.every((n, seat) => n === Infinity || by.has(seat))) return;
    releases.delete(frame);
    source.release?.(frame);
  }

  function releaseBy(seat: number, frame: Frame): void {
    const by = releases.get(frame) ?? new Set<number>();
    by.add(seat);
    releases.set(frame, by);
    handBack(frame, by);
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      kept.length = 0;
      // A source stuck in its next() takes the return() only when it moves: not waited for
      // (as abortable does), or an abort would wait on a stalled reader.
      const ending = Promise.resolve(iterator.return?.()).catch(() => undefined);
      if (pulling === null) await ending;
    })();
    return closing;
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
          // A run that stops (at the end, or on an error) waits for no frame, and holds none, any more.
          next[at] = Infinity;
          trim();
          for (const [frame, by] of releases) handBack(frame, by);
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
            release: (frame: Frame) => releaseBy(at, frame),
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
