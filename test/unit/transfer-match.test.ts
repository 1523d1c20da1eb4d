import { describe, expect, it } from 'vitest';
import { lightness } from '../../src/color/space.js';
import { solveAssignment } from '../../src/transfer/hungarian.js';
import { entryProportions, leastCostAssignment, matchPalettes, relativeLightness, transferCost, type WeightedPalette } from '../../src/transfer/match.js';
import { createRng } from '../../src/kmeans/random.js';

/** Summed cost of an assignment (row i to column `assignment[i]`). */
function assignmentCost(cost: ArrayLike<number>, cols: number, assignment: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < assignment.length; i++) total += cost[i * cols + assignment[i]];
  return total;
}

const prng = createRng;

/** Minimum over every injective row -> column map, by exhaustive search. */
function bruteForce(cost: ArrayLike<number>, rows: number, cols: number): number {
  let best = Infinity;
  const used = new Uint8Array(cols);
  const walk = (row: number, sum: number) => {
    if (row === rows) {
      best = Math.min(best, sum);
      return;
    }
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = 1;
      walk(row + 1, sum + cost[row * cols + c]);
      used[c] = 0;
    }
  };
  walk(0, 0);
  return best;
}

function palette(colors: [number, number, number][], proportions: number[]): WeightedPalette {
  return { size: colors.length, rgb: Uint8Array.from(colors.flat()), proportions: Float64Array.from(proportions) };
}

describe('solveAssignment (Hungarian method)', () => {
  it('matches brute force on 200 random 6x6 matrices, including negative costs and ties', () => {
    const rand = prng(7);
    for (let trial = 0; trial < 200; trial++) {
      const cost = new Float64Array(36);
      // Every fourth matrix uses small integers so ties are common.
      for (let i = 0; i < 36; i++) cost[i] = trial % 4 === 0 ? Math.floor(rand() * 4) : rand() * 200 - 50;
      const a = solveAssignment(cost, 6, 6);
      expect(new Set(a).size).toBe(6);
      expect(assignmentCost(cost, 6, a)).toBeCloseTo(bruteForce(cost, 6, 6), 9);
    }
  });

  it('matches brute force on rectangular 4x7 matrices (rows < cols)', () => {
    const rand = prng(11);
    for (let trial = 0; trial < 100; trial++) {
      const cost = Float64Array.from({ length: 28 }, () => rand() * 10);
      const a = solveAssignment(cost, 4, 7);
      expect(new Set(a).size).toBe(4);
      for (const c of a) expect(c).toBeLessThan(7);
      expect(assignmentCost(cost, 7, a)).toBeCloseTo(bruteForce(cost, 4, 7), 9);
    }
  });

  it('finds the anti-diagonal when the greedy row-by-row choice is wrong', () => {
    // Greedy takes (0,0)=1 and is then forced into (1,1)=100; optimal is 2 + 2.
    const cost = [1, 2, 2, 100];
    expect(Array.from(solveAssignment(cost, 2, 2))).toEqual([1, 0]);
  });

  it('rejects more rows than columns', () => {
    expect(() => solveAssignment([1, 2], 2, 1)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'assignment needs 0 <= rows <= cols, got 2 x 1' }));
    // A TypeError from inside, before.
    expect(() => solveAssignment(null as never, 2, 2)).toThrow(expect.objectContaining({ code: 'ERR_INPUT', message: 'cost matrix has null, expected 4 numbers' }));
  });
});

