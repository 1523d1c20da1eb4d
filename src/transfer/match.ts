import { lightness, srgbToLab } from '../color/space.js';
import { ChromaseedError, invalidOption, isNumberIn, namesOf, refuseUnknownKeys, requireChoice, requireObject } from '../errors.js';
import { TRANSFER_METHODS, type TransferMethod } from '../options.js';
import { solveAssignment } from './hungarian.js';

/**
 * Deciding which SOURCE colour each TARGET cluster becomes. Every method returns one
 * source index per target entry; the renderer then paints entry i with source colour
 * `mapping[i]`, so the decision is made once per palette, not per pixel.
 */

/** A palette with how much of the picture each colour covers. */
export interface WeightedPalette {
  readonly size: number;
  /** `size * 3` sRGB values, 0..255 (bytes or float centroids). */
  readonly rgb: ArrayLike<number>;
  /** `size` shares of the pixels, each 0..1, summing to 1 (or all 0 for an empty palette). */
  readonly proportions: ArrayLike<number>;
}

/** Weights of the three terms of {@link transferCost}. */
export interface CostWeights {
  /** α: weight of the lightness-order term. */
  readonly lightness: number;
  /** β: weight of the colour-distance term. */
  readonly color: number;
  /** γ: weight of the frequency term. */
  readonly frequency: number;
}

/**
 * A palette given to matchPalettes or transferCost, checked where it comes in: null failed
 * with a TypeError, and a NaN colour or share matched silently or failed deep in the solver.
 * O(size), once per call.
 */
export function checkWeightedPalette(name: 'target' | 'source', palette: WeightedPalette): void {
  if (palette === null || typeof palette !== 'object') throw new ChromaseedError('ERR_INPUT', `the ${name} palette is { size, rgb, proportions }, not ${String(palette)}`);
  const { size, rgb, proportions } = palette;
  if (!Number.isInteger(size) || size < 0) throw new ChromaseedError('ERR_INPUT', `the ${name} palette's size is a whole number of colours, not ${String(size)}`);
  if (rgb === null || typeof rgb !== 'object' || !(rgb.length >= size * 3)) throw new ChromaseedError('ERR_INPUT', `the ${name} palette of ${size} colours needs ${size * 3} rgb values, 3 per colour`);
  if (proportions === null || typeof proportions !== 'object' || !(proportions.length >= size)) throw new ChromaseedError('ERR_INPUT', `the ${name} palette of ${size} colours needs ${size} proportions, the share of pixels of each`);
  for (let i = 0; i < size; i++) {
    if (!(proportions[i] >= 0 && proportions[i] <= 1)) throw new ChromaseedError('ERR_INPUT', `the ${name} palette's proportions are shares from 0 to 1; colour ${i}'s is ${String(proportions[i])}`);
    for (let c = i * 3; c < i * 3 + 3; c++) if (!(rgb[c] >= 0 && rgb[c] <= 255)) throw new ChromaseedError('ERR_INPUT', `the ${name} palette's rgb values are 0 to 255; colour ${i} has ${String(rgb[c])}`);
  }
}

/**
 * Default weights, chosen by measurement (k = 8, eight source→target pairs of corpus
 * stills at width 400; means over the pairs): the output's per-pixel L* correlation with
 * the target, mean ΔE76 from the target, and L1 distance between the output's colour
 * shares and the source's.
 *
 *     weights (α, β, γ)   L* corr   ΔE    shares L1
 *     1, 0.5, 0.5         0.834     34.7  0.555
 *     1, 0.5, 0.25        0.910     32.7  0.647   <- default
 *     1, 0.5, 0.167       0.924     32.5  0.678
 *     (lightness method)  0.947     34.7  0.706
 *     (rank method)       0.011     46.0  0.442
 *
 * A full flip of the lightness order costs α = 1 per unit of share, more than the colour
 * term of the most distant pair (β·ΔE/100 ≈ 0.5), so light mostly stays light; within a
 * lightness band the colour term decides; the frequency term pulls the output's colour
 * shares towards the source's.
 */
