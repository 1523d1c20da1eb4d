import { oklabToLinearSrgb, oklabToSrgb, srgbToOklab } from '../color/space.js';
import { checkRgbaPixels, namesOf, refuseUnknownKeys, requireInRange, requireObject } from '../errors.js';
import { buildHistogram, createHistogram } from '../kmeans/histogram.js';
import { checkPaletteEntries, makeEntry, type Palette } from './palette.js';

/**
 * `--vivid`: palettes of salient colours rather than muted averages.
 *
 * Plain k-means on a photo spends most of its colours on what covers the most pixels:
 * shadows, highlights, skies and greyish backgrounds, and it averages small saturated
 * details into their surroundings. Palette tools that users like instead favour the
 * colours that catch the eye. Vivid mode does that in two deterministic steps, both
 * measured in Oklab (L and chroma C = √(a² + b²), both on a 0..100 scale here, so a pure
 * sRGB red has C ≈ 26 and a neutral grey C = 0):
 *
 * 1. Before clustering, {@link vividPoints} turns the image into weighted points, one per
 *    distinct opaque colour (alpha > 0):
 *    - a colour is *salient* when C ≥ `minChroma` (default 4) and
 *      `minLightness` ≤ L ≤ `maxLightness` (default 20..94): near-greys, near-blacks and
 *      near-whites are not;
 *    - each salient colour is weighted by (its pixel count) × C, so a pixel twice as
 *      colourful pulls the centroids twice as hard; non-salient colours get no weight;
 *    - if the salient colours cover fewer than `minSalientFraction` (default 5%) of the
 *      opaque pixels (a greyscale or very muted image), nothing is dropped: every colour
 *      is kept with weight (pixel count) × max(C, `minChroma`), so the palette still
 *      describes the image and leans only gently towards its colourful parts.
 * 2. After clustering, {@link boostSaturation} raises each palette colour's Oklab chroma
 *    by `amount` (default 15%) at the same lightness and hue, less where that would leave
 *    the sRGB gamut.
 *
 * Counts and proportions in a vivid palette are sums of these weights, not pixel counts.
 */

/** Options for {@link vividPoints}. Chroma and lightness are Oklab × 100. */
export interface VividOptions {
  /** Colours with less chroma are muted. Default 4. */
  readonly minChroma?: number;
  /** Darker colours are near-black. Default 20. */
  readonly minLightness?: number;
  /** Lighter colours are near-white. Default 94. */
  readonly maxLightness?: number;
  /** Fall back to keeping every colour when salient pixels are fewer than this share of opaque pixels. Default 0.05. */
  readonly minSalientFraction?: number;
}

const VIVID_NAMES: readonly string[] = namesOf<VividOptions>({ minChroma: true, minLightness: true, maxLightness: true, minSalientFraction: true });

/** Weighted points for the engine's `kmeansPoints`. */
export interface VividPoints {
  /** `n * 3` sRGB coordinates (0..255), one point per kept distinct colour. */
  readonly points: Float64Array;
  /** `n` positive weights, see {@link vividPoints}. */
  readonly weights: Float64Array;
  readonly n: number;
  /** Opaque pixels (alpha > 0) in the input. */
  readonly opaquePixels: number;
  /** Pixels whose colour was kept with a non-zero weight. */
  readonly keptPixels: number;
  /** True when too few pixels were salient and every colour was kept (step 1, last rule). */
  readonly fallback: boolean;
}

/**
 * Vivid-mode points of an RGBA image (see the module comment for exactly what is kept
 * and how it is weighted). Pure and deterministic; points are in order of first appearance.
 */