describe('matchPalettes', () => {
  // Target: mostly dark with a light minority. Source: mostly light with a dark minority.
  const target = palette([[30, 30, 40], [220, 220, 210]], [0.6, 0.4]);
  const source = palette([[240, 200, 150], [60, 20, 10]], [0.55, 0.45]);

  it('rank pairs most common with most common (here inverting light and dark)', () => {
    expect(Array.from(matchPalettes(target, source, 'rank'))).toEqual([0, 1]);
  });

  it('lightness maps dark to dark and light to light', () => {
    expect(Array.from(matchPalettes(target, source, 'lightness'))).toEqual([1, 0]);
  });

  it('optimal keeps dark to dark where rank gets it wrong', () => {
    expect(Array.from(matchPalettes(target, source, 'optimal'))).toEqual([1, 0]);
  });

  it('a dark target with little contrast keeps to the dark end of the source (black used to become the middle)', () => {
    const src = palette([[240, 230, 210], [30, 28, 25], [120, 120, 60], [200, 180, 70], [70, 70, 40]], [0.2, 0.2, 0.2, 0.2, 0.2]);
    const darkest = 1;
    const black = palette([[0, 0, 0]], [1]);
    for (const method of ['lightness', 'optimal'] as const) expect(Array.from(matchPalettes(black, src, method))).toEqual([darkest]);
    // Three near-black greys: the lightness method spreads them over the dark end only.
    const dim = palette([[0, 0, 0], [10, 10, 10], [20, 20, 20]], [1 / 3, 1 / 3, 1 / 3]);
    const ls = relativeLightness(src);
    for (const j of matchPalettes(dim, src, 'lightness')) expect(ls[j]).toBeLessThan(0.5);
    // A target of ordinary contrast still spans the whole source range, darkest to lightest.
    const wide = palette([[5, 5, 5], [128, 128, 128], [250, 250, 250]], [1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(matchPalettes(wide, src, 'lightness'))).toEqual([darkest, 2, 0]);
  });

  it('optimal refuses weights it could not finish with (an infinite or NaN cost never settles)', () => {
    expect(() => matchPalettes(target, source, 'optimal', { lightness: 1, color: Infinity, frequency: 0 })).toThrow(/weights\.color/);
    expect(() => matchPalettes(target, source, 'optimal', { lightness: NaN, color: 1, frequency: 0 })).toThrow(/weights\.lightness/);
    expect(() => matchPalettes(target, source, 'optimal', { lightness: 1, color: 1, frequency: -1 })).toThrow(/weights\.frequency/);
    // Finite weights whose costs overflow.
    expect(() => matchPalettes(target, source, 'optimal', { lightness: 1, color: 1e308, frequency: 1 })).toThrow(/costs must be finite/);
  });

  it('optimal gives no sizeable dark cluster a colour clearly lighter than a lighter cluster gets (a grey palette on the rocket photo turned its towers light grey)', () => {
    const hex = (h: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
    // The rocket photo's 8 clusters (night sky, towers, lights) and a grey photo's palette, with their shares.
    const rocket = palette(['#1a3455', '#2b4a6f', '#e5cfa3', '#b6844c', '#092240', '#15141a', '#4e617c', '#4a3d3a'].map(hex), [0.259, 0.17, 0.013, 0.03, 0.235, 0.099, 0.11, 0.083]);
    const greys = palette(['#040404', '#cbcbcb', '#919191', '#b0b0b0', '#757575', '#2b2b2b', '#505050', '#ececec'].map(hex), [0.194, 0.159, 0.146, 0.146, 0.119, 0.108, 0.086, 0.043]);
    const mapping = matchPalettes(rocket, greys, 'optimal');
    const lt = relativeLightness(rocket);
    const ls = relativeLightness(greys);
    for (let a = 0; a < rocket.size; a++) {
      for (let b = 0; b < rocket.size; b++) {
        if (rocket.proportions[a] < 0.02 || rocket.proportions[b] < 0.02 || lt[b] - lt[a] <= 0.15) continue;
        expect(ls[mapping[a]] - ls[mapping[b]], `entries ${a} and ${b}`).toBeLessThanOrEqual(0.15);
      }
    }
    // The near-black towers (#15141a) get a darker grey than the dark blue sky (#1a3455); they got #505050 against its #2b2b2b.
    expect(ls[mapping[5]]).toBeLessThan(ls[mapping[0]]);
    // Weights that give lightness no say get the least-cost assignment as it is: here colour
    // alone pairs the dark blue with the light blue and the pink with the dark red, a reversal
    // the repair would swap (as it did, overriding the caller's weights).
    const noLightness = { lightness: 0, color: 1, frequency: 0 };
    const blues = palette([[20, 20, 200], [255, 200, 210]], [0.5, 0.5]);
    const reds = palette([[140, 170, 255], [140, 0, 0]], [0.5, 0.5]);
    expect(Array.from(leastCostAssignment(blues, reds, noLightness))).toEqual([0, 1]);
    expect(Array.from(matchPalettes(blues, reds, 'optimal', noLightness))).toEqual([0, 1]);
    expect(Array.from(matchPalettes(blues, reds, 'optimal', { ...noLightness, lightness: 1 }))).toEqual([1, 0]);
  });

  it('optimal leaves a lightness reversal alone where one of the two entries is under 2% of the pixels', () => {
    // Lightness weighed, but little: colour pairs the dark blue with the light blue and the pink with the dark red, a reversal.
    const weights = { lightness: 0.01, color: 1, frequency: 0 };
    const reds = palette([[140, 170, 255], [140, 0, 0]], [0.5, 0.5]);
    const sizeable = palette([[20, 20, 200], [255, 200, 210]], [0.5, 0.5]);
    const speck = palette([[20, 20, 200], [255, 200, 210]], [0.99, 0.01]);
    expect(Array.from(leastCostAssignment(sizeable, reds, weights))).toEqual([0, 1]);
    expect(Array.from(leastCostAssignment(speck, reds, weights))).toEqual([0, 1]);
    expect(Array.from(matchPalettes(sizeable, reds, 'optimal', weights))).toEqual([1, 0]); // both sizeable: undone
    expect(Array.from(matchPalettes(speck, reds, 'optimal', weights))).toEqual([0, 1]); // the pink a speck: left
  });

  it('optimal keeps hue within a lightness band where lightness order gets it wrong', () => {
    // Red and green of nearly equal L*, in opposite L* order in target and source.
    const t = palette([[0, 0, 0], [200, 40, 40], [40, 130, 40], [255, 255, 255]], [0.25, 0.25, 0.25, 0.25]);
    const s = palette([[10, 10, 10], [210, 50, 50], [30, 120, 30], [250, 250, 250]], [0.25, 0.25, 0.25, 0.25]);
    const lt = relativeLightness(t);
    const ls = relativeLightness(s);
    // The construction: red lighter than green in the source, darker in the target.
    expect(lightness(200, 40, 40)).toBeLessThan(lightness(40, 130, 40));
    expect(lightness(210, 50, 50)).toBeGreaterThan(lightness(30, 120, 30));
    expect(lt[1]).toBeLessThan(lt[2]);
    expect(ls[1]).toBeGreaterThan(ls[2]);
    expect(Array.from(matchPalettes(t, s, 'lightness'))).toEqual([0, 2, 1, 3]);
    expect(Array.from(matchPalettes(t, s, 'optimal'))).toEqual([0, 1, 2, 3]);
  });

  it('nearest sends each entry to its closest source colour, even if shared', () => {
    const t = palette([[10, 10, 10], [20, 20, 20], [250, 250, 250]], [0.3, 0.3, 0.4]);
    const s = palette([[0, 0, 0], [255, 255, 255]], [0.5, 0.5]);
    expect(Array.from(matchPalettes(t, s, 'nearest'))).toEqual([0, 0, 1]);
  });

  it('handles more target entries than source colours in every method', () => {
    const t = palette([[0, 0, 0], [80, 80, 80], [160, 160, 160], [255, 255, 255]], [0.4, 0.3, 0.2, 0.1]);
    const s = palette([[250, 240, 230], [20, 10, 0]], [0.7, 0.3]);
    expect(Array.from(matchPalettes(t, s, 'rank'))).toEqual([0, 0, 1, 1]);
    expect(Array.from(matchPalettes(t, s, 'lightness'))).toEqual([1, 1, 0, 0]);
    const optimal = Array.from(matchPalettes(t, s, 'optimal'));
    // Both source colours used, and darkest -> dark, lightest -> light.
    expect(new Set(optimal).size).toBe(2);
    expect(optimal[0]).toBe(1);
    expect(optimal[3]).toBe(0);
  });

  it("optimal's assignment, before its reversals are undone, is the minimum of the documented cost over all permutations", () => {
    const rand = prng(3);
    for (let trial = 0; trial < 30; trial++) {
      const colors = (n: number) => Array.from({ length: n }, () => [0, 0, 0].map(() => Math.floor(rand() * 256)) as [number, number, number]);
      const shares = (n: number) => {
        const w = Array.from({ length: n }, () => rand() + 0.05);
        const sum = w.reduce((a, b) => a + b, 0);
        return w.map((x) => x / sum);
      };
      const t = palette(colors(5), shares(5));
      const s = palette(colors(6), shares(6));
      const cost = transferCost(t, s);
      const m = leastCostAssignment(t, s);
      expect(assignmentCost(cost, 6, m)).toBeCloseTo(bruteForce(cost, 5, 6), 9);
    }
  });

  it('relativeLightness: a palette spread over more than 50 L* runs from exactly 0 at its darkest to 1 at its lightest, in proportion between', () => {
    const p = palette([[51, 51, 51], [120, 120, 120], [230, 230, 230]], [1 / 3, 1 / 3, 1 / 3]);
    const [lo, mid, hi] = [lightness(51, 51, 51), lightness(120, 120, 120), lightness(230, 230, 230)];
    expect(hi - lo).toBeGreaterThan(50); // L* 21.2 to 91.5
    const l = relativeLightness(p);
    expect(l[0]).toBeCloseTo(0, 12);
    expect(l[1]).toBeCloseTo((mid - lo) / (hi - lo), 12);
    expect(l[2]).toBeCloseTo(1, 12);
  });
});

describe('entryProportions', () => {
  it('counts opaque pixels only', () => {
    const p = entryProportions(Uint8Array.from([0, 1, 1, 2, 2]), Uint8Array.from([0, 0, 0, 1, 0]), 3);
    expect(Array.from(p)).toEqual([0.25, 0.5, 0.25]);
  });
});

describe('least-cost assignment onto fewer colours', () => {
  it('gives every target entry a colour when the source colours are fewer and not a divisor of them', () => {
    const target = { size: 5, rgb: Uint8Array.of(0, 0, 0, 60, 60, 60, 120, 120, 120, 180, 180, 180, 250, 250, 250), proportions: Float64Array.of(0.2, 0.2, 0.2, 0.2, 0.2) };
    const source = { size: 2, rgb: Uint8Array.of(10, 10, 10, 240, 240, 240), proportions: Float64Array.of(0.5, 0.5) };
    const mapping = Array.from(leastCostAssignment(target, source));
    expect(mapping).toHaveLength(5);
    for (const s of mapping) expect([0, 1]).toContain(s);
    expect(mapping[0]).toBe(0);
    expect(mapping[4]).toBe(1);
  });
});