export const DEFAULT_COST_WEIGHTS: CostWeights = { lightness: 1, color: 0.5, frequency: 0.25 };

/** Every name of CostWeights. */
export const COST_WEIGHT_NAMES = namesOf<CostWeights>({ lightness: true, color: true, frequency: true });

/**
 * Cost weights as transferCost needs them: each of the three a finite number of at least 0
 * (an infinite or NaN cost leaves the assignment nothing it can finish on), and no other
 * name (a misspelt `colour` was refused as a missing `color`, not named).
 */
export function checkCostWeights(weights: CostWeights): void {
  requireObject('weights', '{ lightness: 1, color: 0.5, frequency: 0.25 }', weights);
  refuseUnknownKeys('the cost weights', weights, COST_WEIGHT_NAMES);
  for (const name of COST_WEIGHT_NAMES) {
    const w = weights[name];
    if (!isNumberIn(w, 0, Number.MAX_VALUE)) throw invalidOption(`weights.${name}`, 'a finite number of at least 0', w);
  }
}

/**
 * Below this L* spread a palette's own range says little about light and shade: a black
 * frame, a dim fade-in. Its lightness is then blended towards absolute lightness (L* over
 * 100), fully for a flat palette, so black still goes to the source's darkest colours
 * rather than to the middle of its range.
 */
const FULL_SPREAD = 50;

/**
 * Each colour's CIELAB L* rescaled to its own palette's range: 0 for the darkest, 1 for
 * the lightest. Comparing these instead of raw L* keeps the target's light and shade when
 * the source is darker or lighter overall. A palette spread over less than FULL_SPREAD
 * L* units leans towards absolute lightness (L* over 100) in proportion.
 */
export function relativeLightness(palette: WeightedPalette): Float64Array {
  const { size, rgb } = palette;
  const out = new Float64Array(size);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < size; i++) {
    const l = lightness(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
    out[i] = l;
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  const span = hi - lo;
  const own = Math.min(1, span / FULL_SPREAD);
  for (let i = 0; i < size; i++) out[i] = (span > 0 ? own * ((out[i] - lo) / span) : 0) + (1 - own) * (out[i] / 100);
  return out;
}

/**
 * The cost of painting target entry i with source colour j, for the `optimal` method:
 *
 *     cost(i, j) = p_i · ( α · |ℓT_i − ℓS_j|  +  β · ΔE76(T_i, S_j) / 100 )  +  γ · |p_i − q_j|
 *
 * where T_i, p_i are the target colour and its share of the pixels, S_j, q_j the source
 * colour and its share, ℓ the L* rescaled to each palette's own range
 * ({@link relativeLightness}), and ΔE76 the Euclidean CIELAB distance. Summed over an
 * assignment the first two terms are the per-pixel mean lightness-order error and mean
 * colour shift (each pixel of cluster i counts once), and the last is γ times the L1
 * distance between the output's colour shares and the source's: the three things a
 * palette transfer trades off.
 *
 * @returns row-major `target.size × source.size` matrix.
 */
export function transferCost(target: WeightedPalette, source: WeightedPalette, weights: CostWeights = DEFAULT_COST_WEIGHTS): Float64Array {
  checkWeightedPalette('target', target);
  checkWeightedPalette('source', source);
  checkCostWeights(weights);
  const n = target.size;
  const m = source.size;
  const lt = relativeLightness(target);
  const ls = relativeLightness(source);
  const labT = paletteLab(target.rgb, target.size);
  const labS = paletteLab(source.rgb, source.size);
  const cost = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const p = target.proportions[i];
    for (let j = 0; j < m; j++) {
      const dl = labT[i * 3] - labS[j * 3];
      const da = labT[i * 3 + 1] - labS[j * 3 + 1];
      const db = labT[i * 3 + 2] - labS[j * 3 + 2];
      const deltaE = Math.sqrt(dl * dl + da * da + db * db);
      cost[i * m + j] =
        p * (weights.lightness * Math.abs(lt[i] - ls[j]) + (weights.color * deltaE) / 100) +
        weights.frequency * Math.abs(p - source.proportions[j]);
    }
  }
  return cost;
}

