import type { Frame } from '../types.js';
import { checkRgbaFrame, namesOf, refuseUnknownKeys, requireInRange, requireObject } from '../errors.js';
import { compareFrames, type FrameChange } from './frame-change.js';

/**
 * A deliberately simple scene-cut detector: where the seeded mode starts a fresh palette
 * instead of dragging the old one along, and where a palette transfer may be re-decided. Let D be the mean absolute difference from the previous frame (over the RGB
 * channels of pixels opaque in both, 0..255). A frame is a cut when either
 *  - D exceeds both `minDifference` and `differenceRatio` times the median D of the last
 *    `window` frames, while fewer than `stillShare` of the pixels stayed still (a window
 *    opening over a still screen changes D a lot without being a new scene), or
 *  - the frame's k-means inertia is more than `inertiaFactor` times, or less than
 *    1/`inertiaFactor` of, the median of the last `window` inertias (the palette suddenly
 *    fits the content much worse or much better: the content changed).
 * The ratio matters because D alone does not separate cuts from motion: measured on the
 * corpus at width 320, a handheld video (imageio cockatoo) peaks at D = 42 and a fast
 * cartoon (pigs_in_a_polka.gif) sits at 20–36 on every frame, while the join of two
 * unrelated GIFs (cars → chi) is 36 after frames of 1–4, and Big Buck Bunny's cuts are
 * 80–100. With the defaults those three cuts are found, chaplin, test.webm, bounce.gif
 * and the cartoon have none, and the cockatoo's fastest pan (D = 42) still counts as one.
 * A false cut costs little: the same entries are matched again on nearly the same shares,
 * which under `optimal` almost always gives the same mapping.
 */
export interface SceneCutOptions {
  /** D below this is never a cut (0..255). Default 24. */
  readonly minDifference: number;
  /** How far D must rise above its running median. Default 4. */
  readonly differenceRatio: number;
  /** Default 4. Infinity switches the inertia test off. */
  readonly inertiaFactor: number;
  /** Frames kept for the running medians. Default 9. */
  readonly window: number;
  /**
   * A frame with at least this share of its opaque pixels still (no channel moved by more
   * than 8) is never a cut by difference. Default (absent) 1: only a frame with every
   * pixel still, whose D is at most 8 and so below `minDifference` anyway.
   */
  readonly stillShare?: number;
}

/** Every name of SceneCutOptions. */
export const SCENE_CUT_NAMES: readonly string[] = namesOf<SceneCutOptions>({ minDifference: true, differenceRatio: true, inertiaFactor: true, window: true, stillShare: true });

export const DEFAULT_SCENE_CUT: SceneCutOptions = { minDifference: 24, differenceRatio: 4, inertiaFactor: 4, window: 9 };

export interface SceneCutDetector {
  /** Feed the next frame (and its inertia, or NaN if unknown); true when it starts a new scene. */
  next(frame: Frame, inertia: number): boolean;
  /**
   * The same test for a caller that has compared the frame with the last itself (see
   * frame-change.ts); `change` null: nothing to compare with, never a cut by difference.
   * The copy `next` keeps is then out of date, so the next `next` call skips the
   * difference test rather than compare with an older frame.
   */
  nextChange(change: FrameChange | null, inertia: number): boolean;
  /** Mean absolute difference measured on the last call (0 for a first frame). */
  lastDifference(): number;
}

/**
 * `given` with each option it leaves out (or leaves undefined) at its default, as the command
 * line uses them: `{}` left every threshold undefined and never cut.
 */
function resolveSceneCut(given: Partial<SceneCutOptions> | undefined): SceneCutOptions {
  if (given === undefined) return DEFAULT_SCENE_CUT;
  requireObject('options', '{ minDifference: 24 }', given);
  refuseUnknownKeys('createSceneCutDetector', given, SCENE_CUT_NAMES);
  const pick = <K extends keyof SceneCutOptions>(name: K): SceneCutOptions[K] => given[name] ?? DEFAULT_SCENE_CUT[name];
  const inertiaFactor = pick('inertiaFactor');
  if (inertiaFactor !== Infinity) requireInRange('inertiaFactor', inertiaFactor, 1, 1e9);
  const stillShare = given.stillShare;
  return {
    minDifference: requireInRange('minDifference', pick('minDifference'), 0, 255),
    differenceRatio: requireInRange('differenceRatio', pick('differenceRatio'), 0, 1e9),
    inertiaFactor,
    window: requireInRange('window', pick('window'), 1, 10_000, 'a whole number of frames'),
    ...(stillShare !== undefined ? { stillShare: requireInRange('stillShare', stillShare, 0, 1) } : {}),
  };
}

export function createSceneCutDetector(given?: Partial<SceneCutOptions>): SceneCutDetector {
  const options = resolveSceneCut(given);
  // For `next`, the previous frame is copied into a buffer reused for the whole clip;
  // `hasPrevious` says whether that copy is the frame just before.
  let previous = new Uint8Array(0);
  let hasPrevious = false;
  const inertias = createRunningMedian(options.window);
  const differences = createRunningMedian(options.window);
  let difference = 0;

  /** `resized`: the frame has another size than the last, which is always a cut. */
  const decide = (change: FrameChange | null, resized: boolean, inertia: number): boolean => {
    let cut = resized;
    difference = change?.difference ?? 0;
    if (change !== null) {
      // The first pair has no typical difference to compare with: never a cut.
      if (differences.count() > 0) {
        const typical = differences.median();
        const moving = change.stillPixels < (options.stillShare ?? 1) * change.opaquePixels;
        if (difference > options.minDifference && difference > options.differenceRatio * typical && moving) cut = true;
      }
      differences.push(difference);
    }
    if (!cut && Number.isFinite(inertia) && inertias.count() > 0) {
      const m = inertias.median();
      if (m > 0 && (inertia > options.inertiaFactor * m || inertia * options.inertiaFactor < m)) cut = true;
    }
    // A new scene's palette fits it differently, so its inertias start afresh; the typical
    // frame difference (how fast things move) carries over.
    if (cut) inertias.clear();
    if (Number.isFinite(inertia)) inertias.push(inertia);
    return cut;
  };

  return {
    next(frame, inertia) {
      checkRgbaFrame(frame);
      const d = frame.data;
      const change = hasPrevious && previous.length === d.length ? compareFrames(d, previous, null) : null;
      const cut = decide(change, hasPrevious && change === null, inertia);
      if (previous.length !== d.length) previous = new Uint8Array(d.length);
      previous.set(d);
      hasPrevious = true;
      return cut;
    },
    nextChange(change, inertia) {
      hasPrevious = false;
      return decide(change, false, inertia);
    },
    lastDifference: () => difference,
  };
}

/** Median of the last `window` values pushed; fixed buffers, no allocation per frame. */
function createRunningMedian(window: number): { push(v: number): void; median(): number; count(): number; clear(): void } {
  const ring = new Float64Array(Math.max(1, window));
  const sorted = new Float64Array(ring.length);
  let pushed = 0;
  return {
    push(v) {
      ring[pushed++ % ring.length] = v;
    },
    median() {
      const n = Math.min(pushed, ring.length);
      sorted.set(ring.subarray(0, n));
      const view = sorted.subarray(0, n).sort();
      return n % 2 === 1 ? view[(n - 1) / 2] : (view[n / 2 - 1] + view[n / 2]) / 2;
    },
    count: () => Math.min(pushed, ring.length),
    clear() {
      pushed = 0;
    },
  };
}
