import { checkColourCounts, checkIndexedFrame, checkRgbaFrame, ChromaseedError, isBytes, namesOf, refuseUnknownKeys, requireChoice, requireInRange, requireObject, withDefaults } from '../errors.js';
import { checkMapOptions, createMapper, nearestIndex, PLAIN_MAP, type DitherHold, type MapOptions } from '../map/map-pixels.js';
import { holdPixels } from '../map/pixel-hold.js';
import { TRANSFER_METHODS, type TransferMethod } from '../options.js';
import { sameColors } from '../pixel-words.js';
import type { Frame, IndexedFrame } from '../types.js';
import { checkCostWeights, checkWeightedPalette, COST_WEIGHT_NAMES, DEFAULT_COST_WEIGHTS, entryProportions, matchPalettes, paletteLab, transferCost, type CostWeights, type WeightedPalette } from './match.js';
import { createSceneCutDetector, SCENE_CUT_NAMES, type SceneCutOptions } from '../sequence/scene-cut.js';
import { checkPixelHold, STABILITY_PRESETS } from '../sequence/stability.js';

/** The source palette a clip is repainted with: `rgb` holds `size * 3` bytes. */
export interface SourcePalette extends WeightedPalette {
  readonly rgb: Uint8Array;
}

export interface TransferOptions {
  readonly method: TransferMethod;
  /** Cost weights of the `optimal` method; each one left out is DEFAULT_COST_WEIGHTS'. */
  readonly weights?: Partial<CostWeights>;
  /** When to re-decide the mapping; `false` decides once, on the first frame. */
  readonly sceneCut?: Partial<SceneCutOptions> | false;
  /** How `nearest` maps pixels (dithering applies there only). Each field left out: Euclidean RGB, no dither. */
  readonly map?: Partial<MapOptions>;
  /**
   * `nearest` only: the pixel hold (StabilityOptions.pixelHold and pixelMargin; DitherHold
   * with dithering) between consecutive frames, as `--seeding global` has it with one
   * palette for the clip. Default: the medium preset's (8 and 0.5); pixelHold -1 = off.
   */
  readonly pixelHold?: number;
  readonly pixelMargin?: number;
}

const TRANSFER_NAMES: readonly string[] = namesOf<TransferOptions>({ method: true, weights: true, sceneCut: true, map: true, pixelHold: true, pixelMargin: true });

/** One target frame as the quantize pipeline yields it. */
export interface TargetFrame {
  /** The target's original frame: what `nearest` maps and what the cut detector compares. */
  readonly source: Frame;
  /** The target frame clustered into its own stable entries. */
  readonly indexed: IndexedFrame;
  /** k-means inertia of this frame, or NaN when unknown. */
  readonly inertia: number;
  /**
   * True when the quantizer clustered this frame from scratch (first frame, its own scene
   * cut, unseeded mode): entry i may then hold an unrelated colour, so the mapping is
   * re-decided unless the palette is byte-identical to the one last decided on.
   */
  readonly fresh?: boolean;
}

/**
 * How far the target's palette may drift, in CIELAB ΔE76 (each entry's distance from its
 * colour when the mapping was last looked at, weighted by its share then), before the
 * matching is looked at again. A fade from black is no cut, frame to frame: without this,
 * the matching decided on its dark first frames (every cluster a dark source colour)
 * painted the whole clip, its bright part included. At 10, ordinary shots (a looping
 * globe, a bird turning in the light) were repainted whole in mid-shot now and then; at 20
 * those switches went and fades kept their gain (realshort faded in, k = 16: 12.05 dB
 * at 10, 11.99 at 20, 10.1 never looked at again; 178 runs compared by a QA round).
 */
const DRIFT_DELTA_E = 20;

/**
 * A matching found on a drifted palette replaces the kept one only when the kept one costs
 * this fraction more on that palette (`optimal`'s summed cost, for `lightness` too): a small
 * gain is not worth colours switching in the middle of a shot.
 */
const DRIFT_GAIN = 0.1;