/** The first `size` colours of `rgb` (sRGB triples) in CIELAB. */
export function paletteLab(rgb: ArrayLike<number>, size: number): Float64Array {
  const out = new Float64Array(size * 3);
  for (let i = 0; i < size; i++) srgbToLab(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], out, i * 3);
  return out;
}

/**
 * One source index per target entry.
 *
 * - `rank`: the r-th most common target colour gets the r-th most common source colour
 *   (when there are more target entries than source colours, rank r gets source rank
 *   ⌊r·m/n⌋, so the least common targets share the least common sources).
 * - `lightness`: the same by L* order, darkest to darkest; with different sizes, position
 *   r of n gets position round(r·(m−1)/(n−1)) of m, so both ends of the range are kept.
 * - `optimal`: the one-to-one assignment minimising the summed {@link transferCost}
 *   ({@link leastCostAssignment}), then any clear reversal of lightness order between two
 *   sizeable clusters undone ({@link undoReversals}), unless `weights.lightness` is 0.
 * - `nearest`: each entry's nearest source colour in RGB (what per-pixel nearest mapping
 *   does to the cluster centre); several entries may share a colour.
 *
 * Ties are broken by entry index, so the result is deterministic.
 */
export function matchPalettes(
  target: WeightedPalette,
  source: WeightedPalette,
  method: TransferMethod,
  weights: CostWeights = DEFAULT_COST_WEIGHTS,
): Int32Array {
  checkWeightedPalette('target', target);
  checkWeightedPalette('source', source);
  // Names, for every method: only `optimal` reads the weights (and checks their values).
  refuseUnknownKeys('the cost weights', weights, COST_WEIGHT_NAMES);
  const n = target.size;
  const m = source.size;
  requireChoice('method', TRANSFER_METHODS, method);
  const mapping = new Int32Array(n);
  if (n === 0) return mapping;
  if (m === 0) throw new ChromaseedError('ERR_INPUT', `the source palette is empty (size 0): it has no colour to give the target's ${n}`);
  switch (method) {
    case 'rank': {
      const t = order(n, (a, b) => target.proportions[b] - target.proportions[a]);
      const s = order(m, (a, b) => source.proportions[b] - source.proportions[a]);
      for (let r = 0; r < n; r++) mapping[t[r]] = s[n <= m ? r : Math.floor((r * m) / n)];
      return mapping;
    }
    case 'lightness': {
      const lt = relativeLightness(target);
      const ls = relativeLightness(source);
      const t = order(n, (a, b) => lt[a] - lt[b]);
      const s = order(m, (a, b) => ls[a] - ls[b]);
      // Ranks spread over the part of the source's range the target's lightness covers: all
      // of it for a target of ordinary contrast, the dark end for a dim one (see relativeLightness).
      const lo = lt[t[0]];
      const hi = lt[t[n - 1]];
      for (let r = 0; r < n; r++) mapping[t[r]] = s[Math.round((n === 1 ? lo : lo + (r / (n - 1)) * (hi - lo)) * (m - 1))];
      return mapping;
    }
    case 'optimal': {
      const assigned = leastCostAssignment(target, source, weights);
      // Weights that give lightness no say ask for no lightness order either.
      return weights.lightness > 0 ? undoReversals(assigned, relativeLightness(target), relativeLightness(source), target.proportions) : assigned;
    }
    case 'nearest': {
      for (let i = 0; i < n; i++) {
        let best = 0;
        let bestD = Infinity;
        for (let j = 0; j < m; j++) {
          const dr = target.rgb[i * 3] - source.rgb[j * 3];
          const dg = target.rgb[i * 3 + 1] - source.rgb[j * 3 + 1];
          const db = target.rgb[i * 3 + 2] - source.rgb[j * 3 + 2];
          const d = dr * dr + dg * dg + db * db;
          if (d < bestD) {
            bestD = d;
            best = j;
          }
        }
        mapping[i] = best;
      }
      return mapping;
    }
    default:
      throw new RangeError(`unhandled transfer method ${String(method)}`); // checked above: a method added to TRANSFER_METHODS without a case
  }
}

