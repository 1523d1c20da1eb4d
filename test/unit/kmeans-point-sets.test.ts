// The point sets k-means runs on (point-sets.ts): coarse bins at the weighted mean of their
// colours, and the spread that scales the tolerance, on sets whose answers are known.
import { describe, expect, it } from 'vitest';
import { buildBins, emptyPointSet, meanVariance, reservePoints } from '../../src/kmeans/point-sets.js';

/** A set of points `colours` (in the working space) with `weights`. */
function setOf(colours: number[][], weights: number[]) {
  const set = emptyPointSet();
  reservePoints(set, colours.length);
  colours.forEach((c, i) => set.points.set(c, i * 3));
  set.weights.set(weights);
  return set;
}

describe('buildBins', () => {
  it('puts colours of the same high bits in one bin, at the weighted mean of their points, with their total weight', () => {
    // Binned by their sRGB bytes; each bin sits at the mean of their points in the working
    // space (here half the bytes, so that the two cannot be confused).
    const colours = [[0, 0, 0], [4, 4, 4], [255, 255, 255], [6, 0, 6]];
    const exact = setOf(colours.map((c) => c.map((v) => v / 2)), [1, 3, 2, 4]);
    const bins = emptyPointSet();
    const binOf = new Int32Array(1 << 15).fill(-1);
    expect(buildBins(colours.flat(), 4, 5, exact, bins, binOf)).toBe(2);
    expect(bins.n).toBe(2);
    expect([...bins.weights.subarray(0, 2)]).toEqual([8, 2]);
    // (0·1 + 2·3 + 3·4) / 8, (0 + 6 + 0) / 8, (0 + 6 + 12) / 8.
    expect([...bins.points.subarray(0, 6)]).toEqual([2.25, 0.75, 2.25, 127.5, 127.5, 127.5]);
    // Left all -1 for the next frame.
    expect(binOf.every((b) => b === -1)).toBe(true);
  });

  it('bins float colours outside 0..255 as their clamped, floored bytes', () => {
    const colours = [[-20, 300, 7.9], [0, 255, 0]];
    const bins = emptyPointSet();
    expect(buildBins(colours.flat(), 2, 5, setOf(colours, [1, 1]), bins, new Int32Array(1 << 15).fill(-1))).toBe(1);
    expect(bins.weights[0]).toBe(2);
  });
});

describe('meanVariance', () => {
  it('is the weighted variance of each channel, averaged over the three', () => {
    // Red 0 and 10 (variance 25), green 0 and 0 (0), blue 0 and 20 (100), equal weights.
    expect(meanVariance(setOf([[0, 0, 0], [10, 0, 20]], [2, 2]))).toBeCloseTo(125 / 3, 12);
    // Weights count: three of 0 against one of 40 puts the mean at 10, the variance at 300.
    expect(meanVariance(setOf([[0, 0, 0], [40, 40, 40]], [3, 1]))).toBeCloseTo(300, 12);
  });
});
