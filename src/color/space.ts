import type { ColorSpace, Metric } from '../types.js';
import { invalidOption } from '../errors.js';

/**
 * Conversions between 8-bit sRGB and the colour spaces k-means can run in.
 * `rgb` is the identity on the 0..255 scale; `lab` is CIELAB (D65 white); `oklab` is
 * Björn Ottosson's Oklab, scaled by 100 so its distances are of the same order as Lab's.
 * Each function writes into `out` at `o` so hot loops allocate nothing.
 */

/** sRGB byte -> linear light, precomputed: the gamma curve is the expensive part. */
const SRGB_TO_LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function linearToSrgb(v: number): number {
  const c = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
  return c * 255;
}

// D65 reference white for CIELAB.
const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const LAB_E = 216 / 24389;
const LAB_K = 24389 / 27;

function labF(t: number): number {
  return t > LAB_E ? Math.cbrt(t) : (LAB_K * t + 16) / 116;
}
function labFInv(f: number): number {
  const f3 = f * f * f;
  return f3 > LAB_E ? f3 : (116 * f - 16) / LAB_K;
}

/** Linear-light RGB (0..1) of each channel of sRGB (0..255, may be fractional), into `linear`. */
const linear = new Float64Array(3);
function linearInto(r: number, g: number, b: number): void {
  for (let c = 0; c < 3; c++) {
    const v = c === 0 ? r : c === 1 ? g : b;
    if ((v | 0) === v && v >= 0 && v <= 255) {
      linear[c] = SRGB_TO_LINEAR[v];
    } else {
      const f = Math.min(255, Math.max(0, v)) / 255;
      linear[c] = f <= 0.04045 ? f / 12.92 : Math.pow((f + 0.055) / 1.055, 2.4);
    }
  }
}

/*
 * The conversions to Lab and Oklab, which run for every colour of every frame (and of
 * every k-means bin, whose means are fractional), take no number back from a call: where V8
 * did not inline such a call, as in the mappers' loops, which inline the palette search
 * too, each number returned became a new object on the heap, three a colour (200 MB over
 * test.webm's 94 frames at `--space lab`). The same arithmetic as labF, written out.
 */
export function srgbToLab(r: number, g: number, b: number, out: Float64Array, o: number): void {
  linearInto(r, g, b);
  const lr = linear[0];
  const lg = linear[1];
  const lb = linear[2];
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN;
  const y = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / YN;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN;
  const fx = x > LAB_E ? Math.cbrt(x) : (LAB_K * x + 16) / 116;
  const fy = y > LAB_E ? Math.cbrt(y) : (LAB_K * y + 16) / 116;
  const fz = z > LAB_E ? Math.cbrt(z) : (LAB_K * z + 16) / 116;
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

export function labToSrgb(l: number, a: number, bb: number, out: Float64Array, o: number): void {
  const fy = (l + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - bb / 200;
  const x = labFInv(fx) * XN;
  const y = labFInv(fy) * YN;
  const z = labFInv(fz) * ZN;
  const lr = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const lg = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const lb = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  out[o] = clamp255(linearToSrgb(lr));
  out[o + 1] = clamp255(linearToSrgb(lg));
  out[o + 2] = clamp255(linearToSrgb(lb));
}

const OKLAB_SCALE = 100;

export function srgbToOklab(r: number, g: number, b: number, out: Float64Array, o: number): void {
  linearInto(r, g, b);
  const lr = linear[0];
  const lg = linear[1];
  const lb = linear[2];
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  out[o] = OKLAB_SCALE * (0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s);
  out[o + 1] = OKLAB_SCALE * (1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s);
  out[o + 2] = OKLAB_SCALE * (0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s);
}

/**
 * Oklab (×OKLAB_SCALE) to linear-light sRGB (0..1), not clamped: a colour outside sRGB has
 * a channel outside 0..1, which is how the vivid palette tells it from one inside.
 */
export function oklabToLinearSrgb(L: number, A: number, B: number, out: Float64Array, o: number): void {
  const ll = L / OKLAB_SCALE;
  const aa = A / OKLAB_SCALE;
  const bb = B / OKLAB_SCALE;
  const l = ll + 0.3963377774 * aa + 0.2158037573 * bb;
  const m = ll - 0.1055613458 * aa - 0.0638541728 * bb;
  const s = ll - 0.0894841775 * aa - 1.291485548 * bb;
  const l3 = l * l * l;
  const m3 = m * m * m;
  const s3 = s * s * s;
  out[o] = 4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3;
  out[o + 1] = -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3;
  out[o + 2] = -0.0041960863 * l3 - 0.7034186147 * m3 + 1.707614701 * s3;
}

export function oklabToSrgb(L: number, A: number, B: number, out: Float64Array, o: number): void {
  oklabToLinearSrgb(L, A, B, out, o);
  out[o] = clamp255(linearToSrgb(out[o]));
  out[o + 1] = clamp255(linearToSrgb(out[o + 1]));
  out[o + 2] = clamp255(linearToSrgb(out[o + 2]));
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function srgbIdentity(r: number, g: number, b: number, out: Float64Array, o: number): void {
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
}

export type Converter = (c0: number, c1: number, c2: number, out: Float64Array, o: number) => void;

/** sRGB (0..255) -> the working space. */
export function fromSrgb(space: ColorSpace): Converter {
  checkSpace(space);
  return space === 'lab' ? srgbToLab : space === 'oklab' ? srgbToOklab : srgbIdentity;
}

/** Once per converter asked for: an unknown space ('hsv') was taken for rgb, silently. */
function checkSpace(space: ColorSpace): void {
  if (space !== 'rgb' && space !== 'lab' && space !== 'oklab') throw invalidOption('space', 'rgb, lab or oklab', space);
}

/** Working space -> sRGB (0..255, clamped, fractional). */
export function toSrgb(space: ColorSpace): Converter {
  checkSpace(space);
  return space === 'lab' ? labToSrgb : space === 'oklab' ? oklabToSrgb : (a, b, c, out, o) => srgbIdentity(clamp255(a), clamp255(b), clamp255(c), out, o);
}

/** CIELAB lightness L* (0..100) of an sRGB colour: used to sort and to match palettes by lightness. */
export function lightness(r: number, g: number, b: number): number {
  linearInto(r, g, b);
  const y = 0.2126729 * linear[0] + 0.7151522 * linear[1] + 0.072175 * linear[2];
  return 116 * labF(y) - 16;
}

/** Distance between two working-space colours: squared Euclidean or Manhattan (what "nearest" means in every metric). */
export function colourDistance(metric: Metric, p0: number, p1: number, p2: number, q0: number, q1: number, q2: number): number {
  const d0 = p0 - q0;
  const d1 = p1 - q1;
  const d2 = p2 - q2;
  return metric === 'manhattan' ? Math.abs(d0) + Math.abs(d1) + Math.abs(d2) : d0 * d0 + d1 * d1 + d2 * d2;
}