/**
 * The assignment of least summed {@link transferCost} (Hungarian method), before
 * `optimal` undoes its clear lightness reversals. With more target entries than source
 * colours, each colour is offered ⌈n/m⌉ times at the same cost.
 */
export function leastCostAssignment(target: WeightedPalette, source: WeightedPalette, weights: CostWeights = DEFAULT_COST_WEIGHTS): Int32Array {
  const n = target.size;
  const m = source.size;
  const cost = transferCost(target, source, weights);
  if (n <= m) return solveAssignment(cost, n, m);
  // More clusters than colours: offer each colour `copies` times (column c is colour c % m).
  const copies = Math.ceil(n / m);
  const cols = m * copies;
  const wide = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) wide[i * cols + c] = cost[i * m + (c % m)];
  const assigned = solveAssignment(wide, n, cols);
  const mapping = new Int32Array(n);
  for (let i = 0; i < n; i++) mapping[i] = assigned[i] % m;
  return mapping;
}

/**
 * How far apart (in {@link relativeLightness} units: a palette's range is 1) two clusters'
 * lightness must be, in the target and in the colours they are given, for the reversal of
 * their order to be undone. Measured on ten pairs of corpus stills (bench/transfer-bench.js):
 * at 0.15 the L* correlation rises and neither colour distance nor shares get worse; at 0.1
 * the shares drift from the source's; at 0.2 the rocket's towers stay reversed.
 */
const REVERSAL_MARGIN = 0.15;

/**
 * Only clusters with at least this share of the pixels take part: a reversal shows where
 * both are sizeable. Swaps between small ones (k = 128 on a GIF of few colours, where the
 * matching is decided again every frame) changed the matching from frame to frame and raised
 * the flicker of newtonscradle.gif from 18.1 to 22.5.
 */
const REVERSAL_MIN_SHARE = 0.02;

/**
 * Swaps the source colours of any two target entries (each with REVERSAL_MIN_SHARE of the
 * pixels) whose lightness order the mapping reverses, clearly on both sides: the darker
 * target entry got the lighter colour, each by more than REVERSAL_MARGIN. The optimal assignment weighs each entry by its share of the
 * pixels, so it may paint a small dark cluster lighter than a large one beside it to give
 * the large one a better match (a grey palette onto the rocket photo turned its near-black
 * towers light grey against a dark sky: a negative). Each swap raises Σ ℓT·ℓS over the
 * entries by more than REVERSAL_MARGIN², and that sum is at most n, so the loop ends.
 */
function undoReversals(mapping: Int32Array, lt: Float64Array, ls: Float64Array, shares: ArrayLike<number>): Int32Array {
  const n = mapping.length;
  for (let swapped = true; swapped; ) {
    swapped = false;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (lt[b] - lt[a] > REVERSAL_MARGIN && ls[mapping[a]] - ls[mapping[b]] > REVERSAL_MARGIN && shares[a] >= REVERSAL_MIN_SHARE && shares[b] >= REVERSAL_MIN_SHARE) {
          const t = mapping[a];
          mapping[a] = mapping[b];
          mapping[b] = t;
          swapped = true;
        }
      }
    }
  }
  return mapping;
}

/** Indices 0..n-1 sorted by `compare`, ties by index (Array.prototype.sort is stable). */
function order(n: number, compare: (a: number, b: number) => number): Int32Array {
  return Int32Array.from(Array.from({ length: n }, (_, i) => i).sort(compare));
}

/**
 * Shares of each palette entry in an indexed frame, skipping transparent pixels.
 * @returns `out` (length >= size), summing to 1 unless every pixel is transparent.
 */
export function entryProportions(
  indices: Uint8Array,
  transparent: Uint8Array | null,
  size: number,
  out: Float64Array = new Float64Array(size),
): Float64Array {
  out.fill(0, 0, size);
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    if (transparent !== null && transparent[i] === 1) continue;
    out[indices[i]]++;
    total++;
  }
  if (total > 0) for (let e = 0; e < size; e++) out[e] /= total;
  return out;
}
