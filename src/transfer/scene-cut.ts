import type { Frame } from '../types.js';

/**
 * A deliberately simple scene-cut detector for deciding when a palette transfer may be
 * re-decided. A frame is a cut when either
 *  - the mean absolute difference from the previous frame (over RGB channels of pixels
 *    opaque in both, 0..255) exceeds `meanDifference`, or
 *  - the frame's k-means inertia exceeds `inertiaFactor` times the median of the last
 *    `window` inertias (a seeded palette that suddenly fits badly: the content changed).
 * Ordinary motion moves a few objects and changes the mean little; a cut changes nearly
 * every pixel at once.
 */
export interface SceneCutOptions {
  /** Default 40 (see the measurements in the transfer tests). */
  readonly meanDifference: number;
  /** Default 4. Infinity switches the inertia test off. */
  readonly inertiaFactor: number;
  /** Inertias kept for the running median. Default 9. */
  readonly window: number;
}

export const DEFAULT_SCENE_CUT: SceneCutOptions = { meanDifference: 40, inertiaFactor: 4, window: 9 };

export interface SceneCutDetector {
  /** Feed the next frame (and its inertia, or NaN if unknown); true when it starts a new scene. */
  next(frame: Frame, inertia: number): boolean;
  /** Mean absolute difference measured on the last `next` call (0 for a first frame). */
  lastDifference(): number;
  reset(): void;
}

export function createSceneCutDetector(options: SceneCutOptions = DEFAULT_SCENE_CUT): SceneCutDetector {
  // The previous frame is copied into a buffer reused for the whole clip.
  let previous = new Uint8Array(0);
  let hasPrevious = false;
  const inertias = new Float64Array(Math.max(1, options.window));
  const sorted = new Float64Array(inertias.length);
  let inertiaCount = 0;
  let difference = 0;

  function median(): number {
    const n = Math.min(inertiaCount, inertias.length);
    sorted.set(inertias.subarray(0, n));
    const view = sorted.subarray(0, n).sort();
    return n % 2 === 1 ? view[(n - 1) / 2] : (view[n / 2 - 1] + view[n / 2]) / 2;
  }

  return {
    next(frame, inertia) {
      const d = frame.data;
      let cut = false;
      difference = 0;
      if (hasPrevious && previous.length === d.length) {
        let sum = 0;
        let pixels = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] === 0 || previous[i + 3] === 0) continue;
          sum += Math.abs(d[i] - previous[i]) + Math.abs(d[i + 1] - previous[i + 1]) + Math.abs(d[i + 2] - previous[i + 2]);
          pixels++;
        }
        difference = pixels > 0 ? sum / (pixels * 3) : 0;
        if (difference > options.meanDifference) cut = true;
      } else if (hasPrevious) {
        cut = true; // the canvas changed size: nothing carries over
      }
      if (!cut && Number.isFinite(inertia) && inertiaCount > 0) {
        const m = median();
        if (m > 0 && inertia > options.inertiaFactor * m) cut = true;
      }
      if (cut) inertiaCount = 0; // the new scene starts its own median
      if (Number.isFinite(inertia)) inertias[inertiaCount++ % inertias.length] = inertia;
      if (previous.length !== d.length) previous = new Uint8Array(d.length);
      previous.set(d);
      hasPrevious = true;
      return cut;
    },
    lastDifference: () => difference,
    reset() {
      hasPrevious = false;
      inertiaCount = 0;
      difference = 0;
    },
  };
}
