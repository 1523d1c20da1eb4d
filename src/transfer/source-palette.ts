import { ChromaseedError } from '../errors.js';
import type { ClusterOptions } from '../options.js';
import { clipPalette, type PointClusterer } from '../sequence/global-palette.js';
import type { FrameSource } from '../types.js';
import { sourcePaletteFromCounts, type SourcePalette } from './transfer.js';

/**
 * SOURCE's palette for a transfer: k colours over every frame (one k-means over the whole
 * clip's colour counts, as `--seeding global` does), with the share of the clip's pixels
 * each colour's cluster holds, which `rank` and `optimal` weigh. Ordered most common first.
 *
 * @param name used in the error message when the source has no opaque pixel.
 */
export async function extractSourcePalette(
  open: () => Promise<FrameSource>,
  options: ClusterOptions,
  name: string,
  signal?: AbortSignal,
  cluster?: PointClusterer,
): Promise<SourcePalette> {
  const { palette, counts } = await clipPalette(open, options, signal, cluster);
  if (palette.size === 0) throw new ChromaseedError('ERR_INPUT', `${name}: no opaque pixels to take colours from`);
  return sourcePaletteFromCounts(palette.palette, counts, palette.size);
}