/** A mapping decision: made on the first frame, then again at each scene cut, and when the target's palette has drifted far (a fade). */
export interface TransferDecision {
  /** 0-based frame the decision was made on. */
  readonly frame: number;
  /** The target entries (colours and shares on that frame) that were matched. */
  readonly target: WeightedPalette & { readonly rgb: Uint8Array };
  /** Source colour index per target entry. */
  readonly mapping: Int32Array;
}

/**
 * A source palette built by hand (rather than by sourcePaletteFromCounts or the command
 * line) is checked where it comes in: a missing or NaN share failed deep in the matching.
 */
function checkSourcePalette(source: SourcePalette): void {
  if (source === null || typeof source !== 'object') {
    throw new ChromaseedError('ERR_INPUT', `a source palette is { size, rgb, proportions } (sourcePaletteFromCounts makes one), not ${String(source)}`);
  }
  const { size, rgb } = source;
  if (!Number.isInteger(size) || size < 1 || size > 256) {
    throw new ChromaseedError('ERR_INPUT', `a source palette has 1 to 256 colours, not ${String(size)}${size === 0 ? ': an empty one has nothing to transfer' : ''}`);
  }
  if (!isBytes(rgb) || rgb.length < size * 3) throw new ChromaseedError('ERR_INPUT', `a source palette of ${size} colours needs ${size * 3} bytes of rgb (a Uint8Array), not ${isBytes(rgb) ? `${rgb.length}` : String(rgb)}`);
  // Its shares are checked as those of any palette being matched.
  checkWeightedPalette('source', source);
}

export interface PaletteTransfer {
  /** Repaint one target frame with source colours only. Call in display order. */
  next(frame: TargetFrame): IndexedFrame;
  /** Every decision made so far, the first one first. */
  decisions(): readonly TransferDecision[];
}

/**
 * Repaints a clip with a source palette. For `rank`, `lightness` and `optimal` the output
 * keeps the target's indices and only swaps the palette: entry i is painted with source
 * colour mapping[i]. Because the sequential quantizer keeps entry i as entry i, a mapping
 * decided once holds for every frame and the output cannot flicker more than the target's
 * own clustering does. The mapping is re-decided at a scene cut: one found by the
 * detector here (see scene-cut.ts), a frame the quantizer re-initialised (`fresh` with
 * new colours), or a change in the number of entries; and when the palette has drifted
 * far from the one last looked at (DRIFT_DELTA_E), if a new matching is clearly better. `nearest` ignores the clusters and maps each pixel to its nearest
 * source colour, for reference, but for the still pixels its pixel hold keeps (resolveTransferHold).
 */
