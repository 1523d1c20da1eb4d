/**
 * The pure core: typed arrays in, typed arrays out; no files, no processes, no clocks.
 * Usable anywhere JavaScript runs (browsers, workers) as `chromaseed/core`.
 */
export * from './types.js';
export { ChromaseedError, type ErrorCode } from './errors.js';
export { fromSrgb, toSrgb, lightness, srgbToLab, labToSrgb, srgbToOklab, oklabToSrgb, type Converter } from './color/space.js';
export { createKMeans, kmeansPixels, kmeansPoints, type KMeansOptions, type KMeansResult, type KMeansEngine, type KMeansIterationEvent } from './kmeans/kmeans.js';
export type { ColorHistogram } from './kmeans/histogram.js';
export { createMapper, nearestIndex, type MapOptions, type Dither, type DitherHold, type Mapper, type MappedFrame } from './map/map-pixels.js';
export { createPaletteSearch, type PaletteSearch } from './map/nearest.js';
export { createQualityMeter, histogramInertia, inertia, type QualityResult, type QualityMeter, type QualityMeterOptions, type StillFlips } from './metrics/quality.js';
export { createSequentialQuantizer, type FramePalette, type PreviousFrame, type SequentialOptions } from './sequence/sequential.js';
export { clipPalette, createColorAccumulator, type ClipPalette, type ClusterRequest, type PointClusterer } from './sequence/global-palette.js';
export { STABILITY_LEVELS, STABILITY_PRESETS, resolveStability, type StabilityOptions, type StabilityLevel } from './sequence/stability.js';
export { quantizeClip, type QuantizedFrame } from './pipeline/quantize-clip.js';
export { decodeGif, isGif, type DecodedGif, type GifLimits } from './decode/gif-decode.js';
export { createGifEncoder, type GifEncoder, type GifEncoderOptions } from './encode/gif-encode.js';
export { createPaletteTransfer, sourcePaletteFromCounts, type PaletteTransfer, type SourcePalette, type TargetFrame, type TransferDecision, type TransferOptions } from './transfer/transfer.js';
export { matchPalettes, transferCost, type CostWeights, type WeightedPalette } from './transfer/match.js';
export { solveAssignment } from './transfer/hungarian.js';
export { createSceneCutDetector, type SceneCutDetector, type SceneCutOptions } from './sequence/scene-cut.js';
export type { FrameChange } from './sequence/frame-change.js';
export { paletteFromKMeans, type KMeansPaletteSource, type Palette, type PaletteEntry } from './palette/palette.js';
export { sortPalette, type PaletteSort } from './palette/sort.js';
export { formatPalette, type PaletteFormat } from './palette/format.js';
export { parsePaletteText, type PaletteFile } from './palette/read-palette.js';
export { vividPoints, boostSaturation, type VividOptions, type VividPoints } from './palette/vivid.js';
// The options' resolvers, their types and choices (not their helpers, which are the resolvers' own).
export {
  resolveClusterOptions, resolveInputOptions, resolvePaletteOptions, resolveSequenceOptions,
  METRICS, SPACES, INITS, SEEDINGS, DITHERS, TRANSFER_METHODS, MAX_COLORS, DEFAULT_MAX_FRAMES, DEFAULT_MAX_PIXELS,
  type ClusterOptions, type ClusterOptionsInput, type PaletteOptions, type PaletteOptionsInput, type InputOptions, type InputOptionsInput,
  type SequenceOptions, type SequenceOptionsInput, type Seeding, type DitherMode, type TransferMethod,
} from './options.js';