export function vividPoints(rgba: Uint8Array, options: VividOptions = {}): VividPoints {
  checkRgbaPixels('rgba', rgba);
  requireObject('options', '{ minChroma: 4 }', options);
  refuseUnknownKeys('vividPoints', options, VIVID_NAMES);
  const minChroma = requireInRange('minChroma', options.minChroma ?? 4, 0, 100);
  const minL = requireInRange('minLightness', options.minLightness ?? 20, 0, 100);
  const maxL = requireInRange('maxLightness', options.maxLightness ?? 94, 0, 100);
  const minFraction = requireInRange('minSalientFraction', options.minSalientFraction ?? 0.05, 0, 1);

  // One point per distinct colour: a photo has far fewer distinct colours than pixels, so
  // the Oklab conversion runs once per colour and the engine sees a smaller point set with
  // the same weighted objective.
  const hist = buildHistogram(rgba, createHistogram(), false);
  const { count, colors } = hist;
  const chroma = new Float64Array(count);
  const salient = new Uint8Array(count);
  const lab = new Float64Array(3);
  let salientPixels = 0;
  let salientColors = 0;
  for (let i = 0, c = 0; i < count; i++, c += 3) {
    srgbToOklab(colors[c], colors[c + 1], colors[c + 2], lab, 0);
    const ch = Math.sqrt(lab[1] * lab[1] + lab[2] * lab[2]);
    chroma[i] = ch;
    if (ch >= minChroma && ch > 0 && lab[0] >= minL && lab[0] <= maxL) {
      salient[i] = 1;
      salientPixels += hist.weights[i];
      salientColors++;
    }
  }
  const fallback = salientColors === 0 || salientPixels < minFraction * hist.opaquePixels;
  const n = fallback ? count : salientColors;
  const points = new Float64Array(n * 3);
  const weights = new Float64Array(n);
  // max(C, minChroma) keeps greys in the fallback with a small positive weight; the 1e-3
  // floor covers minChroma = 0 on a purely grey image (weights must be positive).
  const floor = Math.max(minChroma, 1e-3);
  let kept = 0;
  for (let i = 0, c = 0, o = 0; i < count; i++, c += 3) {
    if (!fallback && salient[i] === 0) continue;
    points[o * 3] = colors[c];
    points[o * 3 + 1] = colors[c + 1];
    points[o * 3 + 2] = colors[c + 2];
    weights[o] = hist.weights[i] * (fallback ? Math.max(chroma[i], floor) : chroma[i]);
    kept += hist.weights[i];
    o++;
  }
  return { points, weights, n, opaquePixels: hist.opaquePixels, keptPixels: kept, fallback };
}

/**
 * A copy of `palette` with every colour's Oklab chroma multiplied by `1 + amount`, keeping
 * its Oklab lightness and hue. When the full boost would leave the sRGB gamut, the largest
 * factor between 1 and `1 + amount` that stays inside it is used (found by bisection), so
 * colours are never clipped into a different hue. Counts and proportions are unchanged;
 * `centroid` becomes the boosted float colour and `hex`/`rgb` its rounding.
 *
 * @param amount relative chroma increase, 0..1 (default 0.15).
 */
export function boostSaturation(palette: Palette, amount = 0.15): Palette {
  checkPaletteEntries(requireObject('palette', "a palette ({ k, colors, ... }: paletteFromKMeans's)", palette).colors, "palette's colors");
  requireInRange('amount', amount, 0, 1);
  const lab = new Float64Array(3);
  const rgb = new Float64Array(3);
  const colors = palette.colors.map((e) => {
    srgbToOklab(e.centroid[0], e.centroid[1], e.centroid[2], lab, 0);
    const [L, a, b] = lab;
    let lo = 1;
    let hi = 1 + amount;
    if (!inGamut(L, a * hi, b * hi)) {
      for (let step = 0; step < 24; step++) {
        const mid = (lo + hi) / 2;
        if (inGamut(L, a * mid, b * mid)) lo = mid;
        else hi = mid;
      }
      hi = lo;
    }
    oklabToSrgb(L, a * hi, b * hi, rgb, 0);
    return makeEntry(rgb[0], rgb[1], rgb[2], e.count, e.proportion);
  });
  return { ...palette, colors };
}

const linear = new Float64Array(3);

/** Whether an Oklab (×100) colour is inside sRGB. */
function inGamut(L: number, a: number, b: number): boolean {
  oklabToLinearSrgb(L, a, b, linear, 0);
  // Slack under half a byte step at both ends of the curve (1e-4 linear is 0.3 of a byte
  // near black; 8e-4 is 0.1 of a byte near white).
  const lo = -0.0001;
  const hi = 1.0008;
  return linear[0] >= lo && linear[0] <= hi && linear[1] >= lo && linear[1] <= hi && linear[2] >= lo && linear[2] <= hi;
}