export function createPaletteTransfer(source: SourcePalette, options: TransferOptions): PaletteTransfer {
  checkSourcePalette(source);
  // Checked here, where a library caller comes in: an unknown method failed at the first frame, deep inside.
  requireObject('options', "{ method: 'optimal' }", options);
  refuseUnknownKeys('createPaletteTransfer', options, TRANSFER_NAMES);
  const method: unknown = options.method;
  requireChoice('--method', TRANSFER_METHODS, method);
  // The nested options too, here rather than where they are first used (a scene cut, a mapping, an optimal match).
  // Only `optimal` reads the weights' values: a negative one failed at the first frame.
  const weights = withDefaults(DEFAULT_COST_WEIGHTS, options.weights, 'weights', '{ lightness: 1, color: 0.5, frequency: 0.25 }');
  if (method === 'optimal') checkCostWeights(weights);
  else refuseUnknownKeys('the cost weights', weights, COST_WEIGHT_NAMES);
  const mapOptions = withDefaults<MapOptions>(PLAIN_MAP, options.map, 'map', "{ dither: 'floyd-steinberg' }");
  checkMapOptions(mapOptions, "createPaletteTransfer's map");
  if (options.sceneCut !== undefined && options.sceneCut !== false) refuseUnknownKeys("createPaletteTransfer's sceneCut", options.sceneCut, SCENE_CUT_NAMES);
  const detector = options.sceneCut === false ? null : createSceneCutDetector(options.sceneCut);
  const mapper = options.method === 'nearest' ? createMapper() : null;
  const dithered = mapOptions.dither !== 'none';
  const sourceRgb = source.rgb.slice(0, source.size * 3);
  const hold = nearestHold(options, sourceRgb);
  const made: TransferDecision[] = [];
  let palette: Uint8Array | null = null;
  let paletteSize = -1;
  let frameIndex = 0;
  // The target palette (CIELAB, and shares) the mapping was last decided or checked on.
  let checkedLab: Float64Array = new Float64Array(0);
  let checkedShares: ArrayLike<number> = [];
  // `rank` follows the clusters' shares, not their colours, which drift with every frame
  // (looked at again, it switched colours mid-shot: earth-transparent.gif at k = 32, flicker
  // 27.2 -> 39.0 when measured at 5560896); `nearest` has no matching.
  const rechecks = options.method === 'optimal' || options.method === 'lightness';

  function targetOf(indexed: IndexedFrame): TransferDecision['target'] {
    const size = indexed.size;
    return { size, rgb: indexed.palette.slice(0, size * 3), proportions: entryProportions(indexed.indices, indexed.transparent, size) };
  }

  function adopt(index: number, target: TransferDecision['target'], mapping: Int32Array): void {
    made.push({ frame: index, target, mapping });
    palette = new Uint8Array(Math.max(1, target.size) * 3);
    for (let e = 0; e < target.size; e++) palette.set(sourceRgb.subarray(mapping[e] * 3, mapping[e] * 3 + 3), e * 3);
    paletteSize = target.size;
  }

  /**
   * For `nearest`, where each cluster's centre goes: to its nearest source colour as the
   * pixels are mapped (nearestIndex gives the mapper's answer, ties included), in the run's
   * metric and space (matchPalettes' nearest is Euclidean RGB, and with --space lab the
   * mapping shown sent #a82c0f, 18% of coffee.png, to another colour than its pixels took).
   */
  function centresMapped(target: TransferDecision['target']): Int32Array {
    const { rgb } = target;
    return Int32Array.from({ length: target.size }, (_, e) => nearestIndex(sourceRgb, source.size, rgb[e * 3], rgb[e * 3 + 1], rgb[e * 3 + 2], mapOptions.metric, mapOptions.space));
  }

  function checked(target: TransferDecision['target']): void {
    checkedLab = paletteLab(target.rgb, target.size);
    checkedShares = target.proportions;
  }

  /** The kept matching, looked at again on a drifted palette: replaced when another is clearly better there. */
  function recheck(indexed: IndexedFrame, index: number): void {
    const target = targetOf(indexed);
    checked(target);
    const decision = made[made.length - 1];
    const kept = decision.mapping;
    const cost = transferCost(target, source, weights);
    const costOf = (mapping: Int32Array): number => summedCost(cost, mapping, source.size);
    // The entries that moved matched again, where that costs little more than matching all
    // again: a fade from black whose black stays still needs the whole matching (chaplin faded
    // in: kept 0.419, whole 0.319, the moved entries alone 0.404).
    const whole = matchUsed(target, source, options.method, weights);
    // Only for optimal: lightness spreads the moved entries over the free colours by their
    // lightness among themselves, and shifted a faded-in chaplin's every cluster a colour darker.
    const partial = options.method === 'optimal' ? rematchMoved(target, decision, source, weights) : null;
    const found = partial !== null && costOf(partial) <= costOf(whole) * (1 + DRIFT_GAIN) ? partial : whole;
    if (sameMapping(found, kept)) return;
    if (costOf(kept) <= costOf(found) * (1 + DRIFT_GAIN)) return;
    adopt(index, target, found);
  }

  const sharesScratch = new Float64Array(256);

  /**
   * Whether the frame shows an entry that had no pixels when the mapping was decided (see
   * matchUsed): its source colour was only a placeholder, the nearest, maybe one that a used
   * entry took too, which would paint the two alike.
   */
  function usesUnmatched(indexed: IndexedFrame, decidedShares: ArrayLike<number>): boolean {
    let unmatched = false;
    for (let e = 0; e < indexed.size; e++) if (decidedShares[e] === 0) unmatched = true;
    if (!unmatched) return false;
    const shares = entryProportions(indexed.indices, indexed.transparent, indexed.size, sharesScratch);
    for (let e = 0; e < indexed.size; e++) if (decidedShares[e] === 0 && shares[e] > 0) return true;
    return false;
  }

  return {
    next(frame) {
      // Checked here, once per frame: the detector and the matching read these arrays unchecked.
      if (frame === null || typeof frame !== 'object') throw new ChromaseedError('ERR_INPUT', `a target frame is { source, indexed, fresh, inertia }, not ${String(frame)}`);
      checkRgbaFrame(frame.source);
      const { width: w, height: h } = frame.source;
      const indexed: unknown = frame.indexed;
      if (indexed !== null && typeof indexed === 'object' && ((indexed as IndexedFrame).width !== w || (indexed as IndexedFrame).height !== h)) {
        throw new ChromaseedError('ERR_INPUT', `a target frame's indexed frame is ${(indexed as IndexedFrame).width}x${(indexed as IndexedFrame).height} and its source ${w}x${h}; they are one frame, of one size`);
      }
      // Not a writer: its contract is the writers', but a break is the caller's input error here.
      checkIndexedFrame(frame.indexed, w, h, (message) => new ChromaseedError('ERR_INPUT', `target ${message}`));
      checkIndicesBelowSize(frame.indexed);
      const index = frameIndex++;
      const cut = detector !== null ? detector.next(frame.source, frame.inertia) : false;
      const last = made.length > 0 ? made[made.length - 1].target : null;
      const renewed = frame.fresh === true && last !== null && !sameColors(last.rgb, frame.indexed.palette, last.size);
      if (last === null || cut || renewed || frame.indexed.size !== paletteSize || usesUnmatched(frame.indexed, last.proportions)) {
        const target = targetOf(frame.indexed);
        adopt(index, target, options.method === 'nearest' && target.size > 0 ? centresMapped(target) : matchUsed(target, source, options.method, weights));
        checked(target);
      } else if (rechecks && drift(frame.indexed.palette, checkedLab, checkedShares, paletteSize) > DRIFT_DELTA_E) {
        recheck(frame.indexed, index);
      }
      const { width, height, delayMs } = frame.indexed;
      if (mapper !== null) {
        const held = hold?.next(frame.source);
        const mapped = mapper.map(frame.source, sourceRgb, source.size, mapOptions, undefined, dithered ? held : undefined);
        if (held !== undefined && !dithered) holdPixels(frame.source.data, held.before, mapped.indices, held.beforeIndices, sourceRgb, source.size, held, mapOptions.metric, mapOptions.space);
        hold?.written(frame.source, mapped.indices);
        return { width, height, delayMs, indices: mapped.indices, transparent: mapped.transparent, palette: sourceRgb, size: source.size };
      }
      return { width, height, delayMs, indices: frame.indexed.indices, transparent: frame.indexed.transparent, palette: palette!, size: paletteSize };
    },
    decisions: () => made,
  };
}

