/**
 * The pure core: typed arrays in, typed arrays out; no files, no processes, no clocks.
 * Usable anywhere JavaScript runs (browsers, workers) as `chromaseed/core`.
 */
export * from './types.js';
export { ChromaseedError, type ErrorCode } from './errors.js';
export { fromSrgb, toSrgb, lightness, srgbToLab, labToSrgb, srgbToOklab, oklabToSrgb } from './color/space.js';
export { createKMeans, kmeansPixels, kmeansPoints, type KMeansOptions, type KMeansResult, type KMeansEngine } from './kmeans/kmeans.js';
export { createMapper, nearestIndex, type MapOptions, type Dither } from './map/map-pixels.js';
export { createQualityMeter, histogramInertia, inertia, type QualityResult, type QualityMeter } from './metrics/quality.js';
export { createSequentialQuantizer, type FramePalette, type PreviousFrame, type SequentialOptions } from './sequence/sequential.js';
export { clipPalette, createColorAccumulator, type ClipPalette } from './sequence/global-palette.js';
export { STABILITY_PRESETS, resolveStability, type StabilityOptions, type StabilityLevel } from './sequence/stability.js';
export { quantizeClip, type QuantizedFrame } from './pipeline/quantize-clip.js';
export { decodeGif, isGif, type DecodedGif, type GifLimits } from './decode/gif-decode.js';
export { createGifEncoder } from './encode/gif-encode.js';
export { createPaletteTransfer } from './transfer/transfer.js';
export { matchPalettes, transferCost, type CostWeights, type WeightedPalette } from './transfer/match.js';
export { solveAssignment } from './transfer/hungarian.js';
export { createSceneCutDetector } from './sequence/scene-cut.js';
export { paletteFromKMeans, type Palette, type PaletteEntry } from './palette/palette.js';
export { sortPalette } from './palette/sort.js';
export { formatPalette } from './palette/format.js';
export { parsePaletteText, type PaletteFile } from './palette/read-palette.js';
export { vividPoints, boostSaturation } from './palette/vivid.js';
export * from './options.js';