/** The pixel hold of a `nearest` transfer: the frame before, kept (the caller may reuse its buffers). */
interface NearestHold {
  /** The hold for this frame: none for the first, or after a change of size. */
  next(source: Frame): DitherHold | undefined;
  /** Keeps the frame just mapped: its source pixels and the entries they were written with. */
  written(source: Frame, indices: Uint8Array): void;
}

/**
 * The pixel hold a transfer's options ask for, checked: `nearest`'s (which maps every frame
 * to the one source palette: a bit-identical pixel keeps its colour anyway, undithered, but
 * video's noise moves still pixels across the borders between colours), the medium preset's
 * by default. Null where it does not act: another method (given to one, pixelHold and
 * pixelMargin are refused: they would change nothing), or pixelHold -1 (with which a
 * pixelMargin is refused, as `quantize` refuses it).
 */
export function resolveTransferHold(options: Pick<TransferOptions, 'method' | 'pixelHold' | 'pixelMargin'>): { pixelHold: number; pixelMargin: number } | null {
  const given = options.pixelHold !== undefined ? 'pixelHold' : options.pixelMargin !== undefined ? 'pixelMargin' : undefined;
  if (given !== undefined && options.method !== 'nearest') {
    throw new ChromaseedError('ERR_USAGE', `${given} acts on method 'nearest' only, and this transfer's is '${options.method}'`);
  }
  const pixelHold = options.pixelHold ?? STABILITY_PRESETS.medium.pixelHold;
  const pixelMargin = options.pixelMargin ?? STABILITY_PRESETS.medium.pixelMargin;
  checkPixelHold(pixelHold, pixelMargin);
  if (pixelHold < 0 && options.pixelMargin !== undefined) {
    throw new ChromaseedError('ERR_USAGE', '--pixel-margin acts with --pixel-hold, which this run has off (--pixel-hold -1); give it too, or drop --pixel-margin');
  }
  return options.method === 'nearest' && pixelHold >= 0 ? { pixelHold, pixelMargin } : null;
}

/** The hold `options` ask for (resolveTransferHold), or null. `palette`: the source colours, every frame's palette. */
function nearestHold(options: TransferOptions, palette: Uint8Array): NearestHold | null {
  const resolved = resolveTransferHold(options);
  if (resolved === null) return null;
  const { pixelHold, pixelMargin } = resolved;
  // Empty until the first frame is written.
  let before = new Uint8Array(0);
  let beforeIndices = new Uint8Array(0);
  let width = 0;
  let height = 0;
  return {
    next: (source) => (source.width === width && source.height === height ? { before, beforeIndices, beforePalette: palette, pixelHold, pixelMargin } : undefined),
    written(source, indices) {
      const n = source.width * source.height;
      if (source.width !== width || source.height !== height) {
        before = new Uint8Array(n * 4);
        beforeIndices = new Uint8Array(n);
        width = source.width;
        height = source.height;
      }
      before.set(source.data.subarray(0, n * 4));
      beforeIndices.set(indices.subarray(0, n));
    },
  };
}

/**
 * Every shown pixel's index names one of the frame's `size` colours: the matching counted
 * one past it nowhere (or in an entry it does not have), and the output kept it, an index
 * into a palette too short for it. One pass over the indices, per frame.
 */
function checkIndicesBelowSize({ indices, transparent, size, width, height }: IndexedFrame): void {
  if (size >= 256) return;
  const n = width * height;
  for (let p = 0; p < n; p++) {
    if (indices[p] >= size && (transparent === null || transparent[p] === 0)) {
      throw new ChromaseedError('ERR_INPUT', `target frame has palette index ${indices[p]} at pixel ${p}, not below its palette's size ${size}`);
    }
  }
}

/** Share-weighted mean ΔE76 of each entry of `rgb` from its colour in `lab`. */
function drift(rgb: Uint8Array, lab: Float64Array, shares: ArrayLike<number>, size: number): number {
  const now = paletteLab(rgb, size);
  let sum = 0;
  for (let e = 0; e < size * 3; e += 3) sum += shares[e / 3] * Math.hypot(now[e] - lab[e], now[e + 1] - lab[e + 1], now[e + 2] - lab[e + 2]);
  return sum;
}

/**
 * matchPalettes over the entries the frame uses: the quantizer keeps entries a frame of few
 * colours leaves unused (so that colours keep their slots), and matched with the rest they
 * took source colours from them, the lightest, say, that lightness gives the lightest used
 * colour. An unused entry gets its nearest source colour, which no pixel shows.
 */
function matchUsed(target: TransferDecision['target'], source: WeightedPalette, method: TransferMethod, weights: CostWeights): Int32Array {
  const used: number[] = [];
  for (let e = 0; e < target.size; e++) if (target.proportions[e] > 0) used.push(e);
  if (used.length === target.size || used.length === 0) return matchPalettes(target, source, method, weights);
  const matched = matchPalettes(subPalette(target, used), source, method, weights);
  const mapping = matchPalettes(target, source, 'nearest', weights);
  used.forEach((e, i) => (mapping[e] = matched[i]));
  return mapping;
}

/** An entry farther than this (ΔE76) from its colour at the last decision has moved (see rematchMoved). */
const ENTRY_MOVED_DELTA_E = 10;

/**
 * The kept matching with the entries that moved since it was decided matched again by
 * `optimal`, among the source colours the others leave, or null where that is not the question: no entry
 * stayed (a fade moves them all), none moved, or source colours are shared (more entries
 * than source colours). Solving the whole matching again repainted the entries that had not
 * moved too: on glide__large_giphy_logo.gif, whose letters cycle through hues, its unchanged
 * "POWERED BY" changed colour twice in mid-shot. (recheck takes it only where it costs
 * little more than the whole matching.)
 */
function rematchMoved(target: TransferDecision['target'], decision: TransferDecision, source: WeightedPalette, weights: CostWeights): Int32Array | null {
  const size = target.size;
  if (decision.target.size !== size || size > source.size) return null;
  const then = paletteLab(decision.target.rgb, size);
  const now = paletteLab(target.rgb, size);
  const moved: number[] = [];
  const held = new Uint8Array(source.size);
  for (let e = 0; e < size; e++) {
    if (target.proportions[e] === 0) continue;
    const o = e * 3;
    if (Math.hypot(now[o] - then[o], now[o + 1] - then[o + 1], now[o + 2] - then[o + 2]) > ENTRY_MOVED_DELTA_E) moved.push(e);
    else held[decision.mapping[e]] = 1;
  }
  const free: number[] = [];
  for (let j = 0; j < source.size; j++) if (held[j] === 0) free.push(j);
  if (moved.length === 0 || free.length === source.size || free.length < moved.length) return null;
  const matched = matchPalettes(subPalette(target, moved), subPalette(source, free), 'optimal', weights);
  const mapping = decision.mapping.slice();
  moved.forEach((e, i) => (mapping[e] = free[matched[i]]));
  return mapping;
}

/** The entries `entries` of `palette`, in that order. */
function subPalette(palette: WeightedPalette, entries: readonly number[]): WeightedPalette {
  return {
    size: entries.length,
    rgb: entries.flatMap((e) => [palette.rgb[e * 3], palette.rgb[e * 3 + 1], palette.rgb[e * 3 + 2]]),
    proportions: entries.map((e) => palette.proportions[e]),
  };
}

function summedCost(cost: Float64Array, mapping: Int32Array, m: number): number {
  let sum = 0;
  for (let i = 0; i < mapping.length; i++) sum += cost[i * m + mapping[i]];
  return sum;
}

function sameMapping(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The source palette ordered by share, most common first, dropping colours no pixel uses.
 * `rgb` is `size * 3` bytes, `counts` the pixels nearest each colour.
 */
export function sourcePaletteFromCounts(rgb: ArrayLike<number>, counts: ArrayLike<number>, size: number): SourcePalette {
  // A NaN size gave an empty palette, and null colours a TypeError.
  requireInRange('size', size, 0, 256, 'a whole number of colours');
  checkColourCounts('sourcePaletteFromCounts', rgb, counts, size);
  let total = 0;
  for (let i = 0; i < size; i++) total += counts[i];
  const kept = Array.from({ length: size }, (_, i) => i)
    .filter((i) => counts[i] > 0)
    .sort((a, b) => counts[b] - counts[a]);
  const out = new Uint8Array(Math.max(1, kept.length) * 3);
  const proportions = new Float64Array(kept.length);
  kept.forEach((e, i) => {
    out[i * 3] = Math.round(rgb[e * 3]);
    out[i * 3 + 1] = Math.round(rgb[e * 3 + 1]);
    out[i * 3 + 2] = Math.round(rgb[e * 3 + 2]);
    proportions[i] = total > 0 ? counts[e] / total : 0;
  });
  return { size: kept.length, rgb: out, proportions };
}
